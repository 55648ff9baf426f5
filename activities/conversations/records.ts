/** Read models the workflow keeps current: the conversation document and NPS answers. */
import { fillAgent } from '../../models/assignment.js';
import { ConversationModel } from '../../models/conversation.js';
import { NpsAnswerModel } from '../../models/nps-answer.js';
import { FCR_WINDOW_MS, recordClosedConversation, recordNpsInsight, type InsightSettings } from '../insights/record-outcome.js';
import type { ConversationState } from '../../workflows/types.js';

export interface RecordConversationInput {
  workflowId: string;
  runId: string;
  shopId: string;
  channel: string;
  buyerId: string;
  state: ConversationState;
}

/**
 * The desk's routing fields as the status moves on: an agent who accepted holds it (assigneeId =
 * agentId, nobody waits any more); back to the bot, nobody owes a reply and it leaves its queue;
 * closed, nobody is owed or assigned (the queue stays, for reports). Waiting states keep what
 * routing wrote (activities/conversations/route-handoff.ts).
 */
function routingFields(s: ConversationState): Record<string, unknown> {
  switch (s.status) {
    case 'agent':
      return { assigneeId: s.agentId, waitingSince: null };
    case 'bot':
      return { queueId: null, assigneeId: null, waitingSince: null };
    case 'closed':
      return { assigneeId: null, waitingSince: null };
    default:
      return {};
  }
}

/** Who holds a conversation for capacity: its agent once accepted, else its assignee while it waits. */
const holder = (d: { status?: string | null; agentId?: string | null; assigneeId?: string | null } | null): string | null =>
  !d
    ? null
    : d.status === 'agent'
      ? (d.agentId ?? null)
      : d.status === 'waiting_agent' || d.status === 'follow_up'
        ? (d.assigneeId ?? null)
        : null;

/** recordConversation with the insight settings (SORA_FCR_WINDOW); createActivities passes config.insights. */
export const makeRecordConversation =
  (insights: InsightSettings) =>
  (input: RecordConversationInput): Promise<void> =>
    recordConversationWith(input, insights);

/** With the default FCR window (24 h). */
export const recordConversation = makeRecordConversation({ fcrWindowMs: FCR_WINDOW_MS });

async function recordConversationWith(input: RecordConversationInput, insights: InsightSettings): Promise<void> {
  const s = input.state;
  const before = await ConversationModel.findOneAndUpdate(
    { workflowId: input.workflowId, openedAt: new Date(s.openedAt) },
    {
      $set: {
        runId: input.runId,
        shopId: input.shopId,
        channel: input.channel,
        buyerId: input.buyerId,
        status: s.status,
        intent: s.intent,
        language: s.language,
        turns: s.turns,
        escalated: s.escalated,
        tier: s.tier,
        handoffReason: s.handoffReason,
        agentId: s.agentId,
        orderValueUsd: s.orderValueUsd,
        closedAt: s.closedAt === null ? null : new Date(s.closedAt),
        closeReason: s.closeReason,
        npsScore: s.npsScore,
        resolved: s.resolved ?? null,
        focusOrder: s.focusOrder?.orderNumber ?? null,
        followUpSince: s.followUpSince ? new Date(s.followUpSince) : null,
        ...(s.inSeq !== undefined ? { inSeq: s.inSeq } : {}),
        ...routingFields(s),
      },
    },
    { upsert: true, returnDocument: 'before', projection: { status: 1, agentId: 1, assigneeId: 1 } },
  ).lean();
  // Closed now: its events, root causes and report counters (issue 17), once.
  if (s.status === 'closed' && before?.status !== 'closed')
    await recordClosedConversation({ workflowId: input.workflowId, openedAt: new Date(s.openedAt) }, insights);
  // A slot freed (released, closed, accepted by someone else): the agent takes the next waiting conversation.
  const freed = holder(before);
  const now =
    s.status === 'agent' ? s.agentId : s.status === 'waiting_agent' || s.status === 'follow_up' ? (before?.assigneeId ?? null) : null;
  if (freed && freed !== now) await fillAgent(freed);
}

export interface StoreNpsInput {
  workflowId: string;
  shopId: string;
  channel: string;
  buyerId: string;
  score: number;
  text: string;
  language: string | null;
  closedAt: string;
}

export async function storeNpsAnswer(input: StoreNpsInput): Promise<void> {
  const r = await NpsAnswerModel.updateOne(
    { workflowId: input.workflowId, closedAt: new Date(input.closedAt) },
    { $set: { ...input, closedAt: new Date(input.closedAt) } },
    { upsert: true },
  );
  // The first answer of this conversation counts in the NPS rollup (a retried write does not).
  if (r.upsertedCount > 0) await recordNpsInsight({ workflowId: input.workflowId, closedAt: new Date(input.closedAt), score: input.score });
}

/**
 * The last buyer message (`seq`) any earlier run of this conversation handled: 0 when there was no
 * earlier run, null when the earlier runs did not number their messages (they predate it). A new
 * execution of the workflow (after one ended) starts from it: a re-sent signal of an older message
 * is a duplicate, and it does not wait for numbers handled before.
 */
export async function lastHandledInboundSeq(input: { workflowId: string }): Promise<{ seq: number | null }> {
  const doc = await ConversationModel.findOne({ workflowId: input.workflowId }, { inSeq: 1 }).sort({ inSeq: -1 }).lean();
  return { seq: doc ? (doc.inSeq ?? null) : 0 };
}
