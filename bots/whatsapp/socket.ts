/**
 * The library boundary: the part of a Baileys socket the adapter uses, and the factory that makes one.
 * Production passes Baileys' own `makeWASocket`; tests pass a double with the same events and methods.
 */
import {
  Browsers,
  makeCacheableSignalKeyStore,
  makeWASocket,
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventMap,
  type Contact,
  type MiscMessageGenerationOptions,
  type WAMessage,
  type WAMessageKey,
  type WAPresence,
  type proto,
} from '@whiskeysockets/baileys';

/** What the adapter needs of a Baileys socket (a WASocket satisfies it). */
export interface WhatsappSocket {
  ev: {
    on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
    off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
  };
  /** The linked account, once the connection is open. */
  readonly user: Contact | undefined;
  /** `options.messageId` sets the message id (Baileys 7: spread over its own generateMessageIDV2 in sendMessage). */
  sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: WAPresence, toJid?: string): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  logout(msg?: string): Promise<void>;
  end(error: Error | undefined): void | Promise<void>;
}

/** Baileys' logger interface (pino-compatible). */
export interface BaileysLogger {
  level: string;
  child(obj: Record<string, unknown>): BaileysLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface SocketOptions {
  shopId: string;
  auth: AuthenticationState;
  logger: BaileysLogger;
  /** Skip decrypting/emitting these chats at the source (broadcasts, newsletters, groups when off). */
  shouldIgnoreJid: (jid: string) => boolean;
  /** Baileys asks for a message it sent when the recipient could not decrypt it (retry). */
  getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
  /** Another WhatsApp Web endpoint than Baileys' default (a proxy; tests use a loopback server). */
  waWebSocketUrl?: string;
}

export type MakeSocket = (o: SocketOptions) => WhatsappSocket;

/** The real thing: a multi-device Baileys socket. */
export const makeBaileysSocket: MakeSocket = (o) =>
  makeWASocket({
    auth: { creds: o.auth.creds, keys: makeCacheableSignalKeyStore(o.auth.keys, o.logger) },
    logger: o.logger,
    browser: Browsers.ubuntu('sora-cs'),
    // The seller's phone keeps getting notifications; the gateway does not appear "online".
    markOnlineOnConnect: false,
    // A customer-service bot answers new messages; it does not need the account's history.
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => false,
    shouldIgnoreJid: o.shouldIgnoreJid,
    getMessage: o.getMessage,
    ...(o.waWebSocketUrl ? { waWebSocketUrl: o.waWebSocketUrl } : {}),
  });

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type BaileysLogLevel = (typeof LEVELS)[number];
export const BAILEYS_LOG_LEVELS = LEVELS;

/** A Baileys logger that forwards records at or above `level` to the gateway's log. */
export function baileysLogger(
  level: BaileysLogLevel,
  log: (msg: string, fields?: Record<string, unknown>) => void,
  bindings: Record<string, unknown> = {},
): BaileysLogger {
  const min = LEVELS.indexOf(level);
  const at =
    (l: BaileysLogLevel) =>
    (obj: unknown, msg?: string): void => {
      if (LEVELS.indexOf(l) < min) return;
      const fields = typeof obj === 'object' && obj !== null && !(obj instanceof Error) ? (obj as Record<string, unknown>) : {};
      const text = msg ?? (typeof obj === 'string' ? obj : obj instanceof Error ? obj.message : '');
      log(`whatsapp(baileys) ${l}: ${text}`, { ...bindings, ...summarize(fields) });
    };
  return {
    level,
    child: (obj) => baileysLogger(level, log, { ...bindings, ...obj }),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

/** Keep log lines short: no binary payloads or deep objects from Baileys' internals. */
function summarize(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) out[k] = v.message;
    else if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
    else if (Buffer.isBuffer(v) || v instanceof Uint8Array) out[k] = `<${v.length} bytes>`;
    else out[k] = String(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x))).slice(0, 300);
  }
  return out;
}
