/**
 * Settings of the TikTok Shop app, read from the environment and validated at start: the `tiktok`
 * channel (bots/channels.ts) and the TikTok order source (activities/commerce/orders) share them.
 */
import { z } from 'zod';
import { optionalEnv, requiredEnv, shopMapEnv } from '../../channel-env.js';
import type { PartnerApiOptions } from './partner-api.js';

const ID = 'tiktok';

const url = (name: string, fallback: string) => z.string().trim().url(`${name} must be a URL such as ${fallback}`).default(fallback);

const schema = z
  .object({
    SORA_TIKTOK_APP_KEY: requiredEnv('SORA_TIKTOK_APP_KEY', ID, 'TikTok Shop Partner Center → App & Service → your app → App key'),
    SORA_TIKTOK_APP_SECRET: requiredEnv('SORA_TIKTOK_APP_SECRET', ID, 'same page → App secret'),
    SORA_TIKTOK_SHOPS: shopMapEnv('tiktokShopId:shopId[:shopCipher]', true),
    SORA_TIKTOK_DEFAULT_SHOP: optionalEnv(),
    SORA_TIKTOK_API_URL: url('SORA_TIKTOK_API_URL', 'https://open-api.tiktokglobalshop.com'),
    SORA_TIKTOK_AUTH_URL: url('SORA_TIKTOK_AUTH_URL', 'https://auth.tiktok-shops.com'),
  })
  .superRefine((e, ctx) => {
    if (e.SORA_TIKTOK_SHOPS.length === 0 && !e.SORA_TIKTOK_DEFAULT_SHOP)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SORA_TIKTOK_SHOPS'],
        message: 'map TikTok shops to shops with SORA_TIKTOK_SHOPS=tiktokShopId:shopId,… or set SORA_TIKTOK_DEFAULT_SHOP',
      });
  });

export interface TiktokConfig extends Pick<PartnerApiOptions, 'appKey' | 'appSecret' | 'apiUrl' | 'authUrl'> {
  /** TikTok shop_id → our shop id. */
  shops: Record<string, string>;
  /** TikTok shop_id → shop_cipher, when it must be set by hand. */
  ciphers?: Record<string, string>;
  /** Shop for a TikTok shop_id not in `shops` (none: such messages are ignored). */
  defaultShop?: string;
}

export function tiktokConfig(env: Record<string, string | undefined>): TiktokConfig {
  const e = schema.parse(env);
  return {
    appKey: e.SORA_TIKTOK_APP_KEY,
    appSecret: e.SORA_TIKTOK_APP_SECRET,
    shops: Object.fromEntries(e.SORA_TIKTOK_SHOPS.map((x) => [x.platformId, x.shopId])),
    ciphers: Object.fromEntries(e.SORA_TIKTOK_SHOPS.filter((x) => x.extra).map((x) => [x.platformId, x.extra!])),
    defaultShop: e.SORA_TIKTOK_DEFAULT_SHOP,
    apiUrl: e.SORA_TIKTOK_API_URL,
    authUrl: e.SORA_TIKTOK_AUTH_URL,
  };
}
