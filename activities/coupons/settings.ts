/** Coupon settings from the environment (documented in the README, section Coupons). */
import { parseDuration } from '../../temporal.config.js';

export interface CouponSettings {
  /** Alert operators (once a day per shop) when fewer free coupons than this remain. */
  lowWatermark: number;
  /** A coupon must stay valid at least this long after it is handed out (ms). */
  minValidityMs: number;
}

export function couponSettingsFromEnv(): CouponSettings {
  const raw = process.env.SORA_COUPON_LOW_WATERMARK?.trim() || '10';
  const lowWatermark = Number(raw);
  if (!Number.isInteger(lowWatermark) || lowWatermark < 0) throw new Error(`SORA_COUPON_LOW_WATERMARK="${raw}" is not a whole number ≥ 0`);
  return { lowWatermark, minValidityMs: parseDuration('SORA_COUPON_MIN_VALIDITY', '24h') };
}
