/**
 * On-device sentence embeddings with transformers.js: one model instance per process, batched,
 * mean-pooled and L2-normalized. The options come from the configuration (`config.embedding`):
 * model = a hub id (looked up under SORA_HOME/models first; the hub is only contacted when
 * allowRemoteModels, SORA_ALLOW_REMOTE_MODELS) or a local folder; default: the multilingual model
 * when installed (see embedding-models.ts). Prompt prefixes come from the model's profile unless
 * given (SORA_EMBED_QUERY_PREFIX / SORA_EMBED_PASSAGE_PREFIX).
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { env as hfEnv, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { modelsDir } from '../../infra/paths.js';
import { defaultEmbedModel, profileFor } from './embedding-models.js';
import { EmbeddingCache } from './embedding-cache.js';
import { withCompactTokenizer } from './unigram-trie.js';
import { soraHome } from '../../infra/config/index.js';

export interface EmbedderOptions {
  model?: string;
  /** Texts per forward pass (SORA_EMBED_BATCH, default 32). */
  batchSize?: number;
  /** Prefixes for models with prompt conventions (e5: `query: ` / `passage: `). */
  queryPrefix?: string;
  passagePrefix?: string;
  /** On-disk cache of KB phrasing vectors (SORA_EMBED_CACHE): a folder, or false; default SORA_HOME/cache/embeddings. */
  cacheDir?: string | false;
  /** Let transformers.js download from a model hub (SORA_ALLOW_REMOTE_MODELS, default false). */
  allowRemoteModels?: boolean;
}

export class Embedder {
  readonly model: string;
  readonly batchSize: number;
  private readonly queryPrefix: string;
  private readonly passagePrefix: string;
  private extractor: Promise<FeatureExtractionPipeline> | undefined;
  dims = 0;

  private readonly cacheDir: string | false;
  private readonly allowRemoteModels: boolean;

  constructor(o: EmbedderOptions = {}) {
    const r = resolveOptions(o);
    this.model = r.model;
    this.batchSize = r.batchSize;
    this.queryPrefix = r.queryPrefix;
    this.passagePrefix = r.passagePrefix;
    this.cacheDir = r.cacheDir;
    this.allowRemoteModels = r.allowRemoteModels;
    this.minSimilarity = profileFor(this.model).minSimilarity;
  }

  /** Default similarity floor for this model (SORA_MATCH_MIN_SIMILARITY overrides). */
  readonly minSimilarity: number;

  /** What stored vectors were made with: the model, plus the prompt prefixes when it has any. */
  get fingerprint(): string {
    return this.queryPrefix || this.passagePrefix ? `${this.model}|q=${this.queryPrefix}|p=${this.passagePrefix}` : this.model;
  }

  private load(): Promise<FeatureExtractionPipeline> {
    this.extractor ??= (async () => {
      let id = this.model;
      if (path.isAbsolute(id) || id.startsWith('.')) {
        // A local folder: its parent becomes the model root, its name the id.
        const abs = path.resolve(id);
        hfEnv.localModelPath = path.dirname(abs) + path.sep;
        id = path.basename(abs);
      } else {
        hfEnv.localModelPath = modelsDir + path.sep;
      }
      hfEnv.allowRemoteModels = this.allowRemoteModels;
      hfEnv.allowLocalModels = true;
      const folder = path.join(hfEnv.localModelPath, id);
      if (!hfEnv.allowRemoteModels && !existsSync(folder)) {
        throw new Error(
          `embedding model "${this.model}" not found in ${folder}; run \`npm run stack:install\` (or set SORA_EMBED_MODEL to a model folder)`,
        );
      }
      const dtype = existsSync(path.join(folder, 'onnx', 'model_quantized.onnx')) ? 'q8' : 'fp32';
      return withCompactTokenizer((await pipeline('feature-extraction', id, { dtype })) as FeatureExtractionPipeline);
    })();
    return this.extractor;
  }

  private cache: EmbeddingCache | undefined;

  /** Embed texts (batched); every vector is unit length. KB phrasings (`passage`) go through the on-disk cache. */
  async embed(
    texts: string[],
    kind: 'query' | 'passage' = 'query',
    onProgress?: (done: number, total: number) => void,
  ): Promise<Float32Array[]> {
    const prefix = kind === 'query' ? this.queryPrefix : this.passagePrefix;
    const inputs = texts.map((t) => prefix + t);
    const out: (Float32Array | undefined)[] = new Array(texts.length);
    let todo = inputs.map((_, i) => i);
    if (kind === 'passage' && this.cacheDir !== false) {
      this.cache ??= new EmbeddingCache(this.fingerprint, this.cacheDir);
      todo = todo.filter((i) => !(out[i] = this.cache!.get(inputs[i]!)));
      if (todo.length < texts.length) onProgress?.(texts.length - todo.length, texts.length);
    }
    if (todo.length) {
      const ex = await this.load();
      for (let b = 0; b < todo.length; b += this.batchSize) {
        const idx = todo.slice(b, b + this.batchSize);
        const t = await ex(
          idx.map((i) => inputs[i]!),
          { pooling: 'mean', normalize: true },
        );
        const [n, d] = t.dims as [number, number];
        this.dims = d;
        const data = t.data as Float32Array;
        for (let j = 0; j < n; j++) {
          const v = data.slice(j * d, (j + 1) * d);
          out[idx[j]!] = v;
          if (kind === 'passage') this.cache?.put(inputs[idx[j]!]!, v);
        }
        onProgress?.(texts.length - todo.length + Math.min(b + this.batchSize, todo.length), texts.length);
      }
    }
    this.dims ||= out[0]?.length ?? 0;
    return out as Float32Array[];
  }
}

/** The options with every default applied. */
function resolveOptions(o: EmbedderOptions): Required<EmbedderOptions> & { cacheDir: string | false } {
  const model = o.model ?? defaultEmbedModel();
  const profile = profileFor(model);
  return {
    model,
    batchSize: o.batchSize ?? 32,
    queryPrefix: o.queryPrefix ?? profile.queryPrefix,
    passagePrefix: o.passagePrefix ?? profile.passagePrefix,
    cacheDir: o.cacheDir ?? path.join(soraHome, 'cache', 'embeddings'),
    allowRemoteModels: o.allowRemoteModels ?? false,
  };
}

const shared = new Map<string, Embedder>();
/**
 * The process-wide embedder for these options (`config.embedding`): one model instance per worker
 * process, shared by the worker, the gateway's KB upload and the CLI.
 */
export function sharedEmbedder(o: EmbedderOptions = {}): Embedder {
  const key = JSON.stringify(resolveOptions(o));
  let e = shared.get(key);
  if (!e) shared.set(key, (e = new Embedder(o)));
  return e;
}
