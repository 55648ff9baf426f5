// The intent model's regression, trained in a worker thread of its own (activities/knowledge/intent-train.ts).
// Training is seconds of pure arithmetic for a KB of a few hundred entries and more: in the main
// thread it would stall the gateway, the MongoDB driver and the Temporal worker of the process
// meanwhile. Plain JavaScript that registers tsx itself, like embedding-thread.mjs; the arithmetic
// is the same TypeScript function as in the calling thread (intent-model.ts trainRegression).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
try {
  const { trainRegression } = await import('./intent-model.ts');
  const { flat, n, dims, labels, options } = workerData;
  const vectors = Array.from({ length: n }, (_, i) => flat.subarray(i * dims, (i + 1) * dims));
  const { W, b } = trainRegression(vectors, labels, options);
  parentPort.postMessage({ W, b }, [W.buffer, b.buffer]);
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
