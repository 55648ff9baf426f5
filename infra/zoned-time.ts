/**
 * Wall-clock time in an IANA time zone without a date library: the zone's offset at an instant, and
 * the instant a local time begins (two passes, so a DST change between the guess and the answer is
 * taken into account). Used for shops' days and months (reports, usage, missed questions, demo data).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds the zone is ahead of UTC at instant t. */
export function offsetAt(t: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - Math.floor(t / 1000) * 1000;
}

/** The instant the local wall-clock time `localMs` (ms since 1970 as if the zone were UTC) happens in tz. */
export function zonedInstant(localMs: number, tz: string): Date {
  let t = localMs - offsetAt(localMs, tz);
  t = localMs - offsetAt(t, tz); // once more across a DST change
  return new Date(t);
}

/** The instant day "YYYY-MM-DD" (+ `plusDays`, + `seconds` after its midnight) begins in tz. */
export function dayStartIn(day: string, tz: string, plusDays = 0, seconds = 0): Date {
  return zonedInstant(Date.parse(`${day}T00:00:00Z`) + plusDays * 86_400_000 + seconds * 1000, tz);
}
