/**
 * Shopify (an independent store) as an order source, through the Admin GraphQL API
 * (infra/platforms/shopify/admin-graphql.ts). Access scopes: read_orders (the order with its
 * fulfillments and trackingInfo; read_all_orders for orders older than 60 days), read_customers
 * (the phone lookup); read_fulfillments only if a store answers "Access denied" on fulfillments
 * (not verified against a real store). docs/channels/widget-and-shopify.md.
 *
 *   orders(first, query: "name:#1001")          one order by its name (what the buyer types)
 *   orders(first, query: "customer_id:123")     a verified web chat customer whose id is the Shopify customer id
 *   orders(first, query: "email:a@b.c")         a verified web chat customer whose id is an email; an email buyer
 *   customers(first: 1, query: "phone:+66…")    a WhatsApp buyer (the number WhatsApp vouches for) → customer_id
 *
 * Who the buyer is comes only from identities someone vouches for: a web chat session verified with
 * the shop's identity secret (anonymous `anon-…` ids are never looked up), the WhatsApp number, the
 * sender of an email. The orders found for a buyer are linked to them (`buyerIds[channel]`), and
 * only the ones whose customer/email really is that buyer are kept.
 */
import { ShopifyAdminClient, type ShopifyStore } from '../../../infra/platforms/shopify/admin-graphql.js';
import type { ShopifySettings } from '../../../infra/config/index.js';
import { log as defaultLog } from '../../../infra/log.js';
import { fxRates } from './fx.js';
import type { BuyerRef, OrderSource } from './source.js';
import type { OrderRecord } from './store.js';
import { mapShopifyOrder, ORDER_FIELDS, orderNumberOf, ShopifyOrderShapeError, type ShopifyOrder } from './shopify-map.js';

export const ORDERS_QUERY = `query SoraOrders($query: String!, $first: Int!) {
  orders(first: $first, query: $query, sortKey: CREATED_AT, reverse: true) { nodes { ${ORDER_FIELDS} } }
}`;
export const CUSTOMER_BY_PHONE_QUERY = `query SoraCustomerByPhone($query: String!) {
  customers(first: 1, query: $query) { nodes { id phone } }
}`;

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface ShopifyOrderSourceOptions {
  /** Our shop id → its Shopify store(s). */
  shops: Record<string, ShopifyStore[]>;
  rates?: Record<string, number>;
  /** How far back "recent" orders go (default 90 days). */
  lookbackDays?: number;
  log?: Log;
}

/** How the buyer is looked up in Shopify, or null when they cannot be identified. */
export type ShopifyBuyerKey = { customerId: string } | { email: string } | { phone: string };

const EMAIL = /^[^\s@"]+@[^\s@"]+\.[^\s@"]+$/;

/** The buyer's Shopify identity from the channel's (vouched-for) id. */
export function shopifyBuyerKey(buyer: BuyerRef): ShopifyBuyerKey | null {
  const id = buyer.buyerId.trim();
  if (buyer.channel === 'webchat') {
    if (id.startsWith('anon-')) return null; // anonymous session: nobody vouched for it
    if (/^\d{1,20}$/.test(id)) return { customerId: id };
    if (/^gid:\/\/shopify\/Customer\/\d+$/.test(id)) return { customerId: id.split('/').pop()! };
    if (EMAIL.test(id)) return { email: id.toLowerCase() };
    return null;
  }
  if (buyer.channel === 'email') return EMAIL.test(id) ? { email: id.toLowerCase() } : null;
  if (buyer.channel.startsWith('whatsapp')) {
    // whatsapp-cloud: the wa_id (digits); whatsapp (Baileys): a phone JID `digits@s.whatsapp.net` (a `@lid` hides the number).
    const m = /^\+?(\d{6,16})(?:@s\.whatsapp\.net)?$/.exec(id);
    return m ? { phone: `+${m[1]}` } : null;
  }
  return null;
}

export class ShopifyOrderSource implements OrderSource {
  readonly id = 'shopify' as const;
  private readonly rates: Record<string, number>;
  private readonly log: Log;

  constructor(
    readonly api: ShopifyAdminClient,
    private readonly o: ShopifyOrderSourceOptions,
  ) {
    this.rates = o.rates ?? fxRates();
    this.log = o.log ?? defaultLog;
  }

  handles(shopId: string): boolean {
    return (this.o.shops[shopId]?.length ?? 0) > 0;
  }

  async recentOrdersForBuyer(shopId: string, buyer: BuyerRef): Promise<OrderRecord[] | null> {
    const key = shopifyBuyerKey(buyer);
    if (!key) return null;
    const since = new Date(Date.now() - (this.o.lookbackDays ?? 90) * 86_400_000).toISOString().slice(0, 10);
    const out: OrderRecord[] = [];
    for (const store of this.o.shops[shopId] ?? []) {
      let filter: string;
      let customerId: string | null = null;
      if ('customerId' in key) filter = `customer_id:${(customerId = key.customerId)}`;
      else if ('email' in key) filter = `email:${JSON.stringify(key.email)}`;
      else {
        const c = await this.api.query<{ customers?: { nodes?: { id: string }[] } }>(store, CUSTOMER_BY_PHONE_QUERY, {
          query: `phone:${JSON.stringify(key.phone)}`,
        });
        const gid = c.customers?.nodes?.[0]?.id;
        if (!gid) continue;
        customerId = gid.split('/').pop()!;
        filter = `customer_id:${customerId}`;
      }
      const data = await this.api.query<{ orders?: { nodes?: ShopifyOrder[] } }>(store, ORDERS_QUERY, {
        query: `${filter} created_at:>=${since}`,
        first: 50,
      });
      const mine = (data.orders?.nodes ?? []).filter((o) =>
        customerId
          ? o.customer?.id?.split('/').pop() === customerId
          : 'email' in key && [o.email, o.customer?.email].some((e) => e?.toLowerCase() === key.email),
      );
      out.push(...this.mapAll(mine, { [buyer.channel]: buyer.buyerId }));
    }
    return out;
  }

  async orderByNumber(shopId: string, orderNumber: string): Promise<OrderRecord | null> {
    const n = orderNumberOf(orderNumber);
    if (!/^[\w-]{1,32}$/.test(n)) return null;
    for (const store of this.o.shops[shopId] ?? []) {
      const data = await this.api.query<{ orders?: { nodes?: ShopifyOrder[] } }>(store, ORDERS_QUERY, {
        query: `name:${JSON.stringify(`#${n}`)}`,
        first: 5,
      });
      const found = this.mapAll(
        (data.orders?.nodes ?? []).filter((o) => orderNumberOf(o.name ?? '') === n),
        {},
      );
      if (found[0]) return found[0];
    }
    return null;
  }

  private mapAll(raw: ShopifyOrder[], buyerIds: Record<string, string>): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const o of raw) {
      try {
        out.push(mapShopifyOrder(o, this.rates, buyerIds));
      } catch (e) {
        if (!(e instanceof ShopifyOrderShapeError)) throw e;
        this.log('shopify order skipped', { error: e.message });
      }
    }
    return out;
  }
}

/** The Shopify order source for the configured stores (SORA_SHOPIFY_*), or null without any. */
export function shopifyOrderSource(
  c: ShopifySettings | undefined,
  o: { timeoutMs?: number; rates?: Record<string, number>; log?: Log } = {},
): ShopifyOrderSource | null {
  if (!c || c.stores.length === 0) return null;
  const shops: Record<string, ShopifyStore[]> = {};
  for (const s of c.stores) (shops[s.shopId] ??= []).push({ domain: s.domain, accessToken: s.accessToken });
  const api = new ShopifyAdminClient({ apiVersion: c.apiVersion, apiUrl: c.apiUrl, timeoutMs: o.timeoutMs });
  return new ShopifyOrderSource(api, { shops, rates: o.rates ?? fxRates(), log: o.log });
}
