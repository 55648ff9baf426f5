/**
 * The translator the rest of sora uses: a provider's Translator with a cache (the same text is never
 * paid twice) and per-shop cost metering, over a TranslationStore that models/translation-store.ts
 * implements in MongoDB (infra imports nothing of ours; the entry point passes the store in).
 *
 * Cache key: sha256 of (provider, from or `auto`, to, sha256(text), glossary hash). Metering: what
 * the provider billed for the texts actually sent (cache misses), plus the characters served from
 * the cache, per shop, provider and UTC month.
 */
import { createHash } from 'node:crypto';
import { log } from '../log.js';
import { glossaryHash, glossaryTerms } from './glossary.js';
import type { ProviderName, TranslateRequest, TranslateResult, Translator, TranslationUsage } from './types.js';

export interface CacheEntry {
  key: string;
  provider: ProviderName;
  from: string;
  to: string;
  textHash: string;
  glossaryHash: string;
  text: string;
  detectedFrom?: string;
}

export interface UsageIncrement extends TranslationUsage {
  /** Provider calls that sent at least one text. */
  requests: number;
  /** Characters answered from the cache (not billed). */
  cachedCharacters: number;
}

export interface TranslationStore {
  lookup(keys: string[]): Promise<Map<string, { text: string; detectedFrom?: string }>>;
  save(entries: CacheEntry[]): Promise<void>;
  /** Adds to the shop's counters of `month` (YYYY-MM, UTC). */
  meter(shopId: string, provider: ProviderName, month: string, usage: UsageIncrement): Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function cacheKey(provider: ProviderName, from: string | null, to: string, text: string, gHash: string) {
  const textHash = sha256(text);
  return { key: sha256(JSON.stringify([provider, from ?? 'auto', to, textHash, gHash])), textHash };
}

export const utcMonth = (at: Date) => at.toISOString().slice(0, 7);

export function cachedTranslator(inner: Translator, store: TranslationStore, o: { now?: () => Date } = {}): Translator {
  const now = o.now ?? (() => new Date());
  return {
    provider: inner.provider,
    async translate(req: TranslateRequest): Promise<TranslateResult> {
      const useCache = req.cache !== false;
      const gHash = glossaryHash(glossaryTerms(req));
      const unique = [...new Set(req.texts.filter((t) => t.trim() !== ''))];
      const keys = new Map(unique.map((t) => [t, cacheKey(inner.provider, req.from, req.to, t, gHash)]));
      const hits = useCache
        ? await store.lookup([...keys.values()].map((k) => k.key))
        : new Map<string, { text: string; detectedFrom?: string }>();
      const done = new Map<string, string>();
      let detectedFrom: string | undefined;
      let cachedCharacters = 0;
      for (const t of unique) {
        const hit = hits.get(keys.get(t)!.key);
        if (!hit) continue;
        done.set(t, hit.text);
        cachedCharacters += [...t].length;
        detectedFrom ??= hit.detectedFrom;
      }
      const misses = unique.filter((t) => !done.has(t));
      let billed: TranslationUsage = { characters: 0 };
      let requests = 0;
      if (misses.length) {
        const r = await inner.translate({ ...req, texts: misses });
        billed = r.billed;
        requests = r.requests ?? 1;
        detectedFrom = r.detectedFrom ?? detectedFrom;
        misses.forEach((t, i) => done.set(t, r.texts[i]!));
        if (useCache)
          await quietly('save', () =>
            store.save(
              misses.map((t, i) => ({
                key: keys.get(t)!.key,
                provider: inner.provider,
                from: req.from ?? 'auto',
                to: req.to,
                textHash: keys.get(t)!.textHash,
                glossaryHash: gHash,
                text: r.texts[i]!,
                ...(r.detectedFrom ? { detectedFrom: r.detectedFrom } : {}),
              })),
            ),
          );
      }
      if (misses.length || cachedCharacters)
        await quietly('meter', () => store.meter(req.shopId, inner.provider, utcMonth(now()), { ...billed, requests, cachedCharacters }));
      return {
        texts: req.texts.map((t) => done.get(t) ?? t),
        ...(detectedFrom ? { detectedFrom } : {}),
        billed,
        requests,
        cached: unique.length - misses.length,
      };
    },
  };
}

/** The translation is paid for already: a cache or meter write failing is logged, not thrown. */
async function quietly(what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    log(`translation ${what} failed`, { error: e });
  }
}
