/**
 * The demo FAQ reduced to English only (standard question + the variants detected as English, English
 * answers): the seller who writes the FAQ in one language, against which cross-lingual quality is
 * measured (bench/crosslingual) and tested (test/crosslingual-webchat.test.ts).
 */
import { stringify } from 'csv-stringify/sync';
import { readTable, validateTable, type KbEntryInput } from '../../activities/knowledge/kb-workbook.js';
import { detectLanguage } from '../../activities/understanding/language.js';
import { neutraliseRows } from '../../infra/csv-cells.js';

export async function englishOnlyEntries(workbook: string): Promise<KbEntryInput[]> {
  const { entries } = validateTable(await readTable(workbook));
  return entries.map((e) => ({
    ...e,
    variants: e.variants.filter((v) => detectLanguage(v, null) === 'en'),
    answers: { en: e.answers.en! },
  }));
}

/** As a KB workbook (CSV) for `sora kb import`. */
export function toWorkbookCsv(entries: KbEntryInput[]): string {
  return stringify(neutraliseRows(entries.map((e) => [e.questionId, e.intent, e.question, e.variants.join('\n'), e.answers.en])), {
    header: true,
    columns: ['question_id', 'intent', 'question', 'variants', 'answer'],
  });
}

/** As `text,label,question_id` rows for `sora eval`. */
export function toLabeledCsv(entries: KbEntryInput[]): string {
  return stringify(neutraliseRows(entries.flatMap((e) => [e.question, ...e.variants].map((t) => [t, e.intent, e.questionId]))), {
    header: true,
    columns: ['text', 'label', 'question_id'],
  });
}
