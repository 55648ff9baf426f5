import type { InboundMessage } from '../infra/channel-contract.js';

export type ConversationStatus = 'bot' | 'waiting_agent' | 'agent' | 'closed';

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
}

export interface ConversationInput {
  shopId: string;
  channel: string;
  buyerId: string;
  config: ConversationConfig;
  /** Present after continue-as-new: the state of the previous run. */
  carried?: CarriedState;
}

export type HandoffReason = 'complaint' | 'order_value' | 'human_request' | 'low_confidence';

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
}

export interface CarriedState {
  state: ConversationState;
  inbox: InboundMessage[];
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
  /** The workflow is handling something right now. */
  busy: boolean;
}

export interface ConversationResult {
  outcome: 'nps_answered' | 'nps_unanswered';
  npsScore: number | null;
  turns: number;
}
