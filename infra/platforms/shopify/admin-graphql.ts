/**
 * A small client of the Shopify Admin GraphQL API (custom app / app access token):
 *
 *   POST https://{store}.myshopify.com/admin/api/{version}/graphql.json
 *   X-Shopify-Access-Token: shpat_…          JSON {query, variables} → {data, errors?, extensions?}
 *
 * Errors (shopify.dev "GraphQL Admin API: status and error codes"): HTTP 401 (bad or revoked
 * token), 402 (shop frozen), 403 (missing access scope), 404 (unknown shop), 423 (shop locked),
 * 429/5xx; a 200 answer can still carry `errors[]` (e.g. `extensions.code: THROTTLED`, or
 * "Access denied for orders field" when a scope is missing). Every one throws ShopifyApiError,
 * whose message never contains the token.
 */

export class ShopifyApiError extends Error {
  constructor(
    readonly store: string,
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(`Shopify Admin API (${store}) ${code ? code + ' ' : ''}(HTTP ${status}): ${message}`);
    this.name = 'ShopifyApiError';
  }
}

export interface ShopifyStore {
  /** `acme.myshopify.com` */
  domain: string;
  accessToken: string;
}

export interface ShopifyAdminOptions {
  /** Admin API version (default 2025-01). */
  apiVersion?: string;
  /** Base URL instead of `https://{domain}` (a local stand-in in tests). */
  apiUrl?: string;
  timeoutMs?: number;
}

export const DEFAULT_SHOPIFY_API_VERSION = '2025-01';

const HINTS: Record<number, string> = {
  401: 'the access token is wrong or was revoked (SORA_SHOPIFY_ACCESS_TOKENS)',
  402: 'the shop is frozen (unpaid Shopify bill)',
  403: 'the app lacks an access scope (read_orders, read_customers, read_fulfillments…)',
  404: 'no such shop or API version',
  423: 'the shop is locked',
};

export class ShopifyAdminClient {
  private readonly version: string;
  constructor(private readonly o: ShopifyAdminOptions = {}) {
    this.version = o.apiVersion ?? DEFAULT_SHOPIFY_API_VERSION;
  }

  endpoint(store: ShopifyStore): string {
    const base = (this.o.apiUrl ?? `https://${store.domain}`).replace(/\/+$/, '');
    return `${base}/admin/api/${this.version}/graphql.json`;
  }

  async query<T>(store: ShopifyStore, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.endpoint(store), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': store.accessToken },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 8000),
      });
    } catch (e) {
      throw new ShopifyApiError(store.domain, 0, `request failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    let body: { data?: T; errors?: unknown } | null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (!res.ok) {
      const detail = typeof body?.errors === 'string' ? body.errors : (HINTS[res.status] ?? text.slice(0, 200));
      throw new ShopifyApiError(store.domain, res.status, detail);
    }
    if (!body) throw new ShopifyApiError(store.domain, res.status, 'the answer is not JSON');
    if (Array.isArray(body.errors) && body.errors.length) {
      const first = body.errors[0] as { message?: string; extensions?: { code?: string } };
      throw new ShopifyApiError(store.domain, res.status, first.message ?? 'GraphQL error', first.extensions?.code);
    }
    if (!body.data) throw new ShopifyApiError(store.domain, res.status, 'the answer has no data');
    return body.data;
  }
}
