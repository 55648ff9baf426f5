/**
 * FROZEN: the conversation workflow as it ran before core v2 (workflows/conversation.ts), kept so
 * that runs started before the change replay and finish as they began (patch 'core-v2'). Do not
 * change its behaviour; delete it once no run of it is open (Temporal UI: runs without the
 * 'core-v2' marker, or `temporal workflow list --query "WorkflowType='conversation'"` older than
 * the deploy). The send activity still accepts its `content` input for its in-flight retries.
 *
 * One buyer conversation: `conv:{shopId}:{channel}:{buyerId}`, started by signalWithStart.
 *
 * The workflow owns every timer (silence nudge, idle close, agent SLA / escalation, NPS delay and
 * answer window) and decides; activities do all I/O. Deterministic: time comes from the SDK's
 * workflow clock (`Date.now()` inside a workflow is replay-safe), no I/O, no randomness.
 */
import {
  ActivityFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { InboundMessage } from '../../infra/channel-contract.js';
import type { Activities, OutboundContent, SystemMessageKind, Understanding } from '../../activities/index.js';
import { searchAttributeKeys } from '../search-attribute-keys.js';
import { countStreaks, handoffReason } from '../handoff-rules.js';
import { parseNpsScore } from '../nps-score.js';
import { initialState } from '../conversation/lifecycle.js';
import * as sig from '../contract.js';
import type {
  ConversationInput,
  ConversationResult,
  ConversationSnapshot,
  ConversationState,
  ConversationStatus,
  HandoffReason,
} from '../types.js';

function activities(startToCloseMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: startToCloseMs,
    retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
  });
}

const SEEN_IDS_KEPT = 500;

type AgentEvent =
  | { type: 'accepted'; agentId: string }
  | { type: 'message'; agentId: string; text: string }
  | { type: 'released' }
  | { type: 'close'; reason: string };

export async function conversationV1(input: ConversationInput): Promise<ConversationResult> {
  const { shopId, channel, buyerId, config } = input;
  const acts = activities(config.activityTimeoutMs ?? 30_000);
  const info = workflowInfo();
  const workflowId = info.workflowId;
  const ref = { channel, shopId, buyerId, workflowId };
  const st: ConversationState = input.carried?.state ?? initialState(Date.now());
  if (input.carried?.fresh) Object.assign(st, initialState(Date.now()), { seq: st.seq, seenExternalIds: st.seenExternalIds });
  const inbox: InboundMessage[] = [...(input.carried?.inbox ?? [])];
  const events: AgentEvent[] = [];
  const seen = new Set(st.seenExternalIds);
  /** True while the loop is handling a message, event or deadline (for the snapshot). */
  let busy = false;

  setHandler(sig.buyerMessage, (m) => {
    if (seen.has(m.externalId)) {
      log.info('duplicate buyer message ignored', { externalId: m.externalId });
      return;
    }
    seen.add(m.externalId);
    st.seenExternalIds.push(m.externalId);
    if (st.seenExternalIds.length > SEEN_IDS_KEPT) seen.delete(st.seenExternalIds.shift()!);
    inbox.push(m);
  });
  setHandler(sig.agentAccepted, ({ agentId }) => void events.push({ type: 'accepted', agentId }));
  setHandler(sig.agentMessage, ({ agentId, text }) => void events.push({ type: 'message', agentId, text }));
  setHandler(sig.agentReleased, () => void events.push({ type: 'released' }));
  setHandler(sig.closeConversation, ({ reason }) => void events.push({ type: 'close', reason }));
  setHandler(sig.snapshot, (): ConversationSnapshot => ({
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

  // ---- effects (each goes through an activity) --------------------------------------------
  async function send(content: OutboundContent): Promise<boolean> {
    const key = `${workflowId}:${workflowInfo().runId}:${st.seq++}`;
    try {
      const res = await acts.sendToBuyer({ ref, key, content, language: st.language });
      return res.asksQuestion;
    } catch (e) {
      // The platform kept refusing (retries exhausted): the message is recorded as failed in
      // MongoDB for the operator; the conversation goes on.
      if (!(e instanceof ActivityFailure)) throw e;
      log.error('send failed after retries', { key, error: String(e.cause ?? e) });
      return false;
    }
  }
  const sendSystem = (message: SystemMessageKind) => send({ kind: 'system', message });

  let lastPublished = '';
  async function publish(): Promise<void> {
    const sa = {
      status: st.status,
      intent: st.intent ?? '',
      language: st.language ?? '',
      escalated: st.escalated,
      orderValue: st.orderValueUsd ?? 0,
    };
    const fingerprint = JSON.stringify([sa, st.turns, st.tier, st.npsScore, st.closeReason, st.agentId]);
    if (fingerprint === lastPublished) return;
    lastPublished = fingerprint;
    if (config.searchAttributes) {
      const pairs: SearchAttributeUpdatePair[] = [
        { key: searchAttributeKeys.status, value: sa.status },
        { key: searchAttributeKeys.escalated, value: sa.escalated },
        { key: searchAttributeKeys.orderValue, value: sa.orderValue },
      ];
      if (sa.intent) pairs.push({ key: searchAttributeKeys.intent, value: sa.intent });
      if (sa.language) pairs.push({ key: searchAttributeKeys.language, value: sa.language });
      upsertSearchAttributes(pairs);
    }
    await acts.recordConversation({ workflowId, runId: workflowInfo().runId, shopId, channel, buyerId, state: st });
  }

  function setStatus(status: ConversationStatus): void {
    if (st.status !== status) log.info('conversation status', { from: st.status, to: status });
    st.status = status;
  }

  // ---- transitions ----------------------------------------------------------------------
  async function startHandoff(reason: HandoffReason): Promise<void> {
    setStatus('waiting_agent');
    st.handoffReason = reason;
    st.tier = 0;
    st.tierStartedAt = Date.now();
    st.awaitingReplySince = null;
    await sendSystem('handoff_notice');
    await acts.notifyOperators({ workflowId, shopId, channel, buyerId, kind: 'handoff', tier: 0, reason });
  }

  async function onSlaExpired(): Promise<void> {
    st.tier += 1;
    if (st.tier <= config.maxEscalationTiers) {
      st.escalated = true;
      st.tierStartedAt = Date.now();
      await acts.notifyOperators({ workflowId, shopId, channel, buyerId, kind: 'escalation', tier: st.tier, reason: st.handoffReason });
      await sendSystem('handoff_still_waiting');
    } else {
      // Bound reached: tell the buyer, leave a record for follow-up, and let the bot answer again.
      await acts.notifyOperators({
        workflowId,
        shopId,
        channel,
        buyerId,
        kind: 'handoff_expired',
        tier: st.tier,
        reason: st.handoffReason,
      });
      await sendSystem('handoff_unavailable');
      setStatus('bot');
      st.tierStartedAt = null;
    }
  }

  async function close(reason: string): Promise<void> {
    setStatus('closed');
    st.closedAt = Date.now();
    st.closeReason = reason;
    st.awaitingReplySince = null;
    await sendSystem('closed');
  }

  async function handleBuyerMessage(m: InboundMessage): Promise<void> {
    st.turns += 1;
    st.lastActivityAt = Date.now();
    st.awaitingReplySince = null;
    const u: Understanding = await acts.understand({ shopId, text: m.text, languageHint: st.language });
    st.language = u.language;
    // A human owns (or is about to own) the conversation: the gateway stored the message for the
    // agent; the bot stays quiet and only keeps the language current for system notices.
    if (st.status === 'agent' || st.status === 'waiting_agent') return;
    st.intent = u.intent;
    if (u.orderNumbers.length > 0 || st.orderValueUsd === null) {
      const facts = await acts.lookupBuyerFacts({ shopId, channel, buyerId, orderNumbers: u.orderNumbers });
      if (facts.orderValueUsd !== null) st.orderValueUsd = Math.max(st.orderValueUsd ?? 0, facts.orderValueUsd);
    }
    countStreaks(st, u);
    const reason = handoffReason(st, u, config);
    if (reason) {
      log.info('handoff', { reason });
      await startHandoff(reason);
      return;
    }
    const asks = await send({ kind: 'answer', understanding: u });
    st.awaitingReplySince = asks ? Date.now() : null;
  }

  async function handleAgentEvent(e: AgentEvent): Promise<void> {
    st.lastActivityAt = Date.now();
    switch (e.type) {
      case 'accepted':
        if (st.status === 'closed') return;
        setStatus('agent');
        st.agentId = e.agentId;
        st.tierStartedAt = null;
        st.awaitingReplySince = null;
        await sendSystem('agent_joined');
        return;
      case 'message':
        if (st.status === 'closed') return;
        if (st.status !== 'agent') {
          setStatus('agent');
          st.agentId = e.agentId;
          st.tierStartedAt = null;
        }
        await send({ kind: 'agent', agentId: e.agentId, text: e.text });
        return;
      case 'released':
        if (st.status !== 'agent' && st.status !== 'waiting_agent') return;
        setStatus('bot');
        st.agentId = null;
        st.tierStartedAt = null;
        st.complaintStreak = 0;
        st.lowConfidenceStreak = 0;
        await sendSystem('back_to_bot');
        return;
      case 'close':
        if (st.status !== 'closed') await close(e.reason);
        return;
    }
  }

  /** The next moment something must happen without a signal, or undefined = none. */
  function nextDeadline(): { at: number; what: 'nudge' | 'idle' | 'sla' | 'nps' | 'nps_expired' } | undefined {
    if (st.status === 'closed') {
      if (st.npsSentAt === null) return { at: st.closedAt! + config.npsDelayMs, what: 'nps' };
      return { at: st.npsSentAt + config.npsAnswerWindowMs, what: 'nps_expired' };
    }
    if (st.status === 'waiting_agent') return { at: st.tierStartedAt! + config.agentSlaMs, what: 'sla' };
    const idle = { at: st.lastActivityAt + config.idleCloseMs, what: 'idle' as const };
    if (st.status === 'bot' && st.awaitingReplySince !== null && !st.nudged) {
      const nudgeAt = st.awaitingReplySince + config.silenceNudgeMs;
      if (nudgeAt < idle.at) return { at: nudgeAt, what: 'nudge' };
    }
    return idle;
  }

  /**
   * The silence nudge, with a coupon when the shop enables them and one is bound to this buyer
   * (the activity decides: disabled / already given / pool empty → plain nudge). Histories from
   * before coupons existed replay without the claim (patch 'nudge-coupon').
   */
  async function nudge(): Promise<void> {
    if (patched('nudge-coupon')) {
      const claimKey = `${workflowId}:${workflowInfo().runId}`;
      try {
        const r = await acts.claimNudgeCoupon({ shopId, channel, buyerId, workflowId, claimKey });
        if (r.coupon) {
          await send({ kind: 'coupon_nudge', coupon: r.coupon });
          return;
        }
        log.info('plain nudge', { coupon: r.status });
      } catch (e) {
        // A coupon is a bonus: if the pool cannot be reached, the buyer still gets the nudge.
        if (!(e instanceof ActivityFailure)) throw e;
        log.error('coupon claim failed after retries; plain nudge', { error: String(e.cause ?? e) });
      }
    }
    await sendSystem('silence_nudge');
  }

  function shouldContinueAsNew(): boolean {
    const i = workflowInfo();
    return i.continueAsNewSuggested || i.historyLength > config.historyEventLimit;
  }

  async function restartFresh(next: InboundMessage[]): Promise<never> {
    log.info('new conversation after close', { pending: next.length });
    await acts.recordConversation({ workflowId, runId: workflowInfo().runId, shopId, channel, buyerId, state: st });
    return continueAsNew<typeof conversationV1>({ ...input, carried: { state: st, inbox: next, fresh: true } });
  }

  // ---- main loop ------------------------------------------------------------------------
  await publish();
  for (;;) {
    if (inbox.length === 0 && events.length === 0 && shouldContinueAsNew()) {
      st.continuedRuns += 1;
      log.info('continue-as-new', { historyLength: workflowInfo().historyLength, turns: st.turns });
      return continueAsNew<typeof conversationV1>({ ...input, carried: { state: st, inbox: [] } });
    }
    const deadline = nextDeadline();
    const wait = deadline ? Math.max(1, deadline.at - Date.now()) : undefined;
    const woke =
      wait === undefined
        ? (await condition(() => inbox.length > 0 || events.length > 0), true)
        : await condition(() => inbox.length > 0 || events.length > 0, wait);

    busy = true;
    if (woke) {
      while (events.length > 0) await handleAgentEvent(events.shift()!);
      if (inbox.length > 0) {
        if (st.status === 'closed') {
          const first = inbox[0]!;
          const score = st.npsSentAt !== null && st.npsScore === null ? parseNpsScore(first.text) : null;
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
          await sendSystem('nps_thanks');
          await publish();
          if (inbox.length > 0) return restartFresh(inbox.splice(0));
          return { outcome: 'nps_answered', npsScore: score, turns: st.turns };
        }
        await handleBuyerMessage(inbox.shift()!);
      }
    } else if (deadline) {
      switch (deadline.what) {
        case 'nudge':
          st.nudged = true;
          st.awaitingReplySince = null;
          await nudge();
          break;
        case 'idle':
          await close('idle');
          break;
        case 'sla':
          await onSlaExpired();
          break;
        case 'nps':
          st.npsSentAt = Date.now();
          await sendSystem('nps_question');
          break;
        case 'nps_expired':
          await publish();
          return { outcome: 'nps_unanswered', npsScore: null, turns: st.turns };
      }
    }
    await publish();
    busy = false;
  }
}
