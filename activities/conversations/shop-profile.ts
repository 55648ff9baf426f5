/**
 * The shop's profile a conversation runs with: its conversation strategy (stored fields over the
 * deployment's defaults), default language and Spanish variant. Loaded by the workflow when a
 * conversation starts, so a strategy change applies to conversations that start after it.
 */
import { ShopModel } from '../../models/shop.js';
import type { ConversationStrategy, ShopProfile } from '../../workflows/types.js';

export interface StoredStrategy {
  silenceNudge?: boolean | null;
  silenceNudgeDelayMs?: number | null;
  silenceNudgeAfter?: 'any_reply' | 'question' | null;
  silenceNudgeMax?: number | null;
  idleCloseMs?: number | null;
  npsDelayMs?: number | null;
}

/** The effective strategy: each stored field, else the default. */
export function effectiveStrategy(
  stored: StoredStrategy | null | undefined,
  couponEnabled: boolean,
  defaults: ConversationStrategy,
): ConversationStrategy {
  const s = stored ?? {};
  return {
    silenceNudge: {
      enabled: s.silenceNudge ?? defaults.silenceNudge.enabled,
      delayMs: s.silenceNudgeDelayMs ?? defaults.silenceNudge.delayMs,
      after: s.silenceNudgeAfter ?? defaults.silenceNudge.after,
      max: s.silenceNudgeMax ?? defaults.silenceNudge.max,
      coupon: couponEnabled,
    },
    idleCloseMs: s.idleCloseMs ?? defaults.idleCloseMs,
    npsDelayMs: s.npsDelayMs ?? defaults.npsDelayMs,
  };
}

export async function loadShopProfile(input: { shopId: string; defaults: ConversationStrategy }): Promise<ShopProfile> {
  const shop = await ShopModel.findOne(
    { shopId: input.shopId },
    { strategy: 1, nudgeCoupon: 1, defaultLanguage: 1, spanishVariant: 1 },
  ).lean();
  return {
    strategy: effectiveStrategy(shop?.strategy as StoredStrategy | undefined, shop?.nudgeCoupon?.enabled ?? false, input.defaults),
    defaultLanguage: shop?.defaultLanguage ?? 'en',
    spanishVariant: shop?.spanishVariant === 'es-419' ? 'es-419' : 'es',
  };
}
