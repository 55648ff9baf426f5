/**
 * The desk's missed-questions services (bots/desk/missed.ts `MissedServices`), wired by the entry
 * point from activities/, which bots/ may not import: clustering of unmatched questions, the nearest
 * FAQ entry of the shop's index (the suggested intent) and the incremental FAQ add.
 */
import type { MissedServices } from '../bots/desk/missed.js';
import type { Embedder } from '../activities/knowledge/embedder.js';
import { addFaqEntry } from '../activities/knowledge/kb-add.js';
import type { KbIndex } from '../activities/knowledge/kb-index.js';
import { topMissed } from '../activities/knowledge/missed-questions.js';
import { translateMissingAnswers } from '../activities/knowledge/kb-translate.js';
import type { Translator } from '../infra/translation/index.js';
import { log } from '../infra/log.js';
import { FaqEntryModel } from '../models/faq-entry.js';

/**
 * `kbIndex`: the worker's index when this process runs one (the same cache), else one of its own.
 * `translator`: a published entry's missing languages are machine translated in the background (kb-translate.ts).
 */
export const missedServices = (o: {
  embedder: Embedder;
  kbIndex: KbIndex;
  model?: string;
  translator?: Translator | null;
}): MissedServices => ({
  topMissed: (shopId, q) => topMissed(shopId, { ...q, model: o.model }),
  async suggest(shopId, text) {
    const [vector] = await o.embedder.embed([text], 'query');
    const m = (await o.kbIndex.forShop(shopId)).match(vector!);
    if (!m) return null;
    const entry = await FaqEntryModel.findOne({ shopId, questionId: m.questionId }, { question: 1 }).lean();
    return { intent: m.intent, questionId: m.questionId, question: entry?.question ?? null, confidence: Number(m.confidence.toFixed(3)) };
  },
  async publish(shopId, entry) {
    const added = await addFaqEntry(shopId, entry, o.embedder);
    if (o.translator)
      void translateMissingAnswers(shopId, o.translator, { questionIds: [entry.questionId] }).then(
        (r) => {
          if (r.errors.length)
            log('machine translation of a desk FAQ entry failed', { shopId, questionId: entry.questionId, errors: r.errors });
        },
        (e) => log('machine translation of a desk FAQ entry failed', { shopId, questionId: entry.questionId, error: String(e) }),
      );
    return added;
  },
});
