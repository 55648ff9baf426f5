/**
 * Import-time machine translation (docs/translation.md, "FAQ answers in every language") against
 * the local DeepL fake (test/setup/translation-apis.ts, which upper-cases what it translates): FAQ
 * answers missing a language the shop offers are translated once and stored with the source's hash
 * and provider; a second import makes 0 provider calls; a changed source is re-translated; the
 * shop's glossary and the KB's SKUs come back unchanged; seller-written answers win; a provider
 * failure leaves the import done; the kbImport workflow runs the step; no provider → no call.
 */
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { importKb, stageKbImport } from '../activities/knowledge/kb-import.js';
import { faqAnswers } from '../activities/knowledge/kb-version.js';
import { renderFaq } from '../activities/messaging/render.js';
import { loadConfig } from '../infra/config/load.js';
import { createTranslator, type Translator } from '../infra/translation/index.js';
import { disconnectMongo } from '../models/connection.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { KbImportModel } from '../models/kb-import.js';
import { ShopModel } from '../models/shop.js';
import { translationStore } from '../models/translation-cache.js';
import { translationUsage } from '../models/translation-usage.js';
import { configuredTranslator, NO_TRANSLATOR_LOG } from '../scripts/translation.js';
import { createImportWorker } from '../scripts/worker.js';
import { kbImportWorkflowId } from '../workflows/contract.js';
import { useFreshDatabase } from './setup/helpers.js';
import { startDeepl, type FakeApi } from './setup/translation-apis.js';

const KEY = 'deepl-kb-test-key:fx';
const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-kbt-'));
const embedder = new Embedder({ model: MINILM_ID });
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const WASH_EN = 'Wash your Sora Pro tee Tee-Blue-M cold and inside out.';
const csv = (washEn: string, shipVi = '') => `question_id,intent,question,answer,answer_es,answer_vi,sku
ship,shipping_time_cost,How long does shipping take?,Delivery takes 5 days.,La entrega tarda 5 días.,${shipVi},
wash,product_info,How do I wash the tee?,${washEn},,,Tee-Blue-M
`;
type Machine = { text: string; sourceLang: string; sourceHash: string; provider: string; reviewedBy: string | null };
const machineOf = async (shopId: string, questionId: string) =>
  ((await FaqEntryModel.findOne({ shopId, questionId }).lean())?.machineAnswers ?? {}) as unknown as Record<string, Machine>;

let fake: FakeApi;
let translator: Translator;

beforeAll(async () => {
  await useFreshDatabase('sora_kb_translate');
  fake = await startDeepl(KEY);
  translator = createTranslator(
    loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEY, SORA_DEEPL_BASE_URL: fake.url }).translation,
    { store: translationStore, http: { backoffBaseMs: 5, maxBackoffMs: 20 } },
  )!;
  await ShopModel.create({ shopId: 'mt', name: 'MT', defaultLanguage: 'en', languages: ['en', 'es', 'vi'], glossary: ['Sora Pro'] });
  await ShopModel.create({ shopId: 'mt-none', name: 'MT none', defaultLanguage: 'en', languages: ['en', 'vi'] });
  await ShopModel.create({ shopId: 'mt-wf', name: 'MT workflow', defaultLanguage: 'en', languages: ['en', 'fr'] });
});
afterAll(async () => {
  await fake?.close();
  await disconnectMongo();
});

describe('import-time translation', () => {
  it('translates the answers missing a shop language once, with the source hash and provider; glossary and SKUs kept', async () => {
    const r = await importKb('mt', file('a.csv', csv(WASH_EN)), { embedder, translator });
    expect(r.translation).toMatchObject({ provider: 'deepl', translated: 3, unchanged: 0, failed: 0, errors: [] });
    // ship has en + es from the seller: only vi is machine-made; wash has en only: es and vi.
    const ship = await machineOf('mt', 'ship');
    expect(Object.keys(ship)).toEqual(['vi']);
    expect(ship.vi).toMatchObject({
      text: '[VI] DELIVERY TAKES 5 DAYS.',
      sourceLang: 'en',
      sourceHash: sha('Delivery takes 5 days.'),
      provider: 'deepl',
      reviewedBy: null,
    });
    const wash = await machineOf('mt', 'wash');
    expect(Object.keys(wash).sort()).toEqual(['es', 'vi']);
    // The fake upper-cases what it translates: the shop's glossary term and the entry's SKU are untouched.
    expect(wash.es!.text).toBe('[ES] WASH YOUR Sora Pro TEE Tee-Blue-M COLD AND INSIDE OUT.');
    expect(wash.vi!.sourceHash).toBe(sha(WASH_EN));
    // Stored as machine answers, never in the seller's columns.
    expect((await FaqEntryModel.findOne({ shopId: 'mt', questionId: 'wash' }).lean())!.answers).toEqual({ en: WASH_EN });
    // Costs are the shop's.
    const usage = await translationUsage('mt', new Date().toISOString().slice(0, 7));
    expect(usage.find((u) => u.provider === 'deepl')?.characters).toBeGreaterThan(0);
  });

  it("buyers get the machine answer in their language; the seller's columns win", async () => {
    expect((await faqAnswers('mt', 'wash'))!.vi).toMatch(/^\[VI\] WASH/);
    const es = await renderFaq('mt', 'ship', { locale: 'es', requestedLanguage: 'es', defaultLanguage: 'en' });
    expect(es!.text).toBe('La entrega tarda 5 días.');
    const vi = await renderFaq('mt', 'ship', { locale: 'vi', requestedLanguage: 'vi', defaultLanguage: 'en' });
    expect(vi).toMatchObject({ text: '[VI] DELIVERY TAKES 5 DAYS.', language: 'vi', languageFallback: false });
  });

  it('a second import of the same workbook makes 0 provider calls', async () => {
    const before = fake.requests.length;
    // Without the cache too: the stored source hashes alone decide.
    const uncached = createTranslator(
      loadConfig({ SORA_TRANSLATOR: 'deepl', SORA_DEEPL_API_KEY: KEY, SORA_DEEPL_BASE_URL: fake.url }).translation,
    )!;
    const r = await importKb('mt', file('a2.csv', csv(WASH_EN)), { embedder, translator: uncached });
    expect(r.translation).toMatchObject({ translated: 0, unchanged: 3, failed: 0 });
    expect(fake.requests.length).toBe(before);
  });

  it('a changed source answer is re-translated (only that entry); a language the seller wrote drops the machine one', async () => {
    const before = fake.requests.length;
    const changed = 'Wash your Sora Pro tee Tee-Blue-M at 30 degrees.';
    const r = await importKb('mt', file('b.csv', csv(changed, 'Giao hàng mất 5 ngày.')), { embedder, translator });
    expect(r.translation).toMatchObject({ translated: 2, unchanged: 0, superseded: 1, failed: 0 });
    expect(fake.requests.length).toBe(before + 2); // es and vi, one request each
    const wash = await machineOf('mt', 'wash');
    expect(wash.vi).toMatchObject({ text: '[VI] WASH YOUR Sora Pro TEE Tee-Blue-M AT 30 DEGREES.', sourceHash: sha(changed) });
    expect(await machineOf('mt', 'ship')).toEqual({});
    expect((await faqAnswers('mt', 'ship'))!.vi).toBe('Giao hàng mất 5 ngày.');
  });

  it('a provider failure leaves the seller-written answers, is reported, and the import succeeds', async () => {
    fake.queue.push({ status: 403, body: { message: 'Wrong key' } }, { status: 403, body: { message: 'Wrong key' } });
    const r = await importKb('mt', file('c.csv', csv('Hand wash only your Sora Pro tee.')), { embedder, translator });
    expect(r.entries).toBe(2);
    // en→vi (ship, wash) and en→es (wash) both refused.
    expect(r.translation).toMatchObject({ translated: 0, failed: 3 });
    expect(r.translation!.errors.join()).toMatch(/auth/);
    // The old machine answers were of another source text: removed, the entry serves its seller-written ones.
    expect(await machineOf('mt', 'wash')).toEqual({});
    expect((await FaqEntryModel.findOne({ shopId: 'mt', questionId: 'wash' }).lean())!.answers).toEqual({
      en: 'Hand wash only your Sora Pro tee.',
    });
    const vi = await renderFaq('mt', 'wash', { locale: 'vi', requestedLanguage: 'vi', defaultLanguage: 'en' });
    expect(vi).toMatchObject({ text: 'Hand wash only your Sora Pro tee.', language: 'en', languageFallback: true });
    const rec = await KbImportModel.findOne({ shopId: 'mt' }).sort({ createdAt: -1 }).lean();
    expect(rec).toMatchObject({ status: 'done', translation: { failed: 3 } });
  });

  it('without a provider: no call, no machine answer, and the start log says so once', async () => {
    const before = fake.requests.length;
    const r = await importKb('mt-none', file('d.csv', csv(WASH_EN)), { embedder, translator: null });
    expect(r.translation).toBeUndefined();
    expect(await machineOf('mt-none', 'wash')).toEqual({});
    const lines: string[] = [];
    expect(configuredTranslator(loadConfig({}), (m) => lines.push(m))).toBeNull();
    expect(lines).toEqual([NO_TRANSLATOR_LOG]);
    expect(NO_TRANSLATOR_LOG).toMatch(/^no translation provider \(SORA_TRANSLATOR=none\): answers missing a buyer's language fall back to/);
    expect(fake.requests.length).toBe(before);
    const vi = await renderFaq('mt-none', 'wash', { locale: 'vi', requestedLanguage: 'vi', defaultLanguage: 'en' });
    expect(vi).toMatchObject({ language: 'en', languageFallback: true });
  });

  it('the kbImport workflow translates after publishing (activity on the imports queue)', async () => {
    const queue = `sora-kbt-${process.pid}`;
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const native = await NativeConnection.connect({ address: inject('temporalAddress') });
    let worker: Worker | undefined;
    let run: Promise<void> | undefined;
    try {
      worker = await createImportWorker({ connection: native, namespace: 'default', taskQueue: queue, embedder, translator });
      run = worker.run();
      const client = new Client({ connection });
      const staged = await stageKbImport('mt-wf', 'wf.csv', Buffer.from(csv(WASH_EN)));
      const out = await client.workflow.execute('kbImport', {
        taskQueue: queue,
        workflowId: kbImportWorkflowId(staged.importId),
        args: [{ importId: staged.importId, shopId: 'mt-wf', entries: staged.entries }],
      });
      expect(out).toMatchObject({ status: 'done', translation: { provider: 'deepl', translated: 2, failed: 0 } });
      // This shop has no glossary: only the SKU is kept.
      expect((await machineOf('mt-wf', 'wash')).fr!.text).toBe('[FR] WASH YOUR SORA PRO TEE Tee-Blue-M COLD AND INSIDE OUT.');
      expect(await KbImportModel.findOne({ importId: staged.importId }).lean()).toMatchObject({ translation: { translated: 2 } });
    } finally {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await run?.catch(() => undefined);
      await native.close();
      await connection.close();
    }
  });
});
