/**
 * Routing a handoff (issue 16 item 2): the `routeHandoff` activity picks the queue by the shop's
 * rules (models/routing.ts) from the facts the workflow has, writes queueId / priority /
 * waitingSince / country on the Conversation read model, and assigns the conversation to an online
 * agent when one fits (models/assignment.ts). `escalateHandoff` moves it on to the queue's
 * `escalatesTo` when the lifecycle escalates a tier. Times are the workflow's (`at`), so business
 * hours are judged at the moment of the handoff, also on the time-skipping test server.
 */
import { handoffs, safely } from '../../infra/metrics.js';
import { assignConversation, fillAgent, isWaiting, WAITING_STATUSES } from '../../models/assignment.js';
import { isOpen, nextOpening } from '../../models/business-hours.js';
import { ConversationModel } from '../../models/conversation.js';
import { OrderModel } from '../../models/order.js';
import { evaluateRouting, loadRoutingConfig, raisePriority, type Priority } from '../../models/routing.js';
import { ShopModel } from '../../models/shop.js';

export interface RouteHandoffInput {
  workflowId: string;
  runId: string;
  /** The conversation's openedAt (ms): with workflowId, the read model's key. */
  openedAt: number;
  shopId: string;
  channel: string;
  buyerId: string;
  language: string | null;
  orderValueUsd: number | null;
  /** The order in focus, and its destination country when the workflow knows it. */
  focusOrderNumber: string | null;
  country: string | null;
  reason: string | null;
  tier: number;
  /** Workflow time of the handoff (ms). */
  at: number;
}

export interface RouteDecision {
  queueId: string;
  queueName: string;
  assigneeId: string | null;
  priority: Priority;
  /** The shop is within its business hours at `at`. */
  open: boolean;
  /** When it opens next (ISO), when closed. */
  nextOpenAt: string | null;
  /** The shop's time zone (the after-hours notice says the time in it). */
  timeZone: string;
  /** Closed and nobody online took it: the buyer is told when someone will answer. */
  afterHoursNotice: boolean;
  /**
   * Closed and nobody took it: a ticket must be opened (issue 16 item 4). The lead wires the
   * `openTicket` activity here at merge (workflows/conversation/run.ts, `routeHandoff`).
   */
  ticketNeeded: boolean;
}

async function focusCountry(shopId: string, orderNumber: string | null): Promise<string | null> {
  if (!orderNumber) return null;
  const o = await OrderModel.findOne({ shopId, orderNumber }, { country: 1 }).lean();
  return (o as { country?: string | null } | null)?.country ?? null;
}

export async function routeHandoff(input: RouteHandoffInput): Promise<RouteDecision> {
  const at = new Date(input.at);
  const [shop, config] = await Promise.all([
    ShopModel.findOne({ shopId: input.shopId }, { timeZone: 1, businessHours: 1 }).lean(),
    loadRoutingConfig(input.shopId),
  ]);
  const timeZone = shop?.timeZone ?? 'UTC';
  const rows = shop?.businessHours ?? [];
  const open = isOpen(rows, timeZone, at);
  const nextOpenAt = open ? null : (nextOpening(rows, timeZone, at)?.toISOString() ?? null);
  const country = (input.country ?? (await focusCountry(input.shopId, input.focusOrderNumber)))?.toUpperCase() ?? null;
  const { queue, priority } = evaluateRouting(config, {
    language: input.language,
    country,
    orderValueUsd: input.orderValueUsd,
    channel: input.channel,
    reason: input.reason,
    open,
  });
  const key = { workflowId: input.workflowId, openedAt: new Date(input.openedAt) };
  await ConversationModel.updateOne(
    key,
    {
      $set: { queueId: queue.id, priority, waitingSince: at, handedOffAt: at, assigneeId: null, ...(country ? { country } : {}) },
      // The first message may hand off before the conversation is first recorded: recordConversation fills the rest.
      $setOnInsert: { runId: input.runId, shopId: input.shopId, channel: input.channel, buyerId: input.buyerId, status: 'waiting_agent' },
    },
    { upsert: true },
  );
  const doc = await ConversationModel.findOne(key, { _id: 1, language: 1 }).lean();
  if (doc && !doc.language && input.language) await ConversationModel.updateOne({ _id: doc._id }, { $set: { language: input.language } });
  const assigneeId = doc ? await assignConversation(doc._id) : null;
  safely(() => handoffs.inc({ reason: input.reason ?? 'unspecified' }));
  const unattended = !open && !assigneeId;
  return {
    queueId: queue.id,
    queueName: queue.name,
    assigneeId,
    priority,
    open,
    nextOpenAt,
    timeZone,
    afterHoursNotice: unattended && nextOpenAt !== null,
    ticketNeeded: unattended,
  };
}

export interface EscalateHandoffInput {
  workflowId: string;
  openedAt: number;
  shopId: string;
  tier: number;
  /** The queue the workflow routed it to: a retried activity that already moved it does not move it again. */
  fromQueueId: string | null;
}

/**
 * A tier escalated: the conversation moves to its queue's `escalatesTo` (unassigned from whoever
 * did not take it, one step higher priority) and is assigned again. A queue without one keeps it.
 */
export async function escalateHandoff(
  input: EscalateHandoffInput,
): Promise<{ queueId: string | null; queueName: string | null; assigneeId: string | null; priority: Priority; moved: boolean }> {
  const key = { workflowId: input.workflowId, openedAt: new Date(input.openedAt) };
  const c = await ConversationModel.findOne(key, { queueId: 1, priority: 1, assigneeId: 1, status: 1 }).lean();
  const config = await loadRoutingConfig(input.shopId);
  const priority = (c?.priority ?? 'normal') as Priority;
  const current = config.queues.find((q) => q.id === c?.queueId);
  const from = input.fromQueueId === null || input.fromQueueId === c?.queueId ? current : undefined;
  const to = from?.escalatesTo ? config.queues.find((q) => q.id === from.escalatesTo) : undefined;
  if (!c || !to || !isWaiting(c.status)) {
    return { queueId: c?.queueId ?? null, queueName: current?.name ?? null, assigneeId: c?.assigneeId ?? null, priority, moved: false };
  }
  const raised = raisePriority(priority);
  // Only while it still waits in the queue it escalates from (a retried activity does not move it twice).
  await ConversationModel.updateOne(
    { _id: c._id, queueId: from!.id, status: { $in: WAITING_STATUSES } },
    { $set: { queueId: to.id, priority: raised, assigneeId: null } },
  );
  const assigneeId = await assignConversation(c._id);
  // Whoever had it assigned (and did not take it) has a free slot again.
  if (c.assigneeId && c.assigneeId !== assigneeId) await fillAgent(c.assigneeId);
  return { queueId: to.id, queueName: to.name, assigneeId, priority: raised, moved: true };
}
