/**
 * The Shopify app proxy through which the widget learns who the logged-in customer is, without the
 * shop's identity secret ever being in Liquid or the browser:
 *
 *   storefront  GET https://{store}/apps/sora-chat/identity            (same origin: the store's cookies)
 *   Shopify  →  GET https://HOST/webchat/shopify-proxy/identity?shop=…&logged_in_customer_id=…
 *                   &path_prefix=…&timestamp=…&signature=…
 *   sora     →  {customerId, customerHash}  (or {} for a visitor who is not logged in)
 *
 * Shopify signs every proxied request (shopify.dev "Authenticate app proxies"): the query parameters
 * except `signature`, each `key=value` (several values joined by `,`), sorted, concatenated without
 * separator, HMAC-SHA256 with the app's client secret, hex. The store (`shop`) is mapped to our
 * shop through SORA_SHOPIFY_STORES; the hash is HMAC(shop identity secret, customer id) as the
 * session endpoint checks it (identity.ts). docs/channels/widget-and-shopify.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Express, Request } from 'express';
import type { ShopifySettings } from '../../infra/config/index.js';
import type { SecretBox } from '../../infra/secrets/index.js';
import { webchatIdentitySecret } from '../../models/webchat-identity-secret.js';
import { HttpError } from '../http-errors.js';
import { customerHash } from './identity.js';

/** How old a proxied request may be (its `timestamp`), in seconds. */
const MAX_AGE_S = 3600;

/** The app proxy signature of a query (every parameter but `signature`). */
export function appProxySignature(query: Record<string, string | string[]>, appSecret: string): string {
  const message = Object.entries(query)
    .filter(([k]) => k !== 'signature')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .sort()
    .join('');
  return createHmac('sha256', appSecret).update(message, 'utf8').digest('hex');
}

function queryOf(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(req.originalUrl, 'http://x').searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function mountShopifyProxy(
  app: Express,
  shopify: ShopifySettings,
  secrets: () => SecretBox,
  log: (msg: string, f?: Record<string, unknown>) => void,
): void {
  const stores = new Map(shopify.stores.map((s) => [s.domain, s.shopId]));
  app.get('/webchat/shopify-proxy/identity', async (req, res) => {
    const q = queryOf(req);
    const given = typeof q.signature === 'string' ? q.signature : '';
    const expected = appProxySignature(q, shopify.appSecret!);
    if (!/^[0-9a-f]{64}$/.test(given) || !timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex')))
      throw new HttpError(401, 'bad_signature', 'not a Shopify app proxy request: signature is missing or wrong (SORA_SHOPIFY_APP_SECRET)');
    const ts = Number(q.timestamp);
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > MAX_AGE_S)
      throw new HttpError(401, 'stale_request', `the app proxy request's timestamp is missing or more than ${MAX_AGE_S} s away`);
    const shopId = stores.get(String(q.shop ?? ''));
    if (!shopId) throw new HttpError(404, 'unknown_store', `store "${String(q.shop ?? '')}" is not in SORA_SHOPIFY_STORES`);
    res.setHeader('Cache-Control', 'private, no-store');
    const customerId = typeof q.logged_in_customer_id === 'string' ? q.logged_in_customer_id.trim() : '';
    if (!/^\d{1,20}$/.test(customerId)) return void res.json({});
    const secret = await webchatIdentitySecret(shopId, secrets());
    if (!secret) {
      log('shopify app proxy: the shop has no web chat identity secret; the customer chats anonymously', { shopId });
      return void res.json({});
    }
    res.json({ customerId, customerHash: customerHash(secret, customerId) });
  });
}
