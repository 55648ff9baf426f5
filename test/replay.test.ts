/**
 * Replays recorded conversation histories against the current workflow code, so a change that
 * breaks determinism for running conversations fails:
 *   - conversation-history.json: a v1 run (before patch 'core-v2'): FAQ answer → idle close → NPS
 *     question → answer; it must replay on the frozen v1 path.
 *     Re-record (only on the v1 code) with: SORA_RECORD_HISTORY=1 npx vitest run test/conversation-workflow.test.ts
 *   - conversation-history-v2.json: a core v2 run: handoff → tiers → follow_up → agent 2 h later →
 *     close → NPS question. Re-record with: SORA_RECORD_HISTORY=1 npx vitest run test/conversation-lifecycle.test.ts -t "failed handoff"
 *     (then prettier --write the fixture: lint checks it)
 */
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../scripts/worker.js';

const fixture = new URL('./fixtures/conversation-history.json', import.meta.url);
const fixtureV2 = new URL('./fixtures/conversation-history-v2.json', import.meta.url);
type Recorded = {
  events: Array<{ markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }>;
};
/** The history carries the 'core-v2' patch marker (its payload is base64 JSON `{"id":"core-v2",…}`). */
const hasMarker = (h: Recorded) =>
  h.events.some((e) =>
    (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).some(
      (p) => JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8') || '{}').id === 'core-v2',
    ),
  );

describe('workflow determinism', () => {
  it('replays a conversation recorded before core v2 (on the frozen v1 code)', async () => {
    const history = JSON.parse(readFileSync(fixture, 'utf8'));
    expect(history.events.length).toBeGreaterThan(20);
    expect(hasMarker(history)).toBe(false);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(history));
  });

  it('replays a core v2 conversation (handoff → follow_up → agent → close → NPS)', async () => {
    const history = JSON.parse(readFileSync(fixtureV2, 'utf8'));
    expect(history.events.length).toBeGreaterThan(50);
    expect(hasMarker(history)).toBe(true);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(history));
  });

  it('fails on a history the code would not produce (the check is live)', async () => {
    const history = JSON.parse(readFileSync(fixture, 'utf8'));
    // Turn the first activity the workflow scheduled into a different activity type.
    const ev = history.events.find((e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes);
    ev.activityTaskScheduledEventAttributes.activityType.name = 'somethingElse';
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(history))).rejects.toThrow(
      /[Nn]ondetermin|[Dd]eterminism/,
    );
  });
});
