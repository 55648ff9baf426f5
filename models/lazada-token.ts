import { model, Schema, type InferSchemaType } from 'mongoose';
import type { LazadaTokenStore, StoredLazadaToken } from '../infra/platforms/lazada/token-store.js';
import type { SecretBox } from '../infra/secrets/index.js';
import { sealedFields } from './sealed-fields.js';

export type { StoredLazadaToken } from '../infra/platforms/lazada/token-store.js';

/**
 * Lazada Open Platform tokens, one document per authorized seller (`seller_id`, one country).
 * Written by the OAuth callback and by refreshes (infra/platforms/lazada/open-api.ts through
 * `createLazadaTokenStore`); `refreshLeaseUntil` lets one process at a time refresh; `alerts` records
 * the expiry alerts already sent (bots/lazada/token-watch.ts). `accessToken` and `refreshToken`
 * are sealed at rest (LAZADA_SECRETS).
 */
const lazadaTokenSchema = new Schema(
  {
    sellerId: { type: String, required: true },
    country: { type: String, default: null },
    account: { type: String, default: null },
    accessToken: { type: String, required: true },
    accessTokenExpiresAt: { type: Date, required: true },
    refreshToken: { type: String, required: true },
    refreshTokenExpiresAt: { type: Date, default: null },
    refreshLeaseUntil: { type: Date, default: null },
    refreshedAt: { type: Date, default: null },
    alerts: {
      expiringKey: { type: String, default: null },
      expiredKey: { type: String, default: null },
    },
  },
  { timestamps: true },
);
lazadaTokenSchema.index({ sellerId: 1 }, { unique: true });

export type LazadaToken = InferSchemaType<typeof lazadaTokenSchema>;

export const LazadaTokenModel = model('LazadaToken', lazadaTokenSchema);

export const LAZADA_SECRETS = sealedFields('lazadatokens', ['accessToken', 'refreshToken'] as const);

/** The Lazada client's token store in MongoDB, tokens sealed by `box` (written sealed, returned opened). */
export function createLazadaTokenStore(box: SecretBox): LazadaTokenStore {
  const open = (t: StoredLazadaToken | null) => (t ? LAZADA_SECRETS.open(box, t) : null);
  const seal = <T extends { accessToken: string; refreshToken: string }>(t: T) => LAZADA_SECRETS.seal(box, t);
  return {
    async saveAuthorized(sellerId, t) {
      await LazadaTokenModel.updateOne(
        { sellerId },
        { $set: { ...seal(t), refreshLeaseUntil: null, refreshedAt: new Date() } },
        { upsert: true },
      );
    },
    find: async (sellerId) => open(await LazadaTokenModel.findOne({ sellerId }).lean<StoredLazadaToken>().exec()),
    async lease(sellerId, staleAccessToken, { now, until }) {
      const stored = await LazadaTokenModel.findOne({ sellerId }, { accessToken: 1 }).lean().exec();
      if (!stored || LAZADA_SECRETS.openValue(box, 'accessToken', stored.accessToken) !== staleAccessToken) return null;
      return open(
        await LazadaTokenModel.findOneAndUpdate(
          { sellerId, accessToken: stored.accessToken, $or: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { $lt: now } }] },
          { $set: { refreshLeaseUntil: until } },
          { returnDocument: 'after' },
        )
          .lean<StoredLazadaToken>()
          .exec(),
      );
    },
    saveRefreshed: async (sellerId, t) =>
      open(
        await LazadaTokenModel.findOneAndUpdate(
          { sellerId },
          { $set: { ...seal(t), refreshLeaseUntil: null, refreshedAt: new Date() } },
          { returnDocument: 'after' },
        )
          .lean<StoredLazadaToken>()
          .exec(),
      ),
    async releaseLease(sellerId) {
      await LazadaTokenModel.updateOne({ sellerId }, { $set: { refreshLeaseUntil: null } });
    },
  };
}
