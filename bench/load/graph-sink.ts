/**
 * The bench's stand-in for Meta's Graph API: the stack under load sends its WhatsApp Cloud replies
 * here (SORA_WHATSAPP_CLOUD_GRAPH_URL), and a waiting buyer is woken by the first text or
 * interactive message to its wa_id. Anything else (read receipts, typing) is answered and ignored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphSink {
  url: string;
  port: number;
  /** Resolves with the time the next reply to `waId` arrives (performance.now()), or rejects after timeoutMs. */
  nextReply(waId: string, timeoutMs: number): Promise<number>;
  /** Drop what is queued for `waId` (replies that came before the buyer's next message). */
  drain(waId: string): void;
  close(): Promise<void>;
}

export async function startGraphSink(port = 0): Promise<GraphSink> {
  const arrived = new Map<string, number[]>();
  const waiters = new Map<string, (t: number) => void>();
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      let body: { to?: unknown; type?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // not JSON: answered below all the same
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const to = typeof body.to === 'string' ? body.to : '';
      res.end(
        JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.BENCH${++n}` }] }),
      );
      if (!to || !['text', 'interactive'].includes(String(body.type))) return;
      const wake = waiters.get(to);
      if (wake) {
        waiters.delete(to);
        wake(at);
      } else arrived.set(to, [...(arrived.get(to) ?? []), at]);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    nextReply(waId, timeoutMs) {
      const queued = arrived.get(waId);
      if (queued?.length) return Promise.resolve(queued.shift()!);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waId);
          reject(new TimeoutError());
        }, timeoutMs);
        waiters.set(waId, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
    drain(waId) {
      arrived.delete(waId);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export class TimeoutError extends Error {
  constructor() {
    super('no reply in time');
    this.name = 'TimeoutError';
  }
}
