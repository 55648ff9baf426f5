/**
 * A double of a Baileys socket, at the library boundary: the adapter gets it from its `makeSocket`
 * factory instead of Baileys' makeWASocket. It has the events (real names and payload shapes:
 * `connection.update` with `qr` / `connection` / `lastDisconnect.error` as a Boom with
 * `output.statusCode`, `creds.update`, `messages.upsert` with proto.WebMessageInfo instances) and
 * the methods the adapter uses. The test plays WhatsApp through showQr / open / close / receive.
 *
 * Behaviour copied from Baileys 7 (lib/Socket/socket.js): creds.update is merged into the auth
 * state's creds; end(error) emits `connection.update` {connection:'close', lastDisconnect:{error}}
 * once; logout() ends with Boom 'Intentional Logout' 401; requestPairingCode() sets creds.pairingCode
 * and creds.me and emits creds.update; a closed socket's sendMessage throws Boom 'Connection Closed' 428.
 * From lib/Socket/messages-send.js: sendMessage's `options.messageId` replaces the generated id, and
 * (config.emitOwnEvents, on by default) the sent message comes back as a `messages.upsert` of type
 * `append` with `key.fromMe` on the next tick. The shop phone typing in a chat is `typeOnPhone`:
 * a `notify` upsert with `fromMe` (lib/Utils/decode-wa-message.js: a stanza from our own account
 * with a `recipient` → fromMe, remoteJid = the recipient).
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Boom } from '@hapi/boom';
import {
  DisconnectReason,
  proto,
  type AnyMessageContent,
  type BaileysEventMap,
  type Contact,
  type MessageUpsertType,
  type MiscMessageGenerationOptions,
  type WAMessage,
  type WAPresence,
} from '@whiskeysockets/baileys';
import type { SocketOptions, WhatsappSocket } from '../../bots/whatsapp/socket.js';

export interface SentMessage {
  jid: string;
  content: AnyMessageContent;
  id: string;
  text: string | undefined;
}

export class SocketDouble implements WhatsappSocket {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  readonly ev = {
    on: <T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void) => void this.emitter.on(event, listener),
    off: <T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void) => void this.emitter.off(event, listener),
    emit: <T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]) => this.emitter.emit(event, arg),
  };
  user: Contact | undefined;
  readonly sent: SentMessage[] = [];
  readonly presences: { type: WAPresence; jid: string | undefined }[] = [];
  readonly pairingRequests: string[] = [];
  ended = false;
  /** The next sendMessage() rejects with this. */
  failNextSend: Error | undefined;
  /** Baileys' emitOwnEvents: every sent message is echoed back as a `fromMe` upsert (default true, like Baileys). */
  emitOwnEvents = true;

  constructor(
    readonly options: SocketOptions,
    /** The phone number of the WhatsApp account this socket logs in as. */
    readonly phone: string,
  ) {
    this.ev.on('creds.update', (update) => Object.assign(options.auth.creds, update));
  }

  // ---- WhatsApp's side -------------------------------------------------------------------

  /** A new QR ref, as Baileys emits it while the device is not linked. */
  showQr(
    qr = `2@${randomBytes(24).toString('base64')},${randomBytes(32).toString('base64')},${randomBytes(32).toString('base64')}`,
  ): string {
    this.ev.emit('connection.update', { qr });
    return qr;
  }

  /** Login succeeded (QR scanned / stored creds accepted). */
  open(): void {
    this.user = { id: `${this.phone}:7@s.whatsapp.net`, name: 'Shop' };
    this.ev.emit('creds.update', { me: this.user, registered: true });
    this.ev.emit('connection.update', { connection: 'open' });
  }

  /** The connection closed with this status code (Boom, like Baileys' end()). */
  close(statusCode: number, message = 'Connection Failure'): void {
    void this.end(new Boom(message, { statusCode }));
  }

  /** Messages arriving, as Baileys emits them after decryption. */
  receive(messages: WAMessage[], type: MessageUpsertType = 'notify'): void {
    this.ev.emit('messages.upsert', { messages, type });
  }

  /** A human types `text` into the chat with `chatJid` on the shop's phone: arrives as an own (`fromMe`) message. */
  typeOnPhone(chatJid: string, id: string, text: string, type: MessageUpsertType = 'notify'): WAMessage {
    const m = proto.WebMessageInfo.fromObject({
      key: { remoteJid: chatJid, fromMe: true, id },
      message: { extendedTextMessage: { text } },
      messageTimestamp: Math.floor(Date.now() / 1000),
      status: proto.WebMessageInfo.Status.SERVER_ACK,
      pushName: 'Shop',
    }) as WAMessage;
    this.receive([m], type);
    return m;
  }

  // ---- the socket API the adapter uses ----------------------------------------------------

  async sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined> {
    if (this.ended) throw new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
    if (this.failNextSend) {
      const e = this.failNextSend;
      this.failNextSend = undefined;
      throw e;
    }
    const id = options?.messageId ?? `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    const text = 'text' in content && typeof content.text === 'string' ? content.text : undefined;
    this.sent.push({ jid, content, id, text });
    const full = () =>
      proto.WebMessageInfo.fromObject({
        key: { remoteJid: jid, fromMe: true, id },
        message: text !== undefined ? { extendedTextMessage: { text } } : {},
        messageTimestamp: Math.floor(Date.now() / 1000),
        status: proto.WebMessageInfo.Status.PENDING,
      }) as WAMessage;
    if (this.emitOwnEvents) process.nextTick(() => this.receive([full()], 'append'));
    return full();
  }

  async sendPresenceUpdate(type: WAPresence, toJid?: string): Promise<void> {
    this.presences.push({ type, jid: toJid });
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    const pairingCode = randomBytes(4).toString('hex').toUpperCase();
    this.ev.emit('creds.update', { pairingCode, me: { id: `${phoneNumber}@s.whatsapp.net`, name: '~' } });
    return pairingCode;
  }

  async logout(msg?: string): Promise<void> {
    await this.end(new Boom(msg || 'Intentional Logout', { statusCode: DisconnectReason.loggedOut }));
  }

  async end(error: Error | undefined): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  }
}

/** A fixture (protobufjs JSON) as the message Baileys emits: a proto.WebMessageInfo plus v7's extra key fields. */
export function waMessage(json: Record<string, unknown>, overrides: { id?: string; timestamp?: number } = {}): WAMessage {
  const key: Record<string, unknown> = { ...(json.key as Record<string, unknown>), ...(overrides.id ? { id: overrides.id } : {}) };
  const { remoteJidAlt, addressingMode, ...protoKey } = key;
  const m = proto.WebMessageInfo.fromObject({
    ...json,
    key: protoKey,
    ...(overrides.timestamp ? { messageTimestamp: overrides.timestamp } : {}),
  }) as WAMessage;
  Object.assign(m.key, { remoteJidAlt, addressingMode });
  return m;
}

/** A plain text message from `buyerJid`, as received. */
export function textMessage(buyerJid: string, id: string, text: string): WAMessage {
  return waMessage({
    key: { remoteJid: buyerJid, fromMe: false, id },
    message: { conversation: text },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: 'Buyer',
  });
}
