/**
 * KB import in three steps, so that the long part can run as its own workflow (workflows/kb-import.ts)
 * with progress and cancellation, and nothing half-done is ever visible to buyers:
 *
 * 1. `stageKbImport` (in the request, cheap and bounded by the limits): read and validate the whole
 *    workbook; any problem → nothing staged. The valid rows go to the `kbimportrows` staging collection
 *    under a new import id (the file never goes through the workflow history).
 * 2. `embedStagedRows` (chunk by chunk, resumable): embed every question and variant of the staged rows
 *    and store the vectors on the staging rows. Cancelling here leaves the KB untouched.
 * 3. `publishStagedImport` (seconds): upserts by (shop, question_id) tagged with the import id, removal
 *    of entries the workbook no longer has, then the shop's kbVersion bump (workers rebuild their
 *    index on it). Re-running an interrupted publish converges.
 *
 * `importKb` runs the three in this process (the CLI, tests).
 */
import { randomUUID } from 'node:crypto';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { KbImportModel, KbImportRowModel } from '../../models/kb-import.js';
import { ShopModel } from '../../models/shop.js';
import { sharedEmbedder, type Embedder } from './embedder.js';
import { DEFAULT_KB_LIMITS, type KbLimits } from './kb-limits.js';
import { noteKbVersion } from './kb-version.js';
import { readTable, validateTable, type KbEntryInput } from './kb-workbook.js';
import type { Translator } from '../../infra/translation/index.js';
import { translateMissingAnswers, type KbTranslateResult } from './kb-translate.js';

export interface KbImportResult {
  shopId: string;
  entries: number;
  phrasings: number;
  created: number;
  updated: number;
  removed: number;
  warnings: string[];
  kbVersion: number;
  ms: number;
}

export interface StagedImport {
  importId: string;
  shopId: string;
  entries: number;
  phrasings: number;
  warnings: string[];
}

/** No such shop. */
export class KbUnknownShopError extends Error {
  constructor(shopId: string) {
    super(`no shop "${shopId}"`);
    this.name = 'KbUnknownShopError';
  }
}

/** Another import of the shop is still running (imports of one shop run one at a time). */
export class KbImportBusyError extends Error {
  constructor(readonly importId: string) {
    super(`another import of this shop is still running (${importId}); wait for it or cancel it`);
    this.name = 'KbImportBusyError';
  }
}

export const ACTIVE_STATUSES = ['queued', 'embedding', 'publishing'] as const;
/** An active import not updated for this long is considered dead (its worker went away) and does not block. */
const STALE_MS = 15 * 60_000;
const ROWS_PER_WRITE = 200;

const phrasingsOf = (e: Pick<KbEntryInput, 'question' | 'variants'>) => [e.question, ...e.variants];

/** Read, validate and stage a workbook. Throws KbFileError / KbValidationError (nothing staged), KbUnknownShopError, KbImportBusyError. */
export async function stageKbImport(
  shopId: string,
  fileName: string,
  data: Buffer | undefined,
  o: { limits?: KbLimits } = {},
): Promise<StagedImport> {
  const shop = await ShopModel.findOne({ shopId }).lean();
  if (!shop) throw new KbUnknownShopError(shopId);
  const busy = await KbImportModel.findOne({
    shopId,
    status: { $in: ACTIVE_STATUSES },
    updatedAt: { $gt: new Date(Date.now() - STALE_MS) },
  }).lean();
  if (busy) throw new KbImportBusyError(busy.importId);
  const limits = o.limits ?? DEFAULT_KB_LIMITS;
  const table = await readTable(fileName, data, limits);
  const { entries, warnings } = validateTable(table, shop.defaultLanguage ?? 'en', limits);
  const importId = randomUUID();
  const phrasings = entries.reduce((n, e) => n + 1 + e.variants.length, 0);
  await KbImportModel.create({ importId, shopId, fileName, status: 'queued', entries: entries.length, phrasings, warnings });
  for (let i = 0; i < entries.length; i += 500) {
    await KbImportRowModel.insertMany(
      entries.slice(i, i + 500).map((entry, k) => ({ importId, seq: i + k, entry })),
      { ordered: false },
    );
  }
  return { importId, shopId, entries: entries.length, phrasings, warnings };
}

/**
 * Embed the staged rows `from` ≤ seq < `to` that have no vectors yet (a retried chunk resumes), in
 * batches of the embedder's size; `onBatch` after each (heartbeat); stops between batches when
 * `signal` aborts (cancellation), throwing its reason.
 */
export async function embedStagedRows(
  importId: string,
  from: number,
  to: number,
  embedder: Embedder,
  hooks: { onBatch?: (embeddedSoFar: number) => void; signal?: AbortSignal } = {},
): Promise<{ embedded: number }> {
  const rows = await KbImportRowModel.find({ importId, seq: { $gte: from, $lt: to }, vectors: null })
    .sort({ seq: 1 })
    .lean();
  await KbImportModel.updateOne({ importId, status: 'queued' }, { $set: { status: 'embedding' } });
  let embedded = 0;
  for (let i = 0; i < rows.length;) {
    if (hooks.signal?.aborted) throw hooks.signal.reason ?? new Error('cancelled');
    // Whole rows, about one embedder batch of phrasings.
    const group: typeof rows = [];
    let n = 0;
    while (i < rows.length && (n === 0 || n + phrasingsOf(rows[i]!.entry as KbEntryInput).length <= embedder.batchSize)) {
      n += phrasingsOf(rows[i]!.entry as KbEntryInput).length;
      group.push(rows[i++]!);
    }
    const vectors = await embedder.embed(
      group.flatMap((r) => phrasingsOf(r.entry as KbEntryInput)),
      'passage',
    );
    let k = 0;
    await KbImportRowModel.bulkWrite(
      group.map((r) => {
        const m = phrasingsOf(r.entry as KbEntryInput).length;
        const vs = vectors.slice(k, k + m).map((v) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6));
        k += m;
        return { updateOne: { filter: { _id: r._id }, update: { $set: { vectors: vs } } } };
      }),
    );
    embedded += n;
    await KbImportModel.updateOne({ importId }, { $inc: { embedded: n } });
    hooks.onBatch?.(embedded);
  }
  return { embedded };
}

/** Copy the embedded staged rows into the shop's KB, remove the rest, bump kbVersion; the staging rows are removed. */
export async function publishStagedImport(importId: string, embedder: Pick<Embedder, 'fingerprint'>): Promise<KbImportResult> {
  const rec = await KbImportModel.findOneAndUpdate({ importId }, { $set: { status: 'publishing' } }, { returnDocument: 'after' }).lean();
  if (!rec) throw new Error(`no KB import ${importId}`);
  if (rec.status === 'done' && rec.result) return rec.result as KbImportResult;
  const { shopId } = rec;
  const missing = await KbImportRowModel.countDocuments({ importId, vectors: null });
  if (missing) throw new Error(`import ${importId}: ${missing} staged rows are not embedded yet`);
  const existing = new Set((await FaqEntryModel.find({ shopId }, { questionId: 1 }).lean()).map((e) => e.questionId));
  let created = 0;
  for (let seq = 0; seq < rec.entries; seq += ROWS_PER_WRITE) {
    const rows = await KbImportRowModel.find({ importId, seq: { $gte: seq, $lt: seq + ROWS_PER_WRITE } }).lean();
    if (!rows.length) continue;
    await FaqEntryModel.bulkWrite(
      rows.map((r) => {
        const e = r.entry as KbEntryInput;
        if (!existing.has(e.questionId)) created++;
        return {
          updateOne: {
            filter: { shopId, questionId: e.questionId },
            update: {
              $set: {
                shopId,
                questionId: e.questionId,
                intent: e.intent,
                question: e.question,
                variants: e.variants,
                answers: e.answers,
                skus: e.skus,
                countries: e.countries,
                vectors: r.vectors,
                embedModel: embedder.fingerprint,
                importId,
              },
            },
            upsert: true,
          },
        };
      }),
      { ordered: true },
    );
  }
  const removed = await FaqEntryModel.deleteMany({ shopId, importId: { $ne: importId } });
  // The whole KB changed: no worker may extend its index by the add notes (kb-add.ts, kb-index.ts).
  const shop = await ShopModel.findOneAndUpdate(
    { shopId },
    { $inc: { kbVersion: 1 }, $set: { kbAdds: [] } },
    { returnDocument: 'after' },
  ).lean();
  // This process's understanding and rendering use the new version at once (kb-version.ts).
  if (shop) noteKbVersion(shopId, shop.kbVersion ?? 0);
  const result: KbImportResult = {
    shopId,
    entries: rec.entries,
    phrasings: rec.phrasings,
    created,
    updated: rec.entries - created,
    removed: removed.deletedCount ?? 0,
    warnings: rec.warnings,
    kbVersion: shop?.kbVersion ?? 0,
    ms: Date.now() - new Date(rec.createdAt).getTime(),
  };
  await KbImportModel.updateOne({ importId }, { $set: { status: 'done', result, finishedAt: new Date() } });
  await KbImportRowModel.deleteMany({ importId });
  return result;
}

/** End an import without publishing (cancelled or failed): the KB is unchanged, the staging rows are removed. */
export async function abandonStagedImport(importId: string, status: 'failed' | 'cancelled', error?: string): Promise<void> {
  await KbImportModel.updateOne({ importId, status: { $ne: 'done' } }, { $set: { status, error: error ?? null, finishedAt: new Date() } });
  await KbImportRowModel.deleteMany({ importId });
}

/** The whole import in this process (CLI, tests), with progress messages; then the machine translation of missing answers when a translator is given. */
export async function importKb(
  shopId: string,
  file: string,
  o: {
    data?: Buffer;
    embedder?: Embedder;
    progress?: (msg: string) => void;
    limits?: KbLimits;
    translator?: Translator | null;
  } = {},
): Promise<KbImportResult & { translation?: KbTranslateResult }> {
  const progress = o.progress ?? (() => {});
  const staged = await stageKbImport(shopId, file, o.data, { limits: o.limits });
  progress(`${staged.entries} entries valid`);
  const embedder = o.embedder ?? sharedEmbedder();
  try {
    let lastPct = -1;
    await embedStagedRows(staged.importId, 0, staged.entries, embedder, {
      onBatch: (done) => {
        const pct = Math.floor((done / staged.phrasings) * 10) * 10;
        if (pct !== lastPct) progress(`embedding ${done}/${staged.phrasings} phrasings`);
        lastPct = pct;
      },
    });
    const r = await publishStagedImport(staged.importId, embedder);
    progress(`written ${r.entries}/${r.entries}`);
    if (!o.translator) return r;
    const translation = await translateMissingAnswers(shopId, o.translator, {
      onProgress: (done, total) => progress(`translating ${done}/${total} answers`),
    });
    await KbImportModel.updateOne({ importId: staged.importId }, { $set: { translation } });
    if (translation.errors.length)
      progress(`machine translation failed for ${translation.failed} answers: ${translation.errors.join('; ')}`);
    else if (!translation.skipped)
      progress(`machine translation: ${translation.translated} translated, ${translation.unchanged} unchanged`);
    return { ...r, translation };
  } catch (e) {
    await abandonStagedImport(staged.importId, 'failed', e instanceof Error ? e.message : String(e));
    throw e;
  }
}
