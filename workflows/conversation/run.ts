/**
 * One run of the conversation workflow (core v2). It owns every timer and decides every reply:
 *
 *   buyer message → understand → the buyer's orders (facts) → decide (answer-plan.ts) → live facts
 *   (trackParcel) → renderReply (the decided text, recorded in history) → sendToBuyer (records and
 *   delivers exactly that text)
 *
 * State transitions live in lifecycle.ts (a plain class, unit-tested without Temporal); this file
 * wires signals, timers and activities to it. Deterministic: time from the workflow clock, no I/O.
 */
import {
  ActivityFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { InboundMessage } from '../../infra/channel-contract.js';
import type { Activities, DecidedMessage, OrderFact, RenderRequest, Understanding } from '../../activities/index.js';
import * as contract from '../contract.js';
import { handoffReason } from '../handoff-rules.js';
import { parseNpsScore } from '../nps-score.js';
import { searchAttributeKeys } from '../search-attribute-keys.js';
import type { ConversationInput, ConversationResult, ConversationSnapshot, ConversationState } from '../types.js';
import { chooseFocus, fallbackPlan, needsOrderFacts, planAnswer, replyLocale, type AnswerPlan } from './answer-plan.js';
import { ConversationLifecycle, defaultStrategy, initialState, type Effect } from './lifecycle.js';

const SEEN_IDS_KEPT = 500;
/**
 * A send pinned to the process holding the connection waits this long for that process to pick it
 * up; then the holder is taken for gone and asked for again (its lease, models/channel-session.ts,
 * runs out after 30 s too).
 */
const PINNED_SEND_START_TIMEOUT = '30 seconds';

type HumanEvent =
  | { type: 'accepted'; agentId: string }
  | { type: 'message'; agentId: string; text: string }
  | { type: 'seller'; agentId?: string }
  | { type: 'released' }
  | { type: 'close'; reason: string; resolved: boolean };

export async function conversationV2(input: ConversationInput): Promise<ConversationResult> {
  const { shopId, channel, buyerId, config } = input;
  const retry = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 };
  const acts = proxyActivities<Activities>({ startToCloseTimeout: config.activityTimeoutMs ?? 30_000, retry });
  // Live data for an answer: a carrier that is down must not hold the reply for minutes (the FAQ answers instead).
  const live = proxyActivities<Activities>({ startToCloseTimeout: '20 seconds', retry: { ...retry, maximumAttempts: 2 } });
  // Rendering and the shop profile: short, local to this worker; their results are recorded in history.
  const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '15 seconds', retry: { ...retry, maximumAttempts: 5 } });

  const workflowId = workflowInfo().workflowId;
  const ref = { channel, shopId, buyerId, workflowId };
  const st: ConversationState = input.carried?.state ?? initialState(Date.now());
  if (input.carried?.fresh)
    Object.assign(st, initialState(Date.now()), { seq: st.seq, seenExternalIds: st.seenExternalIds, continuedRuns: st.continuedRuns });
  const lc = new ConversationLifecycle(st, config);
  const inbox: InboundMessage[] = [...(input.carried?.inbox ?? [])];
  const events: HumanEvent[] = [];
  const seen = new Set(st.seenExternalIds);
  let busy = false;

  const firstSeen = (externalId: string): boolean => {
    if (seen.has(externalId)) {
      log.info('duplicate signal ignored', { externalId });
      return false;
    }
    seen.add(externalId);
    st.seenExternalIds.push(externalId);
    if (st.seenExternalIds.length > SEEN_IDS_KEPT) seen.delete(st.seenExternalIds.shift()!);
    return true;
  };
  setHandler(contract.buyerMessage, (m) => void (firstSeen(m.externalId) && inbox.push(m)));
  setHandler(contract.sellerReply, (r) => void (firstSeen(r.externalId) && events.push({ type: 'seller', agentId: r.agentId })));
  setHandler(contract.agentAccepted, ({ agentId }) => void events.push({ type: 'accepted', agentId }));
  setHandler(contract.agentMessage, ({ agentId, text }) => void events.push({ type: 'message', agentId, text }));
  setHandler(contract.agentReleased, () => void events.push({ type: 'released' }));
  setHandler(
    contract.closeConversation,
    ({ reason, resolved }) => void events.push({ type: 'close', reason, resolved: resolved ?? reason === 'resolved' }),
  );
  setHandler(contract.snapshot, (): ConversationSnapshot => ({
    ...st,
    seenExternalIds: [...st.seenExternalIds],
    workflowId,
    runId: workflowInfo().runId,
    shopId,
    channel,
    buyerId,
    pendingInbox: inbox.length,
    busy,
  }));

  // ---- saying things --------------------------------------------------------------------
  const renderInput = (request: RenderRequest) => ({
    shopId,
    locale: replyLocale(st.language, st),
    requestedLanguage: st.language,
    defaultLanguage: st.profile?.defaultLanguage,
    request,
  });
  const render = (request: RenderRequest) => local.renderReply(renderInput(request));

  /**
   * sendToBuyer where the channel's connection is. A process-bound channel (Baileys WhatsApp: the
   * socket lives in one process) is sent on the task queue of the process holding the shop's session;
   * if that process does not pick it up in time (gone), ask once more. No holder known: the shared
   * queue, as for every other channel.
   */
  async function sendToBuyer(input: { ref: typeof ref; key: string; message: DecidedMessage }): Promise<void> {
    if (!config.processBoundChannels?.includes(channel)) {
      await acts.sendToBuyer(input);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const { taskQueue } = await acts.sendQueueFor({ channel, shopId });
      if (!taskQueue) {
        await acts.sendToBuyer(input);
        return;
      }
      const pinned = proxyActivities<Activities>({
        taskQueue,
        scheduleToStartTimeout: PINNED_SEND_START_TIMEOUT,
        startToCloseTimeout: config.activityTimeoutMs ?? 30_000,
        retry,
      });
      try {
        await pinned.sendToBuyer(input);
        return;
      } catch (e) {
        const gone =
          e instanceof ActivityFailure && e.cause instanceof TimeoutFailure && e.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
        if (!gone || attempt >= 2) throw e;
        log.warn('the process holding the connection did not take the send; asking again', { key: input.key, taskQueue });
      }
    }
  }

  /** Record and deliver a decided message. False when the platform kept refusing (recorded as failed). */
  async function deliver(message: DecidedMessage): Promise<boolean> {
    const key = `${workflowId}:${workflowInfo().runId}:${st.seq++}`;
    try {
      await sendToBuyer({ ref, key, message });
      return true;
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      log.error('send failed after retries', { key, error: String(e.cause ?? e) });
      return false;
    }
  }
  async function say(request: RenderRequest): Promise<void> {
    const m = await render(request);
    if (m) await deliver(m);
  }

  async function nudge(withCoupon: boolean): Promise<void> {
    if (withCoupon && st.nudges === 1) {
      try {
        const r = await acts.claimNudgeCoupon({ shopId, channel, buyerId, workflowId, claimKey: `${workflowId}:${workflowInfo().runId}` });
        if (r.coupon) return say({ kind: 'coupon_nudge', coupon: r.coupon });
        log.info('plain nudge', { coupon: r.status });
      } catch (e) {
        // A coupon is a bonus: if the pool cannot be reached, the buyer still gets the nudge.
        if (!(e instanceof ActivityFailure)) throw e;
        log.error('coupon claim failed after retries; plain nudge', { error: String(e.cause ?? e) });
      }
    }
    await say({ kind: 'system', message: 'silence_nudge' });
  }

  async function apply(effects: Effect[]): Promise<void> {
    for (const e of effects) {
      if (e.type === 'say') await say({ kind: 'system', message: e.message });
      else if (e.type === 'nudge') await nudge(e.coupon);
      else if (e.type === 'relay') await say({ kind: 'agent', agentId: e.agentId, text: e.text });
      else await acts.notifyOperators({ workflowId, shopId, channel, buyerId, kind: e.kind, tier: e.tier, reason: e.reason });
    }
  }

  // ---- deciding the answer --------------------------------------------------------------
  async function answer(plan: AnswerPlan, u: Understanding): Promise<DecidedMessage | null> {
    switch (plan.kind) {
      case 'track': {
        const parcels = [];
        for (const p of plan.parcels) {
          try {
            parcels.push(await live.trackParcel({ trackingNumber: p.trackingNumber, carrierHint: p.carrier ?? undefined, shopId }));
          } catch (e) {
            if (!(e instanceof ActivityFailure)) throw e;
            log.warn('tracking unavailable', { trackingNumber: p.trackingNumber, error: String(e.cause ?? e) });
          }
        }
        const withEvents = parcels.filter((p) => p.events.length > 0);
        const m = withEvents.length ? await render({ kind: 'tracking', parcels: withEvents, country: plan.country }) : null;
        return m ?? answer(fallbackPlan(u), u);
      }
      case 'returns':
        return (await render({ kind: 'returns', country: plan.country, sku: plan.sku })) ?? answer(fallbackPlan(u), u);
      case 'order_status':
        return render({ kind: 'order_status', orderNumber: plan.orderNumber, status: plan.status });
      case 'faq':
        return render({ kind: 'faq', faqId: plan.faqId });
      case 'not_understood':
        return render({ kind: 'system', message: 'not_understood' });
    }
  }

  async function onBuyerMessage(m: InboundMessage): Promise<void> {
    const turn = lc.buyerWrote(Date.now());
    const u = await acts.understand({ shopId, text: m.text, languageHint: st.language, workflowId });
    lc.understood(u, turn === 'bot');
    // A human has (or is about to have) the conversation: intake stored the message for them; the bot stays quiet.
    if (turn !== 'bot') return;
    const orderRefs = m.orderRefs ?? [];
    let orders: OrderFact[] = [];
    if (needsOrderFacts(u, orderRefs)) {
      const facts = await acts.lookupBuyerFacts({ shopId, channel, buyerId, orderNumbers: u.orderNumbers, orderRefs });
      orders = facts.orders ?? [];
    }
    const { focus, changed } = chooseFocus(u, orderRefs, orders, st.focusOrder);
    st.focusOrder = focus;
    if (focus) st.orderValueUsd = focus.totalUsd;
    if (lc.mayHandOff()) {
      // The order-value rule looks at the order this message is about, once, when it becomes the focus.
      const reason = handoffReason(st, u, config, changed ? focus!.totalUsd : null);
      if (reason) {
        log.info('handoff', { reason });
        return apply(lc.startHandoff(reason, Date.now()));
      }
    }
    const focusFact = focus ? (orders.find((o) => o.orderNumber === focus.orderNumber) ?? null) : null;
    const reply = await answer(planAnswer(u, focusFact), u);
    if (reply) await deliver(reply);
    lc.botReplied({ asksQuestion: reply?.asksQuestion ?? false, understood: u.understood }, Date.now());
  }

  function onHumanEvent(e: HumanEvent): Effect[] {
    const now = Date.now();
    switch (e.type) {
      case 'accepted':
        return lc.agentAccepted(e.agentId, now);
      case 'message':
        return lc.agentMessage(e.agentId, e.text, now);
      case 'seller':
        log.info('seller replied in the platform inbox; the bot goes quiet', { agentId: e.agentId });
        return lc.sellerReplied(e.agentId, now);
      case 'released':
        return lc.released(now);
      case 'close':
        return lc.close(e.reason, e.resolved, now);
    }
  }

  // ---- the record operators see ----------------------------------------------------------
  let lastPublished = '';
  async function publish(): Promise<void> {
    const fingerprint = JSON.stringify([
      st.status,
      st.intent,
      st.language,
      st.escalated,
      st.orderValueUsd,
      st.turns,
      st.tier,
      st.npsScore,
      st.closeReason,
      st.agentId,
      st.focusOrder?.orderNumber,
    ]);
    if (fingerprint === lastPublished) return;
    lastPublished = fingerprint;
    if (config.searchAttributes) {
      const pairs: SearchAttributeUpdatePair[] = [
        { key: searchAttributeKeys.status, value: st.status },
        { key: searchAttributeKeys.escalated, value: st.escalated },
        { key: searchAttributeKeys.orderValue, value: st.orderValueUsd ?? 0 },
      ];
      if (st.intent) pairs.push({ key: searchAttributeKeys.intent, value: st.intent });
      if (st.language) pairs.push({ key: searchAttributeKeys.language, value: st.language });
      upsertSearchAttributes(pairs);
    }
    await acts.recordConversation({ workflowId, runId: workflowInfo().runId, shopId, channel, buyerId, state: st });
  }

  async function restartFresh(next: InboundMessage[]): Promise<never> {
    log.info('new conversation after close', { pending: next.length });
    await acts.recordConversation({ workflowId, runId: workflowInfo().runId, shopId, channel, buyerId, state: st });
    return continueAsNew<typeof conversationV2>({ ...input, carried: { state: st, inbox: next, fresh: true } });
  }

  /** A message to a closed conversation: its NPS answer, or the start of a new conversation. */
  async function afterClose(): Promise<ConversationResult> {
    const first = inbox[0]!;
    const score = lc.awaitingNpsAnswer() ? parseNpsScore(first.text) : null;
    if (score === null) return restartFresh(inbox.splice(0));
    inbox.shift();
    st.npsScore = score;
    await acts.storeNpsAnswer({
      workflowId,
      shopId,
      channel,
      buyerId,
      score,
      text: first.text,
      language: st.language,
      closedAt: new Date(st.closedAt!).toISOString(),
    });
    await say({ kind: 'system', message: 'nps_thanks' });
    await publish();
    if (inbox.length > 0) return restartFresh(inbox.splice(0));
    return lc.outcome()!;
  }

  // ---- main loop ------------------------------------------------------------------------
  st.profile ??= await local.loadShopProfile({ shopId, defaults: defaultStrategy(config) });
  await publish();
  for (;;) {
    const i = workflowInfo();
    if (inbox.length === 0 && events.length === 0 && (i.continueAsNewSuggested || i.historyLength > config.historyEventLimit)) {
      st.continuedRuns += 1;
      log.info('continue-as-new', { historyLength: i.historyLength, turns: st.turns });
      return continueAsNew<typeof conversationV2>({ ...input, carried: { state: st, inbox: [] } });
    }
    const deadline = lc.nextDeadline();
    const pending = () => inbox.length > 0 || events.length > 0;
    const woke =
      deadline === undefined ? (await condition(pending), true) : await condition(pending, Math.max(1, deadline.at - Date.now()));
    busy = true;
    if (woke) {
      while (events.length > 0) await apply(onHumanEvent(events.shift()!));
      if (inbox.length > 0) {
        if (st.status === 'closed') return afterClose();
        await onBuyerMessage(inbox.shift()!);
      }
    } else if (deadline) {
      await apply(lc.fire(deadline.what, Date.now()));
      const out = lc.outcome(deadline.what);
      if (out) {
        await publish();
        return out;
      }
    }
    await publish();
    // Ended without resolution: no survey to wait for; a later message starts a new run.
    const out = lc.outcome();
    if (out && !pending()) return out;
    busy = false;
  }
}
