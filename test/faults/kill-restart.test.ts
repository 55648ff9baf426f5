/**
 * Fault suite: kill -9 under load. N buyers write concurrently over the Telegram webhook (the local
 * Bot API server plays Telegram) while the app, then the Temporal dev server, then the MongoDB-wire
 * server are each killed with SIGKILL and restarted on the same ports and data files. The driver
 * redelivers every post answered 5xx or not answered (as Telegram does). Then, with every buyer's
 * silence nudge pending, the app and Temporal are killed together and restarted.
 *
 * Asserted at the end:
 *   - every accepted (2xx) message is stored exactly once, and nothing else is stored;
 *   - every stored buyer message has exactly one recorded bot reply (none lost, none doubled);
 *   - every reply the platform received is a recorded one, except a send that was in flight when the
 *     app or MongoDB was killed, or made while MongoDB was down (the platform got it, the crash kept it from being recorded, the
 *     retried activity sent it again: Telegram has no idempotency key; documented in the README);
 *   - every buyer's silence nudge (a pending workflow timer across the restarts) fired exactly once.
 *
 * Figures are printed for the README (Reliability). Sizes: SORA_FAULTS_BUYERS (20), SORA_FAULTS_MESSAGES (8).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, disconnectMongo } from '../../models/connection.js';
import { MessageModel } from '../../models/message.js';
import { startLocalBotApi, type LocalBotApi } from '../setup/telegram-bot-api.js';
import { deliverWithRetry, telegramDriver, type BuyerDriver, type Delivery } from './buyers.js';
import { FaultStack } from './stack.js';

const BUYERS = Number(process.env.SORA_FAULTS_BUYERS ?? 20);
const MESSAGES = Number(process.env.SORA_FAULTS_MESSAGES ?? 8);
const NUDGE_DELAY_S = 40;
const TOKEN = '7000000009:AAH-faults-local-token-0123456';
const SECRET = 'faults_webhook-secret-1';
const OPERATOR_TOKEN = 'faults-operator-token-0123456789';
const QUESTION = 'How long does shipping take?';
const isNudge = (text: string) => text.startsWith('Are you still there?');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault suite: kill -9 of the app, Temporal and MongoDB under load', () => {
  let stack: FaultStack;
  let api: LocalBotApi;
  let driver: BuyerDriver;
  const t0 = Date.now();
  const kills: { what: 'app' | 'temporal' | 'mongo'; at: number; callsBefore: number; callsAt: number; downMs: number }[] = [];
  /** (time, number of Bot API calls so far), sampled, to date the platform's calls. */
  const samples: { t: number; n: number }[] = [];
  let sampler: NodeJS.Timeout | undefined;
  const callsAt = (t: number) => [...samples].reverse().find((s) => s.t <= t)?.n ?? 0;

  const appEnv = () => ({
    SORA_CHANNELS: 'webchat,telegram',
    SORA_TELEGRAM_BOT_TOKEN: TOKEN,
    SORA_TELEGRAM_SHOP_ID: 'demo',
    SORA_TELEGRAM_WEBHOOK_SECRET: SECRET,
    SORA_TELEGRAM_API_ROOT: api.apiRoot,
    SORA_TELEGRAM_TYPING: 'false',
    SORA_OPERATOR_TOKEN: OPERATOR_TOKEN,
    SORA_EMBED_MODEL: 'Xenova/all-MiniLM-L6-v2',
    SORA_INSTALL_MULTILINGUAL: 'false',
    SORA_SIGNAL_DEADLINE: '2s',
    SORA_RELAY_INTERVAL: '1s',
    SORA_ACTIVITY_TIMEOUT: '10s',
    SORA_CARRIER_KEY_AUDIT: 'off',
    SORA_DEMO_MONTH: 'false',
    SORA_LOG_LEVEL: 'INFO',
  });

  async function kill(what: 'app' | 'temporal' | 'mongo', restart = true): Promise<void> {
    const at = Date.now();
    const entry = { what, at, callsBefore: callsAt(at - 10_000), callsAt: api.calls.length, downMs: 0 };
    kills.push(entry);
    if (what === 'app') await stack.killApp();
    else if (what === 'temporal') await stack.killTemporal();
    else await stack.killMongo();
    // A send the platform logged while the process was being killed was in flight at the kill too.
    entry.callsAt = api.calls.length;
    log(`kill -9 ${what}`);
    if (!restart) return;
    await sleep(1000);
    await start(what);
    entry.downMs = Date.now() - at;
    // While MongoDB is down, a send whose record was inserted before the kill reaches the platform
    // and its 'sent' write fails: the retried activity sends it again (the documented case).
    if (what === 'mongo') entry.callsAt = api.calls.length;
  }
  async function start(what: 'app' | 'temporal' | 'mongo'): Promise<void> {
    if (what === 'app') await stack.startApp(appEnv());
    else if (what === 'temporal') await stack.startTemporal();
    else await stack.startMongo();
    log(`${what} restarted`);
  }
  const log = (m: string) => process.stdout.write(`[faults +${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);

  beforeAll(async () => {
    stack = new FaultStack(mkdtempSync(path.join(os.tmpdir(), 'sora-faults-')));
    await stack.allocatePorts();
    api = await startLocalBotApi(TOKEN);
    sampler = setInterval(() => samples.push({ t: Date.now(), n: api.calls.length }), 200);
    driver = telegramDriver(api, SECRET);
    await Promise.all([stack.startTemporal(), stack.startMongo()]);
    await stack.startApp(appEnv());
    // A short nudge for this shop (conversations read the strategy when they start).
    const r = await fetch(`${stack.gatewayUrl}/operator/shops/demo/strategy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}` },
      body: JSON.stringify({
        silenceNudge: true,
        silenceNudgeDelay: `${NUDGE_DELAY_S}s`,
        silenceNudgeAfter: 'any_reply',
        silenceNudgeMax: 1,
      }),
    });
    expect(r.status, await r.text()).toBe(200);
    log(`stack up in ${stack.dir} (logs: ${stack.logDir})`);
  }, 300_000);

  afterAll(async () => {
    clearInterval(sampler);
    await disconnectMongo().catch(() => undefined);
    await stack?.stopAll();
    await api?.close();
  }, 120_000);

  it(`${BUYERS} buyers × ${MESSAGES} messages: stored once, answered once, nudged once`, { timeout: 900_000 }, async () => {
    const deliveries = new Map<string, Delivery>();
    const buyer = async (b: number) => {
      await driver.open?.(stack.gatewayUrl, b);
      for (let n = 1; n <= MESSAGES; n++) {
        deliveries.set(`${b}:${n}`, await deliverWithRetry(driver, () => stack.gatewayUrl, b, n, QUESTION));
        await sleep(1500 + Math.random() * 2000);
      }
    };
    const chaos = async () => {
      await sleep(4000);
      await kill('app');
      await sleep(4000);
      await kill('temporal');
      await sleep(4000);
      await kill('mongo');
    };
    const loadStart = Date.now();
    await Promise.all([...Array.from({ length: BUYERS }, (_, i) => buyer(i + 1)), chaos()]);
    const loadMs = Date.now() - loadStart;
    log(`load done in ${(loadMs / 1000).toFixed(1)} s`);

    await connectMongo(stack.mongoUri);
    const wf = (b: number) => `conv:demo:${driver.channel}:${driver.buyerId(b)}`;
    const replies = async (b: number) =>
      (await MessageModel.find({ workflowId: wf(b), direction: 'out' }).lean()).filter((m) => !isNudge(m.text ?? ''));
    const inbound = async (b: number) => MessageModel.find({ workflowId: wf(b), direction: 'in' }).lean();

    // Every stored message answered (or time out: a lost reply).
    const answerDeadline = Date.now() + 180_000;
    for (let b = 1; b <= BUYERS; b++) {
      while (Date.now() < answerDeadline) {
        const [i, o] = await Promise.all([inbound(b), replies(b)]);
        if (o.filter((m) => m.status === 'sent').length >= i.length) break;
        await sleep(500);
      }
    }
    const repliedAt = Date.now();
    log('replies in; killing the app and Temporal with every nudge timer pending');
    const nudgesBefore = (await MessageModel.countDocuments({ direction: 'out', text: /^Are you still there\?/ })) as number;
    await kill('app', false);
    await kill('temporal', false);
    await sleep(2000);
    await start('temporal');
    await start('app');
    // Each nudge fires NUDGE_DELAY_S after the buyer's last reply; wait for them, then a while for doubles.
    const nudgeDeadline = Date.now() + (NUDGE_DELAY_S + 90) * 1000;
    while (Date.now() < nudgeDeadline) {
      let all = true;
      for (let b = 1; b <= BUYERS && all; b++) all = driver.delivered(b).some(isNudge);
      if (all) break;
      await sleep(1000);
    }
    await sleep(10_000);
    clearInterval(sampler);

    // --- figures and checks
    const problems: string[] = [];
    let accepted = 0;
    let refusedFinal = 0;
    const refusals: Record<string, number> = {};
    let storedIn = 0;
    let storedDuplicates = 0;
    let lost = 0;
    let doubledReplies = 0;
    let orphanSends = 0;
    let nudgesOk = 0;
    const orphanByKill: Record<string, number> = {};
    for (let b = 1; b <= BUYERS; b++) {
      const ins = await inbound(b);
      storedIn += ins.length;
      const ids = new Map<string, number>();
      for (const m of ins) ids.set(m.externalId, (ids.get(m.externalId) ?? 0) + 1);
      for (let n = 1; n <= MESSAGES; n++) {
        const d = deliveries.get(`${b}:${n}`)!;
        for (const [k, v] of Object.entries(d.refusals)) refusals[k] = (refusals[k] ?? 0) + v;
        const x = driver.externalId(b, n);
        const count = ids.get(x) ?? 0;
        if (d.status >= 200 && d.status < 300) {
          accepted++;
          if (count === 0) problems.push(`buyer ${b} message ${n}: accepted (${d.status}) but not stored`);
        } else {
          refusedFinal++;
          problems.push(`buyer ${b} message ${n}: never accepted (last status ${d.status}, ${d.attempts} attempts)`);
        }
        if (count > 1) {
          storedDuplicates += count - 1;
          problems.push(`buyer ${b} message ${n}: stored ${count} times`);
        }
        ids.delete(x);
      }
      for (const x of ids.keys()) problems.push(`buyer ${b}: stored message ${x} that was never posted`);

      const outs = await replies(b);
      const sent = outs.filter((m) => m.status === 'sent');
      if (sent.length < ins.length) {
        lost += ins.length - sent.length;
        problems.push(`buyer ${b}: ${ins.length} messages stored, ${sent.length} replies sent (${outs.length} recorded)`);
      }
      if (sent.length > ins.length) {
        doubledReplies += sent.length - ins.length;
        problems.push(`buyer ${b}: ${ins.length} messages stored, ${sent.length} replies sent`);
      }
      const nudges = await MessageModel.find({ workflowId: wf(b), direction: 'out', text: /^Are you still there\?/ }).lean();
      const delivered = driver.delivered(b);
      const deliveredNudges = delivered.filter(isNudge).length;
      if (nudges.length === 1 && nudges[0]!.status === 'sent' && deliveredNudges >= 1) nudgesOk++;
      else problems.push(`buyer ${b}: ${nudges.length} nudges recorded, ${deliveredNudges} delivered (expected exactly 1)`);

      // Platform sends that no record claims (Telegram message ids are 1001, 1002, … per chat).
      const user = Number(driver.buyerId(b));
      const claimed = new Set(
        (await MessageModel.find({ workflowId: wf(b), direction: 'out', status: 'sent' }).lean()).map((m) => m.platformMessageId),
      );
      let k = 0;
      api.calls.forEach((c, index) => {
        if (c.method !== 'sendMessage' || c.status !== 200 || Number(c.params.chat_id) !== user) return;
        k++;
        if (claimed.has(`${user}:${1000 + k}`)) return;
        orphanSends++;
        const kill = kills.find((x) => (x.what === 'app' || x.what === 'mongo') && index >= x.callsBefore && index < x.callsAt);
        if (kill) {
          orphanByKill[kill.what] = (orphanByKill[kill.what] ?? 0) + 1;
        } else
          problems.push(
            `buyer ${b}: the platform received "${String(c.params.text).slice(0, 40)}…" (call ${index}) with no record and no kill in flight`,
          );
      });
    }

    const figures = {
      buyers: BUYERS,
      messagesPosted: BUYERS * MESSAGES,
      accepted,
      neverAccepted: refusedFinal,
      refusalsBeforeAcceptance: refusals,
      stored: storedIn,
      storedDuplicates,
      repliesLost: lost,
      repliesDoubled: doubledReplies,
      platformDuplicateSends: orphanSends,
      platformDuplicatesAtAKill: orphanByKill,
      nudgesPendingAtFinalKill: BUYERS - nudgesBefore,
      nudgesExactlyOnce: nudgesOk,
      kills: kills.map(
        (k) => `${k.what} at +${((k.at - t0) / 1000).toFixed(1)} s${k.downMs ? `, back after ${(k.downMs / 1000).toFixed(1)} s` : ''}`,
      ),
      loadSeconds: Number((loadMs / 1000).toFixed(1)),
      allAnsweredSeconds: Number(((repliedAt - loadStart) / 1000).toFixed(1)),
      totalSeconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
    };
    process.stdout.write(`\n[faults] figures ${JSON.stringify(figures, null, 2)}\n`);
    if (problems.length) process.stdout.write(`[faults] problems (${problems.length}):\n  ${problems.slice(0, 60).join('\n  ')}\n`);
    expect(problems).toEqual([]);
  });
});
