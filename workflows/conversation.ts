/**
 * The conversation workflow: one per buyer per channel, `conv:{shopId}:{channel}:{buyerId}` (email: one per thread, `…:{thread}`),
 * started by signalWithStart (workflows/contract.ts). Runs started before core v2 replay and finish
 * on the frozen v1 code; every new run is v2 (workflows/conversation/run.ts, lifecycle.ts,
 * answer-plan.ts). The choice is made once, at the start of the run: `patched` inside a replay of a
 * v1 history returns false, and the run keeps that answer to its end.
 */
import { patched } from '@temporalio/workflow';
import { conversationV1 } from './legacy/conversation-v1.js';
import { conversationV2 } from './conversation/run.js';
import type { ConversationInput, ConversationResult } from './types.js';

/** The patch marker of core v2 (the workflow decides every reply; lifecycle with follow_up). */
export const CORE_V2_PATCH = 'core-v2';

export async function conversation(input: ConversationInput): Promise<ConversationResult> {
  if (!patched(CORE_V2_PATCH)) return conversationV1(input);
  return conversationV2(input);
}
