/**
 * createTranslator(config.translation, { store }): the configured provider's Translator, with the
 * cache and metering when a store is given (models/translation-store.ts: `translationStore`), or
 * null when SORA_TRANSLATOR=none: then nothing is ever called. docs/translation.md.
 */
import type { TranslationConfig } from '../config/schema.js';
import { cachedTranslator, type TranslationStore } from './cached.js';
import type { TranslatorHttpOptions } from './http.js';
import { azureClient, deeplClient, googleClient, openAiClient, type ProviderClient } from './providers.js';
import { providerTranslator } from './translator.js';
import type { Translator } from './types.js';

export type { GlossaryTerm, ProviderName, TranslateRequest, TranslateResult, Translator, TranslationUsage } from './types.js';
export { TranslationError, type TranslationErrorKind } from './errors.js';
export type { TranslationStore, CacheEntry, UsageIncrement } from './cached.js';

export function providerClient(c: TranslationConfig, http: TranslatorHttpOptions = {}): ProviderClient | null {
  const h = { timeoutMs: c.timeoutMs, ...http };
  switch (c.provider) {
    case 'none':
      return null;
    case 'deepl':
      return deeplClient(c.deepl!, h);
    case 'google':
      return googleClient(c.google!, h);
    case 'azure':
      return azureClient(c.azure!, h);
    case 'openai':
      return openAiClient(c.openai!, h);
  }
}

export function createTranslator(
  c: TranslationConfig,
  o: { store?: TranslationStore; http?: TranslatorHttpOptions } = {},
): Translator | null {
  const client = providerClient(c, o.http);
  if (!client) return null;
  const t = providerTranslator(client);
  return o.store ? cachedTranslator(t, o.store) : t;
}
