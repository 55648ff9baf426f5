/**
 * One shop's IMAP mailbox, watched (imapflow). New mail is found three ways: IMAP IDLE tells of it
 * at once (`exists`), servers without IDLE are polled by imapflow (its missing-IDLE command), and a
 * check runs every `pollMs` anyway (missed notifications, a server that never says). A dropped
 * connection reconnects with a doubling delay (reconnect.minMs … maxMs).
 *
 * Each check reads, oldest first, the mails after the last UID handled (`email_mailbox_cursors`,
 * models/email-mailbox.ts); the first time, and whenever the server's UIDVALIDITY changed, the
 * unseen mails of the last 3 days instead (FIRST_READ_WINDOW_MS). Each mail goes to `handle`; only when it says `done` (intake accepted or
 * recorded it, or it was recorded as skipped) is the mail flagged \Seen and the cursor moved past
 * it. `retry` (MongoDB unreachable…) stops the check: the mail is read again on the next one.
 * A crash in between reads a mail twice, which intake's dedupe on Message-ID makes harmless.
 */
import { ImapFlow } from 'imapflow';
import type { EmailAccount } from '../../infra/config/index.js';
import { advanceCursor, readCursor, resetCursor } from '../../models/email-mailbox.js';

/**
 * A mailbox read for the first time (or after UIDVALIDITY changed): only its unseen mails of the
 * last 3 days are answered. Older unread mail (a backlog, newsletters nobody opened) is left alone.
 */
export const FIRST_READ_WINDOW_MS = 3 * 86_400_000;

export type MailboxState = 'connecting' | 'open' | 'waiting' | 'stopped';

export interface MailboxOptions {
  account: EmailAccount;
  pollMs: number;
  reconnect: { minMs: number; maxMs: number };
  log: (msg: string, fields?: Record<string, unknown>) => void;
  handle: (source: Buffer, uid: number, internalDate: Date | undefined) => Promise<'done' | 'retry'>;
}

export class MailboxWatcher {
  state: MailboxState = 'connecting';
  /** The server offers IDLE (false: imapflow polls, and so do we). */
  idle = false;
  lastCheckAt: Date | null = null;
  lastError: string | null = null;
  private client: ImapFlow | undefined;
  private stopped = false;
  private checking: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: MailboxOptions) {}

  /** `shopId:user@host/mailbox`: the cursor's key. */
  get id(): string {
    const { shopId, imap } = this.o.account;
    return `${shopId}:${imap.user}@${imap.host}/${imap.mailbox}`;
  }

  private get fields() {
    return { shopId: this.o.account.shopId, mailbox: this.o.account.address };
  }

  /** Connects in the background; resolves once the first connection attempt ended (open or failed). */
  start(): Promise<void> {
    let first: () => void = () => {};
    const opened = new Promise<void>((r) => (first = r));
    this.loop = this.run(() => first());
    return opened;
  }

  private async run(firstDone: () => void): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      this.state = 'connecting';
      const closed = new Promise<void>((resolve) => (this.wake = resolve));
      try {
        const c = this.connectClient(() => this.wake?.());
        this.client = c;
        await c.connect();
        await c.mailboxOpen(this.o.account.imap.mailbox);
        this.idle = c.capabilities.has('IDLE');
        this.state = 'open';
        this.lastError = null;
        attempt = 0;
        this.o.log('email mailbox open', { ...this.fields, idle: this.idle });
        firstDone();
        this.timer = setInterval(() => this.kick(), this.o.pollMs);
        this.kick();
        await closed;
      } catch (e) {
        this.lastError = describe(e);
        this.o.log('email mailbox connection failed', { ...this.fields, error: this.lastError });
        firstDone();
      } finally {
        clearInterval(this.timer);
        const c = this.client;
        this.client = undefined;
        c?.close();
      }
      if (this.stopped) break;
      this.state = 'waiting';
      const delay = Math.min(this.o.reconnect.maxMs, this.o.reconnect.minMs * 2 ** attempt++);
      this.o.log('email mailbox reconnects', { ...this.fields, inMs: delay });
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    this.state = 'stopped';
  }

  private connectClient(onClose: () => void): ImapFlow {
    const { imap } = this.o.account;
    const c = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      autoIdleDelay: 500,
      maxIdleTime: Math.min(this.o.pollMs, 120_000),
      missingIdleCommand: 'NOOP',
      connectionTimeout: 20_000,
    });
    c.on('exists', () => this.kick());
    c.on('close', onClose);
    c.on('error', (e: unknown) => {
      this.lastError = describe(e);
      this.o.log('email mailbox error', { ...this.fields, error: this.lastError });
    });
    return c;
  }

  /** Check now (or right after the running check). */
  kick(): void {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        try {
          await this.check();
        } catch (e) {
          this.lastError = describe(e);
          this.o.log('email mailbox check failed', { ...this.fields, error: this.lastError });
        }
      } while (this.again && this.client);
      this.checking = null;
    })();
  }

  /** Resolves when no check is running (tests, stop). */
  async settled(): Promise<void> {
    while (this.checking) await this.checking;
  }

  private async check(): Promise<void> {
    const c = this.client;
    if (!c?.usable || !c.mailbox) return;
    const uidValidity = String(c.mailbox.uidValidity);
    const uidNextAtStart = Number(c.mailbox.uidNext);
    const cursor = await readCursor(this.id);
    const fresh = !cursor || cursor.uidValidity !== uidValidity;
    const found = fresh
      ? await c.search({ seen: false, since: new Date(Date.now() - FIRST_READ_WINDOW_MS) }, { uid: true })
      : await c.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((u) => fresh || u > cursor!.lastUid).sort((a, b) => a - b);
    this.lastCheckAt = new Date();
    for (const uid of uids) {
      if (this.stopped || !c.usable) return;
      const m = await c.fetchOne(String(uid), { source: true, internalDate: true }, { uid: true });
      if (m && m.source) {
        const internalDate = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : undefined;
        if ((await this.o.handle(m.source, uid, internalDate)) === 'retry') return;
        await c.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      }
      if (!fresh) await advanceCursor(this.id, uidValidity, uid);
    }
    // A fresh cursor starts after what this check saw; mails that came meanwhile are read next time.
    if (fresh) await resetCursor(this.id, uidValidity, Math.max(uidNextAtStart - 1, uids.at(-1) ?? 0));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.settled().catch(() => undefined);
    const c = this.client;
    if (c?.usable) await c.logout().catch(() => c.close());
    this.wake?.();
    await this.loop;
  }
}

/** An error for the log: its message and code, never the credentials (imapflow's messages hold none). */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const x = e as Error & { code?: string; responseText?: string; authenticationFailed?: boolean };
  if (x.authenticationFailed)
    return `authentication failed${x.responseText ? `: ${x.responseText}` : ''} (check the user and the app password)`;
  return [x.code, x.responseText ?? x.message].filter(Boolean).join(': ');
}
