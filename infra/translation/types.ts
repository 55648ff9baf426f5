/**
 * The Translator interface (docs/translation.md): a batch of texts from one language (or detected)
 * to another, with the shop's glossary protected, and what the provider billed.
 */

/** A glossary term: `source` is never translated; with `target` it is written as `target` instead. */
export interface GlossaryTerm {
  source: string;
  target?: string;
}

export interface TranslateRequest {
  texts: string[];
  /** Source language (sora's codes: en, es, es-419, pt, fr, th, vi, id, ms, ar, zh…), or null to detect. */
  from: string | null;
  to: string;
  /** Brand names, SKUs, sizes…: protected by placeholders for every provider. */
  glossary?: GlossaryTerm[];
  /** Shorthand for glossary terms without a target. */
  doNotTranslate?: string[];
  /** Whose cost this is (metering). */
  shopId: string;
  /** false: neither read nor write the translation cache (e.g. buyer messages, personal data). Default true. */
  cache?: boolean;
}

export interface TranslationUsage {
  /** Characters sent to the provider (DeepL's own `billed_characters` when it reports them). */
  characters: number;
  /** Tokens reported by an OpenAI-compatible API's `usage`. */
  tokens?: { prompt: number; completion: number; total: number };
}

export interface TranslateResult {
  /** One per input text, same order. */
  texts: string[];
  /** The language the provider detected (sora's code when known, else the provider's, lower case). */
  detectedFrom?: string;
  /** What this call cost (zero when every text came from the cache). */
  billed: TranslationUsage;
  /** HTTP requests that reached the provider (batches; retries not counted). */
  requests?: number;
  /** How many of the texts came from the cache (cached translator only). */
  cached?: number;
}

export type ProviderName = 'deepl' | 'google' | 'azure' | 'openai';

export interface Translator {
  readonly provider: ProviderName;
  translate(req: TranslateRequest): Promise<TranslateResult>;
}
