/**
 * The activities of the `kbImport` workflow (workflows/kb-import.ts), served on the imports task
 * queue by a worker that runs one import activity at a time (scripts/worker.ts, createImportWorker).
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import type { Translator } from '../../infra/translation/index.js';
import { KbImportModel } from '../../models/kb-import.js';
import type { Embedder } from './embedder.js';
import { abandonStagedImport, embedStagedRows, publishStagedImport, type KbImportResult } from './kb-import.js';
import { translateMissingAnswers, type KbTranslateResult } from './kb-translate.js';

/** `translator`: the configured provider (null: SORA_TRANSLATOR=none, nothing is ever called). */
export function createKbImportActivities(embedder: Embedder, translator: Translator | null = null) {
  return {
    /** Embed staged rows [from, to); heartbeats after every batch; a cancel is honoured between batches. */
    async kbImportEmbedChunk(a: { importId: string; from: number; to: number }): Promise<{ embedded: number }> {
      const ctx = Context.current();
      ctx.heartbeat({ embedded: 0 });
      const signal = new AbortController();
      // The SDK delivers a cancel through the heartbeat response; turn it into a stop between batches.
      ctx.cancelled.catch((e: unknown) => signal.abort(e instanceof CancelledFailure ? e : new CancelledFailure('import cancelled')));
      return embedStagedRows(a.importId, a.from, a.to, embedder, {
        signal: signal.signal,
        onBatch: (embedded) => ctx.heartbeat({ embedded }),
      });
    },
    async kbImportPublish(a: { importId: string }): Promise<KbImportResult> {
      return publishStagedImport(a.importId, embedder);
    },
    /**
     * After publishing: translate the answers missing a language the shop offers (kb-translate.ts).
     * A provider failure is in the result (the import has succeeded); the result is kept on the import record.
     */
    async kbImportTranslate(a: { importId: string; shopId: string }): Promise<KbTranslateResult> {
      const ctx = Context.current();
      ctx.heartbeat({ translated: 0 });
      const r = await translateMissingAnswers(a.shopId, translator, { onProgress: (done, total) => ctx.heartbeat({ done, total }) });
      await KbImportModel.updateOne({ importId: a.importId }, { $set: { translation: r } });
      return r;
    },
    async kbImportAbandon(a: { importId: string; status: 'failed' | 'cancelled'; error?: string }): Promise<void> {
      await abandonStagedImport(a.importId, a.status, a.error);
    },
  };
}

export type KbImportActivities = ReturnType<typeof createKbImportActivities>;
