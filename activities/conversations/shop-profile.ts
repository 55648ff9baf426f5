/**
 * The shop's profile a conversation runs with: its conversation strategy (stored fields over the
 * deployment's defaults), default language and Spanish variant. Loaded by the workflow when a
 * conversation starts, so a strategy change applies to conversations that start after it.
 */
import { z } from 'zod';
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

/** A duration as sellers write it: `30s`, `10m`, `24h`, `2d`, `1500ms`, or a number of milliseconds. */
export function parseDurationText(raw: string | number): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? Math.round(raw) : null;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!);
}

const duration = (what: string, min: number, max: number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDurationText(v);
    if (ms === null) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what}: "${v}" is not a duration (e.g. 30s, 10m, 24h)` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what} must be between ${min / 1000}s and ${max / 3_600_000}h` });
      return z.NEVER;
    }
    return ms;
  });

/** A change to a shop's strategy; null resets a field to the default. */
export const strategyChange = z
  .object({
    silenceNudge: z.boolean().nullable(),
    silenceNudgeDelay: duration('silenceNudgeDelay', 5_000, 3_600_000).nullable(),
    silenceNudgeAfter: z.enum(['any_reply', 'question']).nullable(),
    silenceNudgeMax: z.number().int().min(1).max(10).nullable(),
    coupon: z.boolean(),
    idleClose: duration('idleClose', 60_000, 7 * 86_400_000).nullable(),
    npsDelay: duration('npsDelay', 0, 7 * 86_400_000).nullable(),
  })
  .partial()
  .strict();
export type StrategyChange = z.input<typeof strategyChange>;

export class StrategyInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'StrategyInputError';
  }
}

export interface ShopStrategyView {
  shopId: string;
  /** What the shop set (unset = default). */
  stored: StoredStrategy & { coupon: boolean };
  /** What conversations starting now use. */
  effective: ConversationStrategy;
}

async function view(shopId: string, defaults: ConversationStrategy): Promise<ShopStrategyView> {
  const shop = await ShopModel.findOne({ shopId }, { strategy: 1, nudgeCoupon: 1 }).lean();
  if (!shop) throw new StrategyInputError([`no shop "${shopId}"`]);
  const stored = { ...((shop.strategy ?? {}) as StoredStrategy), coupon: shop.nudgeCoupon?.enabled ?? false };
  return { shopId, stored, effective: effectiveStrategy(stored, stored.coupon, defaults) };
}

export const getShopStrategy = view;

/** Validate and store a change (all problems reported at once); returns the new view. */
export async function updateShopStrategy(shopId: string, change: unknown, defaults: ConversationStrategy): Promise<ShopStrategyView> {
  const r = strategyChange.safeParse(change);
  if (!r.success)
    throw new StrategyInputError(
      r.error.issues.map((i) => (i.path.length && i.code !== 'custom' ? `${i.path.join('.')}: ${i.message}` : i.message)),
    );
  const before = await view(shopId, defaults); // the shop exists
  const c = r.data;
  // The nudge must be able to fire: it comes before the idle close or never.
  const pick = <T>(changed: T | null | undefined, stored: T | null | undefined, dflt: T): T =>
    changed === undefined ? (stored ?? dflt) : (changed ?? dflt);
  const nudgeOn = pick(c.silenceNudge, before.stored.silenceNudge, defaults.silenceNudge.enabled);
  const delay = pick(c.silenceNudgeDelay, before.stored.silenceNudgeDelayMs, defaults.silenceNudge.delayMs);
  const idle = pick(c.idleClose, before.stored.idleCloseMs, defaults.idleCloseMs);
  if (nudgeOn && delay >= idle)
    throw new StrategyInputError([
      `silenceNudgeDelay (${delay / 1000}s) must be shorter than idleClose (${idle / 1000}s): the conversation would close before the nudge`,
    ]);
  const set: Record<string, unknown> = {};
  const put = (field: keyof StoredStrategy, v: unknown) => v !== undefined && (set[`strategy.${field}`] = v);
  put('silenceNudge', c.silenceNudge);
  put('silenceNudgeDelayMs', c.silenceNudgeDelay);
  put('silenceNudgeAfter', c.silenceNudgeAfter);
  put('silenceNudgeMax', c.silenceNudgeMax);
  put('idleCloseMs', c.idleClose);
  put('npsDelayMs', c.npsDelay);
  if (c.coupon !== undefined) set['nudgeCoupon.enabled'] = c.coupon;
  if (Object.keys(set).length) await ShopModel.updateOne({ shopId }, { $set: set });
  return view(shopId, defaults);
}
