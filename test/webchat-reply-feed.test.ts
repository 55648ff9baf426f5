/**
 * The web chat reply streams share one reply feed per process (bots/webchat/reply-feed.ts): with
 * many streams open the messages collection sees O(1) queries per poll, not one per stream; a reply
 * written by another process (a direct insert, no wake-up) arrives within the poll interval, once,
 * even when its ObjectId is older than the feed's cursor (a writer with a lagging clock); a stream
 * resumed on another gateway with Last-Event-ID repeats nothing and misses nothing; buyers see only
 * their own replies. MongoDB operations are counted with mongoose's debug hook on the real
 * connection. Real gateways (no worker: the tests write the replies), Temporal dev server and
 * MongoDB-wire server.
 */
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { conversationWorkflowId } from '../bots/channel.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { ShopModel } from '../models/shop.js';
import { startApp, type App } from '../scripts/app.js';
import { eventually, sleep, useFreshDatabase, webchatSession, type WebchatTestSession } from './setup/helpers.js';
import { openSse, type SseStream } from './setup/sse.js';

const POLL_MS = 200;
let mongoUri: string;
let app: App;
const opened: SseStream[] = [];

/** Queries on the messages collection, counted on the real connection (mongoose's debug hook). */
const finds = { count: 0 };
function countMessageQueries(): void {
  mongoose.set('debug', (collection: string, method: string) => {
    if (collection === 'messages' && /^(find|findOne|aggregate|countDocuments)$/.test(method)) finds.count++;
  });
}

const startGateway = () =>
  startApp({
    mongoUri,
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    adapters: [new WebchatAdapter({ pollMs: POLL_MS, streamsPerProcess: 500, sessionsPerMinPerAddress: 10_000 })],
  });

beforeAll(async () => {
  mongoUri = await useFreshDatabase('sora_webchat_reply_feed');
  await ShopModel.create({ shopId: 'demo', name: 'Demo Store' });
  app = await startGateway();
  countMessageQueries();
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

afterAll(async () => {
  mongoose.set('debug', false);
  await app?.stop();
  await disconnectMongo();
});

let seq = 0;
/** A reply written the way another process's send activity writes it: straight into MongoDB, no wake-up. */
async function insertReply(s: WebchatTestSession, text: string, _id?: mongoose.Types.ObjectId) {
  const workflowId = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: s.buyerId });
  const row = await MessageModel.create({
    ...(_id ? { _id } : {}),
    direction: 'out',
    channel: 'webchat',
    externalId: `${workflowId}:other-process:${++seq}`,
    shopId: 'demo',
    buyerId: s.buyerId,
    workflowId,
    text,
    author: 'bot',
    status: 'sent',
  });
  return { id: String(row._id), at: Date.now() };
}

function stream(s: WebchatTestSession, headers: Record<string, string> = {}, base = app.gateway.url): SseStream {
  const sse = openSse(`${base}/webchat/demo/events`, { ...s.auth, ...headers });
  opened.push(sse);
  return sse;
}
const texts = (sse: SseStream) => sse.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).text as string);

/** Opens `n` buyers' streams and waits until each has joined (its catch-up query is done). */
async function openIdleStreams(n: number): Promise<SseStream[]> {
  const sessions = await Promise.all(Array.from({ length: n }, () => webchatSession(app.gateway.url)));
  const streams = sessions.map((s) => stream(s));
  await Promise.all(streams.map((s) => s.opened));
  await sleep(2 * POLL_MS);
  return streams;
}

describe('one reply feed per process', () => {
  it('50 open streams cost O(1) queries per poll, and none once they are closed', async () => {
    const streams = await openIdleStreams(50);
    finds.count = 0;
    const windowMs = 10 * POLL_MS;
    await sleep(windowMs);
    const perPoll = finds.count / (windowMs / POLL_MS);
    // One query per tick for all streams (a slow tick can skip one); one poll per stream made 50.
    expect(perPoll, `${finds.count} queries on messages in ${windowMs} ms with 50 streams`).toBeLessThanOrEqual(2);
    for (const s of streams) s.close();
    await sleep(2 * POLL_MS);
    finds.count = 0;
    await sleep(5 * POLL_MS);
    expect(finds.count, 'queries on messages with no stream open').toBe(0);
  });

  it("delivers another process's insert within the poll interval, once", async () => {
    const s = await webchatSession(app.gateway.url);
    const sse = stream(s);
    await sse.opened;
    await sleep(POLL_MS);
    const sent = await insertReply(s, 'from another process');
    await eventually(() => texts(sse).length === 1, 5000, 'the reply on the stream');
    const took = Date.now() - sent.at;
    expect(took).toBeLessThan(POLL_MS + 600);
    await sleep(5 * POLL_MS); // several polls re-read the look-back window
    expect(sse.events.map((e) => e.id)).toEqual([sent.id]);
  });

  it('delivers once an insert whose _id is older than the cursor (a writer with a lagging clock)', async () => {
    const s = await webchatSession(app.gateway.url);
    const sse = stream(s);
    await sse.opened;
    await sleep(POLL_MS);
    const first = await insertReply(s, 'first');
    await eventually(() => texts(sse).length === 1, 5000, 'the first reply');
    // The feed's cursor has passed `first`; this one is stamped two seconds earlier.
    const lagging = await insertReply(s, 'late clock', mongoose.Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 2));
    expect(lagging.id < first.id).toBe(true);
    await eventually(() => texts(sse).length === 2, 5000, 'the lagging reply');
    await sleep(5 * POLL_MS);
    expect(texts(sse)).toEqual(['first', 'late clock']);
  });

  it('a stream never sees another buyer’s replies', async () => {
    const [a, b] = await Promise.all([webchatSession(app.gateway.url), webchatSession(app.gateway.url)]);
    const aStream = stream(a);
    const bStream = stream(b);
    await Promise.all([aStream.opened, bStream.opened]);
    await sleep(POLL_MS);
    await insertReply(b, 'for B 1');
    await insertReply(b, 'for B 2');
    await insertReply(a, 'for A');
    await eventually(() => texts(bStream).length === 2 && texts(aStream).length === 1, 5000, 'both streams');
    await sleep(3 * POLL_MS);
    expect(texts(aStream)).toEqual(['for A']);
    expect(texts(bStream)).toEqual(['for B 1', 'for B 2']);
  });

  it('10 buyers reconnecting mid-conversation get each reply once and in order', async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => webchatSession(app.gateway.url)));
    const REPLIES = 8;
    const results = await Promise.all(
      sessions.map(async (s, b) => {
        const first = stream(s);
        await first.opened;
        let second: SseStream | undefined;
        for (let n = 1; n <= REPLIES; n++) {
          await insertReply(s, `b${b} r${n}`);
          if (n === 4) {
            // Reconnect after whatever this connection has seen by now (r4 may or may not be there yet),
            // but after at least one reply: without a Last-Event-ID a stream starts after the newest
            // reply, as a page that was never connected would (it has none to resume from).
            await sleep(b * 20);
            await eventually(() => texts(first).length >= 1, 5000, `buyer ${b}'s first reply`);
            first.close();
            const last = first.events.at(-1)?.id;
            second = stream(s, last ? { 'last-event-id': last } : {});
            await second.opened;
          } else await sleep(30);
        }
        await eventually(() => texts(first).length + texts(second!).length >= REPLIES, 5000, `buyer ${b}'s replies`);
        return { b, first, second: second! };
      }),
    );
    await sleep(4 * POLL_MS);
    for (const { b, first, second } of results)
      expect([...texts(first), ...texts(second)]).toEqual(Array.from({ length: REPLIES }, (_, i) => `b${b} r${i + 1}`));
  });

  it('refuses a Last-Event-ID that is not a message id (400)', async () => {
    const s = await webchatSession(app.gateway.url);
    const res = await fetch(`${app.gateway.url}/webchat/demo/events`, { headers: { ...s.auth, 'last-event-id': 'not-an-id' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/Last-Event-ID/);
  });

  it('each reply once and in order across a gateway restart (resume with Last-Event-ID)', async () => {
    const s = await webchatSession(app.gateway.url);
    const before = stream(s);
    await before.opened;
    await sleep(POLL_MS);
    await insertReply(s, 'r1');
    await insertReply(s, 'r2');
    await eventually(() => texts(before).length === 2, 5000, 'r1 and r2');
    const lastId = before.events.at(-1)!.id!;
    // The gateway goes away (its streams end); a reply is written while the buyer is disconnected.
    await app.stop();
    before.close();
    await insertReply(s, 'r3');
    app = await startGateway();
    const after = stream(s, { 'last-event-id': lastId });
    await after.opened;
    await insertReply(s, 'r4');
    await eventually(() => texts(after).length === 2, 5000, 'r3 and r4 after the restart');
    // The next reply comes from a writer whose clock lags: its id is below r4's.
    await insertReply(s, 'r5', mongoose.Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 1));
    await eventually(() => texts(after).length === 3, 5000, 'r3, r4 and r5 after the restart');
    await sleep(5 * POLL_MS); // r1 and r2 are inside the new feed's look-back window: not repeated
    expect([...texts(before), ...texts(after)]).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    const ids = [...before.events, ...after.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(5);
  });
});
