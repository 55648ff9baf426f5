/**
 * Desk sign-in (issue 16): argon2id passwords, an HttpOnly session cookie, CSRF on every change,
 * per-agent API tokens, operator credentials as admins, disabled agents locked out at once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebchatAdapter } from '../bots/webchat.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { DeskSessionModel, deleteAgentSessions } from '../models/desk-session.js';
import { createOperatorCredential } from '../models/operator-credential.js';
import { disconnectMongo } from '../models/connection.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { operatorCredential, useFreshDatabase } from './setup/helpers.js';

let app: App;
let base: string;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  await useFreshDatabase('sora_desk_auth');
  await seedDemoShop();
  await AgentModel.create({
    _id: 'ana',
    name: 'Ana',
    email: 'ana@shop.test',
    role: 'agent',
    shopIds: ['demo'],
    passwordHash: await hashPassword(PASSWORD),
  });
  app = await startApp({
    config: loadConfig({ SORA_LOG_LEVEL: 'silent' }),
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, '/sora_desk_auth'),
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

const signIn = (login: string, password: string) =>
  fetch(`${base}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });

describe('desk sign-in', () => {
  it('stores only an argon2id hash', async () => {
    const a = await AgentModel.findById('ana').select('+passwordHash').lean();
    expect(a?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(a?.passwordHash).not.toContain(PASSWORD);
  });

  it('refuses a wrong password and an unknown agent alike, and bad input with 4xx', async () => {
    const wrong = await signIn('ana', 'not the password at all');
    const unknown = await signIn('nobody', PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const missing = await fetch(`${base}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { message: string }).message).toMatch(/login/);
    const form = await fetch(`${base}/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(form.status).toBe(415);
    expect((await fetch(`${base}/session`)).status).toBe(401);
  });

  it('signs in with an HttpOnly SameSite=Strict cookie; changes need the CSRF token; sign-out ends the session', async () => {
    const res = await signIn('ana@shop.test', PASSWORD);
    expect(res.status).toBe(201);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^sora_desk=sora_ds_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const { agent, csrfToken } = (await res.json()) as { agent: { id: string; role: string }; csrfToken: string };
    expect(agent).toMatchObject({ id: 'ana', role: 'agent' });
    expect(JSON.stringify(agent)).not.toMatch(/argon2|passwordHash/);
    const cookie = setCookie.split(';')[0]!;
    // The database keeps a hash of the session token, never the token.
    expect(await DeskSessionModel.countDocuments({ _id: cookie.split('=')[1]! })).toBe(0);
    expect(await DeskSessionModel.countDocuments({ agentId: 'ana' })).toBe(1);

    const me = await fetch(`${base}/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ agent: { id: 'ana', via: 'session' }, csrfToken });
    // A change without (or with a wrong) CSRF token is refused.
    expect((await fetch(`${base}/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    expect((await fetch(`${base}/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': 'nope' } })).status).toBe(403);
    const out = await fetch(`${base}/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(`${base}/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('signing out sets the agent offline (routing passes them by)', async () => {
    const res = await signIn('ana', PASSWORD);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const h = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    expect((await fetch(`${base}/me/presence`, { method: 'PUT', headers: h, body: JSON.stringify({ presence: 'online' }) })).status).toBe(
      200,
    );
    expect((await AgentModel.findById('ana').lean())?.presence).toBe('online');
    expect((await fetch(`${base}/session`, { method: 'DELETE', headers: h })).status).toBe(204);
    expect((await AgentModel.findById('ana').lean())?.presence).toBe('offline');
  });

  it('a disabled agent is locked out at once, sessions and tokens alike', async () => {
    const res = await signIn('ana', PASSWORD);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const token = (await createOperatorCredential({ name: 'ana api', agentId: 'ana' })).token;
    const viaToken = await fetch(`${base}/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await viaToken.json()).toMatchObject({ agent: { id: 'ana', via: 'agent_token', shopIds: ['demo'] } });
    await AgentModel.updateOne({ _id: 'ana' }, { $set: { disabled: true } });
    expect((await fetch(`${base}/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${base}/session`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await signIn('ana', PASSWORD)).status).toBe(401);
    await AgentModel.updateOne({ _id: 'ana' }, { $set: { disabled: false } });
    expect(await deleteAgentSessions('ana')).toBeGreaterThan(0);
  });

  it('an operator credential acts as an admin over every shop; a bad bearer is 401', async () => {
    const op = await operatorCredential('desk probe');
    const r = await fetch(`${base}/session`, { headers: op.headers });
    expect(await r.json()).toMatchObject({ agent: { role: 'admin', shopIds: ['*'], via: 'operator' } });
    expect((await fetch(`${base}/session`, { headers: { authorization: 'Bearer sora_op_wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(401);
  });
});
