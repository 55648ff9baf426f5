/**
 * Insights (issue 17): conversations closed through recordConversation write service events, root
 * causes and daily rollups; the desk's KPI and root-cause reports read those rollups. Expected values
 * are computed by hand from the fixture below (6 conversations closed on 2026-11-11 in the shop's
 * time zone, Asia/Bangkok; one on 2026-11-04 for the previous period). Route scoping and validation.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConversation, storeNpsAnswer } from '../activities/conversations/records.js';
import { deskRoutes } from '../bots/desk/index.js';
import { errorHandler } from '../bots/http-errors.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { ConversationModel } from '../models/conversation.js';
import { DailyRollupModel } from '../models/daily-rollup.js';
import { kpisFromRollups, npsOf } from '../models/insight-reports.js';
import { MessageModel } from '../models/message.js';
import { ServiceEventModel } from '../models/service-event.js';
import { ShopModel } from '../models/shop.js';
import { UnmatchedQuestionModel } from '../models/unmatched-question.js';
import { disconnectMongo } from '../models/connection.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import type { ConversationState } from '../workflows/types.js';
import { useFreshDatabase } from './setup/helpers.js';

const PASSWORD = 'insights test password';
type Kpis = ReturnType<typeof kpisFromRollups>;
interface RcReport {
  totals: Record<string, number>;
  groups: Record<string, Record<string, number>>;
  previousPeriod: { from: string; to: string };
  trend: Array<{ cause: string; count: number; previous: number; change: number }>;
}
let server: Server;
let base: string;
const cookies: Record<string, { cookie: string; csrf: string }> = {};

const T = (iso: string) => new Date(iso);
interface Fixture {
  buyer: string;
  intent: string;
  openedAt: string;
  closedAt: string;
  resolved: boolean;
  handoffReason?: string;
  agentId?: string;
  text: string;
  country?: string;
  unmatched?: boolean;
}

async function close(f: Fixture) {
  const workflowId = `conv:demo:webchat:${f.buyer}`;
  const opened = T(f.openedAt);
  const inAt = new Date(opened.getTime() + 1000);
  const n = `${f.buyer}-${opened.getTime()}`;
  await MessageModel.collection.insertMany([
    {
      channel: 'webchat',
      externalId: `in-${n}`,
      shopId: 'demo',
      buyerId: f.buyer,
      workflowId,
      direction: 'in',
      author: 'buyer',
      text: f.text,
      language: 'en',
      status: 'received',
      createdAt: inAt,
    },
    {
      channel: 'webchat',
      externalId: `out-${n}`,
      shopId: 'demo',
      buyerId: f.buyer,
      workflowId,
      direction: 'out',
      author: 'bot',
      text: 'ok',
      language: 'en',
      source: 'faq',
      faqEntryId: 'q1',
      confidence: 0.8,
      status: 'sent',
      createdAt: new Date(inAt.getTime() + 60_000),
    },
  ]);
  if (f.unmatched)
    await UnmatchedQuestionModel.collection.insertOne({
      shopId: 'demo',
      text: f.text,
      workflowId,
      createdAt: new Date(inAt.getTime() + 10),
    });
  if (f.country)
    await ConversationModel.collection.insertOne({
      workflowId,
      openedAt: opened,
      runId: 'r',
      shopId: 'demo',
      channel: 'webchat',
      buyerId: f.buyer,
      status: 'bot',
      country: f.country,
    });
  const state = {
    status: 'closed',
    turns: 1,
    intent: f.intent,
    language: 'en',
    orderValueUsd: null,
    complaintStreak: 0,
    lowConfidenceStreak: 0,
    handoffReason: f.handoffReason ?? null,
    agentId: f.agentId ?? null,
    tier: 0,
    escalated: false,
    openedAt: opened.getTime(),
    closedAt: T(f.closedAt).getTime(),
    closeReason: f.resolved ? 'resolved' : 'timeout',
    npsScore: null,
    resolved: f.resolved,
  } as unknown as ConversationState;
  await recordConversation({ workflowId, runId: 'r', shopId: 'demo', channel: 'webchat', buyerId: f.buyer, state });
  return { workflowId, closedAt: f.closedAt };
}

const nps = (c: { workflowId: string; closedAt: string }, score: number) =>
  storeNpsAnswer({
    workflowId: c.workflowId,
    shopId: 'demo',
    channel: 'webchat',
    buyerId: 'x',
    score,
    text: String(score),
    language: 'en',
    closedAt: c.closedAt,
  });

function call(who: string | null, path: string, init: { method?: string; body?: unknown } = {}) {
  const s = who ? cookies[who] : undefined;
  const headers: Record<string, string> = {};
  if (s) headers.cookie = s.cookie;
  if (s && init.method && init.method !== 'GET') headers['x-csrf-token'] = s.csrf;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

let C: Awaited<ReturnType<typeof close>>;
beforeAll(async () => {
  await useFreshDatabase('sora_insights');
  await seedDemoShop();
  await ShopModel.updateOne({ shopId: 'demo' }, { $set: { timeZone: 'Asia/Bangkok' } });
  const hash = await hashPassword(PASSWORD);
  await AgentModel.create([
    { _id: 'ana', name: 'Ana', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'], passwordHash: hash },
    { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'], passwordHash: hash },
  ]);
  // 2026-11-10 20:00Z = 2026-11-11 03:00 in Bangkok: every close below is on the 11th there.
  const A = await close({
    buyer: 'b1',
    intent: 'logistics_tracking',
    openedAt: '2026-11-10T17:00:00Z',
    closedAt: '2026-11-10T18:00:00Z',
    resolved: true,
    text: 'my parcel is stuck in customs',
    country: 'US',
  });
  // The same buyer on the same intent 2 h later: A is no longer first-contact resolved.
  const A2 = await close({
    buyer: 'b1',
    intent: 'logistics_tracking',
    openedAt: '2026-11-10T20:00:00Z',
    closedAt: '2026-11-10T21:00:00Z',
    resolved: true,
    text: 'where is my order now?',
  });
  const B = await close({
    buyer: 'b2',
    intent: 'refund',
    openedAt: '2026-11-10T17:00:00Z',
    closedAt: '2026-11-10T19:00:00Z',
    resolved: true,
    handoffReason: 'low_confidence',
    agentId: 'ana',
    text: 'when do I get my money',
  });
  C = await close({
    buyer: 'b3',
    intent: 'payment',
    openedAt: '2026-11-10T17:00:00Z',
    closedAt: '2026-11-10T19:00:00Z',
    resolved: false,
    text: 'my card was declined',
    unmatched: true,
  });
  const D = await close({
    buyer: 'b4',
    intent: 'size_fit',
    openedAt: '2026-11-10T17:00:00Z',
    closedAt: '2026-11-10T19:00:00Z',
    resolved: true,
    text: 'the shoes are too small',
  });
  const E = await close({
    buyer: 'b5',
    intent: 'complaint',
    openedAt: '2026-11-10T17:00:00Z',
    closedAt: '2026-11-10T19:00:00Z',
    resolved: true,
    handoffReason: 'complaint',
    agentId: 'ana',
    text: 'the lamp arrived broken',
  });
  // Previous period (2026-11-01..07): one customs delay.
  await close({
    buyer: 'b9',
    intent: 'logistics_tracking',
    openedAt: '2026-11-04T05:00:00Z',
    closedAt: '2026-11-04T06:00:00Z',
    resolved: true,
    text: 'held at customs for days',
  });
  for (const [c, s] of [
    [A, 10],
    [A2, 9],
    [B, 6],
    [D, 10],
    [E, 7],
  ] as const)
    await nps(c, s);
  await nps(A, 10); // a retried write: counted once

  const app = express();
  app.use(express.json());
  app.use(
    '/desk/api',
    deskRoutes({ client: { options: { namespace: 'default' } } as unknown as Client, log: () => {}, sessionTtlMs: 3_600_000 }),
  );
  app.use(errorHandler(() => {}));
  server = app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/desk/api`;
  for (const login of ['ana', 'bob']) {
    const res = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: `${login}@${login === 'ana' ? 'demo' : 'other'}.test`, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    cookies[login] = {
      cookie: res.headers.get('set-cookie')!.split(';')[0]!,
      csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
    };
  }
});

afterAll(async () => {
  server?.close();
  await disconnectMongo();
});

describe('NPS arithmetic', () => {
  it('10 answers: 5 promoters, 2 passives, 3 detractors → NPS 20.0', () => {
    const d: Record<number, number> = {};
    for (const s of [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]) d[s] = (d[s] ?? 0) + 1;
    expect(npsOf(d)).toMatchObject({ score: 20, answers: 10, promoters: 5, passives: 2, detractors: 3 });
    expect(npsOf({}).score).toBeNull();
    expect(npsOf({ 0: 4 }).score).toBe(-100);
  });
});

describe('events, tags and rollups written when a conversation closes', () => {
  it('stores root causes and FCR on the conversation, events in the stream, rollups by day in the shop time zone', async () => {
    const a = await ConversationModel.findOne({ workflowId: 'conv:demo:webchat:b1', openedAt: T('2026-11-10T17:00:00Z') }).lean();
    expect(a).toMatchObject({ rootCauses: ['logistics.customs_delay'], fcr: false, firstResponseMs: 60_000 });
    const types = (await ServiceEventModel.find({ workflowId: 'conv:demo:webchat:b2' }).lean()).map((e) => e.type).sort();
    expect(types).toEqual(['handoff', 'message_in', 'message_out', 'outcome', 'outcome']);
    const days = await DailyRollupModel.distinct('day', { shopId: 'demo' });
    expect(days.sort()).toEqual(['2026-11-04', '2026-11-11']);
  });
  it('a second close of the same conversation is not counted twice', async () => {
    const before = await DailyRollupModel.find({ shopId: 'demo' }).lean();
    const c = await ConversationModel.findOne({ workflowId: 'conv:demo:webchat:b4' }).lean();
    await ConversationModel.updateOne({ _id: c!._id }, { $set: { status: 'agent' } });
    const { recordClosedConversation } = await import('../activities/insights/record-outcome.js');
    await recordClosedConversation({ workflowId: c!.workflowId, openedAt: c!.openedAt });
    await ConversationModel.updateOne({ _id: c!._id }, { $set: { status: 'closed' } });
    await recordClosedConversation({ workflowId: c!.workflowId, openedAt: c!.openedAt });
    expect(await DailyRollupModel.find({ shopId: 'demo' }).lean()).toEqual(before);
  });
});

describe('GET /desk/api/reports/kpis', () => {
  it('computes the hand-checked figures for the day', async () => {
    const res = await call('ana', '/reports/kpis?shop=demo&from=2026-11-08&to=2026-11-14');
    expect(res.status).toBe(200);
    const k = (await res.json()) as Kpis;
    expect(k.conversations).toEqual({ closed: 6, resolved: 5 });
    // Answers 10, 9, 6, 10, 7: 3 promoters, 1 detractor of 5 → 40; bot-only 10, 9, 10 → 100; agent 6, 7 → −50.
    expect(k.nps).toMatchObject({ score: 40, answers: 5, promoters: 3, detractors: 1, responseRate: 1 });
    expect(k.nps.botOnly.score).toBe(100);
    expect(k.nps.agentHandled.score).toBe(-50);
    // FCR: A2 and D (A undone by the repeat, B and E handed off, C unresolved) → 2/6.
    expect(k.fcr).toEqual({ rate: 0.3333, count: 2, repeats: 1, windowHours: 24 });
    expect(k.automationRate).toBe(0.6667);
    expect(k.handoff).toEqual({ rate: 0.3333, count: 2, reasons: { low_confidence: 1, complaint: 1 } });
    expect(k.unmatched).toEqual({ rate: 0.1667, count: 1, messagesIn: 6 });
    expect(k.firstResponse).toMatchObject({ meanSeconds: 60, count: 6 });
  });
  it('exports CSV', async () => {
    const res = await call('ana', '/reports/kpis?shop=demo&from=2026-11-08&to=2026-11-14&format=csv');
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await res.text();
    expect(text).toContain('nps,40\n');
    expect(text).toContain('fcr_rate,0.3333\n');
  });
  it('is scoped and validated: 401 without sign-in, 404 for another shop, 422 for bad dates', async () => {
    expect((await call(null, '/reports/kpis?shop=demo&from=2026-11-08&to=2026-11-14')).status).toBe(401);
    expect((await call('bob', '/reports/kpis?shop=demo&from=2026-11-08&to=2026-11-14')).status).toBe(404);
    for (const q of [
      'from=2026-13-01&to=2026-11-14',
      'from=2026-11-08',
      'from=2026-11-14&to=2026-11-08',
      'from=2025-01-01&to=2026-11-14',
      'from=2026-11-08&to=2026-11-14&format=xml',
    ]) {
      const r = await call('ana', `/reports/kpis?shop=demo&${q}`);
      expect(r.status, q).toBe(422);
      expect((await r.json()) as { error: { message?: string } } & Record<string, unknown>).toBeTruthy();
    }
  });
});

describe('root causes: report and corrections', () => {
  it('distribution by channel and country, with the trend vs the previous period', async () => {
    const res = await call('ana', '/reports/root-causes?shop=demo&from=2026-11-08&to=2026-11-14&by=country');
    expect(res.status).toBe(200);
    const r = (await res.json()) as RcReport;
    expect(r.totals).toEqual({
      'logistics.customs_delay': 1,
      'order.status': 1,
      'after_sales.refund_status': 1,
      'payment.failed': 1,
      'product.size_fit': 1,
      'product.quality_defect': 1,
    });
    expect(r.groups.US).toEqual({ 'logistics.customs_delay': 1 });
    expect(r.previousPeriod).toEqual({ from: '2026-11-01', to: '2026-11-07' });
    expect(r.trend.find((t) => t.cause === 'logistics.customs_delay')).toMatchObject({
      count: 1,
      previous: 1,
      change: 0,
    });
    const byChannel = (await (await call('ana', '/reports/root-causes?shop=demo&from=2026-11-08&to=2026-11-14')).json()) as RcReport;
    expect(Object.keys(byChannel.groups)).toEqual(['webchat']);
    expect((await call('ana', '/reports/root-causes?shop=demo&from=2026-11-08&to=2026-11-14&by=colour')).status).toBe(422);
    expect((await call('bob', '/reports/root-causes?shop=demo&from=2026-11-08&to=2026-11-14')).status).toBe(404);
    const csv = await (await call('ana', '/reports/root-causes?shop=demo&from=2026-11-08&to=2026-11-14&format=csv')).text();
    expect(csv).toContain('webchat,payment.failed,1');
  });
  it('an agent corrects the tags: kept, counted, and the report follows', async () => {
    const path = `/conversations/${encodeURIComponent(C.workflowId)}/root-causes`;
    expect((await call('ana', path, { method: 'PUT', body: { tags: ['payment.nope'] } })).status).toBe(422);
    expect((await call('ana', path, { method: 'PUT', body: {} })).status).toBe(422);
    expect((await call('bob', path, { method: 'PUT', body: { tags: ['payment.method'] } })).status).toBe(404);
    const ok = await call('ana', path, { method: 'PUT', body: { tags: ['payment.method'] } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ rootCauses: ['payment.method'], rootCausesAuto: ['payment.failed'], editedBy: 'ana' });
    const c = await ConversationModel.findOne({ workflowId: C.workflowId }).lean();
    expect(c).toMatchObject({ rootCauses: ['payment.method'], rootCausesAuto: ['payment.failed'], rootCausesEditedBy: 'ana' });
    const r = (await (await call('ana', '/reports/root-causes?shop=demo&from=2026-11-08&to=2026-11-14')).json()) as RcReport;
    expect(r.totals['payment.method']).toBe(1);
    expect(r.totals['payment.failed']).toBeUndefined();
    const k = (await (await call('ana', '/reports/kpis?shop=demo&from=2026-11-08&to=2026-11-14')).json()) as Kpis;
    expect(k.rootCauseCorrections).toBe(1);
    const action = await ServiceEventModel.findOne({ workflowId: C.workflowId, type: 'agent_action' }).lean();
    expect(action?.data).toEqual({ type: 'agent_action', action: 'root_causes_corrected', agentId: 'ana' });
  });
});
