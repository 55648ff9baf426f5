/**
 * Buyer language detection for the supported languages: script ranges first, then word hints for
 * short messages, then tinyld. The two pairs statistics confuse on short messages, Portuguese vs
 * Spanish and Indonesian vs Malay, are settled by distinguishing words (language-pairs.ts) and, when
 * the words do not tell, by priors: the buyer's previous language, the shop's languages, the
 * buyer's country.
 */
import { detect } from 'tinyld';
import { LANGUAGES } from '../catalog/languages.js';
import { FAMILY_HINTS, pairOf, resolvePair, words, type LanguagePriors } from './language-pairs.js';

export type { LanguagePriors } from './language-pairs.js';

const SCRIPTS: Array<[RegExp, string]> = [
  [/[\u0E00-\u0E7F]/u, 'th'],
  [/[\u0600-\u06FF\u0750-\u077F]/u, 'ar'],
  [/[\u4E00-\u9FFF\u3400-\u4DBF]/u, 'zh'],
];
/** Letters only Vietnamese uses among the Latin-script languages we support. */
const VIETNAMESE = /[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu;

/**
 * The language (or pair representative: `es` for es/pt, `id` for id/ms) whose hint words a short
 * message uses most ("Hola, mi pedido"); null on a tie or no hit.
 */
function shortHint(text: string): string | null {
  const ws = words(text);
  let best: string | null = null;
  let bestHits = 0;
  let tie = false;
  for (const [lang, hints] of Object.entries(FAMILY_HINTS)) {
    const hits = ws.filter((w) => hints.has(w)).length;
    if (hits > bestHits) {
      best = lang;
      bestHits = hits;
      tie = false;
    } else if (hits === bestHits && hits > 0) tie = true;
  }
  return tie ? null : best;
}

/**
 * Detect; keep `previous` when the text is too short to tell (e.g. "ok", "10"). `previous` is also
 * the first prior between Portuguese and Spanish, Indonesian and Malay; `priors` adds the shop's
 * languages and the buyer's country.
 */
export function detectLanguage(text: string, previous: string | null, fallback = 'en', priors: LanguagePriors = {}): string {
  for (const [re, lang] of SCRIPTS) if (re.test(text)) return lang;
  if (VIETNAMESE.test(text)) return 'vi';
  const letters = text.replace(/[^\p{L}]/gu, '');
  const all = { ...priors, previous };
  let guess: string | null = null;
  if (letters.length < 25) guess = shortHint(text);
  if (!guess && letters.length >= 4) guess = detect(text, { only: [...LANGUAGES] }) || null;
  if (guess) {
    const pair = pairOf(guess);
    return pair ? resolvePair(pair, text, guess, all) : guess;
  }
  return previous ?? fallback;
}
