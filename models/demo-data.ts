/**
 * Whether a shop's report period contains the synthetic demo month (scripts/demo/demo-month.ts), so
 * reports and usage can say `demo: true` and the desk shows a "Demo data" banner. The seeded days
 * are kept on the shop (`demoMonth`); one small read.
 */
import { ShopModel } from './shop.js';

/** The demo month's days [from, to] (YYYY-MM-DD, the shop's time zone), or null when none was seeded. */
export async function demoMonthOf(shopId: string): Promise<{ from: string; to: string } | null> {
  const shop = await ShopModel.findOne({ shopId }, { demoMonth: 1 }).lean();
  const d = shop?.demoMonth;
  return d?.from && d?.to ? { from: d.from, to: d.to } : null;
}

/** Does the period [from, to] (days, inclusive) overlap the shop's demo month? */
export async function hasDemoData(shopId: string, from: string, to: string): Promise<boolean> {
  const d = await demoMonthOf(shopId);
  return !!d && d.from <= to && from <= d.to;
}

/** Does the calendar month "YYYY-MM" overlap the shop's demo month? */
export async function hasDemoDataInMonth(shopId: string, month: string): Promise<boolean> {
  return hasDemoData(shopId, `${month}-01`, `${month}-31`);
}
