/**
 * A local stand-in for a carrier API: a real node:http server on loopback that records every request
 * and answers through a handler the test writes (fixtures from test/fixtures/carriers/<carrier>/).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as they are. */
  body?: unknown;
}

export type Handler = (req: RecordedRequest, nth: (pathname: string) => number) => Reply | Promise<Reply>;

export interface CarrierServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests whose path is `pathname`. */
  hits(pathname: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startCarrierServer(handler: Handler): Promise<CarrierServer> {
  const requests: RecordedRequest[] = [];
  const hits = (p: string) => requests.filter((r) => r.path === p);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(rec);
      Promise.resolve(handler(rec, (p) => hits(p).length))
        .then((r) => {
          const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json', ...r.headers });
          res.end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(599);
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const FIXTURES = fileURLToPath(new URL('../fixtures/carriers/', import.meta.url));

/** A JSON fixture of test/fixtures/carriers/<carrier>/<name>.json. */
export function fixture(carrier: string, name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, carrier, `${name}.json`), 'utf8')) as unknown;
}

/** Fast retries for tests (the policy is the same, only the waits are short). */
export const FAST = { retries: 2, backoffBaseMs: 5, maxBackoffMs: 20, timeoutMs: 5_000 } as const;

/** 17TRACK gettrackinfo stand-in: every number is registered and answers the fixture's events. */
export const seventeenTrackEcho: Handler = (r) => {
  const [item] = JSON.parse(r.body) as { number: string }[];
  const body = structuredClone(fixture('17track', 'gettrackinfo')) as { data: { accepted: { number: string }[] } };
  body.data.accepted[0]!.number = item!.number;
  return { status: 200, body };
};
