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
    /** The platform's user id when it differs from buyerId (TikTok: the user_id on orders; buyerId is the IM id). */
    platformUserId: { type: String, default: null },
    /** When the buyer's recent orders were last fetched from the platform (activities/commerce/orders/sync.ts). */
    ordersSyncedAt: { type: Date, default: null },
    /**
     * The same per order source (`tiktok`, `lazada`, `shopify`): with several sources configured,
     * one that cannot identify the buyer must not mark the others' lookups as done.
     */
    ordersSyncedBy: { type: Map, of: Date, default: undefined },
    /**
     * The buyer's pending or solved tickets on this channel (kept by the ticket workflow's step,
     * activities/tickets/ticket-steps.ts): the intake reads it with the buyer upsert it does anyway
     * and signals them when the buyer writes (bots/ticket-reopen.ts), without a query of its own.
     */
    reopenableTickets: { type: [String], default: undefined },
  },
  { timestamps: true },
);
buyerSchema.index({ shopId: 1, channel: 1, buyerId: 1 }, { unique: true });
/** Seller messages name the conversation or chat, not the buyer: found through the stored reply address. */
buyerSchema.index({ shopId: 1, channel: 1, 'replyTo.conversationId': 1 });
buyerSchema.index({ shopId: 1, channel: 1, 'replyTo.jid': 1 });

export type Buyer = InferSchemaType<typeof buyerSchema>;
export const BuyerModel = model('Buyer', buyerSchema);
