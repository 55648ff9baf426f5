/**
 * Facts about the buyer's orders for routing and the order-value handoff rule. When an order
 * source (TikTok Shop) is configured for the shop, the stored orders are refreshed from it first
 * (activities/commerce/orders/sync.ts); if that fails or times out the stored orders are used and
 * the log says why.
 */
import { OrderModel } from '../../models/order.js';
import { log as defaultLog } from '../../scripts/log.js';
import type { OrderSource } from './orders/source.js';
import { DEFAULT_SYNC_SETTINGS, syncOrders, type SyncSettings } from './orders/sync.js';

export interface BuyerFactsInput {
  shopId: string;
  channel: string;
  buyerId: string;
  orderNumbers: string[];
}

export interface BuyerFacts {
  /** Highest order value (USD) among the orders mentioned or linked to this buyer; null = none. */
  orderValueUsd: number | null;
  ordersFound: string[];
  /** What the platform sync did: 'off' (no source for the shop), 'fresh' (nothing stale), 'synced', 'failed'. */
  sync?: 'off' | 'fresh' | 'synced' | 'failed';
}

export function makeLookupBuyerFacts(
  sources: OrderSource[] = [],
  settings: SyncSettings = DEFAULT_SYNC_SETTINGS,
  log: (msg: string, fields?: Record<string, unknown>) => void = defaultLog,
) {
  return async function lookupBuyerFacts(input: BuyerFactsInput): Promise<BuyerFacts> {
    let sync: BuyerFacts['sync'] = 'off';
    if (sources.some((s) => s.handles(input.shopId))) {
      try {
        const r = await syncOrders(sources, input, settings);
        sync = r.fetched.length ? 'synced' : 'fresh';
        if (r.fetched.length)
          log('orders synced', {
            shopId: input.shopId,
            buyerId: input.buyerId,
            fetched: r.fetched,
            created: r.created,
            updated: r.updated,
          });
      } catch (e) {
        sync = 'failed';
        log('order sync failed; using stored orders', {
          shopId: input.shopId,
          channel: input.channel,
          buyerId: input.buyerId,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    const or: object[] = [{ [`buyerIds.${input.channel}`]: input.buyerId }];
    if (input.orderNumbers.length > 0) or.push({ orderNumber: { $in: input.orderNumbers } });
    const orders = await OrderModel.find({ shopId: input.shopId, $or: or }, { orderNumber: 1, totalUsd: 1 }).lean();
    if (orders.length === 0) return { orderValueUsd: null, ordersFound: [], sync };
    return { orderValueUsd: Math.max(...orders.map((o) => o.totalUsd)), ordersFound: orders.map((o) => o.orderNumber), sync };
  };
}

/** Stored orders only (no platform sync). */
export const lookupBuyerFacts = makeLookupBuyerFacts([]);
