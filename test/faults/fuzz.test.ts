/**
 * Fuzz pass: at least 10,000 generated bad requests (test/faults/requests.ts) across every HTTP route
 * of a gateway running every HTTP channel (web chat, WhatsApp Cloud, TikTok, Telegram webhook, Bot
 * Framework), each platform played by its local fake, plus the operator API behind a token.
 *
 * Asserted: no answer is 5xx (or no answer at all), and nothing is written to MongoDB (every
 * collection's content is the same before and after). Routes, from the code: bots/webchat.ts,
 * bots/whatsapp-cloud/adapter.ts, bots/tiktok/adapter.ts, bots/telegram/adapter.ts,
 * bots/botframework/adapter.ts, bots/operator.ts, bots/gateway.ts (/healthz, 404), and the web chat
 * session route (POST /webchat/:shopId/sessions: a session it creates is a write, so that route
 * gets only malformed requests here).
 *
 * Seed: SORA_FUZZ_SEED (default: a fixed one, printed); size: SORA_FUZZ_RUNS (default 10,500).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BotFrameworkAdapter } from '../../bots/botframework/adapter.js';
import { SECRET_HEADER, TelegramAdapter } from '../../bots/telegram/adapter.js';
import { TiktokAdapter } from '../../bots/tiktok/adapter.js';
import { WebchatAdapter } from '../../bots/webchat.js';
import { WhatsappCloudAdapter } from '../../bots/whatsapp-cloud/adapter.js';
import { signBody } from '../../bots/whatsapp-cloud/webhook.js';
import { loadConfig } from '../../infra/config/index.js';
import { webhookSignature } from '../../infra/platforms/tiktok/signing.js';
import { disconnectMongo } from '../../models/connection.js';
import { ShopModel } from '../../models/shop.js';
import { startApp, type App } from '../../scripts/app.js';
import { startFakeGraph, type FakeGraph } from '../fakes/whatsapp-graph.js';
import { startFakeTiktok, type FakeTiktok } from '../fakes/tiktok-partner.js';
import { startLocalBotFramework, type LocalBotFramework } from '../setup/botframework-platform.js';
import { startLocalBotApi, type LocalBotApi } from '../setup/telegram-bot-api.js';
import { privateTextUpdate } from '../setup/telegram-updates.js';
import { botFrameworkFixture } from '../setup/botframework-activities.js';
import { useFreshDatabase } from '../setup/helpers.js';
import { badCredential, broken, clean, garbageBody, oddSegment, withBody, type FuzzRequest, type RouteSpec } from './requests.js';

const RUNS = Number(process.env.SORA_FUZZ_RUNS ?? 10_500);
const SEED = Number(process.env.SORA_FUZZ_SEED ?? 20261205);
const CONCURRENCY = 8;
const OPERATOR_TOKEN = 'fuzz-operator-token-0123456789abcdef';
const TG_TOKEN = '7000000002:AAH-fuzz-local-token-0123456789';
const TG_SECRET = 'fuzz_webhook-secret-1';
const WA_SECRET = 'fuzz-app-secret';
const WA_TOKEN = 'EAAG-fuzz-token';
const WA_PHONE = '106540352242922';
const TT_KEY = 'fuzz-app-key';
const TT_SECRET = 'fuzz-app-secret';
const TT_SHOP = '7494049642642441621';
const fixture = (p: string) => JSON.parse(readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** Every collection's documents, hashed: "nothing written" means the same hashes before and after. */
async function databaseState(): Promise<Record<string, { count: number; hash: string }>> {
  const db = mongoose.connection.db!;
  const out: Record<string, { count: number; hash: string }> = {};
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find().sort({ _id: 1 }).toArray();
    out[name] = { count: docs.length, hash: createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16) };
  }
  return out;
}

/** The first failure of each (status, route). */
function firstPerKind(failures: string[]): string[] {
  const seen = new Set<string>();
  return failures.filter((f) => {
    const k = f.slice(0, f.indexOf(':'));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

describe('fuzz: generated bad requests on every HTTP route', () => {
  let app: App;
  let graph: FakeGraph;
  let tiktok: FakeTiktok;
  let telegram: LocalBotApi;
  let bf: LocalBotFramework;

  beforeAll(async () => {
    const mongoUri = await useFreshDatabase('sora_faults_fuzz');
    for (const shopId of ['demo', 'shop-b'])
      await ShopModel.updateOne({ shopId }, { $setOnInsert: { shopId, name: shopId, defaultLanguage: 'en' } }, { upsert: true });
    [graph, tiktok, telegram, bf] = await Promise.all([
      startFakeGraph(WA_TOKEN),
      startFakeTiktok(TT_KEY, TT_SECRET),
      startLocalBotApi(TG_TOKEN),
      startLocalBotFramework(),
    ]);
    app = await startApp({
      config: loadConfig({ SORA_OPERATOR_TOKEN: OPERATOR_TOKEN, SORA_LOG_LEVEL: 'ERROR', SORA_CARRIER_KEY_AUDIT: 'off' }),
      mongoUri,
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      worker: false,
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new WebchatAdapter({ pollMs: 60_000 }),
        new WhatsappCloudAdapter({
          appSecret: WA_SECRET,
          verifyToken: 'fuzz-verify',
          accessToken: WA_TOKEN,
          shops: { [WA_PHONE]: 'demo' },
          graphUrl: graph.url,
          graphVersion: 'v21.0',
        }),
        new TiktokAdapter({ appKey: TT_KEY, appSecret: TT_SECRET, shops: { [TT_SHOP]: 'demo' }, apiUrl: tiktok.url, authUrl: tiktok.url }),
        new TelegramAdapter({
          token: TG_TOKEN,
          shopId: 'demo',
          mode: 'webhook',
          webhookSecret: TG_SECRET,
          apiRoot: telegram.apiRoot,
          typing: false,
        }),
        new BotFrameworkAdapter({
          shopId: 'demo',
          appId: bf.appId,
          appPassword: bf.appPassword,
          appType: 'MultiTenant',
          endpoints: { openIdMetadataUrl: bf.openIdMetadataUrl, loginUrl: bf.loginUrl },
        }),
      ],
    });
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all([graph?.close(), tiktok?.close(), telegram?.close(), bf?.close()]);
    await disconnectMongo();
  });

  function routes(): RouteSpec[] {
    const shop = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('demo', 'shop-b') }, { weight: 3, arbitrary: oddSegment });
    const operatorAuth = fc.oneof(
      { weight: 3, arbitrary: badCredential.map((a) => ({ authorization: a })) },
      { weight: 2, arbitrary: fc.constant({ authorization: `Bearer ${OPERATOR_TOKEN}` }) },
    );
    const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const webchatPost = { buyerId: 'fuzz-buyer', messageId: 'm1', text: 'How long does shipping take?' };
    const badWebchat = fc.oneof(
      broken(webchatPost, [['buyerId'], ['messageId'], ['text']]),
      fc.constantFrom(
        { ...webchatPost, buyerId: '' },
        { ...webchatPost, buyerId: 'bad id!' },
        { ...webchatPost, buyerId: 'b'.repeat(129) },
        { ...webchatPost, buyerId: '../../etc' },
        { ...webchatPost, messageId: '   ' },
        { ...webchatPost, messageId: 'm'.repeat(129) },
        { ...webchatPost, text: '' },
        { ...webchatPost, text: '   \n\t ' },
        { ...webchatPost, text: 't'.repeat(4097) },
      ),
    );
    const json = (v: unknown) => JSON.stringify(v);

    // Telegram: a real update (fixture) with one required field broken, sent with the right secret.
    const tgUpdate = privateTextUpdate(5544332211, 52, 'hello', 42) as unknown as Record<string, unknown>;
    const tgBroken = broken(tgUpdate, [
      ['message'],
      ['message', 'message_id'],
      ['message', 'from'],
      ['message', 'from', 'id'],
      ['message', 'from', 'is_bot'],
      ['message', 'chat'],
      ['message', 'chat', 'id'],
      ['message', 'chat', 'type'],
      ['message', 'date'],
      ['message', 'text'],
    ]).map(json);
    const tgSecret = fc.oneof(
      { weight: 2, arbitrary: fc.constant(TG_SECRET) },
      { weight: 3, arbitrary: badCredential.map((c) => c?.replace(/^Bearer /, '')) },
    );
    // WhatsApp Cloud: Meta's documented text message with one required field broken, signed right (or forged).
    const wa = fixture('whatsapp-cloud/text-message.json');
    const v = ['entry', '0', 'changes', '0', 'value'];
    const waBroken = broken(wa, [
      ['object'],
      ['entry'],
      ['entry', '0', 'changes'],
      [...v],
      [...v, 'metadata'],
      [...v, 'metadata', 'phone_number_id'],
      [...v, 'messages'],
      [...v, 'messages', '0'],
      [...v, 'messages', '0', 'from'],
      [...v, 'messages', '0', 'id'],
      [...v, 'messages', '0', 'type'],
      [...v, 'messages', '0', 'text'],
      [...v, 'messages', '0', 'text', 'body'],
    ]).map(json);
    const waSig = (body: string | Buffer) =>
      fc.oneof(
        { weight: 2, arbitrary: fc.constant(signBody(body, WA_SECRET)) },
        { weight: 1, arbitrary: fc.constant(signBody(body, 'not-the-secret')) },
        { weight: 2, arbitrary: badCredential },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'sha256=',
            'sha256=zz',
            'sha1=abc',
            'sha256=' + '0'.repeat(64),
            'SHA256=' + signBody(body, WA_SECRET).slice(7),
          ),
        },
      );
    // TikTok: the documented New message event with one required field broken, signed right (or forged).
    const tt = fixture('tiktok/new-message-text.json');
    const ttBroken = broken(tt, [
      ['type'],
      ['shop_id'],
      ['data'],
      ['data', 'content'],
      ['data', 'conversation_id'],
      ['data', 'message_id'],
      ['data', 'type'],
      ['data', 'sender'],
      ['data', 'sender', 'im_user_id'],
      ['data', 'sender', 'role'],
    ]).map(json);
    const ttSig = (body: string | Buffer) =>
      fc.oneof(
        { weight: 2, arbitrary: fc.constant(webhookSignature(body, TT_KEY, TT_SECRET)) },
        { weight: 1, arbitrary: fc.constant(webhookSignature(body, TT_KEY, 'not-the-secret')) },
        { weight: 2, arbitrary: badCredential },
      );
    // Bot Framework: the saved Web Chat activity with one required field broken; a valid channel token (or none, or a forged one).
    const act = botFrameworkFixture<Record<string, unknown>>('activity-message-webchat.json');
    const bfBroken = fc
      .tuple(
        broken({ ...act, serviceUrl: bf.serviceUrl }, [
          ['type'],
          ['id'],
          ['channelId'],
          ['serviceUrl'],
          ['from'],
          ['from', 'id'],
          ['conversation'],
          ['conversation', 'id'],
          ['text'],
        ]),
        fc.constantFrom('message', 'conversationUpdate', 'invoke', 'typing', 'event', 'message'),
      )
      .map(([a, type]) => json(typeof (a as { type?: unknown }).type === 'string' ? { ...(a as object), type } : a));
    const bfAuth = fc.oneof(
      { weight: 2, arbitrary: fc.constant(() => `Bearer ${bf.channelToken()}`) },
      { weight: 1, arbitrary: fc.constant(() => `Bearer ${bf.channelToken({ key: 'rogue' })}`) },
      { weight: 1, arbitrary: fc.constant(() => `Bearer ${bf.channelToken({ claims: { aud: 'someone-else' } })}`) },
      { weight: 2, arbitrary: badCredential.map((c) => () => c) },
    );
    const csvBody = fc.oneof(
      garbageBody,
      fc.constantFrom(
        'question_id,question,answer\n,,\n',
        'question_id,question\nq1,hello\n',
        'a,b,c\n1,2,3\n',
        'question_id,question,answer,intent\nq1,hi,there,not_an_intent\n',
        'question_id,question,answer\nq1,' + 'x'.repeat(100_000) + ',\n',
        '"unterminated,quote\n',
        'PK\u0003\u0004garbage-that-is-not-a-zip',
      ),
    );
    const strategyBody = fc
      .oneof(
        fc
          .record(
            {
              silenceNudge: fc.oneof(fc.string(), fc.integer(), fc.constant({})),
              silenceNudgeDelay: fc.oneof(fc.constantFrom('abc', '1ms', '100d', '-5s', 'NaN', '1e400s', ''), fc.double(), fc.constant([])),
              silenceNudgeAfter: fc.oneof(fc.string(), fc.integer()),
              silenceNudgeMax: fc.oneof(
                fc.constantFrom(0, 11, 1.5, -1, '2', 1e308),
                fc.constant(null).map(() => 'x'),
              ),
              idleClose: fc.oneof(fc.constantFrom('0s', 'x', '99999d'), fc.boolean()),
              npsDelay: fc.oneof(fc.constantFrom('0', 'soon'), fc.constant({ $set: 1 })),
              coupon: fc.oneof(fc.string(), fc.integer()),
            },
            { requiredKeys: [] },
          )
          .filter((o) => Object.keys(o).length > 0)
          .map(json),
        garbageBody,
      )
      .map((b) => b);
    const convId = fc.oneof(oddSegment, fc.constantFrom('conv:demo:webchat:nobody', 'conv:shop-b:telegram:1'));
    const agentBody = fc.oneof(
      garbageBody,
      fc.constantFrom(
        json({}),
        json({ agentId: '' }),
        json({ agentId: 5 }),
        json({ agentId: 'a', text: '' }),
        json({ agentId: 'a', text: 7 }),
        json({ reason: '' }),
        json({ resolved: 'yes' }),
      ),
      fc.constant(json({ agentId: 'a', text: 'hello' })),
    );
    const q = (o: Record<string, string | undefined>) => {
      const s = new URLSearchParams(clean(o)).toString();
      return s ? `?${s}` : '';
    };
    const rawQuery = fc.oneof(fc.string({ maxLength: 40 }).map(encodeURIComponent), oddSegment, fc.constantFrom('', '%FF', 'a&a', '[]'));

    const get = (route: string, path: fc.Arbitrary<string>, headers: fc.Arbitrary<Record<string, string | undefined>> = fc.constant({})) =>
      fc.record({ path, headers }).map(({ path, headers }): FuzzRequest => ({ route, method: 'GET', path, headers: clean(headers) }));

    return [
      {
        route: 'GET /healthz',
        weight: 1,
        arb: get(
          'GET /healthz',
          rawQuery.map((x) => `/healthz?${x}`),
        ),
      },
      {
        route: 'GET /chat',
        weight: 1,
        arb: get(
          'GET /chat',
          rawQuery.map((x) => `/chat?shop=${x}`),
        ),
      },
      {
        route: 'POST /webchat/:shopId/messages',
        weight: 8,
        arb: withBody(
          'POST /webchat/:shopId/messages',
          'POST',
          shop.map((s) => `/webchat/${s}/messages`),
          fc.oneof(badWebchat.map(json), garbageBody),
          badCredential.map((a) => ({ authorization: a })),
        ),
      },
      {
        route: 'GET /webchat/:shopId/events',
        weight: 4,
        arb: get(
          'GET /webchat/:shopId/events',
          fc
            .tuple(shop, fc.option(rawQuery, { nil: undefined }), fc.option(rawQuery, { nil: undefined }))
            .map(
              ([s, b, after]) =>
                `/webchat/${s}/events${b === undefined ? '' : `?buyerId=${b}`}${after === undefined ? '' : `${b === undefined ? '?' : '&'}after=${after}`}`,
            ),
          fc.record({
            authorization: badCredential,
            'last-event-id': fc.option(fc.constantFrom('x', '0', '{}', 'ffffffffffffffffffffffff'), { nil: undefined }),
          }),
        ),
      },
      {
        route: 'POST /webchat/:shopId/sessions',
        weight: 3,
        arb: withBody(
          'POST /webchat/:shopId/sessions',
          'POST',
          oddSegment.filter((s) => s !== 'demo' && s !== 'shop-b').map((s) => `/webchat/${s}/sessions`),
          garbageBody,
          badCredential.map((a) => ({ authorization: a })),
        ),
      },
      {
        route: 'GET /webhooks/whatsapp-cloud',
        weight: 2,
        arb: get(
          'GET /webhooks/whatsapp-cloud',
          fc
            .record({
              mode: fc.option(fc.constantFrom('subscribe', 'unsubscribe', ''), { nil: undefined }),
              token: fc.option(fc.oneof(fc.string(), fc.constant('wrong')), { nil: undefined }),
              ch: fc.option(fc.string({ maxLength: 3000 }), { nil: undefined }),
            })
            .map((x) => `/webhooks/whatsapp-cloud${q({ 'hub.mode': x.mode, 'hub.verify_token': x.token, 'hub.challenge': x.ch })}`),
        ),
      },
      {
        route: 'POST /webhooks/whatsapp-cloud',
        weight: 8,
        arb: fc
          .tuple(
            fc.oneof(waBroken, garbageBody),
            fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/octet-stream', ''),
          )
          .chain(([body, ct]) =>
            waSig(body).map((sig): FuzzRequest => ({
              route: 'POST /webhooks/whatsapp-cloud',
              method: 'POST',
              path: '/webhooks/whatsapp-cloud',
              body,
              headers: clean({ 'content-type': ct || undefined, 'x-hub-signature-256': sig }),
            })),
          ),
      },
      {
        route: 'POST /webhooks/tiktok',
        weight: 8,
        arb: fc
          .tuple(fc.oneof(ttBroken, garbageBody), fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', ''))
          .chain(([body, ct]) =>
            ttSig(body).map((sig): FuzzRequest => ({
              route: 'POST /webhooks/tiktok',
              method: 'POST',
              path: '/webhooks/tiktok',
              body,
              headers: clean({ 'content-type': ct || undefined, authorization: sig }),
            })),
          ),
      },
      {
        route: 'GET /tiktok/oauth/callback',
        weight: 2,
        arb: get(
          'GET /tiktok/oauth/callback',
          fc
            .record({ code: fc.option(rawQuery, { nil: undefined }), state: fc.option(rawQuery, { nil: undefined }) })
            .map(
              (x) =>
                `/tiktok/oauth/callback${x.code === undefined ? '' : `?code=${x.code}`}${x.state === undefined ? '' : `${x.code === undefined ? '?' : '&'}state=${x.state}`}`,
            ),
        ),
      },
      {
        route: 'POST /telegram/:shopId/webhook',
        weight: 8,
        arb: withBody(
          'POST /telegram/:shopId/webhook',
          'POST',
          fc
            .oneof({ weight: 3, arbitrary: fc.constant('demo') }, { weight: 1, arbitrary: oddSegment })
            .map((s) => `/telegram/${s}/webhook`),
          fc.oneof({ weight: 3, arbitrary: tgBroken }, { weight: 2, arbitrary: garbageBody }),
          tgSecret.map((s) => ({ [SECRET_HEADER]: s })),
        ),
      },
      {
        route: 'POST /api/messages',
        weight: 8,
        arb: fc
          .tuple(
            fc.oneof({ weight: 3, arbitrary: bfBroken }, { weight: 2, arbitrary: garbageBody }),
            bfAuth,
            fc.constantFrom('application/json', 'text/plain', ''),
          )
          .map(([body, auth, ct]): FuzzRequest => ({
            route: 'POST /api/messages',
            method: 'POST',
            path: '/api/messages',
            body,
            headers: clean({ 'content-type': ct || undefined, authorization: auth() }),
          })),
      },
      {
        route: 'POST /operator/shops/:shopId/kb',
        weight: 5,
        arb: fc
          .record({
            s: shop,
            body: csvBody,
            auth: operatorAuth,
            ct: fc.constantFrom(
              'text/csv',
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
              'application/json',
              '',
              'text/plain',
            ),
            fname: fc.option(fc.constantFrom('faq.xlsx', 'faq.csv', '../x.csv', '%00.csv'), { nil: undefined }),
          })
          .map(({ s, body, auth, ct, fname }) => ({
            route: 'POST /operator/shops/:shopId/kb',
            method: 'POST',
            path: `/operator/shops/${s}/kb${fname ? `?filename=${fname}` : ''}`,
            body,
            headers: clean({ 'content-type': ct || undefined, ...auth }),
          })),
      },
      {
        route: 'GET /operator/shops/:shopId/strategy',
        weight: 2,
        arb: get(
          'GET /operator/shops/:shopId/strategy',
          shop.map((s) => `/operator/shops/${s}/strategy`),
          operatorAuth,
        ),
      },
      {
        route: 'PUT /operator/shops/:shopId/strategy',
        weight: 5,
        arb: withBody(
          'PUT /operator/shops/:shopId/strategy',
          'PUT',
          shop.map((s) => `/operator/shops/${s}/strategy`),
          strategyBody,
          operatorAuth,
        ),
      },
      {
        route: 'GET /operator/health/carrier-keys',
        weight: 1,
        arb: get(
          'GET /operator/health/carrier-keys',
          fc.option(rawQuery, { nil: undefined }).map((x) => `/operator/health/carrier-keys${x === undefined ? '' : `?shop=${x}`}`),
          operatorAuth,
        ),
      },
      {
        route: 'GET /operator/conversations/:id',
        weight: 3,
        arb: get(
          'GET /operator/conversations/:id',
          convId.map((id) => `/operator/conversations/${id}`),
          operatorAuth,
        ),
      },
      {
        route: 'POST /operator/conversations/:id/*',
        weight: 6,
        arb: fc
          .tuple(convId, fc.constantFrom('accept', 'message', 'release', 'close'))
          .chain(([id, verb]) =>
            withBody(
              `POST /operator/conversations/:id/${verb}`,
              'POST',
              fc.constant(`/operator/conversations/${id}/${verb}`),
              agentBody,
              operatorAuth,
            ),
          ),
      },
      {
        route: 'GET /operator/whatsapp/*',
        weight: 1,
        arb: get(
          'GET /operator/whatsapp/*',
          fc.constantFrom('/operator/whatsapp/status', '/operator/whatsapp/qr', '/operator/whatsapp/qr?shop=demo'),
          operatorAuth,
        ),
      },
      {
        route: 'other methods and paths',
        weight: 3,
        arb: fc
          .record({
            method: anyMethod,
            path: fc.oneof(
              oddSegment.map((s) => `/${s}`),
              fc.constantFrom(
                '/webchat',
                '/webchat/demo',
                '/operator',
                '/api',
                '/telegram/demo',
                '/webhooks',
                '/.env',
                '//',
                '/%2e%2e/%2e%2e/etc/passwd',
              ),
            ),
            body: garbageBody,
          })
          .map(({ method, path, body }) => ({
            route: 'other methods and paths',
            method,
            path,
            headers: { 'content-type': 'application/json' },
            ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
          })),
      },
    ];
  }

  it(`${RUNS} generated bad requests: no 5xx, nothing written`, { timeout: 600_000 }, async () => {
    const specs = routes();
    const total = specs.reduce((s, r) => s + r.weight, 0);
    const requests: FuzzRequest[] = [];
    specs.forEach((spec, i) => {
      const n = Math.ceil((RUNS * spec.weight) / total);
      requests.push(...fc.sample(spec.arb, { numRuns: n, seed: SEED + i }));
    });
    expect(requests.length).toBeGreaterThanOrEqual(10_000);
    const before = await databaseState();
    const t0 = Date.now();
    const byRoute = new Map<string, Record<string, number>>();
    const failures: string[] = [];
    let next = 0;
    const show = (r: FuzzRequest) =>
      `${r.method} ${r.path.slice(0, 120)} ${JSON.stringify(r.headers).slice(0, 200)} body=${r.body === undefined ? '-' : JSON.stringify(r.body.toString().slice(0, 160))}`;
    const worker = async () => {
      for (;;) {
        const r = requests[next++];
        if (!r) return;
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 30_000);
        let status: string;
        try {
          const res = await fetch(`${app.gateway.url}${r.path}`, {
            method: r.method,
            headers: r.headers,
            body: typeof r.body === 'string' || r.body === undefined ? r.body : new Uint8Array(r.body),
            redirect: 'manual',
            signal: ac.signal,
          });
          status = String(res.status);
          if (res.headers.get('content-type')?.startsWith('text/event-stream')) ac.abort();
          else {
            const text = await res.text();
            if (res.status >= 500) failures.push(`${res.status} ${r.route}: ${show(r)} → ${text.slice(0, 200)}`);
          }
        } catch (e) {
          const err = e as Error & { cause?: { code?: string; message?: string } };
          // Bodies or headers fetch itself refuses to send are not sent: no request, nothing to check.
          if (err.name === 'TypeError' && !err.cause?.code) status = 'not sent';
          else if (err.name === 'AbortError' && ac.signal.aborted) status = 'timeout';
          else status = `error ${err.cause?.code ?? err.message}`;
          if (status !== 'not sent') failures.push(`${status} ${r.route}: ${show(r)}`);
        } finally {
          clearTimeout(timer);
        }
        const tally = byRoute.get(r.route) ?? {};
        tally[status] = (tally[status] ?? 0) + 1;
        byRoute.set(r.route, tally);
      }
    };
    // The gateway's own account of each 500 ("unhandled gateway error … error=…"), tallied by cause; other app log lines are dropped.
    const causes = new Map<string, number>();
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const line = String(chunk);
      if (line.includes('unhandled gateway error')) {
        const path = /path="([^"]*)"/.exec(line)?.[1] ?? '?';
        const route = path
          .replace(/^\/(webchat|telegram|operator\/shops)\/[^/]*/, '/$1/:id')
          .replace(/^\/operator\/conversations\/[^/]*/, '/operator/conversations/:id');
        const error = (/error="(.*)"\s*$/.exec(line)?.[1] ?? line).replace(/'[^']*'|\\"[^"\\]*\\"/g, '…').slice(0, 110);
        const key = `${route}  ${error}`;
        causes.set(key, (causes.get(key) ?? 0) + 1);
        return true;
      }
      if (/^\d{4}-\d\d-\d\dT/.test(line)) return true;
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      process.stdout.write = write;
    }
    const ms = Date.now() - t0;
    const after = await databaseState();
    const written = Object.keys({ ...before, ...after }).filter((c) => before[c]?.hash !== after[c]?.hash);
    const db = mongoose.connection.db!;
    const newDocs: string[] = [];
    for (const c of written) {
      const docs = await db.collection(c).find().sort({ _id: -1 }).limit(3).toArray();
      newDocs.push(`${c}: ${before[c]?.count ?? 0} → ${after[c]?.count ?? 0} documents; newest: ${JSON.stringify(docs).slice(0, 600)}`);
    }
    process.stdout.write(
      `\n[fuzz] ${requests.length} requests in ${(ms / 1000).toFixed(1)} s (seed ${SEED}), statuses per route:\n` +
        [...byRoute].map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n') +
        `\n[fuzz] 5xx / no answer: ${failures.length}; collections changed: ${written.length ? written.join(', ') : 'none'}\n` +
        (causes.size
          ? `[fuzz] 500s by cause (the gateway's log):\n${[...causes]
              .sort((a, b) => b[1] - a[1])
              .map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`)
              .join('\n')}\n`
          : '') +
        (failures.length ? `[fuzz] one example per route and status:\n  ${firstPerKind(failures).join('\n  ')}\n` : '') +
        (newDocs.length ? `[fuzz] written:\n  ${newDocs.join('\n  ')}\n` : ''),
    );
    expect({ failures: failures.length, written }).toEqual({ failures: 0, written: [] });
  });
});
