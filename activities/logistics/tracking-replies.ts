/**
 * Buyer replies about a parcel from its latest normalized tracking event: the general status reply
 * and the customs-aware reply (held since when, typical delay for the country, expected release,
 * duties for DDU shipments, next step), in the buyer's language.
 */
import { LOGISTICS_CATALOGS } from '../catalog/logistics-messages.js';
import { countryName, fill, formatHours, formatLocalDate, pickLanguage } from '../catalog/format.js';
import { customsDelayFor, customsDelayTable, customsDelayTableForShop, type CustomsDelayTable } from './customs-delays.js';
import type { TrackingEvent } from './tracking-types.js';

export interface Reply {
  text: string;
  language: string;
}

/** "São Paulo, Brazil" / the carrier's text / "location not given". */
export function placeName(location: TrackingEvent['location'], language: string): string {
  const c = LOGISTICS_CATALOGS[language] ?? LOGISTICS_CATALOGS.en!;
  const country = location.country ? countryName(location.country, language) : '';
  if (location.city) return country ? `${location.city}, ${country}` : location.city;
  if (location.text.trim()) return location.text.trim();
  return country || c.unknownPlace;
}

export function trackingStatusReply(input: { event: TrackingEvent; language: string | null | undefined }): Reply {
  const language = pickLanguage(LOGISTICS_CATALOGS, input.language);
  const c = LOGISTICS_CATALOGS[language]!;
  const { event } = input;
  const vars = {
    status: c.status[event.status],
    description: event.description.trim(),
    place: placeName(event.location, language),
    time: formatLocalDate(event.time, language, { time: true, country: event.location.country }),
  };
  return { text: tidy(fill(vars.description ? c.tracking : c.trackingNoDescription, vars)), language };
}

export interface CustomsReplyInput {
  /** Destination country (ISO alpha-2); the event's country when not given. */
  country?: string | null;
  lastEvent: Pick<TrackingEvent, 'time' | 'location' | 'description'> & { status?: TrackingEvent['status'] };
  language: string | null | undefined;
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
  const language = pickLanguage(LOGISTICS_CATALOGS, input.language);
  const c = LOGISTICS_CATALOGS[language]!;
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
    parts.push(fill(c.customsCleared, { place, since: formatLocalDate(ev.time, language, dateOpts) }));
  } else {
    parts.push(fill(c.customsHold, { place, since }));
    parts.push(
      overdue
        ? fill(c.customsOverdue, { delay: delayText, country: countryText })
        : fill(c.customsTypical, { delay: delayText, country: countryText, expected: expectedLocal }),
    );
    if (input.duties?.payableByBuyer)
      parts.push(input.duties.amount ? fill(c.customsDutiesAmount, { amount: input.duties.amount }) : c.customsDuties);
    parts.push(c.customsNext);
  }
  return {
    text: tidy(parts.join(language === 'zh' ? '' : ' ')),
    language,
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
  const c = LOGISTICS_CATALOGS[reply.language] ?? LOGISTICS_CATALOGS.en!;
  const note = fill(c.viaAggregator, { carrier: carrierName });
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
    return customsReply({ ...input, table: await customsDelayTableForShop(input.shopId, delaysFile) });
  };
}

/** answerCustomsHold with the built-in table and the shop's overrides (no delays file). */
export const answerCustomsHold = makeAnswerCustomsHold();
