/** Reading and writing `text,label[,lang]` files (CSV, or JSONL with the same keys). */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { mulberry32 } from '../../activities/knowledge/intent-model.js';
import { neutraliseRows, restoreCell } from '../../infra/csv-cells.js';

export interface LabeledRow {
  text: string;
  label: string;
  lang?: string;
  /** The `pivotColumn`'s text: the message in the KB's language (sora eval --pivot-column). */
  pivot?: string;
}

/**
 * `labelColumn` picks another column as the label (e.g. `question_id` for entry-level retrieval);
 * `pivotColumn` names a column read into `pivot` (empty cells: none). Other columns are ignored.
 */
export function readLabeled(file: string, labelColumn = 'label', pivotColumn?: string): LabeledRow[] {
  const raw = readFileSync(file, 'utf8');
  let records: Record<string, string>[];
  if (file.endsWith('.jsonl')) {
    records = raw
      .split('\n')
      .map((l, i) => [l.trim(), i + 1] as const)
      .filter(([l]) => l)
      .map(([l, n]) => {
        try {
          return JSON.parse(l) as Record<string, string>;
        } catch {
          throw new Error(`${file}:${n}: not valid JSON`);
        }
      });
  } else {
    // Cells this module wrote neutralised (infra/csv-cells.ts) read back as they were.
    records = parse(raw, { columns: true, skip_empty_lines: true, trim: true, bom: true, cast: (v: string) => restoreCell(v) }) as Record<
      string,
      string
    >[];
  }
  return records.map((r, i) => {
    const text = r.text;
    const label = labelColumn === 'label' ? (r.label ?? r.category ?? r.intent) : r[labelColumn];
    if (!text || !label)
      throw new Error(
        `${file}: row ${i + 2}: needs "text" and "${labelColumn}"${labelColumn === 'label' ? ' (or "category")' : ''} values`,
      );
    if (pivotColumn && i === 0 && !(pivotColumn in r)) throw new Error(`${file}: no "${pivotColumn}" column (--pivot-column)`);
    const pivot = pivotColumn ? r[pivotColumn] : undefined;
    return { text, label, lang: r.lang || undefined, ...(pivot ? { pivot } : {}) };
  });
}

export function writeLabeled(file: string, rows: LabeledRow[]): void {
  const withLang = rows.some((r) => r.lang);
  writeFileSync(
    file,
    stringify(neutraliseRows(rows.map((r) => (withLang ? [r.text, r.label, r.lang ?? ''] : [r.text, r.label]))), {
      header: true,
      columns: withLang ? ['text', 'label', 'lang'] : ['text', 'label'],
    }),
  );
}

/** Rows grouped by label (first-seen order), each group shuffled by one seeded generator. */
export function shuffledByLabel(rows: LabeledRow[], seed: number): LabeledRow[][] {
  const rnd = mulberry32(seed);
  const by = new Map<string, LabeledRow[]>();
  for (const r of rows) {
    const list = by.get(r.label);
    if (list) list.push(r);
    else by.set(r.label, [r]);
  }
  return [...by.values()].map((list) => {
    const a = [...list];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  });
}
