/** Stratified, seeded train/dev split of a labeled file (`sora dataset split`). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readLabeled, shuffledByLabel, writeLabeled, type LabeledRow } from './labeled-csv.js';

export function split(rows: LabeledRow[], devFraction: number, seed: number): { train: LabeledRow[]; dev: LabeledRow[] } {
  const train: LabeledRow[] = [];
  const dev: LabeledRow[] = [];
  for (const group of shuffledByLabel(rows, seed)) {
    const nDev = Math.round(group.length * devFraction);
    dev.push(...group.slice(0, nDev));
    train.push(...group.slice(nDev));
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
