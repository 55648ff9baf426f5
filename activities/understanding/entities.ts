/**
 * Entities in a buyer message: order numbers, tracking numbers, SKUs and countries (names in the
 * buyer languages, from i18n-iso-countries, or ISO codes after a shipping preposition).
 */
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import { LANGUAGES } from '../catalog/languages.js';
import { standaloneTextPatterns } from '../logistics/carriers.js';

const require = createRequire(import.meta.url);
for (const l of LANGUAGES) countries.registerLocale(require(`i18n-iso-countries/langs/${l}.json`));

const ORDER =
  /(?:#|\b(?:order|orden|pedido|commande|encomenda|đơn(?:\s*hàng)?|pesanan|طلب|订单|คำสั่งซื้อ)\s*(?:nombor|nomor|number|número|numéro|no\.?|n[º°o]\.?|số|رقم|号)?\s*[:#]?\s*)([A-Z0-9-]{3,24})/giu;

export function extractOrderNumbers(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(ORDER)) if (/\d/.test(m[1]!)) out.add(m[1]!.toUpperCase());
  return [...out];
}

/** A short answer to "what is your order number?" is the number itself: "1234", "#A-1234", "it's 1234". */
const BARE = /^#?([A-Z0-9][A-Z0-9-]{2,23})$/i;
const BARE_MAX_WORDS = 4;

/**
 * Order numbers in a reply to the bot's question for one (dialogue memory): besides the ones
 * `extractOrderNumbers` finds, a short message's words that look like an order number (a digit,
 * 3–24 letters, digits and dashes) and are not a tracking number.
 */
export function extractAnsweredOrderNumbers(text: string, trackingNumbers: string[]): string[] {
  const out = new Set(extractOrderNumbers(text));
  const words = text.trim().split(/\s+/u);
  if (words.length <= BARE_MAX_WORDS)
    for (const w of words) {
      const m = BARE.exec(w.replace(/[.,!?;:。！？]+$/u, ''));
      const n = m?.[1]?.toUpperCase();
      if (n && /\d/.test(n) && !trackingNumbers.includes(n)) out.add(n);
    }
  return [...out];
}

/** "2", "2.", "#2", "2)", "no. 2": a bare position in a numbered list. */
const CHOICE = /^(?:#|no\.?\s*|n[º°]\s*)?(\d{1,2})[.)]?$/iu;

/**
 * The choice a reply picks by its position: channels without buttons (TikTok, Lazada, WhatsApp)
 * list the bot's quick replies as "1. …", "2. …", and the buyer answers "2". Null when the reply is
 * not a bare position within `choices`.
 */
export function pickedChoice(text: string, choices: readonly string[] | undefined): string | null {
  if (!choices?.length) return null;
  const m = CHOICE.exec(text.trim());
  const i = m ? Number(m[1]) : 0;
  return i >= 1 && i <= choices.length ? choices[i - 1]! : null;
}

/**
 * Whether a reply is nothing but order or tracking numbers ("1234", "#A-5521", "LX246813576CN"): an
 * answer to the bot's question, with no question of its own to look up in the FAQ.
 */
export function isBareAnswer(text: string, numbers: string[]): boolean {
  const words = text
    .trim()
    .split(/\s+/u)
    .map((w) =>
      w
        .replace(/^#/u, '')
        .replace(/[.,!?;:。！？]+$/u, '')
        .toUpperCase(),
    )
    .filter(Boolean);
  return words.length > 0 && words.every((w) => numbers.includes(w));
}

/**
 * Tracking numbers: every format of the carrier registry distinctive enough to stand alone in free
 * text (S10, 1Z, IMpb, YT…, SPX…, see activities/logistics/carriers.ts), check digit or not (a
 * mistyped number is still the buyer's number), and long codes after a tracking keyword in any of
 * the languages.
 */
const STANDALONE = standaloneTextPatterns();
const AFTER_KEYWORD =
  /(?:tracking|track|rastreo|seguimiento|suivi|rastreio|单号|运单|快递单|เลขพัสดุ|เลขติดตาม|resi|penjejakan|vận đơn|mã vận|رقم التتبع|التتبع)\s*(?:nombor|number|número|numéro|no\.?|code|#)?\s*[:#]?\s*([A-Z0-9]{8,30})/giu;

export function extractTrackingNumbers(text: string): string[] {
  const found = new Map<string, number>();
  const add = (n: string, at: number) => {
    if (!found.has(n) || found.get(n)! > at) found.set(n, at);
  };
  const upper = text.toUpperCase();
  for (const re of STANDALONE) for (const m of upper.matchAll(re)) add(m[0], m.index);
  for (const m of text.matchAll(AFTER_KEYWORD)) if (/\d/.test(m[1]!)) add(m[1]!.toUpperCase(), m.index + m[0].length - m[1]!.length);
  return [...found].sort((a, b) => a[1] - b[1]).map(([n]) => n);
}

/** SKUs look like TSHIRT-001, SNKR-220, EARBUD-X2 (letters, dash, code with a digit). */
const SKU = /\b[A-Z]{2,12}-(?=[A-Z0-9]*\d)[A-Z0-9]{1,10}\b/g;
export function extractSkus(text: string, known: string[] = []): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(SKU)) out.add(m[0]);
  const upper = text.toUpperCase();
  for (const k of known) if (upper.includes(k.toUpperCase())) out.add(k.toUpperCase());
  return [...out];
}

interface CountryName {
  name: string;
  code: string;
  spaced: boolean;
}
let names: CountryName[] | undefined;
function countryNames(): CountryName[] {
  if (names) return names;
  const list: CountryName[] = [];
  const fold = (s: string) =>
    s
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .normalize('NFC');
  for (const l of LANGUAGES) {
    for (const [code, value] of Object.entries(countries.getNames(l, { select: 'all' }))) {
      for (const n of value as string[]) {
        if (n.length < 3 && !/[\u0E00-\u0E7F\u4E00-\u9FFF\u0600-\u06FF]/u.test(n)) continue;
        list.push({ name: fold(n), code, spaced: !/[\u0E00-\u0E7F\u4E00-\u9FFF]/u.test(n) });
      }
    }
  }
  // Common short forms buyers use.
  for (const [n, code] of [
    ['usa', 'US'],
    ['america', 'US'],
    ['uk', 'GB'],
    ['england', 'GB'],
    ['uae', 'AE'],
    ['美国', 'US'],
    ['英国', 'GB'],
    ['泰国', 'TH'],
    ['ไทย', 'TH'],
    ['ee. uu.', 'US'],
    ['eeuu', 'US'],
    ['eua', 'US'],
  ] as const) {
    list.push({ name: n, code, spaced: !/[\u0E00-\u0E7F\u4E00-\u9FFF]/u.test(n) });
  }
  names = list.sort((a, b) => b.name.length - a.name.length);
  return names;
}

export function extractCountries(text: string): string[] {
  const t = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
  const out = new Set<string>();
  for (const c of countryNames()) {
    if (c.spaced) {
      const i = t.indexOf(c.name);
      if (i < 0) continue;
      const before = t[i - 1];
      const after = t[i + c.name.length];
      if ((before === undefined || !/[\p{L}\p{N}]/u.test(before)) && (after === undefined || !/[\p{L}\p{N}]/u.test(after))) out.add(c.code);
    } else if (t.includes(c.name)) out.add(c.code);
  }
  return [...out];
}
