/** The billing estimate's arithmetic at the tier boundaries, with hand-computed amounts (micro-dollars). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BILLING_TIERS, parseBillingPlan } from '../infra/config/billing-plan.js';
import { formatMicros, priceUsage } from '../models/billing-price.js';

const plan = parseBillingPlan(DEFAULT_BILLING_TIERS);

describe('priceUsage (default table: 5,000 free, 5,001–20,000 at $0.018, above at $0.012, +$0.005 tracking)', () => {
  it('the default table parses to micro-dollars', () => {
    expect(plan).toEqual({
      tiers: [
        { upTo: 5000, unitPriceMicros: 0 },
        { upTo: 20000, unitPriceMicros: 18_000 },
        { upTo: null, unitPriceMicros: 12_000 },
      ],
      advancedTrackingMicros: 5_000,
      currency: 'USD',
    });
  });

  it.each([
    // billable, total micro-dollars: hand computed
    [0, 0],
    [5000, 0], // all free
    [5001, 18_000], // 1 × $0.018
    [20000, 270_000_000], // 15,000 × $0.018 = $270
    [20001, 270_012_000], // $270 + 1 × $0.012
    [25000, 330_000_000], // $270 + 5,000 × $0.012 = $330
  ])('%i billable conversations cost %i µ$', (billable, total) => {
    expect(priceUsage(plan, billable, 0).totalMicros).toBe(total);
  });

  it('tier lines at 20,001', () => {
    expect(priceUsage(plan, 20001, 0).tiers).toEqual([
      { from: 1, to: 5000, count: 5000, unitPriceMicros: 0, amountMicros: 0 },
      { from: 5001, to: 20000, count: 15000, unitPriceMicros: 18_000, amountMicros: 270_000_000 },
      { from: 20001, to: null, count: 1, unitPriceMicros: 12_000, amountMicros: 12_000 },
    ]);
    expect(priceUsage(plan, 5000, 0).tiers.map((t) => t.count)).toEqual([5000, 0, 0]);
    expect(priceUsage(plan, 5001, 0).tiers.map((t) => t.count)).toEqual([5000, 1, 0]);
  });

  it('the logistics add-on applies to every billable conversation that used carrier tracking, free tier included', () => {
    // 3,000 billable (free), 120 with carrier tracking: 120 × $0.005 = $0.60
    expect(priceUsage(plan, 3000, 120)).toMatchObject({ addOn: { count: 120, amountMicros: 600_000 }, totalMicros: 600_000 });
    // 20,001 billable, 1,000 tracked: $270.012 + $5 = $275.012
    expect(priceUsage(plan, 20001, 1000).totalMicros).toBe(275_012_000);
    expect(formatMicros(275_012_000)).toBe('275.012');
    expect(formatMicros(600_000)).toBe('0.60');
    expect(formatMicros(0)).toBe('0.00');
  });

  it('a custom table and bad tables', () => {
    const p = parseBillingPlan('100:0,*:1.5');
    expect(priceUsage(p, 102, 7).totalMicros).toBe(3_000_000);
    expect(p.advancedTrackingMicros).toBe(0);
    expect(() => parseBillingPlan('100:0,50:1,*:2')).toThrow(/increase/);
    expect(() => parseBillingPlan('100:0')).toThrow(/unbounded/);
    expect(() => parseBillingPlan('*:0,100:1')).toThrow(/only the last/);
    expect(() => parseBillingPlan('100:abc,*:1')).toThrow(/UP_TO:PRICE/);
    expect(() => parseBillingPlan('100:0.0000001,*:1')).toThrow(/6 decimals/);
    expect(() => parseBillingPlan('*:1;tracking:x')).toThrow(/tracking:PRICE/);
  });
});
