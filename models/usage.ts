/**
 * Metering (docs/insights.md "Metering"): billable conversations of a shop in a calendar month of
 * the shop's time zone, and the billing estimate over the price table (SORA_BILLING_TIERS). Counted
 * in MongoDB (one $match + $group over the conversation read model, by the {shopId, openedAt}
 * index): nothing is loaded but four numbers.
 */
import { csvText } from '../infra/csv-cells.js';
import { zonedInstant } from '../infra/zoned-time.js';
import type { BillingPlan } from '../infra/config/billing-plan.js';
import { formatMicros, priceUsage } from './billing-price.js';
import { ConversationModel } from './conversation.js';
import { ShopModel } from './shop.js';

export const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Intents that mean nothing was recognised (activities/understanding/understand.ts). */
export const NO_INTENT = [null, 'unknown'];

/** The instant local midnight of the 1st of month m (1-12, may overflow into the next year) begins in tz. */
function monthStart(y: number, m: number, tz: string): Date {
  return zonedInstant(Date.UTC(y, m - 1, 1), tz);
}

/** [start, end) of the calendar month "YYYY-MM" in time zone tz. */
export function monthRange(month: string, tz: string): { start: Date; end: Date } {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`"${month}" is not a month (YYYY-MM)`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { start: monthStart(y, mo, tz), end: monthStart(y, mo + 1, tz) };
}

/** "YYYY-MM" of instant t in tz. */
export function monthOf(t: Date, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(t).map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}`;
}

export interface UsageCounts {
  conversations: number;
  billable: number;
  excluded: { timeouts: number; noIntent: number };
  advancedTracking: number;
}

/** Counts of the shop's conversations opened in [start, end), in one aggregation. */
export async function countUsage(shopId: string, start: Date, end: Date): Promise<UsageCounts> {
  const noIntent = { $in: [{ $ifNull: ['$intent', null] }, NO_INTENT] };
  const timeout = { $and: [{ $eq: ['$closeReason', 'idle'] }, { $ne: ['$resolved', true] }] };
  const [row] = await ConversationModel.aggregate<{ n: number; noIntent: number; timeouts: number; advanced: number }>([
    { $match: { shopId, openedAt: { $gte: start, $lt: end } } },
    {
      $project: {
        noIntent: { $cond: [noIntent, 1, 0] },
        timeout: { $cond: [{ $and: [{ $not: [noIntent] }, timeout] }, 1, 0] },
        advanced: { $cond: [{ $and: [{ $not: [noIntent] }, { $not: [timeout] }, { $eq: ['$advancedTracking', true] }] }, 1, 0] },
      },
    },
    {
      $group: {
        _id: null,
        n: { $sum: 1 },
        noIntent: { $sum: '$noIntent' },
        timeouts: { $sum: '$timeout' },
        advanced: { $sum: '$advanced' },
      },
    },
  ]);
  const n = row?.n ?? 0;
  const excluded = { timeouts: row?.timeouts ?? 0, noIntent: row?.noIntent ?? 0 };
  return { conversations: n, billable: n - excluded.timeouts - excluded.noIntent, excluded, advancedTracking: row?.advanced ?? 0 };
}

const money = (plan: BillingPlan, billable: number, advanced: number) => {
  const p = priceUsage(plan, billable, advanced);
  return {
    tiers: p.tiers.map((t) => ({
      from: t.from,
      to: t.to,
      count: t.count,
      unitPrice: formatMicros(t.unitPriceMicros),
      amount: formatMicros(t.amountMicros),
    })),
    addOn: { count: p.addOn.count, unitPrice: formatMicros(p.addOn.unitPriceMicros), amount: formatMicros(p.addOn.amountMicros) },
    total: formatMicros(p.totalMicros),
  };
};

export type UsageReport = Awaited<ReturnType<typeof usageReport>>;

/**
 * The usage and billing estimate of a shop's month; null for an unknown shop. Amounts are USD
 * decimal strings (exact). `runningEstimate` (the current month only): the month so far projected
 * to its end at the same pace.
 */
export async function usageReport(shopId: string, month: string, plan: BillingPlan, now = new Date()) {
  const shop = await ShopModel.findOne({ shopId }, { timeZone: 1 }).lean();
  if (!shop) return null;
  const timeZone = shop.timeZone || 'UTC';
  const { start, end } = monthRange(month, timeZone);
  const counts = await countUsage(shopId, start, end);
  let runningEstimate = null;
  if (now >= start && now < end) {
    const share = (now.getTime() - start.getTime()) / (end.getTime() - start.getTime());
    const billable = Math.round(counts.billable / share);
    const advancedTracking = Math.round(counts.advancedTracking / share);
    runningEstimate = { asOf: now.toISOString(), billable, advancedTracking, total: money(plan, billable, advancedTracking).total };
  }
  return {
    shopId,
    month,
    timeZone,
    from: start.toISOString(),
    to: end.toISOString(),
    ...counts,
    ...money(plan, counts.billable, counts.advancedTracking),
    currency: plan.currency,
    runningEstimate,
  };
}

/** The report as CSV: one row per tier, the add-on and the total. */
export function usageCsv(r: NonNullable<UsageReport>): string {
  const rows = [['shop', 'month', 'time_zone', 'line', 'from', 'to', 'count', 'unit_price', 'amount', 'currency']];
  const base = [r.shopId, r.month, r.timeZone];
  for (const t of r.tiers)
    rows.push([...base, 'tier', String(t.from), t.to === null ? '' : String(t.to), String(t.count), t.unitPrice, t.amount, r.currency]);
  rows.push([...base, 'advanced_tracking', '', '', String(r.addOn.count), r.addOn.unitPrice, r.addOn.amount, r.currency]);
  rows.push([...base, 'total', '', '', String(r.billable), '', r.total, r.currency]);
  rows.push([...base, 'excluded_timeouts', '', '', String(r.excluded.timeouts), '', '', '']);
  rows.push([...base, 'excluded_no_intent', '', '', String(r.excluded.noIntent), '', '', '']);
  return csvText(rows);
}
