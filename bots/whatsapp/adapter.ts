/**
 * WhatsApp channel over Baileys (the WhatsApp Web multi-device protocol): one linked device per
 * shop, its session kept in MongoDB. See docs/channels/whatsapp.md.
 *
 *   GET /operator/whatsapp/status               every shop's session: state, linked number, QR, pairing code
 *   GET /operator/whatsapp/qr?shop=ID           the current QR: JSON {qr, dataUrl, state…}, or a PNG with
 *                                               ?format=png / Accept: image/png
 *
 * Both need an operator credential (the gateway guards all of /operator; README "Security").
 */
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import { ShopModel } from '../../models/shop.js';
import { ChannelSendError, type ChannelAdapter, type ConversationRef, type GatewayContext, type OutboundMessage } from '../channel.js';
import { replyAddress } from '../contacts.js';
import { HttpError } from '../http-errors.js';
import { SessionLeases } from '../session-lease.js';
import type { WhatsappReplyTo } from './normalize.js';
import { defaultSecretBox, type SecretBox } from '../../infra/secrets/index.js';
import { WhatsappSession, type InboundOutcome, type ReconnectPolicy } from './session.js';
import { baileysLogger, makeBaileysSocket, type BaileysLogLevel, type MakeSocket } from './socket.js';

export interface WhatsappAdapterOptions {
  /** Shops with a WhatsApp session (SORA_WHATSAPP_SHOPS); default ['demo']. */
  shops?: string[];
  /** Shop → phone number (digits with country code) to link with a pairing code instead of the QR. */
  pairingPhones?: Record<string, string>;
  /** Answer group chats too (the group is then the "buyer"); default false. */
  allowGroups?: boolean;
  /** Messages that arrived while the gateway was offline are taken when younger than this; default 24 h. */
  catchUpWindowMs?: number;
  reconnect?: ReconnectPolicy;
  /** Show "typing…" while the bot prepares a reply; default true. */
  typing?: boolean;
  /** Print QR codes on stdout (true, default), to a function, or not at all (false). */
  qrTerminal?: boolean | ((text: string) => void);
  /** Baileys' own log records at or above this level reach the gateway log; default 'warn'. */
  baileysLogLevel?: BaileysLogLevel;
  /** SORA_ALERT_WEBHOOK_URL: operator alerts (logout) are POSTed here too. */
  alertWebhookUrl?: string;
  /** WhatsApp Web endpoint for the real socket (default: Baileys' own); for a proxy or tests. */
  waWebSocketUrl?: string;
  /** How long this process's record as the holder of a shop's session lasts unless renewed; default 30 s. */
  sessionLeaseMs?: number;
  /** Seals the stored login state (the entry point's SecretBox, infra/secrets); default: the default configuration's. */
  secrets?: SecretBox;
  /** The Baileys socket factory (tests pass a double). */
  makeSocket?: MakeSocket;
  random?: () => number;
}

export class WhatsappAdapter implements ChannelAdapter {
  readonly id = 'whatsapp';
  /** The socket lives in this process: sends run here (README "Scaling out workers"). */
  readonly sendAffinity = 'process';
  /** `inbound` (InboundOutcome): what became of each message received; for monitoring and tests. */
  readonly events = new EventEmitter().setMaxListeners(0);
  private readonly sessions = new Map<string, WhatsappSession>();
  private readonly shops: string[];
  private leases: SessionLeases | undefined;

  constructor(private readonly o: WhatsappAdapterOptions = {}) {
    this.shops = o.shops?.length ? [...new Set(o.shops)] : ['demo'];
  }

  async start(ctx: GatewayContext): Promise<void> {
    ctx.app.get('/operator/whatsapp/status', (_req, res) => {
      res.json({ shops: this.status() });
    });
    ctx.app.get('/operator/whatsapp/qr', (req, res) => this.qrRoute(req, res));

    const print =
      this.o.qrTerminal === false
        ? null
        : typeof this.o.qrTerminal === 'function'
          ? this.o.qrTerminal
          : (s: string) => void process.stdout.write(s);
    // Serving sends on this process's queue: say which shops' sockets live here, so sends come here.
    this.leases = ctx.processQueue
      ? new SessionLeases({ channel: this.id, taskQueue: ctx.processQueue, log: ctx.log, leaseMs: this.o.sessionLeaseMs })
      : undefined;
    for (const shopId of this.shops) {
      if (!(await ShopModel.exists({ shopId })))
        ctx.log('whatsapp: no such shop yet; messages will be recorded for it anyway', { shop: shopId, hint: 'check SORA_WHATSAPP_SHOPS' });
      const session = new WhatsappSession({
        shopId,
        secrets: this.o.secrets ?? defaultSecretBox(),
        makeSocket: this.o.makeSocket ?? makeBaileysSocket,
        intake: ctx.intake,
        log: ctx.log,
        baileysLogger: baileysLogger(this.o.baileysLogLevel ?? 'warn', ctx.log, { shop: shopId }),
        pairingPhone: this.o.pairingPhones?.[shopId],
        allowGroups: this.o.allowGroups ?? false,
        catchUpWindowMs: this.o.catchUpWindowMs ?? 24 * 3_600_000,
        reconnect: this.o.reconnect ?? { minMs: 1000, maxMs: 120_000 },
        typing: this.o.typing ?? true,
        qrTerminal: print,
        alertWebhookUrl: this.o.alertWebhookUrl,
        onInbound: (e: InboundOutcome) => this.events.emit('inbound', e),
        random: this.o.random,
        waWebSocketUrl: this.o.waWebSocketUrl,
      });
      this.sessions.set(shopId, session);
      await session.start();
      await this.leases?.hold(shopId);
    }
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const session = this.sessions.get(to.shopId);
    if (!session)
      throw new ChannelSendError('whatsapp', 'unknown_shop', `shop ${to.shopId} has no WhatsApp session (SORA_WHATSAPP_SHOPS)`, false);
    session.ready(); // "not connected" / "logged out" says more than a missing address
    const { jid } = await replyAddress<WhatsappReplyTo>(to);
    return session.send(jid, msg);
  }

  async stop(): Promise<void> {
    await this.leases?.releaseAll();
    this.leases = undefined;
    await Promise.all([...this.sessions.values()].map((s) => s.stop()));
    this.sessions.clear();
  }

  connectionStates() {
    return [...this.sessions.values()].map((s) => {
      const { shopId, state } = s.status();
      return { shopId, state, connected: state === 'open' };
    });
  }

  status() {
    return [...this.sessions.values()].map((s) => s.status());
  }

  private async qrRoute(req: Request, res: Response): Promise<void> {
    const asked = typeof req.query.shop === 'string' ? req.query.shop : undefined;
    if (!asked && this.sessions.size > 1)
      throw new HttpError(400, 'invalid_request', `several shops use WhatsApp; add ?shop= one of ${[...this.sessions.keys()].join(', ')}`);
    const session = asked ? this.sessions.get(asked) : [...this.sessions.values()][0];
    if (!session) throw new HttpError(404, 'unknown_shop', `no WhatsApp session for shop "${asked}"`);
    const s = session.status();
    const png = req.query.format === 'png' || (req.query.format === undefined && !!req.accepts('image/png') && !req.accepts('json'));
    if (png) {
      if (!s.qr) throw new HttpError(404, 'no_qr', noQrMessage(s.state, s.me));
      res
        .type('png')
        .set('cache-control', 'no-store')
        .send(await QRCode.toBuffer(s.qr, { type: 'png', margin: 2, width: 320 }));
      return;
    }
    res.set('cache-control', 'no-store').json({
      shopId: s.shopId,
      state: s.state,
      me: s.me,
      qr: s.qr,
      qrAt: s.qrAt,
      dataUrl: s.qr ? await QRCode.toDataURL(s.qr, { margin: 2, width: 320 }) : null,
      pairingCode: s.pairingCode,
      message: s.qr
        ? 'scan with the shop phone: WhatsApp > Linked devices > Link a device (the code changes about every 20 s)'
        : noQrMessage(s.state, s.me),
    });
  }
}

function noQrMessage(state: string, me: string | null): string {
  if (state === 'open') return `already linked${me ? ` as ${me}` : ''}`;
  return `no QR code right now (state: ${state}); try again in a few seconds`;
}
