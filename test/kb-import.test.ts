/**
 * FAQ workbook import (.csv and .xlsx): per-cell validation, all or nothing, update by question_id,
 * removal of rows no longer present, vectors stored, cold-start warning; and the missed-question log.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { Embedder } from '../activities/knowledge/embedder.js';
import { importKb } from '../activities/knowledge/kb-import.js';
import { KbIndex } from '../activities/knowledge/kb-index.js';
import { KbValidationError } from '../activities/knowledge/kb-workbook.js';
import { topMissed } from '../activities/knowledge/missed-questions.js';
import { makeUnderstand, type Understanding } from '../activities/understanding/understand.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { ShopModel } from '../models/shop.js';
import { disconnectMongo } from '../models/connection.js';
import { useFreshDatabase } from './setup/helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-kb-'));
// The import and unmatched-log mechanics, on the small English model: its similarity floor separates
// off-topic questions from a 2-entry KB sharply (the multilingual model's own tests are elsewhere).
const embedder = new Embedder({ model: MINILM_ID });
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const GOOD = `question_id,intent,question,variants,answer,answer_es,sku,countries
ship-us,shipping_time_cost,How long does shipping to the US take?,"When will my order arrive in the USA?
shipping time united states",Delivery to the US takes 5–8 business days.,La entrega a EE. UU. tarda 5–8 días hábiles.,,US
returns,returns_exchange,How do I return an item?,I want to send it back,Returns are free within 30 days.,Las devoluciones son gratis durante 30 días.,,
wash-tee,product_info,How should I wash the t-shirt?,,Wash cold inside out; do not tumble dry.,,TSHIRT-001;TSHIRT-002,
`;

beforeAll(async () => {
  await useFreshDatabase('sora_kb');
  await ShopModel.create({ shopId: 'kb1', name: 'KB test', defaultLanguage: 'en' });
  await ShopModel.create({ shopId: 'kb2', name: 'KB test 2', defaultLanguage: 'en' });
});
afterAll(() => disconnectMongo());

describe('KB import', () => {
  it('imports a valid CSV with vectors for every phrasing, and warns about a cold start', async () => {
    const r = await importKb('kb1', file('good.csv', GOOD), { embedder });
    expect(r).toMatchObject({ entries: 3, phrasings: 6, created: 3, updated: 0, removed: 0, kbVersion: 1 });
    expect(r.warnings.join()).toMatch(/cold start: only 3 entries/);
    const e = await FaqEntryModel.findOne({ shopId: 'kb1', questionId: 'ship-us' }).lean();
    expect(e?.variants).toEqual(['When will my order arrive in the USA?', 'shipping time united states']);
    expect(e?.countries).toEqual(['US']);
    expect(e?.vectors).toHaveLength(3);
    expect(e?.vectors[0]).toHaveLength(384);
    expect((e?.answers as unknown as Record<string, string>).es).toMatch(/^La entrega/);
    expect((await FaqEntryModel.findOne({ questionId: 'wash-tee' }).lean())?.skus).toEqual(['TSHIRT-001', 'TSHIRT-002']);
  });

  it('rejects the whole workbook when any row is invalid, naming row, column and cell', async () => {
    const bad = `question_id,intent,question,answer,countries
ok-1,payment,Which cards do you take?,Visa and Mastercard.,
ok-1,payment,Duplicate id,Answer,
,refund,No id here,Answer,
x-2,teleportation,Bad intent,Answer,
x-3,refund,Bad country,Answer,ZZ
x-4,refund,,Missing question text,
`;
    const before = await FaqEntryModel.countDocuments({ shopId: 'kb2' });
    const err = await importKb('kb2', file('bad.csv', bad), { embedder }).catch((e) => e);
    expect(err).toBeInstanceOf(KbValidationError);
    const problems = (err as KbValidationError).problems.map((p) => `${p.cell}:${p.column}`);
    expect(problems).toEqual(['A3:question_id', 'A4:question_id', 'B5:intent', 'E6:countries', 'C7:question']);
    expect((err as Error).message).toMatch(/duplicate question_id "ok-1" \(first on row 2\)/);
    expect(await FaqEntryModel.countDocuments({ shopId: 'kb2' })).toBe(before);
    await expect(importKb('kb2', file('nocol.csv', 'question_id,answer\na,b\n'), { embedder })).rejects.toThrow(
      /missing required column "question"/,
    );
    await expect(importKb('kb2', file('faq.txt', 'x'), { embedder })).rejects.toThrow(/unsupported file type/);
    await expect(importKb('nope', file('g2.csv', GOOD), { embedder })).rejects.toThrow(/no shop "nope"/);
  });

  it('re-import updates by question_id and removes entries no longer present (.xlsx)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('FAQ');
    ws.addRow(['question_id', 'intent', 'question', 'variants', 'answer', 'answer_th']);
    ws.addRow([
      'ship-us',
      'shipping_time_cost',
      'How long does shipping to the US take?',
      'US delivery time\nhow many days to USA',
      'Now 4–7 business days.',
      'ส่งไปสหรัฐฯ 4–7 วันทำการ',
    ]);
    ws.addRow(['coupon', 'coupon_promotion', 'Do you have a discount code?', '', 'Use WELCOME10 for 10% off.', '']);
    const p = path.join(dir, 'v2.xlsx');
    await wb.xlsx.writeFile(p);
    const r = await importKb('kb1', p, { embedder });
    expect(r).toMatchObject({ entries: 2, created: 1, updated: 1, removed: 2, kbVersion: 2 });
    const ids = (await FaqEntryModel.find({ shopId: 'kb1' }).lean()).map((e) => e.questionId).sort();
    expect(ids).toEqual(['coupon', 'ship-us']);
    const e = await FaqEntryModel.findOne({ shopId: 'kb1', questionId: 'ship-us' }).lean();
    expect((e?.answers as unknown as Record<string, string>).en).toBe('Now 4–7 business days.');
    expect(e?.variants).toEqual(['US delivery time', 'how many days to USA']);
  });

  it('answers from the rebuilt index, and logs and clusters what it could not answer', async () => {
    const understand = makeUnderstand(embedder, new KbIndex(embedder));
    const env = new MockActivityEnvironment();
    const ok = await env.run(understand, { shopId: 'kb1', text: 'how many days does delivery to America take', languageHint: null });
    expect(ok).toMatchObject({ understood: true, faqId: 'ship-us', intent: 'shipping_time_cost', language: 'en' });
    for (const text of [
      'Can I pay with bitcoin?',
      'do you accept bitcoin payments',
      'bitcoin payment possible?',
      'Is the jacket waterproof?',
    ]) {
      const u: Understanding = await env.run(understand, { shopId: 'kb1', text, languageHint: null });
      expect(u.understood, text).toBe(false);
    }
    const missed = await topMissed('kb1');
    expect(missed[0]?.count).toBe(3);
    expect(missed[0]?.examples.join(' ')).toMatch(/bitcoin/i);
    expect(missed.map((c) => c.count).reduce((a, b) => a + b, 0)).toBe(4);
  });
});
