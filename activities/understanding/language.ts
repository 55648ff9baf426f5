/** Buyer language detection for the 9 supported languages: script ranges first, then tinyld. */
import { detect } from 'tinyld';
import { LANGUAGES } from '../catalog/languages.js';

const SCRIPTS: Array<[RegExp, string]> = [
  [/[\u0E00-\u0E7F]/u, 'th'],
  [/[\u0600-\u06FF\u0750-\u077F]/u, 'ar'],
  [/[\u4E00-\u9FFF\u3400-\u4DBF]/u, 'zh'],
];
/** Letters only Vietnamese uses among the Latin-script languages we support. */
const VIETNAMESE = /[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu;

/**
 * Words that give away a Latin-script language in short messages, where statistical detection
 * is unreliable ("Hola, mi pedido").
 */
const SHORT_HINTS: Record<string, string[]> = {
  en: ['hello', 'hi', 'my', 'order', 'where', 'thanks', 'thank', 'please', 'the', 'is', 'want'],
  es: ['hola', 'gracias', 'pedido', 'envío', 'envio', 'dónde', 'donde', 'cuánto', 'cuanto', 'quiero', 'mi', 'tarda', 'devolver', 'está'],
  fr: ['bonjour', 'merci', 'commande', 'où', 'colis', 'je', 'veux', 'livraison', 'combien', 'ma', 'mon', 'est'],
  pt: ['olá', 'obrigado', 'obrigada', 'meu', 'minha', 'cadê', 'encomenda', 'quero', 'você', 'está', 'não'],
  id: [
    'halo',
    'kak',
    'saya',
    'pesanan',
    'terima',
    'kasih',
    'berapa',
    'kirim',
    'pengiriman',
    'bisa',
    'mau',
    'gak',
    'nggak',
    'sudah',
    'belum',
  ],
};

function shortHint(text: string): string | null {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  let best: string | null = null;
  let bestHits = 0;
  let tie = false;
  for (const [lang, hints] of Object.entries(SHORT_HINTS)) {
    const hits = words.filter((w) => hints.includes(w)).length;
    if (hits > bestHits) {
      best = lang;
      bestHits = hits;
      tie = false;
    } else if (hits === bestHits && hits > 0) tie = true;
  }
  return tie ? null : best;
}

/** Detect; keep `previous` when the text is too short to tell (e.g. "ok", "10"). */
export function detectLanguage(text: string, previous: string | null, fallback = 'en'): string {
  for (const [re, lang] of SCRIPTS) if (re.test(text)) return lang;
  if (VIETNAMESE.test(text)) return 'vi';
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length < 25) {
    const hint = shortHint(text);
    if (hint) return hint;
  }
  if (letters.length >= 4) {
    const lang = detect(text, { only: [...LANGUAGES] });
    if (lang) return lang;
  }
  return previous ?? fallback;
}
