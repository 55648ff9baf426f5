/**
 * Facts about the buyer's orders for routing and the order-value handoff rule. When an order
 * source (TikTok Shop) is configured for the shop, the stored orders are refreshed from it first
 * (activities/commerce/orders/sync.ts); if that fails or times out the stored orders are used and
 * the log says why.
 */
import { factEvents } from '../insights/fact-events.js';
import { BuyerModel } from '../../models/buyer.js';
import { OrderModel } from '../../models/order.js';
import { log as defaultLog } from '../../infra/log.js';
import type { OrderSource } from './orders/source.js';
import { isLinkedTo, mayDisclose, type AskingBuyer, type OrderOwnership } from './order-access.js';
import { DEFAULT_SYNC_SETTINGS, syncOrders, type SyncSettings } from './orders/sync.js';

export interface BuyerFactsInput {
  shopId: string;
  channel: string;
  buyerId: string;
  orderNumbers: string[];
  /** Order ids from order cards the buyer sent (TikTok ORDER_CARD): matched on the order number or the platform id. */
  orderRefs?: string[];
  /**
   * Only this buyer's orders (activities/commerce/order-access.ts), set by conversation runs patched
   * with `order-privacy`. Without it (older runs, tools) every order named is returned, as before.
   */
  ownOrdersOnly?: boolean;
  /** Tracking numbers the buyer typed (with ownOrdersOnly: those of another buyer's order are reported in `unavailable`). */
  trackingNumbers?: string[];
}

/** One order as the conversation sees it (core v2 decides from these). */
export interface OrderFact {
  orderNumber: string;
  externalId: string | null;
  totalUsd: number;
  country: string | null;
  status: string;
  /** ISO time. */
  placedAt: string;
  shipments: Array<{ carrier: string | null; trackingNumber: string }>;
  skus: string[];
  /** The order is linked to this buyer (not only named by number). */
  linked: boolean;
}

export interface BuyerFacts {
  /** Highest order value (USD) among the orders mentioned or linked to this buyer; null = none. */
  orderValueUsd: number | null;
  ordersFound: string[];
  /** What the platform sync did: 'off' (no source for the shop), 'fresh' (nothing stale), 'synced', 'failed'. */
  sync?: 'off' | 'fresh' | 'synced' | 'failed';
  /** The orders named or linked to this buyer, newest first (at most 20). */
  orders?: OrderFact[];
  /**
   * With ownOrdersOnly: what the buyer asked about that the bot must not answer with order data.
   * `orderNumbers`: named numbers (or card refs) that are no order of this buyer — unknown or
   * another buyer's, deliberately not told apart. `trackingNumbers`: typed numbers that are a parcel
   * of another buyer's order (a number no stored order has is not listed: the carrier's public
   * tracking may answer it).
   */
  unavailable?: { orderNumbers: string[]; trackingNumbers: string[] };
}

const ORDERS_KEPT = 20;

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
    const linkKey = `buyerIds.${input.channel}`;
    const or: object[] = [{ [linkKey]: input.buyerId }];
    if (input.orderNumbers.length > 0) or.push({ orderNumber: { $in: input.orderNumbers } });
    if (input.orderRefs?.length) or.push({ orderNumber: { $in: input.orderRefs } }, { externalId: { $in: input.orderRefs } });
    const typed = input.ownOrdersOnly ? (input.trackingNumbers ?? []) : [];
    const buyer: AskingBuyer = { channel: input.channel, buyerId: input.buyerId };
    if (input.ownOrdersOnly && input.channel === 'tiktok') {
      const b = await BuyerModel.findOne(
        { shopId: input.shopId, channel: input.channel, buyerId: input.buyerId },
        { platformUserId: 1 },
      ).lean();
      buyer.platformUserId = b?.platformUserId ?? null;
      if (buyer.platformUserId) or.push({ platformBuyerId: buyer.platformUserId });
    }
    if (typed.length) or.push({ 'shipments.trackingNumber': { $in: typed } });
    let orders = await OrderModel.find(
      { shopId: input.shopId, $or: or },
      {
        orderNumber: 1,
        externalId: 1,
        totalUsd: 1,
        country: 1,
        status: 1,
        placedAt: 1,
        shipments: 1,
        items: 1,
        buyerIds: 1,
        platformBuyerId: 1,
        source: 1,
      },
    )
      .sort({ placedAt: -1 })
      .limit(ORDERS_KEPT + input.orderNumbers.length + (input.orderRefs?.length ?? 0) + typed.length)
      .lean();
    let unavailable: BuyerFacts['unavailable'];
    if (input.ownOrdersOnly) {
      const refs = new Set(input.orderRefs ?? []);
      const owned = orders.filter((o) =>
        mayDisclose(o as OrderOwnership, buyer, { viaOrderCard: refs.has(o.orderNumber) || (!!o.externalId && refs.has(o.externalId)) }),
      );
      const others = orders.filter((o) => !owned.includes(o));
      const shown = new Set(owned.flatMap((o) => [o.orderNumber, o.externalId]));
      unavailable = {
        orderNumbers: [...input.orderNumbers, ...(input.orderRefs ?? [])].filter((n) => !shown.has(n)),
        trackingNumbers: typed.filter(
          (n) =>
            others.some((o) => o.shipments?.some((p) => p.trackingNumber === n)) &&
            !owned.some((o) => o.shipments?.some((p) => p.trackingNumber === n)),
        ),
      };
      if (others.length)
        log('orders of another buyer left out of the facts', { shopId: input.shopId, channel: input.channel, count: others.length });
      orders = owned;
    }
    // Service events (issue 17): each order the buyer named, found among theirs or not.
    factEvents(
      input.shopId,
      input.orderNumbers.map((n) => {
        const o = orders.find((x) => x.orderNumber === n || x.externalId === n);
        return { kind: 'order' as const, ref: n, found: !!o, status: o?.status ?? null };
      }),
    );
    if (orders.length === 0) return { orderValueUsd: null, ordersFound: [], sync, orders: [], ...(unavailable ? { unavailable } : {}) };
    return {
      orderValueUsd: Math.max(...orders.map((o) => o.totalUsd)),
      ordersFound: orders.map((o) => o.orderNumber),
      sync,
      orders: orders.map((o) => ({
        orderNumber: o.orderNumber,
        externalId: o.externalId ?? null,
        totalUsd: o.totalUsd,
        country: o.country ?? null,
        status: o.status,
        placedAt: new Date(o.placedAt).toISOString(),
        shipments: (o.shipments ?? []).map((p) => ({ carrier: p.carrier ?? null, trackingNumber: p.trackingNumber })),
        skus: (o.items ?? []).map((i) => i.sku),
        linked: input.ownOrdersOnly
          ? isLinkedTo(o as OrderOwnership, buyer)
          : (o.buyerIds as unknown as Record<string, string> | undefined)?.[input.channel] === input.buyerId,
      })),
      ...(unavailable ? { unavailable } : {}),
    };
  };
}

/** Stored orders only (no platform sync). */
export const lookupBuyerFacts = makeLookupBuyerFacts([]);
