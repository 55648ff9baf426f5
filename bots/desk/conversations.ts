/**
 * The desk's conversations (issue 16): the queue views, one conversation (read model, the live
 * workflow snapshot, a link to the workflow in the Temporal UI; the transcript is transcript.ts), and the agent's
 * actions, which are the workflow's signals (workflows/contract.ts) sent as the signed-in agent.
 * Every read is scoped to the caller's shops; another shop's conversation is a 404.
 */
import { Router, type Request, type Response } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { ConversationModel } from '../../models/conversation.js';
import { MessageModel } from '../../models/message.js';
import { writeServiceEvents } from '../../models/service-event.js';
import { randomUUID } from 'node:crypto';
import { hasControlChars } from '../../infra/terminal-text.js';
import * as contract from '../../workflows/contract.js';
import { HttpError, validationError } from '../http-errors.js';
import { requireShop, shopFilter } from './auth.js';
import { conversationOf, DESK_LIMITS, parseBody } from './scope.js';

export const QUEUE_VIEWS = ['waiting', 'mine', 'unassigned', 'follow_up', 'all'] as const;
export const QUEUE_SORTS = ['wait', 'value', 'tier'] as const;
const LIST_MAX = 100;
/** How long the live snapshot may take before the page is answered without it. */
const SNAPSHOT_WAIT_MS = 2500;

const listQuery = z.object({
  view: z.enum(QUEUE_VIEWS, { errorMap: () => ({ message: `view must be one of ${QUEUE_VIEWS.join(', ')}` }) }).default('waiting'),
  sort: z.enum(QUEUE_SORTS, { errorMap: () => ({ message: `sort must be one of ${QUEUE_SORTS.join(', ')}` }) }).default('wait'),
  shop: z.string().max(DESK_LIMITS.shopId, `shop must be at most ${DESK_LIMITS.shopId} characters`).optional(),
});
const messageBody = z.object({
  text: z
    .string({ required_error: 'text is required', invalid_type_error: 'text must be a string' })
    .trim()
    .min(1, 'text must not be empty')
    .max(DESK_LIMITS.text, `text must be at most ${DESK_LIMITS.text} characters`)
    .refine((t) => !hasControlChars(t, { allowLayout: true }), 'text must not contain control characters (newline and tab are fine)'),
});
const closeBody = z.object({
  resolved: z.boolean({ invalid_type_error: 'resolved must be true or false' }).optional(),
});

type ConversationDoc = Awaited<ReturnType<typeof conversationOf>>;

/** What the desk shows of a conversation. */
export function conversationView(c: ConversationDoc) {
  return {
    id: c.workflowId,
    key: String(c._id),
    shopId: c.shopId,
    channel: c.channel,
    buyerId: c.buyerId,
    status: c.status,
    intent: c.intent ?? null,
    language: c.language ?? null,
    tier: c.tier ?? 0,
    escalated: !!c.escalated,
    priority: c.priority ?? 'normal',
    handoffReason: c.handoffReason ?? null,
    queueId: c.queueId ?? null,
    assigneeId: c.assigneeId ?? null,
    agentId: c.agentId ?? null,
    orderValueUsd: c.orderValueUsd ?? null,
    focusOrder: c.focusOrder ?? null,
    country: c.country ?? null,
    // Root-cause tags (set at close; rootCausesAuto: the tagger's, kept once an agent corrected them).
    rootCauses: c.rootCauses ?? null,
    rootCausesAuto: c.rootCausesAuto ?? null,
    turns: c.turns ?? 0,
    openedAt: c.openedAt,
    closedAt: c.closedAt ?? null,
    waitingSince: c.waitingSince ?? null,
    followUpSince: c.followUpSince ?? null,
    updatedAt: (c as { updatedAt?: Date }).updatedAt ?? null,
  };
}

function viewFilter(view: (typeof QUEUE_VIEWS)[number], me: string): Record<string, unknown> {
  switch (view) {
    case 'waiting':
      return { status: 'waiting_agent' };
    case 'unassigned':
      return { status: 'waiting_agent', assigneeId: null };
    case 'follow_up':
      return { status: 'follow_up' };
    case 'mine':
      return { status: { $ne: 'closed' }, $or: [{ assigneeId: me }, { agentId: me }] };
    case 'all':
      return {};
  }
}

const PRIORITY_RANK: Record<string, number> = { urgent: 3, high: 2, normal: 1, low: 0 };
const waitOf = (c: { waitingSince?: Date | null; followUpSince?: Date | null; openedAt: Date }) =>
  (c.waitingSince ?? c.followUpSince ?? c.openedAt).getTime();

/** Longest wait first; value: highest order value first; tier: highest escalation tier first (then priority, then wait). */
function sortItems<T extends ReturnType<typeof conversationView>>(items: T[], sort: (typeof QUEUE_SORTS)[number]): T[] {
  const wait = (a: T, b: T) => waitOf(a) - waitOf(b);
  const by: Record<typeof sort, (a: T, b: T) => number> = {
    wait,
    value: (a, b) => (b.orderValueUsd ?? -1) - (a.orderValueUsd ?? -1) || wait(a, b),
    tier: (a, b) => b.tier - a.tier || (PRIORITY_RANK[b.priority] ?? 1) - (PRIORITY_RANK[a.priority] ?? 1) || wait(a, b),
  };
  return items.sort(by[sort]);
}

export interface ConversationRoutesOptions {
  client: Client;
  /** SORA_TEMPORAL_UI_URL (no trailing slash). */
  temporalUiUrl: string;
}

/** The Temporal Web UI page of a workflow. */
export const temporalWorkflowUrl = (base: string, namespace: string, workflowId: string) =>
  `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;

export function conversationRoutes(opts: ConversationRoutesOptions): Router {
  const r = Router();
  const namespace = opts.client.options.namespace;

  r.get('/conversations', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      const e = validationError(parsed.error);
      throw new HttpError(422, 'invalid_request', e.message, e.details);
    }
    const q = parsed.data;
    const filter: Record<string, unknown> = { ...shopFilter(req), ...viewFilter(q.view, req.agent!.id) };
    if (q.shop) filter.shopId = requireShop(req, q.shop);
    const newestFirst = q.view === 'all' && req.query.sort === undefined;
    const docs = await ConversationModel.find(filter)
      .sort(q.view === 'all' ? { openedAt: -1 } : { waitingSince: 1 })
      .limit(LIST_MAX * 2)
      .lean();
    const views = docs.map(conversationView);
    const ordered = newestFirst ? views : sortItems(views, q.sort);
    const page = ordered.slice(0, LIST_MAX);
    // The last message of each: one read each, on the index {workflowId, direction, _id} (both
    // directions merged by _id, newest first); a page is at most LIST_MAX.
    const last = await Promise.all(
      page.map((c) =>
        MessageModel.findOne({ workflowId: c.id, direction: { $in: ['in', 'out'] } }, { text: 1, author: 1, createdAt: 1 })
          .sort({ _id: -1 })
          .lean(),
      ),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      view: q.view,
      sort: q.sort,
      conversations: page.map((c, i) => ({
        ...c,
        lastMessage: last[i] ? { text: (last[i]!.text ?? '').slice(0, 200), author: last[i]!.author, at: last[i]!.createdAt } : null,
      })),
    });
  });

  r.get('/conversations/:id', async (req, res) => {
    const c = await conversationOf(req);
    let live: unknown = null;
    if (c.status !== 'closed') {
      let timer: NodeJS.Timeout | undefined;
      live = await Promise.race([
        opts.client.workflow
          .getHandle(c.workflowId)
          .query(contract.snapshot)
          .catch(() => null),
        new Promise((resolve) => (timer = setTimeout(() => resolve(null), SNAPSHOT_WAIT_MS))),
      ]).finally(() => clearTimeout(timer));
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      conversation: conversationView(c),
      live,
      temporalUrl: temporalWorkflowUrl(opts.temporalUiUrl, namespace, c.workflowId),
    });
  });

  /**
   * Sends a signal to the conversation's workflow; not running → 409 (the read model says what it is).
   * Each action done is a service event (issue 17: agent actions), written after the signal, not awaited.
   */
  const act = (action: string, fn: (req: Request, workflowId: string) => Promise<void>) => async (req: Request, res: Response) => {
    const c = await conversationOf(req);
    try {
      await fn(req, c.workflowId);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError)
        throw new HttpError(409, 'conversation_not_running', `conversation ${c.workflowId} is not running (status ${c.status})`);
      throw e;
    }
    void writeServiceEvents([
      {
        shopId: c.shopId,
        workflowId: c.workflowId,
        channel: c.channel,
        at: new Date(),
        key: `${c.workflowId}:agent:${action}:${randomUUID()}`,
        data: { type: 'agent_action', action, agentId: req.agent!.id },
      },
    ]).catch(() => undefined);
    res.status(202).json({ ok: true });
  };
  const handle = (id: string) => opts.client.workflow.getHandle(id);
  r.post(
    '/conversations/:id/accept',
    act('accept', (req, id) => handle(id).signal(contract.agentAccepted, { agentId: req.agent!.id })),
  );
  r.post(
    '/conversations/:id/release',
    act('release', (_req, id) => handle(id).signal(contract.agentReleased)),
  );
  r.post(
    '/conversations/:id/close',
    act('close', async (req, id) => {
      const { resolved } = parseBody(closeBody, req);
      await handle(id).signal(contract.closeConversation, {
        reason: resolved === false ? 'closed_by_agent' : 'resolved',
        ...(resolved !== undefined ? { resolved } : {}),
      });
    }),
  );
  r.post(
    '/conversations/:id/message',
    act('message', async (req, id) => {
      const { text } = parseBody(messageBody, req);
      await handle(id).signal(contract.agentMessage, { agentId: req.agent!.id, text });
    }),
  );
  return r;
}
