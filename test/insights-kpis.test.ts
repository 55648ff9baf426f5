/**
 * KPI breakdowns, daily series, resolution and first response times (bot / agent), the FCR window
 * (SORA_FCR_WINDOW) and the root-cause dimensions from order facts (issue 17). Conversations go
 * through the real recordConversation / routeHandoff / storeNpsAnswer activities; expected values are
 * computed by hand from the fixture below (shop time zone UTC):
 *
 *   P1 2026-11-10 webchat  en logistics_tracking  bot only, resolved     reply 30 s, closed 600 s   NPS 10  order K-1 (DE, DHL, LAMP-1 LAMP-2)
 *   P2 2026-11-10 whatsapp es refund              handoff at +120 s      bot 20 s, agent 240 s after the handoff, closed 5400 s, NPS 6, order K-3 (SG, MUG-1), 2 buyer messages
 *   P3 2026-11-10 whatsapp en refund              bot only, unresolved   reply 90 s, 1 unmatched question
 *   P4 2026-11-11 webchat  en logistics_tracking  bot only, resolved     reply 45 s, closed 10800 s NPS 9   order K-2 (TH, Thailand-Post, MUG-1)
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecordConversation, recordConversation, storeNpsAnswer } from '../activities/conversations/records.js';
import { routeHandoff } from '../activities/conversations/route-handoff.js';
import { deskRoutes } from '../bots/desk/index.js';
import { errorHandler } from '../bots/http-errors.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { ConversationModel } from '../models/conversation.js';
import { MessageModel } from '../models/message.js';
import { OrderModel } from '../models/order.js';
import { ShopModel } from '../models/shop.js';
import { UnmatchedQuestionModel } from '../models/unmatched-question.js';
import { disconnectMongo } from '../models/connection.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import type { ConversationState } from '../workflows/types.js';
import { useFreshDatabase } from './setup/helpers.js';

const PASSWORD = 'kpi test password';
const HOUR = 3600_000;
let server: Server;
let base: string;
let session: { cookie: string; csrf: string };

interface Msg {
  /** Seconds after the conversation opened. */
  at: number;
  author: 'buyer' | 'bot' | 'agent';
  text?: string;
}
interface Fixture {
  buyer: string;
  channel?: string;
  language?: string;
  intent: string;
  openedAt: string;
  /** Seconds after the open. */
  closeAfter: number;
  resolved: boolean;
  messages: Msg[];
  focusOrder?: string;
  /** Handed off at this many seconds after the open (through routeHandoff). */
  handoffAt?: number;
  unmatched?: boolean;
  record?: typeof recordConversation;
}

async function close(f: Fixture) {
  const channel = f.channel ?? 'webchat';
  const workflowId = `conv:demo:${channel}:${f.buyer}`;
  const opened = new Date(f.openedAt).getTime();
  const at = (s: number) => new Date(opened + s * 1000);
  await MessageModel.collection.insertMany(
    f.messages.map((m, i) => ({
      channel,
      externalId: `${f.buyer}-${opened}-${i}`,
      shopId: 'demo',
      buyerId: f.buyer,
      workflowId,
      direction: m.author === 'buyer' ? 'in' : 'out',
      author: m.author,
      text: m.text ?? 'ok',
      language: f.language ?? 'en',
      status: m.author === 'buyer' ? 'received' : 'sent',
      createdAt: at(m.at),
    })),
  );
  if (f.unmatched) await UnmatchedQuestionModel.collection.insertOne({ shopId: 'demo', text: 'x', workflowId, createdAt: at(2) });
  if (f.handoffAt !== undefined)
    await routeHandoff({
      workflowId,
      runId: 'r',
      openedAt: opened,
      shopId: 'demo',
      channel,
      buyerId: f.buyer,
      language: f.language ?? 'en',
      orderValueUsd: null,
      focusOrderNumber: f.focusOrder ?? null,
      country: null,
      reason: 'low_confidence',
      tier: 0,
      at: opened + f.handoffAt * 1000,
    });
  const handoff = f.handoffAt !== undefined;
  const closedAt = opened + f.closeAfter * 1000;
  const state = {
    status: 'closed',
    turns: 1,
    intent: f.intent,
    language: f.language ?? 'en',
    orderValueUsd: null,
    complaintStreak: 0,
    lowConfidenceStreak: 0,
    handoffReason: handoff ? 'low_confidence' : null,
    agentId: handoff ? 'ana' : null,
    tier: 0,
    escalated: false,
    openedAt: opened,
    closedAt,
    closeReason: f.resolved ? 'resolved' : 'timeout',
    npsScore: null,
    resolved: f.resolved,
    focusOrder: f.focusOrder ? { orderNumber: f.focusOrder, totalUsd: 10, country: null, status: 'shipped', via: 'named' } : null,
  } as unknown as ConversationState;
  await (f.record ?? recordConversation)({ workflowId, runId: 'r', shopId: 'demo', channel, buyerId: f.buyer, state });
  return { workflowId, closedAt: new Date(closedAt).toISOString(), channel };
}

const nps = (c: { workflowId: string; closedAt: string; channel: string }, score: number) =>
  storeNpsAnswer({
    workflowId: c.workflowId,
    shopId: 'demo',
    channel: c.channel,
    buyerId: 'x',
    score,
    text: String(score),
    language: 'en',
    closedAt: c.closedAt,
  });

const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${base}${path}`, { headers: { cookie: session.cookie } });
  expect(res.status, path).toBe(200);
  return (path.includes('format=csv') ? await res.text() : await res.json()) as T;
};

const order = (orderNumber: string, country: string, carrier: string | null, skus: string[]) => ({
  shopId: 'demo',
  orderNumber,
  items: skus.map((sku) => ({ sku, price: 5, quantity: 1 })),
  totalUsd: 10,
  country,
  placedAt: new Date('2026-11-01T00:00:00Z'),
  shipments: carrier ? [{ carrier, trackingNumber: `T-${orderNumber}` }] : [],
});

let P4: Awaited<ReturnType<typeof close>>;
beforeAll(async () => {
  await useFreshDatabase('sora_insights_kpis');
  await seedDemoShop();
  await ShopModel.updateOne({ shopId: 'demo' }, { $set: { timeZone: 'UTC' } });
  await AgentModel.create({
    _id: 'ana',
    name: 'Ana',
    email: 'ana@demo.test',
    role: 'agent',
    shopIds: ['demo'],
    passwordHash: await hashPassword(PASSWORD),
  });
  await OrderModel.create([
    order('K-1', 'DE', 'DHL', ['LAMP-1', 'LAMP-2']),
    order('K-2', 'TH', 'Thailand-Post', ['MUG-1']),
    order('K-3', 'SG', null, ['MUG-1']),
  ]);
  const P1 = await close({
    buyer: 'p1',
    intent: 'logistics_tracking',
    openedAt: '2026-11-10T08:00:00Z',
    closeAfter: 601,
    resolved: true,
    focusOrder: 'K-1',
    messages: [
      { at: 1, author: 'buyer', text: 'my parcel is stuck in customs' },
      { at: 31, author: 'bot' },
    ],
  });
  const P2 = await close({
    buyer: 'p2',
    channel: 'whatsapp',
    language: 'es',
    intent: 'refund',
    openedAt: '2026-11-10T09:00:00Z',
    closeAfter: 5401,
    resolved: true,
    focusOrder: 'K-3',
    handoffAt: 121,
    messages: [
      { at: 1, author: 'buyer', text: 'when do I get my money' },
      { at: 21, author: 'bot' },
      { at: 121, author: 'buyer', text: 'hello?' },
      { at: 361, author: 'agent' },
    ],
  });
  await close({
    buyer: 'p3',
    channel: 'whatsapp',
    intent: 'refund',
    openedAt: '2026-11-10T10:00:00Z',
    closeAfter: 1800,
    resolved: false,
    unmatched: true,
    messages: [
      { at: 1, author: 'buyer', text: 'my card was declined' },
      { at: 91, author: 'bot' },
    ],
  });
  P4 = await close({
    buyer: 'p4',
    intent: 'logistics_tracking',
    openedAt: '2026-11-11T08:00:00Z',
    closeAfter: 10801,
    resolved: true,
    focusOrder: 'K-2',
    messages: [
      { at: 1, author: 'buyer', text: 'the mug arrived broken' },
      { at: 46, author: 'bot' },
    ],
  });
  for (const [c, s] of [
    [P1, 10],
    [P2, 6],
    [P4, 9],
  ] as const)
    await nps(c, s);

  // FCR window, 2026-11-12: each buyer closes X resolved by the bot at 10:00, then opens Y on the same intent.
  const oneHour = makeRecordConversation({ fcrWindowMs: HOUR });
  const fcrPair = async (buyer: string, backAfterMin: number, record: typeof recordConversation) => {
    for (const [openedAt, closeAfter] of [
      ['2026-11-12T09:50:00Z', 600],
      [new Date(Date.parse('2026-11-12T10:00:00Z') + backAfterMin * 60_000).toISOString(), 600],
    ] as const)
      await close({
        buyer,
        intent: 'size_fit',
        openedAt,
        closeAfter,
        resolved: true,
        record,
        messages: [
          { at: 1, author: 'buyer', text: 'which size should I take' },
          { at: 11, author: 'bot' },
        ],
      });
  };
  await fcrPair('w1', 90, recordConversation); // back after 1.5 h, default 24 h window: a repeat
  await fcrPair('w2', 90, oneHour); // back after 1.5 h, 1 h window: not a repeat
  await fcrPair('w3', 30, oneHour); // back after 30 min, 1 h window: a repeat

  const app = express();
  app.use(express.json());
  app.use(
    '/desk/api',
    deskRoutes({
      client: { options: { namespace: 'default' } } as unknown as Client,
      log: () => {},
      sessionTtlMs: 3_600_000,
      fcrWindowMs: 90 * 60_000,
    }),
  );
  app.use(errorHandler(() => {}));
  server = app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/desk/api`;
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'ana@demo.test', password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  session = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
});

afterAll(async () => {
  server?.close();
  await disconnectMongo();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const KPIS = '/reports/kpis?shop=demo&from=2026-11-09&to=2026-11-11';

describe('KPI report: totals, first response and resolution time', () => {
  it('hand-checked totals of P1–P4', async () => {
    const k = await get<Json>(KPIS);
    expect(k.conversations).toEqual({ closed: 4, resolved: 3 });
    // Answers 10, 6, 9: 2 promoters, 1 detractor of 3 → 33.3.
    expect(k.nps).toMatchObject({ score: 33.3, answers: 3 });
    // P1 and P4 resolved by the bot alone, P2 handed off, P3 unresolved → 2/4.
    expect(k.fcr).toEqual({ rate: 0.5, count: 2, repeats: 0, windowHours: 1.5 });
    expect(k.automationRate).toBe(0.75);
    expect(k.handoff).toMatchObject({ rate: 0.25, count: 1 });
    // 5 buyer messages (P2 wrote twice), 1 unmatched.
    expect(k.unmatched).toEqual({ rate: 0.2, count: 1, messagesIn: 5 });
  });
  it('first response bot vs agent and resolution bot vs agent: mean and histogram p50/p90', async () => {
    const k = await get<Json>(KPIS);
    // Any first reply: 30, 20, 90, 45 s → 46.25 → 46.3.
    expect(k.firstResponse).toMatchObject({ meanSeconds: 46.3, count: 4 });
    // Bot: same four; buckets 30, 30, 120, 60 → p50 = 2nd of 4 → 30; p90 = 4th → 120.
    expect(k.firstResponse.bot).toEqual({ count: 4, meanSeconds: 46.3, p50Seconds: 30, p90Seconds: 120 });
    // Agent: P2 handed off at +121 s, the agent replied at +361 s → 240 s (bucket 300).
    expect(k.firstResponse.agent).toEqual({ count: 1, meanSeconds: 240, p50Seconds: 300, p90Seconds: 300 });
    // Bot-resolved: P1 600 s (bucket 600), P4 10800 s (bucket 14400) → mean 5700; p50 1st → 600, p90 2nd → 14400. P3 unresolved: not counted.
    expect(k.resolution.bot).toEqual({ count: 2, meanSeconds: 5700, p50Seconds: 600, p90Seconds: 14400 });
    // Agent-handled: P2 5400 s (bucket 7200).
    expect(k.resolution.agent).toEqual({ count: 1, meanSeconds: 5400, p50Seconds: 7200, p90Seconds: 7200 });
    const p2 = await ConversationModel.findOne({ workflowId: 'conv:demo:whatsapp:p2' }).lean();
    expect(p2?.handedOffAt?.toISOString()).toBe('2026-11-10T09:02:01.000Z');
  });
});

describe('KPI report: breakdowns and daily series', () => {
  it('by intent, language and channel', async () => {
    const k = await get<Json>(KPIS);
    const f = (
      closed: number,
      fcrRate: number,
      automationRate: number,
      handoffRate: number,
      unmatchedRate: number,
      nps: number,
      npsAnswers: number,
    ) => ({
      closed,
      fcrRate,
      automationRate,
      handoffRate,
      unmatchedRate,
      nps,
      npsAnswers,
    });
    // logistics_tracking: P1, P4 (both FCR, 2 messages, none unmatched, NPS 10 and 9 → 100). refund: P2, P3 (3 messages, 1 unmatched; NPS 6 → −100).
    expect(k.byIntent.logistics_tracking).toMatchObject(f(2, 1, 1, 0, 0, 100, 2));
    expect(k.byIntent.refund).toMatchObject(f(2, 0, 0.5, 0.5, 0.3333, -100, 1));
    // en: P1, P3, P4 (FCR 2/3, 3 messages 1 unmatched). es: P2.
    expect(k.byLanguage.en).toMatchObject(f(3, 0.6667, 1, 0, 0.3333, 100, 2));
    expect(k.byLanguage.es).toMatchObject(f(1, 0, 0, 1, 0, -100, 1));
    // webchat: P1, P4. whatsapp: P2, P3.
    expect(k.byChannel.webchat).toMatchObject(f(2, 1, 1, 0, 0, 100, 2));
    expect(k.byChannel.whatsapp).toMatchObject(f(2, 0, 0.5, 0.5, 0.3333, -100, 1));
  });
  it('one entry per day of the period, zero-filled', async () => {
    const k = await get<Json>(KPIS);
    expect(k.series).toEqual([
      {
        day: '2026-11-09',
        closed: 0,
        resolved: 0,
        nps: null,
        npsAnswers: 0,
        fcrRate: null,
        automationRate: null,
        handoffRate: null,
        unmatchedRate: null,
        firstResponseMeanSeconds: null,
      },
      // P1, P2, P3: NPS 10 and 6 → 0; 4 messages, 1 unmatched; first replies 30, 20, 90 → 46.7.
      {
        day: '2026-11-10',
        closed: 3,
        resolved: 2,
        nps: 0,
        npsAnswers: 2,
        fcrRate: 0.3333,
        automationRate: 0.6667,
        handoffRate: 0.3333,
        unmatchedRate: 0.25,
        firstResponseMeanSeconds: 46.7,
      },
      {
        day: '2026-11-11',
        closed: 1,
        resolved: 1,
        nps: 100,
        npsAnswers: 1,
        fcrRate: 1,
        automationRate: 1,
        handoffRate: 0,
        unmatchedRate: 0,
        firstResponseMeanSeconds: 45,
      },
    ]);
  });
  it('returns every definition, with the configured FCR window', async () => {
    const k = await get<Json>(KPIS);
    for (const key of [
      'nps',
      'fcr',
      'automationRate',
      'handoffRate',
      'unmatchedRate',
      'firstResponseBot',
      'firstResponseAgent',
      'resolutionBot',
      'resolutionAgent',
      'byIntent',
      'series',
    ])
      expect(typeof k.definitions[key], key).toBe('string');
    expect(k.definitions.fcr).toContain('within 1.5 h');
  });
  it('exports the new fields as CSV', async () => {
    const csv = await get<string>(`${KPIS}&format=csv`);
    expect(csv).toContain('resolution_bot_p90_seconds,14400\n');
    expect(csv).toContain('first_response_agent_mean_seconds,240\n');
    expect(csv).toContain('fcr_window_hours,1.5\n');
    expect(csv).toContain('intent,refund,2,0,0.5,0.5,0.3333,-100,1\n');
    expect(csv).toContain('language,es,1,0,0,1,0,-100,1\n');
    expect(csv).toContain('2026-11-11,1,1,100,1,1,1,0,0,45\n');
  });
});

describe('FCR window (SORA_FCR_WINDOW)', () => {
  it('is read from the environment (default 24 h)', () => {
    expect(loadConfig({}).insights.fcrWindowMs).toBe(24 * HOUR);
    expect(loadConfig({ SORA_FCR_WINDOW: '90m' }).insights.fcrWindowMs).toBe(90 * 60_000);
  });
  it('a repeat within the window undoes FCR, one outside it does not', async () => {
    const fcrOf = async (buyer: string) =>
      (
        await ConversationModel.find({ workflowId: `conv:demo:webchat:${buyer}` })
          .sort({ openedAt: 1 })
          .lean()
      ).map((c) => c.fcr);
    expect(await fcrOf('w1')).toEqual([false, true]); // 1.5 h later, 24 h window
    expect(await fcrOf('w2')).toEqual([true, true]); // 1.5 h later, 1 h window
    expect(await fcrOf('w3')).toEqual([false, true]); // 30 min later, 1 h window
    const k = await get<Json>('/reports/kpis?shop=demo&from=2026-11-12&to=2026-11-12');
    expect(k.fcr).toMatchObject({ rate: 0.6667, count: 4, repeats: 2 });
  });
});

describe('root causes by SKU, country and carrier from the order facts, and the daily series', () => {
  const RC = '/reports/root-causes?shop=demo&from=2026-11-10&to=2026-11-11';
  it('groups by the SKUs, country and carrier of the order the conversation discussed', async () => {
    expect((await get<Json>(`${RC}&by=sku`)).groups).toEqual({
      'LAMP-1': { 'logistics.customs_delay': 1 },
      'LAMP-2': { 'logistics.customs_delay': 1 },
      'MUG-1': { 'after_sales.refund_status': 1, 'product.quality_defect': 1 },
    });
    expect((await get<Json>(`${RC}&by=country`)).groups).toEqual({
      DE: { 'logistics.customs_delay': 1 },
      SG: { 'after_sales.refund_status': 1 },
      TH: { 'product.quality_defect': 1 },
      unknown: { 'payment.failed': 1 },
    });
    expect((await get<Json>(`${RC}&by=carrier`)).groups).toEqual({
      dhl: { 'logistics.customs_delay': 1 },
      'thailand-post': { 'product.quality_defect': 1 },
      unknown: { 'after_sales.refund_status': 1, 'payment.failed': 1 },
    });
    const csv = await get<string>(`${RC}&by=sku&format=csv`);
    expect(csv).toContain('LAMP-2,logistics.customs_delay,1\n');
  });
  it('a daily series of the top causes', async () => {
    const r = await get<Json>(RC);
    expect(r.topCauses).toEqual(['after_sales.refund_status', 'logistics.customs_delay', 'payment.failed', 'product.quality_defect']);
    expect(r.series).toEqual([
      {
        day: '2026-11-10',
        counts: { 'after_sales.refund_status': 1, 'logistics.customs_delay': 1, 'payment.failed': 1, 'product.quality_defect': 0 },
      },
      {
        day: '2026-11-11',
        counts: { 'after_sales.refund_status': 0, 'logistics.customs_delay': 0, 'payment.failed': 0, 'product.quality_defect': 1 },
      },
    ]);
    expect(await get<string>(`${RC}&format=csv`)).toContain('2026-11-11,0,0,0,1\n');
  });
  it('a tag correction moves the SKU and carrier counts too', async () => {
    const res = await fetch(`${base}/conversations/${encodeURIComponent(P4.workflowId)}/root-causes`, {
      method: 'PUT',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ tags: ['product.colour_mismatch'] }),
    });
    expect(res.status).toBe(200);
    expect((await get<Json>(`${RC}&by=sku`)).groups['MUG-1']).toEqual({ 'after_sales.refund_status': 1, 'product.colour_mismatch': 1 });
    expect((await get<Json>(`${RC}&by=carrier`)).groups['thailand-post']).toEqual({ 'product.colour_mismatch': 1 });
  });
});
