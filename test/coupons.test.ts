/**
 * Coupons: the pool (CSV import, generated codes, validation), binding a coupon to a buyer at most
 * once (retries, later conversations, concurrent claims, exhausted pool), and the silence nudge
 * carrying a coupon in a real conversation workflow on the time-skipping server.
 */
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import * as contract from '../workflows/contract.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCALES } from '../activities/catalog/languages.js';
import { systemMessage } from '../activities/catalog/system-messages.js';
import { createActivities } from '../activities/index.js';
import { makeClaimNudgeCoupon, type ClaimCouponInput, type ClaimCouponResult } from '../activities/coupons/claim.js';
import { CouponFieldError, formatDiscount, formatExpiry, parseCode, parseDiscount, parseExpiry } from '../activities/coupons/fields.js';
import { CODE_ALPHABET, generateCoupons } from '../activities/coupons/generate.js';
import { CouponImportError, importCoupons } from '../activities/coupons/import.js';
import { compose } from '../activities/messaging/compose.js';
import { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { disconnectMongo } from '../models/connection.js';
import { CouponModel } from '../models/coupon.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { ShopModel } from '../models/shop.js';
import { runCouponCommand } from '../scripts/cli/coupons.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { paths } from '../infra/paths.js';
import { workflowBundle } from '../scripts/worker.js';
import { conversationConfig, taskQueues } from '../temporal.config.js';
import type { ConversationConfig } from '../workflows/types.js';
import { demoWebchat, eventually, useFreshDatabase } from './setup/helpers.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const csv = (...lines: string[]) => Buffer.from(lines.join('\n'));

beforeAll(async () => {
  await useFreshDatabase('sora_coupons');
});

afterAll(async () => {
  await disconnectMongo();
});

async function freshShop(shopId: string, enabled = true): Promise<void> {
  await CouponModel.deleteMany({ shopId });
  await ShopModel.deleteOne({ shopId });
  await ShopModel.create({ shopId, name: shopId, nudgeCoupon: { enabled } });
}

describe('coupon fields', () => {
  it('accepts percentages and amounts with an ISO currency, normalized', () => {
    expect(parseDiscount('10%')).toEqual({ discount: '10%', discountType: 'percent', discountValue: 10, currency: null });
    expect(parseDiscount(' 12.5 % ')).toMatchObject({ discount: '12.5%', discountValue: 12.5 });
    expect(parseDiscount('5 usd')).toEqual({ discount: '5 USD', discountType: 'amount', discountValue: 5, currency: 'USD' });
    expect(parseDiscount('EUR 3.50')).toMatchObject({ discount: '3.5 EUR', currency: 'EUR' });
  });

  it('refuses what is not a discount, with the reason', () => {
    expect(() => parseDiscount('')).toThrow(/empty/);
    expect(() => parseDiscount('0%')).toThrow(/above 0/);
    expect(() => parseDiscount('150%')).toThrow(/at most 100/);
    expect(() => parseDiscount('5 XYZ')).toThrow(/not an ISO 4217/);
    expect(() => parseDiscount('five dollars')).toThrow(CouponFieldError);
    expect(() => parseDiscount('0 USD')).toThrow(/above 0/);
  });

  it('reads expiry dates as valid through that UTC day, and refuses past or malformed ones', () => {
    expect(parseExpiry('', NOW)).toBeNull();
    expect(parseExpiry('2027-01-31', NOW)?.toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(parseExpiry('2026-03-02T08:00:00+08:00', NOW)?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(() => parseExpiry('2026-02-30', NOW)).toThrow(/not a calendar date/);
    expect(() => parseExpiry('2026-02-28', NOW)).toThrow(/already past/);
    expect(() => parseExpiry('31/01/2027', NOW)).toThrow(/YYYY-MM-DD/);
    expect(() => parseExpiry('2027-01-31T10:00:00', NOW)).toThrow(/offset/);
  });

  it('checks codes and formats discounts and expiry in the buyer language', () => {
    expect(parseCode(' SAVE-10 ')).toBe('SAVE-10');
    expect(() => parseCode('AB')).toThrow(/3–64/);
    expect(() => parseCode('SAVE 10')).toThrow(/not a valid code/);
    expect(formatDiscount(parseDiscount('10%'), 'en')).toBe('10%');
    expect(formatDiscount(parseDiscount('10%'), 'fr')).toMatch(/^10\s%$/);
    expect(formatDiscount(parseDiscount('5 USD'), 'en')).toBe('$5.00');
    expect(formatExpiry(new Date('2027-02-01T00:00:00Z'), 'en')).toBe('January 31, 2027');
    expect(formatExpiry(new Date('2027-02-01T00:00:00Z'), 'es')).toBe('31 de enero de 2027');
  });
});

describe('coupon import', () => {
  beforeEach(() => freshShop('imp'));

  it('imports a CSV, and a second run of the same file changes nothing', async () => {
    const file = csv('code,discount,expires_at', 'WELCOME-A,10%,2027-01-31', 'WELCOME-B,5 USD,', 'WELCOME-C,10%');
    const r = await importCoupons('imp', 'pool.csv', { data: file, now: NOW });
    expect(r).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0 });
    const a = await CouponModel.findOne({ shopId: 'imp', code: 'WELCOME-A' }).lean();
    expect(a).toMatchObject({ discount: '10%', source: 'import', boundTo: null });
    expect(a?.expiresAt?.toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(a?.boundKey).toBeUndefined();
    const again = await importCoupons('imp', 'pool.csv', { data: file, now: NOW });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await CouponModel.countDocuments({ shopId: 'imp' })).toBe(3);
  });

  it('reports every bad row with its row number and imports nothing', async () => {
    const file = csv(
      'code,discount,expires_at',
      'GOOD-1,10%,',
      'x,10%,', // code too short
      'GOOD-2,ten percent,', // discount
      'GOOD-3,10%,2020-01-01', // past
      'GOOD-1,20%,', // duplicate of row 2
    );
    const e = await importCoupons('imp', 'bad.csv', { data: file, now: NOW }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CouponImportError);
    expect((e as CouponImportError).problems.map((p) => [p.row, p.column])).toEqual([
      [3, 'code'],
      [4, 'discount'],
      [5, 'expires_at'],
      [6, 'code'],
    ]);
    expect((e as Error).message).toMatch(/row 6, code: "GOOD-1" is already on row 2/);
    expect(await CouponModel.countDocuments({ shopId: 'imp' })).toBe(0);
  });

  it('refuses a file without the required columns, an unknown shop and a non-CSV file', async () => {
    await expect(importCoupons('imp', 'x.csv', { data: csv('coupon,value', 'A1B2,10%'), now: NOW })).rejects.toThrow(
      /missing required column "code"/,
    );
    await expect(importCoupons('imp', 'x.csv', { data: csv('code,discount'), now: NOW })).rejects.toThrow(/no coupons/);
    await expect(importCoupons('nope', 'x.csv', { data: csv('code,discount', 'A1B2,10%') })).rejects.toThrow(/no shop "nope"/);
    await expect(importCoupons('imp', 'x.xlsx', { data: csv('code,discount', 'A1B2,10%') })).rejects.toThrow(/\.csv/);
  });

  it('updates a free coupon, but keeps a coupon already given to a buyer as it was', async () => {
    await importCoupons('imp', 'p.csv', { data: csv('code,discount', 'FREE-1,10%', 'GIVEN-1,10%'), now: NOW });
    await CouponModel.updateOne(
      { shopId: 'imp', code: 'GIVEN-1' },
      { $set: { boundKey: 'imp|webchat|b1', boundTo: { channel: 'webchat', buyerId: 'b1', workflowId: 'w', claimKey: 'w:r', at: NOW } } },
    );
    const r = await importCoupons('imp', 'p.csv', { data: csv('code,discount', 'FREE-1,15%', 'GIVEN-1,15%'), now: NOW });
    expect(r).toMatchObject({ updated: 1, boundKept: 1, created: 0 });
    expect(r.warnings.join()).toMatch(/"GIVEN-1" was already given/);
    expect((await CouponModel.findOne({ code: 'FREE-1' }).lean())?.discount).toBe('15%');
    expect((await CouponModel.findOne({ code: 'GIVEN-1' }).lean())?.discount).toBe('10%');
  });
});

describe('coupon generation', () => {
  beforeEach(() => freshShop('gen'));

  it('draws unique codes with the prefix from the unambiguous alphabet and records the rule', async () => {
    const r = await generateCoupons('gen', { count: 250, prefix: 'SORA-', discount: '10%', expires: '2027-01-31' }, { now: NOW });
    expect(r.created).toBe(250);
    const codes = (await CouponModel.find({ shopId: 'gen' }).lean()).map((c) => c.code);
    expect(new Set(codes).size).toBe(250);
    for (const c of codes) {
      expect(c).toMatch(/^SORA-.{8}$/);
      for (const ch of c.slice(5)) expect(CODE_ALPHABET).toContain(ch);
    }
    const shop = await ShopModel.findOne({ shopId: 'gen' }).lean();
    expect(shop?.couponRule).toMatchObject({ prefix: 'SORA-', length: 8, discount: '10%' });
    // A second run adds more; it never reuses a code.
    await generateCoupons('gen', { count: 10, prefix: 'SORA-', length: 6, discount: '5 USD' }, { now: NOW });
    expect(await CouponModel.countDocuments({ shopId: 'gen' })).toBe(260);
  });

  it('draws again when a code collides with one the pool already has', async () => {
    // Byte sources that yield the given bytes, one per draw: the second run first draws two codes
    // the pool already has (refused by the unique index), then a new one.
    const bytes = (...seq: number[]) => {
      let k = 0;
      return (n: number) => Buffer.alloc(n, seq[Math.min(k++, seq.length - 1)]!);
    };
    expect((await generateCoupons('gen', { count: 2, prefix: 'R', length: 6, discount: '10%' }, { random: bytes(0, 1) })).created).toBe(2);
    const again = await generateCoupons('gen', { count: 1, prefix: 'R', length: 6, discount: '10%' }, { random: bytes(0, 1, 2) });
    expect(again.created).toBe(1);
    expect((await CouponModel.find({ shopId: 'gen' }).lean()).map((c) => c.code).sort()).toEqual(['RAAAAAA', 'RBBBBBB', 'RCCCCCC']);
  });

  it('refuses a bad rule before writing anything', async () => {
    const bad = [
      [{ count: 0, prefix: 'A', discount: '10%' }, /--count/],
      [{ count: 5, prefix: 'A', discount: '10%', length: 4 }, /--length/],
      [{ count: 5, prefix: 'has space', discount: '10%' }, /--prefix/],
      [{ count: 5, prefix: 'A', discount: '10' }, /neither a percentage/],
      [{ count: 5, prefix: 'A', discount: '10%', expires: '2020-01-01' }, /already past/],
    ] as const;
    for (const [rule, msg] of bad) await expect(generateCoupons('gen', rule, { now: NOW })).rejects.toThrow(msg);
    expect(await CouponModel.countDocuments({ shopId: 'gen' })).toBe(0);
  });
});

describe('binding a coupon to a buyer at most once', () => {
  const env = new MockActivityEnvironment();
  const claim = makeClaimNudgeCoupon({ lowWatermark: 0, minValidityMs: 24 * 3_600_000 }, undefined);
  const input = (buyerId: string, run = 'run-1', shopId = 'bind'): ClaimCouponInput => {
    const workflowId = `conv:${shopId}:webchat:${buyerId}`;
    return { shopId, channel: 'webchat', buyerId, workflowId, claimKey: `${workflowId}:${run}` };
  };
  const run = (i: ClaimCouponInput) => env.run(claim, i) as Promise<ClaimCouponResult>;

  beforeEach(async () => {
    await freshShop('bind');
    await generateCoupons('bind', { count: 5, prefix: 'B-', discount: '10%' });
  });

  it('gives nothing while the shop has coupons disabled', async () => {
    await ShopModel.updateOne({ shopId: 'bind' }, { $set: { 'nudgeCoupon.enabled': false } });
    expect(await run(input('b1'))).toEqual({ status: 'disabled', coupon: null });
    expect(await CouponModel.countDocuments({ shopId: 'bind', boundKey: { $exists: true } })).toBe(0);
  });

  it('returns the same coupon to a retried claim, and none to a later conversation of the same buyer', async () => {
    const first = await run(input('b1'));
    expect(first.status).toBe('claimed');
    const retried = await run(input('b1'));
    expect(retried).toEqual({ ...first, retry: true });
    expect(await run(input('b1', 'run-2'))).toEqual({ status: 'already_given', coupon: null });
    const bound = await CouponModel.find({ shopId: 'bind', boundKey: { $exists: true } }).lean();
    expect(bound).toHaveLength(1);
    expect(bound[0]!.boundTo).toMatchObject({ channel: 'webchat', buyerId: 'b1', workflowId: 'conv:bind:webchat:b1' });
  });

  it('gives two buyers different codes', async () => {
    const a = await run(input('b1'));
    const b = await run(input('b2'));
    expect(a.coupon?.code).toMatch(/^B-/);
    expect(b.coupon?.code).toMatch(/^B-/);
    expect(a.coupon?.code).not.toBe(b.coupon?.code);
  });

  it('binds exactly one coupon when one buyer claims from many conversations at once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(input('racer', `run-${i}`))));
    expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already_given')).toHaveLength(7);
    expect(await CouponModel.countDocuments({ shopId: 'bind', boundKey: { $exists: true } })).toBe(1);
  });

  it('never gives one coupon to two buyers; an exhausted pool answers pool_empty and alerts once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(input(`buyer-${i}`))));
    const codes = results.flatMap((r) => (r.coupon ? [r.coupon.code] : []));
    expect(codes).toHaveLength(5);
    expect(new Set(codes).size).toBe(5);
    expect(results.filter((r) => r.status === 'pool_empty')).toHaveLength(3);
    const alerts = await NotificationModel.find({ shopId: 'bind', kind: 'coupon_pool_empty' }).lean();
    expect(alerts).toHaveLength(1);
    await NotificationModel.deleteMany({ shopId: 'bind' });
  });

  it('skips expired coupons and ones expiring within the minimum validity', async () => {
    await freshShop('bind');
    const soon = new Date(Date.now() + 3_600_000);
    const later = new Date(Date.now() + 7 * 86_400_000);
    const base = {
      shopId: 'bind',
      discount: '10%',
      discountType: 'percent' as const,
      discountValue: 10,
      source: 'import' as const,
      batch: 't',
    };
    await CouponModel.insertMany([
      { ...base, code: 'EXPIRED', expiresAt: new Date(Date.now() - 1000) },
      { ...base, code: 'TOO-SOON', expiresAt: soon },
      { ...base, code: 'LATER', expiresAt: later },
    ]);
    const r = await run(input('b1'));
    expect(r.coupon).toEqual({
      code: 'LATER',
      discount: '10%',
      discountType: 'percent',
      discountValue: 10,
      currency: null,
      expiresAt: later.toISOString(),
    });
    expect((await run(input('b2'))).status).toBe('pool_empty');
  });

  it('alerts operators when the pool runs low', async () => {
    const low = makeClaimNudgeCoupon({ lowWatermark: 4, minValidityMs: 0 }, undefined);
    await env.run(low, input('b1'));
    expect(await NotificationModel.countDocuments({ shopId: 'bind', kind: 'coupon_pool_low' })).toBe(0); // 4 left
    await env.run(low, input('b2'));
    await env.run(low, input('b3'));
    const alerts = await NotificationModel.find({ shopId: 'bind', kind: 'coupon_pool_low' }).lean();
    expect(alerts).toHaveLength(1); // once a day, not once per claim
    expect(alerts[0]!.reason).toMatch(/^3 free coupons left/);
    await NotificationModel.deleteMany({ shopId: 'bind' });
  });
});

describe('coupon nudge text', () => {
  it('fills code, discount and expiry in every catalog language', async () => {
    await freshShop('txt');
    const coupon = {
      code: 'ZX-42',
      discount: '5 USD',
      discountType: 'amount' as const,
      discountValue: 5,
      currency: 'USD',
      expiresAt: '2027-02-01T00:00:00.000Z',
    };
    for (const lang of LOCALES) {
      const c = await compose('txt', { kind: 'coupon_nudge', coupon }, lang);
      expect(c.language).toBe(lang);
      expect(c.text).toContain('ZX-42');
      expect(c.text).not.toMatch(/\{\w+\}/);
      expect(c.text).toContain(formatDiscount(coupon, lang));
      expect(c.text).toContain(formatExpiry(new Date(coupon.expiresAt), lang));
      const plain = await compose('txt', { kind: 'coupon_nudge', coupon: { ...coupon, expiresAt: null } }, lang);
      expect(plain.text).toContain('ZX-42');
      expect(plain.text).not.toMatch(/\{\w+\}/);
      expect(plain.text).not.toContain(formatExpiry(new Date(coupon.expiresAt), lang));
    }
  });
});

describe('sora coupons', () => {
  beforeEach(() => freshShop('cli', false));

  it('generates, enables, lists and disables', async () => {
    const g = await runCouponCommand([
      'generate',
      '--shop',
      'cli',
      '--count',
      '3',
      '--prefix',
      'CLI-',
      '--discount',
      '10%',
      '--expires',
      '2099-06-30',
    ]);
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/generated 3 coupons for shop cli/);
    const e = await runCouponCommand(['enable', '--shop', 'cli']);
    expect(e).toMatchObject({ code: 0, stderr: '' });
    expect(e.stdout).toMatch(/ENABLED; 3 available, 0 given/);
    expect(e.stdout).toMatch(/prefix "CLI-", 8 random characters, 10%, valid through 2099-06-30/);
    const l = await runCouponCommand(['list', '--shop', 'cli', '--json']);
    expect(JSON.parse(l.stdout!)).toMatchObject({
      shopId: 'cli',
      enabled: true,
      available: 3,
      bound: 0,
      expired: 0,
      byDiscount: [{ discount: '10%', available: 3 }],
      rule: { prefix: 'CLI-', length: 8, discount: '10%' },
    });
    const d = await runCouponCommand(['disable', '--shop', 'cli']);
    expect(d.stdout).toMatch(/disabled/);
    expect((await ShopModel.findOne({ shopId: 'cli' }).lean())?.nudgeCoupon?.enabled).toBe(false);
  });

  it('warns when enabling an empty pool, and explains bad input', async () => {
    expect((await runCouponCommand(['enable', '--shop', 'cli'])).stderr).toMatch(/no available coupon/);
    expect(await runCouponCommand(['list'])).toMatchObject({ code: 2, usage: expect.stringMatching(/--shop/) });
    expect(await runCouponCommand(['generate', '--shop', 'cli', '--count', 'x', '--discount', '10%'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--count must be a whole number/),
    });
    expect(await runCouponCommand(['list', '--shop', 'nope'])).toMatchObject({ code: 1, stderr: 'no shop "nope"\n' });
    expect(await runCouponCommand(['import', '--shop', 'cli', '/nonexistent/x.csv'])).toMatchObject({
      code: 1,
      stderr: 'cannot read /nonexistent/x.csv: ENOENT\n',
    });
  });
});

describe('silence nudge with a coupon (conversation workflow, time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let intake: Intake;
  const config: ConversationConfig = { ...conversationConfig(), searchAttributes: false };

  beforeAll(async () => {
    await seedDemoShop();
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: paths.temporalTestServerBin } },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: taskQueues.conversations,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        registry: new ChannelRegistry().register(new WebchatAdapter()),
        coupons: { lowWatermark: 0, minValidityMs: 0 },
      }),
    });
    running = worker.run();
    intake = new Intake({
      client: env.client,
      connection: env.connection,
      conversationConfig: config,
      signalDeadlineMs: 10_000,
      log: () => {},
    });
    await CouponModel.deleteMany({ shopId: 'demo' });
    await importCoupons('demo', 'demo.csv', { data: csv('code,discount', 'DEMO-ONLY-ONE,15%') });
    await ShopModel.updateOne({ shopId: 'demo' }, { $set: { 'nudgeCoupon.enabled': true } });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const { msg, wfId } = demoWebchat('cm');
  const snap = (buyerId: string) => env.client.workflow.getHandle(wfId(buyerId)).query(contract.snapshot);
  const sent = async (buyerId: string) =>
    (
      await MessageModel.find({ workflowId: wfId(buyerId), direction: 'out' })
        .sort({ _id: 1 })
        .lean()
    ).map((m) => ({ text: m.text, status: m.status }));
  const plainNudge = systemMessage('silence_nudge', 'en').text;
  const couponNudge = fillCoupon(systemMessage('silence_nudge_coupon', 'en').text, 'DEMO-ONLY-ONE', '15%');

  /** The buyer says something the bot asks back about, then stays silent past the nudge. */
  async function silentAfterQuestion(buyerId: string, runBefore?: string): Promise<void> {
    await intake.accept(msg(buyerId, 'my cat really likes the blue sofa'));
    await eventually(
      async () => {
        const s = await snap(buyerId);
        return s.runId !== runBefore && s.turns === 1 && !s.busy && s.pendingInbox === 0 && s.awaitingReplySince !== null;
      },
      30_000,
      `${buyerId} waiting for a reply`,
    );
    await env.sleep(31_000);
    await eventually(async () => (await snap(buyerId)).nudged, 30_000, `${buyerId} nudged`);
  }

  it('sends the nudge with a coupon code once, and the plain nudge to the same buyer in a later conversation and to the next buyer', async () => {
    await silentAfterQuestion('cpn-1');
    const texts = await eventually(async () => {
      const s = await sent('cpn-1');
      return s.some((m) => m.text === couponNudge && m.status === 'sent') ? s : null;
    });
    expect(texts.filter((m) => m.text.includes('DEMO-ONLY-ONE'))).toHaveLength(1);
    expect(texts.map((m) => m.text)).not.toContain(plainNudge);
    const coupon = await CouponModel.findOne({ shopId: 'demo', code: 'DEMO-ONLY-ONE' }).lean();
    expect(coupon?.boundTo).toMatchObject({ channel: 'webchat', buyerId: 'cpn-1', workflowId: wfId('cpn-1') });

    // The run's history replays against the current code (patch marker + claim activity).
    const history = await env.client.workflow.getHandle(wfId('cpn-1')).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history);

    // Same buyer, new conversation: no second coupon.
    const h = env.client.workflow.getHandle(wfId('cpn-1'));
    await h.signal(contract.closeConversation, { reason: 'resolved' });
    await eventually(async () => (await snap('cpn-1')).status === 'closed');
    const firstRun = (await snap('cpn-1')).runId;
    await silentAfterQuestion('cpn-1', firstRun);
    await eventually(
      async () => (await sent('cpn-1')).some((m) => m.text === plainNudge),
      30_000,
      'plain nudge in the second conversation',
    );
    expect((await sent('cpn-1')).filter((m) => m.text.includes('DEMO-ONLY-ONE'))).toHaveLength(1);

    // Another buyer: the pool (one coupon) is exhausted, so the plain nudge.
    await silentAfterQuestion('cpn-2');
    await eventually(async () => (await sent('cpn-2')).some((m) => m.text === plainNudge), 30_000, 'plain nudge for cpn-2');
    expect((await sent('cpn-2')).some((m) => m.text.includes('DEMO-ONLY-ONE'))).toBe(false);
    expect(await NotificationModel.countDocuments({ shopId: 'demo', kind: 'coupon_pool_empty' })).toBe(1);
  });
});

function fillCoupon(template: string, code: string, discount: string): string {
  return template.replace('{code}', code).replace('{discount}', discount);
}
