/**
 * A provider client → a Translator: the glossary protected (glossary.ts), repeated texts sent once,
 * batches within the provider's limits, the answers restored in order, the usage summed.
 */
import { glossaryTerms, protect } from './glossary.js';
import type { ProviderClient } from './providers.js';
import { batches } from './languages.js';
import type { TranslateRequest, TranslateResult, Translator, TranslationUsage } from './types.js';

export function addUsage(a: TranslationUsage, b: TranslationUsage): TranslationUsage {
  const tokens =
    a.tokens || b.tokens
      ? {
          prompt: (a.tokens?.prompt ?? 0) + (b.tokens?.prompt ?? 0),
          completion: (a.tokens?.completion ?? 0) + (b.tokens?.completion ?? 0),
          total: (a.tokens?.total ?? 0) + (b.tokens?.total ?? 0),
        }
      : undefined;
  return { characters: a.characters + b.characters, ...(tokens ? { tokens } : {}) };
}

export function providerTranslator(client: ProviderClient): Translator {
  return {
    provider: client.provider,
    async translate(req: TranslateRequest): Promise<TranslateResult> {
      if (!req.to) throw new TypeError('translate: `to` is required');
      // Blank texts are not sent (they translate to themselves); repeated texts are sent once.
      const unique = [...new Set(req.texts.filter((t) => t.trim() !== ''))];
      const translated = new Map<string, string>();
      let billed: TranslationUsage = { characters: 0 };
      let detectedFrom: string | undefined;
      let requests = 0;
      if (unique.length) {
        const terms = glossaryTerms(req);
        const p = protect(client.provider, unique, terms, client.markup);
        const out: string[] = new Array<string>(unique.length);
        for (const b of batches(p.texts, client.limits.items, client.limits.chars)) {
          const r = await client.call({ texts: b.texts, from: req.from, to: req.to, hasPlaceholders: terms.length > 0 });
          r.texts.forEach((t, k) => (out[b.start + k] = t));
          billed = addUsage(billed, r.usage);
          requests++;
          detectedFrom ??= r.detectedFrom;
        }
        p.restore(out).forEach((t, k) => translated.set(unique[k]!, t));
      }
      return {
        texts: req.texts.map((t) => translated.get(t) ?? t),
        ...(detectedFrom ? { detectedFrom } : {}),
        billed,
        requests,
      };
    },
  };
}
