/**
 * The `claimNudgeCoupon` activity: bind one free, unexpired coupon of the shop to the buyer for the
 * silence nudge.
 *
 * At most once per buyer (per shop and channel, since buyer ids are per channel), ever:
 * - the shop has coupons off → `disabled`;
 * - a coupon is already bound to this buyer under the same `claimKey` (an activity retry, or a
 *   replay after the result was lost) → that coupon again (`claimed`, `retry: true`);
 * - a coupon is bound to this buyer under another claim key (an earlier conversation) →
 *   `already_given`, no coupon: the workflow sends the plain nudge;
 * - otherwise one free coupon is bound atomically (findOneAndUpdate). Two claims racing for one
 *   buyer cannot both win: `boundKey` is unique (models/coupon.ts), the loser gets E11000 and
 *   reads the winner's binding (same rules as above).
 * - no free coupon valid for at least SORA_COUPON_MIN_VALIDITY → `pool_empty` (warning logged,
 *   operators alerted once a day). Fewer than SORA_COUPON_LOW_WATERMARK left after a claim →
 *   operators alerted once a day (`coupon_pool_low`).
 */
import { log } from '@temporalio/activity';
import { CouponModel, couponBuyerKey } from '../../models/coupon.js';
import { isDuplicateKey } from '../../models/errors.js';
import { NotificationModel } from '../../models/notification.js';
import { ShopModel } from '../../models/shop.js';
import { alertOperators } from '../conversations/notify-operators.js';
import { freeCouponFilter } from './pool.js';
import type { CouponSettings } from './settings.js';

export interface ClaimCouponInput {
  shopId: string;
  channel: string;
  buyerId: string;
  workflowId: string;
  /** Identifies this claim: the workflow passes `{workflowId}:{runId}` (one nudge per run). */
  claimKey: string;
}

/** What the nudge message needs. */
export interface NudgeCoupon {
  code: string;
  discount: string;
  discountType: 'percent' | 'amount';
  discountValue: number;
  currency: string | null;
  /** ISO time; null = no expiry. */
  expiresAt: string | null;
}

export type ClaimCouponResult =
  { status: 'claimed'; coupon: NudgeCoupon; retry: boolean } | { status: 'disabled' | 'already_given' | 'pool_empty'; coupon: null };

type CouponDoc = {
  code: string;
  discount: string;
  discountType: string;
  discountValue: number;
  currency?: string | null;
  expiresAt?: Date | null;
  boundTo?: { claimKey: string } | null;
};

function toNudgeCoupon(c: CouponDoc): NudgeCoupon {
  return {
    code: c.code,
    discount: c.discount,
    discountType: c.discountType as NudgeCoupon['discountType'],
    discountValue: c.discountValue,
    currency: c.currency ?? null,
    expiresAt: c.expiresAt ? c.expiresAt.toISOString() : null,
  };
}

export function makeClaimNudgeCoupon(settings: CouponSettings, alertWebhookUrl: string | undefined) {
  /** Alert once per shop, kind and UTC day. */
  async function alertOnce(kind: 'coupon_pool_low' | 'coupon_pool_empty', input: ClaimCouponInput, reason: string, now: Date) {
    const key = `${kind}:${input.shopId}:${now.toISOString().slice(0, 10)}`;
    if (await NotificationModel.exists({ key })) return;
    await alertOperators(key, { shopId: input.shopId, channel: input.channel, kind, reason }, alertWebhookUrl, log);
  }

  function answerForBound(bound: CouponDoc, input: ClaimCouponInput): ClaimCouponResult {
    if (bound.boundTo?.claimKey === input.claimKey) return { status: 'claimed', coupon: toNudgeCoupon(bound), retry: true };
    log.info('buyer already received a coupon in an earlier conversation; plain nudge', {
      shopId: input.shopId,
      channel: input.channel,
      buyerId: input.buyerId,
      code: bound.code,
    });
    return { status: 'already_given', coupon: null };
  }

  return async function claimNudgeCoupon(input: ClaimCouponInput): Promise<ClaimCouponResult> {
    const shop = await ShopModel.findOne({ shopId: input.shopId }, { nudgeCoupon: 1 }).lean();
    if (!shop?.nudgeCoupon?.enabled) return { status: 'disabled', coupon: null };
    const boundKey = couponBuyerKey(input.shopId, input.channel, input.buyerId);
    const existing = await CouponModel.findOne({ boundKey }).lean();
    if (existing) return answerForBound(existing, input);

    const now = new Date();
    const validAt = new Date(now.getTime() + settings.minValidityMs);
    let claimed;
    try {
      claimed = await CouponModel.findOneAndUpdate(
        freeCouponFilter(input.shopId, validAt),
        {
          $set: {
            boundKey,
            boundTo: { channel: input.channel, buyerId: input.buyerId, workflowId: input.workflowId, claimKey: input.claimKey, at: now },
          },
        },
        { sort: { _id: 1 }, returnDocument: 'after' },
      ).lean();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // A concurrent claim bound a coupon to this buyer first.
      const winner = await CouponModel.findOne({ boundKey }).lean();
      if (!winner) throw e;
      return answerForBound(winner, input);
    }
    if (!claimed) {
      log.warn('coupon pool empty: no free coupon valid long enough; sending the plain nudge', {
        shopId: input.shopId,
        minValidityMs: settings.minValidityMs,
      });
      await alertOnce('coupon_pool_empty', input, 'no free coupon left for the silence nudge (sora coupons import|generate)', now);
      return { status: 'pool_empty', coupon: null };
    }
    log.info('coupon bound', { shopId: input.shopId, channel: input.channel, buyerId: input.buyerId, code: claimed.code });
    if (settings.lowWatermark > 0) {
      const left = await CouponModel.countDocuments(freeCouponFilter(input.shopId, validAt));
      if (left < settings.lowWatermark)
        await alertOnce(
          'coupon_pool_low',
          input,
          `${left} free coupon${left === 1 ? '' : 's'} left (alert below ${settings.lowWatermark})`,
          now,
        );
    }
    return { status: 'claimed', coupon: toNudgeCoupon(claimed), retry: false };
  };
}
