// The embedding model in a worker thread of its own (activities/knowledge/embedding-backend.ts).
// ONNX Runtime's Node binding runs a model synchronously on the thread that calls it: in the main
// thread, every forward pass (and the tokenizer) would stall the HTTP gateway, the MongoDB driver
// and the Temporal worker of the process meanwhile. This file is plain JavaScript and registers tsx
// itself, so it starts the same way under tsx, vitest and plain node; the model is loaded by the same
// TypeScript module as in the calling thread (embedding-pipeline.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { loadPipeline } = await import('./embedding-pipeline.ts');
const pass = loadPipeline(workerData);
// A failed load is reported with the first request (and every later one), not as an unhandled rejection.
pass.catch(() => undefined);

parentPort.on('message', async ({ seq, inputs }) => {
  try {
    const { dims, data } = await (await pass)(inputs);
    const copy = Float32Array.from(data);
    parentPort.postMessage({ seq, dims, data: copy }, [copy.buffer]);
  } catch (e) {
    parentPort.postMessage({ seq, error: e instanceof Error ? e.message : String(e) });
  }
});
