/**
 * The four HTTP clients (plain fetch, no SDK: each API is one JSON POST, and the official SDKs would
 * add dependencies for nothing we use). Each returns the provider's raw translations of already
 * protected texts; `translator.ts` does the glossary, batching and the result.
 */
import { brief, TranslationError } from './errors.js';
import { joinUrl, postJson, type TranslatorHttpOptions } from './http.js';
import { fromProviderLanguage, LANGUAGE_NAMES, providerLanguage } from './languages.js';
import { placeholder, type Markup } from './glossary.js';
import type { ProviderName, TranslationUsage } from './types.js';

export interface RawCall {
  texts: string[];
  from: string | null;
  to: string;
  /** Whether the texts carry protected terms (the LLM prompt mentions placeholders only then). */
  hasPlaceholders: boolean;
}
export interface RawResult {
  texts: string[];
  detectedFrom?: string;
  usage: TranslationUsage;
}

export interface ProviderClient {
  provider: ProviderName;
  markup: Markup;
  /** Texts and characters per request. */
  limits: { items: number; chars: number };
  call(c: RawCall): Promise<RawResult>;
}

const chars = (texts: string[]) => texts.reduce((n, t) => n + [...t].length, 0);

const malformed = (provider: ProviderName, what: string, body: unknown) =>
  new TranslationError(provider, 'bad_response', `${what}: ${brief(body)}`);

function expectCount(provider: ProviderName, got: string[], want: number, body: unknown): string[] {
  if (got.length !== want) throw malformed(provider, `expected ${want} translation(s), got ${got.length}`, body);
  return got;
}

// --- DeepL ------------------------------------------------------------------------------------

export interface DeeplSettings {
  apiKey: string;
  /** Unset: https://api-free.deepl.com for a Free key (ending in `:fx`), else https://api.deepl.com. */
  baseUrl?: string;
}

export const deeplBaseUrl = (s: DeeplSettings) =>
  s.baseUrl ?? (s.apiKey.endsWith(':fx') ? 'https://api-free.deepl.com' : 'https://api.deepl.com');

/** POST /v2/translate (https://developers.deepl.com/api-reference/translate). */
export function deeplClient(s: DeeplSettings, http: TranslatorHttpOptions): ProviderClient {
  const url = joinUrl(deeplBaseUrl(s), '/v2/translate');
  return {
    provider: 'deepl',
    markup: { kind: 'markup', wrap: (p) => `<x>${p}</x>` },
    // 50 texts and 128 KiB per request (Thai is 3 bytes a character in UTF-8).
    limits: { items: 50, chars: 30_000 },
    async call(c) {
      const body = await postJson(
        {
          provider: 'deepl',
          url,
          headers: { authorization: `DeepL-Auth-Key ${s.apiKey}` },
          body: {
            text: c.texts,
            target_lang: providerLanguage('deepl', c.to, 'target'),
            ...(c.from ? { source_lang: providerLanguage('deepl', c.from, 'source') } : {}),
            tag_handling: 'xml',
            ignore_tags: ['x'],
            show_billed_characters: true,
          },
          // 456: the account's character quota is used up.
          classify: (status) => (status === 456 ? 'quota' : undefined),
          secrets: [s.apiKey],
        },
        http,
      );
      const list = (body as { translations?: unknown } | undefined)?.translations;
      if (!Array.isArray(list) || !list.every((t) => typeof (t as { text?: unknown })?.text === 'string'))
        throw malformed('deepl', 'no translations[].text in the answer', body);
      const rows = list as { text: string; detected_source_language?: string; billed_characters?: number }[];
      const billed = rows.every((r) => typeof r.billed_characters === 'number')
        ? rows.reduce((n, r) => n + r.billed_characters!, 0)
        : chars(c.texts);
      const detected = rows[0]?.detected_source_language;
      return {
        texts: expectCount(
          'deepl',
          rows.map((r) => r.text),
          c.texts.length,
          body,
        ),
        ...(detected ? { detectedFrom: fromProviderLanguage(detected) } : {}),
        usage: { characters: billed },
      };
    },
  };
}

// --- Google Cloud Translation v3 ----------------------------------------------------------------

export interface GoogleSettings {
  projectId: string;
  /** Default `global`. */
  location: string;
  /** An OAuth access token (Bearer), e.g. a service account's, supplied by the deployment. */
  accessToken?: string;
  /** Or an API key (header `x-goog-api-key`) restricted to the Cloud Translation API. */
  apiKey?: string;
  /** Default https://translation.googleapis.com. */
  baseUrl?: string;
}

/** POST /v3/projects/{p}/locations/{l}:translateText (https://cloud.google.com/translate/docs/reference/rest/v3/projects/translateText). */
export function googleClient(s: GoogleSettings, http: TranslatorHttpOptions): ProviderClient {
  const url = joinUrl(
    s.baseUrl ?? 'https://translation.googleapis.com',
    `/v3/projects/${encodeURIComponent(s.projectId)}/locations/${encodeURIComponent(s.location)}:translateText`,
  );
  const headers: Record<string, string> = s.accessToken
    ? { authorization: `Bearer ${s.accessToken}` }
    : { 'x-goog-api-key': s.apiKey ?? '' };
  return {
    provider: 'google',
    markup: { kind: 'markup', wrap: (p) => `<span translate="no">${p}</span>` },
    // Google recommends at most 5,000 code points per request for the best latency; the hard limit is 30,000.
    limits: { items: 1024, chars: 5_000 },
    async call(c) {
      const body = await postJson(
        {
          provider: 'google',
          url,
          headers,
          secrets: [s.accessToken ?? '', s.apiKey ?? ''],
          body: {
            contents: c.texts,
            mimeType: 'text/html',
            targetLanguageCode: providerLanguage('google', c.to, 'target'),
            ...(c.from ? { sourceLanguageCode: providerLanguage('google', c.from, 'source') } : {}),
          },
        },
        http,
      );
      const list = (body as { translations?: unknown } | undefined)?.translations;
      if (!Array.isArray(list) || !list.every((t) => typeof (t as { translatedText?: unknown })?.translatedText === 'string'))
        throw malformed('google', 'no translations[].translatedText in the answer', body);
      const rows = list as { translatedText: string; detectedLanguageCode?: string }[];
      const detected = rows[0]?.detectedLanguageCode;
      return {
        texts: expectCount(
          'google',
          rows.map((r) => r.translatedText),
          c.texts.length,
          body,
        ),
        ...(detected ? { detectedFrom: fromProviderLanguage(detected) } : {}),
        usage: { characters: chars(c.texts) },
      };
    },
  };
}

// --- Azure AI Translator ------------------------------------------------------------------------

export interface AzureSettings {
  key: string;
  /** The resource's region (required for a regional or multi-service resource; omit for a global one). */
  region?: string;
  /** Default https://api.cognitive.microsofttranslator.com. */
  baseUrl?: string;
}

/** POST /translate?api-version=3.0 (https://learn.microsoft.com/azure/ai-services/translator/reference/v3-0-translate). */
export function azureClient(s: AzureSettings, http: TranslatorHttpOptions): ProviderClient {
  const headers: Record<string, string> = { 'ocp-apim-subscription-key': s.key };
  if (s.region) headers['ocp-apim-subscription-region'] = s.region;
  return {
    provider: 'azure',
    markup: { kind: 'markup', wrap: (p) => `<span class="notranslate">${p}</span>` },
    limits: { items: 1000, chars: 50_000 },
    async call(c) {
      const q = new URLSearchParams({ 'api-version': '3.0', to: providerLanguage('azure', c.to, 'target'), textType: 'html' });
      if (c.from) q.set('from', providerLanguage('azure', c.from, 'source'));
      const body = await postJson(
        {
          provider: 'azure',
          url: `${joinUrl(s.baseUrl ?? 'https://api.cognitive.microsofttranslator.com', '/translate')}?${q}`,
          headers,
          body: c.texts.map((Text) => ({ Text })),
          // 403001: the free tier's monthly characters are used up.
          classify: (status, b) =>
            status === 403 && (b as { error?: { code?: number } } | undefined)?.error?.code === 403001 ? 'quota' : undefined,
          secrets: [s.key],
        },
        http,
      );
      const ok =
        Array.isArray(body) &&
        body.every((r) => typeof (r as { translations?: { text?: unknown }[] })?.translations?.[0]?.text === 'string');
      if (!ok) throw malformed('azure', 'no [].translations[0].text in the answer', body);
      const rows = body as { translations: { text: string }[]; detectedLanguage?: { language?: string } }[];
      const detected = rows[0]?.detectedLanguage?.language;
      return {
        texts: expectCount(
          'azure',
          rows.map((r) => r.translations[0]!.text),
          c.texts.length,
          body,
        ),
        ...(detected ? { detectedFrom: fromProviderLanguage(detected) } : {}),
        usage: { characters: chars(c.texts) },
      };
    },
  };
}

// --- OpenAI-compatible chat completions (OpenAI, vLLM, llama.cpp server, Ollama…) --------------

export interface OpenAiSettings {
  /** Server root, without /v1 (e.g. http://127.0.0.1:11434 for Ollama). Default https://api.openai.com. */
  baseUrl?: string;
  /** Bearer key; optional for a local server. */
  apiKey?: string;
  model: string;
}

export function openAiPrompt(c: RawCall): string {
  const name = (code: string) => `${LANGUAGE_NAMES[code.toLowerCase()] ?? code} (${code})`;
  return [
    `You are a translation engine for a shop's customer service. Translate each string of the JSON array the user sends ${
      c.from ? `from ${name(c.from)} ` : ''
    }into ${name(c.to)}.`,
    'Answer with a JSON object only, no other text: {"translations": [...]} with exactly one translated string per input string, in the same order.',
    'Keep the meaning, tone, numbers, URLs, emoji and line breaks. Do not add explanations, notes or quotes.',
    ...(c.hasPlaceholders
      ? [`Tokens such as ${placeholder(0)} are placeholders for product names: copy each one unchanged, exactly once.`]
      : []),
  ].join('\n');
}

/** Reads `{"translations": [...]}` or a bare array from the model's message (code fences tolerated). */
export function readLlmTranslations(content: string): string[] | undefined {
  const s = content
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return undefined;
  }
  const list = Array.isArray(v) ? v : (v as { translations?: unknown } | null)?.translations;
  return Array.isArray(list) && list.every((t) => typeof t === 'string') ? (list as string[]) : undefined;
}

/** POST {base}/v1/chat/completions (https://platform.openai.com/docs/api-reference/chat/create). */
export function openAiClient(s: OpenAiSettings, http: TranslatorHttpOptions): ProviderClient {
  const url = joinUrl((s.baseUrl ?? 'https://api.openai.com').replace(/\/v1\/?$/, ''), '/v1/chat/completions');
  return {
    provider: 'openai',
    markup: { kind: 'text' },
    limits: { items: 20, chars: 6_000 },
    async call(c) {
      const body = await postJson(
        {
          provider: 'openai',
          url,
          headers: s.apiKey ? { authorization: `Bearer ${s.apiKey}` } : {},
          secrets: [s.apiKey ?? ''],
          body: {
            model: s.model,
            temperature: 0,
            response_format: { type: 'json_object' },
            messages: [
              { role: 'system', content: openAiPrompt(c) },
              { role: 'user', content: JSON.stringify(c.texts) },
            ],
          },
        },
        http,
      );
      const b = body as
        | {
            choices?: { message?: { content?: unknown } }[];
            usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
          }
        | undefined;
      const content = b?.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw malformed('openai', 'no choices[0].message.content in the answer', body);
      const texts = readLlmTranslations(content);
      if (!texts) throw malformed('openai', 'the model did not answer a JSON array of strings', content);
      const u = b?.usage;
      const prompt = Number(u?.prompt_tokens ?? 0) || 0;
      const completion = Number(u?.completion_tokens ?? 0) || 0;
      return {
        texts: expectCount('openai', texts, c.texts.length, content),
        usage: {
          characters: chars(c.texts),
          ...(u ? { tokens: { prompt, completion, total: Number(u.total_tokens ?? prompt + completion) || prompt + completion } } : {}),
        },
      };
    },
  };
}
