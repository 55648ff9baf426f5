/**
 * "Top missed": unmatched buyer questions of a shop, clustered by meaning (greedy leader
 * clustering on the stored unit vectors, cosine ≥ threshold, default from the embedding model's
 * profile: 0.6 for MiniLM, 0.9 for e5), largest clusters first.
 */
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { dot } from './intent-model.js';
import { defaultEmbedModel, profileFor } from './embedding-models.js';

export interface MissedCluster {
  count: number;
  /** The most central question of the cluster. */
  representative: string;
  examples: string[];
  languages: Record<string, number>;
}

export async function topMissed(
  shopId: string,
  o: { limit?: number; threshold?: number; since?: Date; /** config.embedding.model */ model?: string } = {},
): Promise<MissedCluster[]> {
  const rows = await UnmatchedQuestionModel.find(
    { shopId, ...(o.since ? { createdAt: { $gte: o.since } } : {}) },
    { text: 1, vector: 1, language: 1, embedModel: 1 },
  )
    .sort({ createdAt: -1 })
    .limit(20_000)
    .lean();
  // Only vectors of one model are comparable: the model of the newest question decides.
  const model = rows.find((r) => r.embedModel)?.embedModel ?? defaultEmbedModel(o.model);
  const threshold = o.threshold ?? profileFor(model).clusterSimilarity;
  const clusters: { centroid: Float32Array; members: { text: string; v: Float32Array; lang: string }[] }[] = [];
  for (const r of rows) {
    if (!r.vector?.length || (r.embedModel && r.embedModel !== model)) continue;
    const v = Float32Array.from(r.vector as number[]);
    let best = -1;
    let bestSim = threshold;
    for (let i = 0; i < clusters.length; i++) {
      const s = dot(clusters[i]!.centroid, v);
      if (s >= bestSim) {
        bestSim = s;
        best = i;
      }
    }
    const m = { text: r.text, v, lang: r.language ?? '?' };
    if (best < 0) clusters.push({ centroid: v.slice(), members: [m] });
    else {
      const c = clusters[best]!;
      c.members.push(m);
      const n = c.members.length;
      let norm = 0;
      for (let d = 0; d < v.length; d++) {
        c.centroid[d] = (c.centroid[d]! * (n - 1) + v[d]!) / n;
        norm += c.centroid[d]! ** 2;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < v.length; d++) c.centroid[d]! /= norm;
    }
  }
  return clusters
    .sort((a, b) => b.members.length - a.members.length)
    .slice(0, o.limit ?? 50)
    .map((c) => {
      const ranked = [...c.members].sort((a, b) => dot(b.v, c.centroid) - dot(a.v, c.centroid));
      const languages: Record<string, number> = {};
      for (const m of c.members) languages[m.lang] = (languages[m.lang] ?? 0) + 1;
      return {
        count: c.members.length,
        representative: ranked[0]!.text,
        examples: [...new Set(ranked.map((m) => m.text))].slice(0, 3),
        languages,
      };
    });
}
