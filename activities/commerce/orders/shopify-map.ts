/**
 * Shopify order (Admin GraphQL API 2025-01, `Order` object, the fields ORDER_FIELDS asks for) → our
 * order record. Field meanings from shopify.dev (GraphQL Admin API reference: Order, LineItem,
 * Fulfillment, FulfillmentTrackingInfo, MoneyBag); fixture and sources: test/fixtures/shopify/README.md.
 *
 * - orderNumber = `name` without its leading `#` ("#1001" → "1001", what a buyer types after "#");
 *   externalId = the order's GID (`gid://shopify/Order/…`).
 * - items: `lineItems.nodes[]` (sku, else the variant id; name; quantity; unit price =
 *   `discountedUnitPriceAfterAllDiscountsSet.shopMoney`, else `originalUnitPriceSet.shopMoney`).
 * - total = `totalPriceSet.shopMoney` (the shop's currency), totalUsd via the FX table.
 * - status from `cancelledAt`, `displayFinancialStatus`, `displayFulfillmentStatus` and the
 *   fulfillments' `displayStatus` (see shopifyStatus).
 * - parcels: every fulfillment's `trackingInfo[]` {number, company}.
 * - country = `shippingAddress.countryCodeV2`; platformBuyerId = the customer's GID.
 */
import type { OrderStatus } from '../../../models/order.js';
import { toUsd } from './fx.js';
import type { OrderRecord } from './store.js';

export interface ShopifyMoney {
  shopMoney?: { amount?: string; currencyCode?: string };
}

export interface ShopifyLineItem {
  sku?: string | null;
  name?: string | null;
  title?: string | null;
  quantity?: number;
  variant?: { id?: string } | null;
  originalUnitPriceSet?: ShopifyMoney | null;
  discountedUnitPriceAfterAllDiscountsSet?: ShopifyMoney | null;
}

export interface ShopifyFulfillment {
  status?: string | null;
  displayStatus?: string | null;
  trackingInfo?: { number?: string | null; company?: string | null; url?: string | null }[];
}

export interface ShopifyOrder {
  id: string;
  name?: string;
  createdAt?: string;
  email?: string | null;
  phone?: string | null;
  cancelledAt?: string | null;
  displayFinancialStatus?: string | null;
  displayFulfillmentStatus?: string | null;
  totalPriceSet?: ShopifyMoney | null;
  customer?: { id?: string; email?: string | null; phone?: string | null } | null;
  shippingAddress?: { countryCodeV2?: string | null } | null;
  lineItems?: { nodes?: ShopifyLineItem[] };
  fulfillments?: ShopifyFulfillment[];
}

/** The Order fields every query of the source asks for (one fragment, one mapping). */
export const ORDER_FIELDS = `
  id name createdAt email phone cancelledAt
  displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  customer { id email phone }
  shippingAddress { countryCodeV2 }
  lineItems(first: 50) { nodes { sku name title quantity variant { id }
    originalUnitPriceSet { shopMoney { amount currencyCode } }
    discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount currencyCode } } } }
  fulfillments(first: 20) { status displayStatus trackingInfo(first: 10) { number company url } }
`;

export class ShopifyOrderShapeError extends Error {
  constructor(orderId: string, message: string) {
    super(`Shopify order ${orderId}: ${message}`);
    this.name = 'ShopifyOrderShapeError';
  }
}

const money = (s: string | undefined): number | null => {
  if (s === undefined || s === null || String(s).trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** Fulfillment display statuses that mean the parcel is on its way / arrived. */
const MOVING = new Set(['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'ATTEMPTED_DELIVERY', 'CONFIRMED', 'LABEL_PRINTED', 'LABEL_PURCHASED']);
const ARRIVED = new Set(['DELIVERED', 'PICKED_UP']);

/**
 * Our status: cancelled (cancelledAt), refunded (REFUNDED), unpaid (PENDING, EXPIRED, VOIDED,
 * PARTIALLY_PAID); then from the fulfillments: delivered (every live one DELIVERED/PICKED_UP),
 * in_transit (one moving), shipped (FULFILLED), partially_shipped (PARTIALLY_FULFILLED), on_hold
 * (ON_HOLD), awaiting_shipment (UNFULFILLED and other open states); otherwise paid.
 */
export function shopifyStatus(o: ShopifyOrder): OrderStatus {
  if (o.cancelledAt) return 'cancelled';
  const fin = o.displayFinancialStatus ?? '';
  if (fin === 'REFUNDED') return 'refunded';
  if (['PENDING', 'EXPIRED', 'VOIDED', 'PARTIALLY_PAID'].includes(fin)) return 'unpaid';
  const live = (o.fulfillments ?? []).filter((f) => f.status !== 'CANCELLED' && f.displayStatus !== 'CANCELED');
  const shown = live.map((f) => f.displayStatus ?? '');
  const ful = o.displayFulfillmentStatus ?? '';
  if (live.length && shown.every((s) => ARRIVED.has(s)) && ful === 'FULFILLED') return 'delivered';
  if (shown.some((s) => MOVING.has(s) || ARRIVED.has(s))) return ful === 'PARTIALLY_FULFILLED' ? 'partially_shipped' : 'in_transit';
  if (ful === 'FULFILLED') return 'shipped';
  if (ful === 'PARTIALLY_FULFILLED') return 'partially_shipped';
  if (ful === 'ON_HOLD') return 'on_hold';
  if (['UNFULFILLED', 'PENDING_FULFILLMENT', 'OPEN', 'IN_PROGRESS', 'SCHEDULED', 'REQUEST_DECLINED'].includes(ful))
    return 'awaiting_shipment';
  return 'paid';
}

/** "#1001" → "1001"; other names as they are (a shop may set its own prefix/suffix). */
export const orderNumberOf = (name: string): string => name.trim().replace(/^#/, '');

/** Maps one order; throws ShopifyOrderShapeError when it lacks what an order needs. */
export function mapShopifyOrder(o: ShopifyOrder, rates: Record<string, number>, buyerIds: Record<string, string> = {}): OrderRecord {
  if (!o?.id) throw new ShopifyOrderShapeError('?', 'no id');
  if (!o.name?.trim()) throw new ShopifyOrderShapeError(o.id, 'no name');
  const currency = (o.totalPriceSet?.shopMoney?.currencyCode ?? '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new ShopifyOrderShapeError(o.name, 'no currency in totalPriceSet.shopMoney');
  const items: OrderRecord['items'] = [];
  for (const li of o.lineItems?.nodes ?? []) {
    const sku = li.sku?.trim() || li.variant?.id;
    if (!sku) continue;
    const price =
      money(li.discountedUnitPriceAfterAllDiscountsSet?.shopMoney?.amount) ?? money(li.originalUnitPriceSet?.shopMoney?.amount) ?? 0;
    items.push({ sku, name: li.name ?? li.title ?? null, price, quantity: Math.max(1, li.quantity ?? 1) });
  }
  const total = money(o.totalPriceSet?.shopMoney?.amount) ?? Math.round(items.reduce((s, i) => s + i.price * i.quantity, 0) * 100) / 100;
  const totalUsd = toUsd(total, currency, rates);
  if (totalUsd === null) throw new ShopifyOrderShapeError(o.name, `no USD rate for ${currency}: add it to SORA_FX_USD_RATES`);
  const shipments: OrderRecord['shipments'] = [];
  for (const f of o.fulfillments ?? []) {
    if (f.status === 'CANCELLED') continue;
    for (const t of f.trackingInfo ?? []) {
      const n = t.number?.trim();
      if (n && !shipments.some((s) => s.trackingNumber === n)) shipments.push({ trackingNumber: n, carrier: t.company?.trim() || null });
    }
  }
  const region = o.shippingAddress?.countryCodeV2?.trim().toUpperCase();
  const placed = o.createdAt ? new Date(o.createdAt) : new Date(0);
  return {
    orderNumber: orderNumberOf(o.name),
    externalId: o.id,
    buyerIds,
    platformBuyerId: o.customer?.id ?? null,
    items,
    currency,
    total,
    totalUsd,
    status: shopifyStatus(o),
    country: region && /^[A-Z]{2}$/.test(region) ? region : null,
    placedAt: Number.isNaN(placed.getTime()) ? new Date(0) : placed,
    shipments,
    source: 'shopify',
  };
}
