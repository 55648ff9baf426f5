import { model, Schema, type InferSchemaType } from 'mongoose';

/** Conversation notifications are about one buyer's conversation; channel ones about a channel of a shop. */
export const CONVERSATION_NOTIFICATION_KINDS = ['handoff', 'escalation', 'handoff_expired'] as const;
export const CHANNEL_NOTIFICATION_KINDS = ['channel_logged_out', 'channel_token_expiring', 'channel_token_expired'] as const;
/** About a shop's coupon pool (running low / empty); `channel` is that of the claim that noticed. */
export const COUPON_NOTIFICATION_KINDS = ['coupon_pool_low', 'coupon_pool_empty'] as const;
/** Carrier API credentials of a shop about to expire (the warning window) or expired. */
export const CARRIER_NOTIFICATION_KINDS = ['carrier_key_expiring', 'carrier_key_expired'] as const;
/** The deployment itself: an activity has been retrying for long (MongoDB or the network down; activities/retry-alert.ts). */
export const OPERATIONS_NOTIFICATION_KINDS = ['activity_retrying'] as const;
/**
 * The desk's own (issue 16): a buyer wrote in a conversation an agent holds, a ticket's SLA is about
 * to breach, a ticket was assigned. Each has `shopId`, a human `text`, and `agentId` when it is for one agent.
 */
export const DESK_NOTIFICATION_KINDS = ['buyer_reply', 'sla_breach_soon', 'ticket_assigned'] as const;

function isConversationKind(this: { kind?: string }): boolean {
  return (CONVERSATION_NOTIFICATION_KINDS as readonly string[]).includes(this.kind ?? '');
}
function isCarrierKind(this: { kind?: string }): boolean {
  return (CARRIER_NOTIFICATION_KINDS as readonly string[]).includes(this.kind ?? '');
}
function isOperationsKind(this: { kind?: string }): boolean {
  return (OPERATIONS_NOTIFICATION_KINDS as readonly string[]).includes(this.kind ?? '');
}
function isDeskKind(this: { kind?: string }): boolean {
  return (DESK_NOTIFICATION_KINDS as readonly string[]).includes(this.kind ?? '');
}
function needsChannel(this: { kind?: string }): boolean {
  return !isCarrierKind.call(this) && !isOperationsKind.call(this) && !isDeskKind.call(this);
}
function needsShop(this: { kind?: string }): boolean {
  return !isOperationsKind.call(this);
}

/**
 * Operator notifications: handoffs, escalations to the next tier, expired handoffs; and channel
 * alerts (a WhatsApp session logged out from the phone…), which have no conversation; and carrier
 * key alerts (a shop's DHL key expires in 72 h…), which have a carrier instead of a channel.
 */
const notificationSchema = new Schema(
  {
    /** Idempotency key so an activity retry records once. */
    key: { type: String, required: true },
    kind: {
      type: String,
      enum: [
        ...CONVERSATION_NOTIFICATION_KINDS,
        ...CHANNEL_NOTIFICATION_KINDS,
        ...COUPON_NOTIFICATION_KINDS,
        ...CARRIER_NOTIFICATION_KINDS,
        ...OPERATIONS_NOTIFICATION_KINDS,
        ...DESK_NOTIFICATION_KINDS,
      ],
      required: true,
    },
    workflowId: { type: String, required: isConversationKind, default: null },
    shopId: { type: String, required: needsShop, default: null },
    channel: { type: String, required: needsChannel, default: null },
    carrier: { type: String, required: isCarrierKind, default: null },
    /** Carrier key alerts: the expiry the alert is about, and the time it was due (workflow time). */
    expiresAt: { type: Date, default: null },
    dueAt: { type: Date, default: null },
    buyerId: { type: String, required: isConversationKind, default: null },
    tier: { type: Number, required: isConversationKind, default: null },
    reason: { type: String, default: null },
    /** activity_retrying: which activity, and the attempt it had reached. */
    activityType: { type: String, default: null },
    attempt: { type: Number, default: null },
    /** One line a person reads (the desk, Slack/Teams incoming webhooks): what happened and what to do. */
    text: { type: String, default: null },
    /** For one agent (assigned ticket, buyer reply in their conversation); null = the shop's team. */
    agentId: { type: String, default: null },
    ticketId: { type: String, default: null },
    /** Handoffs and escalations routed by the desk: the queue and the agent it was assigned to. */
    queueId: { type: String, default: null },
    assigneeId: { type: String, default: null },
    /** Agents who have seen it in the desk (the badge counts the others). */
    readBy: { type: [String], default: [] },
    delivered: { type: Boolean, default: false },
    deliveryError: { type: String, default: null },
  },
  { timestamps: true },
);
notificationSchema.index({ key: 1 }, { unique: true });
notificationSchema.index({ shopId: 1, createdAt: -1 });
notificationSchema.index({ agentId: 1, createdAt: -1 });

export type Notification = InferSchemaType<typeof notificationSchema>;
export const NotificationModel = model('Notification', notificationSchema);
