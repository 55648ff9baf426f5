/**
 * sora's language codes (activities/catalog/languages.ts: en, es, es-419, pt, fr, th, vi, id, ms,
 * ar, zh) → each provider's codes, and the detected language back. A code not listed is passed on
 * as the provider expects it written; the provider answers bad_request if it does not know it.
 */
import type { ProviderName } from './types.js';

const base = (code: string) => code.toLowerCase().split(/[-_]/)[0]!;

/** DeepL target: EN and PT need a variant; Chinese is ZH-HANS; Latin-American Spanish is ES-419. */
const DEEPL_TARGET: Record<string, string> = { en: 'EN-US', pt: 'PT-BR', zh: 'ZH-HANS', 'es-419': 'ES-419' };
const GOOGLE: Record<string, string> = { zh: 'zh-CN', 'es-419': 'es' };
const AZURE: Record<string, string> = { zh: 'zh-Hans', 'es-419': 'es' };

export function providerLanguage(provider: ProviderName, code: string, role: 'source' | 'target'): string {
  const c = code.toLowerCase();
  switch (provider) {
    case 'deepl':
      return role === 'target' ? (DEEPL_TARGET[c] ?? c.toUpperCase()) : base(c).toUpperCase();
    case 'google':
      return GOOGLE[c] ?? c;
    case 'azure':
      return AZURE[c] ?? c;
    case 'openai':
      return c;
  }
}

/** A provider's detected language → sora's code (the base language, lower case: `PT-BR` → `pt`, `zh-Hans` → `zh`). */
export const fromProviderLanguage = (code: string): string => base(code);

/** English names for the LLM prompt (any other code is given as is). */
export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Spanish',
  'es-419': 'Latin-American Spanish',
  pt: 'Portuguese (Brazil)',
  fr: 'French',
  th: 'Thai',
  vi: 'Vietnamese',
  id: 'Indonesian',
  ms: 'Malay',
  ar: 'Arabic',
  zh: 'Simplified Chinese',
};

/** Split texts into batches of at most `maxItems` texts and about `maxChars` characters (a longer text goes alone). */
export function batches(texts: string[], maxItems: number, maxChars: number): { start: number; texts: string[] }[] {
  const out: { start: number; texts: string[] }[] = [];
  let cur: string[] = [];
  let chars = 0;
  let start = 0;
  texts.forEach((t, i) => {
    if (cur.length && (cur.length >= maxItems || chars + t.length > maxChars)) {
      out.push({ start, texts: cur });
      cur = [];
      chars = 0;
      start = i;
    }
    cur.push(t);
    chars += t.length;
  });
  if (cur.length) out.push({ start, texts: cur });
  return out;
}
