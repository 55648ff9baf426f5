/**
 * Reading and validating a seller's FAQ workbook (.xlsx or .csv). Pure: no database. Every problem
 * is reported with its row, column and cell reference; the caller imports nothing when any row is
 * invalid. The file as a whole is checked first (kb-limits.ts: size, zip directory, inflated size,
 * rows; a CSV must be UTF-8), and every cell is bounded (SORA_KB_MAX_CELL), answers in every language
 * included.
 *
 * Columns: question_id, question, answer (required); intent, sku (several: ; , or new line),
 * countries (ISO 3166-1 alpha-2, several), variants (one phrasing per line), answer_<lang>
 * (e.g. answer_es, answer_th, answer_es-419). Sellers' own headers are accepted too (HEADER_ALIASES:
 * 问题ID, 标准问法, 答案, 关联SKU编码, 适用国家, 意图, 相似问法, 答案_<语言>…); problems name the column as the
 * workbook wrote it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { isUtf8 } from 'node:buffer';
import ExcelJS from 'exceljs';
import countries from 'i18n-iso-countries';
import { restoreCell } from '../../infra/csv-cells.js';
import { checkUploadSize, checkXlsxZip, DEFAULT_KB_LIMITS, KbFileError, type KbLimits } from './kb-limits.js';

export const INTENTS = [
  'logistics_tracking',
  // "Has my order shipped?": answered with the stored status of the buyer's order (answer-plan.ts);
  // with no order known the bot asks for its number (dialogue memory), the entry's answer otherwise.
  'order_status',
  'returns_exchange',
  'refund',
  'size_fit',
  'product_info',
  'payment',
  'shipping_time_cost',
  'customs_tax',
  'order_change',
  'coupon_promotion',
  'complaint',
  'human_request',
] as const;

export interface KbEntryInput {
  questionId: string;
  intent: string;
  question: string;
  variants: string[];
  answers: Record<string, string>;
  skus: string[];
  countries: string[];
  row: number;
}

export interface KbProblem {
  row: number;
  column: string;
  cell: string;
  message: string;
}

export class KbValidationError extends Error {
  constructor(readonly problems: KbProblem[]) {
    super(
      `the workbook has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported:\n` +
        problems
          .slice(0, 50)
          .map((p) => `  ${p.cell} (row ${p.row}, ${p.column}): ${p.message}`)
          .join('\n') +
        (problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''),
    );
    this.name = 'KbValidationError';
  }
}

const REQUIRED = ['question_id', 'question', 'answer'] as const;
const KNOWN = new Set(['question_id', 'question', 'answer', 'intent', 'sku', 'countries', 'variants']);
const LANG_COLUMN = /^answer_([a-z]{2}(?:-[A-Za-z0-9]{2,8})?)$/;

/**
 * Other names of the columns, as sellers' workbooks head them (the TikTok Shop / Lazada seller
 * templates' Chinese headers, and common English spellings). Matched after trimming, lower-casing and
 * removing spaces, "-" and "_" (so "Question ID", "question-id" and "QuestionID" are question_id).
 */
export const HEADER_ALIASES: Record<string, (typeof REQUIRED)[number] | 'intent' | 'sku' | 'countries' | 'variants'> = {
  questionid: 'question_id',
  id: 'question_id',
  问题id: 'question_id',
  问题编号: 'question_id',
  question: 'question',
  标准问法: 'question',
  标准问题: 'question',
  问题: 'question',
  answer: 'answer',
  答案: 'answer',
  标准答案: 'answer',
  回复: 'answer',
  intent: 'intent',
  意图: 'intent',
  sku: 'sku',
  skus: 'sku',
  skucode: 'sku',
  关联sku编码: 'sku',
  关联sku: 'sku',
  sku编码: 'sku',
  countries: 'countries',
  country: 'countries',
  适用国家: 'countries',
  国家: 'countries',
  variants: 'variants',
  variant: 'variants',
  similarquestions: 'variants',
  相似问法: 'variants',
  相似问题: 'variants',
};
/** 答案_es, 答案-th, "Answer (es)", answer_es-419 → answer_<lang>. */
const LANG_ALIAS = /^(?:answer|答案)[\s_(（-]*([a-z]{2}(?:-[a-z0-9]{2,8})?)[)）]?$/i;

/** The column's canonical name (question_id, answer_es…), or the header as written (lower-cased) when unknown. */
export function canonicalHeader(raw: string): string {
  const h = raw.trim().toLowerCase();
  const squeezed = h.replace(/[\s_-]+/g, '');
  const alias = HEADER_ALIASES[squeezed];
  if (alias) return alias;
  const lang = LANG_ALIAS.exec(h);
  if (lang) return `answer_${lang[1]!.toLowerCase()}`;
  return h;
}

export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * Header + rows as strings, from either format, within `limits` (size, inflated size, rows).
 * Throws KbFileError for a file that is not a readable workbook at all, KbValidationError for a
 * CSV that breaks at a row (unclosed quote…, naming the row).
 */
export async function readTable(file: string, data?: Buffer, limits: KbLimits = DEFAULT_KB_LIMITS): Promise<string[][]> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx')
    throw new KbFileError(415, 'unsupported_file_type', `${file}: unsupported file type "${ext}" (use .xlsx or .csv)`);
  const buf = data ?? (await readFile(file));
  checkUploadSize(buf.length, limits);
  const rows = ext === '.csv' ? readCsv(buf) : await readXlsx(file, buf, limits);
  if (rows.length > limits.maxRows)
    throw new KbFileError(413, 'too_many_rows', `the workbook has ${rows.length} rows; the limit is ${limits.maxRows} (SORA_KB_MAX_ROWS)`);
  return rows;
}

function readCsv(buf: Buffer): string[][] {
  if (!isUtf8(buf)) {
    const text = buf.toString('utf8');
    const row = text.slice(0, Math.max(0, text.indexOf('\uFFFD'))).split('\n').length;
    throw new KbValidationError([
      {
        row,
        column: '(file)',
        cell: `row ${row}`,
        message: 'the CSV is not UTF-8 (e.g. saved as Latin-1/Windows-1252); save it as "CSV UTF-8"',
      },
    ]);
  }
  try {
    // A cell written neutralised against formula injection (infra/csv-cells.ts) reads back as it was.
    return (parse(buf, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][]).map((r) => r.map(restoreCell));
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const info = e as CsvError & { records?: number; lines?: number };
    const row = (info.records ?? 0) + 1;
    const what = e.message.replace(/^[^:]*: /, '');
    throw new KbValidationError([
      {
        row,
        column: '(file)',
        cell: `row ${row}`,
        message: `malformed CSV (${e.code}): ${e.message.split(':')[0]} — ${what}${info.lines ? ` (text line ${info.lines})` : ''}`,
      },
    ]);
  }
}

async function readXlsx(file: string, buf: Buffer, limits: KbLimits): Promise<string[][]> {
  checkXlsxZip(buf, limits);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (e) {
    throw new KbFileError(
      422,
      'unreadable_xlsx',
      `${path.basename(file)} is a zip file but not a readable Excel workbook: ${(e as Error).message}`,
    );
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new KbFileError(422, 'unreadable_xlsx', `${path.basename(file)}: the workbook has no worksheet`);
  if (ws.rowCount > limits.maxRows)
    throw new KbFileError(
      413,
      'too_many_rows',
      `the first sheet has ${ws.rowCount} rows; the limit is ${limits.maxRows} (SORA_KB_MAX_ROWS)`,
    );
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const vals: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const v = cell.value;
      let s: string;
      if (v == null) s = '';
      else if (v instanceof Date) s = v.toISOString();
      else if (typeof v === 'object' && 'richText' in v) s = v.richText.map((r) => r.text).join('');
      else if (typeof v === 'object' && 'text' in v) s = String(v.text);
      else if (typeof v === 'object' && 'result' in v) s = String(v.result ?? '');
      else s = String(v);
      vals[col - 1] = s;
    });
    rows[n - 1] = Array.from(vals, (x) => x ?? '');
  });
  return Array.from(rows, (r) => r ?? []);
}

const splitList = (s: string) =>
  s
    .split(/[;,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

export function validateTable(
  table: string[][],
  defaultLanguage = 'en',
  limits: Pick<KbLimits, 'maxCellChars'> = DEFAULT_KB_LIMITS,
): { entries: KbEntryInput[]; warnings: string[] } {
  const problems: KbProblem[] = [];
  const warnings: string[] = [];
  const written = (table[0] ?? []).map((h) => h.trim());
  for (const [i, h] of written.entries())
    if (h.length > 100)
      problems.push({
        row: 1,
        column: h.slice(0, 20) + '…',
        cell: `${columnLetter(i)}1`,
        message: `column name is ${h.length} characters (max 100)`,
      });
  // Problems name a column as the workbook wrote it ("标准问法"), the code reads canonical names.
  const header = written.map((h) => (h.length > 100 ? h.toLowerCase() : canonicalHeader(h)));
  const col = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (!h) continue;
    const first = col.get(h);
    if (first !== undefined)
      problems.push({
        row: 1,
        column: written[i]!,
        cell: `${columnLetter(i)}1`,
        message: `"${written[i]}" is the column ${h} again (already column ${columnLetter(first)} "${written[first]}")`,
      });
    else col.set(h, i);
  }
  for (const r of REQUIRED) {
    if (!col.has(r)) {
      const also = Object.entries(HEADER_ALIASES)
        .filter(([a, c]) => c === r && /[^ -~]/.test(a))
        .map(([a]) => a.toUpperCase());
      problems.push({ row: 1, column: r, cell: 'row 1', message: `missing required column "${r}" (or ${also.join(', ')})` });
    }
  }
  for (const [h, i] of col) {
    if (h && !KNOWN.has(h) && !LANG_COLUMN.test(h))
      warnings.push(`column ${columnLetter(i)} "${written[i]}" is not a known column and is ignored`);
  }
  if (problems.length) throw new KbValidationError(problems);
  const langCols = [...col].filter(([h]) => LANG_COLUMN.test(h)).map(([h, i]) => [LANG_COLUMN.exec(h)![1]!, i] as const);
  const seen = new Map<string, number>();
  const entries: KbEntryInput[] = [];
  for (let r = 1; r < table.length; r++) {
    const cells = table[r] ?? [];
    if (cells.every((c) => !c || !c.trim())) continue; // blank line
    const rowNo = r + 1;
    // Every cell is bounded (SORA_KB_MAX_CELL): an over-long cell is reported once and not used further.
    const tooLong = new Set<number>();
    cells.forEach((c, i) => {
      if (c && c.length > limits.maxCellChars) {
        tooLong.add(i);
        problems.push({
          row: rowNo,
          column: written[i] || `column ${columnLetter(i)}`,
          cell: `${columnLetter(i)}${rowNo}`,
          message: `the cell is ${c.length} characters (max ${limits.maxCellChars}, SORA_KB_MAX_CELL)`,
        });
      }
    });
    const get = (name: string) => (col.has(name) && !tooLong.has(col.get(name)!) ? (cells[col.get(name)!] ?? '').trim() : '');
    const bad = (name: string, message: string) =>
      problems.push({
        row: rowNo,
        column: written[col.get(name) ?? -1] || name,
        cell: `${columnLetter(col.get(name) ?? 0)}${rowNo}`,
        message,
      });
    const flagged = (name: string) => col.has(name) && tooLong.has(col.get(name)!);
    const qid = get('question_id');
    if (flagged('question_id')) {
      // reported above
    } else if (!qid) bad('question_id', 'question_id is empty');
    else if (!/^[\w.-]{1,64}$/.test(qid)) bad('question_id', `"${qid}" may only contain letters, digits, _ . - (max 64)`);
    else if (seen.has(qid)) bad('question_id', `duplicate question_id "${qid}" (first on row ${seen.get(qid)})`);
    else seen.set(qid, rowNo);
    const question = get('question');
    if (flagged('question')) {
      // reported above
    } else if (!question) bad('question', 'question is empty');
    else if (question.length > 500) bad('question', `question is ${question.length} characters (max 500)`);
    const answer = get('answer');
    if (flagged('answer')) {
      // reported above
    } else if (!answer) bad('answer', 'answer is empty');
    const intent = get('intent') || 'faq';
    if (col.has('intent') && get('intent') && !(INTENTS as readonly string[]).includes(intent)) {
      bad('intent', `unknown intent "${intent}" (one of ${INTENTS.join(', ')})`);
    }
    const codes = splitList(get('countries')).map((c) => c.toUpperCase());
    for (const c of codes)
      if (!countries.isValid(c) || c.length !== 2) bad('countries', `"${c}" is not an ISO 3166-1 alpha-2 country code`);
    const variants = get('variants')
      .split('\n')
      .map((v) => v.trim())
      .filter(Boolean);
    for (const v of variants) if (v.length > 500) bad('variants', `a variant is ${v.length} characters (max 500)`);
    const answers: Record<string, string> = { [defaultLanguage]: answer };
    for (const [lang, i] of langCols) {
      const t = tooLong.has(i) ? '' : (cells[i] ?? '').trim();
      if (t) answers[lang] = t;
    }
    entries.push({ questionId: qid, intent, question, variants, answers, skus: splitList(get('sku')), countries: codes, row: rowNo });
  }
  if (problems.length) throw new KbValidationError(problems);
  if (entries.length === 0)
    throw new KbValidationError([{ row: 2, column: 'question_id', cell: 'A2', message: 'the workbook has no entries' }]);
  if (entries.length < 200) {
    warnings.push(
      `cold start: only ${entries.length} entries (fewer than 200); answers will miss more questions until the FAQ grows — see \`sora kb missed\``,
    );
  }
  return { entries, warnings };
}
