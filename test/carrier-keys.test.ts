/**
 * Per-shop carrier keys with expiry: the store (90-day default, validation, no secrets shown),
 * tracking with shop keys (an expired key → 17TRACK, saying so) against local carrier servers, the
 * expiry alert exactly at T−72 h on the time-skipping test server (audit → watch → alert, once),
 * the health endpoints, and the daily Schedule created idempotently on the dev server.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { temporalClient } from '../infra/temporal/connection.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { carrierKeyHealth, makeAlertCarrierKeyExpiry } from '../activities/logistics/carrier-key-alerts.js';
import {
  CarrierKeyError,
  credentialsForShop,
  listCarrierKeys,
  setCarrierKey as storeCarrierKey,
  type SetCarrierKeyInput,
} from '../activities/logistics/carrier-keys.js';
import { makeTrackParcel } from '../activities/logistics/activity.js';
import { detectCarriers } from '../activities/logistics/carriers.js';
import type { Understanding } from '../activities/understanding/understand.js';
import { liveAnswer } from '../activities/messaging/live-answers.js';
import { LOGISTICS_CATALOGS } from '../activities/catalog/logistics-messages.js';
import { startGateway, type Gateway } from '../bots/gateway.js';
import { operatorServices } from '../scripts/operator-services.js';
import { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { CarrierCredentialModel } from '../models/carrier-credential.js';
import { disconnectMongo } from '../models/connection.js';
import { NotificationModel } from '../models/notification.js';
import { ShopModel } from '../models/shop.js';
import { ensureCarrierKeyAuditSchedule } from '../scripts/carrier-key-schedule.js';
import { paths } from '../infra/paths.js';
import { workflowBundle } from '../scripts/worker.js';
import { conversationConfig, taskQueues } from '../temporal.config.js';
import { defaultStrategy } from '../workflows/contract.js';
import { loadConfig } from '../infra/config/index.js';
import { carrierKeyAudit, type CarrierKeyAuditResult } from '../workflows/carrier-key-audit.js';
import { carrierKeyWatchId } from '../activities/logistics/carrier-key-watches.js';
import { FAST, fixture, startCarrierServer, type CarrierServer, type Handler, seventeenTrackEcho } from './kit/carrier-server.js';
import { eventually, sleep, testSecrets, useFreshDatabase } from './setup/helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const settings = loadConfig({}).carriers.keys;
/** The master key the shop keys are sealed with (infra/secrets). */
const secrets = testSecrets();
const setCarrierKey = (input: Omit<SetCarrierKeyInput, 'secrets'>) => storeCarrierKey({ ...input, secrets });

const servers: CarrierServer[] = [];
async function serve(handler: Handler): Promise<CarrierServer> {
  const s = await startCarrierServer(handler);
  servers.push(s);
  return s;
}

/** 17TRACK stand-in: every number is registered and answers the fixture's events. */
function seventeenTrack() {
  return serve(seventeenTrackEcho);
}

/** A DHL Express waybill whose mod-7 check digit is valid (so detection picks DHL, not 17TRACK). */
const DHL_NUMBER = '1234567891';

beforeAll(async () => {
  await useFreshDatabase('sora_carrier_keys');
  const shops = [
    'ttl',
    's',
    'nobody',
    'st-ok',
    'st-soon',
    'st-gone',
    'live-shop',
    'exp-shop',
    'watch',
    'watch-far',
    'watch-rot',
    'http-shop',
  ];
  await ShopModel.insertMany(shops.map((shopId) => ({ shopId, name: shopId })));
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await disconnectMongo();
});

describe('carrier key store', () => {
  it('a key set without an expiry expires after SORA_CARRIER_KEY_TTL_DAYS (default 90 days)', async () => {
    expect(settings).toEqual({ ttlDays: 90, warnHours: 72, auditCron: '0 6 * * *' });
    const now = new Date('2030-01-10T12:00:00Z');
    const v = await setCarrierKey({ shopId: 'ttl', carrier: 'DHL', apiKey: 'dhl-secret-1', now, settings });
    expect(v).toMatchObject({ carrier: 'dhl', status: 'ok', rotated: false, fields: ['apiKey'] });
    expect(v.expiresAt).toBe(new Date(now.getTime() + 90 * DAY).toISOString());
    const custom = await setCarrierKey({
      shopId: 'ttl',
      carrier: 'ups',
      clientId: 'id',
      clientSecret: 's',
      now,
      settings: loadConfig({ SORA_CARRIER_KEY_TTL_DAYS: '30' }).carriers.keys,
    });
    expect(custom.expiresAt).toBe('2030-02-09T12:00:00.000Z');
    const dated = await setCarrierKey({ shopId: 'ttl', carrier: 'fedex', clientId: 'i', clientSecret: 's', expiresAt: '2030-03-01', now });
    expect(dated.expiresAt).toBe('2030-03-01T00:00:00.000Z');
  });

  it('rotation replaces the key, sets a new expiry and rotatedAt; nothing shown contains a secret', async () => {
    const t0 = new Date('2030-01-10T12:00:00Z');
    const t1 = new Date('2030-03-01T08:00:00Z');
    const v = await setCarrierKey({ shopId: 'ttl', carrier: 'dhl', apiKey: 'dhl-secret-2', now: t1, mustExist: true, settings });
    expect(v).toMatchObject({ rotated: true, rotatedAt: t1.toISOString(), expiresAt: new Date(t1.getTime() + 90 * DAY).toISOString() });
    const listed = await listCarrierKeys({ shopId: 'ttl', now: t0, secrets });
    expect(listed.map((k) => k.carrier)).toEqual(['dhl', 'fedex', 'ups']);
    const shown = JSON.stringify([v, listed, (await CarrierCredentialModel.findOne({ shopId: 'ttl', carrier: 'dhl' }))!.toJSON()]);
    expect(shown).not.toContain('dhl-secret');
    expect(v.fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });

  it('status and days left: ok, expiring within 72 h, expired', async () => {
    const now = new Date('2030-05-01T00:00:00Z');
    const base = { carrier: 'dhl', apiKey: 'k', now: new Date('2030-04-01T00:00:00Z'), settings };
    await setCarrierKey({ ...base, shopId: 'st-ok', expiresAt: new Date(now.getTime() + 10 * DAY + HOUR) });
    await setCarrierKey({ ...base, shopId: 'st-soon', expiresAt: new Date(now.getTime() + 72 * HOUR) });
    await setCarrierKey({ ...base, shopId: 'st-gone', expiresAt: new Date(now.getTime() - 2 * HOUR) });
    const byShop = Object.fromEntries((await listCarrierKeys({ now })).map((k) => [k.shopId, k]));
    expect(byShop['st-ok']).toMatchObject({ status: 'ok', daysLeft: 10 });
    expect(byShop['st-soon']).toMatchObject({ status: 'expiring', daysLeft: 3, hoursLeft: 72 });
    expect(byShop['st-gone']).toMatchObject({ status: 'expired', daysLeft: -1 });
  });

  it('bad input fails with a message that says what to fix', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const bad = (input: Parameters<typeof setCarrierKey>[0]) => setCarrierKey({ now, settings, ...input }).catch((e: unknown) => e);
    const cases: [Parameters<typeof setCarrierKey>[0], RegExp][] = [
      [{ shopId: 's', carrier: 'royal-mail', apiKey: 'k' }, /unknown carrier "royal-mail".*dhl, ups, fedex, usps, 17track/],
      [{ shopId: 's', carrier: 'dhl' }, /dhl needs an API key/],
      [{ shopId: 's', carrier: 'ups', clientId: 'x' }, /ups needs an OAuth client id and secret/],
      [{ shopId: 's', carrier: 'ups', apiKey: 'k', clientId: 'x', clientSecret: 'y' }, /not an API key/],
      [{ shopId: 's', carrier: 'dhl', apiKey: 'k', expiresAt: '2029-12-31' }, /not in the future/],
      [{ shopId: 's', carrier: 'dhl', apiKey: 'k', expiresAt: 'next tuesday' }, /not a date/],
      [{ shopId: 's', carrier: 'dhl', apiKey: 'k', baseUrl: 'ftp://x' }, /not an http\(s\) URL/],
      [{ shopId: ' ', carrier: 'dhl', apiKey: 'k' }, /shop id is required/],
      [{ shopId: 'ghost', carrier: 'dhl', apiKey: 'k' }, /no shop "ghost"/],
      [{ shopId: 'nobody', carrier: 'dhl', apiKey: 'k', mustExist: true }, /no dhl key to rotate/],
    ];
    for (const [input, message] of cases) {
      const e = await bad(input);
      expect(e, JSON.stringify(input)).toBeInstanceOf(CarrierKeyError);
      expect(String(e)).toMatch(message);
    }
    expect(() => loadConfig({ SORA_CARRIER_KEY_TTL_DAYS: '-3' })).toThrow(/SORA_CARRIER_KEY_TTL_DAYS: "-3" must be > 0/);
    expect(() => loadConfig({ SORA_CARRIER_KEY_AUDIT_CRON: 'daily' })).toThrow(
      /SORA_CARRIER_KEY_AUDIT_CRON: "daily" is not a cron expression/,
    );
  });
});

describe('tracking with shop keys', () => {
  it('a live shop key is used for the carrier API, over the environment', async () => {
    expect(detectCarriers(DHL_NUMBER)[0]).toMatchObject({ checkDigit: 'valid', carrier: { id: 'dhl-express' } });
    const [dhl, envDhl, t17] = [
      await serve(() => ({ status: 200, body: fixture('dhl', 'shipment-customs-hold') })),
      await serve(() => ({ status: 500, body: 'env key must not be used' })),
      await seventeenTrack(),
    ];
    await setCarrierKey({ shopId: 'live-shop', carrier: 'dhl', apiKey: 'shop-dhl-key', baseUrl: dhl.url, settings });
    const track = makeTrackParcel(
      { dhl: { apiKey: 'env-key', baseUrl: envDhl.url }, seventeenTrack: { apiKey: 'k', baseUrl: t17.url } },
      FAST,
      secrets,
    );
    const r = await track({ trackingNumber: DHL_NUMBER, shopId: 'live-shop' });
    expect(r).toMatchObject({ carrier: 'dhl-express', source: 'carrier' });
    expect(dhl.requests[0]!.headers['dhl-api-key']).toBe('shop-dhl-key');
    expect(envDhl.requests).toHaveLength(0);
    // Without a shop: the environment's key, as before.
    await track({ trackingNumber: DHL_NUMBER }).catch(() => undefined);
    expect(envDhl.requests.length).toBeGreaterThan(0);
  });

  it('an expired shop key sends the parcel to 17TRACK and the result says why', async () => {
    const [dhl, t17] = [await serve(() => ({ status: 200, body: fixture('dhl', 'shipment-customs-hold') })), await seventeenTrack()];
    const now = Date.now();
    await setCarrierKey({ shopId: 'exp-shop', carrier: 'dhl', apiKey: 'old', baseUrl: dhl.url, now: new Date(now - 91 * DAY), settings });
    const creds = await credentialsForShop('exp-shop', {
      secrets,
      base: { dhl: { apiKey: 'env', baseUrl: dhl.url }, seventeenTrack: { apiKey: 'k', baseUrl: t17.url } },
    });
    expect(creds.dhl).toBeUndefined(); // not the environment's key either
    expect(creds.expired?.dhl).toBe(new Date(now - DAY).toISOString());
    const r = await makeTrackParcel(
      { dhl: { apiKey: 'env', baseUrl: dhl.url }, seventeenTrack: { apiKey: 'k', baseUrl: t17.url } },
      FAST,
      secrets,
    )({
      trackingNumber: DHL_NUMBER,
      shopId: 'exp-shop',
    });
    expect(r).toMatchObject({ carrier: 'dhl-express', source: 'aggregator', fallbackCause: 'credentials_expired' });
    expect(r.fallbackReason).toMatch(/DHL API key expired on .*tracked via 17TRACK/);
    expect(dhl.requests).toHaveLength(0);
    expect(JSON.parse(t17.requests[0]!.body)).toEqual([{ number: DHL_NUMBER, carrier: 100001 }]);
  });

  it('the buyer’s answer says the update comes from 17TRACK (in the buyer’s language)', async () => {
    const t17 = await seventeenTrack();
    // The worker's own credentials (config.carriers.credentials): 17TRACK only.
    const live = {
      carrierCredentials: loadConfig({ SORA_17TRACK_API_KEY: 'k', SORA_17TRACK_BASE_URL: t17.url }).carriers.credentials,
      secrets,
    };
    const u: Understanding = {
      language: 'es',
      intent: 'logistics_tracking',
      confidence: 0.9,
      faqId: null,
      understood: true,
      complaint: false,
      humanRequest: false,
      orderNumbers: [],
      trackingNumbers: [DHL_NUMBER],
      skus: [],
      countries: [],
    };
    const es = await liveAnswer('exp-shop', u, 'es', live);
    expect(es?.text).toContain(LOGISTICS_CATALOGS.es!.viaAggregator.replace('{carrier}', 'DHL Express'));
    const en = await liveAnswer('exp-shop', u, 'en', live);
    expect(en?.text).toMatch(/This update comes from 17TRACK.*direct connection to DHL Express/);
    // A shop without its own key: no note (the environment has no DHL key; that fallback is not new).
    expect((await liveAnswer('other-shop', u, 'en', live))?.text).not.toMatch(/17TRACK/);
  });

  it('every catalog language has the 17TRACK note with the carrier placeholder', () => {
    for (const [lang, c] of Object.entries(LOGISTICS_CATALOGS)) {
      expect(c.viaAggregator, lang).toContain('{carrier}');
      expect(c.viaAggregator, lang).toContain('17TRACK');
    }
    expect(new Set(Object.values(LOGISTICS_CATALOGS).map((c) => c.viaAggregator)).size).toBeGreaterThanOrEqual(9);
  });
});

describe('expiry alerts on workflow timers (time skipping)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let webhook: CarrierServer;
  const taskQueue = `${taskQueues.conversations}-keys`;

  beforeAll(async () => {
    webhook = await serve(() => ({ status: 200, body: { ok: true } }));
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: paths.temporalTestServerBin } },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ registry: new ChannelRegistry(), alertWebhookUrl: webhook.url, temporalClient: env.client, secrets }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  /**
   * Start an audit and wait for it without unlocking time skipping (handle.result() would let the
   * server jump to the next watch timer), then read its result from the history.
   */
  async function audit(id: string): Promise<CarrierKeyAuditResult> {
    const h = await env.client.workflow.start(carrierKeyAudit, { taskQueue, workflowId: id, args: [{ warnHours: 72 }] });
    await eventually(async () => (await h.describe()).status.name === 'COMPLETED', 30_000, `audit ${id}`);
    const events = (await h.fetchHistory()).events ?? [];
    const done = events.find((e) => e.workflowExecutionCompletedEventAttributes)!;
    return defaultPayloadConverter.fromPayload(done.workflowExecutionCompletedEventAttributes!.result!.payloads![0]!);
  }
  const serverNow = async () => new Date(await env.currentTimeMs());
  const sleepUntil = async (t: number) => env.sleep(t - (await env.currentTimeMs()));
  const alerts = (shopId: string, kind: 'carrier_key_expiring' | 'carrier_key_expired') => NotificationModel.find({ shopId, kind }).lean();

  it('alerts exactly at T−72 h (not a minute before), once, then at T when expired', async () => {
    const t0 = await serverNow();
    const T = t0.getTime() + 80 * HOUR + 17_345; // not on a round hour: the alert follows the key, not the audit
    const warnAt = T - 72 * HOUR;
    await setCarrierKey({ shopId: 'watch', carrier: 'dhl', apiKey: 'k', expiresAt: new Date(T), now: t0, settings });
    // A second key, rotated before its alert is due: its watch ends without alerting.
    await setCarrierKey({
      shopId: 'watch-rot',
      carrier: 'ups',
      clientId: 'i',
      clientSecret: 's',
      expiresAt: new Date(T + HOUR),
      now: t0,
      settings,
    });
    // Far from expiry: no watch yet.
    await setCarrierKey({ shopId: 'watch-far', carrier: 'dhl', apiKey: 'k', now: t0, settings });

    const watchId = carrierKeyWatchId({ shopId: 'watch', carrier: 'dhl', expiresAt: new Date(T).toISOString() });
    const first = await audit('audit-1');
    const rotWatchId = carrierKeyWatchId({ shopId: 'watch-rot', carrier: 'ups', expiresAt: new Date(T + HOUR).toISOString() });
    expect(first.watchesStarted).toEqual(expect.arrayContaining([watchId, rotWatchId]));
    expect(first.watchesStarted.some((w) => w.includes('watch-far'))).toBe(false);

    // One minute before T−72 h: nothing yet.
    await sleepUntil(warnAt - 60_000);
    await setCarrierKey({
      shopId: 'watch-rot',
      carrier: 'ups',
      clientId: 'i2',
      clientSecret: 's2',
      now: await serverNow(),
      mustExist: true,
      settings,
    });
    await sleep(1500); // real time for a (wrong) early alert to show up
    expect(await alerts('watch', 'carrier_key_expiring')).toHaveLength(0);
    expect((await CarrierCredentialModel.findOne({ shopId: 'watch' }).lean())!.alerts?.expiringAt ?? null).toBeNull();

    // At T−72 h: the alert, recorded, on the webhook, at the workflow time it was due.
    await env.sleep(60_000);
    const [n] = await eventually(
      async () => {
        const a = await alerts('watch', 'carrier_key_expiring');
        return a.length ? a : null;
      },
      30_000,
      'the expiring alert',
    );
    expect(n).toMatchObject({ carrier: 'dhl', channel: null, delivered: true });
    expect(n!.dueAt!.getTime()).toBe(warnAt);
    expect(n!.expiresAt!.getTime()).toBe(T);
    expect(n!.reason).toMatch(/DHL API key of shop watch expires on .* \(in 72 h\)/);
    const alertedAt = (await CarrierCredentialModel.findOne({ shopId: 'watch' }).lean())!.alerts!.expiringAt!.getTime();
    expect(alertedAt).toBeGreaterThanOrEqual(warnAt);
    expect(alertedAt).toBeLessThan(warnAt + 60_000);
    // The watch's only timers end exactly at T−72 h (then at T).
    const history = await env.client.workflow.getHandle(watchId).fetchHistory();
    const scheduled = (history.events ?? []).find((e) => e.activityTaskScheduledEventAttributes);
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
      Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
    expect(ms(scheduled!.eventTime)).toBeGreaterThanOrEqual(warnAt);
    const posts = webhook.requests.filter((r) => JSON.parse(r.body).kind === 'carrier_key_expiring');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers['idempotency-key']).toBe(n!.key);

    // The next day's audit: the watch exists, nothing is alerted again; a retried activity does nothing either.
    await env.sleep(DAY - 60_000);
    const second = await audit('audit-2');
    expect(second.alreadyWatched).toContain(watchId);
    expect(second.watchesStarted).toEqual([]);
    const again = await makeAlertCarrierKeyExpiry(webhook.url)({
      shopId: 'watch',
      carrier: 'dhl',
      expiresAt: new Date(T).toISOString(),
      kind: 'expiring',
      dueAt: new Date(warnAt).toISOString(),
      now: new Date().toISOString(),
    });
    expect(again).toMatchObject({ alerted: false, skipped: 'already_alerted' });
    expect(await alerts('watch', 'carrier_key_expiring')).toHaveLength(1);
    expect(webhook.requests.filter((r) => JSON.parse(r.body).kind === 'carrier_key_expiring')).toHaveLength(1);

    // The rotated key never alerted.
    expect(await NotificationModel.countDocuments({ shopId: 'watch-rot' })).toBe(0);

    // At T: the expired alert; the watch completes; later audits skip the key.
    await sleepUntil(T);
    const expired = await eventually(async () => (await alerts('watch', 'carrier_key_expired'))[0], 30_000, 'the expired alert');
    expect(expired.dueAt!.getTime()).toBe(T);
    expect(expired.reason).toMatch(/tracked via 17TRACK until a new key is set/);
    await eventually(async () => (await env.client.workflow.getHandle(watchId).describe()).status.name === 'COMPLETED');
    const third = await audit('audit-3');
    expect(third.watchesStarted.concat(third.alreadyWatched).some((w) => w.includes(':watch:'))).toBe(false);
    expect(await NotificationModel.countDocuments({ shopId: 'watch' })).toBe(2);
  });
});

describe('health', () => {
  let gateway: Gateway;
  let connection: Connection;

  beforeAll(async () => {
    const c = await temporalClient({ address: inject('temporalAddress'), namespace: 'default' }, { lazy: false });
    connection = c.connection;
    const client = c.client;
    const intake = new Intake({ client, connection, conversationConfig: conversationConfig(), signalDeadlineMs: 5000, log: () => {} });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      registry: new ChannelRegistry(),
      intake,
      client,
      operatorToken: 'op-token',
      operator: operatorServices(defaultStrategy(conversationConfig())),
      log: () => {},
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await connection?.close();
  });

  it('per shop: ok / expiring / expired, worst first, no secrets', async () => {
    const now = new Date('2030-05-01T00:00:00Z');
    const h = await carrierKeyHealth({ now, settings });
    const byShop = Object.fromEntries(h.shops.map((s) => [s.shopId, s]));
    expect(byShop['st-ok']?.status).toBe('ok');
    expect(byShop['st-soon']).toMatchObject({ status: 'expiring', keys: [{ carrier: 'dhl', status: 'expiring', daysLeft: 3 }] });
    expect(byShop['st-gone']?.status).toBe('expired');
    expect(h.status).toBe('expired');
    expect(h.counts.expired).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(h)).not.toMatch(/secret|apiKey/i);
  });

  it('GET /operator/health/carrier-keys (operator token) and the summary in /healthz', async () => {
    await setCarrierKey({ shopId: 'http-shop', carrier: '17track', apiKey: 'k', expiresAt: new Date(Date.now() + 24 * HOUR), settings });
    expect((await fetch(`${gateway.url}/operator/health/carrier-keys`)).status).toBe(401);
    const res = await fetch(`${gateway.url}/operator/health/carrier-keys?shop=http-shop`, {
      headers: { authorization: 'Bearer op-token' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Awaited<ReturnType<typeof carrierKeyHealth>>;
    expect(body).toMatchObject({
      status: 'expiring',
      shops: [{ shopId: 'http-shop', status: 'expiring', keys: [{ carrier: '17track', daysLeft: 0 }] }],
    });
    const health = (await (await fetch(`${gateway.url}/healthz`)).json()) as { carrierKeys: { status: string; expired: number } };
    expect(health.carrierKeys.status).toBe('expired');
    expect(health.carrierKeys.expired).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(health)).not.toContain('http-shop');
  });
});

describe('the daily audit Schedule', () => {
  it('is created once and updated in place on the next start', async () => {
    const { client, connection } = await temporalClient({ address: inject('temporalAddress'), namespace: 'default' }, { lazy: false });
    const scheduleId = `sora-carrier-key-audit-test-${randomUUID().slice(0, 8)}`;
    try {
      expect(await ensureCarrierKeyAuditSchedule(client, { scheduleId })).toEqual({ scheduleId, outcome: 'created' });
      const d1 = await client.schedule.getHandle(scheduleId).describe();
      expect(d1.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: carrierKeyAudit.name,
        taskQueue: taskQueues.conversations,
        args: [{ warnHours: 72 }],
      });
      expect(d1.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6 }], minute: [{ start: 0, end: 0 }] });
      expect(d1.policies.overlap).toBe('SKIP');

      const before = Date.now();
      expect(await ensureCarrierKeyAuditSchedule(client, { scheduleId, cron: '30 7 * * *', warnHours: 96 })).toEqual({
        scheduleId,
        outcome: 'updated',
      });
      const d2 = await client.schedule.getHandle(scheduleId).describe();
      expect(d2.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7 }], minute: [{ start: 30, end: 30 }] });
      expect(d2.action).toMatchObject({ args: [{ warnHours: 96 }] });
      expect(d2.info.nextActionTimes[0]!.getTime()).toBeGreaterThan(before);
      const ids: string[] = [];
      for await (const s of client.schedule.list()) if (s.scheduleId === scheduleId) ids.push(s.scheduleId);
      expect(ids.length).toBeLessThanOrEqual(1); // the list is eventually consistent; never two
    } finally {
      await client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
      await connection.close();
    }
  });
});
