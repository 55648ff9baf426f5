/**
 * `kbImport`: one FAQ workbook import, on its own task queue (SORA_IMPORT_TASK_QUEUE) so it never
 * competes with conversations for a worker slot. The rows were validated and staged by the request
 * (activities/knowledge/kb-import.ts); this workflow embeds them chunk by chunk (each activity
 * heartbeats and resumes where a retry left off), then publishes them in one short step.
 *
 * Cancelling the workflow cancels the running chunk at its next heartbeat; the staging rows are
 * then removed and the shop's KB is exactly as before. Once publishing has started it completes
 * (it is not cancellable; it takes seconds). Query `progress` for rows done/total.
 */
import { ActivityFailure, CancellationScope, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { KbImportActivities } from '../activities/index.js';
import { kbImportProgress, type KbImportInput, type KbImportProgress } from './contract.js';

const embedActs = proxyActivities<KbImportActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});
const shortActs = proxyActivities<KbImportActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 10 },
});

export async function kbImport(input: KbImportInput): Promise<KbImportProgress & { result?: unknown }> {
  const chunk = input.chunk ?? 100;
  const progress: KbImportProgress = { status: 'embedding', done: 0, total: input.entries };
  setHandler(kbImportProgress, () => progress);
  try {
    for (let from = 0; from < input.entries; from += chunk) {
      const to = Math.min(input.entries, from + chunk);
      await embedActs.kbImportEmbedChunk({ importId: input.importId, from, to });
      progress.done = to;
    }
    progress.status = 'publishing';
    const result = await CancellationScope.nonCancellable(() => shortActs.kbImportPublish({ importId: input.importId }));
    progress.status = 'done';
    return { ...progress, result };
  } catch (e) {
    const cancelled = isCancellation(e);
    progress.status = cancelled ? 'cancelled' : 'failed';
    const why = e instanceof ActivityFailure && e.cause ? e.cause.message : e instanceof Error ? e.message : String(e);
    await CancellationScope.nonCancellable(() =>
      shortActs.kbImportAbandon({
        importId: input.importId,
        status: progress.status as 'cancelled' | 'failed',
        error: cancelled ? undefined : why,
      }),
    );
    throw e;
  }
}
