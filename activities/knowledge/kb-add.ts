/**
 * Add (or replace) one FAQ entry of a shop without a workbook import (issue 17, missed questions
 * published from the desk): only the entry's own phrasings are embedded, the entry is upserted, then
 * the shop's kbVersion is bumped with a note of the change in `shops.kbAdds`. A worker whose index is
 * at the previous version adds just this entry to it (kb-index.ts, no re-read of the whole KB and no
 * re-embedding); any other gap in the notes makes it rebuild as after an import.
 *
 * Order matters: the entry is written before the version that announces it, so whoever sees the new
 * version finds the entry. The bump is a compare-and-set on kbVersion (retried), so each noted version
 * is exactly the one this add made. A later workbook import replaces the whole KB, this entry
 * included (it empties kbAdds).
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';
import type { Embedder } from './embedder.js';
import { noteKbVersion } from './kb-version.js';

export interface KbEntryAdd {
  questionId: string;
  intent: string;
  question: string;
  variants: string[];
  /** language → answer text */
  answers: Record<string, string>;
}

/** How many add notes a shop keeps (older versions rebuild instead). */
export const KB_ADDS_KEPT = 100;

export async function addFaqEntry(
  shopId: string,
  entry: KbEntryAdd,
  embedder: Pick<Embedder, 'embed' | 'fingerprint'>,
): Promise<{ questionId: string; kbVersion: number; phrasings: number }> {
  const phrasings = [entry.question, ...entry.variants];
  const vectors = (await embedder.embed(phrasings, 'passage')).map((v) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6));
  await FaqEntryModel.updateOne(
    { shopId, questionId: entry.questionId },
    {
      $set: {
        shopId,
        questionId: entry.questionId,
        intent: entry.intent,
        question: entry.question,
        variants: entry.variants,
        answers: entry.answers,
        vectors,
        embedModel: embedder.fingerprint,
        origin: 'desk',
      },
      $setOnInsert: { skus: [], countries: [], importId: null },
    },
    { upsert: true },
  );
  for (let attempt = 0; ; attempt++) {
    const shop = await ShopModel.findOne({ shopId }, { kbVersion: 1 }).lean();
    if (!shop) throw new Error(`no shop "${shopId}"`);
    const from = shop.kbVersion ?? 0;
    const version = from + 1;
    const r = await ShopModel.updateOne(
      { shopId, kbVersion: from === 0 ? { $in: [0, null] } : from },
      {
        $set: { kbVersion: version },
        $push: { kbAdds: { $each: [{ version, questionId: entry.questionId }], $slice: -KB_ADDS_KEPT } },
      },
    );
    if (r.modifiedCount === 1) {
      noteKbVersion(shopId, version);
      return { questionId: entry.questionId, kbVersion: version, phrasings: phrasings.length };
    }
    if (attempt >= 20) throw new Error(`could not bump the KB version of shop "${shopId}" (too many concurrent changes)`);
  }
}
