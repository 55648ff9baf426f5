/**
 * The billing price table (SORA_BILLING_TIERS): graduated tiers of billable conversations per shop
 * per calendar month, plus an add-on per billable conversation that used advanced logistics tracking
 * (a carrier's own API, not the aggregator). Prices are kept in integer micro-dollars (1 USD =
 * 1,000,000) so sums never carry float error. The compact form:
 *
 *   `5000:0,20000:0.018,*:0.012;tracking:0.005`
 *
 * = the first 5,000 free, conversations 5,001–20,000 at $0.018, above 20,000 at $0.012, plus $0.005
 * per conversation with advanced tracking. Each tier is `UP_TO:PRICE` (cumulative upper bound,
 * increasing), the last one `*:PRICE` (no bound); prices in USD with at most 6 decimals.
 */
export interface BillingTier {
  /** Inclusive upper bound (conversation number), null = no bound. */
  upTo: number | null;
  unitPriceMicros: number;
}
export interface BillingPlan {
  tiers: BillingTier[];
  advancedTrackingMicros: number;
  currency: 'USD';
}

export const DEFAULT_BILLING_TIERS = '5000:0,20000:0.018,*:0.012;tracking:0.005';

export const MICROS = 1_000_000;

/** "0.018" → 18000 micro-dollars; null when not a non-negative price with at most 6 decimals. */
export function priceToMicros(s: string): number | null {
  if (!/^\d+(\.\d{1,6})?$/.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  const micros = Number(whole) * MICROS + Number(frac.padEnd(6, '0'));
  return Number.isSafeInteger(micros) ? micros : null;
}

/** Parse the compact form; throws an Error naming the bad part. */
export function parseBillingPlan(raw: string): BillingPlan {
  const [tierPart = '', ...rest] = raw.trim().split(';');
  if (rest.length > 1) throw new Error(`"${raw}": expected TIERS[;tracking:PRICE] (e.g. ${DEFAULT_BILLING_TIERS})`);
  const tiers: BillingTier[] = [];
  const parts = tierPart
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) throw new Error(`"${raw}": no tiers (e.g. ${DEFAULT_BILLING_TIERS})`);
  parts.forEach((part, i) => {
    const m = /^(\*|\d+):(.+)$/.exec(part);
    const price = m ? priceToMicros(m[2]!) : null;
    if (!m || price === null) throw new Error(`"${part}" is not UP_TO:PRICE (e.g. 5000:0 or *:0.012, at most 6 decimals)`);
    const last = i === parts.length - 1;
    if (m[1] === '*' && !last) throw new Error(`"${part}": only the last tier may be unbounded (*)`);
    if (m[1] !== '*' && last) throw new Error(`"${part}": the last tier must be unbounded (*:PRICE)`);
    const upTo = m[1] === '*' ? null : Number(m[1]);
    const prev = tiers[tiers.length - 1]?.upTo ?? 0;
    if (upTo !== null && (upTo <= prev || !Number.isSafeInteger(upTo))) throw new Error(`"${part}": tier bounds must increase`);
    tiers.push({ upTo, unitPriceMicros: price });
  });
  let advancedTrackingMicros = 0;
  if (rest[0] !== undefined) {
    const m = /^\s*tracking:(.+?)\s*$/.exec(rest[0]);
    const price = m ? priceToMicros(m[1]!) : null;
    if (price === null) throw new Error(`"${rest[0]}" is not tracking:PRICE (e.g. tracking:0.005)`);
    advancedTrackingMicros = price;
  }
  return { tiers, advancedTrackingMicros, currency: 'USD' };
}
