/**
 * The desk's routing routes (issue 16 items 2, 3, 5) over HTTP on the real gateway: presence feeds
 * assignment, a shop's routing is editable by its admins only (401 / 403 / 404 / 422), the
 * notifications list and read marks are the caller's shops and their own, a released conversation
 * frees a slot for the next waiting one, and the alert webhook gets the human `text`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordConversation } from '../activities/conversations/records.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel } from '../models/agent.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import { NotificationModel } from '../models/notification.js';
import { createOperatorCredential } from '../models/operator-credential.js';
import { alertOperators } from '../models/operator-alerts.js';
import { ShopModel } from '../models/shop.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { initialState } from '../workflows/conversation/lifecycle.js';
import { useFreshDatabase } from './setup/helpers.js';

let app: App;
let base: string;
const tokens: Record<string, string> = {};
const quiet = { warn: () => {}, error: () => {} };

beforeAll(async () => {
  await useFreshDatabase('sora_desk_routing_api');
  await seedDemoShop();
  await ShopModel.create({ shopId: 'other', name: 'Other shop' });
  const agent = (_id: string, role: 'admin' | 'agent', shopIds: string[], languages: string[] = [], capacity = 2) =>
    AgentModel.create({ _id, name: _id, email: `${_id}@shop.test`, role, shopIds, languages, capacity, presence: 'offline' });
  await agent('ana', 'agent', ['demo'], ['es'], 1);
  await agent('adm', 'admin', ['demo']);
  await agent('oth', 'admin', ['other']);
  for (const id of ['ana', 'adm', 'oth']) tokens[id] = (await createOperatorCredential({ name: `${id} token`, agentId: id })).token;
  tokens.operator = (await createOperatorCredential({ name: 'ops' })).token;
  app = await startApp({
    config: loadConfig({ SORA_LOG_LEVEL: 'silent' }),
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, '/sora_desk_routing_api'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    adapters: [new WebchatAdapter({ pollMs: 200 })],
    relayIntervalMs: 600_000,
    printOperatorToken: () => {},
  });
  base = `${app.gateway.url}/desk/api`;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

function call(who: string | null, method: string, path: string, body?: unknown) {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

let n = 0;
async function waitingConversation(o: { language?: string; shopId?: string } = {}) {
  const c = await ConversationModel.create({
    workflowId: `api-${++n}`,
    runId: 'r',
    shopId: o.shopId ?? 'demo',
    channel: 'webchat',
    buyerId: `buyer-${n}`,
    status: 'waiting_agent',
    language: o.language ?? 'es',
    openedAt: new Date(),
    queueId: 'general',
    waitingSince: new Date(),
  });
  return c;
}

describe('every route needs a credential', () => {
  it('401 without one', async () => {
    for (const [m, p, b] of [
      ['GET', '/me/presence'],
      ['PUT', '/me/presence', { presence: 'online' }],
      ['GET', '/shops/demo/routing'],
      ['PUT', '/shops/demo/routing', { queues: [{ id: 'general', name: 'G' }] }],
      ['GET', '/notifications'],
      ['POST', '/notifications/read', { all: true }],
    ] as Array<[string, string, unknown?]>) {
      const res = await call(null, m, p, b);
      expect(res.status, `${m} ${p}`).toBe(401);
    }
  });
});

describe('presence feeds routing', () => {
  it('going online takes waiting conversations the agent may take, up to capacity; going away hands them back', async () => {
    const mine = await waitingConversation({ language: 'es-419' });
    const thai = await waitingConversation({ language: 'th' });
    const otherShop = await waitingConversation({ shopId: 'other' });
    const bad = await call('ana', 'PUT', '/me/presence', { presence: 'busy' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/presence must be online, away or offline/);
    expect((await call('operator', 'PUT', '/me/presence', { presence: 'online' })).status).toBe(403);

    const on = await call('ana', 'PUT', '/me/presence', { presence: 'online' });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ presence: 'online', assigned: [mine.workflowId], held: 1 });
    expect((await AgentModel.findById('ana').lean())?.presence).toBe('online');
    expect((await ConversationModel.findById(thai._id).lean())?.assigneeId).toBeNull();
    expect((await ConversationModel.findById(otherShop._id).lean())?.assigneeId).toBeNull();

    const away = await call('ana', 'PUT', '/me/presence', { presence: 'away' });
    expect(await away.json()).toMatchObject({ presence: 'away', handedBack: 1, held: 0 });
    expect((await ConversationModel.findById(mine._id).lean())?.assigneeId).toBeNull();
    await ConversationModel.deleteMany({});
  });

  it('a released conversation frees a slot: the agent gets the next waiting one', async () => {
    await AgentModel.updateOne({ _id: 'ana' }, { $set: { presence: 'online' } });
    const openedAt = Date.now() - 60_000;
    await ConversationModel.create({
      workflowId: 'held-1',
      runId: 'r',
      shopId: 'demo',
      channel: 'webchat',
      buyerId: 'h',
      status: 'agent',
      agentId: 'ana',
      assigneeId: 'ana',
      openedAt: new Date(openedAt),
      queueId: 'general',
    });
    const next = await waitingConversation();
    const state = { ...initialState(openedAt), status: 'bot' as const };
    await recordConversation({ workflowId: 'held-1', runId: 'r', shopId: 'demo', channel: 'webchat', buyerId: 'h', state });
    expect(await ConversationModel.findOne({ workflowId: 'held-1' }).lean()).toMatchObject({
      status: 'bot',
      queueId: null,
      assigneeId: null,
    });
    expect((await ConversationModel.findById(next._id).lean())?.assigneeId).toBe('ana');
    await AgentModel.updateOne({ _id: 'ana' }, { $set: { presence: 'offline' } });
    await ConversationModel.deleteMany({});
  });
});

describe('routing rules in the desk', () => {
  const good = {
    assignment: 'round_robin',
    queues: [
      { id: 'general', name: 'General', escalatesTo: 'vip' },
      { id: 'vip', name: 'VIP' },
    ],
    rules: [{ when: { minOrderValueUsd: 500, countries: ['th'] }, queue: 'vip', priority: 'high' }],
  };

  it('an admin who sees the shop reads the default, then saves and reads rules', async () => {
    const get = await call('adm', 'GET', '/shops/demo/routing');
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({
      shopId: 'demo',
      assignment: 'least_busy',
      queues: [{ id: 'general', name: 'General' }],
      rules: [],
      default: true,
    });
    const put = await call('adm', 'PUT', '/shops/demo/routing', good);
    expect(put.status).toBe(200);
    const saved = await (await call('adm', 'GET', '/shops/demo/routing')).json();
    expect(saved).toMatchObject({ shopId: 'demo', assignment: 'round_robin', default: false });
    expect(saved.rules[0].when.countries).toEqual(['TH']);
  });

  it('403 for an agent, 404 for another shop’s admin and an unknown shop', async () => {
    expect((await call('ana', 'GET', '/shops/demo/routing')).status).toBe(403);
    expect((await call('ana', 'PUT', '/shops/demo/routing', good)).status).toBe(403);
    expect((await call('oth', 'GET', '/shops/demo/routing')).status).toBe(404);
    expect((await call('oth', 'PUT', '/shops/demo/routing', good)).status).toBe(404);
    expect((await call('operator', 'GET', '/shops/nope/routing')).status).toBe(404);
    expect((await call('oth', 'GET', '/shops/other/routing')).status).toBe(200);
  });

  it('422 naming the bad fields', async () => {
    const res = await call('adm', 'PUT', '/shops/demo/routing', {
      queues: [{ id: 'general', name: 'General', escalatesTo: 'nowhere' }],
      rules: [{ when: { reasons: ['angry'] }, queue: 'vip' }],
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; message: string; details: Array<{ field: string }> };
    expect(body.error).toBe('invalid_routing');
    expect(body.details.map((d) => d.field)).toContain('rules.0.when.reasons.0');
    const res2 = await call('adm', 'PUT', '/shops/demo/routing', {
      queues: [{ id: 'general', name: 'General', escalatesTo: 'nowhere' }],
      rules: [{ when: {}, queue: 'vip' }],
    });
    expect(res2.status).toBe(422);
    expect(((await res2.json()) as { message: string }).message).toBe(
      'queues.0.escalatesTo: no queue "nowhere"; rules.0.queue: no queue "vip"',
    );
    // Unchanged.
    expect((await (await call('adm', 'GET', '/shops/demo/routing')).json()).assignment).toBe('round_robin');
  });
});

describe('notifications', () => {
  let hook: Server;
  let hookUrl: string;
  const bodies: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        bodies.push(JSON.parse(data));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => hook.close(() => r())));

  it('the alert webhook body carries the human text (Slack/Teams {text}), the same as the stored one', async () => {
    await ShopModel.updateOne({ shopId: 'demo' }, { $set: { timeZone: 'Asia/Singapore' } });
    const waitingSince = '2026-12-05T02:02:00.000Z'; // 10:02 in Singapore
    const r = await alertOperators(
      'n-handoff',
      {
        workflowId: 'wf-1',
        shopId: 'demo',
        channel: 'whatsapp',
        buyerId: '6581234567',
        kind: 'handoff',
        tier: 0,
        reason: 'human_request',
        queueId: 'vip',
        queueName: 'VIP',
        assigneeId: null,
        waitingSince,
      },
      hookUrl,
      quiet,
    );
    expect(r.delivered).toBe(true);
    const text = 'Handoff: buyer 6581… on WhatsApp (demo) asks for a human — queue VIP, waiting since 10:02';
    expect(bodies.at(-1)).toMatchObject({ key: 'n-handoff', kind: 'handoff', text });
    expect((await NotificationModel.findOne({ key: 'n-handoff' }).lean())?.text).toBe(text);
    await alertOperators(
      'n-ticket',
      { shopId: 'demo', kind: 'ticket_assigned', ticketId: 'T-42', agentId: 'ana', reason: 'carrier investigation' },
      hookUrl,
      quiet,
    );
    expect(bodies.at(-1)).toMatchObject({ kind: 'ticket_assigned', text: 'Ticket T-42 (demo) assigned to ana: carrier investigation' });
    await alertOperators(
      'n-sla',
      { shopId: 'demo', kind: 'sla_breach_soon', ticketId: 'T-43', agentId: null, reason: 'due in 15 min' },
      hookUrl,
      quiet,
    );
    expect(bodies.at(-1)?.text).toBe('Ticket T-43 (demo) is about to breach its SLA: due in 15 min');
    await alertOperators('n-coupon', { shopId: 'demo', channel: 'webchat', kind: 'coupon_pool_empty', reason: null }, hookUrl, quiet);
    expect(String(bodies.at(-1)?.text)).toMatch(/coupon pool of demo is empty/);
  });

  it('lists the caller’s shops’ team notifications and their own, with the unread count; read marks are per agent', async () => {
    await alertOperators(
      'n-mine',
      { workflowId: 'wf-2', shopId: 'demo', channel: 'webchat', buyerId: 'b2', kind: 'buyer_reply', tier: 0, reason: null, agentId: 'ana' },
      undefined,
      quiet,
    );
    await alertOperators(
      'n-zed',
      { workflowId: 'wf-3', shopId: 'demo', channel: 'webchat', buyerId: 'b3', kind: 'buyer_reply', tier: 0, reason: null, agentId: 'zed' },
      undefined,
      quiet,
    );
    await alertOperators(
      'n-other',
      { workflowId: 'wf-4', shopId: 'other', channel: 'webchat', buyerId: 'b4', kind: 'handoff', tier: 0, reason: 'complaint' },
      undefined,
      quiet,
    );
    const res = await call('ana', 'GET', '/notifications');
    expect(res.status).toBe(200);
    const list = (await res.json()) as {
      unread: number;
      notifications: Array<{ id: string; kind: string; text: string; agentId: string | null; read: boolean }>;
    };
    const keys = list.notifications.map((x) => x.kind + ':' + (x.agentId ?? 'team'));
    expect(keys).toContain('buyer_reply:ana');
    expect(keys).not.toContain('buyer_reply:zed');
    expect(list.notifications.every((x) => x.text)).toBe(true);
    expect(list.notifications.some((x) => x.text.includes('(other)'))).toBe(false);
    expect(list.unread).toBe(list.notifications.length);

    const other = await NotificationModel.findOne({ key: 'n-other' }).lean();
    const mine = list.notifications.find((x) => x.kind === 'buyer_reply')!;
    const marked = await call('ana', 'POST', '/notifications/read', { ids: [mine.id, String(other!._id)] });
    expect(await marked.json()).toEqual({ marked: 1, unread: list.unread - 1 });
    expect((await NotificationModel.findOne({ key: 'n-other' }).lean())?.readBy).toEqual([]);
    const unread = (await (await call('ana', 'GET', '/notifications?unread=true')).json()) as { notifications: Array<{ id: string }> };
    expect(unread.notifications.map((x) => x.id)).not.toContain(mine.id);
    // Another admin of the same shop still has it unread.
    const adm = (await (await call('adm', 'GET', '/notifications')).json()) as { notifications: Array<{ id: string; read: boolean }> };
    expect(adm.notifications.find((x) => x.id === mine.id)).toBeUndefined(); // for ana only
    expect(adm.notifications.every((x) => !x.read)).toBe(true);

    const bad = await call('ana', 'POST', '/notifications/read', { ids: ['nope'] });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/ids\.0: a notification id/);
    expect((await call('ana', 'POST', '/notifications/read', {})).status).toBe(422);
    expect((await call('ana', 'GET', '/notifications?limit=0')).status).toBe(422);
    const all = await call('ana', 'POST', '/notifications/read', { all: true });
    expect(((await all.json()) as { unread: number }).unread).toBe(0);
  });
});
