/**
 * A stand-in for the Shopify Admin GraphQL API (node:http), answering the queries the Shopify order
 * source sends (activities/commerce/orders/shopify-source.ts) with the documented response shapes
 * (test/fixtures/shopify/README.md):
 *
 *   POST /admin/api/{version}/graphql.json     X-Shopify-Access-Token; JSON {query, variables}
 *     orders(first, query: "name:\"#1001\"" | "customer_id:N created_at:>=…" | "email:\"a@b\" created_at:>=…")
 *     customers(first: 1, query: "phone:\"+34…\"")
 *
 * The token picks the store (`stores[token]`); a wrong token gets Shopify's 401 body. The search
 * string is interpreted for the filters above only (name, customer_id, email, phone, created_at:>=).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ShopifyOrder } from '../../activities/commerce/orders/shopify-map.js';

export interface ShopifyCustomer {
  id: string;
  email?: string | null;
  phone?: string | null;
}

export interface FakeShopifyStore {
  orders: ShopifyOrder[];
  customers: ShopifyCustomer[];
}

export interface ShopifyRequest {
  path: string;
  token: string | null;
  query: string;
  variables: Record<string, unknown>;
  status: number;
}

export interface FakeShopify {
  url: string;
  /** Access token → the store's data. */
  stores: Record<string, FakeShopifyStore>;
  requests: ShopifyRequest[];
  /** The next request fails with this answer. */
  failNext(reply: { status: number; body: unknown }): void;
  close(): Promise<void>;
}

/** `key:value` / `key:"value"` / `key:>=value` terms of a Shopify search string. */
export function searchTerms(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of q.matchAll(/(\w+):(>=|<=|>|<)?("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const v = m[3]!.startsWith('"') ? (JSON.parse(m[3]!) as string) : m[3]!;
    out[m[1]!] = (m[2] ?? '') + v;
  }
  return out;
}

const tail = (gid: string | undefined | null) => gid?.split('/').pop() ?? '';

function matchOrders(store: FakeShopifyStore, q: string): ShopifyOrder[] {
  const t = searchTerms(q);
  return store.orders
    .filter((o) => t.name === undefined || o.name === t.name || o.name === `#${t.name}`)
    .filter((o) => t.customer_id === undefined || tail(o.customer?.id) === t.customer_id)
    .filter((o) => t.email === undefined || [o.email, o.customer?.email].some((e) => e?.toLowerCase() === t.email!.toLowerCase()))
    .filter((o) => !t.created_at?.startsWith('>=') || (o.createdAt ?? '') >= t.created_at.slice(2))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

export async function startFakeShopify(version = '2025-01'): Promise<FakeShopify> {
  const stores: Record<string, FakeShopifyStore> = {};
  const requests: ShopifyRequest[] = [];
  let failure: { status: number; body: unknown } | null = null;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const token = (req.headers['x-shopify-access-token'] as string | undefined) ?? null;
      let body: { query?: string; variables?: Record<string, unknown> };
      try {
        body = JSON.parse(raw || '{}');
      } catch {
        body = {};
      }
      const rec: ShopifyRequest = { path: req.url ?? '', token, query: body.query ?? '', variables: body.variables ?? {}, status: 200 };
      requests.push(rec);
      const reply = (status: number, b: unknown) => {
        rec.status = status;
        send(status, b);
      };
      if (req.method !== 'POST' || req.url !== `/admin/api/${version}/graphql.json`) return reply(404, { errors: 'Not Found' });
      const store = token ? stores[token] : undefined;
      if (!store) return reply(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      if (failure) {
        const f = failure;
        failure = null;
        return reply(f.status, f.body);
      }
      const q = String(body.variables?.query ?? '');
      const first = Number(body.variables?.first ?? 1);
      const cost = {
        requestedQueryCost: 10,
        actualQueryCost: 5,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1995, restoreRate: 100 },
      };
      if (/\bcustomers\s*\(/.test(body.query ?? '')) {
        const phone = searchTerms(q).phone;
        const nodes = store.customers.filter((c) => phone !== undefined && c.phone === phone).slice(0, 1);
        return reply(200, { data: { customers: { nodes } }, extensions: { cost } });
      }
      if (/\borders\s*\(/.test(body.query ?? '')) {
        return reply(200, { data: { orders: { nodes: matchOrders(store, q).slice(0, first) } }, extensions: { cost } });
      }
      return reply(200, {
        errors: [{ message: 'the stand-in answers orders and customers queries only', extensions: { code: 'UNSUPPORTED' } }],
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stores,
    requests,
    failNext: (r) => void (failure = r),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
