/**
 * `npm run bench:reply-feed`: what the web chat reply streams (bots/webchat/stream.ts) cost MongoDB
 * and how fast a reply reaches its stream, with `streams` idle streams open on one process.
 *   - queries/s on the messages collection while every stream is idle (counted with mongoose's
 *     debug hook on the real connection);
 *   - latency from a reply's insert to its SSE event: written by "another process" (a plain insert,
 *     found by the poll) and by this process (insert + the send's wake-up, `bus.emit`).
 * Runs on its own bundled MongoDB-wire server (in-memory), the streams served by a bare express app
 * with the real ReplyStreams (no sessions, no Temporal). Prints one JSON line.
 * `npm run bench:reply-feed -- 100 1000 30` = streams, SORA_WEBCHAT_POLL_MS, inserts per kind.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import mongoose from 'mongoose';
import { ReplyStreams } from '../bots/webchat/stream.js';
import { HttpError } from '../bots/http-errors.js';
import { ensureIndexes } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { installStack } from '../scripts/stack/install.js';
import { startMongoJavaServer } from '../scripts/stack/mongo-server.js';
import { freePort } from '../scripts/stack/process.js';
import { openSse, type SseStream } from '../test/setup/sse.js';

const [streamsArg, pollArg, insertsArg] = process.argv.slice(2);
const STREAMS = Number(streamsArg ?? 100);
const POLL_MS = Number(pollArg ?? 1000);
const INSERTS = Number(insertsArg ?? 30);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!);
};

async function main(): Promise<void> {
  installStack({ temporal: false, mongoJavaServer: true, models: false });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-bench-reply-feed-'));
  const server = await startMongoJavaServer(await freePort(), '-', dir, 'bench');
  await mongoose.connect(server.uri);
  await ensureIndexes();
  let finds = 0;
  mongoose.set('debug', (collection: string, method: string) => {
    if (collection === 'messages' && method.startsWith('find')) finds++;
  });

  const streams = new ReplyStreams({ pollMs: POLL_MS, keepAliveMs: 15_000, perBuyer: 5, perProcess: 10_000 });
  const app = express();
  app.get('/events/:wf', async (req, res) => streams.serve(req, res, String(req.params.wf)));
  app.use((e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(e instanceof HttpError ? e.status : 500).json({ error: String(e) });
  });
  const http = app.listen(0);
  await new Promise((r) => http.once('listening', r));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  // A history, so the messages collection is not empty (other conversations, other channels).
  await MessageModel.insertMany(
    Array.from({ length: 2000 }, (_, i) => ({
      direction: i % 2 ? 'out' : 'in',
      channel: i % 3 ? 'webchat' : 'telegram',
      externalId: `history-${i}`,
      shopId: 'demo',
      buyerId: `old-${i % 200}`,
      workflowId: `conv:demo:webchat:old-${i % 200}`,
      text: `history ${i}`,
      author: i % 2 ? 'bot' : 'buyer',
      status: 'sent',
    })),
  );

  const wf = (i: number) => `conv:demo:webchat:bench-${i}`;
  const sse: SseStream[] = [];
  for (let i = 0; i < STREAMS; i++) sse.push(openSse(`${base}/events/${encodeURIComponent(wf(i))}`));
  await Promise.all(sse.map((s) => s.opened));
  // Past the feed's look-back window (3 s), which still holds the history inserted above.
  await sleep(Math.max(4000, 2 * POLL_MS));

  // 1. Idle streams: queries per second on the messages collection.
  finds = 0;
  const idleMs = Math.max(5000, 5 * POLL_MS);
  const t0 = performance.now();
  await sleep(idleMs);
  const idleQueriesPerSec = +((finds * 1000) / (performance.now() - t0)).toFixed(1);

  // 2. Latency from insert to delivery.
  let seq = 0;
  const measure = async (wake: boolean): Promise<number[]> => {
    const out: number[] = [];
    for (let n = 0; n < INSERTS; n++) {
      const i = Math.floor(Math.random() * STREAMS);
      const before = sse[i]!.events.length;
      const t = performance.now();
      await MessageModel.create({
        direction: 'out',
        channel: 'webchat',
        externalId: `bench-${++seq}`,
        shopId: 'demo',
        buyerId: `bench-${i}`,
        workflowId: wf(i),
        text: `reply ${seq}`,
        author: 'bot',
        status: 'sent',
      });
      if (wake) streams.bus.emit(wf(i));
      while (sse[i]!.events.length === before) {
        if (performance.now() - t > 10 * POLL_MS + 5000) throw new Error(`reply ${seq} not delivered`);
        await sleep(1);
      }
      out.push(performance.now() - t);
      await sleep(Math.random() * POLL_MS); // arrive at a random point of the poll cycle
    }
    return out;
  };
  const other = await measure(false);
  const local = await measure(true);

  for (const s of sse) s.close();
  streams.closeAll();
  http.close();
  mongoose.set('debug', false);
  await mongoose.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      streams: STREAMS,
      pollMs: POLL_MS,
      idleQueriesPerSec,
      otherProcessMs: { p50: pct(other, 50), p95: pct(other, 95), max: pct(other, 100) },
      thisProcessMs: { p50: pct(local, 50), p95: pct(local, 95), max: pct(local, 100) },
      load: os.loadavg().map((x) => +x.toFixed(2)),
    }),
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
