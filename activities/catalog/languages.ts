/**
 * The one list of languages sora-cs speaks (PRODUCT.md R8, R18). Everything that needs the list
 * (language detection, entity and keyword tables, message catalogs, Intl formatting) imports it
 * from here. Adding a language: add it below, add `locales/<code>.json`, register the file in
 * `t.ts` (the compiler says where), see docs/translations.md.
 *
 * This module imports nothing, so any layer may use it.
 */

/** R8: the buyer languages the product promises, plus Malay (issue 18: Malaysia is a priority market). */
export const BUYER_LANGUAGES = ['en', 'es', 'fr', 'pt', 'th', 'vi', 'id', 'ms', 'ar'] as const;

/** Sellers and agents work in Chinese; Chinese-speaking buyers are answered in it too. */
export const SELLER_LANGUAGE = 'zh';

/** Every language detected and answered: the buyer languages plus Chinese (10). */
export const LANGUAGES = ['en', 'zh', 'es', 'fr', 'pt', 'th', 'vi', 'id', 'ms', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Regional variants with their own (partial) catalog; each falls back to its parent language. */
export const VARIANTS = { 'es-419': 'es' } as const satisfies Record<string, Language>;
export type Variant = keyof typeof VARIANTS;

/**
 * Regions whose Spanish is Latin-American Spanish (CLDR: their locales' parent is es-419), so a
 * buyer's `es-MX` or `es-AR` reads the es-419 catalog before the Spanish (Spain) one.
 */
export const LATIN_AMERICAN_SPANISH: ReadonlySet<string> = new Set(
  'AR BO BR BZ CL CO CR CU DO EC GT HN MX NI PA PE PR PY SV US UY VE'.split(' '),
);

/** Every locale with a catalog file in `locales/`. */
export const LOCALES = [...LANGUAGES, ...(Object.keys(VARIANTS) as Variant[])] as const;
export type Locale = Language | Variant;

/** R18: the Spanish a shop answers in (shop.spanishVariant; models/shop.ts keeps the same enum). */
export const SPANISH_VARIANTS = ['es', 'es-419'] as const satisfies readonly Locale[];

export interface LocaleInfo {
  /** English name (operator UI, docs, logs). */
  name: string;
  /** The name in the language itself. */
  nativeName: string;
  /** Written right to left. */
  rtl: boolean;
  /** BCP 47 locale for Intl (dates, numbers, plural rules). English follows the buyer's country (format.ts). */
  intl: string;
}

export const LOCALE_INFO: Record<Locale, LocaleInfo> = {
  en: { name: 'English', nativeName: 'English', rtl: false, intl: 'en-US' },
  zh: { name: 'Chinese (Simplified)', nativeName: '简体中文', rtl: false, intl: 'zh-CN' },
  es: { name: 'Spanish (Spain)', nativeName: 'Español', rtl: false, intl: 'es-ES' },
  'es-419': { name: 'Spanish (Latin America)', nativeName: 'Español (Latinoamérica)', rtl: false, intl: 'es-MX' },
  fr: { name: 'French', nativeName: 'Français', rtl: false, intl: 'fr-FR' },
  pt: { name: 'Portuguese (Brazil)', nativeName: 'Português', rtl: false, intl: 'pt-BR' },
  th: { name: 'Thai', nativeName: 'ไทย', rtl: false, intl: 'th-TH' },
  vi: { name: 'Vietnamese', nativeName: 'Tiếng Việt', rtl: false, intl: 'vi-VN' },
  id: { name: 'Indonesian', nativeName: 'Bahasa Indonesia', rtl: false, intl: 'id-ID' },
  ms: { name: 'Malay', nativeName: 'Bahasa Melayu', rtl: false, intl: 'ms-MY' },
  ar: { name: 'Arabic', nativeName: 'العربية', rtl: true, intl: 'ar' },
};

/** `es_419`, `ES-419` → `es-419`; `pt-br` → `pt-BR` (language lower case, region upper case). */
export function normalizeLocale(tag: string): string {
  const parts = tag.trim().replace(/_/g, '-').split('-').filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p.toLowerCase() : p.length === 2 ? p.toUpperCase() : p.toLowerCase())).join('-');
}

export function isLanguage(tag: string | null | undefined): tag is Language {
  return (LANGUAGES as readonly string[]).includes(tag ?? '');
}

export function isLocale(tag: string | null | undefined): tag is Locale {
  return (LOCALES as readonly string[]).includes(tag ?? '');
}

/** `es-419` → `es`, `pt-BR` → `pt`. */
export function baseLanguage(tag: string): string {
  return normalizeLocale(tag).split('-')[0]!;
}

/**
 * The supported locales to try for a tag, most specific first: `es-419` → [`es-419`, `es`];
 * `es-MX` → [`es-419`, `es`]; `es-ES` → [`es`]; `de` → []. `has` says what is supported (default: a locale of this module).
 */
export function supportedChain(tag: string | null | undefined, has: (locale: string) => boolean = isLocale): string[] {
  if (!tag?.trim()) return [];
  const out: string[] = [];
  const add = (l: string) => {
    if (has(l) && !out.includes(l)) out.push(l);
  };
  const parts = normalizeLocale(tag).split('-');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('-');
    if (n === 1 && candidate === 'es' && LATIN_AMERICAN_SPANISH.has(parts[1] ?? '')) add('es-419');
    add(candidate);
    if (candidate in VARIANTS) add(VARIANTS[candidate as Variant]);
  }
  return out;
}

export function isRtl(tag: string | null | undefined): boolean {
  const first = supportedChain(tag)[0] as Locale | undefined;
  return first ? LOCALE_INFO[first].rtl : false;
}

/** English name of a locale ("Spanish (Latin America)"); the tag itself when unsupported. */
export function languageName(tag: string): string {
  const first = supportedChain(tag)[0] as Locale | undefined;
  return first ? LOCALE_INFO[first].name : tag;
}
