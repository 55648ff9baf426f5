/**
 * TikTok Shop order (Order API 202309: Get Order List / Get Order Detail, `data.orders[]`) → our
 * order record. Field meanings from the Get Order Detail page (partner.tiktokshop.com, Order API
 * 202309); fixture and sources: test/fixtures/tiktok/README.md.
 *
 * - Each `line_items[]` entry is ONE unit (TikTok splits quantities into separate line items), so
 *   items are grouped by sku_id and counted; price = `sale_price` (after discounts, per unit).
 * - total = `payment.total_amount` in `payment.currency` (strings in the API), totalUsd via the FX table.
 * - country = `recipient_address.region_code`.
 * - parcels: `tracking_number` + `shipping_provider_name` of the line items (one per package), and
 *   the order-level `tracking_number` + `shipping_provider` when present.
 * - buyer: `user_id` (the platform's buyer id; the CS conversation knows the buyer by IM id).
 */
import type { OrderStatus } from '../../../models/order.js';
import { toUsd } from './fx.js';
import type { OrderRecord } from './store.js';

export interface TiktokLineItem {
  id?: string;
  sku_id?: string;
  seller_sku?: string;
  product_name?: string;
  sku_name?: string;
  sale_price?: string;
  original_price?: string;
  currency?: string;
  tracking_number?: string;
  shipping_provider_name?: string;
  package_id?: string;
  display_status?: string;
}

export interface TiktokOrder {
  id: string;
  status?: string;
  user_id?: string;
  create_time?: number;
  update_time?: number;
  payment?: { currency?: string; total_amount?: string; sub_total?: string; shipping_fee?: string };
  recipient_address?: { region_code?: string; district_info?: { address_level_name?: string; address_name?: string }[] };
  line_items?: TiktokLineItem[];
  packages?: { id?: string }[];
  tracking_number?: string;
  shipping_provider?: string;
}

/** TikTok's order statuses (Get Order Detail, `status`) in our vocabulary. */
export const TIKTOK_STATUS: Record<string, OrderStatus> = {
  UNPAID: 'unpaid',
  ON_HOLD: 'on_hold',
  AWAITING_SHIPMENT: 'awaiting_shipment',
  PARTIALLY_SHIPPING: 'partially_shipped',
  AWAITING_COLLECTION: 'awaiting_collection',
  IN_TRANSIT: 'in_transit',
  DELIVERED: 'delivered',
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
};

export class TiktokOrderShapeError extends Error {
  constructor(orderId: string, message: string) {
    super(`TikTok order ${orderId}: ${message}`);
    this.name = 'TiktokOrderShapeError';
  }
}

const money = (s: string | undefined): number | null => {
  if (s === undefined || s === null || String(s).trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** Maps one order; throws TiktokOrderShapeError when it lacks what an order needs. */
export function mapTiktokOrder(o: TiktokOrder, rates: Record<string, number>, buyerIds: Record<string, string> = {}): OrderRecord {
  if (!o?.id) throw new TiktokOrderShapeError('?', 'no id');
  const currency = (o.payment?.currency ?? o.line_items?.[0]?.currency ?? '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new TiktokOrderShapeError(o.id, `no currency in payment.currency`);
  const items = new Map<string, OrderRecord['items'][number]>();
  for (const li of o.line_items ?? []) {
    const sku = li.seller_sku?.trim() || li.sku_id;
    if (!sku) continue;
    const price = money(li.sale_price) ?? money(li.original_price) ?? 0;
    const key = `${li.sku_id ?? sku}|${price}`;
    const prev = items.get(key);
    if (prev) prev.quantity += 1;
    else items.set(key, { sku, name: li.product_name ?? li.sku_name ?? null, price, quantity: 1 });
  }
  const total = money(o.payment?.total_amount) ?? Math.round([...items.values()].reduce((s, i) => s + i.price * i.quantity, 0) * 100) / 100;
  const totalUsd = toUsd(total, currency, rates);
  if (totalUsd === null) throw new TiktokOrderShapeError(o.id, `no USD rate for ${currency}: add it to SORA_FX_USD_RATES`);
  const shipments: OrderRecord['shipments'] = [];
  const addParcel = (tracking: string | undefined, carrier: string | undefined) => {
    const t = tracking?.trim();
    if (t && !shipments.some((s) => s.trackingNumber === t)) shipments.push({ trackingNumber: t, carrier: carrier?.trim() || null });
  };
  for (const li of o.line_items ?? []) addParcel(li.tracking_number, li.shipping_provider_name);
  addParcel(o.tracking_number, o.shipping_provider);
  const region = o.recipient_address?.region_code?.trim().toUpperCase();
  return {
    orderNumber: o.id,
    externalId: o.id,
    buyerIds,
    platformBuyerId: o.user_id ?? null,
    items: [...items.values()],
    currency,
    total,
    totalUsd,
    status: TIKTOK_STATUS[o.status ?? ''] ?? 'paid',
    country: region && /^[A-Z]{2}$/.test(region) ? region : null,
    placedAt: new Date((o.create_time ?? 0) * 1000),
    shipments,
    source: 'tiktok',
  };
}
