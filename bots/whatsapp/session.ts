/**
 * One shop's WhatsApp session: its auth state in MongoDB, its Baileys socket, login (QR or pairing
 * code), reconnects, inbound messages into the intake and replies out.
 *
 * Connection lifecycle (Baileys `connection.update`):
 *   qr            → keep it for GET /operator/whatsapp/qr, print it, request a pairing code if configured
 *   open          → linked; backoff reset
 *   close 515     → "restart required" (normal right after linking): reconnect at once
 *   close 401     → logged out from the phone: clear the stored session, alert the operators, start a
 *                   fresh session so a new QR is ready to scan
 *   close (other) → reconnect with exponential backoff (capped, jittered)
 */
import QRCode from 'qrcode';
import {
  DisconnectReason,
  generateMessageIDV2,
  isPnUser,
  jidNormalizedUser,
  type BaileysEventMap,
  type MessageUpsertType,
  type WAMessage,
  type WAMessageKey,
  type proto,
} from '@whiskeysockets/baileys';
import { isJidBroadcast, isJidGroup, isJidNewsletter } from '@whiskeysockets/baileys';
import { alertOperators } from '../../models/operator-alerts.js';
import { BuyerModel } from '../../models/buyer.js';
import { MessageModel } from '../../models/message.js';
import { ChannelSendError, conversationWorkflowId, type InboundMessage, type OutboundMessage } from '../channel.js';
import { TemporalUnavailableError, type Intake } from '../intake.js';
import { RecentIds } from '../recent-ids.js';
import { useMongoAuthState, type MongoAuthState } from './auth-state.js';
import type { SecretBox } from '../../infra/secrets/index.js';
import { normalizeWhatsappMessage, type WhatsappReplyTo } from './normalize.js';
import type { BaileysLogger, MakeSocket, WhatsappSocket } from './socket.js';

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export type SessionState = 'starting' | 'connecting' | 'waiting_for_scan' | 'open' | 'reconnecting' | 'logged_out' | 'stopped';

/** What became of one inbound WhatsApp message (also emitted as the adapter's `inbound` event). */
export interface InboundOutcome {
  shopId: string;
  externalId: string | null;
  /**
   * accepted: recorded and signalled; duplicate: seen before; deferred: recorded, Temporal down, the
   * relay will signal it; no_conversation: a seller message for a buyer with no running conversation
   * (recorded, not delivered); ignored: neither a buyer nor a seller message (our own sends
   * included: reason `own_send`); failed: could not be recorded.
   */
  outcome: 'accepted' | 'duplicate' | 'deferred' | 'no_conversation' | 'ignored' | 'failed';
  reason?: string;
  buyerId?: string;
  /** 'seller' for a message typed on the shop's phone / WhatsApp Business app. */
  author?: 'buyer' | 'seller';
}

export interface ReconnectPolicy {
  minMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): min·2^attempt, capped at max, then "equal
 * jitter": a random point in the upper half, so many gateways that lost WhatsApp together do not
 * come back in lockstep.
 */
export function reconnectDelay(attempt: number, p: ReconnectPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(p.maxMs, p.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Baileys errors are Boom errors: the status code is `output.statusCode`. */
export function disconnectCode(e: unknown): number | undefined {
  const code = (e as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The text sent for an OutboundMessage: quick replies as a numbered list, attachments as links. */
export function outboundText(msg: Pick<OutboundMessage, 'text' | 'quickReplies' | 'attachments'>): string {
  const parts = [msg.text];
  if (msg.quickReplies?.length) parts.push(msg.quickReplies.map((q, i) => `${i + 1}. ${q}`).join('\n'));
  const links = (msg.attachments ?? []).map((a) => a.url).filter(Boolean);
  if (links.length) parts.push(links.join('\n'));
  return parts.filter((p) => p && p.trim()).join('\n\n');
}

const NUMBERED_CHOICE = /^\s*(\d{1,2})\s*[.)]?\s*$/;

export interface SessionOptions {
  shopId: string;
  /** Seals the stored login state (auth-state.ts). */
  secrets: SecretBox;
  makeSocket: MakeSocket;
  intake: Intake;
  log: Log;
  baileysLogger: BaileysLogger;
  pairingPhone?: string;
  allowGroups: boolean;
  catchUpWindowMs: number;
  reconnect: ReconnectPolicy;
  typing: boolean;
  /** Where to print the QR for a terminal (null: don't). */
  qrTerminal: ((text: string) => void) | null;
  alertWebhookUrl?: string;
  onInbound: (o: InboundOutcome) => void;
  random?: () => number;
  waWebSocketUrl?: string;
}

export class WhatsappSession {
  readonly shopId: string;
  private state: SessionState = 'stopped';
  private sock: WhatsappSocket | undefined;
  private auth: MongoAuthState | undefined;
  /** Bumped for every new socket and on close: events of an older socket are ignored. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private attempt = 0;
  private nextRetryAt: Date | null = null;
  private qr: { value: string; at: Date } | null = null;
  private pairingCode: string | null = null;
  private pairingRequested = false;
  private me: string | null = null;
  private lastDisconnect: { code: number | null; message: string; at: Date } | null = null;
  private loggedOutAt: Date | null = null;
  /** Inbound messages are handled one at a time, in order. */
  private inbox: Promise<void> = Promise.resolve();
  /** Ids of the messages this session sent (see RecentIds, and onSellerMessage for how echoes are told apart). */
  private readonly ownSends = new RecentIds(5000);

  constructor(private readonly o: SessionOptions) {
    this.shopId = o.shopId;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.generation++;
    const sock = this.sock;
    this.sock = undefined;
    // end(), not logout(): the device stays linked and the next start resumes the session.
    await Promise.resolve(sock?.end(undefined)).catch(() => undefined);
    await this.inbox;
    this.state = 'stopped';
  }

  status() {
    return {
      shopId: this.shopId,
      state: this.state,
      me: this.me,
      qr: this.qr?.value ?? null,
      qrAt: this.qr?.at.toISOString() ?? null,
      pairingCode: this.pairingCode,
      lastDisconnect: this.lastDisconnect && { ...this.lastDisconnect, at: this.lastDisconnect.at.toISOString() },
      reconnectAttempt: this.attempt,
      nextRetryAt: this.nextRetryAt?.toISOString() ?? null,
      loggedOutAt: this.loggedOutAt?.toISOString() ?? null,
    };
  }

  /** The open socket, or the ChannelSendError that says why there is none. */
  ready(): WhatsappSocket {
    if (this.sock && this.state === 'open') return this.sock;
    if (this.loggedOutAt)
      throw new ChannelSendError(
        'whatsapp',
        'logged_out',
        `shop ${this.shopId}: the WhatsApp session was logged out; link it again`,
        false,
      );
    throw new ChannelSendError('whatsapp', 'not_connected', `shop ${this.shopId}: WhatsApp is not connected (${this.state})`, true, 5000);
  }

  /**
   * Send a text to `jid`; platform refusals become ChannelSendError. The message id is made here
   * (Baileys' own generator) and remembered before sending, so the `fromMe` echo Baileys emits for
   * it is never taken for a message the seller typed (see onSellerMessage).
   */
  async send(jid: string, msg: OutboundMessage): Promise<{ externalId: string }> {
    const sock = this.ready();
    const messageId = generateMessageIDV2(sock.user?.id);
    this.ownSends.add(messageId);
    try {
      const sent = await sock.sendMessage(jid, { text: outboundText(msg) }, { messageId });
      const id = sent?.key?.id;
      if (id && id !== messageId) this.ownSends.add(id);
      if (!id) throw new ChannelSendError('whatsapp', 'no_message_id', 'WhatsApp returned no message id', false);
      return { externalId: id };
    } catch (e) {
      throw toSendError(e);
    } finally {
      if (this.o.typing) this.presence(sock, 'paused', jid);
    }
  }

  private async connect(): Promise<void> {
    this.timer = undefined;
    this.nextRetryAt = null;
    if (this.stopping) return;
    const gen = ++this.generation;
    if (this.state !== 'logged_out') this.state = 'connecting';
    let auth: MongoAuthState;
    let sock: WhatsappSocket;
    try {
      auth = await useMongoAuthState(this.shopId, this.o.secrets);
      if (gen !== this.generation || this.stopping) return;
      sock = this.o.makeSocket({
        shopId: this.shopId,
        auth: auth.state,
        logger: this.o.baileysLogger,
        shouldIgnoreJid: (jid) => !!(isJidBroadcast(jid) || isJidNewsletter(jid) || (!this.o.allowGroups && isJidGroup(jid))),
        getMessage: (key) => this.sentMessage(key),
        waWebSocketUrl: this.o.waWebSocketUrl,
      });
    } catch (e) {
      this.o.log('whatsapp: could not start the connection', { shop: this.shopId, error: String(e) });
      this.scheduleReconnect(null, String(e));
      return;
    }
    this.auth = auth;
    this.sock = sock;
    this.pairingRequested = false;
    this.o.log('whatsapp: connecting', { shop: this.shopId, linked: !!auth.state.creds.registered || !!auth.state.creds.me });
    sock.ev.on('creds.update', () => {
      if (gen !== this.generation) return;
      auth.saveCreds().catch((e) => this.o.log('whatsapp: saving credentials failed', { shop: this.shopId, error: String(e) }));
    });
    sock.ev.on('connection.update', (u) => {
      if (gen !== this.generation) return;
      this.onConnectionUpdate(sock, auth, u).catch((e) =>
        this.o.log('whatsapp: connection update failed', { shop: this.shopId, error: String(e) }),
      );
    });
    sock.ev.on('messages.upsert', (u) => {
      if (gen !== this.generation) return;
      this.inbox = this.inbox.then(() => this.onUpsert(sock, u.messages, u.type));
    });
  }

  private async onConnectionUpdate(sock: WhatsappSocket, auth: MongoAuthState, u: BaileysEventMap['connection.update']): Promise<void> {
    if (u.qr) {
      this.qr = { value: u.qr, at: new Date() };
      this.state = 'waiting_for_scan';
      this.o.log('whatsapp: not linked yet; scan the QR code with the shop phone (WhatsApp > Linked devices > Link a device)', {
        shop: this.shopId,
        endpoint: `/operator/whatsapp/qr?shop=${this.shopId}`,
      });
      if (this.o.qrTerminal) {
        const print = this.o.qrTerminal;
        QRCode.toString(u.qr, { type: 'terminal', small: true })
          .then((art) => print(`\nWhatsApp QR for shop "${this.shopId}":\n${art}\n`))
          .catch(() => undefined);
      }
      if (this.o.pairingPhone && !auth.state.creds.registered && !this.pairingRequested) {
        this.pairingRequested = true;
        try {
          this.pairingCode = await sock.requestPairingCode(this.o.pairingPhone);
          this.o.log('whatsapp: pairing code ready; on the shop phone: WhatsApp > Linked devices > Link with phone number', {
            shop: this.shopId,
            phone: this.o.pairingPhone,
            code: this.pairingCode,
          });
        } catch (e) {
          this.pairingRequested = false;
          this.o.log('whatsapp: pairing code request failed', { shop: this.shopId, error: String(e) });
        }
      }
    }
    if (u.isNewLogin) this.o.log('whatsapp: device linked', { shop: this.shopId });
    if (u.connection === 'connecting' && this.state !== 'waiting_for_scan' && this.state !== 'logged_out') this.state = 'connecting';
    if (u.connection === 'open') {
      this.state = 'open';
      this.qr = null;
      this.pairingCode = null;
      this.attempt = 0;
      this.loggedOutAt = null;
      this.me = sock.user?.id ?? auth.state.creds.me?.id ?? null;
      this.o.log('whatsapp: connected', { shop: this.shopId, as: this.me });
    }
    if (u.connection === 'close') await this.onClose(u.lastDisconnect?.error);
  }

  private async onClose(error: Error | undefined): Promise<void> {
    this.generation++; // whatever the old socket still emits is ignored from here on
    this.sock = undefined;
    this.qr = null;
    this.pairingCode = null;
    const code = disconnectCode(error);
    const reason = error?.message ?? 'connection closed';
    this.lastDisconnect = { code: code ?? null, message: reason, at: new Date() };
    if (this.stopping) return;
    // A 401 on the WebSocket upgrade itself (a proxy, a gateway in between) is no logout by WhatsApp.
    if (code === DisconnectReason.loggedOut && !reason.startsWith('WebSocket Error')) return this.onLoggedOut(reason);
    if (code === DisconnectReason.restartRequired) {
      this.o.log('whatsapp: restart required by WhatsApp (normal after linking); reconnecting', { shop: this.shopId });
      this.state = 'reconnecting';
      this.timer = setTimeout(() => void this.connect(), 0);
      return;
    }
    this.scheduleReconnect(code ?? null, reason);
  }

  private scheduleReconnect(code: number | null, reason: string): void {
    if (this.stopping) return;
    const delay = reconnectDelay(this.attempt, this.o.reconnect, this.o.random);
    this.attempt++;
    if (this.state !== 'logged_out') this.state = 'reconnecting';
    this.nextRetryAt = new Date(Date.now() + delay);
    this.o.log('whatsapp: connection closed; reconnecting', {
      shop: this.shopId,
      code,
      reason,
      attempt: this.attempt,
      inMs: delay,
      ...(code === DisconnectReason.connectionReplaced
        ? { hint: 'another client took over this session: is a second gateway running for this shop?' }
        : {}),
    });
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private async onLoggedOut(reason: string): Promise<void> {
    this.state = 'logged_out';
    this.loggedOutAt = new Date();
    this.attempt = 0;
    const was = this.me;
    this.me = null;
    try {
      await this.auth?.clear();
    } catch (e) {
      this.o.log('whatsapp: clearing the stored session failed', { shop: this.shopId, error: String(e) });
    }
    this.o.log(
      'whatsapp: LOGGED OUT: the linked device was removed (from the phone or by WhatsApp); the stored session is cleared. Scan the new QR to link again.',
      {
        shop: this.shopId,
        was,
        reason,
      },
    );
    const log = (m: string, f: Record<string, unknown>) => this.o.log(`whatsapp: ${m}`, f);
    await alertOperators(
      `whatsapp:${this.shopId}:logged_out:${this.loggedOutAt.getTime()}`,
      {
        shopId: this.shopId,
        channel: 'whatsapp',
        kind: 'channel_logged_out',
        reason: `WhatsApp session of ${was ?? 'the shop'} logged out: ${reason}`,
      },
      this.o.alertWebhookUrl,
      { warn: log, error: log },
    ).catch((e) => this.o.log('whatsapp: recording the logout alert failed', { shop: this.shopId, error: String(e) }));
    // A fresh, unlinked session: its QR (and pairing code) is what the operator needs next.
    if (!this.stopping) this.timer = setTimeout(() => void this.connect(), 0);
  }

  private async onUpsert(sock: WhatsappSocket, messages: WAMessage[], type: MessageUpsertType): Promise<void> {
    for (const m of messages) {
      try {
        await this.onMessage(sock, m, type);
      } catch (e) {
        this.o.log('whatsapp: inbound message failed', { shop: this.shopId, externalId: m.key?.id ?? null, error: String(e) });
        this.o.onInbound({ shopId: this.shopId, externalId: m.key?.id ?? null, outcome: 'failed', reason: String(e) });
      }
    }
  }

  private async onMessage(sock: WhatsappSocket, m: WAMessage, type: MessageUpsertType): Promise<void> {
    const n = normalizeWhatsappMessage(m, {
      shopId: this.shopId,
      allowGroups: this.o.allowGroups,
      upsertType: type,
      catchUpWindowMs: this.o.catchUpWindowMs,
      selfJids: [sock.user?.id, sock.user?.lid, sock.user?.phoneNumber, this.me, this.auth?.state.creds.me?.lid],
    });
    if (!n.ok) {
      this.o.log('whatsapp: message ignored', { shop: this.shopId, externalId: n.externalId, reason: n.reason });
      this.o.onInbound({ shopId: this.shopId, externalId: n.externalId, outcome: 'ignored', reason: n.reason });
      return;
    }
    if (n.message.author === 'seller') return this.onSellerMessage(n.message);
    const msg = await this.withQuickReplyChoice(n.message);
    const outcome = await this.record(msg);
    this.o.onInbound({ shopId: this.shopId, externalId: msg.externalId, outcome, buyerId: msg.buyerId });
    if (outcome === 'accepted' && this.o.typing) this.presence(sock, 'composing', n.message.replyTo.jid);
  }

  /**
   * A `fromMe` message: typed by a human on the shop's phone / WhatsApp Business app (→ the seller
   * took over: recorded and signalled as sellerReply), or one of our own sends echoed back by
   * Baileys (→ ignored). Our sends are recognised two ways, both by message id:
   *   - `ownSends`, the ids this process generated *before* calling sendMessage: Baileys emits the
   *     echo on the next tick after relaying, before sendMessage's caller — the send activity — has
   *     stored the id as platformMessageId, so only an in-process record can be there in time;
   *   - MessageModel, an outbound record with that platformMessageId: for ids the bounded set no
   *     longer holds (a restart, eviction) when WhatsApp re-syncs an own message later.
   * Our socket is the only one of this linked device, and only this process sends through it, so
   * the in-process set sees every send of the device before its echo.
   */
  private async onSellerMessage(msg: InboundMessage & { replyTo: WhatsappReplyTo }): Promise<void> {
    const id = msg.externalId;
    const own =
      this.ownSends.has(id) ||
      !!(await MessageModel.exists({ channel: 'whatsapp', direction: 'out', platformMessageId: id, author: { $ne: 'seller' } }));
    if (own) {
      this.o.onInbound({ shopId: this.shopId, externalId: id, outcome: 'ignored', reason: 'own_send' });
      return;
    }
    // The chat names the buyer. A LID chat is mapped to the buyer id the buyer's own messages were
    // recorded under (their phone-number JID) through the stored reply address.
    const chat = msg.replyTo.jid;
    let buyerId = msg.buyerId;
    if (!isPnUser(chat)) {
      const b = await BuyerModel.findOne({ shopId: this.shopId, channel: 'whatsapp', 'replyTo.jid': chat }, { buyerId: 1 }).lean();
      if (b) buyerId = b.buyerId;
    }
    const { replyTo: _replyTo, ...seller } = msg; // a seller message does not change where replies go
    const outcome = await this.record({ ...seller, buyerId: jidNormalizedUser(buyerId) || buyerId });
    this.o.onInbound({ shopId: this.shopId, externalId: id, outcome, buyerId, author: 'seller' });
  }

  /**
   * Intake records the message before it signals. Temporal down → recorded, the relay signals it
   * later (a socket cannot be answered 503). Anything else (MongoDB unreachable) → retried here for
   * about a minute: WhatsApp has already been told the message was delivered.
   */
  private async record(msg: InboundMessage): Promise<InboundOutcome['outcome']> {
    const fields = { shop: this.shopId, buyer: msg.buyerId, externalId: msg.externalId };
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.o.intake.accept(msg);
        const what = msg.author === 'seller' ? 'seller message' : 'message';
        this.o.log(
          {
            accepted: `whatsapp: ${what} received`,
            duplicate: `whatsapp: duplicate ${what} ignored`,
            no_conversation: `whatsapp: ${what} recorded; no running conversation to deliver it to`,
          }[r.status],
          { ...fields, attachments: msg.attachments?.length ?? 0 },
        );
        return r.status;
      } catch (e) {
        if (e instanceof TemporalUnavailableError) {
          this.o.log('whatsapp: message recorded; Temporal is unreachable, the relay will deliver it', fields);
          return 'deferred';
        }
        if (attempt >= 5 || this.stopping) {
          this.o.log('whatsapp: message could NOT be recorded and is lost', { ...fields, text: msg.text, error: String(e) });
          return 'failed';
        }
        this.o.log('whatsapp: recording the message failed; retrying', { ...fields, attempt: attempt + 1, error: String(e) });
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** attempt)));
      }
    }
  }

  /** "2" after a numbered list of quick replies means the second option: the workflow gets its text. */
  private async withQuickReplyChoice<M extends InboundMessage>(msg: M): Promise<M> {
    const m = NUMBERED_CHOICE.exec(msg.text);
    if (!m || msg.attachments?.length) return msg;
    try {
      const last = await MessageModel.findOne({ workflowId: conversationWorkflowId(msg), direction: 'out' }, { quickReplies: 1 })
        .sort({ _id: -1 })
        .lean();
      const choice = last?.quickReplies?.[Number(m[1]) - 1];
      if (!choice) return msg;
      return { ...msg, text: choice, raw: { ...(msg.raw as object), quickReplyNumber: Number(m[1]), typed: msg.text } };
    } catch {
      return msg;
    }
  }

  private presence(sock: WhatsappSocket, type: 'composing' | 'paused', jid: string): void {
    sock
      .sendPresenceUpdate(type, jid)
      .catch((e) => this.o.log('whatsapp: typing indicator failed', { shop: this.shopId, type, error: String(e) }));
  }

  /** Baileys re-sends a message the recipient could not decrypt: give it back from our records. */
  private async sentMessage(key: WAMessageKey): Promise<proto.IMessage | undefined> {
    if (!key.id) return undefined;
    const m = await MessageModel.findOne(
      { channel: 'whatsapp', direction: 'out', platformMessageId: key.id },
      { text: 1, quickReplies: 1, attachments: 1 },
    ).lean();
    return m ? { conversation: outboundText({ text: m.text, quickReplies: m.quickReplies }) } : undefined;
  }
}

/** A Baileys send failure as ChannelSendError: a logged-out or forbidden account is final, the rest is retried. */
export function toSendError(e: unknown): ChannelSendError {
  if (e instanceof ChannelSendError) return e;
  const code = disconnectCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === DisconnectReason.loggedOut || code === DisconnectReason.forbidden)
    return new ChannelSendError('whatsapp', String(code), message, false);
  if (code === 429) return new ChannelSendError('whatsapp', '429', message, true, 30_000);
  return new ChannelSendError('whatsapp', code ? String(code) : 'send_failed', message, true);
}
