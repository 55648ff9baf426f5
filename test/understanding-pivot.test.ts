/**
 * Test-time pivoting (issue 18 item 5, SORA_UNDERSTAND_PIVOT): a buyer message in another language
 * than the shop's default is also translated into it by the configured provider and matched; the
 * better match wins. The English-only model (MiniLM) cannot match a Vietnamese question to an
 * English FAQ at all, so the pivot's effect is plain. Real import, index and `understand`; the
 * provider is the local DeepL stand-in (test/setup/translation-apis.ts), whose answers are scripted
 * here with the translation a provider would give.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { importKb } from '../activities/knowledge/kb-import.js';
import { KbIndex } from '../activities/knowledge/kb-index.js';
import { preferPivot } from '../activities/understanding/pivot.js';
import { makeUnderstand, type Understanding } from '../activities/understanding/understand.js';
import { ConfigError, loadConfig } from '../infra/config/load.js';
import { createTranslator, type Translator } from '../infra/translation/index.js';
import { disconnectMongo } from '../models/connection.js';
import { ShopModel } from '../models/shop.js';
import { TranslationCacheModel, translationStore } from '../models/translation-cache.js';
import { translationUsage } from '../models/translation-usage.js';
import { useFreshDatabase } from './setup/helpers.js';
import { startDeepl, type FakeApi } from './setup/translation-apis.js';

const KEY = 'pivot-key:fx';
const embedder = new Embedder({ model: MINILM_ID });
const FAQ = `question_id,intent,question,variants,answer
ship,shipping_time_cost,How long does shipping take?,"When will my parcel arrive?
delivery time",Delivery takes 5–8 business days.
returns,returns_exchange,How do I return an item?,I want to send it back,Returns are free within 30 days.
pay,payment,Which payment methods do you accept?,can I pay by card,Visa and Mastercard.
`;
const VI = 'Bao lâu thì hàng của mình tới vậy shop?';
const deeplSays = (text: string, from = 'VI') => ({
  status: 200,
  body: { translations: [{ detected_source_language: from, text, billed_characters: VI.length }] },
});

let fake: FakeApi;
let translator: Translator;
let index: KbIndex;
const settings = { matchThreshold: 0.3 };

beforeAll(async () => {
  await useFreshDatabase('sora_understanding_pivot');
  fake = await startDeepl(KEY);
  translator = createTranslator(
    loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEY, SORA_DEEPL_BASE_URL: fake.url }).translation,
    { store: translationStore, http: { backoffBaseMs: 5, maxBackoffMs: 20 } },
  )!;
  await ShopModel.create({ shopId: 'pv', name: 'Pivot', defaultLanguage: 'en', languages: ['en', 'vi'] });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sora-pivot-')), 'faq.csv');
  writeFileSync(file, FAQ);
  await importKb('pv', file, { embedder });
  index = new KbIndex(embedder);
}, 120_000);
afterAll(async () => {
  await fake?.close();
  await disconnectMongo();
});

/** Runs the activity as the worker would (its logger needs an activity context). */
const ask = (u: ReturnType<typeof makeUnderstand>, text: string) =>
  new MockActivityEnvironment().run(u, {
    shopId: 'pv',
    text,
    languageHint: null,
    buyer: { channel: 'webchat', buyerId: 'b1' },
  }) as Promise<Understanding>;

describe('understanding through a translation provider (pivot)', () => {
  it('without the pivot the English-only model misses a Vietnamese question, and no provider is called', async () => {
    const before = fake.requests.length;
    const r = await ask(makeUnderstand(embedder, index, settings), VI);
    expect(r.language).toBe('vi');
    expect(r.understood).toBe(false);
    expect(fake.requests.length).toBe(before);
  });

  it('with it, the question is translated into the shop’s default language and matched; the buyer keeps their language', async () => {
    const u = makeUnderstand(embedder, index, settings, { translator, timeoutMs: 5_000 });
    fake.queue.push(deeplSays('How long until my goods arrive, shop?'));
    const before = fake.requests.length;
    const r = await ask(u, VI);
    expect(r).toMatchObject({ understood: true, faqId: 'ship', intent: 'shipping_time_cost', language: 'vi' });
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ text: [VI], source_lang: 'VI', target_lang: expect.stringMatching(/^EN/) });
    // A buyer's message is personal data: metered for the shop, never kept in the translation cache.
    const [usage] = await translationUsage('pv', new Date().toISOString().slice(0, 7));
    expect(usage).toMatchObject({ provider: 'deepl', characters: VI.length, requests: 1 });
    expect(await TranslationCacheModel.countDocuments({})).toBe(0);
  });

  it('a message already in the default language costs no call', async () => {
    const u = makeUnderstand(embedder, index, settings, { translator, timeoutMs: 5_000 });
    const before = fake.requests.length;
    expect((await ask(u, 'How long does shipping take?')).faqId).toBe('ship');
    expect(fake.requests.length).toBe(before);
  });

  it('a provider that fails or is slow leaves the original match, within the time limit', async () => {
    const u = makeUnderstand(embedder, index, settings, { translator, timeoutMs: 300 });
    fake.queue.push({ status: 456, body: { message: 'Quota exceeded' } });
    const failed = await ask(u, VI);
    expect(failed.understood).toBe(false);
    fake.queue.push({ ...deeplSays('How long does shipping take?'), delayMs: 3_000 });
    const t0 = Date.now();
    const slow = await ask(u, VI);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(slow.understood).toBe(false);
  });

  it('keeps the original when the translation matches worse', () => {
    const gate = { threshold: 0.3, minSimilarity: 0.5 };
    expect(preferPivot({ confidence: 0.9, similarity: 0.9 }, { confidence: 0.6, similarity: 0.9 }, gate)).toBe(false);
    expect(preferPivot({ confidence: 0.5, similarity: 0.9 }, { confidence: 0.8, similarity: 0.9 }, gate)).toBe(true);
    expect(preferPivot({ confidence: 0.9, similarity: 0.3 }, { confidence: 0.4, similarity: 0.6 }, gate)).toBe(true);
    expect(preferPivot(null, { confidence: 0.2, similarity: 0.9 }, gate)).toBe(false);
    expect(preferPivot(null, null, gate)).toBe(false);
  });
});

describe('SORA_UNDERSTAND_PIVOT settings', () => {
  it('is off by default, needs a provider, and takes a time limit', () => {
    expect(loadConfig({}).translation.pivot).toBeUndefined();
    expect(() => loadConfig({ SORA_UNDERSTAND_PIVOT: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ SORA_UNDERSTAND_PIVOT: 'true' })).toThrow(/SORA_UNDERSTAND_PIVOT.*SORA_TRANSLATOR/s);
    const c = loadConfig({ SORA_UNDERSTAND_PIVOT: 'true', SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEY });
    expect(c.translation.pivot).toEqual({ timeoutMs: 1500 });
    expect(
      loadConfig({ SORA_UNDERSTAND_PIVOT: 'true', SORA_UNDERSTAND_PIVOT_TIMEOUT: '2s', SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEY })
        .translation.pivot,
    ).toEqual({ timeoutMs: 2000 });
  });
});
