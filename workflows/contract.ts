/**
 * The conversation's contract (DESIGN.md §3): the workflow type name, its signals and queries, and
 * the types they carry. The workflow and every client call site (intake, operator API, desk, tests)
 * import these definitions; nobody spells a signal or workflow name as a string.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { InboundMessage } from '../infra/channel-contract.js';
import type { ChannelStrategy, ConversationConfig, ConversationSnapshot, ConversationStrategy } from './types.js';

export type {
  ChannelStrategy,
  ConversationConfig,
  ConversationInput,
  ConversationResult,
  ConversationSnapshot,
  ConversationState,
  ConversationStatus,
  ConversationStrategy,
  HandoffReason,
  ShopProfile,
} from './types.js';

/** The workflow type that runs one buyer conversation (`workflows/conversation.ts`). */
export const conversationWorkflowType = 'conversation';
/** The daily carrier key audit (Schedule `sora-carrier-key-audit`) and its per-key watches (`workflows/carrier-key-audit.ts`). */
export const carrierKeyAuditWorkflowType = 'carrierKeyAudit';
export const carrierKeyExpiryWatchWorkflowType = 'carrierKeyExpiryWatch';
/** A FAQ workbook import (`workflows/kb-import.ts`), on the imports task queue (SORA_IMPORT_TASK_QUEUE). */
export const kbImportWorkflowType = 'kbImport';
/** The workflow id of an import: one per import id. */
export const kbImportWorkflowId = (importId: string) => `kb-import:${importId}`;

/** One ticket's SLA timers, reminder and auto-close (`workflows/ticket.ts`), id `ticket:{ticketId}`. */
export const ticketWorkflowType = 'ticket';

export type TicketStatusName = 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type TicketPriorityName = 'low' | 'normal' | 'high' | 'urgent';

export interface TicketWorkflowInput {
  ticketId: string;
  /** A continued run: the plan it had (no start step again). */
  carried?: TicketPlan;
}

/**
 * What the ticket workflow waits for, as the step activity computed it from the ticket document
 * (activities/tickets/ticket-steps.ts): epoch ms, null = no such timer now. The reminder and the
 * breach run while the ticket is owed (open, on_hold); pending waits for the buyer; solved waits to close.
 */
export interface TicketPlan {
  status: TicketStatusName;
  remindAt: number | null;
  dueAt: number | null;
  closeAt: number | null;
}

/** A change from the desk (PATCH /desk/api/tickets/:id); absent fields stay. */
export interface TicketPatch {
  status?: TicketStatusName;
  priority?: TicketPriorityName;
  assigneeId?: string | null;
  queueId?: string | null;
  tags?: string[];
}

/** One step of the ticket, run by the `ticketStep` activity at workflow time `now`. */
export type TicketAction =
  | { type: 'start' }
  | { type: 'update'; patch: TicketPatch; by: string }
  | { type: 'buyer_reply'; at: string }
  | { type: 'remind' }
  | { type: 'breach' }
  | { type: 'auto_close' };

/** Apply a desk change; answers once the ticket document has it (the new plan). */
export const updateTicket = defineUpdate<TicketPlan, [{ patch: TicketPatch; by: string }]>('updateTicket');
/** The buyer wrote again (bots/intake.ts): a pending or solved ticket reopens and its SLA restarts. */
export const ticketBuyerReplied = defineSignal<[{ at: string }]>('ticketBuyerReplied');
export const ticketPlan = defineQuery<TicketPlan>('ticketPlan');

/** Input of `kbImport`: the staged rows are in MongoDB under `importId` (never the file itself). */
export interface KbImportInput {
  importId: string;
  shopId: string;
  /** Staged rows (entries). */
  entries: number;
  /** Rows per embedding activity (default 100). */
  chunk?: number;
}

/** What `kbImportProgress` answers while the import runs. */
export interface KbImportProgress {
  status: 'embedding' | 'publishing' | 'translating' | 'done' | 'cancelled' | 'failed';
  /** Rows embedded (of `total`). */
  done: number;
  total: number;
}

/**
 * The strategy a shop's conversations use for what the shop did not set: the deployment's defaults
 * (PRODUCT R20: the silence nudge on, after any bot reply, once; the coupon is the shop's own switch).
 */
export function defaultStrategy(config: ConversationConfig): ConversationStrategy {
  return {
    silenceNudge: { enabled: true, delayMs: config.silenceNudgeMs, after: 'any_reply', max: 1, coupon: true },
    idleCloseMs: config.idleCloseMs,
    npsDelayMs: config.npsDelayMs,
  };
}

/** The shop's strategy with the channel's say over it (ChannelStrategy): the channel wins where it speaks. */
export function withChannelStrategy(s: ConversationStrategy, c: ChannelStrategy | undefined): ConversationStrategy {
  if (!c) return s;
  return {
    ...s,
    silenceNudge: c.silenceNudge === false ? { ...s.silenceNudge, enabled: false } : s.silenceNudge,
    idleCloseMs: c.idleCloseMs ?? s.idleCloseMs,
  };
}

/**
 * A reply a human typed in the platform's own inbox (TikTok Seller Center, the WhatsApp phone
 * linked to Baileys, a Cloud API echo): the seller took over, the bot goes quiet.
 */
export interface SellerReply {
  /** Platform message id (dedupe key). */
  externalId: string;
  text: string;
  /** ISO time the platform reports (or intake time). */
  at: string;
  /** Who typed it, when the platform says (TikTok sender id, …). */
  agentId?: string;
}

/**
 * A buyer message as signalled by the intake: the adapter's message plus `seq`, its number in the
 * conversation (1, 2, 3…, assigned once in MongoDB when it was first recorded). The workflow handles
 * messages in `seq` order and ignores a `seq` it has passed, so a re-sent signal is a no-op however
 * many messages came since. Absent in signals sent before sequence numbers existed.
 */
export type BuyerMessageSignal = InboundMessage & { seq?: number };

export const buyerMessage = defineSignal<[BuyerMessageSignal]>('buyerMessage');
export const agentAccepted = defineSignal<[{ agentId: string }]>('agentAccepted');
/**
 * An agent's message to the buyer. `ref` (a ticket reply, bots/desk/tickets.ts): the send is
 * recorded under the key `{workflowId}:reply:{ref}`, so the ticket can show whether it reached the buyer.
 */
export const agentMessage = defineSignal<[{ agentId: string; text: string; ref?: string }]>('agentMessage');
/** The send key of an agent message carrying `ref` (MessageModel externalId). */
export const agentReplyKey = (workflowId: string, ref: string) => `${workflowId}:reply:${ref}`;
export const agentReleased = defineSignal<[]>('agentReleased');
/** `resolved` (default: reason === 'resolved') decides whether the NPS survey follows. */
export const closeConversation = defineSignal<[{ reason: string; resolved?: boolean }]>('closeConversation');
export const sellerReply = defineSignal<[SellerReply]>('sellerReply');
export const snapshot = defineQuery<ConversationSnapshot>('snapshot');
export const kbImportProgress = defineQuery<KbImportProgress>('progress');
