/**
 * A shop's business hours (Shop.businessHours, Shop.timeZone): parse the written form, ask whether
 * the shop is open at a time, when it opens next, and add business minutes (ticket SLA due times).
 * Pure functions over `Intl` (no dependency); times are real instants, weekdays and "HH:MM" are
 * local to the shop's IANA time zone.
 *
 * Written form (CLI, API): `mon-fri 09:00-18:00, sat 10:00-14:00`; `always` (or empty) = always open.
 */
export interface BusinessHoursRow {
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** "HH:MM", 24 h; `close` after `open` ("24:00" = midnight at the end of the day). */
  open: string;
  close: string;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

export class BusinessHoursError extends Error {}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0 && tz.length <= 64;
  } catch {
    return false;
  }
}

function dayList(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split('+')) {
    const [a, b] = part.split('-');
    const from = DAYS.indexOf(a ?? '');
    const to = b === undefined ? from : DAYS.indexOf(b);
    if (from < 0 || to < 0)
      throw new BusinessHoursError(`"${part}": days are sun mon tue wed thu fri sat, a range like mon-fri, or mon+wed`);
    for (let d = from; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === to) break;
    }
  }
  return [...out].sort((x, y) => x - y);
}

/** `mon-fri 09:00-18:00, sat 10:00-14:00` → rows; `always` or '' → [] (always open). Throws BusinessHoursError naming the bad part. */
export function parseBusinessHours(text: string): BusinessHoursRow[] {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'always' || t === '24/7') return [];
  return t.split(/\s*[,;]\s*/).map((chunk) => {
    const m = /^(\S+)\s+(\d\d:\d\d)\s*-\s*(\d\d:\d\d)$/.exec(chunk);
    if (!m) throw new BusinessHoursError(`"${chunk}": write it as "mon-fri 09:00-18:00"`);
    return validRow({ days: dayList(m[1]!), open: m[2]!, close: m[3]! });
  });
}

/** A row checked (from the API's JSON form as well). */
export function validRow(r: { days?: unknown; open?: unknown; close?: unknown }): BusinessHoursRow {
  const days = Array.isArray(r.days) ? r.days : [];
  if (!days.length || !days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6))
    throw new BusinessHoursError('days must be weekday numbers 0 (Sunday) to 6 (Saturday)');
  if (typeof r.open !== 'string' || !HHMM.test(r.open) || typeof r.close !== 'string' || !HHMM.test(r.close))
    throw new BusinessHoursError('open and close must be "HH:MM" (24 h)');
  if (minutesOf(r.close) <= minutesOf(r.open)) throw new BusinessHoursError(`close (${r.close}) must be after open (${r.open})`);
  return { days: [...new Set(days as number[])].sort(), open: r.open, close: r.close };
}

/** The written form of rows (`always` for none). */
export function formatBusinessHours(rows: readonly BusinessHoursRow[]): string {
  if (!rows.length) return 'always';
  return rows.map((r) => `${r.days.map((d) => DAYS[d]).join('+')} ${r.open}-${r.close}`).join(', ');
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(t: number, tz: string): { day: number; minute: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(new Date(t))) {
    if (p.type === 'weekday') day = DAYS.indexOf(p.value.toLowerCase().slice(0, 3));
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** The open interval [open, close) in local minutes containing `minute` on `day`, or the next one that day. */
function intervalAt(rows: readonly BusinessHoursRow[], day: number, minute: number): { open: number; close: number } | null {
  let best: { open: number; close: number } | null = null;
  for (const r of rows) {
    if (!r.days.includes(day)) continue;
    const open = minutesOf(r.open);
    const close = minutesOf(r.close);
    if (close <= minute) continue;
    if (!best || open < best.open) best = { open, close };
  }
  return best;
}

const MINUTE = 60_000;

/** Whether the shop is open at `at`. No rows: always open. */
export function isOpen(rows: readonly BusinessHoursRow[], tz: string, at: Date): boolean {
  if (!rows.length) return true;
  const p = localParts(at.getTime(), tz);
  const i = intervalAt(rows, p.day, p.minute);
  return !!i && i.open <= p.minute;
}

/** When the shop is next open at or after `from` (`from` itself when open; null when no row opens at all). */
export function nextOpening(rows: readonly BusinessHoursRow[], tz: string, from: Date): Date | null {
  if (!rows.length) return from;
  let t = Math.floor(from.getTime() / MINUTE) * MINUTE;
  if (t < from.getTime()) t += MINUTE;
  for (let guard = 0; guard < 40; guard++) {
    const p = localParts(t, tz);
    const i = intervalAt(rows, p.day, p.minute);
    if (i && i.open <= p.minute) return new Date(t);
    // Jump to the interval's opening today, or to the next local midnight; re-read (DST moves the clock).
    t += ((i ? i.open : 24 * 60) - p.minute) * MINUTE;
  }
  return null;
}

/** `from` plus `minutes` of business time (the SLA's due time). No rows: plain minutes. */
export function addBusinessMinutes(rows: readonly BusinessHoursRow[], tz: string, from: Date, minutes: number): Date {
  if (!rows.length) return new Date(from.getTime() + minutes * MINUTE);
  let left = minutes;
  let t = from.getTime();
  for (let guard = 0; guard < 10_000; guard++) {
    const open = nextOpening(rows, tz, new Date(t));
    if (!open) return new Date(from.getTime() + minutes * MINUTE);
    t = open.getTime();
    const p = localParts(t, tz);
    const i = intervalAt(rows, p.day, p.minute)!;
    const here = i.close - p.minute;
    if (left <= here) return new Date(t + left * MINUTE);
    left -= here;
    t += here * MINUTE;
  }
  return new Date(t);
}
