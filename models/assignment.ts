/**
 * Assignment within a queue (issue 16 item 2): a waiting conversation goes to an ONLINE agent of
 * its shop (in the queue's `agentIds` when it lists some) who speaks the buyer's language (or lists
 * none) and holds fewer conversations than their capacity; least busy first, or round robin
 * (RoutingConfig.assignment). Nobody fits: it waits unassigned, and the next agent to come online or
 * to free a slot takes it (`fillAgent`).
 *
 * Held = conversations with status 'agent' and `agentId` = the agent, plus waiting ones
 * (waiting_agent, follow_up) with `assigneeId` = the agent.
 *
 * Concurrency: every assignment to an agent runs under that agent's lease lock (a document in
 * `assignment_locks`, taken with an upsert that fails on the unique `_id` while another holder's
 * lease runs; 10 s lease so a crashed holder does not block). Under the lock the held count is read
 * again and the conversation is claimed with a conditional update (`assigneeId: null` and still
 * waiting), so two routings — in the gateway and in workers, in any process — never push an agent
 * over capacity, and a conversation is never assigned twice. Used by the routeHandoff activity, the
 * conversation record (a slot freed) and the desk's presence route; it sits in models/ so bots and
 * activities can both call it.
 */
import { randomBytes } from 'node:crypto';
import { model, Schema, type Types } from 'mongoose';
import { AgentModel, ALL_SHOPS } from './agent.js';
import { ConversationModel } from './conversation.js';
import { loadRoutingConfig, PRIORITIES, RoutingCursorModel, type Queue, type RoutingConfig } from './routing.js';

export const WAITING_STATUSES: Array<'waiting_agent' | 'follow_up'> = ['waiting_agent', 'follow_up'];
export const isWaiting = (status: string | null | undefined): boolean => status === 'waiting_agent' || status === 'follow_up';
const LEASE_MS = 10_000;
const LOCK_WAIT_MS = 3_000;

const lockSchema = new Schema(
  { _id: { type: String, required: true }, until: { type: Date, required: true }, token: { type: String, required: true } },
  { collection: 'assignment_locks', versionKey: false },
);
const AssignmentLockModel = model('AssignmentLock', lockSchema);

const isDuplicateKey = (e: unknown) => (e as { code?: number } | null)?.code === 11000 || /E11000|duplicate key/i.test(String(e));

/** Run `fn` holding the agent's assignment lock; null when the lock could not be had in time. */
async function withAgentLock<T>(agentId: string, fn: () => Promise<T>): Promise<T | null> {
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const now = new Date();
    try {
      await AssignmentLockModel.updateOne(
        { _id: agentId, until: { $lte: now } },
        { $set: { until: new Date(now.getTime() + LEASE_MS), token } },
        { upsert: true },
      );
      break;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 15 + Math.random() * 30));
    }
  }
  try {
    return await fn();
  } finally {
    await AssignmentLockModel.deleteOne({ _id: agentId, token }).catch(() => undefined);
  }
}

/** Conversations the agent holds (accepted) or is assigned (still waiting). */
export function heldCount(agentId: string): Promise<number> {
  return ConversationModel.countDocuments({
    $or: [
      { status: 'agent', agentId },
      { status: { $in: WAITING_STATUSES }, assigneeId: agentId },
    ],
  });
}

export const speaks = (agentLanguages: readonly string[] | undefined, language: string | null | undefined): boolean => {
  if (!agentLanguages?.length || !language) return true;
  const lang = language.toLowerCase();
  const base = lang.split('-')[0];
  return agentLanguages.some((l) => {
    const a = l.toLowerCase();
    return a === lang || a === base || a.split('-')[0] === base;
  });
};

interface Candidate {
  id: string;
  capacity: number;
  languages: string[];
  held: number;
}

const inQueue = (q: Queue | undefined, agentId: string) => !q?.agentIds?.length || q.agentIds.includes(agentId);

/** Online agents of the shop in the queue who speak the language and have a free slot, in the order to try them. */
async function candidates(shopId: string, queue: Queue | undefined, language: string | null, config: RoutingConfig): Promise<Candidate[]> {
  const agents = await AgentModel.find(
    { presence: 'online', disabled: { $ne: true }, shopIds: { $in: [shopId, ALL_SHOPS] } },
    { capacity: 1, languages: 1 },
  ).lean();
  const out: Candidate[] = [];
  for (const a of agents) {
    if (!inQueue(queue, a._id) || !speaks(a.languages, language)) continue;
    const capacity = a.capacity ?? 3;
    const held = await heldCount(a._id);
    if (held < capacity) out.push({ id: a._id, capacity, languages: a.languages ?? [], held });
  }
  out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  if (config.assignment === 'round_robin') {
    const cursor = await RoutingCursorModel.findById(cursorId(shopId, queue?.id ?? '')).lean();
    const last = cursor?.lastAgentId;
    if (last) {
      const i = out.findIndex((c) => c.id > last);
      return i <= 0 ? out : [...out.slice(i), ...out.slice(0, i)];
    }
    return out;
  }
  return out.sort((x, y) => x.held - y.held || x.held / x.capacity - y.held / y.capacity);
}

const cursorId = (shopId: string, queueId: string) => `${shopId}:${queueId}`;

/** Claim the waiting conversation for the agent, under their lock, if they still have a free slot. */
async function claim(agentId: string, capacity: number, conversationId: Types.ObjectId): Promise<boolean> {
  const ok = await withAgentLock(agentId, async () => {
    if ((await heldCount(agentId)) >= capacity) return false;
    const r = await ConversationModel.updateOne(
      { _id: conversationId, assigneeId: null, status: { $in: WAITING_STATUSES } },
      { $set: { assigneeId: agentId } },
    );
    return r.modifiedCount === 1;
  });
  return ok === true;
}

/**
 * Assign a waiting conversation (by its document id) within its queue; the agent's id, or null when
 * nobody fits (it waits). A conversation already assigned keeps its agent.
 */
export async function assignConversation(conversationId: Types.ObjectId): Promise<string | null> {
  const c = await ConversationModel.findById(conversationId, { shopId: 1, queueId: 1, language: 1, status: 1, assigneeId: 1 }).lean();
  if (!c || !isWaiting(c.status)) return null;
  if (c.assigneeId) return c.assigneeId;
  const config = await loadRoutingConfig(c.shopId);
  const queue = config.queues.find((q) => q.id === c.queueId);
  for (const a of await candidates(c.shopId, queue, c.language ?? null, config)) {
    if (await claim(a.id, a.capacity, c._id)) {
      if (config.assignment === 'round_robin')
        await RoutingCursorModel.updateOne({ _id: cursorId(c.shopId, queue?.id ?? '') }, { $set: { lastAgentId: a.id } }, { upsert: true });
      return a.id;
    }
  }
  return null;
}

const rank = (p: string | null | undefined) => PRIORITIES.indexOf((p ?? 'normal') as (typeof PRIORITIES)[number]);

/**
 * Give an agent who is online (came online, or freed a slot) the waiting unassigned conversations of
 * their shops that they may take, most urgent and longest waiting first, up to their capacity.
 * Returns the workflow ids assigned.
 */
export async function fillAgent(agentId: string): Promise<string[]> {
  const agent = await AgentModel.findById(agentId, { presence: 1, disabled: 1, shopIds: 1, languages: 1, capacity: 1 }).lean();
  if (!agent || agent.disabled || agent.presence !== 'online') return [];
  const shopIds = agent.shopIds ?? [];
  if (!shopIds.length) return [];
  const capacity = agent.capacity ?? 3;
  const assigned: string[] = [];
  await withAgentLock(agentId, async () => {
    let held = await heldCount(agentId);
    if (held >= capacity) return;
    const waiting = await ConversationModel.find(
      {
        status: { $in: WAITING_STATUSES },
        assigneeId: null,
        queueId: { $ne: null },
        ...(shopIds.includes(ALL_SHOPS) ? {} : { shopId: { $in: shopIds } }),
      },
      { shopId: 1, queueId: 1, language: 1, priority: 1, waitingSince: 1, workflowId: 1 },
    )
      .limit(500)
      .lean();
    waiting.sort((a, b) => rank(b.priority) - rank(a.priority) || (a.waitingSince?.getTime() ?? 0) - (b.waitingSince?.getTime() ?? 0));
    const configs = new Map<string, RoutingConfig>();
    for (const c of waiting) {
      if (held >= capacity) break;
      if (!speaks(agent.languages, c.language)) continue;
      let config = configs.get(c.shopId);
      if (!config) configs.set(c.shopId, (config = await loadRoutingConfig(c.shopId)));
      if (
        !inQueue(
          config.queues.find((q) => q.id === c.queueId),
          agentId,
        )
      )
        continue;
      const r = await ConversationModel.updateOne(
        { _id: c._id, assigneeId: null, status: { $in: WAITING_STATUSES } },
        { $set: { assigneeId: agentId } },
      );
      if (r.modifiedCount === 1) {
        held++;
        assigned.push(c.workflowId);
      }
    }
  });
  return assigned;
}
