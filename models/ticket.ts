/**
 * Tickets (issue 16): a follow-up the team owes a buyer, with its own durable workflow per ticket
 * (`ticket:{ticketId}`) for SLA timers, reminders, reopen on a buyer reply and auto-close. This
 * document is the read model and what the desk and API list; the workflow owns the timers.
 */
import { model, Schema, type InferSchemaType } from 'mongoose';

export const TICKET_STATUSES = ['open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
/** Why it was opened: by a rule, or by an agent. */
export const TICKET_SOURCES = [
  'after_hours',
  'handoff_failed',
  'carrier_investigation',
  'return_action',
  'refund_action',
  'agent',
] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];
/** Business minutes to the due time per priority, unless the shop sets its own (Shop.slaMinutes). */
export const TICKET_SLA_DEFAULT_MINUTES: Record<TicketPriority, number> = {
  low: 3 * 24 * 60,
  normal: 24 * 60,
  high: 8 * 60,
  urgent: 2 * 60,
};

const ticketEventSchema = new Schema(
  {
    at: { type: Date, required: true },
    kind: { type: String, required: true },
    text: { type: String, required: true },
    by: { type: String, default: null },
  },
  { _id: false },
);
const ticketReplySchema = new Schema(
  {
    id: { type: String, required: true },
    at: { type: Date, required: true },
    text: { type: String, required: true },
    by: { type: String, required: true },
    workflowId: { type: String, required: true },
    channel: { type: String, required: true },
    key: { type: String, required: true },
    /** Set when it could not even be handed to the conversation (the workflow service was down). */
    error: { type: String, default: null },
  },
  { _id: false },
);

const ticketSchema = new Schema(
  {
    /** `T-` + a short number per shop is for people; `_id` is the stable id (also the workflow's). */
    _id: { type: String, required: true },
    /** Human number, per shop (1, 2, 3…). */
    number: { type: Number, required: true },
    shopId: { type: String, required: true },
    subject: { type: String, required: true },
    status: { type: String, enum: TICKET_STATUSES, required: true, default: 'open' },
    priority: { type: String, enum: TICKET_PRIORITIES, required: true, default: 'normal' },
    source: { type: String, enum: TICKET_SOURCES, required: true },
    /** Idempotency: a rule opens at most one ticket per key (e.g. `{workflowId}:after_hours:{seq}`). */
    key: { type: String, required: true },
    assigneeId: { type: String, default: null },
    queueId: { type: String, default: null },
    dueAt: { type: Date, default: null },
    /** The buyer and the conversation(s) it is about. */
    channel: { type: String, required: true },
    buyerId: { type: String, required: true },
    conversationIds: { type: [String], default: [] },
    orderNumber: { type: String, default: null },
    trackingNumber: { type: String, default: null },
    tags: { type: [String], default: [] },
    createdBy: { type: String, default: null },
    solvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    /** Set when the SLA passed with the ticket still owed. */
    breachedAt: { type: Date, default: null },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
    /** When the current SLA cycle started (opened, or reopened by a buyer reply); dueAt counts from it. */
    slaStartedAt: { type: Date, default: null },
    /** The "about to breach" reminder of the current SLA cycle went out (cleared when the SLA restarts). */
    remindedAt: { type: Date, default: null },
    /** What happened to it, oldest first (the desk's timeline): created, status, priority, assigned, reminder, breach, reopened, reply… */
    events: { type: [ticketEventSchema], default: [] },
    /**
     * Agent replies sent from the ticket: each reaches the buyer through the conversation workflow
     * (`workflowId`) as the outbound message recorded under `key` (MessageModel channel+externalId),
     * whose status (pending, sent, failed + error) is the reply's.
     */
    replies: { type: [ticketReplySchema], default: [] },
  },
  { timestamps: true, versionKey: false },
);
ticketSchema.index({ key: 1 }, { unique: true });
ticketSchema.index({ shopId: 1, number: 1 }, { unique: true });
ticketSchema.index({ shopId: 1, status: 1, dueAt: 1 });
ticketSchema.index({ shopId: 1, channel: 1, buyerId: 1, status: 1 });
/** The desk's live feed reads what changed since its cursor (bots/desk/events.ts). */
ticketSchema.index({ updatedAt: 1 });

export type Ticket = InferSchemaType<typeof ticketSchema>;
export const TicketModel = model('Ticket', ticketSchema);

/** The per-shop ticket number counter (`_id` = shopId): `$inc` hands out 1, 2, 3… atomically. */
const ticketCounterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, default: 0 } }, { versionKey: false });
export const TicketCounterModel = model('TicketCounter', ticketCounterSchema);
