/**
 * Training an intent model off the calling thread. The regression costs phrasings × entries × 384
 * multiply-adds an epoch (≈ 3.5e7 for the 217-entry demo KB, seconds for a KB of 1,000 entries); run
 * in the main thread, that stalls every conversation of the process (BENCHMARKS.md "Load", the KB
 * scenario). A worker thread computes the weights (intent-train-thread.mjs, the same
 * trainRegression); the model is assembled here from them, so its predictions are identical.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { IntentModel, type TrainOptions } from './intent-model.js';

const THREAD_SCRIPT = fileURLToPath(new URL('./intent-train-thread.mjs', import.meta.url));

/** IntentModel.train, with the regression computed in a worker thread (started for this training, ended after it). */
export async function trainOffThread(
  vectors: Float32Array[],
  labels: string[],
  o: Omit<TrainOptions, 'onEpoch'> = {},
): Promise<IntentModel> {
  if (vectors.length === 0) throw new Error('cannot train an intent model on an empty knowledge base');
  const dims = vectors[0]!.length;
  const flat = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => flat.set(v, i * dims));
  const worker = new Worker(THREAD_SCRIPT, {
    workerData: { flat, n: vectors.length, dims, labels, options: o },
    transferList: [flat.buffer],
    execArgv: [],
  });
  try {
    const { W, b } = await new Promise<{ W: Float32Array; b: Float32Array }>((resolve, reject) => {
      worker.once('message', (m: { W?: Float32Array; b?: Float32Array; error?: string }) =>
        m.error !== undefined ? reject(new Error(`intent model training failed: ${m.error}`)) : resolve({ W: m.W!, b: m.b! }),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the training thread exited (code ${code}) before answering`)));
    });
    return IntentModel.fromWeights(vectors, labels, o, W, b);
  } finally {
    void worker.terminate();
  }
}
