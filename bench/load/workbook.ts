/**
 * FAQ workbooks of a given size for the `kb` scenario: the demo FAQ's entries first, then
 * generated product questions (distinct wording, one answer each) until the size is reached.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const PRODUCTS = [
  'hoodie',
  'backpack',
  'phone case',
  'desk lamp',
  'yoga mat',
  'water bottle',
  'scarf',
  'sneakers',
  'watch strap',
  'tote bag',
];
const COLOURS = ['red', 'navy', 'olive', 'black', 'white', 'beige', 'pink', 'grey', 'teal', 'mustard'];
const ASKS = [
  (p: string, c: string, n: number) => `Is the ${c} ${p} model ${n} waterproof?`,
  (p: string, c: string, n: number) => `What material is the ${c} ${p} (model ${n}) made of?`,
  (p: string, c: string, n: number) => `How heavy is the ${p} ${n} in ${c}?`,
  (p: string, c: string, n: number) => `Can I machine wash the ${c} ${p} number ${n}?`,
];

export function kbWorkbook(demoCsv: string, size: number): string {
  const rows = parse(demoCsv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const columns = Object.keys(rows[0] ?? {});
  const out = rows.slice(0, size);
  for (let i = out.length; i < size; i++) {
    const p = PRODUCTS[i % PRODUCTS.length]!;
    const c = COLOURS[Math.floor(i / PRODUCTS.length) % COLOURS.length]!;
    const ask = ASKS[Math.floor(i / 100) % ASKS.length]!;
    const row: Record<string, string> = Object.fromEntries(columns.map((k) => [k, '']));
    row.question_id = `gen-${i}`;
    row.intent = 'product_info';
    row.question = ask(p, c, i);
    row.answer = `The ${c} ${p} model ${i}: see its product page for the full specification (generated entry ${i}).`;
    out.push(row);
  }
  return stringify(out, { header: true, columns });
}
