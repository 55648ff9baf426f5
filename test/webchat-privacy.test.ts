/**
 * Web chat trust (issue 14): a buyer's conversation is reachable only with the buyer's own
 * server-issued session; a store vouches for its customers with an HMAC of their id; posts,
 * session creation and reply streams are limited; MongoDB down is a retryable 503.
 * Real gateway, worker, Temporal dev server and MongoDB-wire server.
 */
import { readFile } from 'node:fs/promises';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { conversationWorkflowId } from '../bots/channel.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { customerHash, verifyCustomerHash } from '../bots/webchat/identity.js';
import { connectMongo, disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { ShopModel } from '../models/shop.js';
import { WebchatSessionModel, hashSessionToken } from '../models/webchat-session.js';
import { startApp, type App } from '../scripts/app.js';
import { runShopsCommand } from '../scripts/cli/shops.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, sleep, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { openSse } from './setup/sse.js';

let app: App;
let tight: App;
let mongoUri: string;

beforeAll(async () => {
  mongoUri = await useFreshDatabase('sora_webchat_privacy');
  await seedDemoShop();
  await ShopModel.create({ shopId: 'other', name: 'Other Store' });
  app = await startApp({
    mongoUri,
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    adapters: [new WebchatAdapter({ pollMs: 200, postsPerMinPerSession: 3, streamsPerBuyer: 2 })],
  });
  // A second gateway with tight per-address and per-process limits (no worker: nothing to answer).
  tight = await startApp({
    mongoUri,
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    adapters: [new WebchatAdapter({ pollMs: 200, sessionsPerMinPerAddress: 2, streamsPerProcess: 1 })],
  });
});

afterAll(async () => {
  await tight?.stop();
  await app?.stop();
  await disconnectMongo();
});

const url = () => app.gateway.url;
const events = (u: string, auth: Record<string, string> = {}, query = '') => fetch(`${u}/webchat/demo/events${query}`, { headers: auth });

describe('web chat sessions', () => {
  it('refuses posts and streams without a valid session token (401)', async () => {
    const noToken = await fetch(`${url()}/webchat/demo/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ buyerId: 'victim', messageId: 'm1', text: 'hi' }),
    });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await noToken.json()) as { message: string }).message).toMatch(/POST \/webchat\/demo\/sessions/);
    // The old way to read anyone's history: a buyerId in the query.
    const oldRead = await events(url(), {}, '?buyerId=victim&after=000000000000000000000000');
    expect(oldRead.status).toBe(401);
    const forged = { authorization: 'Bearer forged-token-0123456789abcdef' };
    expect((await webchatPost(url(), { auth: forged }, { messageId: 'm1', text: 'hi' })).status).toBe(401);
    expect((await events(url(), forged)).status).toBe(401);
    // A session belongs to its shop.
    const s = await webchatSession(url(), 'other');
    expect((await webchatPost(url(), s, { messageId: 'm1', text: 'hi' })).status).toBe(401);
    // An expired session is refused at once.
    const old = await webchatSession(url());
    await WebchatSessionModel.updateOne({ tokenHash: hashSessionToken(old.token) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await webchatPost(url(), old, { messageId: 'm1', text: 'hi' });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: string }).error).toBe('invalid_session');
    expect(await MessageModel.countDocuments({ direction: 'in' })).toBe(0);
  });

  it('issues an anonymous session with a server-made buyer id and stores only the token hash', async () => {
    const res = await fetch(`${url()}/webchat/demo/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ buyerId: 'victim' }), // not a session field: the server picks the buyer
    });
    expect(res.status).toBe(201);
    const s = (await res.json()) as { token: string; buyerId: string; kind: string; expiresAt: string };
    expect(s.kind).toBe('anonymous');
    expect(s.buyerId).toMatch(/^anon-[\w-]{22}$/);
    expect(Buffer.from(s.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(new Date(s.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const row = await WebchatSessionModel.findOne({ buyerId: s.buyerId }).lean();
    expect(row).toMatchObject({ shopId: 'demo', kind: 'anonymous', tokenHash: hashSessionToken(s.token) });
    expect(JSON.stringify(row)).not.toContain(s.token);
    expect((await fetch(`${url()}/webchat/nope/sessions`, { method: 'POST' })).status).toBe(404);
  });

  it("buyer A's token cannot read B's stream nor post as B", async () => {
    const a = await webchatSession(url());
    const b = await webchatSession(url());
    const bStream = openSse(`${url()}/webchat/demo/events`, b.auth);
    await bStream.opened;
    // A asks for B's stream from the beginning: A gets A's own (empty) stream.
    const aStream = openSse(`${url()}/webchat/demo/events?buyerId=${b.buyerId}&after=000000000000000000000000`, a.auth);
    await aStream.opened;
    expect((await webchatPost(url(), b, { messageId: 'b1', text: 'How long does shipping take?' })).status).toBe(202);
    // The file's first reply waits for the worker's KB index (over a minute on a loaded machine).
    await eventually(() => bStream.events.find((e) => e.event === 'message'), 170_000, "B's reply");
    await sleep(600); // A's stream polls every 200 ms
    expect(aStream.events).toEqual([]);
    // A posting with B's id in the body is refused; a body buyerId equal to the session's is accepted.
    const asB = await webchatPost(url(), a, { buyerId: b.buyerId, messageId: 'x1', text: 'I am B' });
    expect(asB.status).toBe(403);
    expect(((await asB.json()) as { error: string }).error).toBe('buyer_mismatch');
    const wfB = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: b.buyerId });
    expect(await MessageModel.countDocuments({ workflowId: wfB, direction: 'in' })).toBe(1);
    expect((await webchatPost(url(), a, { buyerId: a.buyerId, messageId: 'a1', text: 'hello' })).status).toBe(202);
    const recA = await MessageModel.findOne({ channel: 'webchat', externalId: `demo:${a.buyerId}:a1` }).lean();
    expect(recA?.buyerId).toBe(a.buyerId);
    aStream.close();
    bStream.close();
  }, 200_000);

  it('the chat page never takes a buyer id from its URL and sends its token in a header', async () => {
    const html = await (await fetch(`${url()}/chat?shop=demo&buyer=victim`)).text();
    expect(html).not.toMatch(/get\(['"]buyer['"]\)/);
    expect(html).not.toMatch(/buyerId=/);
    expect(html).not.toContain('EventSource(');
    expect(html).toMatch(/authorization: 'Bearer ' \+ session\.token/);
    expect(html).toMatch(/localStorage\.setItem\(key, JSON\.stringify\(session\)\)/);
    // Only anonymous sessions persist: a framing page's verified identity cannot pin the browser.
    expect(html).toMatch(/if \(j\.kind === 'anonymous'\) localStorage\.setItem/);
    expect(html).toMatch(/if \(session && session\.kind !== 'anonymous'\) session = null;/);
    expect(html).toMatch(/retry-after/);
  });
});

describe('store-verified identity (HMAC of the customer id)', () => {
  const defaults = {} as Parameters<typeof runShopsCommand>[1]; // identity-secret does not read them
  const signed = (secret: string, customerId: string) => ({ customerId, customerHash: customerHash(secret, customerId) });
  const create = (body: unknown) =>
    fetch(`${url()}/webchat/demo/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a shop without a secret refuses customerId with a clear 403', async () => {
    const res = await create({ customerId: 'cust-1', customerHash: 'a'.repeat(64) });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('identity_not_enabled');
    expect(body.message).toMatch(/sora shops identity-secret --shop demo/);
  });

  it('verified session: right hash → buyer is the customer; wrong hash → 401; rotation retires the old secret', async () => {
    const first = await runShopsCommand(['identity-secret', '--shop', 'demo'], defaults);
    expect(first.code).toBe(0);
    const secret = /\n {2}([0-9a-f]{64})\n/.exec(first.stdout ?? '')![1]!;
    // Shown once: a second call without --rotate does not print it.
    const again = await runShopsCommand(['identity-secret', '--shop', 'demo'], defaults);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has .* --rotate/);
    expect(again.stderr).not.toContain(secret);
    expect((await runShopsCommand(['identity-secret', '--shop', 'nope'], defaults)).code).toBe(1);
    // Not readable through the shop model's ordinary reads.
    expect(JSON.stringify(await ShopModel.findOne({ shopId: 'demo' }).lean())).not.toContain(secret);

    const ok = await create(signed(secret, 'cust-42'));
    expect(ok.status).toBe(201);
    const s = (await ok.json()) as { token: string; buyerId: string; kind: string };
    expect(s).toMatchObject({ buyerId: 'cust-42', kind: 'verified' });
    const auth = { auth: { authorization: `Bearer ${s.token}` } };
    expect((await webchatPost(url(), auth, { messageId: 'v1', text: 'Where is my order?' })).status).toBe(202);
    expect((await MessageModel.findOne({ externalId: 'demo:cust-42:v1' }).lean())?.buyerId).toBe('cust-42');

    const wrong = await create({ customerId: 'cust-42', customerHash: customerHash(secret, 'cust-43') });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe('bad_customer_hash');
    expect((await create({ customerId: 'cust-42', customerHash: 'zz' })).status).toBe(401);
    expect((await create({ customerId: 'cust-42' })).status).toBe(400);

    const rotated = await runShopsCommand(['identity-secret', '--shop', 'demo', '--rotate'], defaults);
    const secret2 = /\n {2}([0-9a-f]{64})\n/.exec(rotated.stdout ?? '')![1]!;
    expect(secret2).not.toBe(secret);
    expect((await create(signed(secret, 'cust-42'))).status).toBe(401);
    expect((await create(signed(secret2, 'cust-42'))).status).toBe(201);
  });

  it('compares hashes in constant time', async () => {
    const src = await readFile(new URL('../bots/webchat/identity.ts', import.meta.url), 'utf8');
    expect(src).toMatch(/timingSafeEqual\(/);
    expect(src).not.toMatch(/===\s*expected|expected\s*===/);
    expect(verifyCustomerHash('s', 'c', customerHash('s', 'c'))).toBe(true);
    expect(verifyCustomerHash('s', 'c', customerHash('s', 'c').toUpperCase())).toBe(true);
    expect(verifyCustomerHash('s', 'c', customerHash('s', 'c').slice(2))).toBe(false); // wrong length: no throw
  });
});

describe('limits', () => {
  it('posts per buyer: 429 with Retry-After past the limit; another buyer is unaffected', async () => {
    const s = await webchatSession(url());
    for (let i = 1; i <= 3; i++) expect((await webchatPost(url(), s, { messageId: `r${i}`, text: `hi ${i}` })).status).toBeLessThan(300);
    const over = await webchatPost(url(), s, { messageId: 'r4', text: 'hi 4' });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await over.json()) as { error: string; message: string };
    expect(body.error).toBe('rate_limited');
    expect(body.message).toMatch(/at most 3 messages per buyer/);
    expect(await MessageModel.countDocuments({ externalId: `demo:${s.buyerId}:r4` })).toBe(0);
    const other = await webchatSession(url());
    expect((await webchatPost(url(), other, { messageId: 'o1', text: 'hello' })).status).toBeLessThan(300);
  });

  it('new sessions per client address: 429 with Retry-After past the limit', async () => {
    await webchatSession(tight.gateway.url);
    await webchatSession(tight.gateway.url);
    const over = await fetch(`${tight.gateway.url}/webchat/demo/sessions`, { method: 'POST' });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('open reply streams per buyer (429) and per process (503), each with Retry-After', async () => {
    const s = await webchatSession(url());
    const one = openSse(`${url()}/webchat/demo/events`, s.auth);
    const two = openSse(`${url()}/webchat/demo/events`, s.auth);
    await Promise.all([one.opened, two.opened]);
    const third = await events(url(), s.auth);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
    expect(((await third.json()) as { message: string }).message).toMatch(/already has 2 open reply streams/);
    one.close();
    // The closed stream's place is given back.
    await eventually(async () => {
      const again = openSse(`${url()}/webchat/demo/events`, s.auth);
      try {
        await again.opened;
        return true;
      } catch {
        return false;
      } finally {
        again.close();
      }
    });
    two.close();

    // The tight gateway serves one stream in all.
    const sx = await webchatSession(url());
    const x = openSse(`${tight.gateway.url}/webchat/demo/events`, sx.auth);
    await x.opened;
    const y = await events(tight.gateway.url, s.auth);
    expect(y.status).toBe(503);
    expect(y.headers.get('retry-after')).toBe('30');
    expect(((await y.json()) as { error: string }).error).toBe('too_many_streams');
    x.close();
  });
});

describe('MongoDB down', () => {
  it('web chat posts and session creation answer 503 + Retry-After (not 500)', async () => {
    const s = await webchatSession(url());
    mongoose.set('bufferTimeoutMS', 1000);
    await mongoose.disconnect();
    try {
      const [post, session] = await Promise.all([
        webchatPost(url(), s, { messageId: 'down1', text: 'hello?' }),
        fetch(`${url()}/webchat/demo/sessions`, { method: 'POST' }),
      ]);
      for (const res of [post, session]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(((await res.json()) as { error: string }).error).toBe('database_unavailable');
      }
    } finally {
      mongoose.set('bufferTimeoutMS', 10_000);
      await connectMongo(mongoUri);
    }
    // Back up: the same message id goes through.
    expect((await webchatPost(url(), s, { messageId: 'down1', text: 'hello?' })).status).toBe(202);
  });
});
