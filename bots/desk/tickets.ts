/**
 * Tickets in the desk API (issue 16), every route scoped by the caller's shops (another shop's
 * ticket is a 404, like one that does not exist):
 *
 *   GET   /tickets?status=open,pending&shop=&assignee=me|none|<id>&priority=&q=&limit=  → {tickets}, by due time
 *   POST  /tickets {conversationId, subject, priority?, orderNumber?, trackingNumber?, tags?, assigneeId?} → 201 TicketView
 *   GET   /tickets/:id → {ticket, events, replies}
 *   PATCH /tickets/:id {status?, priority?, assigneeId?, queueId?, tags?} → TicketView
 *   POST  /tickets/:id/reply {text} → 202 {reply}
 *
 * The ticket's workflow (`ticket:{id}`, workflows/ticket.ts) owns its document: a change is the
 * `updateTicket` update, answered once the document has it. A reply goes to the buyer through the
 * conversation workflow (Intake.agentMessage); its status is that of the message it was sent as.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { AGENT_ID, AgentModel, seesShop } from '../../models/agent.js';
import { ConversationModel } from '../../models/conversation.js';
import { MessageModel } from '../../models/message.js';
import { createTicketRecord, ticketView, ticketWorkflowId } from '../../models/ticket-records.js';
import { TICKET_PRIORITIES, TICKET_STATUSES, TicketModel } from '../../models/ticket.js';
import { agentReplyKey, ticketWorkflowType, updateTicket, type TicketPatch } from '../../workflows/contract.js';
import { HttpError, validationError } from '../http-errors.js';
import type { Intake } from '../intake.js';
import { requireShop, shopFilter } from './auth.js';

export interface TicketRoutesOptions {
  client: Client;
  /** Delivers agent replies (signalWithStart on the conversation) and names the workflows' task queue. */
  intake: Pick<Intake, 'agentMessage' | 'taskQueue'>;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

const MAX_LIMIT = 200;
const tag = z.string().trim().min(1, 'a tag cannot be empty').max(40, 'a tag has at most 40 characters');
const tags = z.array(tag).max(20, 'at most 20 tags');
const agentId = z.string().regex(AGENT_ID, 'must be an agent id');
const shortText = (what: string) => z.string().trim().min(1, `${what} cannot be empty`).max(64, `${what} has at most 64 characters`);

const createBody = z
  .object({
    conversationId: z.string({ required_error: 'conversationId is required (a conversation workflow id)' }).min(1).max(300),
    subject: z
      .string({ required_error: 'subject is required' })
      .trim()
      .min(1, 'subject cannot be empty')
      .max(200, 'subject has at most 200 characters'),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    orderNumber: shortText('orderNumber').optional(),
    trackingNumber: shortText('trackingNumber').optional(),
    tags: tags.optional(),
    assigneeId: agentId.optional(),
  })
  .strict();

const patchBody = z
  .object({
    status: z.enum(TICKET_STATUSES).optional(),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    assigneeId: agentId.nullable().optional(),
    queueId: z.string().trim().min(1).max(128).nullable().optional(),
    tags: tags.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change: send status, priority, assigneeId, queueId or tags' });

const replyBody = z
  .object({
    text: z
      .string({ required_error: 'text is required' })
      .trim()
      .min(1, 'text cannot be empty')
      .max(4000, 'text has at most 4000 characters'),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, req: Request): T {
  if (!req.is('application/json'))
    throw new HttpError(415, 'unsupported_media_type', 'send the body as JSON (Content-Type: application/json)');
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) {
    const e = validationError(r.error);
    throw new HttpError(422, 'invalid_request', e.message, e.details);
  }
  return r.data;
}

const list = (v: unknown, allowed: readonly string[], field: string): string[] | undefined => {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError(422, 'invalid_request', `${field}: give it once, as a comma-separated list`);
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s));
  if (bad.length) throw new HttpError(422, 'invalid_request', `${field}: unknown ${bad.join(', ')} (one of ${allowed.join(', ')})`);
  return items;
};

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The ticket when the caller sees its shop; 404 otherwise. */
async function visibleTicket(req: Request) {
  const id = String(req.params.id ?? '');
  const t = id.length <= 64 ? await TicketModel.findById(id).lean() : null;
  if (!t || !seesShop(req.agent!.shopIds, t.shopId)) throw new HttpError(404, 'unknown_ticket', `no ticket "${id}"`);
  return t;
}

/** An assignee must be an agent (not disabled) who sees the ticket's shop. */
async function checkAssignee(assigneeId: string | null | undefined, shopId: string): Promise<void> {
  if (!assigneeId) return;
  const a = await AgentModel.findById(assigneeId).lean();
  if (!a || a.disabled || !seesShop(a.shopIds ?? [], shopId))
    throw new HttpError(422, 'invalid_request', `assigneeId: no agent "${assigneeId}" works for shop ${shopId}`);
}

/** "the platform refused: …" from a send's recorded error (ChannelSendError's message names the platform and its reason). */
const refusal = (error: string | null | undefined) =>
  error ? `the platform refused it: ${error.replace(/^\w*Error: /, '')}` : 'the platform refused it';

export function ticketRoutes(opts: TicketRoutesOptions): Router {
  const r = Router();

  /** The update that applies a desk change in the ticket's workflow; the document after it. */
  async function applyUpdate(ticketId: string, patch: TicketPatch, by: string) {
    try {
      await opts.client.workflow.getHandle(ticketWorkflowId(ticketId)).executeUpdate(updateTicket, { args: [{ patch, by }] });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError || e instanceof WorkflowUpdateFailedError)
        throw new HttpError(409, 'ticket_closed', `ticket ${ticketId} is closed: its workflow takes no changes`);
      throw e;
    }
    return ticketView((await TicketModel.findById(ticketId).lean())!);
  }

  r.get('/tickets', async (req, res) => {
    const q = req.query;
    const filter: Record<string, unknown> = { ...shopFilter(req) };
    if (q.shop !== undefined) filter.shopId = requireShop(req, String(q.shop));
    const statuses = list(q.status, TICKET_STATUSES, 'status');
    if (statuses) filter.status = { $in: statuses };
    const priorities = list(q.priority, TICKET_PRIORITIES, 'priority');
    if (priorities) filter.priority = { $in: priorities };
    if (q.assignee !== undefined) {
      const a = String(q.assignee);
      if (a === 'me') filter.assigneeId = req.agent!.id;
      else if (a === 'none') filter.assigneeId = null;
      else if (AGENT_ID.test(a)) filter.assigneeId = a;
      else throw new HttpError(422, 'invalid_request', 'assignee: me, none or an agent id');
    }
    if (q.q !== undefined) {
      const text = String(q.q).trim();
      if (text.length > 100) throw new HttpError(422, 'invalid_request', 'q: at most 100 characters');
      if (text) {
        const re = new RegExp(escapeRegex(text), 'i');
        const or: Record<string, unknown>[] = [{ subject: re }, { tags: re }, { orderNumber: re }, { trackingNumber: re }];
        const num = /^(?:T-?)?(\d{1,9})$/i.exec(text);
        if (num) or.push({ number: Number(num[1]) });
        filter.$or = or;
      }
    }
    let limit = 50;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
        throw new HttpError(422, 'invalid_request', `limit: a whole number from 1 to ${MAX_LIMIT}`);
    }
    const projection = { events: 0, replies: 0 };
    // By due time, soonest first; tickets without one (pending, solved, closed) after, oldest first.
    const due = await TicketModel.find({ ...filter, dueAt: { $ne: null } }, projection)
      .sort({ dueAt: 1, _id: 1 })
      .limit(limit)
      .lean();
    const rest =
      due.length < limit
        ? await TicketModel.find({ ...filter, dueAt: null }, projection)
            .sort({ createdAt: 1, _id: 1 })
            .limit(limit - due.length)
            .lean()
        : [];
    res.json({ tickets: [...due, ...rest].map((t) => ticketView(t as unknown as Parameters<typeof ticketView>[0])) });
  });

  r.post('/tickets', async (req, res) => {
    const body = parse(createBody, req);
    const conv = await ConversationModel.findOne({ workflowId: body.conversationId }).sort({ openedAt: -1 }).lean();
    if (!conv || !seesShop(req.agent!.shopIds, conv.shopId))
      throw new HttpError(404, 'unknown_conversation', `conversationId: no conversation "${body.conversationId}"`);
    await checkAssignee(body.assigneeId, conv.shopId);
    // A re-sent request with the same Idempotency-Key finds the ticket it created.
    const idem = req.get('idempotency-key');
    if (idem !== undefined && (idem.length < 1 || idem.length > 128))
      throw new HttpError(422, 'invalid_request', 'Idempotency-Key: 1 to 128 characters');
    const { ticket, created } = await createTicketRecord({
      shopId: conv.shopId,
      channel: conv.channel,
      buyerId: conv.buyerId,
      workflowId: conv.workflowId,
      source: 'agent',
      subject: body.subject,
      priority: body.priority,
      orderNumber: body.orderNumber ?? conv.focusOrder ?? null,
      trackingNumber: body.trackingNumber ?? null,
      tags: body.tags,
      key: idem ? `desk:${req.agent!.id}:${idem}` : `desk:${randomUUID()}`,
      createdBy: req.agent!.id,
    });
    try {
      await opts.client.workflow.start(ticketWorkflowType, {
        workflowId: ticketWorkflowId(ticket.id),
        taskQueue: opts.intake.taskQueue,
        args: [{ ticketId: ticket.id }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
    opts.log('ticket opened in the desk', { ticketId: ticket.id, shopId: ticket.shopId, by: req.agent!.id, created });
    // The update answers once the workflow has planned the SLA (and assigned, notifying the assignee).
    const view = await applyUpdate(ticket.id, body.assigneeId ? { assigneeId: body.assigneeId } : {}, req.agent!.id);
    res.status(created ? 201 : 200).json(view);
  });

  r.get('/tickets/:id', async (req, res) => {
    const t = await visibleTicket(req);
    const replies = t.replies ?? [];
    const sends = replies.length
      ? await MessageModel.find(
          { $or: replies.map((x) => ({ channel: x.channel, externalId: x.key })) },
          { channel: 1, externalId: 1, status: 1, error: 1 },
        ).lean()
      : [];
    const byKey = new Map(sends.map((m) => [`${m.channel}|${m.externalId}`, m]));
    res.json({
      ticket: ticketView(t),
      events: (t.events ?? []).map((e) => ({ at: e.at.toISOString(), kind: e.kind, text: e.text, by: e.by ?? null })),
      replies: replies.map((x) => {
        const m = byKey.get(`${x.channel}|${x.key}`);
        const status = x.error ? 'failed' : m?.status === 'sent' ? 'sent' : m?.status === 'failed' ? 'failed' : 'pending';
        return {
          id: x.id,
          at: x.at.toISOString(),
          text: x.text,
          by: x.by,
          status,
          error: x.error ?? (status === 'failed' ? refusal(m?.error) : null),
        };
      }),
    });
  });

  r.patch('/tickets/:id', async (req, res) => {
    const t = await visibleTicket(req);
    const body = parse(patchBody, req);
    await checkAssignee(body.assigneeId, t.shopId);
    res.json(await applyUpdate(t._id, body, req.agent!.id));
  });

  r.post('/tickets/:id/reply', async (req, res) => {
    const t = await visibleTicket(req);
    const { text } = parse(replyBody, req);
    if (t.status === 'closed') throw new HttpError(409, 'ticket_closed', `ticket ${t._id} is closed: open a new one to write to the buyer`);
    const id = `r_${randomBytes(9).toString('base64url')}`;
    const workflowId = t.conversationIds?.at(-1) ?? `conv:${t.shopId}:${t.channel}:${t.buyerId}`;
    const reply = { id, at: new Date(), text, by: req.agent!.id, workflowId, channel: t.channel, key: agentReplyKey(workflowId, id) };
    await TicketModel.updateOne(
      { _id: t._id },
      { $push: { replies: reply, events: { at: reply.at, kind: 'reply', text: `replied to the buyer (${t.channel})`, by: reply.by } } },
    );
    let error: string | null = null;
    try {
      await opts.intake.agentMessage(
        { shopId: t.shopId, channel: t.channel, buyerId: t.buyerId, workflowId },
        { agentId: reply.by, text, ref: id },
      );
    } catch (e) {
      error = 'not sent: the workflow service is unreachable; write it again later';
      await TicketModel.updateOne({ _id: t._id, 'replies.id': id }, { $set: { 'replies.$.error': error } });
      opts.log('ticket reply not delivered to the conversation', { ticketId: t._id, error: String(e) });
    }
    res.status(202).json({ reply: { id, at: reply.at.toISOString(), text, by: reply.by, status: error ? 'failed' : 'pending', error } });
  });

  return r;
}
