/** Coupon settings (SORA_COUPON_LOW_WATERMARK, SORA_COUPON_MIN_VALIDITY; config.coupons, documented in the README). */
export interface CouponSettings {
  /** Alert operators (once a day per shop) when fewer free coupons than this remain. */
  lowWatermark: number;
  /** A coupon must stay valid at least this long after it is handed out (ms). */
  minValidityMs: number;
}
