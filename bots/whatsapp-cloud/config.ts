/** Settings of the `whatsapp-cloud` channel, read from the environment and validated at start. */
import { z } from 'zod';
import { optionalEnv, requiredEnv, shopMapEnv } from '../../infra/channel-env.js';
import type { WhatsappCloudOptions } from './adapter.js';

const ID = 'whatsapp-cloud';

const schema = z
  .object({
    SORA_WHATSAPP_CLOUD_APP_SECRET: requiredEnv('SORA_WHATSAPP_CLOUD_APP_SECRET', ID, 'Meta app → App settings → Basic → App secret'),
    SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: requiredEnv(
      'SORA_WHATSAPP_CLOUD_VERIFY_TOKEN',
      ID,
      'any secret string; enter the same in the webhook settings of the Meta app',
    ),
    SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: requiredEnv(
      'SORA_WHATSAPP_CLOUD_ACCESS_TOKEN',
      ID,
      'a System User access token with whatsapp_business_messaging',
    ),
    SORA_WHATSAPP_CLOUD_SHOPS: shopMapEnv('phoneNumberId:shopId'),
    SORA_WHATSAPP_CLOUD_DEFAULT_SHOP: optionalEnv(),
    SORA_WHATSAPP_CLOUD_GRAPH_URL: z
      .string()
      .trim()
      .url('SORA_WHATSAPP_CLOUD_GRAPH_URL must be a URL such as https://graph.facebook.com')
      .default('https://graph.facebook.com'),
    SORA_WHATSAPP_CLOUD_GRAPH_VERSION: z
      .string()
      .trim()
      .regex(/^v\d+\.\d+$/, 'SORA_WHATSAPP_CLOUD_GRAPH_VERSION must look like v21.0')
      .default('v21.0'),
  })
  .superRefine((e, ctx) => {
    if (e.SORA_WHATSAPP_CLOUD_SHOPS.length === 0 && !e.SORA_WHATSAPP_CLOUD_DEFAULT_SHOP)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SORA_WHATSAPP_CLOUD_SHOPS'],
        message:
          'map business numbers to shops with SORA_WHATSAPP_CLOUD_SHOPS=phoneNumberId:shopId,… or set SORA_WHATSAPP_CLOUD_DEFAULT_SHOP',
      });
  });

export type WhatsappCloudConfig = Omit<WhatsappCloudOptions, 'log' | 'webhookPath' | 'requestTimeoutMs'>;

export function whatsappCloudConfig(env: Record<string, string | undefined>): WhatsappCloudConfig {
  const e = schema.parse(env);
  const shops = Object.fromEntries(e.SORA_WHATSAPP_CLOUD_SHOPS.map((x) => [x.platformId, x.shopId]));
  return {
    appSecret: e.SORA_WHATSAPP_CLOUD_APP_SECRET,
    verifyToken: e.SORA_WHATSAPP_CLOUD_VERIFY_TOKEN,
    accessToken: e.SORA_WHATSAPP_CLOUD_ACCESS_TOKEN,
    shops,
    defaultShop: e.SORA_WHATSAPP_CLOUD_DEFAULT_SHOP,
    graphUrl: e.SORA_WHATSAPP_CLOUD_GRAPH_URL,
    graphVersion: e.SORA_WHATSAPP_CLOUD_GRAPH_VERSION,
  };
}
