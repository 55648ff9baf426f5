/** `sora eval` and the intent model: metrics are computed, not assumed. */
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { IntentModel } from '../activities/knowledge/intent-model.js';
import { expectedCalibrationError, macroF1, sampleShots } from '../scripts/eval/eval.js';
import { confidentWrong, figures, reliabilityBins, type CaseOutcome } from '../scripts/eval/metrics.js';

/** `sora eval --json` as a subprocess: the JSON object on its last line. */
function evalJson<T>(kb: string, cases: string, model: string, ...extra: string[]): T {
  const out = execFileSync('npx', ['tsx', 'scripts/cli.ts', 'eval', '--kb', kb, '--cases', cases, '--model', model, '--json', ...extra], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}
import { readLabeled } from '../scripts/eval/labeled-csv.js';
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

describe('labeled cases', () => {
  it("ignores extra columns such as the held-out set's reference translation `en`", () => {
    const file = path.join(dir, 'held.csv');
    writeFileSync(
      file,
      'text,label,lang,question_id,en\n' +
        'where is my refund,refund,en,refund-when,\n' +
        'ya pagué y no llega el reembolso,refund,es,refund-not-received,"I paid, and the refund has not arrived"\n',
    );
    expect(readLabeled(file)).toEqual([
      { text: 'where is my refund', label: 'refund', lang: 'en' },
      { text: 'ya pagué y no llega el reembolso', label: 'refund', lang: 'es' },
    ]);
    expect(readLabeled(file, 'question_id').map((r) => r.label)).toEqual(['refund-when', 'refund-not-received']);
  });
});

describe('report figures', () => {
  const c = (expected: string, got: string, confidence: number, answered: boolean, lang = 'en'): CaseOutcome => ({
    text: `${expected}→${got}`,
    lang,
    expected,
    got,
    confidence,
    similarity: 0.9,
    answered,
  });
  const cases = [
    c('a', 'a', 0.9, true),
    c('a', 'b', 0.8, true, 'fr'),
    c('b', 'b', 0.2, false, 'fr'),
    c('b', 'a', 0.25, false),
    c('b', 'a', 0.95, true),
  ];
  it('confident wrong counts wrong answers the live gate would send', () => {
    expect(confidentWrong(cases)).toEqual({ count: 2, answered: 3, rate: 0.6667, rate_of_all: 0.4 });
  });
  it('confusion cells cover every case; languages split their outcomes; worst first', () => {
    const f = figures(cases);
    expect(f.confusion.reduce((s, x) => s + x.count, 0)).toBe(5);
    expect(f.confusion[0]).toEqual({ expected: 'b', got: 'a', count: 2 });
    expect(f.per_lang.fr).toMatchObject({
      n: 2,
      accuracy: 0.5,
      answered_correct: 0,
      confident_wrong: 1,
      unanswered_correct: 1,
      unanswered_wrong: 0,
    });
    expect(f.worst.map((w) => w.confidence)).toEqual([0.95, 0.8, 0.25]);
  });
  it('reliability bins hold every case once, edges in the lower bin', () => {
    const bins = reliabilityBins([0.3, 0.31, 1, 0], [true, false, true, false]);
    expect(bins.map((b) => b.n)).toEqual([1, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect(bins[3]).toMatchObject({ n: 1, accuracy: 0, confidence: 0.31 });
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

  it('--report writes a self-contained HTML page whose figures are the JSON ones, buyer text escaped', () => {
    const hostile = '<script>alert("x")</script> where is my parcel & my package';
    writeFileSync(
      path.join(dir, 'kb.csv'),
      'text,label\nwhere is my parcel,track\ntrack my package,track\nhow do I return this,returns\nI want to send it back,returns\nwhich cards do you accept,payment\ncan I pay with paypal,payment\n',
    );
    writeFileSync(
      path.join(dir, 'report-cases.jsonl'),
      [
        { text: 'has my package shipped yet, where is it', label: 'track', lang: 'en' },
        { text: 'how can I send back the shoes', label: 'returns', lang: 'en' },
        { text: 'do you take visa', label: 'payment', lang: 'en' },
        { text: hostile, label: 'returns', lang: 'en' }, // mislabeled on purpose: a confident wrong answer
        { text: 'can I return it', label: 'track', lang: 'xx' }, // mislabeled
        { text: 'do you accept mastercard', label: 'payment', lang: 'xx' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const file = path.join(dir, 'report.html');
    const out = execFileSync(
      'npx',
      [
        'tsx',
        'scripts/cli.ts',
        'eval',
        '--kb',
        path.join(dir, 'kb.csv'),
        '--cases',
        path.join(dir, 'report-cases.jsonl'),
        '--report',
        file,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    const html = readFileSync(file, 'utf8');
    const doc = parseDocument(html);
    const all = (pred: (e: Element) => boolean) => DomUtils.findAll(pred, doc.children);
    const byId = (id: string) => all((e) => e.attribs.id === id)[0]!;
    const rows = (id: string) =>
      DomUtils.findAll((e) => e.name === 'tr' && !!e.parent && DomUtils.isTag(e.parent) && e.parent.name === 'tbody', [byId(id)]);
    const attr = (e: Element, k: string) => e.attribs[k]!;
    const num = (e: Element, k: string) => Number(attr(e, k));

    // Self-contained: no script, nothing loaded from elsewhere; the buyer's <script> is text.
    expect(all((e) => e.name === 'script' || e.name === 'link' || e.name === 'img' || e.name === 'iframe')).toHaveLength(0);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; where is my parcel &amp; my package');
    const worst = rows('worst');
    expect(worst.map((tr) => DomUtils.textContent(tr.children[0]!))).toContain(hostile);

    // Summary = JSON; the threshold used is shown and in the JSON.
    const card = (k: string) =>
      DomUtils.textContent(all((e) => e.attribs['data-key'] === k && e.attribs.class?.startsWith('card') === true)[0]!.children[0]!);
    expect(card('accuracy')).toBe(`${(r.accuracy * 100).toFixed(2)} %`);
    expect(card('n')).toBe(String(r.n));
    expect(card('ece')).toBe(r.ece.toFixed(3));
    expect(r.threshold).toBe(0.3);
    expect(card('threshold')).toBe(`${r.threshold} / ${r.min_similarity}`);

    // Confusion: every case in exactly one cell, as in the JSON.
    const cells = rows('confusion-cells');
    expect(cells.reduce((s, tr) => s + num(tr, 'data-count'), 0)).toBe(6);
    expect(cells.map((tr) => [attr(tr, 'data-expected'), attr(tr, 'data-got'), num(tr, 'data-count')])).toEqual(
      r.confusion.map((c: { expected: string; got: string; count: number }) => [c.expected, c.got, c.count]),
    );
    expect(rows('confused-pairs').reduce((s, tr) => s + num(tr, 'data-count'), 0)).toBe(Math.round(6 * (1 - r.accuracy)));

    // Confident wrong = the wrong cases above the live gate, counted from the cases themselves.
    type W = { confidence: number; similarity: number; answered: boolean; text: string };
    const wrongAbove = (r.worst as W[]).filter((w) => w.confidence >= r.threshold && w.similarity >= r.min_similarity);
    expect(r.worst.length).toBe(6 - Math.round(6 * r.accuracy));
    expect(r.confident_wrong.count).toBe(wrongAbove.length);
    expect(wrongAbove.map((w) => w.text)).toContain(hostile);
    const cw = byId('confident-wrong');
    expect(num(cw, 'data-count')).toBe(r.confident_wrong.count);
    expect(num(cw, 'data-answered')).toBe(r.confident_wrong.answered);
    expect(worst.filter((tr) => DomUtils.textContent(tr.children.at(-1)!) === 'yes')).toHaveLength(wrongAbove.length);

    // Per language and confusion by language add up.
    expect(rows('per-lang').map((tr) => [attr(tr, 'data-lang'), num(tr, 'data-n'), num(tr, 'data-accuracy')])).toEqual(
      Object.entries(r.per_lang).map(([l, v]) => [l, (v as { n: number }).n, (v as { accuracy: number }).accuracy]),
    );
    for (const tr of rows('lang-confusion')) {
      const lang = attr(tr, 'data-lang');
      const parts = DomUtils.findAll((e) => e.name === 'td' && !!e.attribs['data-key'], [tr]);
      expect(parts.reduce((s, td) => s + Number(DomUtils.textContent(td)), 0)).toBe(r.per_lang[lang].n);
      expect(Number(DomUtils.textContent(parts.find((td) => td.attribs['data-key'] === 'confident_wrong')!))).toBe(
        r.per_lang[lang].confident_wrong,
      );
    }
    // Calibration bins and heatmap.
    expect(rows('calibration').reduce((s, tr) => s + num(tr, 'data-n'), 0)).toBe(6);
    const rects = DomUtils.findAll((e) => e.name === 'rect' && e.attribs['data-count'] !== undefined, [byId('heatmap')]);
    const shown = new Set(rects.map((e) => attr(e, 'data-expected')));
    const inShown = (r.confusion as { expected: string; got: string; count: number }[]).filter(
      (c) => shown.has(c.expected) && shown.has(c.got),
    );
    expect(rects.reduce((s, e) => s + num(e, 'data-count'), 0)).toBe(inShown.reduce((s, c) => s + c.count, 0));
    expect(rects.filter((e) => num(e, 'data-count') > 0)).toHaveLength(inShown.length);
  });

  it('--pivot-column matches each message and its translation in the KB language; the better match wins', () => {
    writeFileSync(
      path.join(dir, 'kb-pivot.csv'),
      'text,label\nwhere is my parcel,track\ntrack my package,track\nhow do I return this,returns\nI want to send it back,returns\nwhich cards do you accept,payment\ncan I pay with paypal,payment\n',
    );
    writeFileSync(
      path.join(dir, 'cases-pivot.csv'),
      [
        'text,label,lang,en',
        'Đơn hàng của tôi đang ở đâu vậy?,track,vi,Where is my order?',
        'Làm sao để trả lại sản phẩm?,returns,vi,How do I return the product?',
        'Shop có nhận thẻ Visa không?,payment,vi,Do you accept Visa cards?',
        'can I pay with paypal,payment,en,',
      ].join('\n'),
    );
    const run = (...extra: string[]) =>
      evalJson<{ accuracy: number; per_lang: Record<string, { accuracy: number }>; pivot?: { offered: number; used: number } }>(
        path.join(dir, 'kb-pivot.csv'),
        path.join(dir, 'cases-pivot.csv'),
        'Xenova/all-MiniLM-L6-v2',
        ...extra,
      );
    const alone = run();
    const pivoted = run('--pivot-column', 'en');
    expect(alone.pivot).toBeUndefined();
    expect(pivoted.pivot).toMatchObject({ column: 'en', offered: 3 });
    expect(pivoted.pivot!.used).toBeGreaterThanOrEqual(1);
    expect(pivoted.per_lang.vi!.accuracy).toBe(1);
    expect(pivoted.per_lang.vi!.accuracy).toBeGreaterThan(alone.per_lang.vi!.accuracy);
    expect(pivoted.per_lang.en!.accuracy).toBe(alone.per_lang.en!.accuracy);
  });

  it("--align moves the non-English cases into English's region (multilingual model), and says how it got the map", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-eval-align-'));
    writeFileSync(
      path.join(dir, 'kb.csv'),
      [
        'text,label',
        'Where is my parcel?,track',
        'My tracking shows no update,track',
        'How do I return an item?,returns',
        'Who pays for return shipping?,returns',
        'Which payment methods do you accept?,payment',
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'cases.csv'),
      [
        'text,label,lang',
        'أين طردي؟,track,ar',
        '"ongkir retur ditanggung siapa kak? barangnya ga cacat, cuma ga cocok aja",returns,id',
        'where is my package,track,en',
      ].join('\n'),
    );
    const run = (...extra: string[]) =>
      evalJson<{ accuracy: number; model: string; alignment?: { kind: string; aligned: number; from_cache: boolean } }>(
        path.join(dir, 'kb.csv'),
        path.join(dir, 'cases.csv'),
        'sora/multilingual-e5-small-q4',
        ...extra,
      );
    const alone = run();
    const aligned = run('--align', 'ridge');
    expect(aligned.model).toBe('sora/multilingual-e5-small-q4');
    expect(alone.alignment).toBeUndefined();
    expect(aligned.alignment).toMatchObject({ kind: 'ridge', aligned: 2 });
    expect(aligned.accuracy).toBeGreaterThanOrEqual(alone.accuracy);
    // The second run reads the map the first one learned.
    expect(run('--align', 'ridge').alignment!.from_cache).toBe(true);
    const bad = (() => {
      try {
        execFileSync('npx', ['tsx', 'scripts/cli.ts', 'eval', '--kb', 'x.csv', '--cases', 'y.csv', '--align', 'sideways'], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
        return null;
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    expect(bad?.status).toBe(2);
    expect(bad?.stderr).toMatch(/--align must be ridge, mean or off/);
  }, 600_000);

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
    const t = (() => {
      try {
        execFileSync('npx', ['tsx', 'scripts/cli.ts', 'eval', '--kb', 'x.csv', '--cases', 'y.csv', '--threshold', '2'], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
        return null;
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    expect(t?.status).toBe(2);
    expect(t?.stderr).toMatch(/--threshold must be a number between 0 and 1/);
  });
});
