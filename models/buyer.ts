import { model, Schema, type InferSchemaType } from 'mongoose';

const buyerSchema = new Schema(
  {
    shopId: { type: String, required: true },
    channel: { type: String, required: true },
    buyerId: { type: String, required: true },
    language: { type: String, default: null },
    firstSeenAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    messages: { type: Number, default: 0 },
    /** Channel-specific address for replies (see InboundMessage.replyTo). */
    replyTo: { type: Schema.Types.Mixed, default: null },
  },
  { timestamps: true },
);
buyerSchema.index({ shopId: 1, channel: 1, buyerId: 1 }, { unique: true });

export type Buyer = InferSchemaType<typeof buyerSchema>;
export const BuyerModel = model('Buyer', buyerSchema);
