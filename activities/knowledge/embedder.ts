/**
 * On-device sentence embeddings with transformers.js: one model instance per process, batched,
 * pooled as the model's profile says (embedding-models.ts) and L2-normalized. The options come from the configuration (`config.embedding`):
 * model = a hub id (looked up under SORA_HOME/models first; the hub is only contacted when
 * allowRemoteModels, SORA_ALLOW_REMOTE_MODELS) or a local folder; default: the multilingual model
 * when installed (see embedding-models.ts). Prompt prefixes come from the model's profile unless
 * given (SORA_EMBED_QUERY_PREFIX / SORA_EMBED_PASSAGE_PREFIX).
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { inThreadBackend, threadBackend, type EmbeddingBackend } from './embedding-backend.js';
import { modelsDir } from '../../infra/paths.js';
import { defaultEmbedModel, profileFor } from './embedding-models.js';
import { EmbeddingCache } from './embedding-cache.js';
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
  /** Run the model in a worker thread (SORA_EMBED_THREAD, default true; embedding-backend.ts says why). */
  thread?: boolean;
  /** ONNX Runtime's threads per pass (SORA_EMBED_ORT_THREADS, default 1). */
  ortThreads?: number;
}

export class Embedder {
  readonly model: string;
  readonly batchSize: number;
  private readonly queryPrefix: string;
  private readonly passagePrefix: string;
  /** The model, loaded on first use (embedding-backend.ts). */
  private extractor: Promise<EmbeddingBackend> | undefined;
  dims = 0;

  /** The on-disk cache folder (SORA_EMBED_CACHE), or false. */
  readonly cacheDir: string | false;
  private readonly allowRemoteModels: boolean;
  private readonly thread: boolean;
  private readonly ortThreads: number;

  constructor(o: EmbedderOptions = {}) {
    const r = resolveOptions(o);
    this.model = r.model;
    this.batchSize = r.batchSize;
    this.queryPrefix = r.queryPrefix;
    this.passagePrefix = r.passagePrefix;
    this.cacheDir = r.cacheDir;
    this.allowRemoteModels = r.allowRemoteModels;
    this.thread = r.thread;
    this.ortThreads = r.ortThreads;
    this.minSimilarity = profileFor(this.model).minSimilarity;
  }

  /** Default similarity floor for this model (SORA_MATCH_MIN_SIMILARITY overrides). */
  readonly minSimilarity: number;

  /** What stored vectors were made with: the model, plus the prompt prefixes when it has any. */
  get fingerprint(): string {
    return this.queryPrefix || this.passagePrefix ? `${this.model}|q=${this.queryPrefix}|p=${this.passagePrefix}` : this.model;
  }

  private load(): Promise<EmbeddingBackend> {
    this.extractor ??= (async () => {
      let id = this.model;
      let localModelPath = modelsDir + path.sep;
      if (path.isAbsolute(id) || id.startsWith('.')) {
        // A local folder: its parent becomes the model root, its name the id.
        const abs = path.resolve(id);
        localModelPath = path.dirname(abs) + path.sep;
        id = path.basename(abs);
      }
      const folder = path.join(localModelPath, id);
      if (!this.allowRemoteModels && !existsSync(folder)) {
        throw new Error(
          `embedding model "${this.model}" not found in ${folder}; run \`npm run stack:install\` (or set SORA_EMBED_MODEL to a model folder)`,
        );
      }
      const dtype: 'q8' | 'fp32' = existsSync(path.join(folder, 'onnx', 'model_quantized.onnx')) ? 'q8' : 'fp32';
      const where = {
        localModelPath,
        id,
        allowRemoteModels: this.allowRemoteModels,
        pipelineOptions: { dtype, session_options: { intraOpNumThreads: this.ortThreads } },
        pooling: profileFor(this.model).pooling,
      };
      return this.thread ? threadBackend(where) : inThreadBackend(where);
    })();
    this.extractor.catch(() => (this.extractor = undefined));
    return this.extractor;
  }

  /** Stop the model's thread (tests, scripts that are done); the next embed starts it again. */
  async close(): Promise<void> {
    const b = this.extractor;
    this.extractor = undefined;
    await (await b?.catch(() => undefined))?.close();
  }

  private cache: EmbeddingCache | undefined;
  /** Buyer questions waiting for the next forward pass (see queries()). */
  private readonly queued: Array<{ inputs: string[]; resolve: (v: Float32Array[]) => void; reject: (e: unknown) => void }> = [];
  private passRunning = false;
  /** Forward passes run for buyer questions and the questions they carried (batching figures for the load bench). */
  readonly queryStats = { passes: 0, texts: 0 };

  /** Embed texts (batched); every vector is unit length. KB phrasings (`passage`) go through the on-disk cache. */
  async embed(
    texts: string[],
    kind: 'query' | 'passage' = 'query',
    onProgress?: (done: number, total: number) => void,
  ): Promise<Float32Array[]> {
    const prefix = kind === 'query' ? this.queryPrefix : this.passagePrefix;
    const inputs = texts.map((t) => prefix + t);
    if (kind === 'query' && texts.length > 0 && texts.length <= this.batchSize && !onProgress) {
      const out = await this.queries(inputs);
      this.dims ||= out[0]?.length ?? 0;
      return out;
    }
    const out: (Float32Array | undefined)[] = new Array(texts.length);
    let todo = inputs.map((_, i) => i);
    if (kind === 'passage' && this.cacheDir !== false) {
      this.cache ??= new EmbeddingCache(this.fingerprint, this.cacheDir);
      todo = todo.filter((i) => !(out[i] = this.cache!.get(inputs[i]!)));
      if (todo.length < texts.length) onProgress?.(texts.length - todo.length, texts.length);
    }
    for (let b = 0; b < todo.length; b += this.batchSize) {
      const idx = todo.slice(b, b + this.batchSize);
      const vs = await this.forward(idx.map((i) => inputs[i]!));
      idx.forEach((i, j) => {
        out[i] = vs[j];
        if (kind === 'passage') this.cache?.put(inputs[i]!, vs[j]!);
      });
      onProgress?.(texts.length - todo.length + Math.min(b + this.batchSize, todo.length), texts.length);
    }
    this.dims ||= out[0]?.length ?? 0;
    return out as Float32Array[];
  }

  /**
   * Buyer questions of concurrent conversations share forward passes: a question arriving while a
   * pass runs waits for it and goes into the next one with every other question that arrived
   * meanwhile (up to batchSize texts). Alone, a question runs at once: no added delay at low load.
   * The attention mask keeps padding out of each sentence's mean, so each question gets its own
   * vector whatever it was batched with (test/embedding-batching.test.ts).
   */
  private queries(inputs: string[]): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      this.queued.push({ inputs, resolve, reject });
      if (!this.passRunning) void this.drainQueries();
    });
  }

  private async drainQueries(): Promise<void> {
    this.passRunning = true;
    try {
      while (this.queued.length > 0) {
        const take: typeof this.queued = [];
        let n = 0;
        while (this.queued.length > 0 && (n === 0 || n + this.queued[0]!.inputs.length <= this.batchSize)) {
          const r = this.queued.shift()!;
          take.push(r);
          n += r.inputs.length;
        }
        try {
          const vs = await this.forward(take.flatMap((r) => r.inputs));
          this.queryStats.passes++;
          this.queryStats.texts += n;
          let k = 0;
          for (const r of take) {
            r.resolve(vs.slice(k, k + r.inputs.length));
            k += r.inputs.length;
          }
        } catch (e) {
          for (const r of take) r.reject(e);
        }
      }
    } finally {
      this.passRunning = false;
    }
  }

  /** One forward pass over prefixed texts: pooled as the model's profile says, unit-length vectors in input order. */
  private async forward(inputs: string[]): Promise<Float32Array[]> {
    const out = await (await this.load()).run(inputs);
    this.dims = out[0]?.length ?? this.dims;
    return out;
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
    thread: o.thread ?? true,
    ortThreads: o.ortThreads ?? 1,
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
