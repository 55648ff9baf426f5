/**
 * A shop's conversation strategy (PRODUCT R20) through `sora shops strategy` and the operator API:
 * defaults, changes, resets, every bad input reported at once, unknown shops, and what a
 * conversation that starts afterwards loads (the loadShopProfile activity).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadShopProfile } from '../activities/conversations/shop-profile.js';
import { errorHandler } from '../bots/http-errors.js';
import { operatorRoutes } from '../bots/operator.js';
import { operatorServices } from '../scripts/operator-services.js';
import { disconnectMongo } from '../models/connection.js';
import { ShopModel } from '../models/shop.js';
import { runShopsCommand } from '../scripts/cli/shops.js';
import { conversationConfig } from '../temporal.config.js';
import { defaultStrategy } from '../workflows/contract.js';
import { useFreshDatabase } from './setup/helpers.js';

const defaults = defaultStrategy({ ...conversationConfig(), silenceNudgeMs: 30_000, idleCloseMs: 600_000, npsDelayMs: 1_800_000 });
let connection: Connection;
let server: import('node:http').Server;
let base: string;
const TOKEN = 'op-secret';

beforeAll(async () => {
  await useFreshDatabase('sora_strategy');
  await ShopModel.create({ shopId: 's1', name: 'Shop 1' });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  const app = express();
  app.use(express.json());
  app.use('/operator', operatorRoutes(new Client({ connection }), operatorServices(defaults), TOKEN));
  app.use(errorHandler(() => {}));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/operator`;
});

afterAll(async () => {
  server?.close();
  await connection?.close();
  await disconnectMongo();
});

describe('sora shops strategy', () => {
  it('shows the defaults (nudge on, 30 s after any bot reply, once; idle close 10 min; NPS 30 min)', async () => {
    const r = await runShopsCommand(['strategy', '--shop', 's1', '--json'], defaults);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout!).effective).toEqual({
      silenceNudge: { enabled: true, delayMs: 30_000, after: 'any_reply', max: 1, coupon: false },
      idleCloseMs: 600_000,
      npsDelayMs: 1_800_000,
    });
    const text = await runShopsCommand(['strategy', '--shop', 's1'], defaults);
    expect(text.stdout).toMatch(/silence nudge\s+ON \(default\)/);
    expect(text.stdout).toMatch(/30s \(default\) of buyer silence, after any bot reply/);
  });

  it('changes and resets fields; a new conversation loads them', async () => {
    const r = await runShopsCommand(
      [
        'strategy',
        '--shop',
        's1',
        '--nudge-delay',
        '45s',
        '--nudge-after',
        'question',
        '--nudge-max',
        '3',
        '--coupon',
        'on',
        '--idle-close',
        '20m',
      ],
      defaults,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/after\s+45s of buyer silence, after a bot question only/);
    expect(r.stdout).toMatch(/at most\s+3 per conversation/);
    expect(r.stdout).toMatch(/coupon\s+ON/);
    const profile = await loadShopProfile({ shopId: 's1', defaults });
    expect(profile.strategy).toEqual({
      silenceNudge: { enabled: true, delayMs: 45_000, after: 'question', max: 3, coupon: true },
      idleCloseMs: 1_200_000,
      npsDelayMs: 1_800_000,
    });
    const reset = await runShopsCommand(
      ['strategy', '--shop', 's1', '--reset', 'nudge-delay', '--reset', 'idle-close', '--json'],
      defaults,
    );
    expect(JSON.parse(reset.stdout!).effective).toMatchObject({
      silenceNudge: { delayMs: 30_000, after: 'question' },
      idleCloseMs: 600_000,
    });
  });

  it('reports every bad value at once and changes nothing; unknown shops are refused', async () => {
    const before = await ShopModel.findOne({ shopId: 's1' }).lean();
    const r = await runShopsCommand(
      ['strategy', '--shop', 's1', '--nudge-delay', 'soon', '--nudge-max', '0', '--idle-close', '10s'],
      defaults,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/silenceNudgeDelay: "soon" is not a duration/);
    expect(r.stderr).toMatch(/silenceNudgeMax/);
    expect(r.stderr).toMatch(/idleClose must be between/);
    expect((await ShopModel.findOne({ shopId: 's1' }).lean())?.strategy).toEqual(before?.strategy);
    expect((await runShopsCommand(['strategy', '--shop', 'nope'], defaults)).stderr).toMatch(/no shop "nope"/);
    expect((await runShopsCommand(['strategy', '--shop', 's1', '--nudge', 'maybe'], defaults)).stderr).toMatch(/--nudge takes on or off/);
    expect((await runShopsCommand(['strategy', '--shop', 's1', '--nudge-after', 'x'], defaults)).stderr).toMatch(
      /--nudge-after takes any or question/,
    );
    expect((await runShopsCommand(['strategy', '--shop', 's1', '--nudge-max', 'abc'], defaults)).stderr).toMatch(
      /--nudge-max takes a whole number/,
    );
    // A nudge that could never fire (after the idle close) is refused.
    const late = await runShopsCommand(['strategy', '--shop', 's1', '--nudge-delay', '30m'], defaults);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/must be shorter than idleClose \(600s\)/);
    expect((await runShopsCommand(['strategy'], defaults)).usage).toMatch(/needs --shop/);
  });
});

describe('operator API: /operator/shops/:shopId/strategy', () => {
  const call = (method: string, path: string, body?: unknown, token = TOKEN) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('needs the operator token', async () => {
    expect((await call('GET', '/shops/s1/strategy', undefined, '')).status).toBe(401);
    expect((await call('PUT', '/shops/s1/strategy', { silenceNudge: false }, 'wrong')).status).toBe(401);
  });

  it('reads and changes the strategy; null resets a field', async () => {
    const put = await call('PUT', '/shops/s1/strategy', { silenceNudge: false, npsDelay: '2h', silenceNudgeAfter: null });
    expect(put.status).toBe(200);
    const body = (await put.json()) as { effective: { silenceNudge: { enabled: boolean; after: string }; npsDelayMs: number } };
    expect(body.effective.silenceNudge.enabled).toBe(false);
    expect(body.effective.silenceNudge.after).toBe('any_reply');
    expect(body.effective.npsDelayMs).toBe(7_200_000);
    const get = (await (await call('GET', '/shops/s1/strategy')).json()) as { stored: { silenceNudge: boolean } };
    expect(get.stored.silenceNudge).toBe(false);
  });

  it('answers 422 with every problem for bad input, 404 for an unknown shop', async () => {
    const bad = await call('PUT', '/shops/s1/strategy', { silenceNudgeDelay: 'x', silenceNudgeMax: 99, colour: 'red' });
    expect(bad.status).toBe(422);
    const err = (await bad.json()) as { error: string; message: string };
    expect(err.error).toBe('invalid_strategy');
    expect(err.message).toMatch(/silenceNudgeDelay/);
    expect(err.message).toMatch(/silenceNudgeMax/);
    expect(err.message).toMatch(/colour/);
    expect((await call('GET', '/shops/none/strategy')).status).toBe(404);
    const notJson = await fetch(`${base}/shops/s1/strategy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: 'silenceNudge=false',
    });
    expect(notJson.status).toBe(415);
  });
});
