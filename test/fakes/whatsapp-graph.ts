/**
 * A stand-in for Meta's Graph API, speaking the shapes of the Cloud API Messages endpoint
 * (`POST /{version}/{phone-number-id}/messages`, answers as in test/fixtures/whatsapp-cloud/send-response.json,
 * errors as in graph-errors.json). Plain node:http; it records what it receives and can be told to
 * fail the next calls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphCall {
  version: string;
  phoneNumberId: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeGraph {
  url: string;
  calls: GraphCall[];
  /** Successful sends only. */
  sent: GraphCall[];
  /** Texts the buyer `to` has received (text body or interactive body). */
  textsTo(to: string): string[];
  /** The next calls answer with these (status, JSON body, headers), in order. */
  failNext(...answers: { status: number; body: unknown; headers?: Record<string, string> }[]): void;
  close(): Promise<void>;
}

export async function startFakeGraph(accessToken: string): Promise<FakeGraph> {
  const calls: GraphCall[] = [];
  const sent: GraphCall[] = [];
  const failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const m = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m)
        return reply(404, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { error: { message: '(#100) Invalid JSON', type: 'OAuthException', code: 100 } });
      }
      const call: GraphCall = { version: m[1]!, phoneNumberId: decodeURIComponent(m[2]!), authorization: req.headers.authorization, body };
      calls.push(call);
      const queued = failures.shift();
      if (queued) return reply(queued.status, queued.body, queued.headers);
      if (req.headers.authorization !== `Bearer ${accessToken}`)
        return reply(401, {
          error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 },
        });
      if (body.messaging_product !== 'whatsapp' || typeof body.to !== 'string' || !['text', 'interactive'].includes(String(body.type)))
        return reply(400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 } });
      sent.push(call);
      n++;
      reply(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.FAKE${n}` }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    sent,
    textsTo(to) {
      return sent
        .filter((c) => c.body.to === to)
        .map((c) => {
          const b = c.body as { text?: { body?: string }; interactive?: { body?: { text?: string } } };
          return b.text?.body ?? b.interactive?.body?.text ?? '';
        });
    },
    failNext(...answers) {
      failures.push(...answers);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
