/**
 * KB import: validate the whole workbook, embed every question and variant, then write. Nothing is
 * written unless every row is valid and every phrasing is embedded. Writes are upserts by
 * (shop, question_id) tagged with the import id, then removal of entries the workbook no longer
 * has, then the shop's kbVersion bump — re-running an interrupted import converges.
 */
import { randomUUID } from 'node:crypto';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';
import { sharedEmbedder, type Embedder } from './embedder.js';
import { readTable, validateTable } from './kb-workbook.js';

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

export async function importKb(
  shopId: string,
  file: string,
  o: { data?: Buffer; embedder?: Embedder; progress?: (msg: string) => void } = {},
): Promise<KbImportResult> {
  const t0 = Date.now();
  const progress = o.progress ?? (() => {});
  const shop = await ShopModel.findOne({ shopId }).lean();
  if (!shop) throw new Error(`no shop "${shopId}"`);
  const table = await readTable(file, o.data);
  const { entries, warnings } = validateTable(table, shop.defaultLanguage ?? 'en');
  progress(`${entries.length} entries valid`);
  const embedder = o.embedder ?? sharedEmbedder();
  const phrasings = entries.flatMap((e) => [e.question, ...e.variants]);
  let lastPct = -1;
  const vectors = await embedder.embed(phrasings, 'passage', (done, total) => {
    const pct = Math.floor((done / total) * 10) * 10;
    if (pct !== lastPct) progress(`embedding ${done}/${total} phrasings`);
    lastPct = pct;
  });
  const importId = randomUUID();
  const existing = new Set((await FaqEntryModel.find({ shopId }, { questionId: 1 }).lean()).map((e) => e.questionId));
  let k = 0;
  const ops = entries.map((e) => {
    const n = 1 + e.variants.length;
    const vs = vectors.slice(k, k + n).map((v) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6));
    k += n;
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
            vectors: vs,
            embedModel: embedder.fingerprint,
            importId,
          },
        },
        upsert: true,
      },
    };
  });
  for (let i = 0; i < ops.length; i += 100) {
    await FaqEntryModel.bulkWrite(ops.slice(i, i + 100), { ordered: true });
    progress(`written ${Math.min(i + 100, ops.length)}/${ops.length}`);
  }
  const removed = await FaqEntryModel.deleteMany({ shopId, importId: { $ne: importId } });
  const updatedShop = await ShopModel.findOneAndUpdate({ shopId }, { $inc: { kbVersion: 1 } }, { returnDocument: 'after' }).lean();
  const created = entries.filter((e) => !existing.has(e.questionId)).length;
  return {
    shopId,
    entries: entries.length,
    phrasings: phrasings.length,
    created,
    updated: entries.length - created,
    removed: removed.deletedCount ?? 0,
    warnings,
    kbVersion: updatedShop?.kbVersion ?? 0,
    ms: Date.now() - t0,
  };
}
