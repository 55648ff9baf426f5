import { model, Schema, type InferSchemaType } from 'mongoose';

/** Conversation notifications are about one buyer's conversation; channel ones about a channel of a shop. */
export const CONVERSATION_NOTIFICATION_KINDS = ['handoff', 'escalation', 'handoff_expired'] as const;
export const CHANNEL_NOTIFICATION_KINDS = ['channel_logged_out'] as const;
/** About a shop's coupon pool (running low / empty); `channel` is that of the claim that noticed. */
export const COUPON_NOTIFICATION_KINDS = ['coupon_pool_low', 'coupon_pool_empty'] as const;

function isConversationKind(this: { kind?: string }): boolean {
  return (CONVERSATION_NOTIFICATION_KINDS as readonly string[]).includes(this.kind ?? '');
}

/**
 * Operator notifications: handoffs, escalations to the next tier, expired handoffs; and channel
 * alerts (a WhatsApp session logged out from the phone…), which have no conversation.
 */
const notificationSchema = new Schema(
  {
    /** Idempotency key so an activity retry records once. */
    key: { type: String, required: true },
    kind: {
      type: String,
      enum: [...CONVERSATION_NOTIFICATION_KINDS, ...CHANNEL_NOTIFICATION_KINDS, ...COUPON_NOTIFICATION_KINDS],
      required: true,
    },
    workflowId: { type: String, required: isConversationKind, default: null },
    shopId: { type: String, required: true },
    channel: { type: String, required: true },
    buyerId: { type: String, required: isConversationKind, default: null },
    tier: { type: Number, required: isConversationKind, default: null },
    reason: { type: String, default: null },
    delivered: { type: Boolean, default: false },
    deliveryError: { type: String, default: null },
  },
  { timestamps: true },
);
notificationSchema.index({ key: 1 }, { unique: true });
notificationSchema.index({ shopId: 1, createdAt: -1 });

export type Notification = InferSchemaType<typeof notificationSchema>;
export const NotificationModel = model('Notification', notificationSchema);
