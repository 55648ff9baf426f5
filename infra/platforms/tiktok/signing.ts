/**
 * TikTok Shop signatures, both directions.
 *
 * API requests — TikTok Shop Partner Center, "Sign your API request"
 * (https://partner.tiktokshop.com/docv2/page/sign-your-api-request):
 *   1. take every query parameter except `sign` and `access_token`, keys in alphabetical order;
 *   2. concatenate them as `{key}{value}`;
 *   3. put the request path in front;
 *   4. unless the content type is multipart/form-data, append the body — the exact bytes sent;
 *   5. wrap the whole string with the app secret on both sides;
 *   6. HMAC-SHA256 keyed by the app secret, lowercase hex.
 *   The access token travels in the `x-tts-access-token` header (API version 202309 and later) and
 *   is not signed. The documented example (app secret e59af819cc, GET /authorization/202309/shops,
 *   app_key 29a39d, timestamp 1623812664) gives b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8;
 *   test/tiktok.test.ts checks it.
 *
 * Webhooks — "Webhooks overview", section "Webhooks Header and Body"
 * (https://partner.tiktokshop.com/docv2/page/tts-webhooks-overview): the `Authorization` request
 * header holds HMAC-SHA256 over `{app_key}{raw body}` keyed by the app secret, hex. The documented
 * example (app key abcdef, app secret 123) gives 5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignInput {
  appSecret: string;
  /** The request path, e.g. /customer_service/202309/conversations/123/messages */
  path: string;
  /** Query parameters as they are sent (decoded values). */
  query: Record<string, string>;
  /** The exact body sent ('' for none). */
  body?: string;
  contentType?: string;
}

const UNSIGNED = new Set(['sign', 'access_token']);

/** The string HMAC'd for an API request (steps 1–5 above). */
export function stringToSign({ appSecret, path, query, body = '', contentType = 'application/json' }: SignInput): string {
  const params = Object.keys(query)
    .filter((k) => !UNSIGNED.has(k))
    .sort()
    .map((k) => `${k}${query[k]}`)
    .join('');
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const withBody = mediaType === 'multipart/form-data' ? '' : body;
  return `${appSecret}${path}${params}${withBody}${appSecret}`;
}

/** The `sign` query parameter of an API request. */
export function signRequest(input: SignInput): string {
  return createHmac('sha256', input.appSecret).update(stringToSign(input), 'utf8').digest('hex');
}

/** The `Authorization` header TikTok Shop sends with a webhook. */
export function webhookSignature(rawBody: Buffer | string, appKey: string, appSecret: string): string {
  return createHmac('sha256', appSecret)
    .update(Buffer.concat([Buffer.from(appKey, 'utf8'), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8')]))
    .digest('hex');
}

/** Timing-safe check of a webhook's `Authorization` header against the exact bytes received. */
export function checkWebhookSignature(
  rawBody: Buffer | undefined,
  header: string | undefined,
  appKey: string,
  appSecret: string,
): 'ok' | 'missing' | 'invalid' {
  if (!header) return 'missing';
  const hex = header.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex) || !rawBody) return 'invalid';
  const expected = Buffer.from(webhookSignature(rawBody, appKey, appSecret), 'hex');
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'invalid';
}
