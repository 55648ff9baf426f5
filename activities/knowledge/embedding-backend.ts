/**
 * Where the embedding model runs for an Embedder (embedder.ts): in a worker thread (default,
 * SORA_EMBED_THREAD), or in the calling thread. Both take prefixed texts and return pooled (the
 * model profile's pooling), unit-length vectors in input order.
 *
 * Why a thread: onnxruntime-node's `run()` is synchronous (it only defers to setImmediate), so a
 * forward pass in the main thread blocks everything else the process does — web chat posts, the
 * reply stream, MongoDB replies, Temporal polls — for its duration (≈10–30 ms per pass on 2 cores).
 * BENCHMARKS.md "Load" compares both.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { EmbedPass, ModelLocation } from './embedding-pipeline.js';

export type { ModelLocation } from './embedding-pipeline.js';

export interface EmbeddingBackend {
  run(inputs: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
  /** In-thread only: the loaded pass (and its transformers.js pipeline). */
  pass?: EmbedPass;
}

function split(dims: number[], data: Float32Array): Float32Array[] {
  const [n, d] = dims as [number, number];
  const out: Float32Array[] = [];
  for (let j = 0; j < n; j++) out.push(data.slice(j * d, (j + 1) * d));
  return out;
}

/** The model in this thread (SORA_EMBED_THREAD=off; scripts that embed and nothing else). */
export async function inThreadBackend(m: ModelLocation): Promise<EmbeddingBackend> {
  // Imported here: a process whose model runs in the thread never loads transformers.js and ONNX
  // Runtime in its main thread (≈ 40 MB in plain node, ≈ 175 MB under tsx; BENCHMARKS.md "model-memory").
  const { loadPipeline } = await import('./embedding-pipeline.js');
  const pass = await loadPipeline(m);
  return {
    async run(inputs) {
      const { dims, data } = await pass(inputs);
      return split(dims, data);
    },
    close: async () => undefined,
    pass,
  };
}

const THREAD_SCRIPT = fileURLToPath(new URL('./embedding-thread.mjs', import.meta.url));

/**
 * The model in a worker thread. Requests are answered in order of completion by sequence number; the
 * thread keeps the process alive only while a request is pending (a CLI command exits when done).
 * A thread that dies fails its pending requests; the next request starts a new one.
 */
export function threadBackend(m: ModelLocation): EmbeddingBackend {
  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const start = (): Worker => {
    const w = new Worker(THREAD_SCRIPT, { workerData: m, execArgv: [] });
    w.unref();
    w.on('message', (msg: { seq: number; dims?: number[]; data?: Float32Array; error?: string }) => {
      const p = pending.get(msg.seq);
      if (!p) return;
      pending.delete(msg.seq);
      if (pending.size === 0) w.unref();
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(split(msg.dims!, msg.data!));
    });
    w.on('error', (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(new Error(`the embedding thread exited (code ${code})`));
    });
    return w;
  };
  return {
    run(inputs) {
      worker ??= start();
      const w = worker;
      return new Promise((resolve, reject) => {
        const id = ++seq;
        if (pending.size === 0) w.ref();
        pending.set(id, { resolve, reject });
        w.postMessage({ seq: id, inputs });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
