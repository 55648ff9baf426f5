import { model, Schema, type InferSchemaType } from 'mongoose';

/** Operator notifications: handoffs, escalations to the next tier, expired handoffs. */
const notificationSchema = new Schema(
  {
    /** Idempotency key so an activity retry records once. */
    key: { type: String, required: true },
    kind: { type: String, enum: ['handoff', 'escalation', 'handoff_expired'], required: true },
    workflowId: { type: String, required: true },
    shopId: { type: String, required: true },
    channel: { type: String, required: true },
    buyerId: { type: String, required: true },
    tier: { type: Number, required: true },
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
