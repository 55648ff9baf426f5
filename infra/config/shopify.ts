/**
 * Shopify stores (independent stores) as an order source: SORA_SHOPIFY_* (one section of the
 * configuration schema). docs/channels/widget-and-shopify.md.
 */
import { bad, describe, field, ok, secret, str, url, type Field } from './fields.js';

export interface ShopifyStoreSettings {
  /** `acme.myshopify.com` */
  domain: string;
  /** Our shop id. */
  shopId: string;
  accessToken: string;
}

export interface ShopifySettings {
  stores: ShopifyStoreSettings[];
  apiVersion: string;
  /** Instead of https://{domain} (a local stand-in). */
  apiUrl?: string;
  /** The Shopify app's client secret: verifies app proxy requests (bots/webchat/shopify-proxy.ts). */
  appSecret?: string;
}

const DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SHOP_ID = /^[\w.-]{1,64}$/;

/** `a=b,c=d` (or `a:b`) → pairs; a bad entry → the message. */
function pairs(raw: string, sep: RegExp, what: (k: string, v: string) => string | null): Array<[string, string]> | string {
  const out: Array<[string, string]> = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = sep.exec(part);
    if (!m) return `"${part.replace(/=.*/, '=…')}" is not an entry of the form shown`;
    const k = part.slice(0, m.index).trim().toLowerCase();
    const v = part.slice(m.index + m[0].length).trim();
    const problem = what(k, v);
    if (problem) return problem;
    out.push([k, v]);
  }
  return out;
}

const storeMap = (): Field<Array<[string, string]> | undefined> =>
  field('`store.myshopify.com:shopId,…`', (raw) => {
    const r = pairs(raw, /:/, (k, v) =>
      !DOMAIN.test(k) ? `"${k}" is not a store domain (name.myshopify.com)` : !SHOP_ID.test(v) ? `"${v}" is not a shop id` : null,
    );
    return typeof r === 'string' ? bad(r) : ok(r);
  });

const tokenMap = (): Field<Array<[string, string]> | undefined> =>
  field('secret (`store.myshopify.com=token,…`)', (raw) => {
    const r = pairs(raw, /=/, (k, v) =>
      !DOMAIN.test(k)
        ? `an entry's store is not a store domain (name.myshopify.com)`
        : !/^[\w-]{8,200}$/.test(v)
          ? `the token of ${k} is malformed`
          : null,
    );
    return typeof r === 'string' ? bad(r) : ok(r);
  });

export const shopifySettings = {
  SORA_SHOPIFY_STORES: describe(
    storeMap(),
    'Shopify stores whose orders the bot reads (Admin GraphQL API), each with our shop id, e.g. `acme.myshopify.com:demo`; docs/channels/widget-and-shopify.md',
  ),
  SORA_SHOPIFY_ACCESS_TOKENS: describe(
    tokenMap(),
    "each store's Admin API access token (custom app, scopes read_orders + read_customers), e.g. `acme.myshopify.com=shpat_…`",
    { secret: true },
  ),
  SORA_SHOPIFY_API_VERSION: describe(str('2025-01'), 'Shopify Admin API version in the endpoint path'),
  SORA_SHOPIFY_API_URL: describe(url(), 'base URL instead of `https://{store}` (a local stand-in for tests)'),
  SORA_SHOPIFY_APP_SECRET: describe(
    secret(),
    "the Shopify app's client secret: verifies its app proxy requests, through which the widget learns the logged-in customer (/webchat/shopify-proxy/identity)",
    { secret: true },
  ),
};

/** The parsed SORA_SHOPIFY_* values → settings (undefined: no store), reporting a store without a token. */
export function shopifyConfig(
  v: {
    SORA_SHOPIFY_STORES?: Array<[string, string]>;
    SORA_SHOPIFY_ACCESS_TOKENS?: Array<[string, string]>;
    SORA_SHOPIFY_API_VERSION: string;
    SORA_SHOPIFY_API_URL?: string;
    SORA_SHOPIFY_APP_SECRET?: string;
  },
  problem: (name: string, message: string) => void,
): ShopifySettings | undefined {
  if (!v.SORA_SHOPIFY_STORES?.length) return undefined;
  const tokens = new Map(v.SORA_SHOPIFY_ACCESS_TOKENS ?? []);
  const stores: ShopifyStoreSettings[] = [];
  for (const [domain, shopId] of v.SORA_SHOPIFY_STORES) {
    const accessToken = tokens.get(domain);
    if (!accessToken) problem('SORA_SHOPIFY_ACCESS_TOKENS', `has no token for ${domain} (SORA_SHOPIFY_STORES names it)`);
    else stores.push({ domain, shopId, accessToken });
  }
  return {
    stores,
    apiVersion: v.SORA_SHOPIFY_API_VERSION,
    ...(v.SORA_SHOPIFY_API_URL ? { apiUrl: v.SORA_SHOPIFY_API_URL } : {}),
    ...(v.SORA_SHOPIFY_APP_SECRET ? { appSecret: v.SORA_SHOPIFY_APP_SECRET } : {}),
  };
}
