/**
 * "Top missed": unmatched buyer questions of a shop, clustered by meaning (greedy leader
 * clustering on the stored unit vectors, cosine ≥ threshold, default from the embedding model's
 * profile: 0.6 for MiniLM, 0.9 for e5), largest clusters first. Questions already answered by an
 * FAQ entry published from the desk (`resolvedAt`) are left out.
 */
import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { dot } from './intent-model.js';
import { defaultEmbedModel, profileFor } from './embedding-models.js';

export interface MissedCluster {
  /** Stable name of the cluster: a hash of the shop and its representative question. */
  id: string;
  count: number;
  /** The most central question of the cluster. */
  representative: string;
  examples: string[];
  languages: Record<string, number>;
  /** The cluster's questions (UnmatchedQuestion ids), newest first, at most MAX_IDS. */
  questionIds: Types.ObjectId[];
  /** When its newest question was asked. */
  lastAskedAt: Date | null;
}

/** Questions read at most (newest first) and ids kept per cluster. */
const MAX_ROWS = 20_000;
const MAX_IDS = 5_000;

/** The cluster id of a representative question: lower-cased, spaces collapsed, hashed with the shop. */
export function clusterIdOf(shopId: string, representative: string): string {
  const norm = representative.toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(`${shopId}\n${norm}`).digest('hex').slice(0, 16);
}

export async function topMissed(
  shopId: string,
  o: {
    limit?: number;
    threshold?: number;
    since?: Date;
    /** Questions asked before this instant only. */
    until?: Date;
    /** Keep questions already resolved by a published FAQ entry (default false). */
    includeResolved?: boolean;
    /** config.embedding.model */ model?: string;
  } = {},
): Promise<MissedCluster[]> {
  const createdAt = { ...(o.since ? { $gte: o.since } : {}), ...(o.until ? { $lt: o.until } : {}) };
  // Index {shopId, createdAt}; the resolved filter is applied to the rows of that range.
  const rows = await UnmatchedQuestionModel.find(
    {
      shopId,
      ...(o.since || o.until ? { createdAt } : {}),
      ...(o.includeResolved ? {} : { resolvedAt: null }),
    },
    { text: 1, vector: 1, language: 1, embedModel: 1, createdAt: 1 },
  )
    .sort({ createdAt: -1 })
    .limit(MAX_ROWS)
    .lean();
  // Only vectors of one model are comparable: the model of the newest question decides.
  const model = rows.find((r) => r.embedModel)?.embedModel ?? defaultEmbedModel(o.model);
  const threshold = o.threshold ?? profileFor(model).clusterSimilarity;
  type Member = { id: Types.ObjectId; text: string; v: Float32Array; lang: string; at: Date | null };
  const clusters: { centroid: Float32Array; members: Member[] }[] = [];
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
    const m: Member = { id: r._id, text: r.text, v, lang: r.language ?? '?', at: (r.createdAt as Date | undefined) ?? null };
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
        id: clusterIdOf(shopId, ranked[0]!.text),
        count: c.members.length,
        representative: ranked[0]!.text,
        examples: [...new Set(ranked.map((m) => m.text))].slice(0, 5),
        languages,
        questionIds: c.members.slice(0, MAX_IDS).map((m) => m.id),
        lastAskedAt: c.members[0]!.at,
      };
    });
}
