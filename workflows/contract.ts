/**
 * The conversation's contract (DESIGN.md §3): the workflow type name, its signals and queries, and
 * the types they carry. The workflow and every client call site (intake, operator API, desk, tests)
 * import these definitions; nobody spells a signal or workflow name as a string.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { InboundMessage } from '../infra/channel-contract.js';
import type { ConversationConfig, ConversationSnapshot, ConversationStrategy } from './types.js';

export type {
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
  status: 'embedding' | 'publishing' | 'done' | 'cancelled' | 'failed';
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
export const agentMessage = defineSignal<[{ agentId: string; text: string }]>('agentMessage');
export const agentReleased = defineSignal<[]>('agentReleased');
/** `resolved` (default: reason === 'resolved') decides whether the NPS survey follows. */
export const closeConversation = defineSignal<[{ reason: string; resolved?: boolean }]>('closeConversation');
export const sellerReply = defineSignal<[SellerReply]>('sellerReply');
export const snapshot = defineQuery<ConversationSnapshot>('snapshot');
export const kbImportProgress = defineQuery<KbImportProgress>('progress');
