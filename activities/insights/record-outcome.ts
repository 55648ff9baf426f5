/**
 * A closed conversation's insights (issue 17), written once when it closes (recordConversation):
 * its service events (messages in/out, handoff, outcome), its root causes (the tagger), FCR and
 * first response time on the conversation, and the daily rollup counters the reports read. The
 * conversation is claimed first (`insightsAt`), so a retried activity never counts it twice (a crash
 * between the claim and the counters loses that conversation's counts: at most once).
 */
import { ConversationModel } from '../../models/conversation.js';
import { bumpRollup, dayIn, fieldSafe, type RollupKey } from '../../models/daily-rollup.js';
import { durationCounters } from '../../models/duration-histogram.js';
import { MessageModel } from '../../models/message.js';
import { OrderModel } from '../../models/order.js';
import { causeCounters, type CauseFacts } from '../../models/root-cause-counters.js';
import { ShopModel } from '../../models/shop.js';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { ServiceEventModel, writeServiceEvents, type ServiceEvent } from '../../models/service-event.js';
import { tagConversation } from './root-causes.js';

/** Default of SORA_FCR_WINDOW: a new conversation of the same buyer on the same intent within it undoes FCR. */
export const FCR_WINDOW_MS = 24 * 3600_000;
export interface InsightSettings {
  /** SORA_FCR_WINDOW (config.insights.fcrWindowMs). */
  fcrWindowMs: number;
}
const MAX_MESSAGES = 2000;
/** At most this many SKUs of an order are counted per conversation (keeps rollup rows small). */
const MAX_SKUS = 10;

type Conv = NonNullable<Awaited<ReturnType<typeof claim>>>;
const claim = (workflowId: string, openedAt: Date) =>
  ConversationModel.findOneAndUpdate(
    { workflowId, openedAt, status: 'closed', insightsAt: null },
    { $set: { insightsAt: new Date() } },
    { returnDocument: 'after' },
  ).lean();

export const handedOff = (c: { handoffReason?: string | null; agentId?: string | null }): boolean => !!(c.handoffReason || c.agentId);

/** The country, carrier and SKUs of the order the conversation discussed (one indexed read, at close). */
export async function orderFacts(c: { shopId: string; focusOrder?: string | null; country?: string | null }): Promise<CauseFacts> {
  const o = c.focusOrder
    ? await OrderModel.findOne({ shopId: c.shopId, orderNumber: c.focusOrder }, { country: 1, items: 1, shipments: 1 }).lean()
    : null;
  const country = (c.country ?? o?.country ?? null)?.toUpperCase() ?? null;
  const carrier = o?.shipments?.find((s) => s.carrier)?.carrier?.toLowerCase() ?? null;
  const skus = [...new Set((o?.items ?? []).map((i) => i.sku).filter(Boolean))].slice(0, MAX_SKUS);
  return { country, carrier, skus };
}

export async function rollupKeyOf(c: {
  shopId: string;
  channel: string;
  language?: string | null;
  intent?: string | null;
  closedAt?: Date | null;
}): Promise<RollupKey> {
  const shop = await ShopModel.findOne({ shopId: c.shopId }, { timeZone: 1 }).lean();
  return {
    shopId: c.shopId,
    day: dayIn(c.closedAt ?? new Date(), shop?.timeZone),
    channel: c.channel,
    language: c.language ?? null,
    intent: c.intent ?? null,
  };
}

type Msg = {
  createdAt?: Date | null;
  language?: string | null;
  source?: string | null;
  faqEntryId?: string | null;
  confidence?: number | null;
  author: string;
};
/** A conversation's message events from its stored messages (when none were written as the turns happened). */
function messageEvents(
  k: string,
  base: { shopId: string; workflowId: string; channel: string },
  c: { intent?: string | null; language?: string | null },
  inbound: Msg[],
  outbound: Msg[],
): ServiceEvent[] {
  return [
    ...inbound.map((m, i) => ({
      ...base,
      at: m.createdAt!,
      key: `${k}:in:${i}`,
      data: { type: 'message_in' as const, intent: c.intent ?? null, language: m.language ?? c.language ?? null },
    })),
    ...outbound.map((m, i) => ({
      ...base,
      at: m.createdAt!,
      key: `${k}:out:${i}`,
      data: {
        type: 'message_out' as const,
        source: m.source ?? null,
        faqEntryId: m.faqEntryId ?? null,
        confidence: m.confidence ?? null,
        author: m.author,
      },
    })),
  ];
}

export async function recordClosedConversation(
  input: { workflowId: string; openedAt: Date },
  settings: InsightSettings = { fcrWindowMs: FCR_WINDOW_MS },
): Promise<void> {
  const c: Conv | null = await claim(input.workflowId, input.openedAt);
  if (!c) return;
  const closedAt = c.closedAt ?? new Date();
  const msgs = await MessageModel.find(
    { workflowId: c.workflowId, createdAt: { $gte: c.openedAt, $lte: new Date(closedAt.getTime() + 1000) } },
    { direction: 1, author: 1, source: 1, faqEntryId: 1, confidence: 1, language: 1, text: 1, createdAt: 1 },
  )
    .sort({ _id: 1 })
    .limit(MAX_MESSAGES)
    .lean();
  const unmatched = await UnmatchedQuestionModel.countDocuments({
    shopId: c.shopId,
    workflowId: c.workflowId,
    createdAt: { $gte: c.openedAt },
  });
  const inbound = msgs.filter((m) => m.direction === 'in');
  const outbound = msgs.filter((m) => m.direction === 'out');
  const trackingStatuses = outbound.some((m) => m.source === 'customs') ? ['customs_hold'] : [];
  const auto = tagConversation({ intents: [c.intent], trackingStatuses, texts: inbound.map((m) => m.text ?? ''), language: c.language });
  const firstIn = inbound[0]?.createdAt;
  const firstOut = firstIn ? outbound.find((m) => m.createdAt! >= firstIn)?.createdAt : undefined;
  const firstResponseMs = firstIn && firstOut ? firstOut.getTime() - firstIn.getTime() : null;
  const handoff = handedOff(c);
  const fcr = c.resolved === true && !handoff;
  // Bot first response: first buyer message → first bot reply. Agent: handoff (else first buyer message) → first human reply after it.
  const firstBot = firstIn ? outbound.find((m) => m.author === 'bot' && m.createdAt! >= firstIn)?.createdAt : undefined;
  const agentFrom = c.handedOffAt ?? firstIn;
  const firstAgent =
    handoff && agentFrom
      ? outbound.find((m) => (m.author === 'agent' || m.author === 'seller') && m.createdAt! >= agentFrom)?.createdAt
      : undefined;
  // Resolution: first buyer message (else the open) → close, of resolved conversations; bot without a handoff, agent after one.
  const resolutionMs = c.resolved === true ? closedAt.getTime() - (firstIn ?? c.openedAt).getTime() : null;
  const facts = await orderFacts(c);

  // Messages written as each turn happened (activities/insights/turn-events.ts) are not written again;
  // a conversation that has none (it ran before turn events, or they were lost) gets them from its messages.
  const turnEvents = await ServiceEventModel.exists({
    workflowId: c.workflowId,
    at: { $gte: c.openedAt },
    type: { $in: ['message_in', 'message_out'] },
  });
  const base = { shopId: c.shopId, workflowId: c.workflowId, channel: c.channel };
  const k = `${c.workflowId}:${c.openedAt.getTime()}`;
  const events: ServiceEvent[] = [
    ...(turnEvents ? [] : messageEvents(k, base, c, inbound, outbound)),
    ...(handoff
      ? [{ ...base, at: closedAt, key: `${k}:handoff`, data: { type: 'handoff' as const, reason: c.handoffReason ?? null } }]
      : []),
    {
      ...base,
      at: closedAt,
      key: `${k}:outcome`,
      data: {
        type: 'outcome',
        resolved: c.resolved ?? null,
        npsScore: c.npsScore ?? null,
        rootCauses: auto,
        closeReason: c.closeReason ?? null,
      },
    },
  ];
  await writeServiceEvents(events);
  const edited = !!c.rootCausesEditedBy;
  const tags = edited ? (c.rootCauses ?? auto) : auto;
  await ConversationModel.updateOne(
    { _id: c._id },
    {
      $set: {
        rootCausesAuto: auto,
        ...(edited ? {} : { rootCauses: auto }),
        fcr,
        firstResponseMs,
        rcCountry: facts.country,
        rcCarrier: facts.carrier,
        rcSkus: facts.skus,
      },
    },
  );
  const key = await rollupKeyOf({ ...c, closedAt });
  await bumpRollup(key, {
    closed: 1,
    resolved: c.resolved === true ? 1 : 0,
    botOnly: handoff ? 0 : 1,
    handoff: handoff ? 1 : 0,
    ...(handoff ? { [`handoffReason.${fieldSafe(c.handoffReason ?? 'agent')}`]: 1 } : {}),
    fcr: fcr ? 1 : 0,
    messagesIn: inbound.length,
    messagesOut: outbound.length,
    unmatched,
    frtMsSum: firstResponseMs ?? 0,
    frtCount: firstResponseMs === null ? 0 : 1,
    ...durationCounters('frtBot', firstBot && firstIn ? firstBot.getTime() - firstIn.getTime() : null),
    ...durationCounters('frtAgent', firstAgent && agentFrom ? firstAgent.getTime() - agentFrom.getTime() : null),
    ...durationCounters(handoff ? 'rtAgent' : 'rtBot', resolutionMs),
    ...causeCounters(tags, facts),
  });
  // The buyer came back on the same intent within the window: the earlier conversation was not resolved at first contact.
  if (c.intent) {
    const earlier = await ConversationModel.findOneAndUpdate(
      {
        shopId: c.shopId,
        buyerId: c.buyerId,
        intent: c.intent,
        fcr: true,
        _id: { $ne: c._id },
        closedAt: { $gte: new Date(c.openedAt.getTime() - settings.fcrWindowMs), $lte: c.openedAt },
      },
      { $set: { fcr: false } },
      { returnDocument: 'before', sort: { closedAt: -1 } },
    ).lean();
    if (earlier)
      await bumpRollup(await rollupKeyOf(earlier), {
        fcr: -1,
        repeatWithin24h: 1 /* the counter's historical name: repeats within the FCR window */,
      });
  }
}

/** An NPS answer arrived (first time for this conversation): its score counters, bot-only or agent-handled. */
export async function recordNpsInsight(input: { workflowId: string; closedAt: Date; score: number }): Promise<void> {
  const c = await ConversationModel.findOne({ workflowId: input.workflowId, closedAt: input.closedAt }).lean();
  if (!c) return;
  const who = handedOff(c) ? 'npsAgent' : 'npsBot';
  await writeServiceEvents([
    {
      shopId: c.shopId,
      workflowId: c.workflowId,
      channel: c.channel,
      at: new Date(),
      key: `${c.workflowId}:${c.openedAt.getTime()}:nps`,
      data: {
        type: 'outcome',
        resolved: c.resolved ?? null,
        npsScore: input.score,
        rootCauses: c.rootCauses ?? [],
        closeReason: c.closeReason ?? null,
      },
    },
  ]);
  await bumpRollup(await rollupKeyOf({ ...c, closedAt: input.closedAt }), { [`nps.${input.score}`]: 1, [`${who}.${input.score}`]: 1 });
}
