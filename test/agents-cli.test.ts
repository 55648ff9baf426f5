/**
 * `sora shops create|update|list` and `sora agents …` (issue 16 item 1): round trips, clear errors
 * (exit 2 usage, exit 1 naming the problem), passwords never on the command line, one-time links and
 * tokens shown once, disabling locks an agent out; and the first-admin bootstrap runs once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentModel, verifyAgentPassword } from '../models/agent.js';
import { disconnectMongo } from '../models/connection.js';
import { createDeskSession, findDeskSession } from '../models/desk-session.js';
import { findOperatorByToken } from '../models/operator-credential.js';
import { ShopModel } from '../models/shop.js';
import { redeemSignInLink } from '../models/sign-in-link.js';
import { runAgentsCommand } from '../scripts/cli/agents.js';
import { runShopsCommand } from '../scripts/cli/shops.js';
import { bootstrapFirstAdmin, deskBaseUrl } from '../scripts/desk-bootstrap.js';
import { seedDemoAgents } from '../scripts/demo/demo-agents.js';
import { conversationConfig } from '../temporal.config.js';
import { defaultStrategy } from '../workflows/contract.js';
import { useFreshDatabase } from './setup/helpers.js';

const defaults = defaultStrategy(conversationConfig());
const shops = (...args: string[]) => runShopsCommand(args, defaults);
const BASE = 'http://desk.test:8080';
const agents = (args: string[], password?: string) => runAgentsCommand(args, { baseUrl: BASE, readPassword: async () => password ?? '' });
const tokenOf = (stdout: string) => /#token=(sora_sl_\S+)/.exec(stdout)?.[1];

beforeAll(async () => {
  await useFreshDatabase('sora_agents_cli');
});
afterAll(async () => {
  await disconnectMongo();
});

describe('sora shops create|update|list', () => {
  it('creates, updates and lists a shop', async () => {
    const c = await shops(
      'create',
      '--id',
      'shop-b',
      '--name',
      'Shop B',
      '--languages',
      'en,es,th',
      '--default-language',
      'es',
      '--spanish-variant',
      'es-419',
      '--time-zone',
      'America/Mexico_City',
      '--hours',
      'mon-fri 09:00-18:00, sat 10:00-14:00',
      '--sla-normal',
      '24h',
    );
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('created shop shop-b: Shop B');
    expect(c.stdout).toContain('mon+tue+wed+thu+fri 09:00-18:00, sat 10:00-14:00');
    const stored = await ShopModel.findOne({ shopId: 'shop-b' }).lean();
    expect(stored).toMatchObject({
      languages: ['en', 'es', 'th'],
      defaultLanguage: 'es',
      spanishVariant: 'es-419',
      slaMinutes: { normal: 1440 },
    });
    const u = await shops('update', '--id', 'shop-b', '--hours', 'always', '--name', 'Shop B2', '--json');
    expect(u.code).toBe(0);
    expect(JSON.parse(u.stdout!)).toMatchObject({
      name: 'Shop B2',
      businessHours: [],
      businessHoursText: 'always',
      timeZone: 'America/Mexico_City',
    });
    const list = await shops('list');
    expect(list.stdout).toMatch(/shop-b\s+Shop B2\s+en,es,th \(es\)\s+America\/Mexico_City\s+always/);
    expect(JSON.parse((await shops('list', '--json')).stdout!)).toHaveLength(1);
    // The strategy subcommand is still there.
    expect((await shops('strategy', '--shop', 'shop-b')).code).toBe(0);
  });

  it('stores a return policy file, validated like sora policies check', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sora-policy-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'markets:\n  UK:\n    windowDays: 30\n');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'markets:\n  UK:\n    windowDays: -3\n');
    const r = await shops('update', '--id', 'shop-b', '--return-policy', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml.*\n.*windowDays/);
    const ok = await shops('update', '--id', 'shop-b', '--return-policy', good);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('stored with the shop');
    expect((await ShopModel.findOne({ shopId: 'shop-b' }).lean())?.returnPolicy).toMatchObject({ markets: { UK: { windowDays: 30 } } });
    const other = await shops('update', '--id', 'shop-b', '--return-policy', path.resolve('policies/example.yaml'));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/is for shop "example"/);
    expect((await shops('update', '--id', 'shop-b', '--no-return-policy')).stdout).toContain('none stored');
  });

  it('refuses bad input: exit 2 for usage, exit 1 naming each bad setting', async () => {
    expect((await shops('create', '--name', 'x')).code).toBe(2);
    expect((await shops('create', '--id', 'x')).code).toBe(2);
    expect((await shops('update', '--id', 'shop-b')).code).toBe(2);
    expect((await shops('create', '--id', 'x', '--bogus')).code).toBe(2);
    const r = await shops(
      'create',
      '--id',
      'shop-c',
      '--name',
      'C',
      '--time-zone',
      'Asia/Nowhere',
      '--hours',
      'mon-fri 9-5',
      '--languages',
      'en,xx',
      '--sla-high',
      'soon',
    );
    expect(r.code).toBe(1);
    for (const f of ['timeZone', 'businessHours', 'languages', 'slaMinutes.high']) expect(r.stderr).toContain(`sora shops create: ${f}:`);
    expect(await ShopModel.exists({ shopId: 'shop-c' })).toBeNull();
    expect((await shops('create', '--id', 'shop-b', '--name', 'again')).stderr).toMatch(/already exists/);
    expect((await shops('update', '--id', 'nope', '--name', 'N')).stderr).toMatch(/no shop "nope"/);
  });
});

describe('sora agents', () => {
  it('adds, lists and updates agents; validates every field', async () => {
    await ShopModel.create({ shopId: 'demo', name: 'Demo' });
    const a = await agents(['add', '--id', 'mia', '--name', 'Mia', '--shops', 'demo,shop-b', '--languages', 'en,es', '--capacity', '4']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('sora agents link --id mia');
    expect(await AgentModel.findById('mia').lean()).toMatchObject({
      role: 'agent',
      shopIds: ['demo', 'shop-b'],
      languages: ['en', 'es'],
      capacity: 4,
    });
    const b = await agents([
      'add',
      '--id',
      'boss',
      '--name',
      'Boss',
      '--role',
      'admin',
      '--shops',
      '*',
      '--email',
      'Boss@Shop.test',
      '--link',
    ]);
    expect(b.code).toBe(0);
    expect(tokenOf(b.stdout!)).toBeTruthy();
    expect(b.stdout).toContain(`${BASE}/desk/setup#token=`);
    const bad = await agents([
      'add',
      '--id',
      'x',
      '--name',
      'X',
      '--shops',
      'nope,*',
      '--role',
      'owner',
      '--capacity',
      'lots',
      '--languages',
      'tlh',
    ]);
    expect(bad.code).toBe(1);
    for (const f of ['shopIds', 'role', 'capacity', 'languages']) expect(bad.stderr).toContain(`sora agents add: ${f}:`);
    expect((await agents(['add', '--id', 'mia', '--name', 'Mia', '--shops', 'demo'])).stderr).toMatch(/already exists/);
    expect((await agents(['add', '--id', 'x'])).code).toBe(2);
    expect((await agents(['frobnicate'])).code).toBe(2);
    const u = await agents(['update', '--id', 'mia', '--shops', 'demo', '--capacity', '2', '--email', 'mia@shop.test']);
    expect(u.code).toBe(0);
    const list = await agents(['list']);
    expect(list.stdout).toMatch(/boss\s+Boss\s+admin\s+\*/);
    expect(list.stdout).toMatch(/mia\s+Mia\s+agent\s+demo\s+en,es\s+2\s+not yet/);
    expect(JSON.parse((await agents(['list', '--shop', 'shop-b', '--json'])).stdout!).map((x: { id: string }) => x.id)).toEqual(['boss']);
    expect((await agents(['update', '--id', 'nobody', '--capacity', '1'])).stderr).toMatch(/no agent "nobody"/);
  });

  it('sets a password from stdin only, never from the command line', async () => {
    expect((await agents(['password', '--id', 'mia', '--password', 'on the command line!'])).code).toBe(2);
    const short = await agents(['password', '--id', 'mia'], 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12/);
    const ok = await agents(['password', '--id', 'mia'], 'mia sets a long password');
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain('mia sets a long password');
    expect(await verifyAgentPassword('mia@shop.test', 'mia sets a long password')).toMatchObject({ id: 'mia' });
  });

  it('a one-time link works once and sets the password', async () => {
    const l = await agents(['link', '--id', 'boss']);
    expect(l.code).toBe(0);
    const token = tokenOf(l.stdout!)!;
    expect(await redeemSignInLink(token, 'the boss password here')).toEqual({ agentId: 'boss' });
    expect(await redeemSignInLink(token, 'the boss password again')).toEqual({ refused: 'invalid_link' });
    expect(await verifyAgentPassword('boss', 'the boss password here')).toBeTruthy();
    expect((await agents(['link', '--id', 'nobody'])).code).toBe(1);
  });

  it('API tokens: created once, listed without the token, revoked; disable locks out sessions and tokens', async () => {
    const t = await agents(['token', 'create', '--id', 'mia', '--name', 'mia script', '--json']);
    expect(t.code).toBe(0);
    const { id, token } = JSON.parse(t.stdout!) as { id: string; token: string };
    expect(await findOperatorByToken(token)).toMatchObject({ agentId: 'mia' });
    const list = await agents(['token', 'list', '--id', 'mia']);
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(token);
    const session = await createDeskSession('mia', 3_600_000);
    const pending = tokenOf((await agents(['link', '--id', 'mia'])).stdout!)!;
    const d = await agents(['disable', '--id', 'mia']);
    // A link made before the agent was disabled does not work either.
    expect(await redeemSignInLink(pending, 'mia tries another password')).toEqual({ refused: 'invalid_link' });
    expect(d.code).toBe(0);
    expect(await findDeskSession(session.token, 3_600_000)).toBeNull();
    expect(await verifyAgentPassword('mia', 'mia sets a long password')).toBeNull();
    expect((await agents(['link', '--id', 'mia'])).stderr).toMatch(/disabled/);
    expect((await agents(['enable', '--id', 'mia'])).code).toBe(0);
    expect(await verifyAgentPassword('mia', 'mia sets a long password')).toBeTruthy();
    expect((await agents(['token', 'revoke', '--id', 'boss', id])).code).toBe(1);
    expect((await agents(['token', 'revoke', '--id', 'mia', id])).stdout).toBe(`revoked ${id}\n`);
    expect(await findOperatorByToken(token)).toBeNull();
  });

  it('the last admin over every shop cannot be disabled', async () => {
    const r = await agents(['disable', '--id', 'boss']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/last enabled admin/);
  });
});

describe('first start', () => {
  it('links point at SORA_DESK_URL, else the gateway address', () => {
    expect(deskBaseUrl({ host: '0.0.0.0', port: 8080 })).toBe('http://127.0.0.1:8080');
    expect(deskBaseUrl({ host: '127.0.0.1', port: 8080 }, 'http://127.0.0.1:39999')).toBe('http://127.0.0.1:39999');
    expect(deskBaseUrl({ host: '127.0.0.1', port: 8080, deskUrl: 'https://desk.shop.example/' }, 'http://x')).toBe(
      'https://desk.shop.example',
    );
  });

  it('creates the first admin and one link only while no admin exists; demo agents once', async () => {
    await useFreshDatabase('sora_agents_cli_boot');
    const printed: string[] = [];
    const url = await bootstrapFirstAdmin({ baseUrl: BASE, print: (t) => printed.push(t) });
    expect(url).toMatch(/^http:\/\/desk\.test:8080\/desk\/setup#token=sora_sl_/);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(url!);
    expect(await bootstrapFirstAdmin({ baseUrl: BASE, print: (t) => printed.push(t) })).toBeNull();
    expect(printed).toHaveLength(1);
    expect(await AgentModel.find({}, { _id: 1, role: 1, shopIds: 1 }).lean()).toEqual([{ _id: 'admin', role: 'admin', shopIds: ['*'] }]);
    const demo = await seedDemoAgents('demo', BASE);
    expect(demo.match(/#token=sora_sl_/g)).toHaveLength(2);
    expect(await seedDemoAgents('demo', BASE)).toBe('');
    expect((await AgentModel.find({ shopIds: 'demo' }).lean()).map((a) => a._id).sort()).toEqual(['kai', 'mia']);
  });
});
