/**
 * Buyer replies about a parcel from its latest normalized tracking event: the general status reply
 * and the customs-aware reply (held since when, typical delay for the country, expected release,
 * duties for DDU shipments, next step), in the buyer's language.
 */
import { countryName, formatHours, formatLocalDate } from '../catalog/format.js';
import { shopDefaultLanguage } from '../catalog/shop-language.js';
import { resolveLocale, t, type MessageKey, type MessageValues } from '../catalog/t.js';
import { customsDelayFor, customsDelayTable, customsDelayTableForShop, type CustomsDelayTable } from './customs-delays.js';
import type { TrackingEvent } from './tracking-types.js';

export interface Reply {
  text: string;
  language: string;
  /** True when no text existed in the wanted language (buyer's, else the shop's default) and another was used. */
  languageFallback?: boolean;
}

/** One message of a reply written in `language` (a variant may take a message from its parent). */
const msg = (key: MessageKey, language: string, values?: MessageValues) => t(key, language, values).text;

/** "São Paulo, Brazil" / the carrier's text / "location not given". */
export function placeName(location: TrackingEvent['location'], language: string): string {
  const country = location.country ? countryName(location.country, language) : '';
  if (location.city) return country ? `${location.city}, ${country}` : location.city;
  if (location.text.trim()) return location.text.trim();
  return country || msg('logistics.unknown_place', language);
}

export function trackingStatusReply(input: {
  event: TrackingEvent;
  language: string | null | undefined;
  /** The shop's default language: used before English when the buyer's has no catalog. */
  shopDefault?: string | null;
}): Reply {
  const { language, fallback } = resolveLocale(input.language, input.shopDefault);
  const { event } = input;
  const vars = {
    status: msg(`logistics.status.${event.status}`, language),
    description: event.description.trim(),
    place: placeName(event.location, language),
    time: formatLocalDate(event.time, language, { time: true, country: event.location.country }),
  };
  return {
    text: tidy(msg(vars.description ? 'logistics.tracking' : 'logistics.tracking_no_description', language, vars)),
    language,
    languageFallback: fallback,
  };
}

export interface CustomsReplyInput {
  /** Destination country (ISO alpha-2); the event's country when not given. */
  country?: string | null;
  lastEvent: Pick<TrackingEvent, 'time' | 'location' | 'description'> & { status?: TrackingEvent['status'] };
  language: string | null | undefined;
  /** The shop's default language: used before English when the buyer's has no catalog. */
  shopDefault?: string | null;
  /** Optional fact: the shipment is DDU and the buyer pays duties (amount as a formatted string, e.g. "R$ 84,20"). */
  duties?: { payableByBuyer: boolean; amount?: string } | null;
  /** Delay table (built-in by default; see customsDelayTableForShop for the file and shop overrides). */
  table?: CustomsDelayTable;
  now?: Date;
}

export interface CustomsReply extends Reply {
  facts: { country: string; typicalHours: number; since: string; expectedBy: string; overdue: boolean };
}

export function customsReply(input: CustomsReplyInput): CustomsReply {
  const { language, fallback } = resolveLocale(input.language, input.shopDefault);
  const ev = input.lastEvent;
  const countryCode = input.country ?? ev.location.country ?? null;
  const delay = customsDelayFor(countryCode, input.table ?? customsDelayTable());
  const place = placeName(ev.location, language);
  const dateOpts = { country: countryCode };
  const since = formatLocalDate(ev.time, language, { ...dateOpts, time: true });
  const sinceMs = new Date(ev.time).getTime();
  const expectedMs = sinceMs + delay.typicalHours * 3_600_000;
  // Expected release, written at the same UTC offset as the event.
  const offset = /([+-]\d{2}:?\d{2}|Z)$/i.exec(ev.time.trim())?.[1] ?? 'Z';
  const expectedIso = new Date(expectedMs).toISOString().replace('Z', '');
  const expectedLocal = formatLocalDate(shiftIso(expectedIso, offset), language, dateOpts);
  const delayText = formatHours(delay.typicalHours, language);
  const countryText = countryCode ? countryName(countryCode, language) : place;
  const now = (input.now ?? new Date()).getTime();
  const overdue = now > expectedMs;
  const parts: string[] = [];
  if (ev.status === 'customs_cleared') {
    parts.push(msg('logistics.customs_cleared', language, { place, since: formatLocalDate(ev.time, language, dateOpts) }));
  } else {
    parts.push(msg('logistics.customs_hold', language, { place, since }));
    parts.push(
      overdue
        ? msg('logistics.customs_overdue', language, { delay: delayText, country: countryText })
        : msg('logistics.customs_typical', language, { delay: delayText, country: countryText, expected: expectedLocal }),
    );
    if (input.duties?.payableByBuyer)
      parts.push(
        input.duties.amount
          ? msg('logistics.customs_duties_amount', language, { amount: input.duties.amount })
          : msg('logistics.customs_duties', language),
      );
    parts.push(msg('logistics.customs_next', language));
  }
  return {
    text: tidy(parts.join(language === 'zh' ? '' : ' ')),
    language,
    languageFallback: fallback,
    facts: {
      country: delay.country,
      typicalHours: delay.typicalHours,
      since: ev.time,
      expectedBy: new Date(expectedMs).toISOString(),
      overdue,
    },
  };
}

/**
 * A reply plus the note that 17TRACK answered because the carrier's own API could not be used
 * (its key expired): the buyer is told where the update comes from, not about our keys.
 */
export function withAggregatorNote<R extends Reply>(reply: R, carrierName: string): R {
  const note = msg('logistics.via_aggregator', reply.language, { carrier: carrierName });
  return { ...reply, text: `${reply.text}${reply.language === 'zh' ? '' : ' '}${note}` };
}

/** A UTC wall-clock "YYYY-MM-DDTHH:mm:ss.sss" re-expressed as the same instant at `offset`. */
function shiftIso(utcNoZone: string, offset: string): string {
  if (offset.toUpperCase() === 'Z') return `${utcNoZone}Z`;
  const m = /([+-])(\d{2}):?(\d{2})/.exec(offset)!;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const local = new Date(new Date(`${utcNoZone}Z`).getTime() + minutes * 60_000).toISOString().slice(0, 23);
  return `${local}${m[1]}${m[2]}:${m[3]}`;
}

/** A localized time ending in "p.m." followed by the sentence's full stop gives "p.m.."; keep one. */
function tidy(text: string): string {
  return text.replace(/\.\.(?=\s|$)/g, '.');
}

/**
 * Activity: the customs-aware reply with the shop's delay table (built-in → `delaysFile`, config.customs.delaysFile → shop).
 */
export function makeAnswerCustomsHold(delaysFile?: string) {
  return async function answerCustomsHold(input: Omit<CustomsReplyInput, 'table' | 'now'> & { shopId: string }): Promise<CustomsReply> {
    const shopDefault = input.shopDefault ?? (await shopDefaultLanguage(input.shopId, input.language));
    return customsReply({ ...input, shopDefault, table: await customsDelayTableForShop(input.shopId, delaysFile) });
  };
}

/** answerCustomsHold with the built-in table and the shop's overrides (no delays file). */
export const answerCustomsHold = makeAnswerCustomsHold();
