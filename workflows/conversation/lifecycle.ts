/**
 * The conversation's lifecycle as a plain state machine: states, the events that move them and the
 * timers each state keeps (docs/conversation-lifecycle.md draws it). No Temporal here: the workflow
 * (workflows/conversation.ts) feeds it events and the current time, runs the effects it returns
 * through activities, and sleeps until `nextDeadline()`. Unit-tested in test/lifecycle.test.ts.
 *
 * Promises it keeps:
 *   - a conversation waiting for, or held by, a human never idle-closes on the bot's timer;
 *   - when no agent takes a handoff, the conversation goes to `follow_up` (a reply is owed): no idle
 *     close, no NPS, until an agent accepts, writes, or closes it;
 *   - an agent-held conversation closes by the agent, or after the agent-idle limit with a notice;
 *   - NPS only for conversations that ended resolved, never while a reply is owed.
 */
import type { SystemMessageKind } from '../../activities/index.js';
import { countStreaks } from '../handoff-rules.js';
import { defaultStrategy } from '../contract.js';

export { defaultStrategy };
import type {
  ConversationConfig,
  ConversationResult,
  ConversationState,
  ConversationStatus,
  ConversationStrategy,
  HandoffReason,
} from '../types.js';

export type Effect =
  | { type: 'say'; message: SystemMessageKind }
  /** The silence nudge (with a coupon when the strategy says so). */
  | { type: 'nudge'; coupon: boolean }
  | { type: 'notify'; kind: 'handoff' | 'escalation' | 'handoff_expired'; tier: number; reason: HandoffReason | null }
  /** An agent's message, relayed to the buyer as typed. */
  | { type: 'relay'; agentId: string; text: string; ref?: string };

export type DeadlineKind = 'nudge' | 'idle' | 'sla' | 'agent_idle' | 'nps' | 'nps_expired';
export interface Deadline {
  at: number;
  what: DeadlineKind;
}

/** What happens to a buyer message: the bot answers it, the bot stays quiet (a human has it), or the conversation had ended. */
export type BuyerTurn = 'bot' | 'quiet' | 'after_close';

const DAY = 86_400_000;

export function initialState(now: number): ConversationState {
  return {
    status: 'bot',
    turns: 0,
    intent: null,
    language: null,
    orderValueUsd: null,
    complaintStreak: 0,
    lowConfidenceStreak: 0,
    handoffReason: null,
    agentId: null,
    tier: 0,
    escalated: false,
    awaitingReplySince: null,
    nudged: false,
    lastActivityAt: now,
    tierStartedAt: null,
    openedAt: now,
    closedAt: null,
    closeReason: null,
    npsSentAt: null,
    npsScore: null,
    seq: 0,
    seenExternalIds: [],
    continuedRuns: 0,
    focusOrder: null,
    nudges: 0,
    lastBotReplyAt: null,
    lastBotReplyAsked: false,
    lastBuyerAt: null,
    lastAgentAt: null,
    lastUnderstood: false,
    followUpSince: null,
    resolved: null,
    profile: null,
  };
}

/** State carried over from a v1 run lacks the v2 fields: fill them in (mutates and returns it). */
export function normalizeState(st: ConversationState): ConversationState {
  const defaults = initialState(st.lastActivityAt);
  for (const [k, v] of Object.entries(defaults)) {
    const key = k as keyof ConversationState;
    if (st[key] === undefined) (st as unknown as Record<string, unknown>)[key] = v;
  }
  if (st.nudged && st.nudges === 0) st.nudges = 1;
  // A v1 run carried over after close was heading for its survey (v1 surveyed every close).
  if (st.status === 'closed' && st.resolved === null) st.resolved = true;
  return st;
}

export class ConversationLifecycle {
  constructor(
    readonly st: ConversationState,
    private readonly config: ConversationConfig,
  ) {
    normalizeState(st);
  }

  get status(): ConversationStatus {
    return this.st.status;
  }

  get strategy(): ConversationStrategy {
    return this.st.profile?.strategy ?? defaultStrategy(this.config);
  }

  private get agentIdleCloseMs(): number {
    return this.config.agentIdleCloseMs ?? DAY;
  }

  private set(status: ConversationStatus): void {
    this.st.status = status;
  }

  // ---- buyer ----------------------------------------------------------------------------

  buyerWrote(now: number): BuyerTurn {
    const st = this.st;
    if (st.status === 'closed') return 'after_close';
    st.turns += 1;
    st.lastActivityAt = now;
    st.lastBuyerAt = now;
    st.awaitingReplySince = null;
    st.lastBotReplyAt = null; // the silence clock restarts from the bot's next reply
    st.lastUnderstood = false; // until the bot has answered this message
    return st.status === 'agent' || st.status === 'waiting_agent' ? 'quiet' : 'bot';
  }

  /** What understanding says about the message, for the bot's turn (language is kept on every turn). */
  understood(
    u: { language: string; intent: string; understood: boolean; complaint: boolean; humanRequest: boolean },
    botTurn: boolean,
  ): void {
    const st = this.st;
    st.language = u.language;
    if (!botTurn) return;
    st.intent = u.intent;
    countStreaks(st, u);
  }

  /**
   * Hand-off rules apply while the bot holds the conversation. In `follow_up` a reply is already
   * owed and operators were told: the rules do not fire again.
   */
  mayHandOff(): boolean {
    return this.st.status === 'bot';
  }

  startHandoff(reason: HandoffReason, now: number): Effect[] {
    const st = this.st;
    this.set('waiting_agent');
    st.handoffReason = reason;
    st.tier = 0;
    st.tierStartedAt = now;
    st.awaitingReplySince = null;
    st.lastBotReplyAt = null;
    return [
      { type: 'say', message: 'handoff_notice' },
      { type: 'notify', kind: 'handoff', tier: 0, reason },
    ];
  }

  /** The bot answered the buyer's message (or sent a system message that expects an answer). */
  botReplied(r: { asksQuestion: boolean; understood: boolean }, now: number): void {
    const st = this.st;
    st.lastBotReplyAt = now;
    st.lastBotReplyAsked = r.asksQuestion;
    st.lastUnderstood = r.understood;
    st.awaitingReplySince = r.asksQuestion ? now : null;
  }

  // ---- humans ---------------------------------------------------------------------------

  /**
   * A closed conversation that a human picks up again is open again. A survey not yet sent is off;
   * one already sent stays sent (the next close waits out its answer window instead of asking again).
   */
  private reopen(): void {
    const st = this.st;
    st.closedAt = null;
    st.closeReason = null;
    st.resolved = null;
  }

  /**
   * A close signal without `resolved`: resolved when its reason is 'resolved' (the operator API's
   * default), except while a reply is owed and no human has answered (waiting_agent, follow_up).
   */
  closeCountsAsResolved(reason: string): boolean {
    return reason === 'resolved' && this.st.status !== 'waiting_agent' && this.st.status !== 'follow_up';
  }

  private take(agentId: string, now: number): void {
    const st = this.st;
    if (st.status === 'closed') this.reopen();
    this.set('agent');
    st.agentId = agentId;
    st.tierStartedAt = null;
    st.followUpSince = null;
    st.awaitingReplySince = null;
    st.lastBotReplyAt = null;
    st.lastAgentAt = now;
    st.lastActivityAt = now;
  }

  agentAccepted(agentId: string, now: number): Effect[] {
    const joined = this.st.status !== 'agent' || this.st.agentId !== agentId;
    this.take(agentId, now);
    return joined ? [{ type: 'say', message: 'agent_joined' }] : [];
  }

  /** `ref`: a ticket reply (the send is recorded under its key, workflows/contract.ts agentReplyKey). */
  agentMessage(agentId: string, text: string, now: number, ref?: string): Effect[] {
    this.take(agentId, now);
    return [{ type: 'relay', agentId, text, ...(ref ? { ref } : {}) }];
  }

  /** A human answered in the platform's own inbox: they have the conversation now, the bot goes quiet. */
  sellerReplied(agentId: string | undefined, now: number): Effect[] {
    if (this.st.status === 'bot' && this.st.handoffReason === null) this.st.handoffReason = 'seller_takeover';
    this.take(agentId ?? 'platform-inbox', now);
    return [];
  }

  released(now: number): Effect[] {
    const st = this.st;
    if (st.status !== 'agent' && st.status !== 'waiting_agent' && st.status !== 'follow_up') return [];
    this.set('bot');
    st.agentId = null;
    st.tierStartedAt = null;
    st.followUpSince = null;
    st.complaintStreak = 0;
    st.lowConfidenceStreak = 0;
    st.lastActivityAt = now;
    return [{ type: 'say', message: 'back_to_bot' }];
  }

  /** Close by an agent, operator or timer. `resolved` decides whether the NPS survey follows. */
  close(reason: string, resolved: boolean, now: number): Effect[] {
    const st = this.st;
    if (st.status === 'closed') return [];
    this.set('closed');
    st.closedAt = now;
    st.closeReason = reason;
    st.resolved = resolved;
    st.awaitingReplySince = null;
    st.lastBotReplyAt = null;
    st.followUpSince = null;
    return [{ type: 'say', message: 'closed' }];
  }

  // ---- timers ---------------------------------------------------------------------------

  /** The next moment something must happen without a signal; undefined = wait for a signal. */
  nextDeadline(): Deadline | undefined {
    const st = this.st;
    switch (st.status) {
      case 'closed':
        if (!st.resolved) return undefined;
        if (st.npsSentAt === null) return { at: st.closedAt! + this.strategy.npsDelayMs, what: 'nps' };
        return { at: st.npsSentAt + this.config.npsAnswerWindowMs, what: 'nps_expired' };
      case 'waiting_agent':
        return { at: st.tierStartedAt! + this.config.agentSlaMs, what: 'sla' };
      case 'follow_up':
        return undefined;
      case 'agent':
        return { at: Math.max(st.lastActivityAt, st.lastAgentAt ?? 0) + this.agentIdleCloseMs, what: 'agent_idle' };
      case 'bot': {
        const idle: Deadline = { at: st.lastActivityAt + this.strategy.idleCloseMs, what: 'idle' };
        const n = this.strategy.silenceNudge;
        const due =
          n.enabled && (st.nudges ?? 0) < n.max && st.lastBotReplyAt != null && (n.after === 'any_reply' || st.lastBotReplyAsked === true);
        if (due) {
          const at = st.lastBotReplyAt! + n.delayMs;
          if (at < idle.at) return { at, what: 'nudge' };
        }
        return idle;
      }
    }
  }

  fire(what: DeadlineKind, now: number): Effect[] {
    const st = this.st;
    switch (what) {
      case 'nudge':
        st.nudges = (st.nudges ?? 0) + 1;
        st.nudged = true;
        st.lastBotReplyAt = null;
        st.awaitingReplySince = null;
        return [{ type: 'nudge', coupon: this.strategy.silenceNudge.coupon }];
      case 'idle':
        // The bot resolved it when the buyer's last question was understood and answered.
        return this.close('idle', st.lastUnderstood === true, now);
      case 'agent_idle':
        // Resolved when the human had the last word (the buyer was not left waiting).
        return this.close('agent_idle', st.lastAgentAt != null && st.lastAgentAt >= (st.lastBuyerAt ?? 0), now);
      case 'sla':
        st.tier += 1;
        if (st.tier <= this.config.maxEscalationTiers) {
          st.escalated = true;
          st.tierStartedAt = now;
          return [
            { type: 'notify', kind: 'escalation', tier: st.tier, reason: st.handoffReason },
            { type: 'say', message: 'handoff_still_waiting' },
          ];
        }
        // Nobody took it: the buyer was promised a reply in this chat, so one is owed.
        this.set('follow_up');
        st.tierStartedAt = null;
        st.followUpSince = now;
        return [
          { type: 'notify', kind: 'handoff_expired', tier: st.tier, reason: st.handoffReason },
          { type: 'say', message: 'handoff_unavailable' },
        ];
      case 'nps':
        st.npsSentAt = now;
        return [{ type: 'say', message: 'nps_question' }];
      case 'nps_expired':
        return [];
    }
  }

  /** The run's result once it is over, else null. */
  outcome(lastFired?: DeadlineKind): ConversationResult | null {
    const st = this.st;
    if (st.status !== 'closed') return null;
    if (!st.resolved) return { outcome: 'closed_unresolved', npsScore: null, turns: st.turns };
    if (st.npsScore !== null) return { outcome: 'nps_answered', npsScore: st.npsScore, turns: st.turns };
    if (lastFired === 'nps_expired') return { outcome: 'nps_unanswered', npsScore: null, turns: st.turns };
    return null;
  }

  /** Whether a message after close answers the survey (then its score is taken) or starts a new conversation. */
  awaitingNpsAnswer(): boolean {
    return this.st.status === 'closed' && this.st.npsSentAt !== null && this.st.npsScore === null;
  }
}
