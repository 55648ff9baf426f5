/**
 * Buyer questions in many languages from the demo FAQ (scripts/demo/demo-faq.csv): every question
 * and phrasing variant of the intents a bot answers by itself (no complaints, no requests for a
 * human, no order lookups: those hand off or ask for an order number), grouped by detected language
 * and handed out in rotation so consecutive buyers write in different languages.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { detect } from 'tinyld';
import { DEMO_FAQ_FILE } from '../../scripts/demo/demo-shop.js';

const ANSWERED_BY_BOT = new Set([
  'shipping_time_cost',
  'product_info',
  'payment',
  'customs_tax',
  'size_fit',
  'coupon_promotion',
  'returns_exchange',
]);

/** Languages buyers of the demo shop write in (the FAQ has phrasings in these). */
const SHOP_LANGUAGES = new Set(['en', 'es', 'fr', 'pt', 'th', 'vi', 'id', 'ms', 'ar', 'zh', 'ja', 'ko', 'tr']);

export interface QuestionPool {
  languages: string[];
  /** The n-th question: language n mod L, the (n div L)-th question of that language. */
  at(n: number): { text: string; language: string };
}

export function questionPool(csv = readFileSync(DEMO_FAQ_FILE, 'utf8')): QuestionPool {
  const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const byLang = new Map<string, string[]>();
  for (const r of rows) {
    if (!ANSWERED_BY_BOT.has(r.intent ?? '')) continue;
    const texts = [r.question ?? '', ...(r.variants ?? '').split('\n')].map((t) => t.trim()).filter((t) => t.length >= 8);
    for (const text of texts) {
      const language = detect(text) || 'und';
      byLang.set(language, [...(byLang.get(language) ?? []), text]);
    }
  }
  // Short phrasings are sometimes detected as a language nobody wrote them in: keep the shop's languages.
  const languages = [...byLang.keys()].filter((l) => SHOP_LANGUAGES.has(l) && (byLang.get(l)?.length ?? 0) >= 3).sort();
  const lists = languages.map((l) => byLang.get(l)!);
  return {
    languages,
    at(n) {
      const i = n % lists.length;
      const list = lists[i]!;
      return { text: list[Math.floor(n / lists.length) % list.length]!, language: languages[i]! };
    },
  };
}
