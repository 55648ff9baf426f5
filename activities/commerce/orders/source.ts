/**
 * Order sources: platforms the buyer's orders can be fetched from at conversation time. The
 * lookup (activities/commerce/buyer-facts.ts) asks every source that handles the shop; results are
 * stored like imported orders (activities/commerce/orders/store.ts) with `syncedAt`.
 */
import type { OrderRecord } from './store.js';

export interface BuyerRef {
  channel: string;
  buyerId: string;
}

export interface OrderSource {
  /** Also the `source` of the orders it writes, e.g. 'tiktok'. */
  readonly id: 'tiktok' | 'lazada' | 'shopify';
  /** Whether this source is configured for our shop. */
  handles(shopId: string): boolean;
  /**
   * The buyer's recent orders on the platform; null when this source cannot identify the buyer
   * (another channel, or no platform id known). Throws on platform errors.
   */
  recentOrdersForBuyer(shopId: string, buyer: BuyerRef): Promise<OrderRecord[] | null>;
  /** One order by its number on the platform; null when the platform has no such order. */
  orderByNumber(shopId: string, orderNumber: string): Promise<OrderRecord | null>;
}
