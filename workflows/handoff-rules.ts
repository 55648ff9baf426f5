/** Handoff rules (DESIGN.md §1.4), pure so the workflow can run them deterministically. */
import type { ConversationConfig, ConversationState, HandoffReason } from './types.js';

/** The facts an understood buyer message contributes to the decision. */
export interface MessageFacts {
  complaint: boolean;
  humanRequest: boolean;
  understood: boolean;
}

/** Update the streak counters for one buyer message (mutates and returns the state). */
export function countStreaks(state: ConversationState, facts: MessageFacts): ConversationState {
  state.complaintStreak = facts.complaint ? state.complaintStreak + 1 : 0;
  state.lowConfidenceStreak = facts.understood || facts.humanRequest || facts.complaint ? 0 : state.lowConfidenceStreak + 1;
  return state;
}

/**
 * First matching rule wins; null = the bot keeps the conversation. `orderValueUsd` is the value the
 * order-value rule looks at: by default the state's (v1: the highest of any order of the buyer);
 * core v2 passes the value of the order this message made the conversation about, or null.
 */
export function handoffReason(
  state: ConversationState,
  facts: MessageFacts,
  config: ConversationConfig,
  orderValueUsd: number | null = state.orderValueUsd,
): HandoffReason | null {
  if (facts.humanRequest) return 'human_request';
  if (state.complaintStreak >= config.complaintStreakHandoff) return 'complaint';
  if (orderValueUsd !== null && orderValueUsd > config.orderValueHandoffUsd) return 'order_value';
  if (state.lowConfidenceStreak >= config.lowConfidenceHandoff) return 'low_confidence';
  return null;
}
