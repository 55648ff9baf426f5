/**
 * The desk's conversation API (issue 16): queue views and sorts, one conversation with its Temporal
 * UI link, the transcript (FAQ entry + confidence, language, author), notes, canned responses, the
 * buyer sidebar, notifications and the live feed — each scoped to the caller's shops (another
 * shop's conversation is a 404), each refusing bad input with a 4xx naming the field. The pages:
 * served with a CSP that allows no inline script but the import map's hash.
 */
import { recordParcelStatus } from '../models/parcel-status.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deskRoutes } from '../bots/desk/index.js';
import { errorHandler } from '../bots/http-errors.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { CannedResponseModel } from '../models/canned-response.js';
import { ConversationModel } from '../models/conversation.js';
import { CouponModel } from '../models/coupon.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { NpsAnswerModel } from '../models/nps-answer.js';
import { OrderModel } from '../models/order.js';
import { disconnectMongo } from '../models/connection.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, useFreshDatabase } from './setup/helpers.js';
import { openSse } from './setup/sse.js';

let app: App;
let base: string;
const PASSWORD = 'desk api test password';
const DB = 'sora_desk_api';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

interface Session {
  cookie: string;
  csrf: string;
}
const sessions: Record<string, Session> = {};

async function signIn(login: string): Promise<Session> {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

function call(who: string | null, path: string, init: { method?: string; body?: unknown; csrf?: boolean } = {}) {
  const s = who ? sessions[who]! : null;
  const headers: Record<string, string> = {};
  if (s) headers.cookie = s.cookie;
  if (s && init.method && init.method !== 'GET' && init.csrf !== false) headers['x-csrf-token'] = s.csrf;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const json = async <T = Record<string, unknown>>(r: Response | Promise<Response>) => (await (await r).json()) as T;

const conv = (o: Record<string, unknown>) => {
  const buyerId = String(o.buyerId);
  const shopId = String(o.shopId ?? 'demo');
  return {
    workflowId: `conv:${shopId}:webchat:${buyerId}`,
    runId: 'r1',
    shopId,
    channel: 'webchat',
    status: 'waiting_agent',
    openedAt: minutesAgo(60),
    ...o,
  };
};
const id = (buyerId: string, shopId = 'demo') => encodeURIComponent(`conv:${shopId}:webchat:${buyerId}`);

beforeAll(async () => {
  await useFreshDatabase(DB);
  await seedDemoShop();
  const hash = await hashPassword(PASSWORD);
  await AgentModel.create([
    { _id: 'ana', name: 'Ana Silva', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'], passwordHash: hash },
    { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'], passwordHash: hash },
    { _id: 'root', name: 'Root', email: 'root@demo.test', role: 'admin', shopIds: ['demo'], passwordHash: hash },
  ]);
  await ConversationModel.insertMany([
    conv({ buyerId: 'b-wait-old', waitingSince: minutesAgo(30), orderValueUsd: 40, language: 'es' }),
    conv({ buyerId: 'b-wait-vip', waitingSince: minutesAgo(5), orderValueUsd: 900, priority: 'high', focusOrder: '1002' }),
    conv({ buyerId: 'b-wait-tier', waitingSince: minutesAgo(10), tier: 2, assigneeId: 'ana' }),
    conv({ buyerId: 'b-mine', status: 'agent', agentId: 'ana', waitingSince: null }),
    conv({ buyerId: 'b-follow', status: 'follow_up', followUpSince: minutesAgo(120) }),
    conv({ buyerId: 'b-bot', status: 'bot' }),
    conv({
      buyerId: 'b-wait-vip',
      status: 'closed',
      openedAt: minutesAgo(6000),
      closedAt: minutesAgo(5900),
      intent: 'shipping_time_cost',
      npsScore: 9,
    }),
    conv({ buyerId: 'x-other', shopId: 'other', waitingSince: minutesAgo(50) }),
  ]);
  const faq = await FaqEntryModel.findOne({ shopId: 'demo' }).lean();
  const wf = decodeURIComponent(id('b-wait-vip'));
  const msg = (o: Record<string, unknown>, n: number) => ({
    channel: 'webchat',
    externalId: `e-${n}`,
    shopId: 'demo',
    buyerId: 'b-wait-vip',
    workflowId: wf,
    status: 'sent',
    ...o,
  });
  await MessageModel.insertMany([
    msg({ direction: 'in', author: 'buyer', text: 'How long is shipping?', language: 'en', status: 'received' }, 1),
    msg(
      {
        direction: 'out',
        author: 'bot',
        text: 'About 7 days.',
        language: 'en',
        source: 'faq',
        faqEntryId: faq!.questionId,
        confidence: 0.87,
      },
      2,
    ),
    msg({ direction: 'in', author: 'buyer', text: 'Quiero hablar con un humano', language: 'es', status: 'received' }, 3),
    msg({ direction: 'out', author: 'system', text: 'Te paso con el equipo.', language: 'es', source: 'system' }, 4),
    msg({ direction: 'out', author: 'agent', agentId: 'ana', text: 'Hola, soy Ana.', language: 'es', source: 'agent' }, 5),
    msg({ direction: 'out', author: 'bot', text: 'Your parcel is in transit.', language: 'en', source: 'tracking' }, 6),
  ]);
  await OrderModel.updateOne(
    { shopId: 'demo', orderNumber: '1002' },
    { $set: { shipments: [{ carrier: 'dhl', trackingNumber: 'JD014600004123456789' }] } },
  );
  await CouponModel.create({
    shopId: 'demo',
    code: 'SORRY10',
    discount: '10%',
    discountType: 'percent',
    discountValue: 10,
    source: 'import',
    batch: 'b1',
    boundKey: 'demo|webchat|b-wait-vip',
    boundTo: { channel: 'webchat', buyerId: 'b-wait-vip', workflowId: wf, claimKey: 'k1', at: minutesAgo(3000) },
  });
  await NpsAnswerModel.create({
    workflowId: wf,
    shopId: 'demo',
    channel: 'webchat',
    buyerId: 'b-wait-vip',
    score: 9,
    text: '9',
    closedAt: minutesAgo(5900),
  });
  app = await startApp({
    config: loadConfig({ SORA_LOG_LEVEL: 'silent', SORA_TEMPORAL_UI_URL: 'http://temporal-ui.test:8233/' }),
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, `/${DB}`),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    adapters: [new WebchatAdapter({ pollMs: 200 })],
    relayIntervalMs: 600_000,
    printOperatorToken: () => {},
  });
  base = `${app.gateway.url}/desk/api`;
  for (const who of ['ana', 'bob', 'root']) sessions[who] = await signIn(who);
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

type List = { conversations: Array<{ buyerId: string; shopId: string }> };
const buyersOf = async (who: string, q: string) => (await json<List>(call(who, `/conversations?${q}`))).conversations.map((c) => c.buyerId);

describe('desk conversations API', () => {
  it('every route needs a signed-in agent (401)', async () => {
    for (const p of [
      '/conversations',
      `/conversations/${id('b-mine')}`,
      `/conversations/${id('b-mine')}/messages`,
      `/conversations/${id('b-mine')}/notes`,
      `/conversations/${id('b-mine')}/buyer`,
      '/shops/demo/canned',
      '/notifications',
      '/events',
    ])
      expect((await call(null, p)).status, p).toBe(401);
    expect((await call(null, `/conversations/${id('b-mine')}/accept`, { method: 'POST' })).status).toBe(401);
  });

  it('queue views and sorts, scoped to the agent’s shops', async () => {
    expect(await buyersOf('ana', 'view=waiting')).toEqual(['b-wait-old', 'b-wait-tier', 'b-wait-vip']);
    expect(await buyersOf('ana', 'view=waiting&sort=value')).toEqual(['b-wait-vip', 'b-wait-old', 'b-wait-tier']);
    // Tier first, then priority (the VIP is 'high'), then the wait.
    expect(await buyersOf('ana', 'view=waiting&sort=tier')).toEqual(['b-wait-tier', 'b-wait-vip', 'b-wait-old']);
    expect(await buyersOf('ana', 'view=unassigned')).toEqual(['b-wait-old', 'b-wait-vip']);
    expect((await buyersOf('ana', 'view=mine')).sort()).toEqual(['b-mine', 'b-wait-tier']);
    expect(await buyersOf('ana', 'view=follow_up')).toEqual(['b-follow']);
    expect(await buyersOf('ana', 'view=all')).not.toContain('x-other');
    // Bob (shop "other") sees only his shop; naming another shop is a 404.
    expect(await buyersOf('bob', 'view=all')).toEqual(['x-other']);
    expect((await call('bob', '/conversations?shop=demo')).status).toBe(404);
    const list = await json<{ conversations: Array<{ lastMessage: { text: string } | null; buyerId: string }> }>(
      call('ana', '/conversations?view=waiting'),
    );
    expect(list.conversations.find((c) => c.buyerId === 'b-wait-vip')?.lastMessage?.text).toBe('Your parcel is in transit.');
  });

  it('refuses a bad view or sort with 422 naming it', async () => {
    const v = await call('ana', '/conversations?view=everything');
    expect(v.status).toBe(422);
    expect((await json<{ message: string }>(v)).message).toMatch(/view/);
    const s = await call('ana', '/conversations?sort=random');
    expect(s.status).toBe(422);
    expect((await json<{ message: string }>(s)).message).toMatch(/sort/);
  });

  it('one conversation: the read model, no live snapshot when not running, the Temporal UI link; another shop’s is a 404', async () => {
    const r = await json<{ conversation: { id: string; status: string }; live: unknown; temporalUrl: string }>(
      call('ana', `/conversations/${id('b-wait-vip')}`),
    );
    expect(r.conversation).toMatchObject({ id: 'conv:demo:webchat:b-wait-vip', status: 'waiting_agent' });
    expect(r.live).toBeNull();
    expect(r.temporalUrl).toBe(`http://temporal-ui.test:8233/namespaces/default/workflows/${id('b-wait-vip')}`);
    expect((await call('bob', `/conversations/${id('b-wait-vip')}`)).status).toBe(404);
    expect((await call('ana', `/conversations/${id('x-other', 'other')}`)).status).toBe(404);
    expect((await call('ana', `/conversations/${id('x-other', 'other')}/messages`)).status).toBe(404);
    expect((await call('ana', `/conversations/${encodeURIComponent('x'.repeat(600))}`)).status).toBe(422);
  });

  it('the transcript: every author in order, each message’s language, the FAQ entry and confidence of bot answers, agent names', async () => {
    const { messages } = await json<{ messages: Array<Record<string, unknown>> }>(
      call('ana', `/conversations/${id('b-wait-vip')}/messages`),
    );
    expect(messages.map((m) => [m.author, m.language])).toEqual([
      ['buyer', 'en'],
      ['bot', 'en'],
      ['buyer', 'es'],
      ['system', 'es'],
      ['agent', 'es'],
      ['bot', 'en'],
    ]);
    const faq = await FaqEntryModel.findOne({ shopId: 'demo' }).lean();
    expect(messages[1]!.faq).toEqual({ id: faq!.questionId, question: faq!.question, confidence: 0.87 });
    expect(messages[5]!.faq).toBeNull();
    expect(messages[4]).toMatchObject({ agentId: 'ana', agentName: 'Ana Silva' });
  });

  it('actions are signals as the signed-in agent: CSRF required, bad text 422, a conversation not running 409, another shop’s 404', async () => {
    const p = `/conversations/${id('b-mine')}`;
    expect((await call('ana', `${p}/accept`, { method: 'POST', body: {}, csrf: false })).status).toBe(403);
    const empty = await call('ana', `${p}/message`, { method: 'POST', body: { text: '   ' } });
    expect(empty.status).toBe(422);
    expect((await json<{ message: string }>(empty)).message).toMatch(/text/);
    const long = await call('ana', `${p}/message`, { method: 'POST', body: { text: 'x'.repeat(5000) } });
    expect(long.status).toBe(422);
    const badClose = await call('ana', `${p}/close`, { method: 'POST', body: { resolved: 'yes' } });
    expect(badClose.status).toBe(422);
    expect((await json<{ message: string }>(badClose)).message).toMatch(/resolved/);
    for (const a of ['accept', 'release', 'close'])
      expect((await call('ana', `${p}/${a}`, { method: 'POST', body: {} })).status, a).toBe(409);
    expect((await call('ana', `${p}/message`, { method: 'POST', body: { text: 'hello' } })).status).toBe(409);
    expect((await call('bob', `${p}/accept`, { method: 'POST', body: {} })).status).toBe(404);
  });

  it('internal notes: written and read by the shop’s agents, never a message to the buyer', async () => {
    const p = `/conversations/${id('b-mine')}/notes`;
    const created = await call('ana', p, { method: 'POST', body: { text: 'VIP, be gentle' } });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ agentId: 'ana', agentName: 'Ana Silva', text: 'VIP, be gentle' });
    expect((await json<{ notes: Array<{ text: string }> }>(call('root', p))).notes.map((n) => n.text)).toEqual(['VIP, be gentle']);
    expect(await MessageModel.countDocuments({ text: 'VIP, be gentle' })).toBe(0);
    expect((await call('ana', p, { method: 'POST', body: {} })).status).toBe(422);
    expect((await call('bob', p)).status).toBe(404);
    expect((await call('bob', p, { method: 'POST', body: { text: 'hi' } })).status).toBe(404);
  });

  it('canned responses: per shop and language, admins edit, placeholders checked and filled', async () => {
    const seeded = await json<{ canned: Array<{ language: string; title: string }> }>(call('ana', '/shops/demo/canned?language=es-419'));
    expect(seeded.canned.length).toBeGreaterThan(0);
    expect(seeded.canned.every((c) => c.language === 'es')).toBe(true);
    const body = { language: 'en', title: 'Refund done', text: 'Hi {buyer_name}, refund for {order_number} is on its way. — {agent_name}' };
    expect((await call('ana', '/shops/demo/canned', { method: 'POST', body })).status).toBe(403);
    const created = await call('root', '/shops/demo/canned', { method: 'POST', body });
    expect(created.status).toBe(201);
    const c = await json<{ id: string }>(created);
    expect((await call('root', '/shops/demo/canned', { method: 'POST', body })).status).toBe(409);
    const typo = await call('root', '/shops/demo/canned', { method: 'POST', body: { ...body, title: 'x', text: 'see {tracking_url}' } });
    expect(typo.status).toBe(422);
    expect((await json<{ message: string }>(typo)).message).toMatch(/tracking_url/);
    const badLang = await call('root', '/shops/demo/canned', { method: 'POST', body: { ...body, language: 'English' } });
    expect((await json<{ message: string }>(badLang)).message).toMatch(/language/);
    expect((await call('ana', '/shops/demo/canned?language=!!')).status).toBe(422);
    const rendered = await json<{ text: string }>(
      call('ana', `/shops/demo/canned/${c.id}/render`, { method: 'POST', body: { buyer_name: 'Lu', order_number: '1002' } }),
    );
    expect(rendered.text).toBe('Hi Lu, refund for 1002 is on its way. — Ana Silva');
    expect((await call('root', `/shops/demo/canned/${c.id}`, { method: 'PUT', body: { title: 'Refund sent' } })).status).toBe(200);
    expect((await call('root', `/shops/demo/canned/${c.id}`, { method: 'PUT', body: {} })).status).toBe(422);
    expect((await call('bob', '/shops/demo/canned')).status).toBe(404);
    expect((await call('root', `/shops/demo/canned/${c.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call('root', `/shops/demo/canned/${c.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await CannedResponseModel.countDocuments({ title: { $in: ['Refund done', 'Refund sent'] } })).toBe(0);
  });

  it('the buyer sidebar: orders with parcels, the last tracking answer, coupons, earlier conversations, NPS', async () => {
    // What the tracking activity recorded last for the parcel (models/parcel-status.ts).
    await recordParcelStatus('demo', {
      carrier: 'dhl',
      trackingNumber: 'JD014600004123456789',
      status: 'out_for_delivery',
      events: [
        {
          time: '2026-12-04T09:10:00+07:00',
          status: 'out_for_delivery',
          description: 'With the courier',
          location: { text: 'Bangkok, TH' },
        },
      ],
    });
    const s = await json<{
      orders: Array<{
        orderNumber: string;
        parcels: Array<{ carrier: string; trackingNumber: string; trackingLink: string; status: string | null }>;
      }>;
      lastTracking: { text: string } | null;
      coupons: Array<{ code: string }>;
      conversations: Array<{ status: string; npsScore: number | null }>;
      nps: Array<{ score: number }>;
    }>(call('ana', `/conversations/${id('b-wait-vip')}/buyer`));
    expect(s.orders.map((o) => o.orderNumber)).toEqual(['1002']);
    expect(s.orders[0]!.parcels[0]).toMatchObject({ carrier: 'dhl', trackingNumber: 'JD014600004123456789' });
    expect(s.orders[0]!.parcels[0]!.trackingLink).toContain('JD014600004123456789');
    expect(s.orders[0]!.parcels[0]).toMatchObject({
      status: 'out_for_delivery',
      lastEvent: { description: 'With the courier', place: 'Bangkok, TH', time: '2026-12-04T09:10:00+07:00' },
    });
    expect(s.lastTracking?.text).toBe('Your parcel is in transit.');
    expect(s.coupons.map((k) => k.code)).toEqual(['SORRY10']);
    expect(s.conversations).toEqual([expect.objectContaining({ status: 'closed', npsScore: 9 })]);
    expect(s.nps.map((n) => n.score)).toEqual([9]);
    expect((await call('bob', `/conversations/${id('b-wait-vip')}/buyer`)).status).toBe(404);
  });

  it('notifications: the shop’s and the agent’s own, an unread count, marked read', async () => {
    const n = (o: Record<string, unknown>) => ({ channel: null, ...o });
    await NotificationModel.create([
      n({ key: 'n1', kind: 'buyer_reply', shopId: 'demo', agentId: 'ana', text: 'b-mine wrote' }),
      n({ key: 'n2', kind: 'buyer_reply', shopId: 'demo', agentId: 'root', text: 'not for Ana' }),
      n({ key: 'n3', kind: 'ticket_assigned', shopId: 'demo', text: 'team ticket' }),
      n({ key: 'n4', kind: 'ticket_assigned', shopId: 'other', text: 'other shop' }),
    ]);
    const r = await json<{ unread: number; notifications: Array<{ text: string; id: string }> }>(call('ana', '/notifications'));
    expect(r.notifications.map((x) => x.text).sort()).toEqual(['b-mine wrote', 'team ticket']);
    expect(r.unread).toBe(2);
    expect((await call('ana', '/notifications/read', { method: 'POST', body: { ids: ['nope'] } })).status).toBe(422);
    expect(await json(call('ana', '/notifications/read', { method: 'POST', body: { ids: [r.notifications[0]!.id] } }))).toMatchObject({
      marked: 1,
    });
    expect((await json<{ unread: number }>(call('ana', '/notifications'))).unread).toBe(1);
    await call('ana', '/notifications/read', { method: 'POST', body: { all: true } });
    expect((await json<{ unread: number }>(call('ana', '/notifications'))).unread).toBe(0);
    expect((await json<{ unread: number }>(call('root', '/notifications'))).unread).toBe(2);
  });

  it('the live feed (SSE) sends each agent only its shops’ changes', async () => {
    const ana = openSse(`${base}/events`, { cookie: sessions.ana!.cookie });
    const bob = openSse(`${base}/events`, { cookie: sessions.bob!.cookie });
    await Promise.all([ana.opened, bob.opened]);
    await new Promise((r) => setTimeout(r, 1200)); // the feed's first tick sets its cursors
    await ConversationModel.updateOne({ workflowId: decodeURIComponent(id('b-follow')) }, { $set: { status: 'agent', agentId: 'ana' } });
    await ConversationModel.updateOne({ workflowId: decodeURIComponent(id('x-other', 'other')) }, { $set: { assigneeId: 'bob' } });
    await MessageModel.create({
      direction: 'in',
      channel: 'webchat',
      externalId: 'live-1',
      shopId: 'demo',
      buyerId: 'b-follow',
      workflowId: decodeURIComponent(id('b-follow')),
      author: 'buyer',
      text: 'hello?',
      status: 'received',
    });
    await NotificationModel.create({ key: 'live-n', kind: 'buyer_reply', shopId: 'demo', agentId: 'ana', text: 'b-follow wrote' });
    const seen = (s: typeof ana, event: string) =>
      s.events.filter((e) => e.event === event).map((e) => JSON.parse(e.data) as Record<string, unknown>);
    await eventually(() => seen(ana, 'notification').length > 0 && seen(ana, 'message').length > 0, 10_000, 'ana’s events');
    await eventually(() => seen(bob, 'conversation').length > 0, 10_000, 'bob’s event');
    expect(seen(ana, 'conversation').map((c) => c.id)).toEqual(['conv:demo:webchat:b-follow']);
    expect(seen(ana, 'message')).toEqual([expect.objectContaining({ conversationId: 'conv:demo:webchat:b-follow', author: 'buyer' })]);
    expect(seen(ana, 'notification')).toEqual([expect.objectContaining({ text: 'b-follow wrote' })]);
    expect(seen(bob, 'conversation').map((c) => c.id)).toEqual(['conv:other:webchat:x-other']);
    expect(seen(bob, 'message')).toEqual([]);
    expect(seen(bob, 'notification')).toEqual([]);
    ana.close();
    bob.close();
  });
});

describe('the live stream ends when its agent is signed out or disabled', () => {
  it('a stream whose session ended or whose agent was disabled is closed at the next check', async () => {
    // The desk router itself, checking every 300 ms (the gateway's default is a minute).
    const desk = express();
    desk.use('/desk/api', deskRoutes({ client: app.client, log: () => {}, sessionTtlMs: 3_600_000, eventsRecheckMs: 300 }));
    desk.use(errorHandler(() => {}));
    const server = desk.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/desk/api`;
    try {
      const ended = async (cookie: string) => {
        const res = await fetch(`${url}/events`, { headers: { cookie } });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        return async () => {
          for (;;) if ((await reader.read()).done) return true;
        };
      };
      // Signed out in another tab.
      const s1 = await signIn('ana');
      const drain1 = await ended(s1.cookie);
      const out = await fetch(`${url}/session`, { method: 'DELETE', headers: { cookie: s1.cookie, 'x-csrf-token': s1.csrf } });
      expect(out.status).toBe(204);
      await expect(Promise.race([drain1(), new Promise((r) => setTimeout(() => r('still open'), 5000))])).resolves.toBe(true);
      // Disabled by an admin.
      const s2 = await signIn('ana');
      const drain2 = await ended(s2.cookie);
      await AgentModel.updateOne({ _id: 'ana' }, { $set: { disabled: true } });
      await expect(Promise.race([drain2(), new Promise((r) => setTimeout(() => r('still open'), 5000))])).resolves.toBe(true);
    } finally {
      await AgentModel.updateOne({ _id: 'ana' }, { $set: { disabled: false } });
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('presence follows the desk page', () => {
  it('an online agent whose last desk page closed becomes away after the grace time; a reload in time keeps them online', async () => {
    const desk = express();
    desk.use(express.json());
    desk.use('/desk/api', deskRoutes({ client: app.client, log: () => {}, sessionTtlMs: 3_600_000, awayAfterMs: 400 }));
    desk.use(errorHandler(() => {}));
    const server = desk.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/desk/api`;
    try {
      const s = await signIn('ana');
      const h = { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' };
      expect((await fetch(`${url}/me/presence`, { method: 'PUT', headers: h, body: JSON.stringify({ presence: 'online' }) })).status).toBe(
        200,
      );
      const stream = async () => {
        const ac = new AbortController();
        const res = await fetch(`${url}/events`, { headers: { cookie: s.cookie }, signal: ac.signal });
        expect(res.status).toBe(200);
        return () => ac.abort();
      };
      // A reload: the page closes and opens again within the grace time.
      const close1 = await stream();
      close1();
      const close2 = await stream();
      await new Promise((r) => setTimeout(r, 800));
      expect((await AgentModel.findById('ana').lean())?.presence).toBe('online');
      // The browser closed: away after the grace time.
      close2();
      await eventually(async () => (await AgentModel.findById('ana').lean())?.presence === 'away', 5000, 'away');
    } finally {
      await AgentModel.updateOne({ _id: 'ana' }, { $set: { presence: 'offline' } });
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('desk pages', () => {
  it('GET /desk: the page with a CSP that allows no inline script but the import map; the modules are served', async () => {
    const page = await fetch(`${app.gateway.url}/desk`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await page.text()).toContain('<script type="importmap">');
    for (const p of [
      '/desk/app.js',
      '/desk/desk.css',
      '/desk/vendor/preact.mjs',
      '/desk/vendor/hooks.mjs',
      '/desk/vendor/htm.mjs',
      '/desk/vendor/uplot.mjs',
      '/desk/vendor/uplot.css',
    ]) {
      const r = await fetch(`${app.gateway.url}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type'), p).toMatch(p.endsWith('.css') ? /text\/css/ : /javascript/);
    }
    expect((await fetch(`${app.gateway.url}/desk/../package.json`)).status).toBe(404);
    expect((await fetch(`${app.gateway.url}/desk/nothing.js`)).status).toBe(404);
  });
});
