/**
 * Writing orders: one upsert by (shopId, orderNumber) shared by the file import and the platform
 * syncs. A record identical to the stored one is not written (re-importing a file changes
 * nothing); buyer ids are merged per channel, so an import does not erase the id a sync recorded
 * and the other way round.
 */
import { OrderModel } from '../../../models/order.js';

export interface OrderItem {
  sku: string;
  name: string | null;
  /** Unit price in the order currency. */
  price: number;
  quantity: number;
}

export interface Shipment {
  carrier: string | null;
  trackingNumber: string;
}

/** An order as imported or synced, before it is stored. */
export interface OrderRecord {
  orderNumber: string;
  externalId: string | null;
  /** Channel → buyer id; merged into the stored map. */
  buyerIds: Record<string, string>;
  platformBuyerId?: string | null;
  items: OrderItem[];
  currency: string;
  total: number;
  totalUsd: number;
  status: string;
  country: string | null;
  placedAt: Date;
  shipments: Shipment[];
  source: 'import' | 'tiktok' | 'lazada' | 'shopify';
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

const CHANNEL_KEY = /^[a-z][a-z0-9_-]{0,31}$/;

function comparable(o: Record<string, unknown>): string {
  return JSON.stringify(o, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
}

function fieldsOf(r: OrderRecord) {
  return {
    externalId: r.externalId,
    items: r.items.map((i) => ({ sku: i.sku, name: i.name ?? null, price: i.price, quantity: i.quantity })),
    currency: r.currency,
    total: r.total,
    totalUsd: r.totalUsd,
    status: r.status,
    country: r.country,
    placedAt: r.placedAt,
    shipments: r.shipments.map((s) => ({ carrier: s.carrier ?? null, trackingNumber: s.trackingNumber })),
    source: r.source,
    ...(r.platformBuyerId !== undefined ? { platformBuyerId: r.platformBuyerId } : {}),
  };
}

/**
 * Creates or updates the order; `syncedAt` (platform syncs) is written even when nothing else
 * changed, so freshness is known. Returns what happened to the order's content.
 */
export async function upsertOrder(shopId: string, r: OrderRecord, o: { syncedAt?: Date } = {}): Promise<UpsertOutcome> {
  for (const k of Object.keys(r.buyerIds)) if (!CHANNEL_KEY.test(k)) throw new Error(`order ${r.orderNumber}: "${k}" is not a channel id`);
  const fields = fieldsOf(r);
  for (let attempt = 0; ; attempt++) {
    const existing = await OrderModel.findOne({ shopId, orderNumber: r.orderNumber }).lean();
    const set: Record<string, unknown> = {};
    let changed = !existing;
    if (existing) {
      const stored = existing as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(fields)) {
        if (comparable({ v: stored[k] ?? null }) !== comparable({ v: v ?? null })) {
          set[k] = v;
          changed = true;
        }
      }
      const storedIds = (existing.buyerIds ?? {}) as unknown as Record<string, string>;
      for (const [k, v] of Object.entries(r.buyerIds))
        if (storedIds[k] !== v) {
          set[`buyerIds.${k}`] = v;
          changed = true;
        }
      if (!changed && !o.syncedAt) return 'unchanged';
      if (o.syncedAt) set.syncedAt = o.syncedAt;
      await OrderModel.updateOne({ _id: existing._id }, { $set: set });
      return changed ? 'updated' : 'unchanged';
    }
    try {
      await OrderModel.create({ shopId, orderNumber: r.orderNumber, ...fields, buyerIds: r.buyerIds, syncedAt: o.syncedAt ?? null });
      return 'created';
    } catch (e) {
      // Another writer created it between our read and write: go again as an update.
      if ((e as { code?: number }).code === 11000 && attempt === 0) continue;
      throw e;
    }
  }
}
