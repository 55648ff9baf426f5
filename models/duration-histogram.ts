/**
 * Pre-aggregated durations for the insight rollups (issue 17): a duration is counted in the first
 * bucket whose upper bound (seconds) it does not exceed, plus a count and a sum of milliseconds, so a
 * report sums a few counters per rollup row and never reads the conversations. Counter names are
 * relative to the rollup's `c`: `<name>.n`, `<name>.ms`, `<name>.h.<bound>` (`inf` beyond the last).
 */

/** Upper bounds in seconds: 30 s, 1, 2, 5, 10, 30 min, 1, 2, 4, 8, 24, 48 h, 7 days. */
export const DURATION_BOUNDS_S = [30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800] as const;

/** The rollup counters of one duration (nothing when it is unknown or negative). */
export function durationCounters(name: string, ms: number | null | undefined): Record<string, number> {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return {};
  const bound = DURATION_BOUNDS_S.find((b) => ms <= b * 1000);
  return { [`${name}.n`]: 1, [`${name}.ms`]: Math.round(ms), [`${name}.h.${bound ?? 'inf'}`]: 1 };
}

export interface DurationFigures {
  count: number;
  meanSeconds: number | null;
  /** Upper bound (s) of the bucket the median falls in; null without data or beyond the last bound. */
  p50Seconds: number | null;
  p90Seconds: number | null;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Sum the counters of `name` over rollup counter objects and read mean, p50 and p90. */
export function durationFigures(counters: Array<Record<string, unknown>>, name: string): DurationFigures {
  let count = 0;
  let ms = 0;
  const h = new Map<string, number>();
  for (const c of counters) {
    const d = c[name] as { n?: unknown; ms?: unknown; h?: Record<string, unknown> } | undefined;
    if (!d || typeof d !== 'object') continue;
    count += num(d.n);
    ms += num(d.ms);
    for (const [k, v] of Object.entries(d.h ?? {})) h.set(k, (h.get(k) ?? 0) + num(v));
  }
  const quantile = (q: number): number | null => {
    if (!count) return null;
    const rank = Math.ceil(q * count);
    let seen = 0;
    for (const b of DURATION_BOUNDS_S) {
      seen += h.get(String(b)) ?? 0;
      if (seen >= rank) return b;
    }
    return null;
  };
  return {
    count,
    meanSeconds: count ? Math.round(ms / count / 100) / 10 : null,
    p50Seconds: quantile(0.5),
    p90Seconds: quantile(0.9),
  };
}
