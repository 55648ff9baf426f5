import { describe, expect, it } from 'vitest';
import { conversationConfig } from '../temporal.config.js';
import { initialState } from '../workflows/conversation/lifecycle.js';
import { countStreaks, handoffReason, type MessageFacts } from '../workflows/handoff-rules.js';

const config = conversationConfig();
const plain: MessageFacts = { complaint: false, humanRequest: false, understood: true };

function run(messages: MessageFacts[], orderValueUsd: number | null = null) {
  const st = initialState(0);
  st.orderValueUsd = orderValueUsd;
  return messages.map((m) => handoffReason(countStreaks(st, m), m, config));
}

describe('handoff rules', () => {
  it('two consecutive complaint messages hand off; a clean message in between resets', () => {
    const c = { ...plain, complaint: true };
    expect(run([c, c])).toEqual([null, 'complaint']);
    expect(run([c, plain, c])).toEqual([null, null, null]);
  });
  it('an explicit human request hands off at once', () => {
    expect(run([{ ...plain, humanRequest: true }])).toEqual(['human_request']);
  });
  it('order value above the threshold hands off; at the threshold it does not', () => {
    expect(run([plain], 200.01)).toEqual(['order_value']);
    expect(run([plain], 200)).toEqual([null]);
  });
  it('repeated low confidence hands off after the configured streak', () => {
    const miss = { ...plain, understood: false };
    expect(run([miss, miss, miss])).toEqual([null, null, 'low_confidence']);
  });
});
