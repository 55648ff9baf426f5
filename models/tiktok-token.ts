import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * TikTok Shop access/refresh tokens, one document per authorized seller (`open_id`), with the
 * TikTok shops that authorization covers. Written by the OAuth callback and by token refreshes
 * (bots/tiktok/partner-api.ts); `refreshLeaseUntil` lets one process at a time refresh.
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

/** A token document as read with lean(). */
export interface StoredTiktokToken {
  openId: string;
  sellerName?: string | null;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt?: Date | null;
  shops: { id: string; cipher?: string | null; name?: string | null; region?: string | null }[];
  refreshLeaseUntil?: Date | null;
}
export const TiktokTokenModel = model('TiktokToken', tiktokTokenSchema);
