/**
 * `kbImport`: one FAQ workbook import, on its own task queue (SORA_IMPORT_TASK_QUEUE) so it never
 * competes with conversations for a worker slot. The rows were validated and staged by the request
 * (activities/knowledge/kb-import.ts); this workflow embeds them chunk by chunk (each activity
 * heartbeats and resumes where a retry left off), then publishes them in one short step.
 *
 * Cancelling the workflow cancels the running chunk at its next heartbeat; the staging rows are
 * then removed and the shop's KB is exactly as before. Once publishing has started it completes
 * (it is not cancellable; it takes seconds). Query `progress` for rows done/total.
 *
 * Then (patch `kb-import-translate`) the answers missing a language the shop offers are machine
 * translated (activities/knowledge/kb-translate.ts) when a provider is configured; a failure there
 * is reported in the result and never fails the import, whose KB is published already.
 */
export const KB_IMPORT_TRANSLATE_PATCH = 'kb-import-translate';
import { ActivityFailure, CancellationScope, isCancellation, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
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
const translateActs = proxyActivities<KbImportActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
});

export async function kbImport(input: KbImportInput): Promise<KbImportProgress & { result?: unknown; translation?: unknown }> {
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
    let translation: unknown;
    if (patched(KB_IMPORT_TRANSLATE_PATCH)) {
      progress.status = 'translating';
      try {
        translation = await CancellationScope.nonCancellable(() =>
          translateActs.kbImportTranslate({ importId: input.importId, shopId: input.shopId }),
        );
      } catch (e) {
        // The KB is published: the import stands; the answers keep their seller-written languages.
        const why = e instanceof ActivityFailure && e.cause ? e.cause.message : e instanceof Error ? e.message : String(e);
        log.warn('machine translation after the import failed', { importId: input.importId, error: why });
        translation = { failed: true, errors: [why] };
      }
    }
    progress.status = 'done';
    return { ...progress, result, ...(translation ? { translation } : {}) };
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
