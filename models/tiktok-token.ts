import { model, Schema, type InferSchemaType } from 'mongoose';
import type { StoredTiktokToken, TiktokTokenStore } from '../infra/platforms/tiktok/token-store.js';
import type { SecretBox } from '../infra/secrets/index.js';
import { sealedFields } from './sealed-fields.js';

export type { StoredTiktokToken } from '../infra/platforms/tiktok/token-store.js';

/**
 * TikTok Shop access/refresh tokens, one document per authorized seller (`open_id`), with the
 * TikTok shops that authorization covers. Written by the OAuth callback and by token refreshes
 * (infra/platforms/tiktok/partner-api.ts, through `createTiktokTokenStore` below); `refreshLeaseUntil` lets one process at a time refresh.
 * `accessToken` and `refreshToken` are sealed at rest (TIKTOK_SECRETS).
 */
const tiktokTokenSchema = new Schema(
  {
    openId: { type: String, required: true },
    sellerName: { type: String, default: null },
    accessToken: { type: String, required: true },
    accessTokenExpiresAt: { type: Date, required: true },
    refreshToken: { type: String, required: true },
    refreshTokenExpiresAt: { type: Date, default: null },
    shops: {
      type: [{ _id: false, id: { type: String, required: true }, cipher: String, name: String, region: String }],
      default: [],
    },
    refreshLeaseUntil: { type: Date, default: null },
    refreshedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
tiktokTokenSchema.index({ openId: 1 }, { unique: true });
tiktokTokenSchema.index({ 'shops.id': 1 });

export type TiktokToken = InferSchemaType<typeof tiktokTokenSchema>;

export const TiktokTokenModel = model('TiktokToken', tiktokTokenSchema);

/** The sealed fields (models/sealed-fields.ts). */
export const TIKTOK_SECRETS = sealedFields('tiktoktokens', ['accessToken', 'refreshToken'] as const);

/**
 * The Partner API client's token store (infra/platforms/tiktok/token-store.ts), in MongoDB, with
 * the tokens sealed by `box` (the entry point's SecretBox, infra/secrets): written sealed, returned
 * opened. The refresh lease compares the access token after opening it, then takes the lease only
 * if the stored (sealed) value is still the one read.
 */
export function createTiktokTokenStore(box: SecretBox): TiktokTokenStore {
  const open = (t: StoredTiktokToken | null) => (t ? TIKTOK_SECRETS.open(box, t) : null);
  const seal = <T extends { accessToken: string; refreshToken: string }>(t: T) => TIKTOK_SECRETS.seal(box, t);
  return {
    async saveAuthorized(openId, t) {
      await TiktokTokenModel.updateOne(
        { openId },
        { $set: { ...seal(t), refreshLeaseUntil: null, refreshedAt: new Date() } },
        { upsert: true },
      );
    },
    findByShop: async (tiktokShopId) => open(await TiktokTokenModel.findOne({ 'shops.id': tiktokShopId }).lean<StoredTiktokToken>().exec()),
    findBySeller: async (openId) => open(await TiktokTokenModel.findOne({ openId }).lean<StoredTiktokToken>().exec()),
    async lease(openId, staleAccessToken, { now, until }) {
      const stored = await TiktokTokenModel.findOne({ openId }, { accessToken: 1 }).lean().exec();
      if (!stored || TIKTOK_SECRETS.openValue(box, 'accessToken', stored.accessToken) !== staleAccessToken) return null;
      return open(
        await TiktokTokenModel.findOneAndUpdate(
          { openId, accessToken: stored.accessToken, $or: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { $lt: now } }] },
          { $set: { refreshLeaseUntil: until } },
          { returnDocument: 'after' },
        )
          .lean<StoredTiktokToken>()
          .exec(),
      );
    },
    saveRefreshed: async (openId, t) =>
      open(
        await TiktokTokenModel.findOneAndUpdate(
          { openId },
          { $set: { ...seal(t), refreshLeaseUntil: null, refreshedAt: new Date() } },
          { returnDocument: 'after' },
        )
          .lean<StoredTiktokToken>()
          .exec(),
      ),
    async releaseLease(openId) {
      await TiktokTokenModel.updateOne({ openId }, { $set: { refreshLeaseUntil: null } });
    },
  };
}
