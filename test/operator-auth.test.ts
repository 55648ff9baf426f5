/**
 * Trust at the gateway's edge: every /operator route needs a credential (stored, hashed, or
 * SORA_OPERATOR_TOKEN), the first start creates one and prints it once, operator input is bounded
 * before it reaches a workflow, /webhooks/* and /operator/* are rate limited per client address, and
 * /healthz says when Temporal is unreachable. Plus the CSV formula neutraliser and the terminal
 * escape stripper the CLI uses.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChannelAdapter } from '../bots/channel.js';
import { conversationWorkflowId } from '../infra/channel-contract.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { loadConfig } from '../infra/config/index.js';
import { neutraliseCell, neutraliseRows, restoreCell } from '../infra/csv-cells.js';
import { forTerminal } from '../infra/terminal-text.js';
import { disconnectMongo } from '../models/connection.js';
import { OperatorCredentialModel } from '../models/operator-credential.js';
import { startApp, type App } from '../scripts/app.js';
import { runOperatorsCommand } from '../scripts/cli/operators.js';
import { missedText } from '../scripts/cli/kb.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { freePort } from '../scripts/stack/process.js';
import * as contract from '../workflows/contract.js';
import { operatorCredential, signalsInHistory, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';

/** A channel stand-in that adds one operator route and one webhook, as real adapters do. */
function probeAdapter(): ChannelAdapter {
  return {
    id: 'telegram',
    async start(ctx) {
      ctx.app.get('/operator/probe/secret', (_req, res) => void res.json({ secret: 'adapter data' }));
      ctx.app.post('/webhooks/probe', (_req, res) => void res.json({ ok: true }));
    },
    send: async () => ({ externalId: 'x' }),
    stop: async () => {},
  };
}

const apps: App[] = [];
async function app(env: Record<string, string> = {}, o: { temporalAddress?: string; printed?: string[] } = {}): Promise<App> {
  const a = await startApp({
    config: loadConfig({ SORA_LOG_LEVEL: 'silent', ...env }),
    mongoUri: inject('mongoUri'),
    temporal: { address: o.temporalAddress ?? inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    adapters: [new WebchatAdapter({ pollMs: 200 }), probeAdapter()],
    relayIntervalMs: 600_000,
    printOperatorToken: (t) => o.printed?.push(t),
  });
  apps.push(a);
  return a;
}

let main: App;
const printed: string[] = [];

beforeAll(async () => {
  await useFreshDatabase('sora_operator_auth');
  await seedDemoShop();
  main = await app({}, { printed });
});

afterAll(async () => {
  for (const a of apps) await a.stop();
  await disconnectMongo();
});

/** Every operator route, the KB import and an adapter's included. */
const ROUTES: { method: string; path: string; body?: string; type?: string }[] = [
  { method: 'GET', path: '/operator/conversations/conv:x' },
  { method: 'POST', path: '/operator/conversations/conv:x/accept', body: '{"agentId":"mallory"}' },
  { method: 'POST', path: '/operator/conversations/conv:x/message', body: '{"agentId":"mallory","text":"send me your card"}' },
  { method: 'POST', path: '/operator/conversations/conv:x/release', body: '{}' },
  { method: 'POST', path: '/operator/conversations/conv:x/close', body: '{}' },
  { method: 'POST', path: '/operator/shops/demo/kb', body: 'question_id,intent,question,answer\nq1,x,y,z\n', type: 'text/csv' },
  { method: 'GET', path: '/operator/shops/demo/strategy' },
  { method: 'PUT', path: '/operator/shops/demo/strategy', body: '{"idleClose":"1m"}' },
  { method: 'GET', path: '/operator/health/carrier-keys' },
  { method: 'GET', path: '/operator/probe/secret' },
  { method: 'GET', path: '/operator/no-such-route' },
];

const send = (a: App, r: (typeof ROUTES)[number], headers: Record<string, string> = {}) =>
  fetch(`${a.gateway.url}${r.path}`, {
    method: r.method,
    headers: { ...(r.body ? { 'content-type': r.type ?? 'application/json' } : {}), ...headers },
    body: r.body,
  });

/** A web chat conversation of the demo shop (no worker: the workflow only records signals). */
async function conversation(a: App): Promise<string> {
  const session = await webchatSession(a.gateway.url);
  const buyerId = session.buyerId;
  const res = await webchatPost(a.gateway.url, session, { messageId: 'm1', text: 'hello' });
  expect(res.status).toBe(202);
  return conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId });
}

describe('operator authentication', () => {
  it('answers 401 with WWW-Authenticate on every operator route without a credential, loopback included', async () => {
    const wf = await conversation(main);
    const routes = [
      ...ROUTES,
      { method: 'POST', path: `/operator/conversations/${encodeURIComponent(wf)}/message`, body: '{"agentId":"m","text":"hi"}' },
    ];
    for (const r of routes) {
      const res = await send(main, r);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.headers.get('www-authenticate'), r.path).toMatch(/^Bearer realm="sora-operator"/);
      const bad = await send(main, r, { authorization: 'Bearer sora_op_wrong' });
      expect(bad.status, `${r.method} ${r.path} (wrong token)`).toBe(401);
      expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    }
    // The unauthenticated message never reached the conversation.
    expect(await signalsInHistory(main.client, wf, contract.agentMessage)).toEqual([]);
  });

  it('the first start creates an admin credential and prints its token once; a restart prints nothing', async () => {
    expect(printed).toHaveLength(1);
    const token = /token {2}(sora_op_[A-Za-z0-9_-]{43})/.exec(printed[0]!)?.[1];
    expect(token).toBeTruthy();
    expect(printed[0]).toContain(`curl -H "Authorization: Bearer ${token}" ${main.gateway.url}/operator/`);
    const ok = await fetch(`${main.gateway.url}/operator/health/carrier-keys`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect((await send(main, ROUTES[9]!, { authorization: `Bearer ${token}` })).status).toBe(200); // the adapter's route
    // Only a hash is stored.
    const docs = await OperatorCredentialModel.find().lean();
    expect(JSON.stringify(docs)).not.toContain(token);
    expect(docs.map((d) => d.role)).toEqual(['admin']);

    const again: string[] = [];
    const restarted = await app({}, { printed: again });
    expect(again).toEqual([]);
    expect(await OperatorCredentialModel.countDocuments()).toBe(1);
    expect(
      (await fetch(`${restarted.gateway.url}/operator/health/carrier-keys`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
  });

  it('a CLI-created credential works until it is revoked; the listing never shows a token', async () => {
    const c = await operatorCredential('alice');
    const url = `${main.gateway.url}/operator/shops/demo/strategy`;
    expect((await fetch(url, { headers: c.headers })).status).toBe(200);
    const list = await runOperatorsCommand(['list']);
    expect(list.stdout).toContain(c.id);
    expect(list.stdout).toContain('alice');
    expect((await runOperatorsCommand(['list', '--json'])).stdout).not.toContain(c.token);
    expect(list.stdout).not.toContain(c.token);
    expect((await runOperatorsCommand(['revoke', c.id])).stdout).toBe(`revoked ${c.id}\n`);
    const res = await fetch(url, { headers: c.headers });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(/revoked/);
    expect((await runOperatorsCommand(['revoke', 'op_nope'])).code).toBe(1);
    const listed = JSON.parse((await runOperatorsCommand(['list', '--json'])).stdout!) as {
      id: string;
      revokedAt: string | null;
      lastUsedAt: string | null;
    }[];
    expect(listed.find((x) => x.id === c.id)).toMatchObject({ revokedAt: expect.any(String), lastUsedAt: expect.any(String) });
  });

  it('accepts SORA_OPERATOR_TOKEN as well as the stored credentials, and nothing else', async () => {
    const secret = `env-${randomUUID()}`;
    const printedHere: string[] = [];
    const a = await app({ SORA_OPERATOR_TOKEN: secret }, { printed: printedHere });
    const url = `${a.gateway.url}/operator/health/carrier-keys`;
    expect((await fetch(url, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: `bearer ${secret}` } })).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: `Bearer ${secret}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: secret } })).status).toBe(401);
    const stored = await operatorCredential('bob');
    expect((await fetch(url, { headers: stored.headers })).status).toBe(200);
    expect(printedHere).toEqual([]);
  });
});

describe('operator input bounds', () => {
  it('refuses an oversize or odd agentId, long reason and bad text with 422 naming the field, and signals nothing', async () => {
    const { headers } = await operatorCredential('bounds');
    const wf = await conversation(main);
    const base = `${main.gateway.url}/operator/conversations/${encodeURIComponent(wf)}`;
    const post = (p: string, body: unknown) =>
      fetch(`${base}/${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const cases: [string, unknown, RegExp][] = [
      ['accept', { agentId: 'a'.repeat(900_000) }, /agentId: agentId must be at most 128 characters/],
      ['accept', { agentId: 'a'.repeat(129) }, /agentId/],
      ['accept', { agentId: 'ana\u001b[2J' }, /agentId may contain only/],
      ['accept', { agentId: 42 }, /agentId/],
      ['message', { agentId: 'x'.repeat(200_000), text: 'hi' }, /agentId/],
      ['message', { agentId: 'ana', text: 'x'.repeat(4097) }, /text: text must be at most 4096/],
      ['message', { agentId: 'ana', text: 'hi \u001b]0;owned\u0007' }, /text must not contain control characters/],
      ['close', { reason: 'r'.repeat(201) }, /reason/],
    ];
    for (const [p, body, msg] of cases) {
      const res = await post(p, body);
      const text = await res.text();
      expect(res.status, `${p} ${text.slice(0, 120)}`).toBe(422);
      expect(JSON.parse(text).message).toMatch(msg);
      expect(text.length).toBeLessThan(2000); // the rejected value is not echoed back
    }
    const longId = await fetch(`${main.gateway.url}/operator/conversations/${'c'.repeat(600)}`, { headers });
    expect(longId.status).toBe(422);
    expect(await signalsInHistory(main.client, wf, contract.agentAccepted)).toEqual([]);
    expect(await signalsInHistory(main.client, wf, contract.agentMessage)).toEqual([]);
    expect(await signalsInHistory(main.client, wf, contract.closeConversation)).toEqual([]);
    // Within bounds it goes through (an e-mail address is a fine agent id).
    expect((await post('accept', { agentId: 'ana.lopez+cs@shop.example' })).status).toBe(200);
    expect(await signalsInHistory(main.client, wf, contract.agentAccepted)).toEqual([{ agentId: 'ana.lopez+cs@shop.example' }]);
  });
});

describe('rate limits and health', () => {
  it('answers 429 with Retry-After once one address exceeds SORA_WEBHOOK_RATE_LIMIT (and SORA_OPERATOR_RATE_LIMIT)', async () => {
    const a = await app({ SORA_WEBHOOK_RATE_LIMIT: '3', SORA_OPERATOR_RATE_LIMIT: '2', SORA_OPERATOR_TOKEN: 'rl-secret' });
    const hook = () =>
      fetch(`${a.gateway.url}/webhooks/probe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    for (let i = 0; i < 3; i++) expect((await hook()).status).toBe(200);
    const limited = await hook();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: string }).error).toBe('rate_limited');
    // Web chat is not under the webhook limit (it has its own).
    expect((await fetch(`${a.gateway.url}/healthz`)).status).not.toBe(429);

    const op = () => fetch(`${a.gateway.url}/operator/health/carrier-keys`, { headers: { authorization: 'Bearer wrong' } });
    expect((await op()).status).toBe(401);
    expect((await op()).status).toBe(401);
    const blocked = await op();
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('/healthz reports Temporal: 200 with temporal true when it answers, 503 with temporal false when it does not', async () => {
    const up = await fetch(`${main.gateway.url}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ ok: true, mongo: true, temporal: true });

    const down = await app({}, { temporalAddress: `127.0.0.1:${await freePort()}` });
    const t0 = Date.now();
    const res = await fetch(`${down.gateway.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, mongo: true, temporal: false });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('untrusted text leaving sora (unit)', () => {
  it('neutralises formula-looking CSV/XLSX cells and restores them on read', () => {
    for (const s of ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(neutraliseCell(s)).toBe(`'${s}`);
    for (const s of ['hello', '', "it's", '1-2', 'a=b']) expect(neutraliseCell(s)).toBe(s);
    expect(neutraliseCell(5)).toBe(5);
    expect(
      neutraliseRows([
        ['=1', 'ok'],
        ['-x', '+y'],
      ]),
    ).toEqual([
      ["'=1", 'ok'],
      ["'-x", "'+y"],
    ]);
    for (const s of ['=cmd|x', '-5% off?', 'plain', "'quoted"]) expect(restoreCell(String(neutraliseCell(s)))).toBe(s);
  });

  it('strips terminal escape sequences and controls from buyer text, keeping newline and tab', () => {
    expect(forTerminal('red \u001b[31mALERT\u001b[0m done')).toBe('red ALERT done');
    expect(forTerminal('title\u001b]0;pwned\u0007 x')).toBe('title x');
    expect(forTerminal('osc8 \u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\')).toBe('osc8 link');
    expect(forTerminal('c1 \u009b2J csi \u009d0;t\u009c end')).toBe('c1  csi  end');
    expect(forTerminal('bell\u0007 back\bspace \u0000nul\u007f')).toBe('bell backspace nul');
    expect(forTerminal('line1\nline2\tcol ¿dónde está mi pedido? 我的包裹')).toBe('line1\nline2\tcol ¿dónde está mi pedido? 我的包裹');
    expect(forTerminal('\u001bc reset')).toBe(' reset');
    expect(
      missedText([
        { count: 2, representative: 'where \u001b[2Jis it', examples: ['a\u001b]0;x\u0007b', 'two\nlines'], languages: { en: 2 } },
      ]),
    ).toBe(' 1. ×2  where is it\n      e.g. ab | two lines  [en:2]\n');
  });
});
