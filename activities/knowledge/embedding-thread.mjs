// The embedding model in a worker thread of its own (activities/knowledge/embedding-backend.ts).
// ONNX Runtime's Node binding runs a model synchronously on the thread that calls it: in the main
// thread, every forward pass (and the tokenizer) would stall the HTTP gateway, the MongoDB driver
// and the Temporal worker of the process meanwhile. Plain JavaScript so that it loads the same way
// under tsx, vitest and plain node.
import { parentPort, workerData } from 'node:worker_threads';
import { env, pipeline } from '@huggingface/transformers';

const { localModelPath, id, allowRemoteModels, pipelineOptions } = workerData;
env.localModelPath = localModelPath;
env.allowRemoteModels = allowRemoteModels;
env.allowLocalModels = true;
const extractor = pipeline('feature-extraction', id, pipelineOptions);
// A failed load is reported with the first request (and every later one), not as an unhandled rejection.
extractor.catch(() => undefined);

parentPort.on('message', async ({ seq, inputs }) => {
  try {
    const ex = await extractor;
    const t = await ex(inputs, { pooling: 'mean', normalize: true });
    const data = Float32Array.from(t.data);
    parentPort.postMessage({ seq, dims: t.dims, data }, [data.buffer]);
  } catch (e) {
    parentPort.postMessage({ seq, error: e instanceof Error ? e.message : String(e) });
  }
});
