/**
 * FAQ workbooks as sellers write them: the Chinese headers of the seller templates (问题ID, 标准问法,
 * 答案, 关联SKU编码, 适用国家, 意图, 相似问法, 答案_<语言>) and English spellings ("Question ID") read as
 * the canonical columns, in .xlsx and .csv alike; problems name the column as the workbook wrote it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { canonicalHeader, KbValidationError, readTable, validateTable } from '../activities/knowledge/kb-workbook.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-kb-headers-'));
const CHINESE = ['问题ID', '标准问法', '答案', '关联SKU编码', '适用国家', '意图', '相似问法', '答案_es', '答案_th'];
const ROWS = [
  [
    'ship-us',
    'How long does shipping to the US take?',
    '7–10 days to the US.',
    '',
    'US',
    'shipping_time_cost',
    'delivery time USA\nhow many days to America',
    '7–10 días a EE. UU.',
    '',
  ],
  ['ship-uk', 'How long does shipping to the UK take?', '5–7 days to the UK.', '', 'GB', 'shipping_time_cost', '', '', ''],
  ['size-tee', 'Does the T-shirt run small?', 'It runs true to size.', 'TEE-01; TEE-02', '', 'size_fit', '', '', 'ขนาดตรงตามไซซ์'],
];

describe('workbook headers', () => {
  it('maps sellers’ headers onto the canonical columns', () => {
    expect(CHINESE.map(canonicalHeader)).toEqual([
      'question_id',
      'question',
      'answer',
      'sku',
      'countries',
      'intent',
      'variants',
      'answer_es',
      'answer_th',
    ]);
    expect(
      ['Question ID', 'question-id', 'QuestionID', 'Answer (es)', 'answer_es-419', 'Similar questions', 'SKUs'].map(canonicalHeader),
    ).toEqual(['question_id', 'question_id', 'question_id', 'answer_es', 'answer_es-419', 'variants', 'sku']);
    expect(canonicalHeader('Notes')).toBe('notes');
  });

  it('imports a .xlsx with the Chinese headers: SKUs, countries, variants and answers per language', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('FAQ');
    ws.addRow(CHINESE);
    for (const r of ROWS) ws.addRow(r);
    const file = path.join(dir, 'faq-zh.xlsx');
    await wb.xlsx.writeFile(file);
    const { entries } = validateTable(await readTable(file));
    expect(entries.map((e) => e.questionId)).toEqual(['ship-us', 'ship-uk', 'size-tee']);
    expect(entries[0]).toMatchObject({
      intent: 'shipping_time_cost',
      countries: ['US'],
      variants: ['delivery time USA', 'how many days to America'],
      answers: { en: '7–10 days to the US.', es: '7–10 días a EE. UU.' },
    });
    expect(entries[1]!.countries).toEqual(['GB']);
    expect(entries[2]).toMatchObject({ skus: ['TEE-01', 'TEE-02'], answers: { en: 'It runs true to size.', th: 'ขนาดตรงตามไซซ์' } });
  });

  it('a .csv with the same headers reads the same', async () => {
    const csv = [CHINESE, ...ROWS].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');
    const file = path.join(dir, 'faq-zh.csv');
    writeFileSync(file, csv);
    const { entries } = validateTable(await readTable(file));
    expect(entries.map((e) => [e.questionId, e.countries, e.skus])).toEqual([
      ['ship-us', ['US'], []],
      ['ship-uk', ['GB'], []],
      ['size-tee', [], ['TEE-01', 'TEE-02']],
    ]);
  });

  it('problems name the column as written; a missing column names its Chinese headers too; a repeated column is refused', () => {
    const bad = () => validateTable([CHINESE, ['q1', '', 'An answer', '', 'XX', '', '', '', '']]);
    expect(bad).toThrow(KbValidationError);
    try {
      bad();
    } catch (e) {
      const problems = (e as KbValidationError).problems;
      expect(problems).toContainEqual(expect.objectContaining({ cell: 'B2', column: '标准问法', message: 'question is empty' }));
      expect(problems).toContainEqual(expect.objectContaining({ cell: 'E2', column: '适用国家' }));
    }
    expect(() =>
      validateTable([
        ['问题ID', '答案'],
        ['q1', 'A'],
      ]),
    ).toThrow(/missing required column "question" \(or 标准问法, 标准问题, 问题\)/);
    expect(() =>
      validateTable([
        ['question_id', 'question', 'answer', '标准问法'],
        ['q1', 'Q', 'A', 'Q again'],
      ]),
    ).toThrow(/D1 \(row 1, 标准问法\): "标准问法" is the column question again \(already column B "question"\)/);
  });
});
