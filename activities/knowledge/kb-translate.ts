/**
 * Import-time machine translation (docs/translation.md, "FAQ answers in every language"): after a
 * KB import is published (or a desk entry added), each FAQ answer missing a language the shop
 * offers (`shops.languages`) is translated once from the seller-written answer (the shop's default
 * language when the entry has it, else English, else its first) and stored in
 * `faqentries.machineAnswers.<lang>` with the source text's sha256 and the provider. Run again, an
 * unchanged source is not sent again (0 provider calls); a changed one is re-translated; a language
 * the seller wrote meanwhile drops its machine answer (seller-written answers always win).
 *
 * Never translated: the shop's glossary (`shops.glossary`: brand names, sizes) and every SKU of its
 * KB. A provider failure leaves the entries with their seller-written answers and is reported in
 * the result (the import itself has succeeded already). Costs are metered per shop by the
 * translator (models/translation-usage.ts).
 */
import { createHash } from 'node:crypto';
import type { Translator } from '../../infra/translation/index.js';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';
import { noteAnswersChanged } from './kb-version.js';

export interface KbTranslateResult {
  provider: string | null;
  /** The shop's languages that were looked at. */
  languages: string[];
  /** Answers translated now (new or re-translated because the source changed). */
  translated: number;
  /** Machine answers kept (source unchanged). */
  unchanged: number;
  /** Machine answers removed because the seller wrote that language. */
  superseded: number;
  /** Answers that could not be translated (the provider failed); see `errors`. */
  failed: number;
  errors: string[];
  /** Why nothing was done (no provider, no languages). */
  skipped?: string;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type MachineAnswer = {
  text: string;
  sourceLang: string;
  sourceHash: string;
  provider: string;
  translatedAt: Date;
  reviewedBy?: string | null;
  reviewedAt?: Date | null;
};

/** The language an entry's machine answers are made from. */
export function sourceLanguage(answers: Record<string, string>, defaultLanguage: string): string | null {
  if (answers[defaultLanguage]?.trim()) return defaultLanguage;
  if (answers.en?.trim()) return 'en';
  return Object.keys(answers).find((l) => answers[l]?.trim()) ?? null;
}

/** The shop's glossary plus every SKU of its KB: the terms never translated. */
export async function shopGlossaryTerms(shopId: string): Promise<string[]> {
  const shop = await ShopModel.findOne({ shopId }, { glossary: 1 }).lean();
  const skus = await FaqEntryModel.distinct('skus', { shopId });
  return [...new Set([...(shop?.glossary ?? []), ...(skus as string[])].map((t) => t.trim()).filter(Boolean))];
}

export async function translateMissingAnswers(
  shopId: string,
  translator: Translator | null,
  o: { questionIds?: string[]; onProgress?: (done: number, total: number) => void } = {},
): Promise<KbTranslateResult> {
  const empty = (skipped: string, languages: string[] = []): KbTranslateResult => ({
    provider: translator?.provider ?? null,
    languages,
    translated: 0,
    unchanged: 0,
    superseded: 0,
    failed: 0,
    errors: [],
    skipped,
  });
  if (!translator) return empty('no translation provider (SORA_TRANSLATOR=none)');
  const shop = await ShopModel.findOne({ shopId }, { languages: 1, defaultLanguage: 1 }).lean();
  if (!shop) throw new Error(`no shop "${shopId}"`);
  const defaultLanguage = shop.defaultLanguage ?? 'en';
  const languages = [...new Set([defaultLanguage, ...(shop.languages ?? [])])];
  if (languages.length < 2) return empty('the shop offers one language only (shops.languages)', languages);

  const filter = o.questionIds ? { shopId, questionId: { $in: o.questionIds } } : { shopId };
  const entries = await FaqEntryModel.find(filter, { questionId: 1, answers: 1, machineAnswers: 1 }).lean();
  const terms = await shopGlossaryTerms(shopId);
  const result: KbTranslateResult = { ...empty(''), languages };
  delete result.skipped;

  // What to translate, grouped by (from, to) so each pair is one batched request.
  const jobs = new Map<string, { from: string; to: string; items: { questionId: string; text: string; hash: string; stale: boolean }[] }>();
  const sets = new Map<string, Record<string, MachineAnswer>>();
  const unsets = new Map<string, string[]>();
  for (const e of entries) {
    const answers = { ...(e.answers as unknown as Record<string, string>) };
    const machine = (e.machineAnswers ?? {}) as unknown as Record<string, MachineAnswer>;
    const from = sourceLanguage(answers, defaultLanguage);
    if (!from) continue;
    const text = answers[from]!;
    const hash = sha256(text);
    for (const to of languages) {
      const seller = !!answers[to]?.trim();
      const m = machine[to];
      if (seller) {
        if (m) {
          unsets.set(e.questionId, [...(unsets.get(e.questionId) ?? []), to]);
          result.superseded++;
        }
        continue;
      }
      if (m && m.sourceHash === hash && m.sourceLang === from) {
        result.unchanged++;
        continue;
      }
      const k = `${from}\u0000${to}`;
      if (!jobs.has(k)) jobs.set(k, { from, to, items: [] });
      jobs.get(k)!.items.push({ questionId: e.questionId, text, hash, stale: !!m });
    }
  }

  const total = [...jobs.values()].reduce((n, j) => n + j.items.length, 0);
  let done = 0;
  for (const job of jobs.values()) {
    try {
      const r = await translator.translate({
        texts: job.items.map((i) => i.text),
        from: job.from,
        to: job.to,
        shopId,
        doNotTranslate: terms,
      });
      const at = new Date();
      job.items.forEach((item, i) => {
        const s = sets.get(item.questionId) ?? {};
        s[job.to] = {
          text: r.texts[i]!,
          sourceLang: job.from,
          sourceHash: item.hash,
          provider: translator.provider,
          translatedAt: at,
          reviewedBy: null,
          reviewedAt: null,
        };
        sets.set(item.questionId, s);
      });
      result.translated += job.items.length;
    } catch (e) {
      // A machine answer of an older source text is not served any more: the seller's answers are.
      for (const item of job.items) if (item.stale) unsets.set(item.questionId, [...(unsets.get(item.questionId) ?? []), job.to]);
      result.failed += job.items.length;
      result.errors.push(`${job.from}→${job.to}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500));
    }
    done += job.items.length;
    o.onProgress?.(done, total);
  }

  const ids = new Set([...sets.keys(), ...unsets.keys()]);
  if (ids.size) {
    await FaqEntryModel.bulkWrite(
      [...ids].map((questionId) => {
        const $set = Object.fromEntries(Object.entries(sets.get(questionId) ?? {}).map(([l, m]) => [`machineAnswers.${l}`, m]));
        const $unset = Object.fromEntries((unsets.get(questionId) ?? []).map((l) => [`machineAnswers.${l}`, '']));
        return {
          updateOne: {
            filter: { shopId, questionId },
            update: { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) },
          },
        };
      }),
      { ordered: false },
    );
    await bumpAnswersRev(shopId);
  }
  return result;
}

/** Machine answers changed: every process's answer cache re-reads (no index rebuild). */
export async function bumpAnswersRev(shopId: string): Promise<void> {
  await ShopModel.updateOne({ shopId }, { $inc: { answersRev: 1 } });
  noteAnswersChanged(shopId);
}
