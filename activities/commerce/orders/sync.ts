/**
 * Refreshing stored orders from the platforms before the order facts are read.
 *
 * For each source that handles the shop: the buyer's recent orders when the last fetch for this
 * buyer is older than `maxAgeMs` (SORA_ORDER_SYNC_MAX_AGE_MIN, default 10), and each order number
 * the buyer mentioned that is not stored yet (or is a stale copy from that source). The whole sync
 * is bounded by `timeoutMs` (SORA_ORDER_SYNC_TIMEOUT_MS, default 8000); the caller falls back to
 * the stored orders when it fails or times out.
 */
import { BuyerModel } from '../../../models/buyer.js';
import { OrderModel } from '../../../models/order.js';
import type { OrderSource } from './source.js';
import { upsertOrder } from './store.js';

export interface SyncSettings {
  maxAgeMs: number;
  timeoutMs: number;
}

/** The defaults; the configured values are config.orders.sync. */
export const DEFAULT_SYNC_SETTINGS: SyncSettings = { maxAgeMs: 10 * 60_000, timeoutMs: 8000 };

export interface SyncInput {
  shopId: string;
  channel: string;
  buyerId: string;
  orderNumbers: string[];
}

export interface SyncReport {
  /** Sources asked (nothing was stale: empty). */
  fetched: string[];
  created: number;
  updated: number;
  unchanged: number;
}

export class OrderSyncTimeout extends Error {
  constructor(ms: number) {
    super(`order sync took longer than ${ms} ms`);
    this.name = 'OrderSyncTimeout';
  }
}

async function runSync(sources: OrderSource[], input: SyncInput, s: SyncSettings): Promise<SyncReport> {
  const report: SyncReport = { fetched: [], created: 0, updated: 0, unchanged: 0 };
  const now = new Date();
  const fresh = (at: Date | null | undefined) => !!at && now.getTime() - at.getTime() < s.maxAgeMs;
  for (const source of sources.filter((x) => x.handles(input.shopId))) {
    const buyer = await BuyerModel.findOne(
      { shopId: input.shopId, channel: input.channel, buyerId: input.buyerId },
      { ordersSyncedAt: 1, ordersSyncedBy: 1 },
    ).lean();
    // Per source (a source that could not identify the buyer does not stand for the others); a
    // buyer synced before per-source times were kept falls back to the one time.
    const by = buyer?.ordersSyncedBy as Record<string, Date> | Map<string, Date> | undefined;
    const syncedAt = by ? (by instanceof Map ? by.get(source.id) : by[source.id]) : buyer?.ordersSyncedAt;
    if (!fresh(syncedAt)) {
      const orders = await source.recentOrdersForBuyer(input.shopId, { channel: input.channel, buyerId: input.buyerId });
      if (orders) {
        report.fetched.push(`${source.id}:buyer`);
        for (const o of orders) report[await upsertOrder(input.shopId, o, { syncedAt: now })]++;
      }
      // Also when the source could not identify the buyer: do not ask again on every message.
      await BuyerModel.updateOne(
        { shopId: input.shopId, channel: input.channel, buyerId: input.buyerId },
        { $set: { ordersSyncedAt: now, [`ordersSyncedBy.${source.id}`]: now }, $setOnInsert: { firstSeenAt: now, lastSeenAt: now } },
        { upsert: true },
      );
    }
    for (const n of input.orderNumbers) {
      const stored = await OrderModel.findOne({ shopId: input.shopId, orderNumber: n }, { source: 1, syncedAt: 1 }).lean();
      if (stored && (stored.source !== source.id || fresh(stored.syncedAt))) continue;
      const order = await source.orderByNumber(input.shopId, n);
      report.fetched.push(`${source.id}:${n}`);
      if (order) report[await upsertOrder(input.shopId, order, { syncedAt: now })]++;
    }
  }
  return report;
}

/** runSync bounded by the timeout (the platform calls carry their own timeouts as well). */
export async function syncOrders(sources: OrderSource[], input: SyncInput, s: SyncSettings): Promise<SyncReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OrderSyncTimeout(s.timeoutMs)), s.timeoutMs);
  });
  const work = runSync(sources, input, s);
  work.catch(() => {}); // a late failure after a timeout is not unhandled
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
