import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * Order status vocabulary shared by imports and platform syncs (TikTok's statuses map onto it in
 * activities/commerce/orders/tiktok-map.ts).
 */
export const ORDER_STATUSES = [
  'unpaid',
  'paid',
  'on_hold',
  'awaiting_shipment',
  'partially_shipped',
  'awaiting_collection',
  'shipped',
  'in_transit',
  'delivered',
  'completed',
  'cancelled',
  'refunded',
  'returned',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where an order document came from. */
export const ORDER_SOURCES = ['import', 'tiktok', 'demo', 'manual', 'lazada', 'shopify'] as const;

/**
 * A buyer's order, one document per (shopId, orderNumber). Written by `sora orders import`
 * (activities/commerce/orders/import.ts), by platform syncs (activities/commerce/orders/sync.ts)
 * and by the demo seed; read by the order-value handoff rule and the tracking answers.
 */
const orderSchema = new Schema(
  {
    shopId: { type: String, required: true },
    orderNumber: { type: String, required: true },
    /** Buyer ids per channel, e.g. { webchat: 'b-1', whatsapp: '6281…', tiktok: IM user id }. */
    buyerIds: { type: Map, of: String, default: {} },
    /** The platform's own buyer id when it differs from the channel's (TikTok: the order's user_id). */
    platformBuyerId: { type: String, default: null },
    items: {
      type: [
        {
          _id: false,
          sku: { type: String, required: true },
          name: { type: String, default: null },
          /** Unit price in the order currency. */
          price: { type: Number, required: true },
          quantity: { type: Number, required: true },
        },
      ],
      default: [],
    },
    /** ISO 4217 code of `total` and the item prices. */
    currency: { type: String, default: 'USD' },
    /** What the buyer paid, in `currency` (null for old records that only had totalUsd). */
    total: { type: Number, default: null },
    /** `total` converted to USD (SORA_FX_USD_RATES); feeds the order-value handoff rule. */
    totalUsd: { type: Number, required: true },
    status: { type: String, default: 'paid' },
    country: { type: String, default: null },
    placedAt: { type: Date, required: true },
    /** Parcels of this order: carrier (registry id or name, a hint) and tracking number. */
    shipments: {
      type: [{ _id: false, carrier: { type: String, default: null }, trackingNumber: { type: String, required: true } }],
      default: [],
    },
    source: { type: String, enum: ORDER_SOURCES, default: 'manual' },
    /** The platform's order id (TikTok order id); for imports the order number. */
    externalId: { type: String, default: null },
    /** When a platform sync last wrote this order (null: never synced). */
    syncedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
orderSchema.index({ shopId: 1, orderNumber: 1 }, { unique: true });
orderSchema.index({ shopId: 1, platformBuyerId: 1 });

export type Order = InferSchemaType<typeof orderSchema>;
export const OrderModel = model('Order', orderSchema);
