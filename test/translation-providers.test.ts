/**
 * The translation providers (docs/translation.md) against local fakes of DeepL, Google Cloud
 * Translation v3, Azure AI Translator and an OpenAI-compatible chat-completions server
 * (test/setup/translation-apis.ts): request shape and auth headers, glossary terms kept, errors
 * mapped (auth, quota, rate limit with Retry-After retried, 5xx retried then transient, malformed
 * answers), timeouts; the MongoDB cache and per-shop metering; SORA_TRANSLATOR=none calls nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../infra/config/load.js';
import { createTranslator, TranslationError, type Translator } from '../infra/translation/index.js';
import { deeplBaseUrl } from '../infra/translation/providers.js';
import { disconnectMongo } from '../models/connection.js';
import { TranslationCacheModel } from '../models/translation-cache.js';
import { translationStore } from '../models/translation-cache.js';
import { translationUsage } from '../models/translation-usage.js';
import { runUsageCommand } from '../scripts/cli/usage.js';
import { DEFAULT_BILLING_TIERS, parseBillingPlan } from '../infra/config/billing-plan.js';
import { ShopModel } from '../models/shop.js';
import { useFreshDatabase } from './setup/helpers.js';
import { startAzure, startDeepl, startGoogle, startOpenAi, type FakeApi } from './setup/translation-apis.js';

const FAST = { backoffBaseMs: 5, maxBackoffMs: 20 };
const KEYS = {
  deepl: 'deepl-test-key-0001:fx',
  google: 'ya29.google-test-access-token',
  azure: 'azure-test-key-0001',
  openai: 'sk-test-openai-key-0001',
};

interface Case {
  name: 'deepl' | 'google' | 'azure' | 'openai';
  start: () => Promise<FakeApi>;
  env: (url: string) => Record<string, string>;
  /** The fake's prefix for Spanish. */
  es: string;
  /** What a wrong key gets. */
  authStatus: number;
  /** A 2xx body none of the clients can read. */
  malformed: unknown;
  /** The auth header the fake saw. */
  auth: (h: Record<string, string | string[] | undefined>) => unknown;
}

const CASES: Case[] = [
  {
    name: 'deepl',
    start: () => startDeepl(KEYS.deepl),
    env: (url) => ({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEYS.deepl, SORA_DEEPL_BASE_URL: url }),
    es: '[ES]',
    authStatus: 403,
    malformed: { translation: 'oops' },
    auth: (h) => h.authorization,
  },
  {
    name: 'google',
    start: () => startGoogle({ project: 'shop-project', token: KEYS.google }),
    env: (url) => ({
      SORA_TRANSLATOR: 'google',
      SORA_GOOGLE_TRANSLATE_PROJECT: 'shop-project',
      SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN: KEYS.google,
      SORA_GOOGLE_TRANSLATE_BASE_URL: url,
    }),
    es: '[es]',
    authStatus: 401,
    malformed: { translations: [{ text: 'no translatedText' }] },
    auth: (h) => h.authorization,
  },
  {
    name: 'azure',
    start: () => startAzure({ key: KEYS.azure, region: 'southeastasia' }),
    env: (url) => ({
      SORA_TRANSLATOR: 'azure',
      SORA_AZURE_TRANSLATOR_KEY: KEYS.azure,
      SORA_AZURE_TRANSLATOR_REGION: 'southeastasia',
      SORA_AZURE_TRANSLATOR_BASE_URL: url,
    }),
    es: '[es]',
    authStatus: 401,
    malformed: '<html>gateway</html>',
    auth: (h) => [h['ocp-apim-subscription-key'], h['ocp-apim-subscription-region']],
  },
  {
    name: 'openai',
    start: () => startOpenAi({ key: KEYS.openai, model: 'qwen2.5-7b-instruct' }),
    env: (url) => ({
      SORA_TRANSLATOR: 'openai',
      SORA_OPENAI_TRANSLATE_BASE_URL: url,
      SORA_OPENAI_TRANSLATE_API_KEY: KEYS.openai,
      SORA_OPENAI_TRANSLATE_MODEL: 'qwen2.5-7b-instruct',
    }),
    es: '[es]',
    authStatus: 401,
    malformed: { choices: [{ message: { role: 'assistant', content: 'Sure! Here are your translations: hola' } }] },
    auth: (h) => h.authorization,
  },
];

const EXPECTED_AUTH = {
  deepl: `DeepL-Auth-Key ${KEYS.deepl}`,
  google: `Bearer ${KEYS.google}`,
  azure: [KEYS.azure, 'southeastasia'],
  openai: `Bearer ${KEYS.openai}`,
};

async function rejection(p: Promise<unknown>): Promise<TranslationError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TranslationError);
    return e as TranslationError;
  }
  throw new Error('expected a TranslationError');
}

describe.each(CASES)('$name client', (c) => {
  let fake: FakeApi;
  let tr: Translator;
  let wrongKey: Translator;
  beforeAll(async () => {
    fake = await c.start();
    tr = createTranslator(loadConfig(c.env(fake.url)).translation, { http: FAST })!;
    const wrong = Object.fromEntries(
      Object.entries(c.env(fake.url)).map(([k, v]) => [k, Object.values(KEYS).includes(v) ? `${v}-wrong` : v]),
    );
    wrongKey = createTranslator(loadConfig(wrong).translation, { http: FAST })!;
  });
  afterAll(() => fake.close());
  const fresh = () => {
    fake.requests.length = 0;
    fake.queue.length = 0;
  };

  it('translates a batch in order, with the documented request and auth headers', async () => {
    fresh();
    const r = await tr.translate({ texts: ['Where is my order?', 'Thanks', 'Where is my order?', ''], from: 'en', to: 'es', shopId: 's1' });
    expect(r.texts).toEqual([`${c.es} WHERE IS MY ORDER?`, `${c.es} THANKS`, `${c.es} WHERE IS MY ORDER?`, '']);
    expect(fake.requests).toHaveLength(1); // repeated and blank texts are not sent again
    expect(c.auth(fake.requests[0]!.headers)).toEqual(EXPECTED_AUTH[c.name]);
    expect(r.billed.characters).toBe('Where is my order?'.length + 'Thanks'.length);
    if (c.name === 'openai') expect(r.billed.tokens?.total).toBeGreaterThan(0);
    const body = fake.requests[0]!.body as Record<string, unknown>;
    if (c.name === 'deepl') expect(body).toMatchObject({ target_lang: 'ES', source_lang: 'EN', tag_handling: 'xml', ignore_tags: ['x'] });
    if (c.name === 'google') expect(body).toMatchObject({ targetLanguageCode: 'es', sourceLanguageCode: 'en', mimeType: 'text/html' });
    if (c.name === 'azure')
      expect(Object.fromEntries(fake.requests[0]!.query)).toMatchObject({ 'api-version': '3.0', to: 'es', from: 'en' });
    if (c.name === 'openai') expect(body).toMatchObject({ model: 'qwen2.5-7b-instruct', temperature: 0 });
  });

  it('detects the source language when `from` is null', async () => {
    fresh();
    const r = await tr.translate({ texts: ['Hello'], from: null, to: 'es', shopId: 's1' });
    expect(r.texts).toEqual([`${c.es} HELLO`]);
    if (c.name !== 'openai') expect(r.detectedFrom).toBe('en');
  });

  it('never translates glossary terms (brand, SKU, size) and writes a term with a target as the target', async () => {
    fresh();
    const r = await tr.translate({
      texts: ['Is the Sora Pro in size XL? SKU ab-12x & <b>free shipping</b>', 'sora pro or SoraPro'],
      from: 'en',
      to: 'es',
      shopId: 's1',
      doNotTranslate: ['Sora Pro', 'XL', 'AB-12X'],
      glossary: [{ source: 'free shipping', target: 'envío gratis' }],
    });
    expect(r.texts[0]).toBe(`${c.es} IS THE Sora Pro IN SIZE XL? SKU ab-12x & <B>envío gratis</B>`);
    // as written in the text (case kept); a longer word containing the term is not the term
    expect(r.texts[1]).toBe(`${c.es} sora pro OR SORAPRO`);
    const sent = JSON.stringify(fake.requests[0]!.body);
    expect(sent).not.toContain('Sora Pro');
    expect(sent).not.toContain('ab-12x');
  });

  it(`answers ${c.authStatus} to a wrong key: an auth error, not retried, the key not in the message`, async () => {
    fresh();
    const e = await rejection(wrongKey.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' }));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(c.authStatus);
    expect(e.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
    for (const k of Object.values(KEYS)) expect(e.message).not.toContain(k);
  });

  it('waits Retry-After on 429 and then succeeds', async () => {
    fresh();
    fake.queue.push({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } });
    const t0 = Date.now();
    const r = await tr.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' });
    expect(r.texts).toEqual([`${c.es} HI`]);
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('a 429 that lasts is a rate_limited error carrying Retry-After', async () => {
    fresh();
    for (let i = 0; i < 3; i++) fake.queue.push({ status: 429, headers: { 'retry-after': '0' } });
    fake.queue.push({ status: 429, headers: { 'retry-after': '120' } });
    const e = await rejection(tr.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' }));
    expect(e.kind).toBe('rate_limited');
    expect(e.retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
    fake.queue.length = 0;
    fake.queue.push({ status: 429, headers: { 'retry-after': '120' } });
    const long = await rejection(tr.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' }));
    expect(long.retryAfterMs).toBe(120_000); // longer than the client waits: up at once, for the caller to schedule
  });

  it('retries 5xx, then gives a transient error; a 5xx followed by success succeeds', async () => {
    fresh();
    fake.queue.push({ status: 503, body: 'busy' });
    expect((await tr.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' })).texts).toEqual([`${c.es} HI`]);
    fresh();
    for (let i = 0; i < 3; i++) fake.queue.push({ status: 500, body: { error: 'internal' } });
    const e = await rejection(tr.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' }));
    expect(e.kind).toBe('transient');
    expect(e.status).toBe(500);
    expect(fake.requests).toHaveLength(3);
  });

  it('a 2xx it cannot read is a clear bad_response error', async () => {
    fresh();
    fake.queue.push({ status: 200, body: c.malformed });
    const e = await rejection(tr.translate({ texts: ['Hi'], from: 'en', to: 'es', shopId: 's1' }));
    expect(e.kind).toBe('bad_response');
    expect(e.message).toMatch(/translation/);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('provider specifics', () => {
  it('DeepL 456 (quota used up) is a quota error; Azure 403001 too; an unknown model is bad_request', async () => {
    const deepl = await startDeepl(KEYS.deepl);
    const azure = await startAzure({ key: KEYS.azure, region: 'westeurope' });
    const llm = await startOpenAi({ model: 'llama3.1' });
    try {
      deepl.queue.push({ status: 456, body: { message: 'Quota exceeded' } });
      const d = createTranslator(
        loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEYS.deepl, SORA_DEEPL_BASE_URL: deepl.url }).translation,
      )!;
      expect((await rejection(d.translate({ texts: ['Hi'], from: 'en', to: 'fr', shopId: 's' }))).kind).toBe('quota');
      azure.queue.push({
        status: 403,
        body: { error: { code: 403001, message: 'The operation is not allowed because the subscription has exceeded its free quota.' } },
      });
      const a = createTranslator(
        loadConfig({
          SORA_TRANSLATOR: 'azure',
          SORA_AZURE_TRANSLATOR_KEY: KEYS.azure,
          SORA_AZURE_TRANSLATOR_REGION: 'westeurope',
          SORA_AZURE_TRANSLATOR_BASE_URL: azure.url,
        }).translation,
      )!;
      expect((await rejection(a.translate({ texts: ['Hi'], from: 'en', to: 'fr', shopId: 's' }))).kind).toBe('quota');
      // a local server without a key (Ollama): no Authorization header at all; a wrong model is a 404
      const ok = createTranslator(
        loadConfig({ SORA_TRANSLATOR: 'openai', SORA_OPENAI_TRANSLATE_BASE_URL: `${llm.url}/v1`, SORA_OPENAI_TRANSLATE_MODEL: 'llama3.1' })
          .translation,
      )!;
      expect((await ok.translate({ texts: ['Hi'], from: 'en', to: 'vi', shopId: 's' })).texts).toEqual(['[vi] HI']);
      expect(llm.requests[0]!.headers.authorization).toBeUndefined();
      const wrong = createTranslator(
        loadConfig({ SORA_TRANSLATOR: 'openai', SORA_OPENAI_TRANSLATE_BASE_URL: llm.url, SORA_OPENAI_TRANSLATE_MODEL: 'gpt-9' })
          .translation,
      )!;
      const e = await rejection(wrong.translate({ texts: ['Hi'], from: 'en', to: 'vi', shopId: 's' }));
      expect(e.kind).toBe('bad_request');
      expect(e.message).toContain('gpt-9');
    } finally {
      await Promise.all([deepl.close(), azure.close(), llm.close()]);
    }
  });

  it('a translation that dropped a protected term is a bad_response error, not a translated brand', async () => {
    const deepl = await startDeepl(KEYS.deepl);
    try {
      deepl.queue.push({ status: 200, body: { translations: [{ text: 'SORA PRO EST LÀ', detected_source_language: 'EN' }] } });
      const d = createTranslator(
        loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEYS.deepl, SORA_DEEPL_BASE_URL: deepl.url }).translation,
      )!;
      const e = await rejection(
        d.translate({ texts: ['Sora Pro is here'], from: 'en', to: 'fr', shopId: 's', doNotTranslate: ['Sora Pro'] }),
      );
      expect(e.kind).toBe('bad_response');
      expect(e.message).toContain('lost 1 protected term');
      deepl.queue.push({ status: 200, body: { translations: [] } });
      expect((await rejection(d.translate({ texts: ['Hi'], from: 'en', to: 'fr', shopId: 's' }))).message).toContain(
        'expected 1 translation(s), got 0',
      );
    } finally {
      await deepl.close();
    }
  });

  it("splits a long batch within the provider's limits and keeps the order (the LLM takes 20 texts a request)", async () => {
    const llm = await startOpenAi({ model: 'm' });
    try {
      const t = createTranslator(
        loadConfig({ SORA_TRANSLATOR: 'openai', SORA_OPENAI_TRANSLATE_BASE_URL: llm.url, SORA_OPENAI_TRANSLATE_MODEL: 'm' }).translation,
      )!;
      const texts = Array.from({ length: 45 }, (_, i) => `question ${i}`);
      const r = await t.translate({ texts, from: 'en', to: 'ms', shopId: 's' });
      expect(r.texts).toEqual(texts.map((x) => `[ms] ${x.toUpperCase()}`));
      expect(llm.requests.map((q) => JSON.parse((q.body as { messages: { content: string }[] }).messages[1]!.content).length)).toEqual([
        20, 20, 5,
      ]);
      expect(r.billed.tokens!.total).toBeGreaterThan(0);
    } finally {
      await llm.close();
    }
  });

  it('a request that outlives SORA_TRANSLATE_TIMEOUT is retried, then a transient error', async () => {
    const g = await startGoogle({ project: 'p', apiKey: 'AIza-test-key' });
    try {
      for (let i = 0; i < 3; i++) g.queue.push({ status: 200, body: { translations: [] }, delayMs: 3_000 });
      const cfg = loadConfig({
        SORA_TRANSLATOR: 'google',
        SORA_GOOGLE_TRANSLATE_PROJECT: 'p',
        SORA_GOOGLE_TRANSLATE_API_KEY: 'AIza-test-key',
        SORA_GOOGLE_TRANSLATE_BASE_URL: g.url,
        SORA_TRANSLATE_TIMEOUT: '1s',
      }).translation;
      const t = createTranslator(cfg, { http: FAST })!;
      const e = await rejection(t.translate({ texts: ['Hi'], from: 'en', to: 'th', shopId: 's' }));
      expect(e.kind).toBe('transient');
      expect(e.message).toContain('timed out after 1000 ms');
      expect(g.requests).toHaveLength(3);
      expect(g.requests[0]!.headers['x-goog-api-key']).toBe('AIza-test-key');
      // and with the API key the normal path works
      expect((await t.translate({ texts: ['Hi'], from: 'en', to: 'th', shopId: 's' })).texts).toEqual(['[th] HI']);
    } finally {
      await g.close();
    }
  });

  it('maps sora language codes to each provider (DeepL EN-US / PT-BR / ES-419, Azure zh-Hans)', async () => {
    const deepl = await startDeepl(KEYS.deepl);
    const azure = await startAzure({ key: KEYS.azure, region: 'r' });
    try {
      const d = createTranslator(
        loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEYS.deepl, SORA_DEEPL_BASE_URL: deepl.url }).translation,
      )!;
      for (const to of ['en', 'pt', 'es-419']) await d.translate({ texts: ['Olá'], from: 'pt', to, shopId: 's' });
      expect(deepl.requests.map((r) => (r.body as { target_lang: string }).target_lang)).toEqual(['EN-US', 'PT-BR', 'ES-419']);
      const a = createTranslator(
        loadConfig({
          SORA_TRANSLATOR: 'azure',
          SORA_AZURE_TRANSLATOR_KEY: KEYS.azure,
          SORA_AZURE_TRANSLATOR_REGION: 'r',
          SORA_AZURE_TRANSLATOR_BASE_URL: azure.url,
        }).translation,
      )!;
      await a.translate({ texts: ['Hi'], from: 'en', to: 'zh', shopId: 's' });
      expect(azure.requests[0]!.query.get('to')).toBe('zh-Hans');
    } finally {
      await Promise.all([deepl.close(), azure.close()]);
    }
  });
});

describe('configuration', () => {
  it('SORA_TRANSLATOR unset or none: the factory gives null and no provider is ever called', async () => {
    const fake = await startDeepl(KEYS.deepl);
    try {
      expect(loadConfig({}).translation).toEqual({ provider: 'none', timeoutMs: 20_000 });
      expect(createTranslator(loadConfig({}).translation)).toBeNull();
      const none = loadConfig({ SORA_TRANSLATOR: 'none', SORA_DEEPL_API_KEY: KEYS.deepl, SORA_DEEPL_BASE_URL: fake.url });
      expect(createTranslator(none.translation, { store: translationStore })).toBeNull();
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('a provider chosen without its key or model is a configuration error naming the variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ SORA_TRANSLATOR: 'deepl' })).toEqual(['SORA_DEEPL_API_KEY: is required with SORA_TRANSLATOR=deepl']);
    expect(problems({ SORA_TRANSLATOR: 'openai' })).toEqual(['SORA_OPENAI_TRANSLATE_MODEL: is required with SORA_TRANSLATOR=openai']);
    expect(problems({ SORA_TRANSLATOR: 'azure' })).toEqual(['SORA_AZURE_TRANSLATOR_KEY: is required with SORA_TRANSLATOR=azure']);
    expect(problems({ SORA_TRANSLATOR: 'google', SORA_GOOGLE_TRANSLATE_PROJECT: 'p' })).toEqual([
      'SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN: or SORA_GOOGLE_TRANSLATE_API_KEY is required with SORA_TRANSLATOR=google',
    ]);
    expect(problems({ SORA_TRANSLATOR: 'bing' })[0]).toMatch(/^SORA_TRANSLATOR: "bing" must be one of none, deepl, google, azure, openai/);
    // the DeepL host follows the key: a Free key (…:fx) goes to api-free
    expect(deeplBaseUrl({ apiKey: 'abc:fx' })).toBe('https://api-free.deepl.com');
    expect(deeplBaseUrl({ apiKey: 'abc' })).toBe('https://api.deepl.com');
  });
});

describe('cache and metering (MongoDB)', () => {
  let deepl: FakeApi;
  let llm: FakeApi;
  beforeAll(async () => {
    await useFreshDatabase('sora_translation');
    await ShopModel.create([{ shopId: 'shop-a', name: 'A', timeZone: 'UTC' }]);
    deepl = await startDeepl(KEYS.deepl);
    llm = await startOpenAi({ model: 'm' });
  });
  afterAll(async () => {
    await Promise.all([deepl.close(), llm.close()]);
    await disconnectMongo();
  });

  it('the same text is never paid twice: a cache hit does not call the provider; characters counted per shop and month', async () => {
    const t = createTranslator(
      loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEYS.deepl, SORA_DEEPL_BASE_URL: deepl.url }).translation,
      {
        store: translationStore,
      },
    )!;
    const req = { texts: ['Where is my order?', 'Hello'], from: 'en', to: 'vi', shopId: 'shop-a', doNotTranslate: ['Sora'] };
    const first = await t.translate(req);
    expect(first.texts).toEqual(['[VI] WHERE IS MY ORDER?', '[VI] HELLO']);
    expect(first.cached).toBe(0);
    expect(deepl.requests).toHaveLength(1);

    const second = await t.translate(req);
    expect(second.texts).toEqual(first.texts);
    expect(second.cached).toBe(2);
    expect(second.billed.characters).toBe(0);
    expect(deepl.requests).toHaveLength(1); // not called again

    // only the new text is sent; another glossary or target language is another key
    const third = await t.translate({ ...req, texts: ['Hello', 'Thanks'] });
    expect(third.texts).toEqual(['[VI] HELLO', '[VI] THANKS']);
    expect((deepl.requests[1]!.body as { text: string[] }).text).toEqual(['Thanks']);
    await t.translate({ ...req, doNotTranslate: ['Sora', 'XL'] });
    await t.translate({ ...req, to: 'th' });
    expect(deepl.requests).toHaveLength(4);
    expect(await TranslationCacheModel.countDocuments()).toBe(7);

    // cache: false (buyer messages): neither read nor written
    await t.translate({ ...req, cache: false });
    expect(deepl.requests).toHaveLength(5);
    expect(await TranslationCacheModel.countDocuments()).toBe(7);

    const month = new Date().toISOString().slice(0, 7);
    const [row] = await translationUsage('shop-a', month);
    const sent = (texts: string[]) => texts.reduce((n, x) => n + x.length, 0);
    expect(row).toEqual({
      provider: 'deepl',
      characters: sent(['Where is my order?', 'Hello']) * 4 + sent(['Thanks']), // first, new glossary, th, cache:false
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      requests: 5,
      cachedCharacters: sent(['Where is my order?', 'Hello']) + sent(['Hello']),
    });
    expect(await translationUsage('shop-b', month)).toEqual([]);
  });

  it('tokens reported by an OpenAI-compatible API are counted, and `sora usage` shows the translation line', async () => {
    const t = createTranslator(
      loadConfig({ SORA_TRANSLATOR: 'openai', SORA_OPENAI_TRANSLATE_BASE_URL: llm.url, SORA_OPENAI_TRANSLATE_MODEL: 'm' }).translation,
      {
        store: translationStore,
      },
    )!;
    const r = await t.translate({ texts: ['Can I pay cash on delivery?'], from: 'en', to: 'id', shopId: 'shop-a' });
    const month = new Date().toISOString().slice(0, 7);
    const row = (await translationUsage('shop-a', month)).find((x) => x.provider === 'openai')!;
    expect(row.totalTokens).toBe(r.billed.tokens!.total);
    expect(row.promptTokens + row.completionTokens).toBe(row.totalTokens);
    expect(row.characters).toBe('Can I pay cash on delivery?'.length);
    const out = await runUsageCommand({ shop: 'shop-a', month, format: 'text' }, parseBillingPlan(DEFAULT_BILLING_TIERS));
    expect(out.stdout).toMatch(/^translation deepl: \d+ characters billed, \d+ from the cache, 5 requests$/m);
    expect(out.stdout).toMatch(
      new RegExp(`^translation openai: 27 characters billed, 0 from the cache, 1 requests, ${row.totalTokens} tokens$`, 'm'),
    );
  });
});
