/** Buyer language detection for the 9 supported languages: script ranges first, then tinyld. */
import { detect } from 'tinyld';
import { LANGUAGES } from '../catalog/system-messages.js';

const SCRIPTS: Array<[RegExp, string]> = [
  [/[\u0E00-\u0E7F]/u, 'th'],
  [/[\u0600-\u06FF\u0750-\u077F]/u, 'ar'],
  [/[\u4E00-\u9FFF\u3400-\u4DBF]/u, 'zh'],
];
/** Letters only Vietnamese uses among the Latin-script languages we support. */
const VIETNAMESE = /[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu;

/** Detect; keep `previous` when the text is too short to tell (e.g. "ok", "10"). */
export function detectLanguage(text: string, previous: string | null, fallback = 'en'): string {
  for (const [re, lang] of SCRIPTS) if (re.test(text)) return lang;
  if (VIETNAMESE.test(text)) return 'vi';
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 4) {
    const lang = detect(text, { only: [...LANGUAGES] });
    if (lang) return lang;
  }
  return previous ?? fallback;
}
