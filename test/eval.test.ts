/** `sora eval` and the intent model: metrics are computed, not assumed. */
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IntentModel } from '../activities/knowledge/intent-model.js';
import { expectedCalibrationError, macroF1, sampleShots } from '../scripts/eval/eval.js';
import { split } from '../scripts/eval/split.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-eval-'));

describe('metrics', () => {
  it('macro-F1 averages per-label F1', () => {
    // a: tp=1 fp=0 fn=1 → 2/3; b: tp=1 fp=1 fn=0 → 2/3
    expect(macroF1(['a', 'a', 'b'], ['a', 'b', 'b'])).toBeCloseTo(2 / 3, 6);
    expect(macroF1(['a', 'b'], ['a', 'b'])).toBe(1);
  });
  it('calibration error compares confidence with accuracy per bin', () => {
    expect(expectedCalibrationError([0.9, 0.9, 0.9, 0.9], [true, true, true, false])).toBeCloseTo(0.15, 6);
    expect(expectedCalibrationError([1, 1], [true, true])).toBe(0);
  });
  it('shots and split are stratified and seeded', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ text: `t${i}`, label: `l${i % 3}` }));
    const s1 = sampleShots(rows, 4, 7);
    expect(s1).toHaveLength(12);
    expect(sampleShots(rows, 4, 7)).toEqual(s1);
    expect(sampleShots(rows, 4, 8)).not.toEqual(s1);
    const { train, dev } = split(rows, 0.25, 1);
    expect(dev).toHaveLength(15);
    expect(train).toHaveLength(45);
    expect(new Set(dev.map((r) => r.label)).size).toBe(3);
  });
  it('the intent model separates clusters and reports low confidence between them', () => {
    const v = (x: number, y: number) => {
      const n = Math.hypot(x, y);
      return Float32Array.from([x / n, y / n]);
    };
    const vectors = [v(1, 0.05), v(1, -0.05), v(0.05, 1), v(-0.05, 1)];
    const m = IntentModel.train(vectors, ['east', 'east', 'north', 'north'], { epochs: 200, seed: 3 });
    expect(m.predict(v(1, 0.1)).label).toBe('east');
    expect(m.predict(v(0.1, 1)).label).toBe('north');
    expect(m.predict(v(1, 0.1)).confidence).toBeGreaterThan(0.8);
    expect(m.predict(v(1, 1)).confidence).toBeLessThan(0.8);
  });
});

describe('sora eval (CLI, real embedding model)', () => {
  it('prints accuracy, macro-F1 and latency, with a JSON last line', () => {
    writeFileSync(
      path.join(dir, 'kb.csv'),
      'text,label\nwhere is my parcel,track\ntrack my package,track\nhow do I return this,returns\nI want to send it back,returns\nwhich cards do you accept,payment\ncan I pay with paypal,payment\n',
    );
    writeFileSync(
      path.join(dir, 'cases.jsonl'),
      [
        { text: 'has my package shipped yet, where is it', label: 'track', lang: 'en' },
        { text: 'how can I send back the shoes', label: 'returns', lang: 'en' },
        { text: 'do you take visa', label: 'payment', lang: 'en' },
        { text: 'can I return it', label: 'track', lang: 'xx' }, // deliberately mislabeled
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const out = execFileSync(
      'npx',
      ['tsx', 'scripts/cli.ts', 'eval', '--kb', path.join(dir, 'kb.csv'), '--cases', path.join(dir, 'cases.jsonl'), '--json'],
      { encoding: 'utf8' },
    );
    const last = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ accuracy: 0.75, n: 4, per_lang: { en: { accuracy: 1, n: 3 }, xx: { accuracy: 0, n: 1 } } });
    expect(last.macro_f1).toBeGreaterThan(0.5);
    expect(last.macro_f1).toBeLessThan(1);
    expect(last.p50_ms).toBeGreaterThan(0);
    expect(last.ece).toBeGreaterThanOrEqual(0);
    expect(out).toMatch(/top-1 accuracy 75\.00 %/);
  });

  it('rejects bad arguments with a clear message', () => {
    const r = (() => {
      try {
        execFileSync('npx', ['tsx', 'scripts/cli.ts', 'eval', '--kb', 'x.csv'], { encoding: 'utf8', stdio: 'pipe' });
        return null;
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    expect(r?.status).toBe(2);
    expect(r?.stderr).toMatch(/eval needs --kb and --cases/);
  });
});
