/**
 * Privacy: two shops, two web chat buyers each. No route hands one buyer's conversation (or order)
 * to another buyer, another shop's buyer, or an anonymous caller.
 *
 * Each conversation gets a secret only its buyer may see: a message an agent writes to it through
 * the operator API (recorded and streamed like any reply). Then every way in is tried:
 *   - web chat streams: anonymous, with another buyer's id, with another shop's session;
 *   - web chat posts: as another buyer, into another shop;
 *   - operator routes: without the token, with a wrong one (operator tokens are admin-wide for now:
 *     with the right token everything is visible by design, so that is not tested);
 *   - an order linked to one buyer, asked about by another buyer and by another shop's buyer.
 * The buyer export route (GET /operator/shops/:shopId/buyers/:buyerId/export) is an operator route:
 * covered by the token checks above.
 *
 * Web chat: POST /webchat/:shopId/sessions → {token, buyerId}; posts and streams need
 * `Authorization: Bearer <token>` and serve that buyer only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedEmbedder } from '../../activities/knowledge/embedder.js';
import { conversationWorkflowId } from '../../bots/channel.js';
import { loadConfig } from '../../infra/config/index.js';
import { disconnectMongo } from '../../models/connection.js';
import { MessageModel } from '../../models/message.js';
import { OrderModel } from '../../models/order.js';
import { seedDemoShop } from '../../scripts/demo/demo-shop.js';
import { startApp, type App } from '../../scripts/app.js';
import { eventually, sleep, useFreshDatabase } from '../setup/helpers.js';

const TOKEN = 'privacy-operator-token-0123456789';
const SHOPS = ['demo', 'shop-b'] as const;
const ZERO_ID = '000000000000000000000000'; // `after` this id: the whole conversation, from its first message

interface Session {
  shopId: string;
  token: string;
  buyerId: string;
  secret: string;
}

describe('privacy: no route returns another buyer’s or another shop’s data', () => {
  let app: App;
  let mongoUri: string;
  const config = loadConfig({
    SORA_OPERATOR_TOKEN: TOKEN,
    SORA_LOG_LEVEL: 'WARN',
    SORA_CARRIER_KEY_AUDIT: 'off',
    SORA_EMBED_MODEL: 'Xenova/all-MiniLM-L6-v2',
  });
  const url = (p: string) => `${app.gateway.url}${p}`;
  const wf = (shopId: string, buyerId: string) => conversationWorkflowId({ shopId, channel: 'webchat', buyerId });
  /** An operator API call; a connection reset by the server between keep-alive requests is retried once. */
  const op = async (path: string, init: RequestInit = {}, token: string | null = TOKEN): Promise<Response> => {
    const call = () =>
      fetch(url(`/operator${path}`), {
        ...init,
        headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
      });
    return call().catch((e: unknown) => {
      if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw e;
      return call();
    });
  };

  /** A conversation for this buyer (through the intake, as any channel would) with an agent-written secret in it. */
  async function conversationWithSecret(shopId: string, buyerId: string): Promise<string> {
    await app.intake.accept({
      channel: 'webchat',
      shopId,
      buyerId,
      externalId: `${shopId}:${buyerId}:${randomUUID()}`,
      text: 'How long does shipping take?',
      receivedAt: new Date().toISOString(),
    });
    const secret = `secret-${shopId}-${randomUUID()}`;
    await eventually(
      async () => {
        const r = await op(`/conversations/${encodeURIComponent(wf(shopId, buyerId))}/message`, {
          method: 'POST',
          body: JSON.stringify({ agentId: 'agent-1', text: secret }),
        });
        return r.status === 200;
      },
      60_000,
      `agent message to ${buyerId}`,
    );
    await eventually(
      () => MessageModel.exists({ workflowId: wf(shopId, buyerId), direction: 'out', text: secret }),
      60_000,
      `secret recorded for ${buyerId}`,
    );
    return secret;
  }

  /** Everything a stream hands out within `ms`, or its refusal status. */
  async function streamed(path: string, headers: Record<string, string> = {}, ms = 2500): Promise<{ status: number; text: string }> {
    const ac = new AbortController();
    const res = await fetch(url(path), { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
    if (res.status !== 200 || !res.body) {
      const text = await res.text();
      return { status: res.status, text };
    }
    let text = '';
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const stop = setTimeout(() => ac.abort(), ms);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } catch {
      // aborted: the time is up
    } finally {
      clearTimeout(stop);
    }
    return { status: 200, text };
  }

  /** A web chat session for a new buyer of this shop. */
  async function session(shopId: string): Promise<Omit<Session, 'secret'>> {
    const r = await fetch(url(`/webchat/${shopId}/sessions`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const body = await r.text();
    if (r.status !== 200 && r.status !== 201)
      throw new Error(`POST /webchat/${shopId}/sessions answered ${r.status} (${body.slice(0, 120)}): web chat sessions should answer 201`);
    const s = JSON.parse(body) as { token?: string; buyerId?: string };
    expect(typeof s.token).toBe('string');
    expect(typeof s.buyerId).toBe('string');
    return { shopId, token: s.token!, buyerId: s.buyerId! };
  }

  beforeAll(async () => {
    mongoUri = await useFreshDatabase('sora_faults_privacy');
    for (const shopId of SHOPS) await seedDemoShop(shopId, { embedder: sharedEmbedder(config.embedding) });
    app = await startApp({
      config,
      mongoUri,
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      webchatPollMs: 200,
      relayIntervalMs: 600_000,
      carrierKeyAudit: false,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await disconnectMongo();
  });

  it('an anonymous web chat stream does not replay a buyer’s conversation', async () => {
    const victim = `victim-${randomUUID().slice(0, 8)}`;
    const secret = await conversationWithSecret('demo', victim);
    const s = await streamed(`/webchat/demo/events?buyerId=${victim}&after=${ZERO_ID}`);
    expect(s.text).not.toContain(secret);
    expect(s.status, 'an anonymous stream is refused').toBe(401);
  });

  it('the operator API refuses calls without the token or with a wrong one, on every route', async () => {
    const buyer = `op-${randomUUID().slice(0, 8)}`;
    const secret = await conversationWithSecret('shop-b', buyer);
    const id = encodeURIComponent(wf('shop-b', buyer));
    const calls: [string, string, unknown?][] = [
      ['GET', `/conversations/${id}`],
      ['POST', `/conversations/${id}/accept`, { agentId: 'x' }],
      ['POST', `/conversations/${id}/message`, { agentId: 'x', text: 'hi' }],
      ['POST', `/conversations/${id}/release`, {}],
      ['POST', `/conversations/${id}/close`, {}],
      ['GET', '/shops/shop-b/strategy'],
      ['PUT', '/shops/shop-b/strategy', { silenceNudge: false }],
      ['GET', '/health/carrier-keys?shop=shop-b'],
      ['POST', '/shops/shop-b/kb', 'question_id,question,answer\nq1,a,b\n'],
    ];
    for (const token of [null, '', 'wrong', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()])
      for (const [method, path, body] of calls) {
        const what = `${method} ${path} with token ${JSON.stringify(token)}`;
        const r = await op(
          path,
          typeof body === 'string'
            ? { method, body, headers: { 'content-type': 'text/csv' } }
            : { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
          token,
        ).catch((e: unknown) => {
          throw new Error(`${what}: ${String(e)} (${String((e as Error).cause)})`);
        });
        const text = await r.text();
        expect(r.status, what).toBe(401);
        expect(text).not.toContain(secret);
      }
    // Nothing those calls tried took effect.
    const snap = await op(`/conversations/${id}`);
    expect(snap.status).toBe(200);
    expect(await MessageModel.countDocuments({ workflowId: wf('shop-b', buyer), text: 'hi' })).toBe(0);
  });

  it('with no SORA_OPERATOR_TOKEN configured, the operator API is not open to anyone', async () => {
    const buyer = `open-${randomUUID().slice(0, 8)}`;
    const secret = await conversationWithSecret('demo', buyer);
    let open: App | undefined;
    try {
      open = await startApp({
        config: loadConfig({ SORA_LOG_LEVEL: 'WARN', SORA_CARRIER_KEY_AUDIT: 'off' }),
        mongoUri,
        temporal: { address: inject('temporalAddress'), namespace: 'default' },
        worker: false,
        gatewayPort: 0,
        webchatPollMs: 200,
        relayIntervalMs: 600_000,
        carrierKeyAudit: false,
      });
    } catch {
      return; // refusing to start without an operator token is fine too
    }
    try {
      const r = await fetch(`${open.gateway.url}/operator/conversations/${encodeURIComponent(wf('demo', buyer))}`);
      expect(await r.text()).not.toContain(secret);
      expect(r.status).toBe(401);
    } finally {
      await open.stop();
    }
  });

  describe('web chat sessions', () => {
    const sessions: Session[] = [];
    const of = (shopId: string, i: number) => sessions.filter((s) => s.shopId === shopId)[i]!;

    beforeAll(async () => {
      for (const shopId of SHOPS)
        for (let i = 0; i < 2; i++) {
          const s = await session(shopId);
          sessions.push({ ...s, secret: await conversationWithSecret(shopId, s.buyerId) });
        }
      expect(new Set(sessions.map((s) => s.token)).size).toBe(4);
      expect(new Set(sessions.map((s) => `${s.shopId}:${s.buyerId}`)).size).toBe(4);
    });

    it('a buyer’s stream carries their own conversation and nobody else’s', async () => {
      for (const me of sessions) {
        const auth = { authorization: `Bearer ${me.token}` };
        const own = await streamed(`/webchat/${me.shopId}/events?buyerId=${me.buyerId}&after=${ZERO_ID}`, auth);
        expect(own.status).toBe(200);
        expect(own.text).toContain(me.secret); // the positive control: secrets do reach their owner
        for (const other of sessions.filter((s) => s !== me)) {
          // Asking for another buyer's stream with my token: refused, or my own stream; never theirs.
          const s = await streamed(`/webchat/${other.shopId}/events?buyerId=${other.buyerId}&after=${ZERO_ID}`, auth);
          expect(s.text, `${me.shopId}/${me.buyerId} reading ${other.shopId}/${other.buyerId}`).not.toContain(other.secret);
          if (other.shopId !== me.shopId) expect(s.status, 'another shop’s stream with my session').not.toBe(200);
        }
      }
    });

    it('a buyer cannot post as another buyer or into another shop', async () => {
      const me = of('demo', 0);
      const other = of('demo', 1);
      const stranger = of('shop-b', 0);
      const post = (shopId: string, body: Record<string, unknown>, token = me.token) =>
        fetch(url(`/webchat/${shopId}/messages`), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const text = `impersonation-${randomUUID()}`;
      const r1 = await post('demo', { buyerId: other.buyerId, messageId: 'imp-1', text });
      const r2 = await post('shop-b', { buyerId: stranger.buyerId, messageId: 'imp-2', text });
      const r3 = await post('shop-b', { buyerId: me.buyerId, messageId: 'imp-3', text });
      expect(r2.status, 'my session in another shop').toBeGreaterThanOrEqual(400);
      expect(r3.status, 'my session in another shop').toBeGreaterThanOrEqual(400);
      expect(r1.status === 202 || r1.status >= 400, `as another buyer: ${r1.status}`).toBe(true);
      await sleep(500);
      // Whatever was accepted is recorded as mine, in my shop.
      const recorded = await MessageModel.find({ text }).lean();
      for (const m of recorded) expect({ shopId: m.shopId, buyerId: m.buyerId }).toEqual({ shopId: 'demo', buyerId: me.buyerId });
      // No token, or a made-up one: refused.
      for (const token of ['', 'made-up-token', stranger.token])
        expect((await post('demo', { buyerId: me.buyerId, messageId: `x-${token}`, text }, token)).status).toBeGreaterThanOrEqual(400);
    });

    it('an order is discussed only with a buyer linked to it', async () => {
      const owner = of('demo', 1);
      // New buyers: the earlier ones' conversations are held by an agent, and the bot does not answer there.
      const asker = await session('demo');
      const stranger = await session('shop-b');
      await OrderModel.updateOne(
        { shopId: 'demo', orderNumber: '7731' },
        {
          $set: {
            shopId: 'demo',
            orderNumber: '7731',
            buyerIds: { webchat: owner.buyerId },
            currency: 'USD',
            total: 42,
            totalUsd: 42,
            status: 'refunded',
            country: 'FR',
            source: 'import',
            externalId: '7731',
            placedAt: new Date('2026-11-20T10:00:00Z'),
            items: [{ sku: 'SKU-PRIV', name: 'Private item', price: 42, quantity: 1 }],
            shipments: [],
          },
        },
        { upsert: true },
      );
      const ask = async (s: Omit<Session, 'secret'>) => {
        const before = await MessageModel.countDocuments({ workflowId: wf(s.shopId, s.buyerId), direction: 'out' });
        const r = await fetch(url(`/webchat/${s.shopId}/messages`), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          body: JSON.stringify({ buyerId: s.buyerId, messageId: `order-${randomUUID()}`, text: 'What is the status of my order 7731?' }),
        });
        expect(r.status).toBe(202);
        await eventually(
          async () => (await MessageModel.countDocuments({ workflowId: wf(s.shopId, s.buyerId), direction: 'out' })) > before,
          60_000,
          `a reply to ${s.buyerId}`,
        );
        await sleep(1000);
        const out = await MessageModel.find({ workflowId: wf(s.shopId, s.buyerId), direction: 'out' })
          .sort({ _id: 1 })
          .lean();
        return out.slice(before).map((m) => m.text ?? '');
      };
      for (const s of [asker, stranger]) {
        const replies = (await ask(s)).join('\n');
        expect(replies, `${s.shopId}/${s.buyerId} asking about another buyer's order`).not.toMatch(/was refunded|SKU-PRIV|Private item/);
      }
    });
  });
});
