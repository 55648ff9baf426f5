/**
 * The channel adapter conformance kit. Every adapter in bots/ passes this same suite:
 *
 *   import { describeChannelConformance } from './kit/channel-conformance.js';
 *   describeChannelConformance(() => ({ adapter: new MyAdapter(cfg), deliver, received, … }));
 *
 * It runs the adapter inside the real gateway, with the real intake, a real Temporal dev server,
 * a real worker and the real MongoDB-wire server (all from test/setup/global-setup.ts). Only the
 * platform itself is played by the harness: `deliver` sends what the platform would send (a
 * webhook POST, a socket event…), `received` reads what the platform got back.
 *
 * Socket channels (WhatsApp via Baileys: the adapter holds a connection, there is no request to
 * answer) set `transport: 'socket'`. Their `deliver` emits the event on the platform side of the
 * socket, waits for the adapter to finish with it, and reports the outcome in the same HTTP terms
 * a webhook would see: 202 accepted, 200 duplicate, 503 recorded but Temporal unreachable (the relay
 * delivers it later), 4xx not a valid buyer message. They may omit `deliverForged`: events come in
 * on the session the adapter itself opened and authenticated, so there is nothing to forge.
 */
import { randomUUID } from 'node:crypto';
import * as contract from '../../workflows/contract.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChannelAdapter, InboundMessage } from '../../bots/channel.js';
import { conversationWorkflowId } from '../../bots/channel.js';
import { MessageModel } from '../../models/message.js';
import { disconnectMongo } from '../../models/connection.js';
import { seedDemoShop } from '../../scripts/demo/demo-shop.js';
import { startApp, type App } from '../../scripts/app.js';
import { freePort } from '../../scripts/stack/process.js';
import { eventually, kbEntryAnswering, testSecrets, useFreshDatabase } from '../setup/helpers.js';

export interface PlatformEvent {
  buyerId: string;
  externalId: string;
  text: string;
}

export interface ChannelUnderTest {
  /** A fresh adapter instance (the kit may start several gateways). */
  adapter: ChannelAdapter;
  shopId: string;
  /** 'webhook' (default): the platform calls the gateway. 'socket': the adapter holds a connection (see above). */
  transport?: 'webhook' | 'socket';
  /** A new buyer id in the platform's own form (default `kit-xxxxxxxx`), e.g. a WhatsApp JID. */
  newBuyerId?: () => string;
  /** Deliver an event the way the platform does; resolves to the HTTP status the platform sees. */
  deliver(gatewayUrl: string, e: PlatformEvent): Promise<number>;
  /** Deliver something the platform could send but that is not a valid event; expect 4xx. */
  deliverMalformed(gatewayUrl: string): Promise<number>;
  /** Deliver a valid-looking event with a bad signature / secret / session token; expect 401 or 403. Omit only for socket channels. */
  deliverForged?: (gatewayUrl: string, e: PlatformEvent) => Promise<number>;
  /** Texts the platform has received for this buyer so far. */
  received(gatewayUrl: string, buyerId: string): Promise<string[]>;
  /**
   * The buyerId the adapter records for the kit's buyer, when the platform's user ids cannot be the
   * kit's strings (Telegram's are numbers, Bot Framework's are scoped by channel). Default: the same.
   */
  buyerIdOf?: (kitBuyerId: string) => string;
  /**
   * The thread (InboundMessage.thread) of the kit buyer's conversation, for channels with one
   * conversation per thread (email: `deliver` puts all of a buyer's events in one thread). Default: none.
   */
  threadOf?: (kitBuyerId: string) => string;
  /** The externalId the adapter records for the kit's event (e.g. Telegram's `chatId:messageId`). Default: e.externalId. */
  externalIdOf?: (e: PlatformEvent) => string;
  /** Called once before the tests (open streams, start local platform servers…). */
  setup?: (gatewayUrl: string) => Promise<void>;
  teardown?: () => Promise<void>;
}

export function describeChannelConformance(name: string, make: () => ChannelUnderTest | Promise<ChannelUnderTest>): void {
  describe(`channel conformance: ${name}`, () => {
    let app: App;
    let c: ChannelUnderTest;
    const buyer = () => c.newBuyerId?.() ?? `kit-${randomUUID().slice(0, 8)}`;
    const ev = (buyerId: string, text = 'How long does shipping take?'): PlatformEvent => ({
      buyerId,
      externalId: `ext-${randomUUID()}`,
      text,
    });
    const sb = (b: string) => c.buyerIdOf?.(b) ?? b;
    const sx = (e: PlatformEvent) => c.externalIdOf?.(e) ?? e.externalId;
    const wf = (buyerId: string) =>
      conversationWorkflowId({ shopId: c.shopId, channel: c.adapter.id, buyerId: sb(buyerId), thread: c.threadOf?.(buyerId) });
    const snapshot = (buyerId: string) => app.client.workflow.getHandle(wf(buyerId)).query(contract.snapshot);

    beforeAll(async () => {
      await useFreshDatabase(`sora_kit_${name.replace(/\W/g, '_')}`);
      await seedDemoShop();
      c = await make();
      app = await startApp({
        secrets: testSecrets(),
        mongoUri: inject('mongoUri'),
        temporal: { address: inject('temporalAddress'), namespace: 'default' },
        gatewayPort: 0,
        adapters: [c.adapter],
        relayIntervalMs: 600_000, // the tests call relayOnce() themselves
        webchatPollMs: 200,
      });
      await c.setup?.(app.gateway.url);
    });

    afterAll(async () => {
      await c?.teardown?.();
      await app?.stop();
      await disconnectMongo();
    });

    it('normalizes a platform event into an InboundMessage and records it before signalling', async () => {
      const b = buyer();
      const e = ev(b);
      expect(await c.deliver(app.gateway.url, e)).toBeLessThan(300);
      const rec = await eventually(() => MessageModel.findOne({ channel: c.adapter.id, externalId: sx(e), signalled: true }).lean());
      expect(rec).toMatchObject({ direction: 'in', shopId: c.shopId, buyerId: sb(b), text: e.text, author: 'buyer', workflowId: wf(b) });
      expect(rec.receivedAt).toBeInstanceOf(Date);
    });

    it('starts the conversation workflow and the reply reaches the platform', async () => {
      const b = buyer();
      await c.deliver(app.gateway.url, ev(b));
      await eventually(async () => (await snapshot(b)).turns === 1);
      const got = await eventually(
        async () => {
          const r = await c.received(app.gateway.url, b);
          return r.length > 0 ? r : null;
        },
        30_000,
        'the reply on the platform side',
      );
      // The reply is an English answer of the shop's shipping FAQ.
      expect((await kbEntryAnswering(got[0]!, 'en'))?.intent).toBe('shipping_time_cost');
      const out = await MessageModel.findOne({ workflowId: wf(b), direction: 'out' }).lean();
      expect(out?.status).toBe('sent');
      expect(out?.platformMessageId).toBeTruthy();
    });

    it('treats a redelivered event as a no-op: one record, one turn, one reply', async () => {
      const b = buyer();
      const e = ev(b);
      expect(await c.deliver(app.gateway.url, e)).toBeLessThan(300);
      expect(await c.deliver(app.gateway.url, e)).toBeLessThan(300);
      await eventually(async () => (await c.received(app.gateway.url, b)).length === 1);
      expect(await c.deliver(app.gateway.url, e)).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await MessageModel.countDocuments({ channel: c.adapter.id, externalId: sx(e) })).toBe(1);
      expect((await snapshot(b)).turns).toBe(1);
      expect(await c.received(app.gateway.url, b)).toHaveLength(1);
    });

    it('rejects a malformed event with a 4xx and records nothing', async () => {
      const before = await MessageModel.countDocuments({ channel: c.adapter.id });
      const status = await c.deliverMalformed(app.gateway.url);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(await MessageModel.countDocuments({ channel: c.adapter.id })).toBe(before);
    });

    it('rejects a forged event with 401/403', async (ctx) => {
      if (!c.deliverForged) {
        if (c.transport === 'socket') {
          ctx.annotate(`${name} receives on the session it opened and authenticated itself: no inbound request to forge`);
          return;
        }
        expect.fail(`${name} receives webhooks but has no deliverForged: every webhook channel authenticates its caller`);
      }
      const e = ev(buyer());
      expect([401, 403]).toContain(await c.deliverForged(app.gateway.url, e));
      expect(await MessageModel.countDocuments({ channel: c.adapter.id, externalId: sx(e) })).toBe(0);
    });

    it('answers a retryable error when Temporal is unreachable, keeps the message, and the relay delivers it', async () => {
      const down = await startApp({
        secrets: testSecrets(),
        mongoUri: inject('mongoUri'),
        temporal: { address: `127.0.0.1:${await freePort()}`, namespace: 'default' },
        worker: false,
        gatewayPort: 0,
        adapters: [(await make()).adapter],
        relayIntervalMs: 600_000,
        signalDeadlineMs: 1500,
      });
      try {
        const b = buyer();
        const e = ev(b);
        expect(await c.deliver(down.gateway.url, e)).toBe(503);
        const rec = await MessageModel.findOne({ channel: c.adapter.id, externalId: sx(e) }).lean();
        expect(rec?.signalled).toBe(false);
        // Temporal reachable again (here: the healthy app's intake) → the relay signals it.
        await eventually(
          async () => (await app.intake.relayOnce(0)) >= 1 || (await MessageModel.exists({ externalId: sx(e), signalled: true })),
        );
        await eventually(async () => (await snapshot(b)).turns === 1);
        await eventually(async () => (await c.received(app.gateway.url, b)).length === 1, 30_000, 'reply after relay');
      } finally {
        await down.stop();
      }
    });

    it('send() delivers through the adapter and returns the platform message id', async () => {
      const b = buyer();
      await c.deliver(app.gateway.url, ev(b));
      await eventually(async () => (await c.received(app.gateway.url, b)).length === 1);
      const ref = { channel: c.adapter.id, shopId: c.shopId, buyerId: sb(b), workflowId: wf(b) };
      const res = await app.registry.send(ref, { text: 'kit direct send' });
      expect(typeof res.externalId).toBe('string');
      expect(res.externalId.length).toBeGreaterThan(0);
    });
  });
}

export type { InboundMessage };
