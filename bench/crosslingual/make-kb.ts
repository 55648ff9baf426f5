/**
 * Writes bench/crosslingual/kb-en.csv: the demo shop's FAQ (scripts/demo/demo-faq.csv) reduced to
 * its English phrasings (standard question + English variants), as `text,label,question_id` rows
 * for `sora eval`. The cross-lingual dev set (dev.csv) is scored against it: buyers write in 9
 * languages, the seller's FAQ is English only.
 *
 *   npx tsx bench/crosslingual/make-kb.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTable, validateTable } from '../../activities/knowledge/kb-workbook.js';
import { detectLanguage } from '../../activities/understanding/language.js';
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

const here = path.dirname(fileURLToPath(import.meta.url));
const { entries } = validateTable(await readTable(path.join(here, '../../scripts/demo/demo-faq.csv')));
const rows: string[][] = [];
for (const e of entries)
  for (const text of [e.question, ...e.variants]) if (detectLanguage(text, null) === 'en') rows.push([text, e.intent, e.questionId]);
writeFileSync(path.join(here, 'kb-en.csv'), stringify(rows, { header: true, columns: ['text', 'label', 'question_id'] }));
process.stdout.write(`kb-en.csv: ${rows.length} English phrasings of ${entries.length} entries\n`);
