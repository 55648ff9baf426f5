/**
 * Lazada order (Order API: /order/get, /orders/get `orders[]`) and its items (/order/items/get,
 * /orders/items/get `order_items[]`) → our order record. Field meanings from the open.lazada.com
 * API reference (GetOrder, GetOrderItems); fixtures: test/fixtures/lazada/README.md.
 *
 * - Each order item is ONE unit (Lazada lists a quantity of 2 as two items): grouped by sku and
 *   price and counted; price = `paid_price` (after vouchers), else `item_price`.
 * - total = the order's `price` (a string) in the items' `currency` (else the seller country's);
 *   totalUsd via the FX table, like TikTok's (./fx.ts).
 * - status: the order's `statuses[]` (one per item status) → the least advanced one in our vocabulary.
 * - parcels: each item's `tracking_code` + `shipment_provider`.
 * - buyer: `buyer_id` of the order or of its items (the IM buyer's user id).
 */
import type { OrderStatus } from '../../../models/order.js';
import { toUsd } from './fx.js';
import type { OrderRecord } from './store.js';

export interface LazadaOrderItem {
  order_item_id?: string | number;
  order_id?: string | number;
  buyer_id?: string | number;
  name?: string;
  sku?: string;
  shop_sku?: string;
  item_price?: string | number;
  paid_price?: string | number;
  currency?: string;
  status?: string;
  tracking_code?: string;
  shipment_provider?: string;
}

export interface LazadaOrder {
  order_id: string | number;
  order_number?: string | number;
  buyer_id?: string | number;
  created_at?: string;
  updated_at?: string;
  price?: string | number;
  shipping_fee?: string | number;
  statuses?: string[];
  items_count?: number;
  address_shipping?: { country?: string };
}

/** Lazada item/order statuses in our vocabulary. */
export const LAZADA_STATUS: Record<string, OrderStatus> = {
  unpaid: 'unpaid',
  pending: 'paid',
  topack: 'awaiting_shipment',
  packed: 'awaiting_shipment',
  repacked: 'awaiting_shipment',
  ready_to_ship_pending: 'awaiting_collection',
  toship: 'awaiting_collection',
  ready_to_ship: 'awaiting_collection',
  shipped: 'in_transit',
  failed_delivery: 'in_transit',
  delivered: 'delivered',
  confirmed: 'completed',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  returned: 'returned',
  shipped_back: 'returned',
  shipped_back_success: 'returned',
  lost_by_3pl: 'shipped',
  damaged_by_3pl: 'shipped',
};

/** Progress order: an order's status is its least advanced item's (cancelled items aside). */
const PROGRESS: OrderStatus[] = [
  'unpaid',
  'paid',
  'awaiting_shipment',
  'awaiting_collection',
  'shipped',
  'in_transit',
  'delivered',
  'completed',
  'returned',
];

export const COUNTRY_CURRENCY: Record<string, string> = { TH: 'THB', MY: 'MYR', SG: 'SGD', VN: 'VND', ID: 'IDR', PH: 'PHP' };
const COUNTRY_NAMES: Record<string, string> = {
  thailand: 'TH',
  malaysia: 'MY',
  singapore: 'SG',
  vietnam: 'VN',
  'viet nam': 'VN',
  indonesia: 'ID',
  philippines: 'PH',
};

export class LazadaOrderShapeError extends Error {
  constructor(orderId: string, message: string) {
    super(`Lazada order ${orderId}: ${message}`);
    this.name = 'LazadaOrderShapeError';
  }
}

const money = (v: string | number | undefined): number | null => {
  if (v === undefined || v === null || String(v).trim() === '') return null;
  const n = Number(String(v).replace(/,/g, ''));
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** "2024-05-01 10:12:13 +0700" (Lazada's format) or ISO → Date. */
export function lazadaTime(s: string | undefined): Date {
  if (!s) return new Date(0);
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/.exec(s.trim());
  const d = new Date(m ? `${m[1]}T${m[2]}${m[3]}:${m[4]}` : s);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
}

function statusOf(o: LazadaOrder, items: LazadaOrderItem[]): OrderStatus {
  const raw = [...(o.statuses ?? []), ...items.map((i) => i.status ?? '')].map((s) => s.toLowerCase()).filter(Boolean);
  const mapped = [...new Set(raw.map((s) => LAZADA_STATUS[s]).filter((s): s is OrderStatus => !!s))];
  const live = mapped.filter((s) => s !== 'cancelled');
  if (!mapped.length) return 'paid';
  if (!live.length) return 'cancelled';
  const least = live.sort((a, b) => PROGRESS.indexOf(a) - PROGRESS.indexOf(b))[0]!;
  const shippedSome = live.some((s) => PROGRESS.indexOf(s) >= PROGRESS.indexOf('shipped'));
  return shippedSome && PROGRESS.indexOf(least) < PROGRESS.indexOf('shipped') ? 'partially_shipped' : least;
}

/** The order's buyer: its own buyer_id, else its items'. */
export function lazadaBuyerOf(o: LazadaOrder, items: LazadaOrderItem[]): string | null {
  const id = o.buyer_id ?? items.find((i) => i.buyer_id !== undefined && i.buyer_id !== '')?.buyer_id;
  return id === undefined || id === '' ? null : String(id);
}

/** Maps one order with its items; `sellerCountry` (th, my…) fills a missing currency or country. */
export function mapLazadaOrder(
  o: LazadaOrder,
  items: LazadaOrderItem[],
  rates: Record<string, number>,
  o2: { sellerCountry?: string | null; buyerIds?: Record<string, string> } = {},
): OrderRecord {
  if (o?.order_id === undefined || o.order_id === '') throw new LazadaOrderShapeError('?', 'no order_id');
  const id = String(o.order_id);
  const named = COUNTRY_NAMES[(o.address_shipping?.country ?? '').trim().toLowerCase()];
  const country = named ?? (o2.sellerCountry ? o2.sellerCountry.toUpperCase() : null);
  const currency = (items.find((i) => i.currency)?.currency ?? (country ? COUNTRY_CURRENCY[country] : undefined) ?? '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new LazadaOrderShapeError(id, 'no currency (items[].currency) and no known country');
  const grouped = new Map<string, OrderRecord['items'][number]>();
  for (const it of items) {
    const sku = it.sku?.trim() || it.shop_sku?.trim();
    if (!sku) continue;
    const price = money(it.paid_price) ?? money(it.item_price) ?? 0;
    const key = `${sku}|${price}`;
    const prev = grouped.get(key);
    if (prev) prev.quantity += 1;
    else grouped.set(key, { sku, name: it.name ?? null, price, quantity: 1 });
  }
  const total = money(o.price) ?? Math.round([...grouped.values()].reduce((s, i) => s + i.price * i.quantity, 0) * 100) / 100;
  const totalUsd = toUsd(total, currency, rates);
  if (totalUsd === null) throw new LazadaOrderShapeError(id, `no USD rate for ${currency}: add it to SORA_FX_USD_RATES`);
  const shipments: OrderRecord['shipments'] = [];
  for (const it of items) {
    const t = it.tracking_code?.trim();
    if (t && !shipments.some((s) => s.trackingNumber === t))
      shipments.push({ trackingNumber: t, carrier: it.shipment_provider?.trim() || null });
  }
  return {
    orderNumber: String(o.order_number ?? id),
    externalId: id,
    buyerIds: o2.buyerIds ?? {},
    platformBuyerId: lazadaBuyerOf(o, items),
    items: [...grouped.values()],
    currency,
    total,
    totalUsd,
    status: statusOf(o, items),
    country,
    placedAt: lazadaTime(o.created_at),
    shipments,
    source: 'lazada',
  };
}
