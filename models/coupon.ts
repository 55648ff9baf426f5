import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * A shop's coupon pool: imported or generated codes, each bound to at most one buyer, and each
 * buyer bound to at most one coupon per shop.
 *
 * `boundKey` = `{shopId}|{channel}|{buyerId}` is present only on bound coupons; its unique sparse
 * index is what makes "one coupon per buyer" hold under concurrent claims. (A single-field sparse
 * index rather than a partial one: the bundled mongo-java-server ignores partialFilterExpression,
 * and a sparse compound index would still index every coupon through shopId.) A free coupon has no
 * `boundKey` at all — never null.
 */
const couponSchema = new Schema(
  {
    shopId: { type: String, required: true },
    code: { type: String, required: true },
    /** As the seller wrote it, normalized: `10%` or `5 USD`. */
    discount: { type: String, required: true },
    discountType: { type: String, enum: ['percent', 'amount'], required: true },
    discountValue: { type: Number, required: true },
    /** ISO 4217 code for `amount` discounts. */
    currency: { type: String, default: null },
    /** Not handed out at or after this time; null = no expiry. */
    expiresAt: { type: Date, default: null },
    source: { type: String, enum: ['import', 'generated'], required: true },
    /** Import run or generation batch that created it. */
    batch: { type: String, required: true },
    boundKey: { type: String },
    boundTo: {
      type: new Schema(
        {
          channel: { type: String, required: true },
          buyerId: { type: String, required: true },
          workflowId: { type: String, required: true },
          /** `{workflowId}:{runId}:{activityId}` of the claim: a retried claim finds its own coupon. */
          claimKey: { type: String, required: true },
          at: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { timestamps: true },
);
couponSchema.index({ shopId: 1, code: 1 }, { unique: true });
couponSchema.index({ boundKey: 1 }, { unique: true, sparse: true });
couponSchema.index({ shopId: 1, boundKey: 1 });

export type Coupon = InferSchemaType<typeof couponSchema>;
export const CouponModel = model('Coupon', couponSchema);

export function couponBuyerKey(shopId: string, channel: string, buyerId: string): string {
  return `${shopId}|${channel}|${buyerId}`;
}
