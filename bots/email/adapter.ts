/**
 * Email channel: a mailbox per shop (SORA_EMAIL_ACCOUNTS), read over IMAP, answered over SMTP.
 *
 *   inbound   bots/email/mailbox.ts watches each mailbox (IDLE, polling, reconnects) and hands each
 *             new mail here: parsed (bots/email/inbound.ts), auto-replies and bounces recorded as
 *             skipped (email_skipped) and never answered, attachments stored (email_attachments),
 *             then intake.accept. The mail is flagged \Seen only after that.
 *   threads   one conversation per mail thread: the thread key (bots/email/threads.ts) is the
 *             message's `thread`, so the workflow is `conv:{shop}:email:{address}:{thread}`.
 *   outbound  send(): an HTML reply with a plain-text part in the conversation's thread, over the
 *             SMTP account of the mailbox the buyer wrote to (bots/email/outbound.ts).
 *   strategy  email conversations get no silence nudge and close after SORA_EMAIL_IDLE_CLOSE (24h).
 *
 *   GET /operator/email/status   every mailbox: state, IDLE or polling, last check, last error.
 *
 * `events` emits `inbound` (EmailOutcome) for each mail handled: for monitoring and tests.
 */
import { EventEmitter } from 'node:events';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailAccount, EmailSettings } from '../../infra/config/index.js';
import { isDuplicateKey } from '../../models/errors.js';
import { EmailAttachmentModel, EmailSkippedModel } from '../../models/email-mailbox.js';
import { replyAddress } from '../contacts.js';
import { ChannelSendError, type ChannelAdapter, type ConversationRef, type GatewayContext, type OutboundMessage } from '../channel.js';
import { TemporalUnavailableError } from '../intake.js';
import { EMAIL, readMail, type EmailReplyTo, type InboundMail } from './inbound.js';
import { MailboxWatcher } from './mailbox.js';
import { composeReply, smtpSendError } from './outbound.js';
import { noteSentInThread, threadOfMail, threadReplyTo } from './threads.js';

export interface EmailOutcome {
  shopId: string;
  mailbox: string;
  /** `shopId:Message-ID` (the message's externalId). */
  key: string;
  outcome: 'accepted' | 'duplicate' | 'deferred' | 'skipped' | 'failed';
  reason?: string;
}

export type EmailAdapterOptions = Pick<EmailSettings, 'accounts'> & Partial<Omit<EmailSettings, 'accounts'>>;

export class EmailAdapter implements ChannelAdapter {
  readonly id = EMAIL;
  readonly strategy;
  readonly events = new EventEmitter().setMaxListeners(0);
  private readonly watchers: MailboxWatcher[] = [];
  private readonly transports = new Map<string, Transporter>();
  private log: GatewayContext['log'] = () => {};

  constructor(private readonly o: EmailAdapterOptions) {
    if (!o.accounts.length) throw new Error('the email channel needs at least one mailbox (SORA_EMAIL_ACCOUNTS)');
    this.strategy = { silenceNudge: false as const, idleCloseMs: o.idleCloseMs ?? 24 * 3_600_000 };
  }

  async start(ctx: GatewayContext): Promise<void> {
    this.log = ctx.log;
    ctx.app.get('/operator/email/status', (_req, res) => {
      res.json({ mailboxes: this.status() });
    });
    for (const account of this.o.accounts) {
      const w = new MailboxWatcher({
        account,
        pollMs: this.o.pollMs ?? 60_000,
        reconnect: this.o.reconnect ?? { minMs: 1000, maxMs: 300_000 },
        log: ctx.log,
        handle: (source, uid, date) => this.handleMail(ctx, account, source, uid, date),
      });
      this.watchers.push(w);
    }
    await Promise.all(this.watchers.map((w) => w.start()));
  }

  status() {
    return this.watchers.map((w, i) => {
      const a = this.o.accounts[i]!;
      return {
        shopId: a.shopId,
        address: a.address,
        state: w.state,
        idle: w.idle,
        lastCheckAt: w.lastCheckAt?.toISOString() ?? null,
        lastError: w.lastError,
      };
    });
  }

  connectionStates() {
    return this.watchers.map((w, i) => ({ shopId: this.o.accounts[i]!.shopId, state: w.state, connected: w.state === 'open' }));
  }

  /** Wait until every mailbox has finished its running check (tests). */
  async settled(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.settled()));
  }

  /** Kick every mailbox's check now (tests; the operator's "check now"). */
  checkNow(): void {
    for (const w of this.watchers) w.kick();
  }

  private async handleMail(
    ctx: GatewayContext,
    account: EmailAccount,
    source: Buffer,
    uid: number,
    date: Date | undefined,
  ): Promise<'done' | 'retry'> {
    const base = { shopId: account.shopId, mailbox: account.address };
    let mail: InboundMail;
    try {
      mail = await readMail(source, { shopId: account.shopId, mailbox: account.address, receivedAt: date });
    } catch (e) {
      // Unparseable: nothing will change on a re-read; record it as skipped so it is visible.
      const key = `${account.shopId}:uid-${uid}`;
      ctx.log('email unreadable, skipped', { ...base, uid, error: String(e) });
      return this.skip(base, {
        kind: 'skip',
        key,
        from: null,
        subject: null,
        reason: 'no_sender',
        detail: `unparseable: ${String(e).slice(0, 200)}`,
      });
    }
    if (mail.kind === 'skip') return this.skip(base, mail);
    const m = mail.message;
    try {
      for (const a of mail.attachments) {
        if (!a.content) continue;
        await EmailAttachmentModel.updateOne(
          { messageKey: m.externalId, index: a.index },
          {
            $setOnInsert: {
              shopId: m.shopId,
              buyerId: m.buyerId,
              name: a.name ?? null,
              mimeType: a.mimeType,
              sizeBytes: a.sizeBytes,
              content: a.content,
            },
          },
          { upsert: true },
        ).catch((e: unknown) => {
          if (!isDuplicateKey(e)) throw e;
        });
      }
      const thread = await threadOfMail(m);
      const r = await ctx.intake.accept(thread ? { ...m, thread } : m);
      ctx.log('email message', { ...base, key: m.externalId, status: r.status, workflowId: r.workflowId });
      this.emit({ ...base, key: m.externalId, outcome: r.status === 'duplicate' ? 'duplicate' : 'accepted' });
      return 'done';
    } catch (e) {
      if (e instanceof TemporalUnavailableError) {
        // Recorded: the relay signals it once Temporal is back. The mail is handled.
        ctx.log('email message recorded, Temporal unreachable (the relay delivers it)', { ...base, key: m.externalId });
        this.emit({ ...base, key: m.externalId, outcome: 'deferred' });
        return 'done';
      }
      ctx.log('email message not recorded; read again on the next check', { ...base, key: m.externalId, error: String(e) });
      this.emit({ ...base, key: m.externalId, outcome: 'failed', reason: String(e) });
      return 'retry';
    }
  }

  private async skip(base: { shopId: string; mailbox: string }, s: Extract<InboundMail, { kind: 'skip' }>): Promise<'done' | 'retry'> {
    try {
      await EmailSkippedModel.updateOne(
        { key: s.key },
        {
          $setOnInsert: {
            shopId: base.shopId,
            from: s.from,
            subject: s.subject,
            reason: s.reason,
            detail: s.detail,
            receivedAt: new Date(),
          },
        },
        { upsert: true },
      ).catch((e: unknown) => {
        if (!isDuplicateKey(e)) throw e;
      });
    } catch (e) {
      this.log('email skip not recorded; read again on the next check', { ...base, key: s.key, error: String(e) });
      return 'retry';
    }
    this.log('email not answered', { ...base, key: s.key, reason: s.reason, detail: s.detail });
    this.emit({ ...base, key: s.key, outcome: 'skipped', reason: s.reason });
    return 'done';
  }

  private emit(o: EmailOutcome): void {
    this.events.emit('inbound', o);
  }

  private transport(a: EmailAccount): Transporter {
    let t = this.transports.get(a.address);
    if (!t) {
      t = nodemailer.createTransport({
        host: a.smtp.host,
        port: a.smtp.port,
        secure: a.smtp.secure,
        auth: { user: a.smtp.user, pass: a.smtp.password },
        connectionTimeout: 20_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
      });
      this.transports.set(a.address, t);
    }
    return t;
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    // The conversation's thread; a conversation without one (started by an agent or a notice) answers in the buyer's latest thread.
    const addr = (await threadReplyTo(to.workflowId)) ?? (await replyAddress<EmailReplyTo>(to));
    const account =
      this.o.accounts.find((a) => a.address === addr.mailbox && a.shopId === to.shopId) ??
      this.o.accounts.find((a) => a.shopId === to.shopId);
    if (!account) throw new ChannelSendError(EMAIL, 'no_mailbox', `no mailbox for shop ${to.shopId} in SORA_EMAIL_ACCOUNTS`, false);
    const mail = composeReply(account, addr, msg);
    try {
      await this.transport(account).sendMail(mail);
    } catch (e) {
      const mapped = smtpSendError(e);
      this.log('email send failed', { shopId: to.shopId, mailbox: account.address, error: String(mapped) });
      throw mapped;
    }
    // Sent: a failure to note it must not fail the send (a retry would mail the buyer twice).
    await noteSentInThread(to.workflowId, mail.messageId).catch((e: unknown) =>
      this.log('email reply not noted in its thread', { shopId: to.shopId, error: String(e) }),
    );
    return { externalId: mail.messageId };
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
    this.watchers.length = 0;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
