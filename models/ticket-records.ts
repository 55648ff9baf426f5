/**
 * Ticket documents (models/ticket.ts): create one with the next per-shop number under an idempotency
 * key, and the view the desk API and CLI show. The ticket's workflow (`ticket:{ticketId}`) is started
 * by the caller (activities/tickets/open-ticket.ts, bots/desk/tickets.ts), which have a Temporal client.
 */
import { writeServiceEvents, type ServiceEvent } from './service-event.js';
import { randomBytes } from 'node:crypto';
import { isDuplicateKey } from './errors.js';
import { TicketCounterModel, TicketModel, type TicketPriority, type TicketSource, type TicketStatus } from './ticket.js';

/** The ticket's workflow id. */
export const ticketWorkflowId = (ticketId: string) => `ticket:${ticketId}`;

/** What opens a ticket (a rule in a workflow, an agent in the desk, after-hours routing). */
export interface OpenTicketInput {
  shopId: string;
  channel: string;
  buyerId: string;
  /** The conversation workflow it is about (`conv:{shop}:{channel}:{buyer}`). */
  workflowId: string;
  source: TicketSource;
  subject: string;
  priority?: TicketPriority;
  orderNumber?: string | null;
  trackingNumber?: string | null;
  /** Idempotency: at most one ticket per key (a retried activity, a re-sent request). */
  key: string;
  tags?: string[];
  assigneeId?: string | null;
  /** Who opened it: an agent id, or null for a rule. */
  createdBy?: string | null;
}

export interface TicketView {
  id: string;
  number: number;
  shopId: string;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  source: TicketSource;
  assigneeId: string | null;
  queueId: string | null;
  dueAt: string | null;
  channel: string;
  buyerId: string;
  conversationIds: string[];
  orderNumber: string | null;
  trackingNumber: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  solvedAt: string | null;
  closedAt: string | null;
  breachedAt: string | null;
}

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

type TicketDoc = {
  _id: string;
  number: number;
  shopId: string;
  subject: string;
  status: string;
  priority: string;
  source: string;
  assigneeId?: string | null;
  queueId?: string | null;
  dueAt?: Date | null;
  channel: string;
  buyerId: string;
  conversationIds?: string[];
  orderNumber?: string | null;
  trackingNumber?: string | null;
  tags?: string[];
  createdAt?: Date;
  updatedAt?: Date;
  solvedAt?: Date | null;
  closedAt?: Date | null;
  breachedAt?: Date | null;
};

export function ticketView(t: TicketDoc): TicketView {
  return {
    id: t._id,
    number: t.number,
    shopId: t.shopId,
    subject: t.subject,
    status: t.status as TicketStatus,
    priority: t.priority as TicketPriority,
    source: t.source as TicketSource,
    assigneeId: t.assigneeId ?? null,
    queueId: t.queueId ?? null,
    dueAt: iso(t.dueAt),
    channel: t.channel,
    buyerId: t.buyerId,
    conversationIds: t.conversationIds ?? [],
    orderNumber: t.orderNumber ?? null,
    trackingNumber: t.trackingNumber ?? null,
    tags: t.tags ?? [],
    createdAt: iso(t.createdAt)!,
    updatedAt: iso(t.updatedAt)!,
    solvedAt: iso(t.solvedAt),
    closedAt: iso(t.closedAt),
    breachedAt: iso(t.breachedAt),
  };
}

/** A ticket's `ticket_change` service event (issue 17), on its first conversation; idempotent per (ticket, time, status). */
export function ticketChangeEvent(
  t: {
    _id: string;
    shopId: string;
    channel: string;
    conversationIds?: string[] | null;
    status: string;
    priority: string;
    assigneeId?: string | null;
  },
  change: 'created' | 'updated',
  at: Date,
): ServiceEvent {
  return {
    shopId: t.shopId,
    workflowId: t.conversationIds?.[0] ?? `ticket:${t._id}`,
    channel: t.channel,
    at,
    key: `ticket:${t._id}:${change}:${at.getTime()}:${t.status}:${t.priority}:${t.assigneeId ?? ''}`,
    data: { type: 'ticket_change', ticketId: t._id, change, status: t.status, priority: t.priority, assigneeId: t.assigneeId ?? null },
  };
}

/** The next ticket number of a shop (1, 2, 3…), atomic across processes. */
export async function nextTicketNumber(shopId: string): Promise<number> {
  const c = await TicketCounterModel.findOneAndUpdate(
    { _id: shopId },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after' },
  ).lean();
  return c!.seq;
}

/**
 * The ticket for `input.key`: created now (with the next number of its shop), or the one an earlier
 * call created under the same key. `at`: the creation time to record (a workflow's clock), default now.
 */
export async function createTicketRecord(input: OpenTicketInput, at = new Date()): Promise<{ ticket: TicketView; created: boolean }> {
  const existing = await TicketModel.findOne({ key: input.key }).lean();
  if (existing) return { ticket: ticketView(existing), created: false };
  const number = await nextTicketNumber(input.shopId);
  try {
    const doc = await TicketModel.create({
      _id: `tk_${randomBytes(9).toString('base64url')}`,
      number,
      shopId: input.shopId,
      subject: input.subject,
      status: 'open',
      priority: input.priority ?? 'normal',
      source: input.source,
      key: input.key,
      assigneeId: input.assigneeId ?? null,
      channel: input.channel,
      buyerId: input.buyerId,
      conversationIds: [input.workflowId],
      orderNumber: input.orderNumber ?? null,
      trackingNumber: input.trackingNumber ?? null,
      tags: input.tags ?? [],
      createdBy: input.createdBy ?? null,
      events: [{ at, kind: 'created', text: `Opened (${input.source.replace(/_/g, ' ')}): ${input.subject}`, by: input.createdBy ?? null }],
    });
    await writeServiceEvents([ticketChangeEvent(doc.toObject(), 'created', at)]);
    return { ticket: ticketView(doc.toObject()), created: true };
  } catch (e) {
    // Another call created it under the same key meanwhile (its number is the ticket's; this one's is skipped).
    if (!isDuplicateKey(e)) throw e;
    const other = await TicketModel.findOne({ key: input.key }).lean();
    if (!other) throw e;
    return { ticket: ticketView(other), created: false };
  }
}
