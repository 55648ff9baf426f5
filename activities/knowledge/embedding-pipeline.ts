/**
 * Loads the embedding model with transformers.js, the one way for both places it runs (the worker
 * thread, embedding-thread.mjs, and the calling thread, embedding-backend.ts): the feature-extraction
 * pipeline with the compact tokenizer lookup (unigram-trie.ts), pooled as the model was trained (mean for
 * MiniLM and e5, the [CLS] token for BGE) and normalized.
 */
import { env as hfEnv, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { withCompactTokenizer } from './unigram-trie.js';

export interface ModelLocation {
  /** Folder holding the model folders (transformers.js `env.localModelPath`), ending with a separator. */
  localModelPath: string;
  /** The model folder's name under it (a hub id). */
  id: string;
  allowRemoteModels: boolean;
  /** Options of transformers.js `pipeline()`: dtype, ONNX Runtime session options. */
  pipelineOptions: { dtype: 'q8' | 'fp32'; session_options?: { intraOpNumThreads?: number } };
  /** How token vectors become one sentence vector (the model profile's `pooling`); default mean. */
  pooling?: 'mean' | 'cls';
}

/** One forward pass: the vectors as one flat array of `dims` [texts, dimensions]. */
export type EmbedPass = ((inputs: string[]) => Promise<{ dims: number[]; data: Float32Array }>) & {
  /** The transformers.js pipeline behind it (tests look at its tokenizer). */
  pipeline: FeatureExtractionPipeline;
};

export async function loadPipeline(m: ModelLocation): Promise<EmbedPass> {
  hfEnv.localModelPath = m.localModelPath;
  hfEnv.allowRemoteModels = m.allowRemoteModels;
  hfEnv.allowLocalModels = true;
  const ex = withCompactTokenizer((await pipeline('feature-extraction', m.id, m.pipelineOptions)) as FeatureExtractionPipeline);
  const pooling = m.pooling ?? 'mean';
  const pass = async (inputs: string[]) => {
    const t = await ex(inputs, { pooling, normalize: true });
    return { dims: t.dims as number[], data: t.data as Float32Array };
  };
  return Object.assign(pass, { pipeline: ex });
}
