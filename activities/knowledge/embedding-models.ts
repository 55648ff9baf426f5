/**
 * The embedding models sora-cs knows, with their prompt conventions and the similarity floor below
 * which a match is not trusted (cosine scales differ a lot between models: e5 puts unrelated
 * sentences at ≈0.7, MiniLM at ≈0.1). The floors were chosen on bench/crosslingual/dev.csv only.
 *
 * Default: the multilingual model when it is installed (npm run stack:install does), else MiniLM.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { modelsDir } from '../../infra/paths.js';

export interface EmbeddingModelProfile {
  id: string;
  languages: 'en' | 'multilingual';
  /** Prepended to buyer questions. */
  queryPrefix: string;
  /** Prepended to KB phrasings. */
  passagePrefix: string;
  /** Default for SORA_MATCH_MIN_SIMILARITY with this model. */
  minSimilarity: number;
  /** Cosine at which two unmatched questions count as the same (`sora kb missed`). */
  clusterSimilarity: number;
  /** Intent model settings (see IntentModel TrainOptions.center / temperature). */
  center: boolean;
  knnTemperature: number;
  /** Sentence vector from the token vectors, as the model was trained: mean (MiniLM, e5) or [CLS] (BGE). */
  pooling: 'mean' | 'cls';
}

export const MINILM_ID = 'Xenova/all-MiniLM-L6-v2';
export const E5_ID = 'sora/multilingual-e5-small-q4';
export const BGE_ID = 'BAAI/bge-small-en-v1.5';

export const MODEL_PROFILES: Record<string, EmbeddingModelProfile> = {
  [MINILM_ID]: {
    id: MINILM_ID,
    languages: 'en',
    queryPrefix: '',
    passagePrefix: '',
    minSimilarity: 0.45,
    clusterSimilarity: 0.6,
    center: false,
    knnTemperature: 0.05,
    pooling: 'mean',
  },
  // e5 model card: "query: " on both sides for symmetric tasks (paraphrase / FAQ question matching).
  // On the dev set: 'query: ' on both sides 70.4 % (intent) vs 68.3 % with 'passage: ' for the KB and
  // 69.1 % without prefixes. Floor 0.82 ≈ 3rd percentile of the nearest-KB similarity of correctly
  // matched dev questions (5th: 0.830), i.e. it turns away little that it could have answered.
  [E5_ID]: {
    id: E5_ID,
    languages: 'multilingual',
    queryPrefix: 'query: ',
    passagePrefix: 'query: ',
    minSimilarity: 0.82,
    clusterSimilarity: 0.9,
    // Centering on the KB mean: intent 74.9 % (vs 67.5 %), entry 56.4 % (vs 51.0 %) on the dev set.
    center: true,
    knnTemperature: 0.05,
    pooling: 'mean',
  },
  // BGE small v1.5 (English; installed by stack:install, chosen with SORA_EMBED_MODEL=BAAI/bge-small-en-v1.5):
  // [CLS] pooling as trained; no instruction prefix (BGE's "Represent this sentence …" is for short
  // queries against long passages, and FAQ matching compares questions with questions). Floor 0.70: on
  // the dev set's English questions the correctly matched ones' nearest similarity is 0.738–0.929 and
  // five off-topic questions reach 0.56–0.64 (MiniLM: 0.49–0.89 and 0.21–0.45).
  [BGE_ID]: {
    id: BGE_ID,
    languages: 'en',
    queryPrefix: '',
    passagePrefix: '',
    minSimilarity: 0.7,
    clusterSimilarity: 0.85,
    center: false,
    knnTemperature: 0.05,
    pooling: 'cls',
  },
};

export function isModelInstalled(id: string): boolean {
  return existsSync(path.join(modelsDir, id, 'tokenizer.json'));
}

/** The configured model (SORA_EMBED_MODEL), else the multilingual model if installed, else MiniLM. */
export function defaultEmbedModel(configured?: string): string {
  if (configured) return configured;
  return isModelInstalled(E5_ID) ? E5_ID : MINILM_ID;
}

/** The profile of a model id or folder (matched by its last two path segments); unknown models get no prefixes. */
export function profileFor(model: string): EmbeddingModelProfile {
  const key = model.split(/[\\/]/).slice(-2).join('/');
  return (
    MODEL_PROFILES[key] ?? {
      id: model,
      languages: 'multilingual',
      queryPrefix: '',
      passagePrefix: '',
      minSimilarity: 0.45,
      clusterSimilarity: 0.6,
      center: false,
      knnTemperature: 0.05,
      pooling: 'mean',
    }
  );
}

/** Intent-model options for a model: its profile, unless overridden (SORA_KB_CENTER / SORA_KNN_TEMPERATURE, config.understanding). */
export function classifierOptions(
  model: string,
  overrides: { kbCenter?: boolean; knnTemperature?: number } = {},
): { center: boolean; temperature: number } {
  const p = profileFor(model);
  return { center: overrides.kbCenter ?? p.center, temperature: overrides.knnTemperature ?? p.knnTemperature };
}
