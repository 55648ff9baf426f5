/**
 * The billing estimate of one month: pure arithmetic over the price table (SORA_BILLING_TIERS,
 * infra/config/billing-plan.ts), in integer micro-dollars. Tiers are graduated: conversation number
 * n is priced by the tier whose range holds n (the first 5,000 free, the 5,001st at $0.018…).
 */
import { MICROS, type BillingPlan } from '../infra/config/billing-plan.js';

export interface TierLine {
  /** First and last conversation number of the tier (to: null = no bound). */
  from: number;
  to: number | null;
  count: number;
  unitPriceMicros: number;
  amountMicros: number;
}
export interface PriceBreakdown {
  tiers: TierLine[];
  addOn: { count: number; unitPriceMicros: number; amountMicros: number };
  totalMicros: number;
}

export function priceUsage(plan: BillingPlan, billable: number, advancedTracking: number): PriceBreakdown {
  if (!Number.isSafeInteger(billable) || billable < 0) throw new Error(`billable must be a non-negative integer, not ${billable}`);
  let lower = 0;
  const tiers = plan.tiers.map((t) => {
    const count = Math.max(0, Math.min(billable, t.upTo ?? Infinity) - lower);
    const line = { from: lower + 1, to: t.upTo, count, unitPriceMicros: t.unitPriceMicros, amountMicros: count * t.unitPriceMicros };
    lower = t.upTo ?? lower;
    return line;
  });
  const addCount = Math.min(advancedTracking, billable);
  const addOn = { count: addCount, unitPriceMicros: plan.advancedTrackingMicros, amountMicros: addCount * plan.advancedTrackingMicros };
  return { tiers, addOn, totalMicros: tiers.reduce((s, t) => s + t.amountMicros, 0) + addOn.amountMicros };
}

/** 270012000 → "270.012" (at least 2 decimals, trailing zeros beyond them dropped). */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const a = Math.abs(micros);
  const frac = String(a % MICROS)
    .padStart(6, '0')
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${sign}${Math.floor(a / MICROS)}.${frac}`;
}
