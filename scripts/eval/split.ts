/** Stratified, seeded train/dev split of a labeled file (`sora dataset split`). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../activities/knowledge/intent-model.js';
import { readLabeled, writeLabeled, type LabeledRow } from './labeled-csv.js';

export function split(rows: LabeledRow[], devFraction: number, seed: number): { train: LabeledRow[]; dev: LabeledRow[] } {
  const rnd = mulberry32(seed);
  const by = new Map<string, LabeledRow[]>();
  for (const r of rows) by.set(r.label, [...(by.get(r.label) ?? []), r]);
  const train: LabeledRow[] = [];
  const dev: LabeledRow[] = [];
  for (const list of by.values()) {
    const a = [...list];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    const nDev = Math.round(a.length * devFraction);
    dev.push(...a.slice(0, nDev));
    train.push(...a.slice(nDev));
  }
  return { train, dev };
}

export function splitFile(
  input: string,
  outDir: string,
  devFraction: number,
  seed: number,
): { train: string; dev: string; sizes: [number, number] } {
  const { train, dev } = split(readLabeled(input), devFraction, seed);
  mkdirSync(outDir, { recursive: true });
  const base = path.basename(input).replace(/\.(csv|jsonl)$/, '');
  const t = path.join(outDir, `${base}-train.csv`);
  const d = path.join(outDir, `${base}-dev.csv`);
  writeLabeled(t, train);
  writeLabeled(d, dev);
  return { train: t, dev: d, sizes: [train.length, dev.length] };
}
