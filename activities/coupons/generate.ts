/**
 * `sora coupons generate`: rule-generated codes `{PREFIX}{random}` from crypto randomness over an
 * unambiguous alphabet (no 0/O, 1/I/L). Never called from workflow code. Each run adds `count` new
 * codes (a code that collides with an existing one is drawn again) and records the rule on the shop.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CouponModel } from '../../models/coupon.js';
import { isDuplicateKey } from '../../models/errors.js';
import { ShopModel } from '../../models/shop.js';
import { CouponFieldError, CouponInputError, parseCode, parseDiscount, parseExpiry } from './fields.js';

/** 31 symbols without 0/O and 1/I/L. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export const MAX_GENERATE = 100_000;

export interface GenerateRule {
  count: number;
  prefix: string;
  /** Random characters after the prefix (default 8: 31^8 ≈ 8.5 × 10^11 codes). */
  length?: number;
  discount: string;
  /** `YYYY-MM-DD` or an ISO time with offset; empty = no expiry. */
  expires?: string;
}

export interface GenerateResult {
  shopId: string;
  created: number;
  batch: string;
  sample: string[];
}

export function randomCode(prefix: string, length: number, random: (n: number) => Uint8Array = randomBytes): string {
  let s = prefix;
  while (s.length < prefix.length + length) {
    // Rejection sampling: bytes ≥ 248 (= 8 × 31) would favour the first symbols.
    for (const b of random(length * 2)) if (b < 248 && s.length < prefix.length + length) s += CODE_ALPHABET[b % 31];
  }
  return s;
}

/** Validate the rule; throws CouponFieldError with what is wrong. */
export function checkRule(rule: GenerateRule, now: Date) {
  if (!Number.isInteger(rule.count) || rule.count < 1 || rule.count > MAX_GENERATE)
    throw new CouponFieldError(`--count must be a whole number from 1 to ${MAX_GENERATE}`);
  const length = rule.length ?? 8;
  if (!Number.isInteger(length) || length < 6 || length > 32) throw new CouponFieldError('--length must be a whole number from 6 to 32');
  const prefix = rule.prefix.trim();
  if (prefix && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$/.test(prefix))
    throw new CouponFieldError(`--prefix "${prefix}" may hold up to 24 letters, digits, "-" or "_", starting with a letter or digit`);
  parseCode(randomCode(prefix, length));
  if (rule.count > 31 ** length / 1000) throw new CouponFieldError(`--count ${rule.count} is too many for ${length} random characters`);
  return { count: rule.count, prefix, length, discount: parseDiscount(rule.discount), expiresAt: parseExpiry(rule.expires ?? '', now) };
}

export async function generateCoupons(
  shopId: string,
  rule: GenerateRule,
  /** `random`: the byte source (crypto.randomBytes; tests pass a repeating one to force collisions). */
  o: { now?: Date; random?: (n: number) => Uint8Array } = {},
): Promise<GenerateResult> {
  const now = o.now ?? new Date();
  const r = checkRule(rule, now);
  const shop = await ShopModel.findOne({ shopId }, { shopId: 1 }).lean();
  if (!shop) throw new CouponInputError(`no shop "${shopId}"`);
  const batch = `generated:${randomUUID()}`;
  const base = {
    shopId,
    ...r.discount,
    expiresAt: r.expiresAt,
    source: 'generated' as const,
    batch,
    boundTo: null,
  };
  let created = 0;
  for (let rounds = 0; created < r.count; rounds++) {
    if (rounds > 20) throw new Error(`could not draw ${r.count} unique codes (${created} created); use a longer --length`);
    const want = Math.min(r.count - created, 1000);
    const docs = Array.from({ length: want }, () => ({ ...base, code: randomCode(r.prefix, r.length, o.random) }));
    try {
      await CouponModel.insertMany(docs, { ordered: false });
    } catch (e) {
      // A drawn code that already exists is refused by the (shop, code) index; the others are in.
      if (!isDuplicateKey(e)) throw e;
    }
    created = await CouponModel.countDocuments({ shopId, batch });
  }
  await ShopModel.updateOne(
    { shopId },
    {
      $set: { couponRule: { prefix: r.prefix, length: r.length, discount: r.discount.discount, expiresAt: r.expiresAt, generatedAt: now } },
    },
  );
  const sample = (await CouponModel.find({ shopId, batch }, { code: 1 }).limit(3).lean()).map((c) => c.code);
  return { shopId, created, batch, sample };
}
