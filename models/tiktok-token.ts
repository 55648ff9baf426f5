import { model, Schema, type InferSchemaType } from 'mongoose';
import type { StoredTiktokToken, TiktokTokenStore } from '../infra/platforms/tiktok/token-store.js';

export type { StoredTiktokToken } from '../infra/platforms/tiktok/token-store.js';

/**
 * TikTok Shop access/refresh tokens, one document per authorized seller (`open_id`), with the
 * TikTok shops that authorization covers. Written by the OAuth callback and by token refreshes
 * (infra/platforms/tiktok/partner-api.ts, through `tiktokTokenStore` below); `refreshLeaseUntil` lets one process at a time refresh.
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

/** The Partner API client's token store (infra/platforms/tiktok/token-store.ts), in MongoDB. */
export const tiktokTokenStore: TiktokTokenStore = {
  async saveAuthorized(openId, t) {
    await TiktokTokenModel.updateOne({ openId }, { $set: { ...t, refreshLeaseUntil: null, refreshedAt: new Date() } }, { upsert: true });
  },
  findByShop: (tiktokShopId) => TiktokTokenModel.findOne({ 'shops.id': tiktokShopId }).lean<StoredTiktokToken>().exec(),
  findBySeller: (openId) => TiktokTokenModel.findOne({ openId }).lean<StoredTiktokToken>().exec(),
  lease: (openId, staleAccessToken, { now, until }) =>
    TiktokTokenModel.findOneAndUpdate(
      { openId, accessToken: staleAccessToken, $or: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { $lt: now } }] },
      { $set: { refreshLeaseUntil: until } },
      { returnDocument: 'after' },
    )
      .lean<StoredTiktokToken>()
      .exec(),
  saveRefreshed: (openId, t) =>
    TiktokTokenModel.findOneAndUpdate(
      { openId },
      { $set: { ...t, refreshLeaseUntil: null, refreshedAt: new Date() } },
      { returnDocument: 'after' },
    )
      .lean<StoredTiktokToken>()
      .exec(),
  async releaseLease(openId) {
    await TiktokTokenModel.updateOne({ openId }, { $set: { refreshLeaseUntil: null } });
  },
};
