/**
 * Metering (docs/insights.md "Metering") on the embedded MongoDB-wire server: billable conversations
 * per shop month in the shop's time zone (conversations in two zones around a month boundary), the
 * exclusions, the advanced-tracking add-on, the running estimate, `sora usage` output, and
 * GET /desk/api/usage (auth, scope, validation, CSV). Expected values are hand-computed.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskRoutes } from '../bots/desk/index.js';
import { errorHandler } from '../bots/http-errors.js';
import { DEFAULT_BILLING_TIERS, parseBillingPlan } from '../infra/config/billing-plan.js';
import { AgentModel } from '../models/agent.js';
import { createAgentToken } from '../models/agent-token.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel, markAdvancedTracking } from '../models/conversation.js';
import { ShopModel } from '../models/shop.js';
import { monthRange, usageReport } from '../models/usage.js';
import { runUsageCommand } from '../scripts/cli/usage.js';
import { useFreshDatabase } from './setup/helpers.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeTrackParcel } from '../activities/logistics/activity.js';
import { FAST, fixture, startCarrierServer, seventeenTrackEcho } from './kit/carrier-server.js';

const plan = parseBillingPlan(DEFAULT_BILLING_TIERS);
let n = 0;
const conv = (shopId: string, openedAt: string, o: Record<string, unknown> = {}) => ({
  workflowId: `conv:${shopId}:webchat:b${++n}`,
  runId: 'r1',
  shopId,
  channel: 'webchat',
  buyerId: `b${n}`,
  status: 'closed',
  intent: 'faq_shipping',
  turns: 2,
  openedAt: new Date(openedAt),
  closeReason: 'resolved',
  resolved: true,
  ...o,
});

let server: Server;
let base: string;
const tokens: Record<string, string> = {};
const OPERATOR = 'usage-test-operator-token';

beforeAll(async () => {
  await useFreshDatabase('sora_usage');
  await ShopModel.create([
    { shopId: 'sg', name: 'Singapore shop', timeZone: 'Asia/Singapore' },
    { shopId: 'ny', name: 'New York shop', timeZone: 'America/New_York' },
    { shopId: 'big', name: 'Big shop', timeZone: 'UTC' },
  ]);
  await ConversationModel.insertMany([
    // sg, November 2026 in Singapore = [2026-10-31T16:00Z, 2026-11-30T16:00Z)
    conv('sg', '2026-11-30T20:00:00Z'), // December 1st 04:00 in Singapore: December
    conv('sg', '2026-10-31T17:00:00Z'), // November 1st 01:00 in Singapore: billable
    conv('sg', '2026-11-15T03:00:00Z', { intent: 'logistics_tracking', advancedTracking: true }), // billable, advanced
    conv('sg', '2026-11-15T03:00:00Z', { intent: 'unknown', closeReason: 'idle', resolved: false }), // no intent
    conv('sg', '2026-11-15T03:00:00Z', { intent: null, turns: 0, status: 'bot', closeReason: null, resolved: null }), // no intent
    conv('sg', '2026-11-15T03:00:00Z', { closeReason: 'idle', resolved: false }), // timeout
    conv('sg', '2026-11-15T03:00:00Z', { closeReason: 'idle', resolved: true }), // idle after an understood answer: billable
    conv('sg', '2026-11-15T03:00:00Z', { intent: 'unknown', advancedTracking: true }), // no intent: no add-on
    conv('sg', '2026-11-15T03:00:00Z', { closeReason: 'idle', resolved: null, advancedTracking: true }), // timeout: no add-on
    conv('sg', '2026-11-15T03:00:00Z', {
      intent: 'returns_exchange',
      handoffReason: 'human_request',
      closeReason: 'agent_idle',
      resolved: false,
    }), // billable
    // ny: 2026-11-30T20:00Z is Nov 30th 15:00 in New York; 2026-11-01T03:00Z is Oct 31st 23:00 (EDT)
    conv('ny', '2026-11-30T20:00:00Z'),
    conv('ny', '2026-11-01T03:00:00Z'),
    conv('ny', '2026-11-01T05:00:00Z', { advancedTracking: true }), // Nov 1st 01:00 EDT
  ]);
  await AgentModel.create([
    { _id: 'ana', name: 'Ana', role: 'agent', shopIds: ['sg'] },
    { _id: 'root', name: 'Root', role: 'admin', shopIds: ['sg'] },
    { _id: 'nyadmin', name: 'NY admin', role: 'admin', shopIds: ['ny'] },
  ]);
  for (const id of ['ana', 'root', 'nyadmin']) tokens[id] = (await createAgentToken(id, 'test')).token;
  const app = express();
  app.use(
    '/desk/api',
    deskRoutes({
      client: { options: { namespace: 'default' } } as unknown as Client,
      log: () => undefined,
      operatorToken: OPERATOR,
      sessionTtlMs: 3_600_000,
      billing: plan,
    }),
  );
  app.use(errorHandler(() => undefined));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/desk/api`;
});

afterAll(async () => {
  server?.close();
  await disconnectMongo();
});

describe('counting', () => {
  it("months are the shop's calendar months (DST included)", () => {
    expect(monthRange('2026-11', 'Asia/Singapore')).toEqual({
      start: new Date('2026-10-31T16:00:00Z'),
      end: new Date('2026-11-30T16:00:00Z'),
    });
    expect(monthRange('2026-11', 'America/New_York')).toEqual({
      start: new Date('2026-11-01T04:00:00Z'),
      end: new Date('2026-12-01T05:00:00Z'),
    });
    expect(monthRange('2026-12', 'UTC')).toEqual({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  });

  it('Singapore, November: 4 billable, 2 timeouts, 3 without intent, 1 advanced', async () => {
    const r = await usageReport('sg', '2026-11', plan, new Date('2027-01-10T00:00:00Z'));
    expect(r).toMatchObject({
      shopId: 'sg',
      month: '2026-11',
      timeZone: 'Asia/Singapore',
      conversations: 9,
      billable: 4,
      excluded: { timeouts: 2, noIntent: 3 },
      advancedTracking: 1,
      addOn: { count: 1, unitPrice: '0.005', amount: '0.005' },
      total: '0.005',
      currency: 'USD',
      runningEstimate: null,
    });
    expect(r!.tiers[0]).toEqual({ from: 1, to: 5000, count: 4, unitPrice: '0.00', amount: '0.00' });
  });

  it('the conversation of 2026-11-30T20:00Z is December in Singapore and November in New York', async () => {
    expect(await usageReport('sg', '2026-12', plan)).toMatchObject({ conversations: 1, billable: 1 });
    expect(await usageReport('ny', '2026-11', plan)).toMatchObject({ conversations: 2, billable: 2, advancedTracking: 1 });
    expect(await usageReport('ny', '2026-10', plan)).toMatchObject({ conversations: 1, billable: 1 });
    expect(await usageReport('nope', '2026-11', plan)).toBeNull();
  });

  it('the running estimate projects the month so far to its end', async () => {
    // Half of Singapore's November has passed: 4 billable → 8, 1 advanced → 2 ($0.01)
    const r = await usageReport('sg', '2026-11', plan, new Date('2026-11-15T16:00:00Z'));
    expect(r!.runningEstimate).toEqual({ asOf: '2026-11-15T16:00:00.000Z', billable: 8, advancedTracking: 2, total: '0.01' });
  });

  it('5,001 billable conversations cost one at $0.018 (counted, not loaded)', async () => {
    const docs = Array.from({ length: 5001 }, (_, i) => conv('big', `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`));
    docs.push(conv('big', '2026-11-02T12:00:00Z', { intent: 'unknown' }));
    await ConversationModel.insertMany(docs);
    const r = await usageReport('big', '2026-11', plan, new Date('2027-01-01T00:00:00Z'));
    expect(r).toMatchObject({ conversations: 5002, billable: 5001, excluded: { noIntent: 1, timeouts: 0 }, total: '0.018' });
    expect(r!.tiers.map((t) => t.count)).toEqual([5000, 1, 0]);
  });

  it('markAdvancedTracking marks the newest run of the workflow', async () => {
    const old = conv('ny', '2026-09-01T12:00:00Z');
    await ConversationModel.insertMany([old, { ...old, openedAt: new Date('2026-09-02T12:00:00Z') }]);
    await markAdvancedTracking(old.workflowId);
    const rows = await ConversationModel.find({ workflowId: old.workflowId }).sort({ openedAt: 1 }).lean();
    expect(rows.map((r) => r.advancedTracking)).toEqual([false, true]);
  });
});

describe('the trackParcel activity marks advanced tracking', () => {
  it('a carrier-source answer marks the calling conversation; an aggregator answer does not', async () => {
    const ups = await startCarrierServer((r) =>
      r.path === '/security/v1/oauth/token'
        ? { status: 200, body: { ...(fixture('ups', 'token') as object), access_token: 'tok' } }
        : { status: 200, body: fixture('ups', 'track-customs') },
    );
    const t17 = await startCarrierServer(seventeenTrackEcho);
    try {
      const [viaCarrier, viaAggregator] = [conv('trk', '2026-11-20T12:00:00Z'), conv('trk', '2026-11-20T12:00:00Z')];
      await ConversationModel.insertMany([viaCarrier, viaAggregator]);
      const input = { trackingNumber: '1Z999AA10123456784', shopId: 'trk' };
      const withUps = makeTrackParcel(
        { ups: { clientId: 'a', clientSecret: 'b', baseUrl: ups.url }, seventeenTrack: { apiKey: 'k', baseUrl: t17.url } },
        FAST,
      );
      const only17 = makeTrackParcel({ seventeenTrack: { apiKey: 'k', baseUrl: t17.url } }, FAST);
      const env = (workflowId: string) => new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'r1' } });
      expect(await env(viaCarrier.workflowId).run(withUps, input)).toMatchObject({ source: 'carrier' });
      expect(await env(viaAggregator.workflowId).run(only17, input)).toMatchObject({ source: 'aggregator' });
      const flags = await ConversationModel.find({ workflowId: { $in: [viaCarrier.workflowId, viaAggregator.workflowId] } }).lean();
      expect(Object.fromEntries(flags.map((f) => [f.workflowId, f.advancedTracking]))).toEqual({
        [viaCarrier.workflowId]: true,
        [viaAggregator.workflowId]: false,
      });
    } finally {
      await Promise.all([ups.close(), t17.close()]);
    }
  });
});

describe('sora usage', () => {
  const now = new Date('2027-01-10T00:00:00Z');
  it('prints a table, JSON or CSV', async () => {
    const text = await runUsageCommand({ shop: 'sg', month: '2026-11', format: 'text' }, plan, now);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('sg 2026-11 (Asia/Singapore');
    expect(text.stdout).toContain('billable 4, excluded 2 timeouts and 3 with no intent; advanced tracking 1');
    expect(text.stdout).toMatch(/tier\s+5001–20000\s+0\s+0\.018\s+0\.00/);
    expect(text.stdout).toContain('total 0.005 USD');
    const json = await runUsageCommand({ shop: 'sg', month: '2026-11', format: 'json' }, plan, now);
    expect(JSON.parse(json.stdout)).toMatchObject({ billable: 4, total: '0.005' });
    const csv = await runUsageCommand({ shop: 'sg', month: '2026-11', format: 'csv' }, plan, now);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('shop,month,time_zone,line,from,to,count,unit_price,amount,currency');
    expect(lines).toContain('sg,2026-11,Asia/Singapore,tier,1,5000,4,0.00,0.00,USD');
    expect(lines).toContain('sg,2026-11,Asia/Singapore,advanced_tracking,,,1,0.005,0.005,USD');
    expect(lines).toContain('sg,2026-11,Asia/Singapore,total,,,4,,0.005,USD');
  });
  it('refuses a bad month and an unknown shop', async () => {
    expect(await runUsageCommand({ shop: 'sg', month: '2026-13', format: 'text' }, plan)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('YYYY-MM'),
    });
    expect(await runUsageCommand({ shop: 'nope', month: '2026-11', format: 'text' }, plan)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no shop "nope"'),
    });
  });
});

describe('GET /desk/api/usage', () => {
  const get = (token: string | null, q: string) =>
    fetch(`${base}/usage?${q}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('an admin of the shop reads it (JSON and CSV); an operator reads any shop', async () => {
    const r = await get(tokens.root!, 'shop=sg&month=2026-11');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      shopId: 'sg',
      billable: 4,
      excluded: { timeouts: 2, noIntent: 3 },
      advancedTracking: 1,
      total: '0.005',
    });
    const csv = await get(tokens.root!, 'shop=sg&month=2026-11&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain('sg,2026-11,Asia/Singapore,total,,,4,,0.005,USD');
    expect(await (await get(OPERATOR, 'shop=ny&month=2026-11')).json()).toMatchObject({ billable: 2 });
  });

  it('401 without a credential, 403 for an agent, 404 for a shop not seen, 422 for bad parameters', async () => {
    expect((await get(null, 'shop=sg&month=2026-11')).status).toBe(401);
    expect((await get(tokens.ana!, 'shop=sg&month=2026-11')).status).toBe(403);
    expect((await get(tokens.nyadmin!, 'shop=sg&month=2026-11')).status).toBe(404);
    expect((await get(OPERATOR, 'shop=nope&month=2026-11')).status).toBe(404);
    const bad = await get(tokens.root!, 'shop=sg&month=11-2026&format=xml');
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: { message?: string } } & Record<string, unknown>;
    expect(JSON.stringify(body)).toContain('month: must be YYYY-MM');
    expect(JSON.stringify(body)).toContain('format: must be json or csv');
    expect((await get(tokens.root!, 'month=2026-11')).status).toBe(422);
  });
});
