/**
 * Buyer questions of concurrent conversations share forward passes (activities/knowledge/embedder.ts,
 * `queries`): each question still gets exactly its own vector, in its own order, whatever it was
 * batched with; one arriving alone runs at once; a failing pass fails only its own callers.
 */
import { describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { defaultEmbedModel } from '../activities/knowledge/embedding-models.js';

const QUESTIONS = [
  'Where is my order?',
  '¿Cuánto tarda el envío a México?',
  'Puis-je retourner un article acheté en solde ?',
  'Posso pagar com cartão de crédito?',
  'ส่งของไปเชียงใหม่กี่วัน',
  'Tôi muốn đổi size',
  'Apakah bisa bayar COD?',
  'أين طلبي؟',
  'Do you ship to Canada? My cousin lives in Toronto and I would like to send her a birthday present.',
  'hi',
];

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('embedding batching across concurrent questions', () => {
  it('gives each concurrent question the vector it gets alone, in fewer forward passes', async () => {
    const model = defaultEmbedModel();
    const alone = new Embedder({ model, cacheDir: false });
    const single: Float32Array[] = [];
    for (const q of QUESTIONS) single.push((await alone.embed([q], 'query'))[0]!);
    expect(alone.queryStats).toEqual({ passes: QUESTIONS.length, texts: QUESTIONS.length });

    const shared = new Embedder({ model, cacheDir: false });
    await shared.embed(['warm-up'], 'query');
    const before = { ...shared.queryStats };
    // Asked at the same time, as ten conversations would; twice each, in a shuffled order.
    const order = [...QUESTIONS.keys(), ...[...QUESTIONS.keys()].reverse()];
    const got = await Promise.all(order.map((i) => shared.embed([QUESTIONS[i]!], 'query')));
    const passes = shared.queryStats.passes - before.passes;
    expect(shared.queryStats.texts - before.texts).toBe(order.length);
    expect(passes).toBeLessThan(order.length / 2); // the first runs alone, the rest share passes
    got.forEach(([v], k) => {
      const i = order[k]!;
      expect(cosine(v!, single[i]!)).toBeGreaterThan(0.9999);
      // …and not just any question's: every other question is clearly further away.
      for (let j = 0; j < QUESTIONS.length; j++) if (j !== i) expect(cosine(v!, single[j]!)).toBeLessThan(0.999);
    });
  });

  it('splits a burst larger than the batch size into several passes, keeping the order', async () => {
    const e = new Embedder({ model: defaultEmbedModel(), cacheDir: false, batchSize: 4 });
    await e.embed(['warm-up'], 'query');
    const before = e.queryStats.passes;
    const got = await Promise.all(QUESTIONS.map((q) => e.embed([q], 'query')));
    expect(e.queryStats.passes - before).toBeGreaterThanOrEqual(3); // 1 alone + ⌈9/4⌉
    const again = await e.embed([QUESTIONS[3]!], 'query');
    expect(cosine(got[3]![0]!, again[0]!)).toBeGreaterThan(0.9999);
  });

  it('runs the model off the main thread: the event loop keeps turning during a forward pass', async () => {
    const long = Array.from({ length: 16 }, (_, i) => `${QUESTIONS[i % QUESTIONS.length]} `.repeat(8));
    /** The longest stall of this thread's event loop while `fn` runs. */
    const longestStall = async (fn: () => Promise<unknown>) => {
      let last = performance.now();
      let worst = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 1);
      await fn();
      clearInterval(tick);
      return Math.max(worst, performance.now() - last);
    };
    const inline = new Embedder({ model: defaultEmbedModel(), cacheDir: false, thread: false });
    const threaded = new Embedder({ model: defaultEmbedModel(), cacheDir: false });
    await inline.embed(['warm-up'], 'query');
    await threaded.embed(['warm-up'], 'query');
    const stallInline = await longestStall(() => inline.embed(long, 'passage'));
    const stallThreaded = await longestStall(() => threaded.embed(long, 'passage'));
    expect(stallInline).toBeGreaterThan(50); // the pass itself blocks this thread
    expect(stallThreaded).toBeLessThan(stallInline / 2);
    // Same vectors either way.
    const [a] = await inline.embed([QUESTIONS[0]!], 'query');
    const [b] = await threaded.embed([QUESTIONS[0]!], 'query');
    expect(cosine(a!, b!)).toBeGreaterThan(0.9999);
    await threaded.close();
  });

  it('fails the callers of a pass whose model cannot load, and recovers nothing silently', async () => {
    const broken = new Embedder({ model: '/nonexistent/model-folder', cacheDir: false });
    const results = await Promise.allSettled([broken.embed(['a'], 'query'), broken.embed(['b'], 'query')]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/not found/);
  });
});
