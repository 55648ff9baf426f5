/**
 * The configured translation provider, created once per process (docs/translation.md): the
 * provider client with the MongoDB cache and per-shop metering, or null when SORA_TRANSLATOR=none,
 * in which case the start log says once what buyers get instead.
 */
import type { Config } from '../infra/config/index.js';
import { createTranslator, type Translator } from '../infra/translation/index.js';
import { translationStore } from '../models/translation-cache.js';

export const NO_TRANSLATOR_LOG =
  "no translation provider (SORA_TRANSLATOR=none): answers missing a buyer's language fall back to the shop's default language (flagged languageFallback)";

export function configuredTranslator(config: Config, log: (msg: string, fields?: Record<string, unknown>) => void): Translator | null {
  const translator = createTranslator(config.translation, { store: translationStore });
  if (!translator) log(NO_TRANSLATOR_LOG);
  else
    log('machine translation provider configured', {
      provider: translator.provider,
      understandingPivot: config.translation.pivot ? `on (${config.translation.pivot.timeoutMs} ms)` : 'off',
    });
  return translator;
}
