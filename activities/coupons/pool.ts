/** A shop's coupon pool at a glance (`sora coupons list`) and the nudge switch (`enable|disable`). */
import { CouponModel } from '../../models/coupon.js';
import { ShopModel } from '../../models/shop.js';
import { CouponInputError } from './fields.js';

export interface PoolStats {
  shopId: string;
  /** Coupons enabled for the silence nudge. */
  enabled: boolean;
  /** Free and not expired (usable now, ignoring the minimum remaining validity). */
  available: number;
  bound: number;
  /** Free but past their expiry: never handed out. */
  expired: number;
  byDiscount: { discount: string; available: number; bound: number; expired: number }[];
  rule: { prefix: string; length: number; discount: string; expiresAt: string | null } | null;
}

async function requireShop(shopId: string) {
  const shop = await ShopModel.findOne({ shopId }, { shopId: 1, nudgeCoupon: 1, couponRule: 1 }).lean();
  if (!shop) throw new CouponInputError(`no shop "${shopId}"`);
  return shop;
}

/** Free coupons that can be handed out at `notBefore` or later (unexpired then). */
export function freeCouponFilter(shopId: string, validAt: Date) {
  return { shopId, boundKey: { $exists: false }, $or: [{ expiresAt: null }, { expiresAt: { $gt: validAt } }] };
}

export async function poolStats(shopId: string, now = new Date()): Promise<PoolStats> {
  const shop = await requireShop(shopId);
  const rows = await CouponModel.find({ shopId }, { discount: 1, expiresAt: 1, boundKey: 1 }).lean();
  const by = new Map<string, { discount: string; available: number; bound: number; expired: number }>();
  const total = { available: 0, bound: 0, expired: 0 };
  for (const c of rows) {
    const state = c.boundKey ? 'bound' : c.expiresAt && c.expiresAt.getTime() <= now.getTime() ? 'expired' : 'available';
    const d = by.get(c.discount) ?? { discount: c.discount, available: 0, bound: 0, expired: 0 };
    d[state] += 1;
    total[state] += 1;
    by.set(c.discount, d);
  }
  const rule = shop.couponRule;
  return {
    shopId,
    enabled: shop.nudgeCoupon?.enabled ?? false,
    ...total,
    byDiscount: [...by.values()].sort((a, b) => a.discount.localeCompare(b.discount)),
    rule:
      rule?.prefix !== undefined && rule.prefix !== null
        ? { prefix: rule.prefix, length: rule.length ?? 0, discount: rule.discount ?? '', expiresAt: rule.expiresAt?.toISOString() ?? null }
        : null,
  };
}

/** Turn the coupon nudge on or off; returns the pool so the caller can warn about an empty one. */
export async function setNudgeCoupons(shopId: string, enabled: boolean): Promise<PoolStats> {
  await requireShop(shopId);
  await ShopModel.updateOne({ shopId }, { $set: { 'nudgeCoupon.enabled': enabled } });
  return poolStats(shopId);
}
