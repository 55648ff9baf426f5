/**
 * The normalized tracking vocabulary every client maps its carrier's payload onto, and the shared
 * helpers for it: customs detection from descriptions, time stamps with a zone offset, ordering.
 */

export const TRACKING_STATUSES = [
  'info_received',
  'in_transit',
  'customs_hold',
  'customs_cleared',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

export interface TrackingLocation {
  city?: string;
  /** ISO 3166-1 alpha-2 when the carrier gives one. */
  country?: string;
  /** Human-readable, as the carrier wrote it (city, state, postcode, country). */
  text: string;
}

export interface TrackingEvent {
  /** ISO 8601 with a zone offset (Z or ±hh:mm). */
  time: string;
  location: TrackingLocation;
  status: TrackingStatus;
  /** The carrier's own text. */
  description: string;
  /** The carrier's own event/status code, when it has one. */
  carrierCode?: string;
}

export interface TrackingResult {
  /** Registry id of the carrier (activities/logistics/carriers.ts). */
  carrier: string;
  trackingNumber: string;
  status: TrackingStatus;
  /** Newest first. */
  events: TrackingEvent[];
  estimatedDelivery?: string;
  source: 'carrier' | 'aggregator';
  /** Why the aggregator answered instead of the carrier's own API. */
  fallbackReason?: string;
  /** The same, as a code replies can act on. */
  fallbackCause?: FallbackCause;
}

export type FallbackCause =
  'carrier_undetected' | 'no_credentials' | 'credentials_expired' | 'credentials_refused' | 'not_found' | 'api_failed';

/**
 * Customs in carrier descriptions (the languages of carrier feeds our buyers see: en, es, pt, fr,
 * zh, th, id, vi, de, ar). Held/processing and released are told apart; "customs" alone means the
 * parcel is with customs (clearance in progress counts as a hold: it does not move until released).
 */
const CUSTOMS_RELEASED =
  /\b(cleared|released)\b[^.]*\b(customs|clearance)\b|\bcustoms\b[^.]*\b(cleared|released|complete[d]?)\b|clearance (processing )?complete|\bdesaduanad|liberad[oa] pela (alfândega|fiscaliza)|\bdédouané|已清关|清关完成|海关放行|ผ่านพิธีการศุลกากรแล้ว|selesai (proses )?bea cukai|đã thông quan|verzollt\b/i;
const CUSTOMS =
  /\bcustoms?\b|\bclearance\b|\bduties\b|\bimport (tax|duty|vat)\b|\baduana\b|\baduaneir|\balfândega|\bdouane\b|\bdédouanement|海关|清关|ศุลกากร|bea cukai|hải quan|\bzoll\b|جمارك|الجمرك/i;

export function customsStatusFromText(text: string): 'customs_hold' | 'customs_cleared' | undefined {
  if (CUSTOMS_RELEASED.test(text)) return 'customs_cleared';
  if (CUSTOMS.test(text)) return 'customs_hold';
  return undefined;
}

/**
 * The final status of an event: a carrier code that says delivered, out for delivery or returned
 * stands; otherwise customs wording in the description decides (so an "exception" or "in transit"
 * code whose text says "held by customs" is a customs hold).
 */
export function withCustoms(base: TrackingStatus, description: string): TrackingStatus {
  if (base === 'delivered' || base === 'out_for_delivery' || base === 'returned' || base === 'customs_cleared') return base;
  return customsStatusFromText(description) ?? base;
}

/** Generic wording → status, for carriers whose codes are coarse (DHL's "transit", "unknown"). */
export function statusFromText(text: string): TrackingStatus | undefined {
  const t = text.toLowerCase();
  if (
    /return(ed|ing)? to (the )?(shipper|sender|origin)|being returned|devuelto al remitente|devolvido ao remetente|retour à l'expéditeur/.test(
      t,
    )
  )
    return 'returned';
  if (
    /out for delivery|with (the )?(delivery )?courier for delivery|on (fedex |the )?vehicle for delivery|en reparto|saiu para entrega|en cours de livraison/.test(
      t,
    )
  )
    return 'out_for_delivery';
  if (/^delivered\b|\bdelivered (to|at|in)\b|\bentregad[oa]\b|\blivré\b/.test(t)) return 'delivered';
  if (
    /notice left|delivery attempt|attempted delivery|undeliverable|refused|unable to deliver|insufficient address|addressee unknown|damaged|\blost\b/.test(
      t,
    )
  )
    return 'exception';
  return undefined;
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * An ISO time with a zone offset. `local` is the carrier's local date-time; `offset` its ±hh:mm
 * (or ±hhmm, or Z). A time that comes with neither is read as UTC (said in docs/carriers.md).
 */
export function isoWithOffset(local: string, offset?: string | null): string | undefined {
  const s = local.trim().replace(' ', 'T');
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/.test(s)) return undefined;
  const withTime = /T\d{2}:\d{2}/.test(s) ? s : `${s}T00:00:00`;
  const withSeconds = /T\d{2}:\d{2}(?![:\d])/.test(withTime) ? withTime.replace(/(T\d{2}:\d{2})/, '$1:00') : withTime;
  if (OFFSET.test(withSeconds)) return normalizeOffset(withSeconds);
  const off = offset?.trim();
  if (off && /^(Z|[+-]\d{2}:?\d{2})$/i.test(off)) return normalizeOffset(`${withSeconds}${off}`);
  return `${withSeconds}Z`;
}

function normalizeOffset(s: string): string {
  return s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/z$/, 'Z');
}

/** `20240202` + `120435` (UPS style) → `2024-02-02T12:04:35`. */
export function compactDateTime(date: string, time?: string | null): string | undefined {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date.trim());
  if (!d) return undefined;
  const t = /^(\d{2}):?(\d{2}):?(\d{2})?$/.exec((time ?? '000000').trim());
  return `${d[1]}-${d[2]}-${d[3]}T${t ? `${t[1]}:${t[2]}:${t[3] ?? '00'}` : '00:00:00'}`;
}

export function newestFirst(events: TrackingEvent[]): TrackingEvent[] {
  return [...events].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

export function locationText(...parts: (string | null | undefined)[]): string {
  return parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .join(', ');
}

/** Overall status: the newest event's, else the carrier's summary, else info_received. */
export function overallStatus(events: TrackingEvent[], summary?: TrackingStatus): TrackingStatus {
  return events[0]?.status ?? summary ?? 'info_received';
}
