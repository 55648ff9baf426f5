import type { InboundMessage } from '../infra/channel-contract.js';

/**
 * bot: the bot answers · waiting_agent: handed off, tiers escalate on the SLA · agent: a human holds it
 * (the bot is quiet) · follow_up: nobody took the handoff, a reply is owed (no idle close, no NPS) ·
 * closed: ended; NPS follows only when it ended resolved. See docs/conversation-lifecycle.md.
 */
export type ConversationStatus = 'bot' | 'waiting_agent' | 'agent' | 'follow_up' | 'closed';

/** Timers and thresholds; built from env by temporal.config.ts and passed in the workflow input. */
export interface ConversationConfig {
  silenceNudgeMs: number;
  idleCloseMs: number;
  npsDelayMs: number;
  npsAnswerWindowMs: number;
  agentSlaMs: number;
  /** Tiers notified after the first SLA expiry before the buyer is told nobody is free. */
  maxEscalationTiers: number;
  orderValueHandoffUsd: number;
  complaintStreakHandoff: number;
  lowConfidenceHandoff: number;
  /** Continue-as-new once the run's history has more events than this (or the server suggests it). */
  historyEventLimit: number;
  /** Start-to-close timeout of each activity (SORA_ACTIVITY_TIMEOUT). Optional for runs started before it existed. */
  activityTimeoutMs?: number;
  /** Upsert SoraStatus & co. (off only where the server has no custom search attributes). */
  searchAttributes: boolean;
  /** An agent-held conversation with no message from either side for this long closes with a notice (SORA_AGENT_IDLE_CLOSE, 24h). */
  agentIdleCloseMs?: number;
  /**
   * Channels whose sends must run in the process holding the connection (Baileys WhatsApp), filled by
   * the app from its adapters (`sendAffinity: 'process'`). Absent (runs started before it existed): none.
   */
  processBoundChannels?: string[];
  /**
   * What a channel changes in its conversations' strategy (the adapter's `strategy`, e.g. email: no
   * silence nudge, idle close in hours), filled by the app from its adapters. Absent: nothing.
   */
  channelStrategies?: Record<string, ChannelStrategy>;
}

/**
 * A channel's say over the strategy of its conversations, over the shop's (bots/channel.ts
 * ChannelAdapter.strategy): a channel whose buyers do not expect a chat's pace (email) turns the
 * silence nudge off and closes idle conversations after hours. Applied when the conversation loads
 * its shop profile (patch `channel-strategy`).
 */
export interface ChannelStrategy {
  /** false: no silence nudge on this channel, whatever the shop set. */
  silenceNudge?: false;
  /** The idle close of this channel's conversations, instead of the shop's. */
  idleCloseMs?: number;
}

/**
 * The shop's conversation strategy (PRODUCT R20), stored on the shop (`sora shops strategy`, the
 * operator API) over the defaults from ConversationConfig. Loaded when a conversation starts.
 */
export interface ConversationStrategy {
  silenceNudge: {
    enabled: boolean;
    /** Quiet time after a bot reply before the care message. */
    delayMs: number;
    /** 'any_reply': after every bot reply; 'question': only after a reply that asked something. */
    after: 'any_reply' | 'question';
    /** Nudges per conversation at most (1 = once). */
    max: number;
    /** Attach a coupon from the shop's pool (one per buyer). */
    coupon: boolean;
  };
  idleCloseMs: number;
  npsDelayMs: number;
}

/** What a conversation knows of the shop, loaded at its start (activities/conversations/shop-profile.ts). */
export interface ShopProfile {
  strategy: ConversationStrategy;
  defaultLanguage: string;
  spanishVariant: 'es' | 'es-419';
}

/** The order a conversation is about: named by the buyer, sent as an order card, or the buyer's order the question concerns. */
export interface FocusOrder {
  orderNumber: string;
  totalUsd: number;
  country: string | null;
  status: string;
  /** How it became the focus. */
  via: 'named' | 'card' | 'buyer_latest';
}

/** A question the bot asked and is waiting on (dialogue memory, workflows/conversation/slots.ts). */
export interface PendingAsk {
  /** The intent the buyer's answer continues, with its FAQ entry and confidence. */
  intent: string;
  faqId: string | null;
  confidence: number;
  /** `order_number`: no order known; `which_order`: several, offered as `options`. */
  ask: 'order_number' | 'which_order';
  options: string[];
  /** The buyer message (st.turns) that asked. */
  turn: number;
}

/** Entities the buyer gave earlier in the conversation. */
export interface RememberedSlots {
  orderNumber: string | null;
  trackingNumber: string | null;
  sku: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
}

export interface ConversationInput {
  shopId: string;
  channel: string;
  buyerId: string;
  config: ConversationConfig;
  /** Present after continue-as-new: the state of the previous run. */
  carried?: CarriedState;
}

export type HandoffReason = 'complaint' | 'order_value' | 'human_request' | 'low_confidence' | 'seller_takeover';

export interface ConversationState {
  status: ConversationStatus;
  /** Buyer messages handled in this conversation (across continue-as-new). */
  turns: number;
  intent: string | null;
  language: string | null;
  orderValueUsd: number | null;
  complaintStreak: number;
  lowConfidenceStreak: number;
  handoffReason: HandoffReason | null;
  agentId: string | null;
  /** 0 = first queue; each SLA expiry escalates one tier. */
  tier: number;
  escalated: boolean;
  /** Time (ms) the bot asked the buyer something that is still unanswered. */
  awaitingReplySince: number | null;
  nudged: boolean;
  lastActivityAt: number;
  tierStartedAt: number | null;
  openedAt: number;
  closedAt: number | null;
  closeReason: string | null;
  npsSentAt: number | null;
  npsScore: number | null;
  /** Outbound sequence number (idempotency key `{workflowId}:{runId}:{seq}`). */
  seq: number;
  /** Recently seen inbound externalIds (bounded), for dedupe across redeliveries. */
  seenExternalIds: string[];
  /** How many runs this conversation has continued through. */
  continuedRuns: number;
  // ---- core v2 (absent in state carried from v1 runs; see lifecycle.ts normalizeState) ----
  /** The order this conversation is about (order-value rule, tracking, returns). */
  focusOrder?: FocusOrder | null;
  /** The question the bot is waiting on, and what the buyer told so far (patch 'dialogue-slots'). */
  pending?: PendingAsk | null;
  slots?: RememberedSlots;
  /** Silence nudges sent in this conversation. */
  nudges?: number;
  /** When the bot last replied to the buyer, and whether that reply asked something. */
  lastBotReplyAt?: number | null;
  lastBotReplyAsked?: boolean;
  lastBuyerAt?: number | null;
  /** Last message of a human (agent console or platform inbox). */
  lastAgentAt?: number | null;
  /** The last buyer message was understood and answered by the bot. */
  lastUnderstood?: boolean;
  /** Since when a reply is owed (status follow_up). */
  followUpSince?: number | null;
  /** How the conversation ended: resolved ones get the NPS survey. */
  resolved?: boolean | null;
  /** The shop's profile (strategy, languages) this conversation runs with. */
  profile?: ShopProfile | null;
  // ---- inbound sequence (patched 'inbound-seq'; absent before it) ----
  /** The last buyer message `seq` handled in order (bots/intake.ts numbers them 1, 2, 3… per conversation). */
  inSeq?: number;
  /** Numbers given up on after waiting (never arrived in time): still accepted once if they come late. */
  inSeqGaps?: number[];
  /** Since when a newer message waits for a missing older number (workflow time), or null. */
  inSeqWaitSince?: number | null;
  // ---- the desk's routing (patched 'desk-routing'; absent before it) ----
  /** The queue the handoff was routed to (escalations move it on), and when the buyer started waiting (ms). */
  queueId?: string | null;
  waitingSince?: number | null;
}

export interface CarriedState {
  state: ConversationState;
  inbox: InboundMessage[];
  /** Buyer messages received ahead of a missing older `seq`, waiting for it (patched 'inbound-seq'). */
  ahead?: Array<InboundMessage & { seq?: number }>;
  /** Fresh conversation after close: the previous one's outcome is done. */
  fresh?: boolean;
}

export interface ConversationSnapshot extends ConversationState {
  workflowId: string;
  runId: string;
  shopId: string;
  channel: string;
  buyerId: string;
  pendingInbox: number;
  /** Buyer messages received ahead of a missing older `seq` (patched 'inbound-seq'). */
  pendingAhead?: number;
  /** The workflow is handling something right now. */
  busy: boolean;
}

export interface ConversationResult {
  /** closed_unresolved: ended without resolution (no survey). */
  outcome: 'nps_answered' | 'nps_unanswered' | 'closed_unresolved';
  npsScore: number | null;
  turns: number;
}
