/**
 * Lazada as an order source, through the Lazada Open Platform client the lazada channel uses too
 * (same signing, tokens and refresh: infra/platforms/lazada/open-api.ts).
 *
 *   GetOrders       GET /orders/get        created_after (ISO 8601), sort_by, sort_direction, offset, limit (≤ 100)
 *                                          → data {count, orders[]}
 *   GetOrder        GET /order/get         order_id → data {order}
 *   GetOrderItems   GET /order/items/get   order_id → data [items]
 *   GetMultipleOrderItems GET /orders/items/get  order_ids ("[1,2]", ≤ 50) → data [{order_id, order_items[]}]
 *
 * Lazada Chat knows the buyer by user id; orders and their items carry `buyer_id`. Orders cannot be
 * searched by buyer: the recent orders of the seller are read and the buyer's kept.
 */
import type { LazadaSettings } from '../../../infra/config/index.js';
import { log as defaultLog } from '../../../infra/log.js';
import { LazadaApiClient, LazadaApiError } from '../../../infra/platforms/lazada/open-api.js';
import type { SecretBox } from '../../../infra/secrets/index.js';
import { BuyerModel } from '../../../models/buyer.js';
import { createLazadaTokenStore } from '../../../models/lazada-token.js';
import { fxRates } from './fx.js';
import { lazadaBuyerOf, LazadaOrderShapeError, mapLazadaOrder, type LazadaOrder, type LazadaOrderItem } from './lazada-map.js';
import type { BuyerRef, OrderSource } from './source.js';
import type { OrderRecord } from './store.js';

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface LazadaOrderSourceOptions {
  /** Our shop id → the Lazada seller ids it sells through. */
  shops: Record<string, string[]>;
  rates?: Record<string, number>;
  /** How far back "recent" orders go (default 90 days). */
  lookbackDays?: number;
  /** Orders read per page (default 100) and pages (default 2). */
  pageSize?: number;
  maxPages?: number;
  log?: Log;
}

export class LazadaOrderSource implements OrderSource {
  readonly id = 'lazada' as const;
  private readonly rates: Record<string, number>;
  private readonly log: Log;

  constructor(
    readonly api: LazadaApiClient,
    private readonly o: LazadaOrderSourceOptions,
  ) {
    this.rates = o.rates ?? fxRates();
    this.log = o.log ?? defaultLog;
  }

  handles(shopId: string): boolean {
    return (this.o.shops[shopId]?.length ?? 0) > 0;
  }

  async recentOrdersForBuyer(shopId: string, buyer: BuyerRef): Promise<OrderRecord[] | null> {
    if (buyer.channel !== 'lazada') return null;
    const b = await BuyerModel.findOne({ shopId, channel: 'lazada', buyerId: buyer.buyerId }, { replyTo: 1 }).lean();
    const replyTo = (b?.replyTo ?? {}) as { sellerId?: string };
    const sellers = this.o.shops[shopId] ?? [];
    const sellerId = replyTo.sellerId ?? (sellers.length === 1 ? sellers[0] : undefined);
    if (!sellerId) return null;
    const since = new Date(Date.now() - (this.o.lookbackDays ?? 90) * 86_400_000).toISOString();
    const limit = this.o.pageSize ?? 100;
    const orders: LazadaOrder[] = [];
    for (let page = 0; page < (this.o.maxPages ?? 2); page++) {
      const data = await this.api.call<{ count?: number; orders?: LazadaOrder[] }>(sellerId, 'GET', '/orders/get', {
        created_after: since,
        sort_by: 'created_at',
        sort_direction: 'DESC',
        offset: page * limit,
        limit,
      });
      orders.push(...(data?.orders ?? []));
      if ((data?.orders?.length ?? 0) < limit) break;
    }
    const items = await this.itemsOf(
      sellerId,
      orders.map((o) => String(o.order_id)),
    );
    const country = (await this.api.tokenFor(sellerId)).country;
    const out: OrderRecord[] = [];
    for (const o of orders) {
      const its = items.get(String(o.order_id)) ?? [];
      if (lazadaBuyerOf(o, its) !== buyer.buyerId) continue;
      const r = this.map(o, its, country, { lazada: buyer.buyerId });
      if (r) out.push(r);
    }
    return out;
  }

  async orderByNumber(shopId: string, orderNumber: string): Promise<OrderRecord | null> {
    if (!/^\d{6,32}$/.test(orderNumber)) return null; // Lazada order numbers are numeric
    for (const sellerId of this.o.shops[shopId] ?? []) {
      let order: LazadaOrder | undefined;
      try {
        order = await this.api.call<LazadaOrder>(sellerId, 'GET', '/order/get', { order_id: orderNumber });
      } catch (e) {
        // Another seller's order, or none: Lazada refuses the id (an "invalid" refusal, not a failure).
        if (e instanceof LazadaApiError && e.kind === 'invalid') continue;
        throw e;
      }
      if (!order || order.order_id === undefined) continue;
      const items = await this.api.call<LazadaOrderItem[]>(sellerId, 'GET', '/order/items/get', { order_id: String(order.order_id) });
      const r = this.map(order, items ?? [], (await this.api.tokenFor(sellerId)).country, {});
      if (r) return r;
    }
    return null;
  }

  /** Items of many orders, 50 ids a call (GetMultipleOrderItems). */
  private async itemsOf(sellerId: string, ids: string[]): Promise<Map<string, LazadaOrderItem[]>> {
    const out = new Map<string, LazadaOrderItem[]>();
    for (let i = 0; i < ids.length; i += 50) {
      const batch = ids.slice(i, i + 50);
      const data = await this.api.call<{ order_id: string | number; order_items?: LazadaOrderItem[] }[]>(
        sellerId,
        'GET',
        '/orders/items/get',
        {
          order_ids: `[${batch.join(',')}]`,
        },
      );
      for (const o of data ?? []) out.set(String(o.order_id), o.order_items ?? []);
    }
    return out;
  }

  private map(o: LazadaOrder, items: LazadaOrderItem[], country: string | null, buyerIds: Record<string, string>): OrderRecord | null {
    try {
      return mapLazadaOrder(o, items, this.rates, { sellerCountry: country, buyerIds });
    } catch (e) {
      if (!(e instanceof LazadaOrderShapeError)) throw e;
      this.log('lazada order skipped', { error: e.message });
      return null;
    }
  }
}

/**
 * The Lazada order source for the Lazada app's settings (config.lazada: set when the channel is
 * enabled or SORA_LAZADA_APP_KEY, SORA_LAZADA_APP_SECRET and SORA_LAZADA_SELLERS are all set), or
 * null without them. `secrets` opens the stored seller tokens.
 */
export function lazadaOrderSource(
  c: LazadaSettings | undefined,
  o: { timeoutMs?: number; rates?: Record<string, number>; log?: Log; secrets: SecretBox },
): LazadaOrderSource | null {
  if (!c || Object.keys(c.sellers).length === 0) return null;
  const shops: Record<string, string[]> = {};
  for (const [sellerId, shopId] of Object.entries(c.sellers)) (shops[shopId] ??= []).push(sellerId);
  const api = new LazadaApiClient({
    appKey: c.appKey,
    appSecret: c.appSecret,
    tokens: createLazadaTokenStore(o.secrets),
    apiUrl: c.apiUrl,
    authUrl: c.authUrl,
    countries: c.countries,
    timeoutMs: o.timeoutMs,
    log: o.log,
  });
  return new LazadaOrderSource(api, { shops, rates: o.rates ?? fxRates(), log: o.log });
}
