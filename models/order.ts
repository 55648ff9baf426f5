import { model, Schema, type InferSchemaType } from 'mongoose';

/** Minimal order record: enough for the order-value handoff rule (issue 7 extends it). */
const orderSchema = new Schema(
  {
    shopId: { type: String, required: true },
    orderNumber: { type: String, required: true },
    /** Buyer ids per channel, e.g. { webchat: 'b-1', whatsapp: '6281…' }. */
    buyerIds: { type: Map, of: String, default: {} },
    totalUsd: { type: Number, required: true },
    currency: { type: String, default: 'USD' },
    status: { type: String, default: 'paid' },
    country: { type: String, default: null },
    placedAt: { type: Date, required: true },
    /** Parcels of this order: carrier (registry id or name, a hint) and tracking number. */
    shipments: {
      type: [{ _id: false, carrier: { type: String, default: null }, trackingNumber: { type: String, required: true } }],
      default: [],
    },
  },
  { timestamps: true },
);
orderSchema.index({ shopId: 1, orderNumber: 1 }, { unique: true });

export type Order = InferSchemaType<typeof orderSchema>;
export const OrderModel = model('Order', orderSchema);
