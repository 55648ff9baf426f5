/**
 * The WhatsApp adapter in the real gateway (real intake, MongoDB, Temporal client; no worker), with
 * Baileys replaced by the socket double: login (QR on the operator endpoint, pairing code), session
 * kept across restarts, reconnect with backoff, logout, inbound kinds, typing indicator, quick-reply
 * fallback and send errors.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Boom } from '@hapi/boom';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DisconnectReason } from '@whiskeysockets/baileys';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ChannelSendError, conversationWorkflowId, type ConversationRef } from '../bots/channel.js';
import { WhatsappAdapter, type WhatsappAdapterOptions } from '../bots/whatsapp/adapter.js';
import { reconnectDelay, type InboundOutcome } from '../bots/whatsapp/session.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { WhatsappAuthModel } from '../models/whatsapp-auth.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import { loadConfig, type Env } from '../infra/config/index.js';
import { eventually, signalsInHistory, sleep, testSecrets, useFreshDatabase } from './setup/helpers.js';
import { buyerMessage, sellerReply } from '../workflows/contract.js';
import { SocketDouble, textMessage, waMessage } from './kit/whatsapp-socket-double.js';
import fixtures from './fixtures/whatsapp/messages.json' with { type: 'json' };

const PHONE = '15550001111';
const BUYER = '15551239876@s.whatsapp.net';

interface Harness {
  app: App;
  adapter: WhatsappAdapter;
  sockets: SocketDouble[];
  created: number[];
  socket(): SocketDouble;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

const running: Harness[] = [];
/** The master key the login state is sealed with (infra/secrets). */
const secrets = testSecrets();

async function harness(o: WhatsappAdapterOptions = {}, env: Env = {}): Promise<Harness> {
  const sockets: SocketDouble[] = [];
  const created: number[] = [];
  const adapter = new WhatsappAdapter({
    secrets,
    shops: ['demo'],
    qrTerminal: false,
    baileysLogLevel: 'silent',
    reconnect: { minMs: 40, maxMs: 300 },
    random: () => 1, // no jitter: delays are exactly min·2^attempt (capped)
    makeSocket: (so) => {
      const s = new SocketDouble(so, PHONE);
      sockets.push(s);
      created.push(Date.now());
      return s;
    },
    ...o,
  });
  const app = await startApp({
    secrets,
    config: loadConfig(env),
    mongoUri: inject('mongoUri'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    worker: false,
    gatewayPort: 0,
    adapters: [adapter],
    relayIntervalMs: 600_000,
  });
  const h: Harness = {
    app,
    adapter,
    sockets,
    created,
    socket: () => sockets.at(-1)!,
    get: (path, headers = {}) => fetch(`${app.gateway.url}${path}`, { headers }),
    async stop() {
      running.splice(running.indexOf(h), 1);
      await app.stop();
    },
  };
  running.push(h);
  if (!('makeSocket' in o)) await eventually(() => sockets.length > 0, 5000, 'the first socket');
  return h;
}

const status = (h: Harness) => h.adapter.status()[0]!;
const ref = (buyerId = BUYER): ConversationRef => ({
  channel: 'whatsapp',
  shopId: 'demo',
  buyerId,
  workflowId: conversationWorkflowId({ shopId: 'demo', channel: 'whatsapp', buyerId }),
});
const sendError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a ChannelSendError');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(ChannelSendError);
      return e as ChannelSendError;
    },
  );

describe('WhatsApp adapter', () => {
  beforeAll(async () => {
    await useFreshDatabase('sora_wa_adapter');
    await seedDemoShop();
  });
  afterEach(async () => {
    for (const h of [...running]) await h.stop();
    await WhatsappAuthModel.deleteMany({});
  });
  afterAll(() => disconnectMongo());

  describe('login', () => {
    it('shows the QR on the operator endpoint (JSON with a PNG data URL, or a PNG), behind the operator token', async () => {
      const printed: string[] = [];
      const h = await harness({ qrTerminal: (s) => printed.push(s) }, { SORA_OPERATOR_TOKEN: 'op-secret' });
      const auth = { authorization: 'Bearer op-secret' };
      expect((await h.get('/operator/whatsapp/qr', auth)).status).toBe(200);
      expect(await (await h.get('/operator/whatsapp/qr', auth)).json()).toMatchObject({ shopId: 'demo', state: 'connecting', qr: null });

      const qr = h.socket().showQr();
      expect((await h.get('/operator/whatsapp/qr')).status).toBe(401);
      expect((await h.get('/operator/whatsapp/status', { authorization: 'Bearer wrong' })).status).toBe(401);
      const body = (await (await h.get('/operator/whatsapp/qr', auth)).json()) as Record<string, string>;
      expect(body).toMatchObject({ shopId: 'demo', state: 'waiting_for_scan', qr });
      expect(body.dataUrl).toMatch(/^data:image\/png;base64,/);
      expect(Buffer.from(body.dataUrl!.split(',')[1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');

      const png = await h.get('/operator/whatsapp/qr?format=png', auth);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(
        Buffer.from(await png.arrayBuffer())
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      const accept = await h.get('/operator/whatsapp/qr', { ...auth, accept: 'image/png' });
      expect(accept.headers.get('content-type')).toBe('image/png');

      // Printed for the terminal too.
      await eventually(() => printed.length === 1);
      expect(printed[0]).toContain('WhatsApp QR for shop "demo"');
      expect(printed[0]).toMatch(/[▄▀█]/);

      // Scanned: linked, no QR any more.
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      expect(await (await h.get('/operator/whatsapp/qr', auth)).json()).toMatchObject({
        state: 'open',
        qr: null,
        me: `${PHONE}:7@s.whatsapp.net`,
        message: `already linked as ${PHONE}:7@s.whatsapp.net`,
      });
      const none = await h.get('/operator/whatsapp/qr?format=png', auth);
      expect(none.status).toBe(404);
      expect(((await none.json()) as { error: string }).error).toBe('no_qr');
      expect((await h.get('/operator/whatsapp/qr?shop=nope', auth)).status).toBe(404);
    });

    it('requests a pairing code for the configured phone once the socket is ready (first QR), and shows it', async () => {
      const h = await harness({ pairingPhones: { demo: '15557654321' } }, { SORA_OPERATOR_TOKEN: 'op-secret' });
      h.socket().showQr();
      await eventually(() => status(h).pairingCode);
      expect(h.socket().pairingRequests).toEqual(['15557654321']);
      expect(status(h).pairingCode).toBe(h.socket().options.auth.creds.pairingCode);
      h.socket().showQr(); // the QR rotates; the pairing code stands
      await sleep(100);
      expect(h.socket().pairingRequests).toHaveLength(1);
      const auth = { authorization: 'Bearer op-secret' };
      expect(((await (await h.get('/operator/whatsapp/qr', auth)).json()) as { pairingCode: string }).pairingCode).toBe(
        status(h).pairingCode,
      );
    });

    it('keeps the session in MongoDB: a restarted gateway resumes it without QR or pairing code; stop() does not log out', async () => {
      const first = await harness({ pairingPhones: { demo: '15557654321' } });
      const creds = first.socket().options.auth.creds;
      first.socket().open();
      await eventually(() => status(first).state === 'open');
      await eventually(async () =>
        secrets
          .open((await WhatsappAuthModel.findOne({ shopId: 'demo', kind: 'creds' }).lean())?.value ?? '', 'whatsapp_auth.value')
          .includes('"registered":true'),
      );
      await first.stop();
      expect(first.socket().ended).toBe(true);
      expect(await WhatsappAuthModel.countDocuments({ shopId: 'demo' })).toBe(1);

      const second = await harness({ pairingPhones: { demo: '15557654321' } });
      const resumed = second.socket().options.auth.creds;
      expect(resumed.registered).toBe(true);
      expect(resumed.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
      expect(Buffer.from(resumed.noiseKey.private).equals(Buffer.from(creds.noiseKey.private))).toBe(true);
      second.socket().showQr(); // even if WhatsApp asked, a registered session needs no pairing code
      await sleep(100);
      expect(second.socket().pairingRequests).toEqual([]);
    });
  });

  describe('connection', () => {
    it('reconnect delays grow exponentially, are capped, and jitter within the upper half', () => {
      const p = { minMs: 1000, maxMs: 60_000 };
      expect([0, 1, 2, 3, 10].map((a) => reconnectDelay(a, p, () => 1))).toEqual([1000, 2000, 4000, 8000, 60_000]);
      expect(reconnectDelay(2, p, () => 0)).toBe(2000);
      for (let i = 0; i < 50; i++) {
        const d = reconnectDelay(3, p);
        expect(d).toBeGreaterThanOrEqual(4000);
        expect(d).toBeLessThanOrEqual(8000);
      }
    });

    it('reconnects after a close with backoff, with the same stored session; the backoff resets once open', async () => {
      const h = await harness();
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      const noiseKey = Buffer.from(h.socket().options.auth.creds.noiseKey.private);

      const closes = [
        DisconnectReason.connectionClosed,
        DisconnectReason.timedOut,
        DisconnectReason.badSession,
        DisconnectReason.connectionLost,
      ];
      for (const [i, code] of closes.entries()) {
        const before = h.sockets.length;
        const closedAt = Date.now();
        h.socket().close(code, 'Connection Terminated');
        expect(status(h)).toMatchObject({ state: 'reconnecting', reconnectAttempt: i + 1, lastDisconnect: { code } });
        await eventually(() => h.sockets.length === before + 1, 5000, `reconnect ${i + 1}`);
        const waited = h.created.at(-1)! - closedAt;
        expect(waited).toBeGreaterThanOrEqual(Math.min(300, 40 * 2 ** i) - 5); // 40, 80, 160, 300 (capped)
      }
      expect(Buffer.from(h.socket().options.auth.creds.noiseKey.private).equals(noiseKey)).toBe(true);
      // A 401 answered to the WebSocket upgrade (a proxy) is not a logout: reconnect, keep the session.
      h.socket().close(DisconnectReason.loggedOut, 'WebSocket Error (Unexpected server response: 401)');
      expect(status(h).state).toBe('reconnecting');
      await eventually(() => h.sockets.length === closes.length + 2, 5000, 'reconnect after a proxy 401');
      expect(Buffer.from(h.socket().options.auth.creds.noiseKey.private).equals(noiseKey)).toBe(true);

      h.socket().open();
      await eventually(() => status(h).state === 'open');
      expect(status(h).reconnectAttempt).toBe(0);
      // A "restart required" (after linking) reconnects at once and is not a failure.
      h.socket().close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
      await eventually(() => h.sockets.length === closes.length + 3);
      expect(status(h).reconnectAttempt).toBe(0);
      expect(await WhatsappAuthModel.countDocuments({ shopId: 'demo' })).toBeGreaterThan(0);
    });

    it('with the real Baileys socket (WhatsApp unreachable here): a hung-up connection is retried with backoff', async () => {
      // A loopback "WhatsApp Web" endpoint that accepts the TCP connection and hangs up.
      const connects: number[] = [];
      const server = net.createServer((s) => (connects.push(Date.now()), s.destroy())).listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const h = await harness({
          makeSocket: undefined, // Baileys' makeWASocket
          waWebSocketUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`,
          reconnect: { minMs: 100, maxMs: 400 },
        });
        await eventually(() => connects.length >= 4, 15_000, 'four connection attempts');
        expect(status(h)).toMatchObject({
          state: 'reconnecting',
          lastDisconnect: { code: DisconnectReason.timedOut, message: 'WebSocket Error (socket hang up)' },
        });
        expect(status(h).reconnectAttempt).toBeGreaterThanOrEqual(3);
        const gaps = connects.slice(1, 4).map((t, i) => t - connects[i]!);
        expect(gaps[0]).toBeGreaterThanOrEqual(95); // 100, 200, 400 ms (random = 1)
        expect(gaps[1]).toBeGreaterThanOrEqual(195);
        expect(gaps[2]).toBeGreaterThanOrEqual(395);
        expect(await WhatsappAuthModel.countDocuments({ shopId: 'demo' })).toBe(0); // nothing to save before a login
      } finally {
        server.close();
      }
    });

    it('on logout: clears the stored session, records and posts an operator alert, logs it, and offers a fresh QR; no reconnect with the old session', async () => {
      const alerts: unknown[] = [];
      const hook = express()
        .use(express.json())
        .post('/alerts', (req, res) => {
          alerts.push(req.body);
          res.sendStatus(204);
        })
        .listen(0, '127.0.0.1');
      await once(hook, 'listening');
      const out = vi.spyOn(process.stdout, 'write');
      try {
        const h = await harness({ alertWebhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts` });
        h.socket().open();
        await eventually(() => status(h).state === 'open');
        await h.socket().options.auth.keys.set({ 'pre-key': { '1': { public: Buffer.from('p'), private: Buffer.from('q') } } });
        await eventually(async () => (await WhatsappAuthModel.countDocuments({ shopId: 'demo' })) === 2);
        const oldKey = Buffer.from(h.socket().options.auth.creds.noiseKey.private);

        // What Baileys emits when the device is removed on the phone: stream error "conflict/device_removed" → 401.
        h.socket().close(DisconnectReason.loggedOut, 'Stream Errored (conflict)');
        const alert = await eventually(() =>
          NotificationModel.findOne({ kind: 'channel_logged_out', shopId: 'demo', delivered: true }).lean(),
        );
        expect(alert).toMatchObject({ channel: 'whatsapp', workflowId: null, buyerId: null, delivered: true });
        expect(alert.reason).toContain(`${PHONE}:7@s.whatsapp.net`);
        expect(alerts).toEqual([
          expect.objectContaining({ key: alert.key, kind: 'channel_logged_out', shopId: 'demo', channel: 'whatsapp' }),
        ]);
        expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(/whatsapp: LOGGED OUT.*shop="demo"/);

        expect(await WhatsappAuthModel.countDocuments({ shopId: 'demo' })).toBe(0);
        expect(status(h)).toMatchObject({ state: 'logged_out', me: null, reconnectAttempt: 0 });
        expect(status(h).loggedOutAt).toBeTruthy();
        await sendError(h.adapter.send(ref(), { text: 'hi' })).then((e) => expect([e.code, e.retryable]).toEqual(['logged_out', false]));

        // One fresh, unlinked socket, for a new QR; never the old credentials again.
        await eventually(() => h.sockets.length === 2);
        const fresh = h.socket().options.auth.creds;
        expect(fresh.registered).toBe(false);
        expect(Buffer.from(fresh.noiseKey.private).equals(oldKey)).toBe(false);
        const qr = h.socket().showQr();
        await eventually(() => status(h).qr === qr);
        expect(status(h).state).toBe('waiting_for_scan');
        await sendError(h.adapter.send(ref(), { text: 'hi' })).then((e) => expect(e.code).toBe('logged_out')); // until linked again
        await sleep(400);
        expect(h.sockets).toHaveLength(2);
      } finally {
        out.mockRestore();
        hook.close();
      }
    });
  });

  describe('inbound', () => {
    it('records each message kind through the intake, with the reply address, and shows "typing…" to the buyer', async () => {
      const h = await harness();
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      const now = Math.floor(Date.now() / 1000);
      const kinds = ['text', 'imageWithCaption', 'documentWithCaption', 'voiceNote', 'reply', 'lidAddressed'] as const;
      h.socket().receive(kinds.map((k) => waMessage(fixtures[k], { timestamp: now })));
      for (const k of kinds) await eventually(() => MessageModel.findOne({ channel: 'whatsapp', externalId: fixtures[k].key.id }).lean());

      const image = await MessageModel.findOne({ channel: 'whatsapp', externalId: fixtures.imageWithCaption.key.id }).lean();
      expect(image).toMatchObject({
        direction: 'in',
        shopId: 'demo',
        buyerId: '15551230004@s.whatsapp.net',
        text: 'The box arrived damaged',
        attachments: [{ type: 'image', mimeType: 'image/jpeg', sizeBytes: 184322 }],
        signalled: true,
        workflowId: 'conv:demo:whatsapp:15551230004@s.whatsapp.net',
      });
      const lid = await BuyerModel.findOne({ channel: 'whatsapp', buyerId: '15551230011@s.whatsapp.net' }).lean();
      expect(lid?.replyTo).toEqual({ jid: '123456789012345@lid', altJid: '15551230011@s.whatsapp.net' });
      await eventually(() => h.socket().presences.length === kinds.length);
      expect(h.socket().presences).toContainEqual({ type: 'composing', jid: '15551230001@s.whatsapp.net' });
      expect(h.socket().presences).toContainEqual({ type: 'composing', jid: '123456789012345@lid' });
    });

    it('records nothing for status broadcasts, groups, protocol messages, reactions, stubs and old catch-up messages', async () => {
      const h = await harness();
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      const outcomes: string[] = [];
      h.adapter.events.on('inbound', (o: { outcome: string; reason?: string }) => outcomes.push(`${o.outcome}:${o.reason}`));
      const ignored = ['statusBroadcast', 'group', 'revoke', 'reaction', 'undecryptable'] as const;
      h.socket().receive(ignored.map((k) => waMessage(fixtures[k])));
      h.socket().receive([waMessage(fixtures.sticker, { timestamp: Math.floor(Date.now() / 1000) - 3 * 86_400 })], 'append');
      await eventually(() => outcomes.length === 6);
      expect(outcomes).toEqual([
        'ignored:status_broadcast',
        'ignored:group',
        'ignored:protocol',
        'ignored:reaction',
        'ignored:stub:CIPHERTEXT',
        'ignored:not_new',
      ]);
      const ids = [...ignored.map((k) => fixtures[k].key.id), fixtures.sticker.key.id];
      expect(await MessageModel.countDocuments({ channel: 'whatsapp', externalId: { $in: ids } })).toBe(0);
      expect(h.socket().presences).toEqual([]);
    });

    it('takes messages that arrived while the gateway was offline (`append`), and a group when groups are on', async () => {
      const h = await harness({ allowGroups: true });
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      const now = Math.floor(Date.now() / 1000);
      h.socket().receive([waMessage(fixtures.sticker, { timestamp: now - 600 })], 'append');
      h.socket().receive([waMessage(fixtures.group, { timestamp: now })]);
      const sticker = await eventually(() => MessageModel.findOne({ externalId: fixtures.sticker.key.id }).lean());
      expect(sticker.attachments).toEqual([{ type: 'sticker', mimeType: 'image/webp', sizeBytes: 60206 }]);
      const group = await eventually(() => MessageModel.findOne({ externalId: fixtures.group.key.id }).lean());
      expect(group).toMatchObject({ buyerId: '120363025246125486@g.us', text: 'Does anyone know the return address?' });
    });
  });

  describe('outbound', () => {
    it('sends quick replies as a numbered list, stops "typing…", and maps a numbered answer back to the option', async () => {
      const h = await harness();
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      h.socket().receive([textMessage(BUYER, 'QR-IN-1', 'I want to return my order')]);
      await eventually(() => MessageModel.findOne({ externalId: 'QR-IN-1', signalled: true }).lean());

      const res = await h.adapter.send(ref(), {
        text: 'What would you like to do?',
        quickReplies: ['Return it', 'Exchange it', 'Talk to a person'],
      });
      const sent = h.socket().sent.at(-1)!;
      expect(sent).toMatchObject({ jid: BUYER, id: res.externalId });
      expect(sent.text).toBe('What would you like to do?\n\n1. Return it\n2. Exchange it\n3. Talk to a person');
      expect(h.socket().presences.at(-1)).toEqual({ type: 'paused', jid: BUYER });

      // The send activity records what it sent (text + quick replies) under the conversation.
      await MessageModel.create({
        direction: 'out',
        channel: 'whatsapp',
        externalId: `${ref().workflowId}:run:1`,
        shopId: 'demo',
        buyerId: BUYER,
        workflowId: ref().workflowId,
        text: 'What would you like to do?',
        quickReplies: ['Return it', 'Exchange it', 'Talk to a person'],
        author: 'bot',
        status: 'sent',
        platformMessageId: res.externalId,
      });
      h.socket().receive([textMessage(BUYER, 'QR-IN-2', ' 2 ')]);
      const choice = await eventually(() => MessageModel.findOne({ externalId: 'QR-IN-2' }).lean());
      expect(choice.text).toBe('Exchange it');
      expect(choice.raw).toMatchObject({ quickReplyNumber: 2, typed: '2' });
      h.socket().receive([textMessage(BUYER, 'QR-IN-3', '7')]); // no such option: kept as typed
      expect((await eventually(() => MessageModel.findOne({ externalId: 'QR-IN-3' }).lean())).text).toBe('7');

      // Baileys asks for a sent message when the buyer's phone could not decrypt it: given back from the records.
      expect(await h.socket().options.getMessage({ id: res.externalId })).toEqual({
        conversation: 'What would you like to do?\n\n1. Return it\n2. Exchange it\n3. Talk to a person',
      });
      expect(await h.socket().options.getMessage({ id: 'unknown' })).toBeUndefined();
    });

    it('maps failures to ChannelSendError: not connected and connection errors are retried, a refused account is not', async () => {
      const h = await harness({ shops: ['demo'] });
      h.socket().receive([textMessage(BUYER, 'ERR-IN-1', 'hello')]);
      await eventually(() => MessageModel.findOne({ externalId: 'ERR-IN-1' }).lean());

      let e = await sendError(h.adapter.send(ref(), { text: 'x' }));
      expect([e.code, e.retryable, e.retryAfterMs]).toEqual(['not_connected', true, 5000]);

      h.socket().open();
      await eventually(() => status(h).state === 'open');
      h.socket().failNextSend = new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
      e = await sendError(h.adapter.send(ref(), { text: 'x' }));
      expect([e.code, e.retryable]).toEqual(['428', true]);
      h.socket().failNextSend = new Boom('forbidden', { statusCode: DisconnectReason.forbidden });
      e = await sendError(h.adapter.send(ref(), { text: 'x' }));
      expect([e.code, e.retryable]).toEqual(['403', false]);
      h.socket().failNextSend = new Boom('rate-overlimit', { statusCode: 429 });
      e = await sendError(h.adapter.send(ref(), { text: 'x' }));
      expect([e.code, e.retryable, e.retryAfterMs]).toEqual(['429', true, 30_000]);
      h.socket().failNextSend = new Error('socket hang up');
      e = await sendError(h.adapter.send(ref(), { text: 'x' }));
      expect([e.code, e.retryable]).toEqual(['send_failed', true]);

      e = await sendError(h.adapter.send({ ...ref(), shopId: 'other' }, { text: 'x' }));
      expect([e.code, e.retryable]).toEqual(['unknown_shop', false]);
      e = await sendError(h.adapter.send(ref('15550000000@s.whatsapp.net'), { text: 'x' }));
      expect([e.code, e.retryable]).toEqual(['no_reply_address', false]);
      // Still fine afterwards.
      expect((await h.adapter.send(ref(), { text: 'ok' })).externalId).toBe(h.socket().sent.at(-1)!.id);
    });
  });
  describe('human takeover: messages typed on the shop phone', () => {
    const wf = (buyerId: string) => conversationWorkflowId({ shopId: 'demo', channel: 'whatsapp', buyerId });
    /** The adapter's next outcome for this message id. */
    const outcomeOf = (h: Harness, externalId: string) =>
      new Promise<InboundOutcome>((resolve) => {
        const on = (o: InboundOutcome) => {
          if (o.externalId !== externalId) return;
          h.adapter.events.off('inbound', on);
          resolve(o);
        };
        h.adapter.events.on('inbound', on);
      });
    const linked = async () => {
      const h = await harness();
      h.socket().open();
      await eventually(() => status(h).state === 'open');
      return h;
    };
    const buyerWrites = async (h: Harness, buyer: string, id: string) => {
      h.socket().receive([textMessage(buyer, id, 'Where is my order?')]);
      await eventually(() => MessageModel.findOne({ externalId: id, signalled: true }).lean(), 10_000, `buyer message ${id}`);
    };

    it('reaches the running conversation as a sellerReply signal and is recorded once; a redelivery is a no-op', async () => {
      const h = await linked();
      const buyer = '15557770001@s.whatsapp.net';
      await buyerWrites(h, buyer, 'TK-IN-1');
      const presences = h.socket().presences.length;

      let outcome = outcomeOf(h, 'TK-PHONE-1');
      h.socket().typeOnPhone(buyer, 'TK-PHONE-1', 'Hi, Mei from the shop here: it ships today');
      expect(await outcome).toMatchObject({ outcome: 'accepted', author: 'seller', buyerId: buyer });
      expect(await MessageModel.findOne({ channel: 'whatsapp', externalId: 'TK-PHONE-1' }).lean()).toMatchObject({
        direction: 'out',
        author: 'seller',
        status: 'sent',
        buyerId: buyer,
        workflowId: wf(buyer),
        text: 'Hi, Mei from the shop here: it ships today',
        signalled: true,
      });
      expect(await signalsInHistory(h.app.client, wf(buyer), sellerReply)).toEqual([
        { externalId: 'TK-PHONE-1', text: 'Hi, Mei from the shop here: it ships today', at: expect.any(String) },
      ]);

      outcome = outcomeOf(h, 'TK-PHONE-1');
      h.socket().typeOnPhone(buyer, 'TK-PHONE-1', 'Hi, Mei from the shop here: it ships today', 'append');
      expect(await outcome).toMatchObject({ outcome: 'duplicate' });
      expect(await MessageModel.countDocuments({ channel: 'whatsapp', externalId: 'TK-PHONE-1' })).toBe(1);
      expect(await signalsInHistory(h.app.client, wf(buyer), sellerReply)).toHaveLength(1);
      expect(await signalsInHistory(h.app.client, wf(buyer), buyerMessage)).toHaveLength(1); // not a buyer turn
      expect(h.socket().presences).toHaveLength(presences); // no "typing…" for the seller's own words
    });

    it("the bot's own sends, echoed back by Baileys as fromMe messages, are not seller messages", async () => {
      const h = await linked();
      const buyer = '15557770002@s.whatsapp.net';
      await buyerWrites(h, buyer, 'TK-IN-2');
      const sentIds: string[] = [];
      h.adapter.events.on('inbound', (o: InboundOutcome) => void (o.reason === 'own_send' && o.externalId && sentIds.push(o.externalId)));

      const res = await h.adapter.send(ref(buyer), { text: 'Your parcel is on its way' });
      // The id was made by the session (Baileys' generator, passed as sendMessage's messageId) and echoed back.
      expect(h.socket().sent.at(-1)).toMatchObject({ id: res.externalId, text: 'Your parcel is on its way' });
      expect(res.externalId).toMatch(/^3EB0[0-9A-F]{18}$/);
      await eventually(() => sentIds.includes(res.externalId), 5000, 'the echo of our send, ignored');

      // Known only from the outbound record (sent before a restart), re-synced later: ignored too.
      await MessageModel.create({
        direction: 'out',
        channel: 'whatsapp',
        externalId: `${wf(buyer)}:earlier-run:1`,
        shopId: 'demo',
        buyerId: buyer,
        workflowId: wf(buyer),
        text: 'Thanks for your order!',
        author: 'bot',
        status: 'sent',
        platformMessageId: '3EB0AAAAAAAAAAAAAAAAAA',
      });
      const outcome = outcomeOf(h, '3EB0AAAAAAAAAAAAAAAAAA');
      h.socket().typeOnPhone(buyer, '3EB0AAAAAAAAAAAAAAAAAA', 'Thanks for your order!', 'append');
      expect(await outcome).toMatchObject({ outcome: 'ignored', reason: 'own_send' });

      expect(await MessageModel.countDocuments({ channel: 'whatsapp', author: 'seller', workflowId: wf(buyer) })).toBe(0);
      expect(await signalsInHistory(h.app.client, wf(buyer), sellerReply)).toEqual([]);
    });

    it('does not start a conversation: with no running one it is recorded and logged, nothing else', async () => {
      const h = await linked();
      const buyer = '15557770003@s.whatsapp.net';
      const outcome = outcomeOf(h, 'TK-PHONE-3');
      h.socket().typeOnPhone(buyer, 'TK-PHONE-3', 'Hello! Are you still interested?');
      expect(await outcome).toMatchObject({ outcome: 'no_conversation', author: 'seller' });
      expect(await MessageModel.findOne({ externalId: 'TK-PHONE-3' }).lean()).toMatchObject({ author: 'seller', signalled: true });
      await expect(h.app.client.workflow.getHandle(wf(buyer)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });

    it("a LID-addressed chat is mapped to the buyer through the buyer's stored reply address", async () => {
      const h = await linked();
      h.socket().receive([waMessage(fixtures.lidAddressed, { id: 'TK-LID-IN', timestamp: Math.floor(Date.now() / 1000) })]);
      await eventually(() => MessageModel.findOne({ externalId: 'TK-LID-IN', signalled: true }).lean());
      const outcome = outcomeOf(h, 'TK-LID-PHONE');
      h.socket().typeOnPhone('123456789012345@lid', 'TK-LID-PHONE', 'Mei here, checking with the courier');
      expect(await outcome).toMatchObject({ outcome: 'accepted', buyerId: '15551230011@s.whatsapp.net' });
      const replies = await signalsInHistory(h.app.client, wf('15551230011@s.whatsapp.net'), sellerReply);
      expect(replies.map((r) => r.externalId)).toContain('TK-LID-PHONE');
    });

    it('own messages in the chat with ourselves and in status broadcasts stay ignored', async () => {
      const h = await linked();
      let outcome = outcomeOf(h, 'TK-SELF');
      h.socket().typeOnPhone(`${PHONE}@s.whatsapp.net`, 'TK-SELF', 'note to self');
      expect(await outcome).toMatchObject({ outcome: 'ignored', reason: 'self_chat' });
      outcome = outcomeOf(h, 'TK-STATUS');
      h.socket().typeOnPhone('status@broadcast', 'TK-STATUS', 'New collection out now!');
      expect(await outcome).toMatchObject({ outcome: 'ignored', reason: 'status_broadcast' });
      expect(await MessageModel.countDocuments({ externalId: { $in: ['TK-SELF', 'TK-STATUS'] } })).toBe(0);
    });
  });
});
