/**
 * The health page's view of this process's Prometheus metrics (infra/metrics.ts): reply latency
 * (count and p50/p95 estimated from the histogram's buckets, by linear interpolation as Prometheus'
 * histogram_quantile does) and carrier API calls (requests, errors by kind, mean latency) since the
 * process started. Not per shop (the metrics have no shop label), so only callers over every shop get it.
 */
import { carrierErrors, carrierRequests, replyLatency } from '../../infra/metrics.js';

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** The q-quantile of cumulative buckets [{le, count}] (le ascending, +Inf last), or null when empty. */
export function quantileOfBuckets(q: number, buckets: { le: number; count: number }[]): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (!total) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      // Above the last finite bucket: its bound is the best estimate (as histogram_quantile answers).
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket ? prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket : b.le;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

function histogramOf(values: Value[], name: string, by: string) {
  const groups = new Map<string, { buckets: Map<number, number>; sum: number; count: number }>();
  const group = (k: string) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { buckets: new Map(), sum: 0, count: 0 }));
    return g;
  };
  for (const v of values) {
    const g = group(String(v.labels[by] ?? ''));
    if (v.metricName === `${name}_bucket`) {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      g.buckets.set(le, (g.buckets.get(le) ?? 0) + v.value);
    } else if (v.metricName === `${name}_sum`) g.sum += v.value;
    else if (v.metricName === `${name}_count`) g.count += v.value;
  }
  return groups;
}

const round = (n: number | null, d = 3) => (n === null ? null : Math.round(n * 10 ** d) / 10 ** d);

export async function processMetricsView() {
  const [latency, carriers, errors] = await Promise.all([replyLatency.get(), carrierRequests.get(), carrierErrors.get()]);
  const byChannel = histogramOf(latency.values as Value[], 'sora_reply_latency_seconds', 'channel');
  const all = new Map<number, number>();
  for (const g of byChannel.values()) for (const [le, n] of g.buckets) all.set(le, (all.get(le) ?? 0) + n);
  const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
  const allBuckets = sorted(all);
  const channels = [...byChannel].map(([channel, g]) => {
    const b = sorted(g.buckets);
    return { channel, count: g.count, p50: round(quantileOfBuckets(0.5, b)), p95: round(quantileOfBuckets(0.95, b)) };
  });
  const carrierStats = [...histogramOf(carriers.values as Value[], 'sora_carrier_request_duration_seconds', 'carrier')].map(
    ([carrier, g]) => ({
      carrier,
      requests: g.count,
      meanSeconds: g.count ? round(g.sum / g.count) : null,
      errors: Object.fromEntries(
        (errors.values as Value[]).filter((v) => v.labels.carrier === carrier && v.value > 0).map((v) => [String(v.labels.kind), v.value]),
      ),
    }),
  );
  // Non-cumulative counts per bucket, for the distribution chart ("≤ 1 s: 40").
  const distribution = allBuckets.map((b, i) => ({
    le: Number.isFinite(b.le) ? b.le : null,
    count: b.count - (allBuckets[i - 1]?.count ?? 0),
  }));
  return {
    since: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    replyLatency: {
      count: allBuckets.at(-1)?.count ?? 0,
      p50: round(quantileOfBuckets(0.5, allBuckets)),
      p95: round(quantileOfBuckets(0.95, allBuckets)),
      byChannel: channels,
      distribution,
    },
    carriers: carrierStats,
  };
}
