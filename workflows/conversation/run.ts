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
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { InboundMessage } from '../../infra/channel-contract.js';
import type { Activities, DecidedMessage, OrderFact, RenderRequest, TrackingResult, Understanding } from '../../activities/index.js';
import * as contract from '../contract.js';
import type { BuyerMessageSignal } from '../contract.js';
import { withChannelStrategy } from '../contract.js';
import { handoffReason } from '../handoff-rules.js';
import { parseNpsScore } from '../nps-score.js';
import { searchAttributeKeys } from '../search-attribute-keys.js';
import type { ConversationInput, ConversationResult, ConversationSnapshot, ConversationState, PendingAsk, ShopProfile } from '../types.js';
import { chooseFocus, fallbackPlan, needsOrderFacts, planAnswer, replyLocale, withoutUnavailable, type AnswerPlan } from './answer-plan.js';
import {
  ASKS_FOR_ORDER,
  askFor,
  DIALOGUE_CHOICE_PATCH,
  DIALOGUE_SLOTS_PATCH,
  remember,
  resumePending,
  stillPending,
  withMemory,
} from './slots.js';
import { ConversationLifecycle, defaultStrategy, initialState, type Effect } from './lifecycle.js';

const SEEN_IDS_KEPT = 500;
/**
 * Buyer messages carry their number in the conversation (`seq`, bots/intake.ts): handled in that
 * order, a number already passed is a duplicate (O(1) memory, however many messages). Runs that
 * started before it keep the externalId memory above.
 */
export const INBOUND_SEQ_PATCH = 'inbound-seq';
/** A newer message waits this long for a missing older number (the relay delivers it); then the gap is remembered and skipped. */
const GAP_WAIT_MS = 60_000;
/** Skipped numbers remembered (each one still accepted once if it comes late). */
const GAPS_KEPT = 1000;
/**
 * A send pinned to the process holding the connection waits this long for that process to pick it
 * up; then the holder is taken for gone and asked for again (its lease, models/channel-session.ts,
 * runs out after 30 s too).
 */
const PINNED_SEND_START_TIMEOUT = '30 seconds';
/**
 * One workflow task per buyer message: understanding, the buyer's orders, rendering, the send and the
 * conversation record run as local activities inside the task that received the signal, instead of
 * one activity task plus one workflow task each (≈ 28 → ≈ 10 history events per message, one server
 * round trip instead of nine; BENCHMARKS.md "Load"). Each is idempotent (the send by its key), so a
 * task retried after a worker crash repeats them safely. Live carrier calls (trackParcel), sends
 * pinned to another process and the rare steps (coupons, NPS, notifications) stay ordinary
 * activities. Search attributes are upserted only when one of them changes. Runs recorded before
 * keep their activities.
 */
export const LOCAL_TURN_PATCH = 'local-turn';
/**
 * The seller's desk (issue 16): a handoff is routed to a queue and an agent by the shop's rules
 * (routeHandoff), outside business hours the buyer is told when someone will answer, an escalated
 * tier moves it to the next queue (escalateHandoff), and a buyer reply in an agent-held
 * conversation notifies that agent. Runs recorded before only notify.
 */
export const DESK_ROUTING_PATCH = 'desk-routing';
/**
 * Rules open tickets (issue 16): a handoff nobody took (handoff_failed), a tracked parcel with a
 * delivery problem (carrier_investigation), a return asked for a named order (return_action), a
 * handoff outside business hours with nobody online (after_hours, with 'desk-routing'). Runs
 * recorded before open none.
 */
export const TICKETS_PATCH = 'tickets';
/**
 * The channel has a say over the strategy (ConversationConfig.channelStrategies, ChannelStrategy):
 * email conversations get no silence nudge and close after hours. Asked only on a channel that
 * says something, so other channels' histories carry no marker.
 */
export const CHANNEL_STRATEGY_PATCH = 'channel-strategy';
/**
 * What the bot says in answer to a buyer message is sent under a key naming that message
 * (`{workflowId}:{runId}:{n}:re:{externalId}`), not only the run's send counter. A run's first task
 * reads how far earlier runs got (lastHandledInboundSeq); when that task's completion was lost
 * after its reply went out (a worker killed mid-task), the retried task reads the number the lost
 * attempt wrote, skips the message it answered and would answer the next one under the counter
 * value the lost attempt used: the send found that key already sent and the buyer got no reply
 * (found by the kill -9 fault suite). Runs recorded before keep the counter-only key.
 */
export const REPLY_KEY_PATCH = 'reply-key-per-message';

type HandoffReasonOrNull = Extract<Effect, { type: 'notify' }>['reason'];

type HumanEvent =
  | { type: 'accepted'; agentId: string }
  | { type: 'message'; agentId: string; text: string; ref?: string }
  | { type: 'seller'; agentId?: string }
  | { type: 'released' }
  | { type: 'close'; reason: string; resolved?: boolean };

export function conversationV2(input: ConversationInput): Promise<ConversationResult> {
  return new ConversationRun(input).run();
}

/**
 * No attempt cap (the SDK refuses maximumAttempts 0: omitted = unlimited): an infrastructure error
 * (MongoDB, the network) is retried with capped backoff until it goes away, and the worker alerts
 * the operators when an activity has been retrying for long (activities/retry-alert.ts). Only bad
 * input fails at once: activities throw it as a non-retryable ApplicationFailure (a platform that
 * keeps refusing a send ends that way too, activities/messaging/send.ts).
 */
const RETRY = { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;

/** One run: its state, the lifecycle over it, what signals queued, and the steps of the product's flow. */
class ConversationRun {
  private readonly acts: ReturnType<typeof proxyActivities<Activities>>;
  /** Opening a ticket: bounded, so a ticket that cannot be opened never holds the conversation (logged instead). */
  private readonly tickets: ReturnType<typeof proxyActivities<Activities>>;
  /** Live data for an answer: a carrier that is down must not hold the reply for minutes (the FAQ answers instead). */
  private readonly live: ReturnType<typeof proxyActivities<Activities>>;
  /** Rendering: short, local to this worker; its result is recorded in history. Retried until it works (the reply is owed). */
  private readonly local: ReturnType<typeof proxyLocalActivities<Activities>>;
  /** The shop profile: local too, bounded (the deployment's defaults apply when it cannot be read). */
  private readonly profileLocal: ReturnType<typeof proxyLocalActivities<Activities>>;
  /** The per-message steps: local activities (patched 'local-turn'), else `acts`. */
  private readonly turn: ReturnType<typeof proxyActivities<Activities>>;
  private readonly localTurn: boolean;
  private lastSearchAttributes = '';
  private readonly workflowId = workflowInfo().workflowId;
  private readonly st: ConversationState;
  private readonly lc: ConversationLifecycle;
  private readonly inbox: InboundMessage[];
  private readonly events: HumanEvent[] = [];
  private readonly seen: Set<string>;
  /** Buyer messages with a `seq` above the next expected one, in seq order (patched 'inbound-seq'). */
  private readonly ahead: BuyerMessageSignal[];
  /** Handle buyer messages by `seq` (new runs); false for runs recorded before (replay). */
  private readonly bySeq: boolean;
  /**
   * The conversation handled messages before it knew their numbers (its earlier runs predate the
   * patch): it starts after the first number it sees, and an older number is accepted if its
   * externalId is not in the old memory. `adoptedBase` is that starting point once taken.
   */
  private adoptBase = false;
  private adoptedBase: number | undefined;
  /** True while the loop handles a message, event or deadline (for the snapshot). */
  private busy = false;
  /** The buyer message being answered (its externalId), for the send key; null outside a turn or without REPLY_KEY_PATCH. */
  private replyingTo: string | null = null;
  private lastPublished = '';
  private deskRoutingOn: boolean | undefined;

  constructor(private readonly input: ConversationInput) {
    const { config } = input;
    this.acts = proxyActivities<Activities>({ startToCloseTimeout: config.activityTimeoutMs ?? 30_000, retry: RETRY });
    this.tickets = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '10 minutes', retry: RETRY });
    this.live = proxyActivities<Activities>({ startToCloseTimeout: '20 seconds', retry: { ...RETRY, maximumAttempts: 2 } });
    this.local = proxyLocalActivities<Activities>({ startToCloseTimeout: '15 seconds', retry: RETRY });
    this.profileLocal = proxyLocalActivities<Activities>({
      startToCloseTimeout: '15 seconds',
      scheduleToCloseTimeout: '2 minutes',
      // No attempt cap: retried until the schedule-to-close bound (a short database outage is waited out).
      retry: { initialInterval: RETRY.initialInterval, backoffCoefficient: RETRY.backoffCoefficient, maximumInterval: '10 seconds' },
    });
    const st: ConversationState = input.carried?.state ?? initialState(Date.now());
    if (input.carried?.fresh)
      Object.assign(st, initialState(Date.now()), {
        seq: st.seq,
        seenExternalIds: st.seenExternalIds,
        continuedRuns: st.continuedRuns,
        ...(st.inSeq !== undefined ? { inSeq: st.inSeq, inSeqGaps: st.inSeqGaps, inSeqWaitSince: st.inSeqWaitSince } : {}),
      });
    this.st = st;
    this.lc = new ConversationLifecycle(st, config);
    this.inbox = [...(input.carried?.inbox ?? [])];
    this.seen = new Set(st.seenExternalIds);
    this.ahead = [...(input.carried?.ahead ?? [])];
    this.bySeq = patched(INBOUND_SEQ_PATCH);
    this.localTurn = patched(LOCAL_TURN_PATCH);
    this.turn = this.localTurn
      ? proxyLocalActivities<Activities>({ startToCloseTimeout: config.activityTimeoutMs ?? 30_000, retry: RETRY })
      : this.acts;
    // A continued run knows where it is (or, continued from a run before the patch, adopts it); a new execution learns it in run().
    if (this.bySeq && input.carried && st.inSeq === undefined) this.adoptBase = true;
    this.setHandlers();
  }

  private get ids() {
    const { shopId, channel, buyerId } = this.input;
    return { workflowId: this.workflowId, shopId, channel, buyerId };
  }

  // ---- signals and the query --------------------------------------------------------------
  private setHandlers(): void {
    const { inbox, events } = this;
    setHandler(contract.buyerMessage, (m) => this.onBuyerSignal(m));
    setHandler(contract.sellerReply, (r) => void (this.firstSeen(r.externalId) && events.push({ type: 'seller', agentId: r.agentId })));
    setHandler(contract.agentAccepted, ({ agentId }) => void events.push({ type: 'accepted', agentId }));
    setHandler(
      contract.agentMessage,
      ({ agentId, text, ref }) => void events.push({ type: 'message', agentId, text, ...(ref ? { ref } : {}) }),
    );
    setHandler(contract.agentReleased, () => void events.push({ type: 'released' }));
    setHandler(contract.closeConversation, ({ reason, resolved }) => void events.push({ type: 'close', reason, resolved }));
    setHandler(contract.snapshot, (): ConversationSnapshot => ({
      ...this.st,
      ...this.ids,
      seenExternalIds: [...this.st.seenExternalIds],
      runId: workflowInfo().runId,
      pendingInbox: inbox.length,
      pendingAhead: this.ahead.length,
      busy: this.busy,
    }));
  }

  /** Redelivered signals carry an externalId already seen: ignored (bounded memory, kept across runs). */
  private firstSeen(externalId: string): boolean {
    const { st, seen } = this;
    if (seen.has(externalId)) {
      log.info('duplicate signal ignored', { externalId });
      return false;
    }
    seen.add(externalId);
    st.seenExternalIds.push(externalId);
    if (st.seenExternalIds.length > SEEN_IDS_KEPT) seen.delete(st.seenExternalIds.shift()!);
    return true;
  }

  /**
   * A buyer message signal. With a `seq` (patched 'inbound-seq'): a number at or below the last
   * handled one is a duplicate (unless it is a gap given up on, arriving late); a newer one waits
   * in `ahead` until the numbers before it have come. Without (older intake, older runs): the
   * bounded externalId memory.
   */
  private onBuyerSignal(m: BuyerMessageSignal): void {
    const { st, ahead } = this;
    if (!this.bySeq || m.seq === undefined) {
      if (this.firstSeen(m.externalId)) this.inbox.push(m);
      return;
    }
    const seq = m.seq;
    if (st.inSeq !== undefined && seq <= st.inSeq) {
      const gap = st.inSeqGaps?.indexOf(seq) ?? -1;
      if (gap < 0 && this.adoptedBase !== undefined && seq <= this.adoptedBase && this.firstSeen(m.externalId)) {
        this.inbox.push(m); // older than the first numbered message this conversation saw, and not in the old memory
        return;
      }
      if (gap < 0) {
        log.info('duplicate signal ignored', { externalId: m.externalId, seq });
        return;
      }
      st.inSeqGaps!.splice(gap, 1);
      log.warn('message arrived after its gap was skipped; handled now', { externalId: m.externalId, seq });
      this.inbox.push(m);
      return;
    }
    if (ahead.some((a) => a.seq === seq)) {
      log.info('duplicate signal ignored', { externalId: m.externalId, seq });
      return;
    }
    ahead.push(m);
    ahead.sort((a, b) => a.seq! - b.seq!);
    this.drainAhead();
  }

  /** Move the messages whose turn has come from `ahead` to the inbox, in seq order. */
  private drainAhead(): void {
    const { st, ahead } = this;
    if (st.inSeq === undefined) {
      if (!this.adoptBase || ahead.length === 0) return; // a new execution: where to start is not known yet
      st.inSeq = this.adoptedBase = ahead[0]!.seq! - 1;
    }
    let moved = false;
    while (ahead.length > 0 && ahead[0]!.seq! <= st.inSeq + 1) {
      const m = ahead.shift()!;
      if (m.seq! <= st.inSeq) continue; // handled by an earlier run of this conversation
      st.inSeq = m.seq!;
      this.inbox.push(m);
      moved = true;
    }
    st.inSeqWaitSince = ahead.length === 0 ? null : moved || st.inSeqWaitSince == null ? Date.now() : st.inSeqWaitSince;
  }

  /** When the wait for a missing number ends (workflow time), if something waits. */
  private gapDeadline(): number | undefined {
    const { st } = this;
    return this.ahead.length > 0 && st.inSeqWaitSince != null ? st.inSeqWaitSince + GAP_WAIT_MS : undefined;
  }

  /** Stop waiting: the missing numbers are remembered (accepted once if they come late) and the next message goes ahead. */
  private skipGap(): void {
    const { st, ahead } = this;
    const next = ahead[0]!.seq!;
    const gaps = (st.inSeqGaps ??= []);
    for (let n = (st.inSeq ?? 0) + 1; n < next; n++) gaps.push(n);
    if (gaps.length > GAPS_KEPT) gaps.splice(0, gaps.length - GAPS_KEPT);
    log.warn('buyer messages missing; going on without them', { from: (st.inSeq ?? 0) + 1, to: next - 1 });
    st.inSeq = next - 1;
    this.drainAhead();
  }

  private pending(): boolean {
    return this.inbox.length > 0 || this.events.length > 0;
  }

  /** Nothing queued and nothing waiting for a missing number: the run may end. */
  private settled(): boolean {
    return !this.pending() && this.ahead.length === 0;
  }

  // ---- the main loop ------------------------------------------------------------------------
  async run(): Promise<ConversationResult> {
    const { st, lc, inbox, events } = this;
    st.profile ??= await this.loadProfile();
    if (this.bySeq && st.inSeq === undefined && !this.adoptBase) {
      const { seq } = await this.local.lastHandledInboundSeq({ workflowId: this.workflowId });
      if (seq === null) this.adoptBase = true;
      else st.inSeq = seq;
      this.drainAhead();
    }
    // With 'local-turn', a run that starts with a message to handle records the conversation once, after answering it.
    if (!(this.localTurn && this.pending())) await this.publish();
    for (;;) {
      if (!this.pending() && this.historyLarge()) return this.continueFresh();
      const deadline = lc.nextDeadline();
      const gapAt = this.gapDeadline();
      const wakeAt = gapAt !== undefined && (deadline === undefined || gapAt < deadline.at) ? gapAt : deadline?.at;
      const pending = () => this.pending();
      const woke = wakeAt === undefined ? (await condition(pending), true) : await condition(pending, Math.max(1, wakeAt - Date.now()));
      if (!woke && gapAt !== undefined && gapAt === wakeAt) {
        this.skipGap();
        continue;
      }
      this.busy = true;
      if (woke) {
        while (events.length > 0) await this.apply(this.onHumanEvent(events.shift()!));
        if (inbox.length > 0) {
          if (st.status === 'closed') {
            const out = await this.afterClose();
            if (out) return out;
          } else await this.onBuyerMessage(inbox.shift()!);
        }
      } else if (deadline) {
        await this.apply(lc.fire(deadline.what, Date.now()));
        const out = lc.outcome(deadline.what);
        await this.publish();
        // A signal that came in meanwhile (an agent's reply, the buyer again) is handled before the run ends.
        if (out && this.settled()) return out;
      }
      await this.publish();
      // Ended without resolution: no survey to wait for; a later message starts a new run.
      const out = lc.outcome();
      if (out && this.settled()) return out;
      this.busy = false;
    }
  }

  private historyLarge(): boolean {
    const i = workflowInfo();
    return i.continueAsNewSuggested || i.historyLength > this.input.config.historyEventLimit;
  }

  private continueFresh(): Promise<never> {
    this.st.continuedRuns += 1;
    log.info('continue-as-new', { historyLength: workflowInfo().historyLength, turns: this.st.turns });
    return continueAsNew<typeof conversationV2>({
      ...this.input,
      carried: { state: this.st, inbox: [], ...(this.ahead.length ? { ahead: this.ahead } : {}) },
    });
  }

  // ---- a buyer message: understand → facts → decide → render → deliver ---------------------
  private async onBuyerMessage(m: InboundMessage): Promise<void> {
    // Asked here, before the turn's first step, as every patch of the turn is.
    this.replyingTo = patched(REPLY_KEY_PATCH) ? m.externalId : null;
    try {
      await this.answerBuyerMessage(m);
    } finally {
      this.replyingTo = null;
    }
  }

  private async answerBuyerMessage(m: InboundMessage): Promise<void> {
    const { st, lc, input } = this;
    const { shopId, channel, buyerId } = input;
    const turn = lc.buyerWrote(Date.now());
    const memory = patched(DIALOGUE_SLOTS_PATCH);
    let u = await this.turn.understand({
      shopId,
      text: m.text,
      languageHint: st.language,
      workflowId: this.workflowId,
      buyer: this.buyer(),
      // Waiting on "what is your order number?": a bare "1234" is read as one.
      ...(memory && st.pending ? { expecting: 'order_number' as const } : {}),
      // Offered as "1. … 2. …" where there are no buttons: a bare "2" picks the second.
      ...(memory && st.pending?.ask === 'which_order' && patched(DIALOGUE_CHOICE_PATCH) ? { choices: st.pending.options } : {}),
    });
    let resumed = false;
    if (memory) {
      ({ u, resumed } = resumePending(u, m.orderRefs ?? [], st.pending));
      u = withMemory(u, st.slots);
    }
    lc.understood(u, turn === 'bot');
    // A human has (or is about to have) the conversation: intake stored the message for them; the bot stays quiet.
    if (turn !== 'bot') {
      // The agent holding it is told (not a seller answering in the platform's own inbox: they see it there).
      if (st.status === 'agent' && st.agentId && st.agentId !== 'platform-inbox' && this.deskRouting())
        await this.acts.notifyOperators({ ...this.ids, kind: 'buyer_reply', tier: st.tier, reason: null, agentId: st.agentId });
      return;
    }
    const orderRefs = m.orderRefs ?? [];
    let orders: OrderFact[] = [];
    let refuse = false;
    if (needsOrderFacts(u, orderRefs)) {
      // Order privacy: only this buyer's orders reach the decision (the rule: activities/commerce/order-access.ts).
      // Histories recorded before it replay the old path.
      const ownOrdersOnly = patched('order-privacy');
      const facts = await this.turn.lookupBuyerFacts({
        shopId,
        channel,
        buyerId,
        orderNumbers: u.orderNumbers,
        orderRefs,
        ...(ownOrdersOnly ? { ownOrdersOnly, trackingNumbers: u.trackingNumbers } : {}),
      });
      orders = facts.orders ?? [];
      if (ownOrdersOnly) ({ u, refuse } = withoutUnavailable(u, facts.unavailable));
    }
    const { focus, changed } = refuse
      ? { focus: st.focusOrder ?? null, changed: false }
      : chooseFocus(u, orderRefs, orders, st.focusOrder, memory ? { askWhich: ASKS_FOR_ORDER } : {});
    st.focusOrder = focus;
    if (focus) st.orderValueUsd = focus.totalUsd;
    if (lc.mayHandOff()) {
      // The order-value rule looks at the order this message is about, once, when it becomes the focus.
      const reason = handoffReason(st, u, input.config, changed ? focus!.totalUsd : null);
      if (reason) {
        log.info('handoff', { reason });
        return this.apply(lc.startHandoff(reason, Date.now()));
      }
    }
    const focusFact = focus ? (orders.find((o) => o.orderNumber === focus.orderNumber) ?? null) : null;
    let ask: PendingAsk | null = null;
    if (memory) {
      st.slots = remember(st.slots, u, focus?.orderNumber ?? null);
      ask = refuse ? null : askFor(u, orders, focus !== null, st.turns);
      // Answered: forgotten. Not answered (or an unknown number): asked again for a turn or two.
      st.pending = ask ?? (resumed && !refuse ? null : stillPending(st.pending, st.turns));
    }
    const reply = ask
      ? await this.render({ kind: 'ask_order', options: ask.options })
      : await this.answer(refuse ? { kind: 'order_unavailable' } : planAnswer(u, focusFact, { orderStatus: memory }), u);
    // Only a reply the buyer got starts the silence clock and can count as resolving the conversation.
    if (reply && (await this.deliver(reply))) lc.botReplied({ asksQuestion: reply.asksQuestion, understood: u.understood }, Date.now());
  }

  /**
   * The buyer on this channel, `conv:{shop}:{channel}:{buyer}`: the workflow id itself, except for
   * a conversation per thread (email), whose id adds the thread. Rule tickets are once per buyer
   * and parcel or order, whichever thread they were asked in (same value as before threads).
   */
  private get buyerKey(): string {
    const { shopId, channel, buyerId } = this.input;
    return `conv:${shopId}:${channel}:${buyerId}`; // conversationWorkflowId() without a thread (workflows import only its types)
  }

  /** The decided message for a plan; live data that is missing or failing falls back to the FAQ answer. */
  private async answer(plan: AnswerPlan, u: Understanding): Promise<DecidedMessage | null> {
    switch (plan.kind) {
      case 'track': {
        const parcels = await this.track(plan.parcels);
        // A parcel with a delivery problem: someone has to ask the carrier (a ticket, once per parcel).
        for (const p of parcels)
          if (p.status === 'exception' && patched(TICKETS_PATCH))
            await this.openRuleTicket(
              'carrier_investigation',
              `Delivery problem: ask ${p.carrier} to investigate ${p.trackingNumber}`,
              'high',
              {
                key: `${this.buyerKey}:carrier_investigation:${p.trackingNumber}`,
                trackingNumber: p.trackingNumber,
              },
            );
        const withEvents = parcels.filter((p) => p.events.length > 0);
        const m = withEvents.length ? await this.render({ kind: 'tracking', parcels: withEvents, country: plan.country }) : null;
        return m ?? this.answer(fallbackPlan(u), u);
      }
      case 'returns': {
        const m = (await this.render({ kind: 'returns', country: plan.country, sku: plan.sku })) ?? (await this.answer(fallbackPlan(u), u));
        // A return asked for a named order (by number or card): someone has to act on it (a ticket, once per order).
        const focus = this.st.focusOrder;
        if (focus && focus.via !== 'buyer_latest' && patched(TICKETS_PATCH))
          await this.openRuleTicket('return_action', `Return requested for order ${focus.orderNumber}`, 'normal', {
            key: `${this.buyerKey}:return_action:${focus.orderNumber}`,
          });
        return m;
      }
      case 'order_status':
        return this.render({ kind: 'order_status', orderNumber: plan.orderNumber, status: plan.status });
      case 'faq': {
        // The matched entry and confidence ride along to the send (the desk shows them); no new command.
        const m = await this.render({ kind: 'faq', faqId: plan.faqId });
        return m && { ...m, faqEntryId: plan.faqId, confidence: u.confidence };
      }
      case 'order_unavailable':
        return this.render({ kind: 'system', message: 'order_not_found' });
      case 'not_understood':
        return this.render({ kind: 'system', message: 'not_understood' });
    }
  }

  /** Every parcel through the carrier (facts in the history); one that fails is left out. */
  private async track(parcels: Array<{ trackingNumber: string; carrier: string | null }>): Promise<TrackingResult[]> {
    // In parallel (scheduled in order, so replay is unchanged): a slow carrier holds the reply once, not once per parcel.
    const results = await Promise.all(
      parcels.map(async (p) => {
        try {
          return await this.live.trackParcel({
            trackingNumber: p.trackingNumber,
            carrierHint: p.carrier ?? undefined,
            shopId: this.input.shopId,
          });
        } catch (e) {
          if (!(e instanceof ActivityFailure)) throw e;
          log.warn('tracking unavailable', { trackingNumber: p.trackingNumber, error: String(e.cause ?? e) });
          return null;
        }
      }),
    );
    return results.filter((r): r is TrackingResult => r !== null);
  }

  // ---- humans ----------------------------------------------------------------------------
  private onHumanEvent(e: HumanEvent): Effect[] {
    const { lc } = this;
    const now = Date.now();
    switch (e.type) {
      case 'accepted':
        return lc.agentAccepted(e.agentId, now);
      case 'message':
        return lc.agentMessage(e.agentId, e.text, now, e.ref);
      case 'seller':
        log.info('seller replied in the platform inbox; the bot goes quiet', { agentId: e.agentId });
        return lc.sellerReplied(e.agentId, now);
      case 'released':
        return lc.released(now);
      case 'close':
        return lc.close(e.reason, e.resolved ?? lc.closeCountsAsResolved(e.reason), now);
    }
  }

  /**
   * A message to a closed conversation: its NPS answer, or the start of a new conversation. Null
   * when a human acted meanwhile: the loop handles that first (it may reopen the conversation).
   */
  private async afterClose(): Promise<ConversationResult | null> {
    const { st, lc, inbox } = this;
    const first = inbox[0]!;
    const score = lc.awaitingNpsAnswer() ? parseNpsScore(first.text, { malay: patched('nps-malay') }) : null;
    if (score === null) return this.restartFresh();
    inbox.shift();
    st.npsScore = score;
    await this.acts.storeNpsAnswer({
      ...this.ids,
      score,
      text: first.text,
      language: st.language,
      closedAt: new Date(st.closedAt!).toISOString(),
    });
    await this.say({ kind: 'system', message: 'nps_thanks' });
    await this.publish();
    if (inbox.length > 0) return this.restartFresh();
    return this.events.length > 0 ? null : lc.outcome()!;
  }

  /** A new conversation (same workflow id) for the buyer messages queued, all of them, taken after the last await. */
  private async restartFresh(): Promise<null> {
    log.info('new conversation after close', { pending: this.inbox.length });
    await this.acts.recordConversation({ ...this.ids, runId: workflowInfo().runId, state: this.st });
    if (this.events.length > 0) return null;
    return continueAsNew<typeof conversationV2>({
      ...this.input,
      carried: { state: this.st, inbox: this.inbox.splice(0), fresh: true, ...(this.ahead.length ? { ahead: this.ahead } : {}) },
    });
  }

  // ---- effects: saying, nudging, notifying -------------------------------------------------
  private async apply(effects: Effect[]): Promise<void> {
    let handoffFailed: HandoffReasonOrNull | undefined;
    for (const e of effects) {
      if (e.type === 'say') await this.say({ kind: 'system', message: e.message });
      else if (e.type === 'nudge') await this.nudge(e.coupon);
      else if (e.type === 'relay')
        await this.say(
          { kind: 'agent', agentId: e.agentId, text: e.text },
          e.ref ? contract.agentReplyKey(this.workflowId, e.ref) : undefined,
        );
      else {
        await this.notify(e);
        if (e.kind === 'handoff_expired') handoffFailed = e.reason;
      }
    }
    // Nobody took the handoff: the reply the buyer is owed becomes a ticket (its SLA, reminders), after the buyer was told.
    if (handoffFailed !== undefined && patched(TICKETS_PATCH))
      await this.openRuleTicket('handoff_failed', `Reply owed: no agent took the handoff (${handoffFailed ?? 'handoff'})`, 'high', {
        key: `${this.workflowId}:${this.st.openedAt}:handoff_failed:${this.st.turns}`,
      });
  }

  private deskRouting(): boolean {
    return (this.deskRoutingOn ??= patched(DESK_ROUTING_PATCH));
  }

  /** Operators are told; with the desk (patched 'desk-routing'), a handoff is routed first and an escalation moves queue. */
  private async notify(e: Extract<Effect, { type: 'notify' }>): Promise<void> {
    const base = { ...this.ids, kind: e.kind, tier: e.tier, reason: e.reason };
    if (!this.deskRouting()) return void (await this.acts.notifyOperators(base));
    const { st } = this;
    let routed: { queueId: string | null; queueName: string | null; assigneeId: string | null } | null = null;
    if (e.kind === 'handoff') routed = await this.routeHandoff(e.reason, e.tier);
    else if (e.kind === 'escalation') {
      routed = await this.acts.escalateHandoff({
        workflowId: this.workflowId,
        openedAt: st.openedAt,
        shopId: this.input.shopId,
        tier: e.tier,
        fromQueueId: st.queueId ?? null,
      });
      st.queueId = routed.queueId;
    }
    const waitingSince = st.waitingSince != null ? new Date(st.waitingSince).toISOString() : null;
    await this.acts.notifyOperators({ ...base, ...(routed ?? { queueId: st.queueId ?? null }), waitingSince });
  }

  /** The shop's rules pick the queue and an agent; closed and nobody online: the buyer hears when someone will answer. */
  private async routeHandoff(
    reason: string | null,
    tier: number,
  ): Promise<{ queueId: string; queueName: string; assigneeId: string | null }> {
    const { st } = this;
    const at = Date.now();
    const d = await this.acts.routeHandoff({
      ...this.ids,
      runId: workflowInfo().runId,
      openedAt: st.openedAt,
      language: st.language,
      orderValueUsd: st.orderValueUsd,
      focusOrderNumber: st.focusOrder?.orderNumber ?? null,
      country: st.focusOrder?.country ?? null,
      reason,
      tier,
      at,
    });
    st.queueId = d.queueId;
    st.waitingSince = at;
    if (d.afterHoursNotice && d.nextOpenAt) await this.say({ kind: 'after_hours', opensAt: d.nextOpenAt, timeZone: d.timeZone });
    // Closed and nobody online: the reply owed becomes a ticket (its SLA counts from the opening), after the buyer was told.
    if (d.ticketNeeded && patched(TICKETS_PATCH))
      await this.openRuleTicket('after_hours', 'Reply owed: handoff outside business hours', 'normal', {
        key: `${this.workflowId}:${st.openedAt}:after_hours:${st.turns}`,
      });
    return d;
  }

  /** Who the replies are for (activity inputs only, replay-safe): Spanish variant and language priors follow their country. */
  private buyer() {
    return { channel: this.input.channel, buyerId: this.input.buyerId, country: this.st.focusOrder?.country ?? null };
  }

  /** The decided message; null when there is none (no live data) or rendering kept failing (the database is down: logged, nothing said). */
  private async render(request: RenderRequest): Promise<DecidedMessage | null> {
    const { st } = this;
    try {
      return await this.local.renderReply({
        shopId: this.input.shopId,
        locale: replyLocale(st.language, st),
        requestedLanguage: st.language,
        defaultLanguage: st.profile?.defaultLanguage,
        request,
        buyer: this.buyer(),
      });
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      log.error('render failed after retries; nothing sent', { request: request.kind, error: String(e.cause ?? e) });
      return null;
    }
  }

  /** The shop's profile; the deployment's defaults when it cannot be read (the conversation must not fail for it). */
  private async loadProfile(): Promise<ShopProfile> {
    const profile = await this.loadShopProfile();
    const own = this.input.config.channelStrategies?.[this.input.channel];
    if (own && patched(CHANNEL_STRATEGY_PATCH)) return { ...profile, strategy: withChannelStrategy(profile.strategy, own) };
    return profile;
  }

  private async loadShopProfile(): Promise<ShopProfile> {
    const defaults = defaultStrategy(this.input.config);
    try {
      return await this.profileLocal.loadShopProfile({ shopId: this.input.shopId, defaults });
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      log.error('shop profile unavailable; the defaults apply', { error: String(e.cause ?? e) });
      return { strategy: defaults, defaultLanguage: 'en', spanishVariant: 'es' };
    }
  }

  /** `key`: the send's key when the caller must find the message again (a ticket reply); default the next of this run. */
  private async say(request: RenderRequest, key?: string): Promise<void> {
    const m = await this.render(request);
    if (m) await this.deliver(m, key);
  }

  /**
   * A ticket a rule opens (activities/tickets/open-ticket.ts), once per `key`. A failure that
   * outlasts the retries is logged: the conversation goes on (operators were notified already).
   */
  private async openRuleTicket(
    source: 'handoff_failed' | 'carrier_investigation' | 'after_hours' | 'return_action',
    subject: string,
    priority: 'normal' | 'high',
    o: { key: string; trackingNumber?: string },
  ): Promise<void> {
    const { shopId, channel, buyerId } = this.input;
    try {
      const r = await this.tickets.openTicket({
        shopId,
        channel,
        buyerId,
        workflowId: this.workflowId,
        source,
        subject,
        priority,
        orderNumber: this.st.focusOrder?.orderNumber ?? null,
        trackingNumber: o.trackingNumber ?? null,
        key: o.key,
        at: Date.now(),
      });
      log.info('ticket opened', { source, ticketId: r.ticketId, number: r.number, created: r.created });
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      log.error('ticket could not be opened', { source, error: String(e.cause ?? e) });
    }
  }

  /** Record and deliver a decided message. False when the platform kept refusing (recorded as failed). */
  private async deliver(message: DecidedMessage, keyOverride?: string): Promise<boolean> {
    const { shopId, channel, buyerId } = this.input;
    const seq = this.st.seq++;
    const about = keyOverride === undefined && this.replyingTo !== null ? `:re:${this.replyingTo}` : '';
    const key = keyOverride ?? `${this.workflowId}:${workflowInfo().runId}:${seq}${about}`;
    try {
      await this.sendToBuyer({ ref: { channel, shopId, buyerId, workflowId: this.workflowId }, key, message });
      return true;
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      log.error('send failed after retries', { key, error: String(e.cause ?? e) });
      return false;
    }
  }

  /**
   * sendToBuyer where the channel's connection is. A process-bound channel (Baileys WhatsApp: the
   * socket lives in one process) is sent on the task queue of the process holding the shop's session;
   * if that process does not pick it up in time (gone), ask once more. No holder known: the shared
   * queue, as for every other channel.
   */
  private async sendToBuyer(input: Parameters<Activities['sendToBuyer']>[0] & { message: DecidedMessage }): Promise<void> {
    const { channel, shopId, config } = this.input;
    if (!config.processBoundChannels?.includes(channel)) {
      await this.turn.sendToBuyer(input);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const { taskQueue } = await this.acts.sendQueueFor({ channel, shopId });
      if (!taskQueue) {
        await this.acts.sendToBuyer(input);
        return;
      }
      const pinned = proxyActivities<Activities>({
        taskQueue,
        scheduleToStartTimeout: PINNED_SEND_START_TIMEOUT,
        startToCloseTimeout: config.activityTimeoutMs ?? 30_000,
        retry: RETRY,
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

  /** The silence nudge; the first one carries a coupon when the strategy says so and the pool has one. */
  private async nudge(withCoupon: boolean): Promise<void> {
    if (withCoupon && this.st.nudges === 1) {
      try {
        const r = await this.acts.claimNudgeCoupon({ ...this.ids, claimKey: `${this.workflowId}:${workflowInfo().runId}` });
        if (r.coupon) return this.say({ kind: 'coupon_nudge', coupon: r.coupon });
        log.info('plain nudge', { coupon: r.status });
      } catch (e) {
        // A coupon is a bonus: if the pool cannot be reached, the buyer still gets the nudge.
        if (!(e instanceof ActivityFailure)) throw e;
        log.error('coupon claim failed after retries; plain nudge', { error: String(e.cause ?? e) });
      }
    }
    await this.say({ kind: 'system', message: 'silence_nudge' });
  }

  // ---- the record operators see --------------------------------------------------------------
  /** Search attributes (Temporal UI filters) and the conversations collection, when something changed. */
  private async publish(): Promise<void> {
    const { st, input } = this;
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
      st.npsSentAt,
      st.resolved,
      // A new execution of the conversation starts after the last message handled (lastHandledInboundSeq).
      ...(st.inSeq !== undefined ? [st.inSeq] : []),
    ]);
    if (fingerprint === this.lastPublished) return;
    this.lastPublished = fingerprint;
    if (input.config.searchAttributes && this.searchAttributesChanged()) {
      const pairs: SearchAttributeUpdatePair[] = [
        { key: searchAttributeKeys.status, value: st.status },
        { key: searchAttributeKeys.escalated, value: st.escalated },
        { key: searchAttributeKeys.orderValue, value: st.orderValueUsd ?? 0 },
      ];
      if (st.intent) pairs.push({ key: searchAttributeKeys.intent, value: st.intent });
      if (st.language) pairs.push({ key: searchAttributeKeys.language, value: st.language });
      upsertSearchAttributes(pairs);
    }
    await this.turn.recordConversation({ ...this.ids, runId: workflowInfo().runId, state: st });
  }

  /** With 'local-turn': true only when a search attribute's value changed (each upsert is a history event and a visibility write). */
  private searchAttributesChanged(): boolean {
    if (!this.localTurn) return true;
    const { st } = this;
    const values = JSON.stringify([st.status, st.escalated, st.orderValueUsd ?? 0, st.intent, st.language]);
    if (values === this.lastSearchAttributes) return false;
    this.lastSearchAttributes = values;
    return true;
  }
}
