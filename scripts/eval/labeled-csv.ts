/** Reading and writing `text,label[,lang]` files (CSV, or JSONL with the same keys). */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export interface LabeledRow {
  text: string;
  label: string;
  lang?: string;
}

export function readLabeled(file: string): LabeledRow[] {
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
    records = parse(raw, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  }
  return records.map((r, i) => {
    const text = r.text;
    const label = r.label ?? r.category ?? r.intent;
    if (!text || !label) throw new Error(`${file}: row ${i + 2}: needs "text" and "label" (or "category") values`);
    return { text, label, lang: r.lang || undefined };
  });
}

export function writeLabeled(file: string, rows: LabeledRow[]): void {
  const withLang = rows.some((r) => r.lang);
  writeFileSync(
    file,
    stringify(
      rows.map((r) => (withLang ? [r.text, r.label, r.lang ?? ''] : [r.text, r.label])),
      { header: true, columns: withLang ? ['text', 'label', 'lang'] : ['text', 'label'] },
    ),
  );
}
