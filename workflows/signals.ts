/** Signal and query definitions (DESIGN.md §3). Shared by the workflow and its clients. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { InboundMessage } from '../bots/channel.js';
import type { ConversationSnapshot } from './types.js';

export const buyerMessage = defineSignal<[InboundMessage]>('buyerMessage');
export const agentAccepted = defineSignal<[{ agentId: string }]>('agentAccepted');
export const agentMessage = defineSignal<[{ agentId: string; text: string }]>('agentMessage');
export const agentReleased = defineSignal<[]>('agentReleased');
export const closeConversation = defineSignal<[{ reason: string }]>('closeConversation');
export const snapshot = defineQuery<ConversationSnapshot>('snapshot');
