/**
 * The conversation's contract (DESIGN.md §3): the workflow type name, its signals and queries, and
 * the types they carry. The workflow and every client call site (intake, operator API, desk, tests)
 * import these definitions; nobody spells a signal or workflow name as a string.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { InboundMessage } from '../bots/channel.js';
import type { ConversationSnapshot } from './types.js';

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

/** The strategy a shop's conversations use for what the shop did not set (pure; from ConversationConfig). */
export { defaultStrategy } from './conversation/lifecycle.js';

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

export const buyerMessage = defineSignal<[InboundMessage]>('buyerMessage');
export const agentAccepted = defineSignal<[{ agentId: string }]>('agentAccepted');
export const agentMessage = defineSignal<[{ agentId: string; text: string }]>('agentMessage');
export const agentReleased = defineSignal<[]>('agentReleased');
/** `resolved` (default: reason === 'resolved') decides whether the NPS survey follows. */
export const closeConversation = defineSignal<[{ reason: string; resolved?: boolean }]>('closeConversation');
export const sellerReply = defineSignal<[SellerReply]>('sellerReply');
export const snapshot = defineQuery<ConversationSnapshot>('snapshot');
