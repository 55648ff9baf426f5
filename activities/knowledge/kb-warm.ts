/**
 * Warm-up at start: load the embedding model, run it once (ONNX Runtime optimises the graph on the
 * first run) and build the FAQ index of the shops, so the first buyer after a start is answered as
 * fast as the next one (without it, the first message waited for the index: 6–12 s). The gateway
 * starts listening only after this (scripts/app.ts), so a ready /healthz means warm indexes.
 */
import { ShopModel } from '../../models/shop.js';
import type { Embedder } from './embedder.js';
import type { KbIndex } from './kb-index.js';

export interface WarmResult {
  shops: number;
  entries: number;
  ms: number;
}

/**
 * Build the indexes of `shopIds`, or of the shops most recently changed (at most `maxShops`) when
 * none are given. A shop whose index fails to build is logged and skipped: the first message to it
 * tries again, as before.
 */
export async function warmIndexes(
  index: KbIndex,
  embedder: Embedder,
  o: { shopIds?: string[]; maxShops?: number; log: (msg: string, fields?: Record<string, unknown>) => void },
): Promise<WarmResult> {
  const t0 = Date.now();
  const shopIds =
    o.shopIds ??
    (
      await ShopModel.find({}, { shopId: 1 })
        .sort({ updatedAt: -1 })
        .limit(o.maxShops ?? 100)
        .lean()
    ).map((s) => s.shopId);
  await embedder.embed(['warm-up'], 'query');
  let entries = 0;
  let done = 0;
  for (const shopId of shopIds) {
    try {
      entries += (await index.forShop(shopId)).entries;
      done++;
    } catch (e) {
      o.log('FAQ index warm-up failed; the first message builds it', { shopId, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const ms = Date.now() - t0;
  o.log('FAQ indexes warm', { shops: done, entries, ms });
  return { shops: done, entries, ms };
}
