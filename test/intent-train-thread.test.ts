/**
 * The intent model's regression trains in a worker thread (activities/knowledge/intent-train.ts):
 * the model is the same as one trained in place, and the calling thread keeps serving meanwhile
 * (before, a KB of a few hundred entries stalled every conversation of the process for seconds).
 */
import { describe, expect, it } from 'vitest';
import { IntentModel, mulberry32 } from '../activities/knowledge/intent-model.js';
import { trainOffThread } from '../activities/knowledge/intent-train.js';

/** `n` unit vectors of 384 dimensions in `classes` noisy clusters, seeded. */
function clusters(n: number, classes: number, seed = 3) {
  const rnd = mulberry32(seed);
  const D = 384;
  const centres = Array.from({ length: classes }, () => Float32Array.from({ length: D }, () => rnd() - 0.5));
  const unit = (v: Float32Array) => {
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  const vectors: Float32Array[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    vectors.push(unit(Float32Array.from(centres[c]!, (x) => x + (rnd() - 0.5) * 0.6)));
    labels.push(`entry-${c}`);
  }
  return { vectors, labels, query: (c: number) => unit(Float32Array.from(centres[c]!, (x) => x + (rnd() - 0.5) * 0.6)) };
}

/** Runs `work` while a 5-ms timer ticks; the longest gap between ticks is how long the thread was blocked. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    await new Promise((r) => setTimeout(r, 20));
    return { result, stallMs: worst };
  } finally {
    clearInterval(timer);
  }
}

describe('intent model training in a worker thread', () => {
  it('gives the same model as training in place', async () => {
    const { vectors, labels, query } = clusters(300, 60);
    const o = { epochs: 5, seed: 1, center: true };
    const inPlace = IntentModel.train(vectors, labels, o);
    const offThread = await trainOffThread(vectors, labels, o);
    expect(offThread.labels).toEqual(inPlace.labels);
    for (let c = 0; c < 60; c += 7) {
      const q = query(c);
      const a = inPlace.predict(q);
      const b = offThread.predict(q);
      expect(b.label).toBe(a.label);
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    }
  });

  it('keeps the calling thread serving while it trains (in place it stalls for the whole training)', async () => {
    // 800 phrasings of 300 entries, 4 epochs: ≈ 3.7e8 multiply-adds (a 300-entry FAQ costs about that).
    const { vectors, labels } = clusters(800, 300, 5);
    const o = { epochs: 4, seed: 1 };
    const inPlace = await longestStall(async () => IntentModel.train(vectors, labels, o));
    const offThread = await longestStall(() => trainOffThread(vectors, labels, o));
    expect(inPlace.stallMs).toBeGreaterThan(400);
    expect(offThread.stallMs).toBeLessThan(Math.min(250, inPlace.stallMs / 2));
  }, 120_000);

  it('reports a failed training as an error, not a hang', async () => {
    await expect(trainOffThread([], [])).rejects.toThrow(/empty knowledge base/);
    const { vectors } = clusters(4, 2);
    // An error inside the thread comes back as this call's rejection.
    await expect(trainOffThread(vectors, null as unknown as string[], { epochs: 1 })).rejects.toThrow(/training failed/);
  });
});
