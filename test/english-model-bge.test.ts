/**
 * The English BGE model (bge-small-en-v1.5, from Maven Central through `stack:install`): installed
 * with its checksums, loaded through the normal Embedder path, and pooled as it was trained — the
 * [CLS] token's vector, not the mean of the tokens (the mean is what MiniLM and e5 use, and what the
 * embedder did for every model before BGE; BANKING77 figures for both are in the README).
 */
import { AutoModel, AutoTokenizer, env as hfEnv, type Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { BGE_ID, profileFor } from '../activities/knowledge/embedding-models.js';
import { dot } from '../activities/knowledge/intent-model.js';
import { BGE_SMALL, installModel } from '../scripts/models/install-models.js';
import { modelsDir } from '../infra/paths.js';

const texts = ['How do I activate my new card?', 'I was charged twice for the same purchase', 'top up failed'];

function normalized(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** The model's token vectors straight from ONNX Runtime: [CLS] and the attention-masked mean, normalized. */
async function referencePools(text: string): Promise<{ cls: Float32Array; mean: Float32Array }> {
  hfEnv.localModelPath = `${modelsDir}/`;
  hfEnv.allowRemoteModels = false;
  const tok = await AutoTokenizer.from_pretrained(BGE_ID);
  const model = await AutoModel.from_pretrained(BGE_ID, { dtype: 'q8' });
  const inputs = tok(text);
  const out = (await model(inputs)) as { last_hidden_state: Tensor };
  const [, n, d] = out.last_hidden_state.dims as [number, number, number];
  const h = out.last_hidden_state.data as Float32Array;
  const mean = new Float32Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) mean[j]! += h[t * d + j]! / n;
  await model.dispose();
  return { cls: normalized(h.slice(0, d)), mean: normalized(mean) };
}

describe('bge-small-en-v1.5', () => {
  it('is installed by the stack with pinned checksums (a second install changes nothing)', () => {
    expect(BGE_SMALL.id).toBe(BGE_ID);
    const logged: string[] = [];
    installModel(BGE_SMALL, (m) => logged.push(m));
    expect(logged).toEqual([]);
    expect(profileFor(BGE_ID).pooling).toBe('cls');
    expect(profileFor(`/elsewhere/${BGE_ID}`).pooling).toBe('cls');
  });

  it('embeds the [CLS] vector, as BGE was trained, not the token mean', async () => {
    const e = new Embedder({ model: BGE_ID, cacheDir: false });
    try {
      for (const t of texts) {
        // One text per pass, like the reference: int8 activations are quantized per tensor, so the
        // padding of a batch moves the vectors slightly (cosine ≈ 0.998).
        const [v] = await e.embed([t], 'query');
        const ref = await referencePools(t);
        expect(dot(v!, ref.cls), t).toBeGreaterThan(0.9999);
        // Mean pooling gives a clearly different vector (measured 0.953–0.959 for these texts).
        expect(dot(v!, ref.mean), t).toBeLessThan(0.98);
      }
      expect(e.dims).toBe(384);
    } finally {
      await e.close();
    }
  });

  it('ranks the paraphrase first among banking questions', async () => {
    const e = new Embedder({ model: BGE_ID, cacheDir: false });
    try {
      const kb = ['How can I activate my card?', 'Why was I charged twice?', 'My top-up did not work', 'How do I change my PIN?'];
      const questions: [string, number][] = [
        ['the new card needs activating, how?', 0],
        ['there is a duplicate payment on my statement', 1],
        ['adding money to my account failed', 2],
        ['I want a different PIN number', 3],
      ];
      const kv = await e.embed(kb, 'passage');
      const qv = await e.embed(questions.map(([q]) => q));
      for (const [i, [q, want]] of questions.entries()) {
        const sims = kv.map((k) => dot(qv[i]!, k));
        expect(sims.indexOf(Math.max(...sims)), q).toBe(want);
      }
    } finally {
      await e.close();
    }
  });
});
