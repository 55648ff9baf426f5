/**
 * Replays a recorded conversation history (FAQ answer → idle close → NPS question → answer) against
 * the current workflow code, so a change that breaks determinism for running conversations fails.
 * Re-record deliberately with: SORA_RECORD_HISTORY=1 npx vitest run test/conversation-workflow.test.ts
 */
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../scripts/worker.js';

const fixture = new URL('./fixtures/conversation-history.json', import.meta.url);

describe('workflow determinism', () => {
  it('replays the recorded conversation history', async () => {
    const history = JSON.parse(readFileSync(fixture, 'utf8'));
    expect(history.events.length).toBeGreaterThan(20);
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
