/**
 * Shops, agents and sign-in over the desk API (issue 16 item 1): the first start's one-time admin
 * link, every route behind auth, admin-only routes, cross-shop isolation, 422s naming each bad
 * field, one-time links, disabling, the caller's own password and tokens, and /operator for desk
 * admins over every shop only.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebchatAdapter } from '../bots/webchat.js';
import { LANGUAGES } from '../activities/catalog/languages.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel, hashPassword, verifyAgentPassword } from '../models/agent.js';
import { createAgentToken } from '../models/agent-token.js';
import { disconnectMongo } from '../models/connection.js';
import { SHOP_LANGUAGES } from '../models/shop-settings.js';
import { ShopModel } from '../models/shop.js';
import { SignInLinkModel } from '../models/sign-in-link.js';
import { startApp, type App } from '../scripts/app.js';
import { operatorCredential, useFreshDatabase } from './setup/helpers.js';

const DB = 'sora_desk_access';
let app: App;
let base: string;
const printed: string[] = [];
const PW = 'a long enough password';

const startOpts = (print: (t: string) => void) => ({
  config: loadConfig({ SORA_LOG_LEVEL: 'silent' }),
  mongoUri: inject('mongoUri').replace(/\/[^/]*$/, `/${DB}`),
  temporal: { address: inject('temporalAddress'), namespace: 'default' },
  worker: false,
  gatewayPort: 0,
  adapters: [new WebchatAdapter({ pollMs: 200 })],
  relayIntervalMs: 600_000,
  printOperatorToken: () => {},
  printDeskSetup: print,
});

type Json = Record<string, unknown>;
interface Caller {
  headers: Record<string, string>;
}
const bearer = (token: string): Caller => ({ headers: { authorization: `Bearer ${token}` } });

async function call(who: Caller | null, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(who?.headers ?? {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json & { details?: { field: string }[] }, headers: res.headers };
}

/** Redeem a link's token: the browser's cookie + CSRF token, as a Caller. */
async function redeem(url: string, password = PW) {
  const token = new URL(url).hash.replace(/^#token=/, '');
  const res = await fetch(`${base}/sign-in-links/redeem`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password }),
  });
  const body = (await res.json()) as { csrfToken?: string; message?: string };
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  return { status: res.status, body, caller: cookie ? { headers: { cookie, 'x-csrf-token': body.csrfToken! } } : null };
}

let root: Caller; // the first admin (every shop), signed in through the start's link
let alice: Caller; // admin of shop-a
let bob: Caller; // agent of shop-a
let carl: Caller; // agent of shop-b

beforeAll(async () => {
  await useFreshDatabase(DB);
  await ShopModel.create({ shopId: 'shop-a', name: 'Shop A' });
  await ShopModel.create({ shopId: 'shop-b', name: 'Shop B' });
  app = await startApp(startOpts((t) => printed.push(t)));
  base = `${app.gateway.url}/desk/api`;
  const mk = async (id: string, role: 'admin' | 'agent', shopIds: string[]) => {
    await AgentModel.create({ _id: id, name: id, role, shopIds, passwordHash: await hashPassword(PW) });
    return bearer((await createAgentToken(id, `${id} test`)).token);
  };
  alice = await mk('alice', 'admin', ['shop-a']);
  bob = await mk('bob', 'agent', ['shop-a']);
  carl = await mk('carl', 'agent', ['shop-b']);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

describe('the first start', () => {
  it('creates one admin without a password and prints a one-time link that signs them in once', async () => {
    expect(printed).toHaveLength(1);
    const url = /(http:\/\/\S+\/desk\/setup#token=sora_sl_\S+)/.exec(printed[0]!)?.[1];
    expect(url).toBeTruthy();
    const admin = await AgentModel.findById('admin').select('+passwordHash').lean();
    expect(admin).toMatchObject({ role: 'admin', shopIds: ['*'], passwordHash: null });
    // The database keeps only a hash of the link's token.
    expect(JSON.stringify(await SignInLinkModel.find().lean())).not.toContain(new URL(url!).hash.slice(7));
    // Too short a password: refused, and the link still works.
    const short = await redeem(url!, 'short');
    expect(short.status).toBe(422);
    expect(short.body.message).toMatch(/password.*12/);
    const ok = await redeem(url!);
    expect(ok.status).toBe(201);
    root = ok.caller!;
    expect((await call(root, 'GET', '/session')).body).toMatchObject({ agent: { id: 'admin', role: 'admin', via: 'session' } });
    // Once only.
    expect((await redeem(url!)).status).toBe(410);
  });

  it('a second start finds the admin and prints nothing', async () => {
    const again: string[] = [];
    const second = await startApp(startOpts((t) => again.push(t)));
    await second.stop();
    expect(again).toEqual([]);
    expect(await AgentModel.countDocuments({ role: 'admin' })).toBe(2); // admin + alice
  });

  it('the setup page redeems a link in a real browser and signs the agent in', async () => {
    const { chromium } = await import('playwright-core');
    await AgentModel.create({ _id: 'eve', name: 'Eve', role: 'agent', shopIds: ['shop-a'] });
    const link = await call(root, 'POST', '/agents/eve/sign-in-link', {});
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(link.body.url as string);
      // The token leaves the address bar at once.
      expect(page.url()).toBe(`${app.gateway.url}/desk/setup`);
      await page.fill('#pw1', 'eve chose this password');
      await page.fill('#pw2', 'eve chose this typo');
      await page.click('#go');
      await page.waitForSelector('#msg.err');
      expect(await page.textContent('#msg')).toMatch(/differ/);
      await page.fill('#pw2', 'eve chose this password');
      await page.click('#go');
      await page.waitForSelector('#msg.ok');
      expect(await page.textContent('#msg')).toMatch(/Signed in as Eve/);
      const cookies = await page.context().cookies();
      expect(cookies.find((c) => c.name === 'sora_desk')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    } finally {
      await browser.close();
    }
    expect(await verifyAgentPassword('eve', 'eve chose this password')).toMatchObject({ id: 'eve' });
  }, 60_000);

  it('serves the setup page without third-party code', async () => {
    const page = await fetch(`${app.gateway.url}/desk/setup`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain('/desk/setup.js');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${app.gateway.url}/desk/setup.js`)).status).toBe(200);
  });
});

describe('access', () => {
  const ROUTES: [string, string, unknown?][] = [
    ['GET', '/shops'],
    ['GET', '/shops/shop-a'],
    ['POST', '/shops', { shopId: 'x', name: 'x' }],
    ['PATCH', '/shops/shop-a', { name: 'x' }],
    ['GET', '/agents'],
    ['GET', '/agents/bob'],
    ['POST', '/agents', { id: 'x', name: 'x', shopIds: ['shop-a'] }],
    ['PATCH', '/agents/bob', { capacity: 1 }],
    ['POST', '/agents/bob/sign-in-link', {}],
    ['PUT', '/me/password', { current: PW, new: 'another long password' }],
    ['GET', '/me/tokens'],
    ['POST', '/me/tokens', { name: 'x' }],
    ['DELETE', '/me/tokens/op_x'],
  ];

  it('every route needs a session or a token (401)', async () => {
    for (const [m, p, b] of ROUTES) {
      const r = await call(null, m, p, b);
      expect(r.status, `${m} ${p}`).toBe(401);
      expect((await call(bearer('sora_op_wrong'), m, p, b)).status, `${m} ${p} wrong token`).toBe(401);
    }
  });

  it('admin-only routes are 403 for an agent', async () => {
    // POST/PATCH /shops, GET/POST/PATCH /agents/…, the sign-in link (GET /agents is open to agents, for their shops).
    for (const [m, p, b] of ROUTES.slice(2, 9).filter(([m, p]) => !(m === 'GET' && p === '/agents'))) {
      expect((await call(bob, m, p, b)).status, `${m} ${p}`).toBe(403);
    }
  });

  it('an agent sees only their shops and their colleagues there (other shops: 404)', async () => {
    const shops = await call(bob, 'GET', '/shops');
    expect((shops.body.shops as Json[]).map((s) => s.shopId)).toEqual(['shop-a']);
    expect((await call(bob, 'GET', '/shops/shop-b')).status).toBe(404);
    expect((await call(carl, 'GET', '/shops/shop-a')).status).toBe(404);
    expect((await call(bob, 'GET', '/shops/nope')).status).toBe(404);
    expect((await call(bob, 'GET', '/agents?shop=shop-b')).status).toBe(404);
    const agents = (await call(bob, 'GET', '/agents')).body.agents as Json[];
    const ids = agents.map((a) => a.id);
    expect(ids).toContain('alice');
    expect(ids).toContain('bob');
    expect(ids).not.toContain('carl');
    // Colleagues' names, languages and presence only: no e-mail, capacity or password state.
    expect(Object.keys(agents[0]!).sort()).toEqual(['id', 'languages', 'name', 'presence', 'role', 'shopIds']);
    // The admin over every shop shows up with only bob's shops.
    expect(agents.find((a) => a.id === 'admin')).toMatchObject({ shopIds: ['shop-a'] });
  });

  it('an admin of one shop manages only that shop and its agents, and grants only what they see', async () => {
    expect((await call(alice, 'PATCH', '/shops/shop-b', { name: 'mine now' })).status).toBe(404);
    expect((await call(alice, 'POST', '/shops', { shopId: 'shop-z', name: 'Z' })).status).toBe(403);
    expect((await call(alice, 'GET', '/agents/carl')).status).toBe(404);
    expect((await call(alice, 'PATCH', '/agents/carl', { capacity: 9 })).status).toBe(404);
    expect((await call(alice, 'POST', '/agents/carl/sign-in-link', {})).status).toBe(404);
    const listed = ((await call(alice, 'GET', '/agents')).body.agents as Json[]).map((a) => a.id);
    expect(listed).not.toContain('carl');
    const b = await call(alice, 'POST', '/agents', { id: 'dora', name: 'Dora', shopIds: ['shop-a', 'shop-b'] });
    expect(b.status).toBe(422);
    expect(b.body.message).toMatch(/shopIds: no shop "shop-b"/);
    const star = await call(alice, 'POST', '/agents', { id: 'dora', name: 'Dora', shopIds: ['*'] });
    expect(star.status).toBe(422);
    expect(star.body.details!.map((d) => d.field)).toEqual(['shopIds']);
    // The admin over every shop may not be changed by a one-shop admin.
    expect((await call(alice, 'PATCH', '/agents/admin', { capacity: 1 })).status).toBe(403);
    const ok = await call(alice, 'POST', '/agents', { id: 'dora', name: 'Dora', shopIds: 'shop-a', languages: 'en,th', capacity: 2 });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      id: 'dora',
      role: 'agent',
      shopIds: ['shop-a'],
      languages: ['en', 'th'],
      capacity: 2,
      hasPassword: false,
    });
    expect((await call(alice, 'POST', '/agents', { id: 'dora', name: 'Dora', shopIds: ['shop-a'] })).status).toBe(409);
  });
});

describe('validation', () => {
  it('422 names every bad shop field; 415 for a body that is not JSON; 409 for an existing shop', async () => {
    const r = await call(root, 'POST', '/shops', {
      shopId: 'bad id!',
      name: '',
      defaultLanguage: 'xx',
      languages: ['en', 'klingon'],
      spanishVariant: 'es-MX',
      timeZone: 'Mars/Olympus',
      businessHours: 'mon-fri 18:00-09:00',
      slaMinutes: { normal: 'soon', vip: 5 },
      ticketAutoCloseDays: 0,
      color: 'red',
    });
    expect(r.status).toBe(422);
    const fields = r.body.details!.map((d) => d.field);
    for (const f of [
      'shopId',
      'name',
      'defaultLanguage',
      'languages',
      'spanishVariant',
      'timeZone',
      'businessHours',
      'slaMinutes.normal',
      'slaMinutes.vip',
      'ticketAutoCloseDays',
      'color',
    ])
      expect(fields, f).toContain(f);
    expect(await ShopModel.exists({ shopId: 'bad id!' })).toBeNull();
    const form = await fetch(`${base}/shops`, { method: 'POST', headers: { ...root.headers, 'content-type': 'text/plain' }, body: 'x' });
    expect(form.status).toBe(415);
    expect((await call(root, 'POST', '/shops', { shopId: 'shop-a', name: 'again' })).status).toBe(409);
    const agent = await call(root, 'POST', '/agents', {
      id: 'x y',
      name: 'X',
      role: 'boss',
      shopIds: ['nope'],
      languages: 'en,zz',
      capacity: -1,
      email: 'no',
    });
    expect(agent.status).toBe(422);
    expect(agent.body.details!.map((d) => d.field).sort()).toEqual(['capacity', 'email', 'id', 'languages', 'role', 'shopIds']);
  });

  it('creates and changes a shop (hours, SLA, languages, return policy) and reads it back', async () => {
    const c = await call(root, 'POST', '/shops', {
      shopId: 'shop-c',
      name: 'Shop C',
      languages: 'en,es,th',
      defaultLanguage: 'en',
      spanishVariant: 'es-419',
      timeZone: 'Asia/Bangkok',
      businessHours: 'mon-fri 09:00-18:00, sat 10:00-14:00',
      slaMinutes: { normal: '8h', urgent: 60 },
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({
      shopId: 'shop-c',
      languages: ['en', 'es', 'th'],
      spanishVariant: 'es-419',
      timeZone: 'Asia/Bangkok',
      businessHoursText: 'mon+tue+wed+thu+fri 09:00-18:00, sat 10:00-14:00',
      slaMinutes: { normal: 480, urgent: 60 },
    });
    const bad = await call(root, 'PATCH', '/shops/shop-c', { defaultLanguage: 'fr' });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/defaultLanguage: the default language "fr" must be one of the languages offered/);
    const badPolicy = await call(root, 'PATCH', '/shops/shop-c', { returnPolicy: { markets: { UK: { windowDays: -3 } } } });
    expect(badPolicy.status).toBe(422);
    expect(badPolicy.body.details!.map((d) => d.field)).toContain('returnPolicy');
    const p = await call(root, 'PATCH', '/shops/shop-c', {
      businessHours: [{ days: [1, 2, 3], open: '08:00', close: '12:00' }],
      slaMinutes: { normal: null },
      returnPolicy: { markets: { UK: { windowDays: 30 } } },
    });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ businessHoursText: 'mon+tue+wed 08:00-12:00', hasReturnPolicy: true, slaMinutes: { urgent: 60 } });
    expect((p.body.slaMinutes as Json).normal).not.toBe(480);
    const got = await call(root, 'GET', '/shops/shop-c');
    expect(got.body.returnPolicy).toMatchObject({ markets: { UK: { windowDays: 30 } } });
    // Alice (shop-a) does not see shop-c.
    expect((await call(alice, 'GET', '/shops/shop-c')).status).toBe(404);
  });
});

describe("sign-in links, disabling, the caller's own account", () => {
  it('a link works once; an expired link does not; a new link replaces the old one', async () => {
    const a = await call(alice, 'POST', '/agents/dora/sign-in-link', {});
    expect(a.status).toBe(201);
    const first = a.body.url as string;
    expect(first).toMatch(/\/desk\/setup#token=sora_sl_/);
    const second = (await call(alice, 'POST', '/agents/dora/sign-in-link', {})).body.url as string;
    expect((await redeem(first)).status).toBe(410);
    await SignInLinkModel.updateMany({ agentId: 'dora' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await redeem(second)).status).toBe(410);
    const third = (await call(alice, 'POST', '/agents/dora/sign-in-link', {})).body.url as string;
    const ok = await redeem(third);
    expect(ok.status).toBe(201);
    expect((await call(ok.caller, 'GET', '/shops')).status).toBe(200);
    expect((await redeem(third)).status).toBe(410);
    const bad = await fetch(`${base}/sign-in-links/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(422);
  });

  it('disabling an agent ends their sessions and their tokens at once', async () => {
    const s = await redeemFreshSession('dora');
    const token = bearer((await createAgentToken('dora', 'dora api')).token);
    expect((await call(s, 'GET', '/shops')).status).toBe(200);
    expect((await call(token, 'GET', '/shops')).status).toBe(200);
    const d = await call(alice, 'PATCH', '/agents/dora', { disabled: true });
    expect(d.status).toBe(200);
    expect((await call(s, 'GET', '/shops')).status).toBe(401);
    expect((await call(token, 'GET', '/shops')).status).toBe(401);
    expect((await call(alice, 'POST', '/agents/dora/sign-in-link', {})).status).toBe(409);
    expect((await call(alice, 'PATCH', '/agents/dora', { disabled: false })).status).toBe(200);
    expect((await call(token, 'GET', '/shops')).status).toBe(200);
  });

  it('the last admin over every shop cannot be disabled or demoted', async () => {
    const r = await call(root, 'PATCH', '/agents/admin', { disabled: true });
    expect(r.status).toBe(422);
    expect(r.body.details!.map((d) => d.field)).toEqual(['disabled']);
    expect((await call(root, 'PATCH', '/agents/admin', { role: 'agent' })).status).toBe(422);
  });

  it('PUT /me/password needs the current password and the CSRF token; every other session ends', async () => {
    const s1 = await signIn('bob', PW);
    const s2 = await signIn('bob', PW);
    const noCsrf = await call({ headers: { cookie: s1.headers.cookie! } }, 'PUT', '/me/password', {
      current: PW,
      new: 'bob has a new password',
    });
    expect(noCsrf.status).toBe(403);
    expect((await call(s1, 'PUT', '/me/password', { current: 'wrong wrong wrong', new: 'bob has a new password' })).status).toBe(403);
    const short = await call(s1, 'PUT', '/me/password', { current: PW, new: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.details!.map((d) => d.field)).toEqual(['new']);
    const ok = await call(s1, 'PUT', '/me/password', { current: PW, new: 'bob has a new password' });
    expect(ok.status).toBe(200);
    expect((await call(s2, 'GET', '/shops')).status).toBe(401);
    const renewed = { headers: { cookie: ok.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': ok.body.csrfToken as string } };
    expect((await call(renewed, 'GET', '/shops')).status).toBe(200);
    await expect(signIn('bob', PW)).rejects.toThrow(/401/);
    expect((await signIn('bob', 'bob has a new password')).headers.cookie).toBeTruthy();
    // An operator credential has no account of its own.
    const op = await operatorCredential('desk probe');
    expect((await call(op, 'GET', '/me/tokens')).status).toBe(403);
  });

  it('an agent creates, lists, uses and revokes their own API tokens', async () => {
    const created = await call(carl, 'POST', '/me/tokens', { name: 'laptop script' });
    expect(created.status).toBe(201);
    const t = bearer(created.body.token as string);
    expect((await call(t, 'GET', '/session')).body).toMatchObject({ agent: { id: 'carl', via: 'agent_token' } });
    const list = (await call(carl, 'GET', '/me/tokens')).body.tokens as Json[];
    expect(list.map((x) => x.name)).toContain('laptop script');
    expect(JSON.stringify(list)).not.toContain(created.body.token as string);
    // Another agent's token is not yours to revoke.
    expect((await call(bob, 'DELETE', `/me/tokens/${created.body.id as string}`)).status).toBe(404);
    expect((await call(carl, 'DELETE', `/me/tokens/${created.body.id as string}`)).status).toBe(204);
    expect((await call(t, 'GET', '/shops')).status).toBe(401);
    expect((await call(carl, 'POST', '/me/tokens', { name: '' })).status).toBe(422);
  });
});

describe('/operator for desk users', () => {
  it('an admin over every shop may use it (session or token); other agents get 403', async () => {
    const url = `${app.gateway.url}/operator/health/carrier-keys`;
    expect((await fetch(url, { headers: root.headers })).status).toBe(200);
    const rootToken = bearer((await createAgentToken('admin', 'ops')).token);
    expect((await fetch(url, { headers: rootToken.headers })).status).toBe(200);
    expect((await fetch(url, { headers: alice.headers })).status).toBe(403);
    expect((await fetch(url, { headers: carl.headers })).status).toBe(403);
    expect((await fetch(url)).status).toBe(401);
    // A change through a session needs the CSRF token there too.
    const put = `${app.gateway.url}/operator/shops/shop-a/strategy`;
    const body = JSON.stringify({ silenceNudge: false });
    const ct = { 'content-type': 'application/json' };
    expect((await fetch(put, { method: 'PUT', headers: { ...ct, cookie: root.headers.cookie! }, body })).status).toBe(403);
    expect((await fetch(put, { method: 'PUT', headers: { ...ct, ...root.headers }, body })).status).toBe(200);
  });

  it("the language list is the catalog's", () => {
    expect([...SHOP_LANGUAGES]).toEqual([...LANGUAGES]);
  });
});

async function signIn(login: string, password: string): Promise<Caller> {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 201) throw new Error(`sign-in ${res.status}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { headers: { cookie: res.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrfToken } };
}

async function redeemFreshSession(agentId: string): Promise<Caller> {
  const url = (await call(alice, 'POST', `/agents/${agentId}/sign-in-link`, {})).body.url as string;
  const r = await redeem(url, 'yet another long password');
  return r.caller!;
}
