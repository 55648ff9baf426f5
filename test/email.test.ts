/**
 * The email channel beyond the conformance kit: threads, quoted text and signatures, auto-replies
 * and bounces, attachments, the reply's parts and headers, no silence nudge, restarts, reconnects
 * and the polling fallback, SMTP refusals, and the settings. The shop's mailbox is an in-process
 * IMAP server and a local SMTP server (test/fakes/mail-servers.ts); everything else is real.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmailAdapter, type EmailOutcome } from '../bots/email/adapter.js';
import { automatedMail } from '../bots/email/auto-reply.js';
import { readMail } from '../bots/email/inbound.js';
import { replySubject } from '../bots/email/outbound.js';
import { stripQuoted } from '../bots/email/quoted.js';
import { threadKeyOf } from '../bots/email/threads.js';
import { ChannelSendError, conversationWorkflowId } from '../bots/channel.js';
import { exportBuyerData, forgetBuyerData } from '../activities/privacy/buyer-data.js';
import { parseChannels } from '../infra/config/index.js';
import { disconnectMongo } from '../models/connection.js';
import { EmailAttachmentModel, EmailSkippedModel } from '../models/email-mailbox.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import * as contract from '../workflows/contract.js';
import { buyerMail, startMailServers, type MailServers } from './fakes/mail-servers.js';
import { eventually, kbEntryAnswering, sleep, testSecrets, useFreshDatabase } from './setup/helpers.js';

describe('email: the new part of a reply', () => {
  it('cuts a Gmail reply header (also wrapped), ">" lines and a "-- " signature', () => {
    const mail = [
      'Can I return it?',
      '',
      '-- ',
      'Ana Buyer',
      '+1 555 0100',
      '',
      'On Mon, 1 Dec 2026 at 10:00, Demo Shop Support <',
      'support@shop.test> wrote:',
      '> Shipping takes 5-7 days.',
      '>> How long does shipping take?',
    ].join('\r\n');
    expect(stripQuoted(mail)).toBe('Can I return it?');
    expect(stripQuoted('Where is my parcel?\n\nOn Tue, Dec 2, 2026 at 9:12 AM Shop <s@shop.test> wrote:\n> old')).toBe(
      'Where is my parcel?',
    );
    expect(stripQuoted('¿Y el reembolso?\n\nEl mar, 2 dic 2026 a las 9:12, Tienda <s@shop.test> escribió:\n> viejo')).toBe(
      '¿Y el reembolso?',
    );
  });

  it('cuts Outlook separators and mobile signatures', () => {
    expect(stripQuoted('Thanks, and the size?\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\nHow long…')).toBe(
      'Thanks, and the size?',
    );
    expect(
      stripQuoted(
        'Is it in stock?\n\n________________________________\nFrom: Shop <s@shop.test>\nSent: Monday, December 1, 2026 10:00\nTo: Ana\nSubject: Re: Stock\n\nold text',
      ),
    ).toBe('Is it in stock?');
    expect(stripQuoted('Is it in stock?\r\n\r\nFrom: Shop <s@shop.test>\r\nDate: Monday\r\nTo: Ana\r\nSubject: Re: Stock\r\n\r\nold')).toBe(
      'Is it in stock?',
    );
    expect(stripQuoted('Where is order 1001?\n\nSent from my iPhone')).toBe('Where is order 1001?');
    expect(stripQuoted('Hello\n> quoted only in the middle\nbye')).toBe('Hello\nbye');
  });

  it('recognises auto-replies, bounces, receipts and list mail by their headers', () => {
    const h = (o: Record<string, string>) => (n: string) => o[n];
    expect(automatedMail(h({ 'auto-submitted': 'auto-replied' }), 'ana@b.test', 'Re: x')?.reason).toBe('auto_reply');
    expect(automatedMail(h({ 'auto-submitted': 'no' }), 'ana@b.test', 'Re: x')).toBeNull();
    expect(automatedMail(h({ 'x-autoreply': 'yes' }), 'ana@b.test', 'x')?.reason).toBe('auto_reply');
    expect(automatedMail(h({ precedence: 'auto_reply' }), 'ana@b.test', 'x')?.reason).toBe('auto_reply');
    expect(automatedMail(h({}), 'ana@b.test', 'Automatic reply: Shipping')?.reason).toBe('auto_reply');
    expect(automatedMail(h({ 'x-auto-response-suppress': 'All' }), 'ana@b.test', 'x')?.reason).toBe('auto_reply');
    expect(automatedMail(h({ precedence: 'bulk' }), 'news@b.test', 'x')?.reason).toBe('list');
    expect(automatedMail(h({ 'list-id': '<buyers.lists.test>' }), 'ana@b.test', 'x')?.reason).toBe('list');
    expect(
      automatedMail(h({ 'content-type': 'multipart/report; report-type=delivery-status; boundary="b"' }), 'x@b.test', 'x')?.reason,
    ).toBe('bounce');
    expect(automatedMail(h({}), 'MAILER-DAEMON@mx.b.test', 'Undelivered Mail')?.reason).toBe('bounce');
    expect(automatedMail(h({ 'return-path': '<>' }), 'x@b.test', 'x')?.reason).toBe('bounce');
    expect(automatedMail(h({ 'content-type': 'multipart/report; report-type=disposition-notification' }), 'x@b.test', 'x')?.reason).toBe(
      'receipt',
    );
    expect(automatedMail(h({}), 'no-reply@b.test', 'x')?.reason).toBe('no_reply');
    expect(automatedMail(h({}), 'ana@b.test', 'Where is my order?')).toBeNull();
  });

  it('answers with one "Re:"', () => {
    expect(replySubject('Shipping question')).toBe('Re: Shipping question');
    expect(replySubject('RE: Re: AW: Shipping question')).toBe('Re: Shipping question');
    expect(replySubject('')).toBe('Re: your message');
  });
});

describe('email: reading one mail', () => {
  const read = (raw: string) => readMail(Buffer.from(raw.replace(/\n/g, '\r\n')), { shopId: 'demo', mailbox: 'support@shop.test' });

  it('reads an HTML-only Gmail reply: the new part as text, the whole mail kept in raw', async () => {
    const r = await read(
      'From: Ana <Ana@Buyer.test>\nTo: support@shop.test\nSubject: Re: Order\nMessage-ID: <h1@buyer.test>\nIn-Reply-To: <ours@shop.test>\nReferences: <root@buyer.test> <ours@shop.test>\nReply-To: ana.replies@buyer.test\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<div dir="ltr">Where is my order 1001?<br></div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Dec 1, 2026 at 10:00 AM Shop &lt;support@shop.test&gt; wrote:<br></div><blockquote class="gmail_quote">Thanks for your order</blockquote></div>',
    );
    if (r.kind !== 'message') throw new Error(`skipped: ${r.reason}`);
    expect(r.message).toMatchObject({ buyerId: 'ana@buyer.test', externalId: 'demo:h1@buyer.test', text: 'Where is my order 1001?' });
    expect((r.message.raw as { text: string }).text).toContain('Thanks for your order');
    expect(r.message.replyTo).toMatchObject({
      to: 'ana.replies@buyer.test',
      inReplyTo: '<h1@buyer.test>',
      references: ['<root@buyer.test>', '<ours@shop.test>', '<h1@buyer.test>'],
      threadRoot: '<root@buyer.test>',
      subject: 'Re: Order',
    });
  });

  it('gives a mail without Message-ID a stable id, and uses the subject when the body is empty', async () => {
    const raw = 'From: ana@buyer.test\nTo: support@shop.test\nSubject: Re: Where is my order 1001?\n\n\n';
    const [a, b] = [await read(raw), await read(raw)];
    if (a.kind !== 'message' || b.kind !== 'message') throw new Error('skipped');
    expect(a.message.externalId).toBe(b.message.externalId);
    expect(a.message.externalId).toMatch(/^demo:[0-9a-f]{32}@no-message-id\.sora$/);
    expect(a.message.text).toBe('Where is my order 1001?');
  });

  it('skips mail from our own mailbox', async () => {
    expect(await read('From: support@shop.test\nTo: support@shop.test\nSubject: x\nMessage-ID: <o@shop.test>\n\nhello\n')).toMatchObject({
      kind: 'skip',
      reason: 'own_address',
    });
  });
});

describe('email: settings (SORA_EMAIL_ACCOUNTS)', () => {
  const env = (accounts: string) => ({ SORA_CHANNELS: 'email', SORA_EMAIL_ACCOUNTS: accounts });
  it('fills defaults: IMAP 993/TLS, SMTP 465/TLS, users = address, SMTP password = IMAP password', () => {
    const r = parseChannels(
      env(
        '[{"shopId":"demo","address":"Support@Shop.test","imap":{"host":"imap.gmail.com","password":"pw1"},"smtp":{"host":"smtp.gmail.com"}}]',
      ),
    );
    expect(r.problems).toEqual([]);
    const s = r.channels.enabled[0]!.settings as { accounts: unknown[]; idleCloseMs: number; pollMs: number };
    expect(s.accounts[0]).toMatchObject({
      shopId: 'demo',
      address: 'support@shop.test',
      imap: { host: 'imap.gmail.com', port: 993, secure: true, user: 'support@shop.test', mailbox: 'INBOX' },
      smtp: { host: 'smtp.gmail.com', port: 465, secure: true, user: 'support@shop.test', password: 'pw1' },
    });
    expect(s.idleCloseMs).toBe(24 * 3_600_000);
    expect(s.pollMs).toBe(60_000);
  });

  it('names each problem by account and field, and never repeats a password', () => {
    const bad = parseChannels(
      env('[{"shopId":"demo","address":"nope","imap":{"password":"hunter2-secret"},"smtp":{"host":"s","port":"x"}}]'),
    );
    expect(bad.problems).toEqual(
      expect.arrayContaining([
        'email: SORA_EMAIL_ACCOUNTS: account 1 address: address must be an email address',
        'email: SORA_EMAIL_ACCOUNTS: account 1 imap.host: host is required',
        'email: SORA_EMAIL_ACCOUNTS: account 1 smtp.port: port must be a number',
      ]),
    );
    const broken = parseChannels(env('[{"shopId":"demo","imap":{"password":"hunter2-secret"'));
    expect(broken.problems).toEqual(['email: SORA_EMAIL_ACCOUNTS: is not valid JSON']);
    expect(parseChannels(env('[{"shopId":"demo","address":"a@b.test","imap":{"host":"i"},"smtp":{"host":"s"}}]')).problems).toEqual([
      'email: SORA_EMAIL_ACCOUNTS: account 1 imap.password is required (for Gmail/Outlook: an app password)',
    ]);
    expect(parseChannels({ SORA_CHANNELS: 'email' }).problems[0]).toMatch(/SORA_EMAIL_ACCOUNTS: is required when email is enabled/);
    expect(parseChannels(env('/nonexistent/accounts.json')).problems[0]).toMatch(/neither JSON .* nor a readable file \(ENOENT\)/);
    const notJson = parseChannels(env('password=hunter2-secret'));
    expect(JSON.stringify([bad.problems, broken.problems, notJson.problems])).not.toContain('hunter2');
  });
});

describe('email channel', () => {
  let app: App;
  let mail: MailServers;
  let adapter: EmailAdapter;
  const outcomes: EmailOutcome[] = [];
  /** The conversation of the buyer's thread whose first mail is `root`. */
  const wf = (buyer: string, root: string) =>
    conversationWorkflowId({ shopId: 'demo', channel: 'email', buyerId: buyer, thread: threadKeyOf(root) });
  const snapshot = (buyer: string, root: string) => app.client.workflow.getHandle(wf(buyer, root)).query(contract.snapshot);
  const newBuyer = () => `ana-${randomUUID().slice(0, 8)}@buyer.test`;
  const newId = () => `<${randomUUID()}@buyer.test>`;
  const replies = (buyer: string, n: number) =>
    eventually(() => (mail.sentTo(buyer).length >= n ? mail.sentTo(buyer) : null), 30_000, `${n} repl${n > 1 ? 'ies' : 'y'} to ${buyer}`);
  const outcomeOf = (key: string) => eventually(() => outcomes.find((o) => o.key === key), 20_000, `the outcome of ${key}`);
  const watch = (a: EmailAdapter) => a.events.on('inbound', (o: EmailOutcome) => outcomes.push(o));
  const idleCloseMs = 6 * 3_600_000;

  beforeAll(async () => {
    await useFreshDatabase('sora_email');
    await seedDemoShop();
    mail = await startMailServers();
    adapter = new EmailAdapter({ accounts: [mail.account('demo')], pollMs: 2_000, idleCloseMs, reconnect: { minMs: 200, maxMs: 1_000 } });
    watch(adapter);
    app = await startApp({
      secrets: testSecrets(),
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      adapters: [adapter],
      relayIntervalMs: 600_000,
      // A chat would be nudged one second after the bot's reply: email must not be.
      conversation: { silenceNudgeMs: 1_000 },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await mail?.close();
    await disconnectMongo();
  });

  it('answers in the thread: HTML with a plain-text part, In-Reply-To/References, "Re:" subject; a reply in the thread continues the conversation', async () => {
    const buyer = newBuyer();
    const m1 = newId();
    mail.deliver(
      await buyerMail({
        from: `Ana Buyer <${buyer}>`,
        to: mail.address,
        subject: 'Shipping question',
        text: 'How long does shipping take?',
        messageId: m1,
      }),
    );
    const [r1] = await replies(buyer, 1);
    const p1 = r1!.parsed;
    expect((await kbEntryAnswering(p1.text!.trim(), 'en'))?.intent).toBe('shipping_time_cost');
    expect(p1.html).toContain('<p>');
    expect(p1.subject).toBe('Re: Shipping question');
    expect(p1.inReplyTo).toBe(m1);
    expect([p1.references].flat()).toEqual([m1]);
    expect(p1.from?.value[0]?.address).toBe(mail.address);
    expect(p1.replyTo?.value[0]?.address).toBe(mail.address);
    expect(r1!.raw).toMatch(/Content-Type: multipart\/alternative/i);
    const ourId = p1.messageId!;

    // The buyer answers from their client: quoted reply, a signature, our message below.
    const m2 = newId();
    const quoted = p1
      .text!.trim()
      .split('\n')
      .map((l) => `> ${l}`);
    const text = [
      'how many days do I have to return an item',
      '',
      '-- ',
      'Ana Buyer',
      'Sent from my phone',
      '',
      `On Mon, 1 Dec 2026 at 10:00, Demo Shop Support <${mail.address}> wrote:`,
      ...quoted,
      '> ',
      '> How long does shipping take?',
    ].join('\n');
    mail.deliver(
      await buyerMail({
        from: `Ana Buyer <${buyer}>`,
        to: mail.address,
        subject: 'Re: Shipping question',
        text,
        messageId: m2,
        inReplyTo: ourId,
        references: [m1, ourId],
      }),
    );
    const [, r2] = await replies(buyer, 2);
    // The answer is to the new question, not to the quoted one.
    expect((await kbEntryAnswering(r2!.parsed.text!.trim(), 'en'))?.intent).toBe('returns_exchange');
    expect(r2!.parsed.inReplyTo).toBe(m2);
    expect([r2!.parsed.references].flat()).toEqual([m1, ourId, m2]);
    expect(r2!.parsed.subject).toBe('Re: Shipping question');
    // One conversation: both mails are its turns; the record holds the new part, raw the whole mail.
    expect((await snapshot(buyer, m1)).turns).toBe(2);
    const rec = await MessageModel.findOne({ channel: 'email', externalId: `demo:${m2.slice(1, -1)}` }).lean();
    expect(rec).toMatchObject({ workflowId: wf(buyer, m1), text: 'how many days do I have to return an item' });
    expect((rec!.raw as { text: string }).text).toContain('wrote:');
    expect(mail.inbox().every((m) => m.flags.includes('\\Seen'))).toBe(true);
  });

  it('keeps one conversation per thread: a second thread of the buyer is its own, a reply naming only our mail finds its thread, an agent writes in the thread', async () => {
    const buyer = newBuyer();
    const a1 = newId();
    const b1 = newId();
    mail.deliver(
      await buyerMail({ from: buyer, to: mail.address, subject: 'Shipping', text: 'How long does shipping take?', messageId: a1 }),
    );
    const [ra] = await replies(buyer, 1);
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'Returns',
        text: 'how many days do I have to return an item',
        messageId: b1,
      }),
    );
    const [, rb] = await replies(buyer, 2);
    expect(ra!.parsed.inReplyTo).toBe(a1);
    expect(rb!.parsed.inReplyTo).toBe(b1);
    expect(rb!.parsed.subject).toBe('Re: Returns');
    expect((await kbEntryAnswering(rb!.parsed.text!.trim(), 'en'))?.intent).toBe('returns_exchange');
    expect(wf(buyer, a1)).not.toBe(wf(buyer, b1));
    expect((await snapshot(buyer, a1)).turns).toBe(1);
    expect((await snapshot(buyer, b1)).turns).toBe(1);

    // A client that sets only In-Reply-To (our reply in thread A), no References.
    const a2 = newId();
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'Re: Shipping',
        text: 'how many days do I have to return an item',
        messageId: a2,
        inReplyTo: ra!.parsed.messageId!,
      }),
    );
    const [, , ra2] = await replies(buyer, 3);
    expect(ra2!.parsed.inReplyTo).toBe(a2);
    expect(ra2!.parsed.subject).toBe('Re: Shipping');
    expect(await MessageModel.findOne({ externalId: `demo:${a2.slice(1, -1)}` }).lean()).toMatchObject({ workflowId: wf(buyer, a1) });
    expect((await snapshot(buyer, a1)).turns).toBe(2);
    expect((await snapshot(buyer, b1)).turns).toBe(1);

    // An agent (a desk ticket reply) writes in thread B: the mail answers B's latest mail.
    await app.intake.agentMessage(
      { shopId: 'demo', channel: 'email', buyerId: buyer, workflowId: wf(buyer, b1) },
      { agentId: 'agent-1', text: 'Hello, Maria from the shop here: your return is approved.' },
    );
    const [, , , agent] = await replies(buyer, 4);
    expect(agent!.parsed.text).toContain('your return is approved');
    expect(agent!.parsed.inReplyTo).toBe(b1);
    expect(agent!.parsed.subject).toBe('Re: Returns');
    // Any other conversation id is not the buyer's: the agent writes in the buyer's own instead.
    const other = conversationWorkflowId({ shopId: 'demo', channel: 'email', buyerId: 'someone@else.test', thread: 'tabc' });
    const used = await app.intake.agentMessage(
      { shopId: 'demo', channel: 'email', buyerId: buyer, workflowId: other },
      { agentId: 'agent-1', text: 'x' },
    );
    expect(used).toBe(conversationWorkflowId({ shopId: 'demo', channel: 'email', buyerId: buyer }));

    // Data rights see every thread's conversation.
    const data = await exportBuyerData({ shopId: 'demo', buyerId: buyer, channel: 'email', via: 'cli' }, app.client);
    const ids = new Set((data.workflows as Array<{ workflowId: string }>).map((w) => w.workflowId));
    expect(ids.has(wf(buyer, a1)) && ids.has(wf(buyer, b1))).toBe(true);
    expect(data.emailThreads).toHaveLength(2);
    const report = await forgetBuyerData({ shopId: 'demo', buyerId: buyer, channel: 'email', via: 'cli' }, app.client);
    expect(report.counts.emailThreads).toBe(2);
    expect(report.counts.workflowRuns).toBeGreaterThanOrEqual(3);
    await expect(snapshot(buyer, a1)).rejects.toThrow();
    await expect(snapshot(buyer, b1)).rejects.toThrow();
  });

  it('a reply in a conversation from before threads (one per address) goes on in that conversation', async () => {
    const buyer = newBuyer();
    const legacy = conversationWorkflowId({ shopId: 'demo', channel: 'email', buyerId: buyer });
    // What the previous version recorded: the buyer's mail, no thread, in `conv:demo:email:{address}`.
    const old = newId();
    await app.intake.accept({
      channel: 'email',
      shopId: 'demo',
      buyerId: buyer,
      externalId: `demo:${old.slice(1, -1)}`,
      text: 'How long does shipping take?',
      receivedAt: new Date().toISOString(),
      replyTo: { to: buyer, mailbox: mail.address, subject: 'Shipping', inReplyTo: old, references: [old], threadRoot: old },
    });
    const [r1] = await replies(buyer, 1);
    expect(r1!.parsed.inReplyTo).toBe(old);
    // The buyer answers our reply (In-Reply-To only): the old conversation, not a new thread.
    const next = newId();
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'Re: Shipping',
        text: 'how many days do I have to return an item',
        messageId: next,
        inReplyTo: r1!.parsed.messageId!,
      }),
    );
    const [, r2] = await replies(buyer, 2);
    expect(r2!.parsed.inReplyTo).toBe(next);
    expect(await MessageModel.findOne({ externalId: `demo:${next.slice(1, -1)}` }).lean()).toMatchObject({ workflowId: legacy });
    expect((await app.client.workflow.getHandle(legacy).query(contract.snapshot)).turns).toBe(2);
    // A new thread of that buyer is a thread conversation.
    const fresh = newId();
    mail.deliver(
      await buyerMail({ from: buyer, to: mail.address, subject: 'Payment', text: 'How long does shipping take?', messageId: fresh }),
    );
    await replies(buyer, 3);
    expect((await snapshot(buyer, fresh)).turns).toBe(1);
  });

  it('gives email conversations no silence nudge and an idle close in hours', async () => {
    const buyer = newBuyer();
    const m1 = newId();
    mail.deliver(
      await buyerMail({ from: buyer, to: mail.address, subject: 'Shipping', text: 'How long does shipping take?', messageId: m1 }),
    );
    await replies(buyer, 1);
    await sleep(3_000); // the nudge (1 s in this app) would have gone out
    expect(mail.sentTo(buyer)).toHaveLength(1);
    expect(await MessageModel.countDocuments({ workflowId: wf(buyer, m1), direction: 'out' })).toBe(1);
    const s = await snapshot(buyer, m1);
    expect(s.profile?.strategy.silenceNudge.enabled).toBe(false);
    expect(s.profile?.strategy.idleCloseMs).toBe(idleCloseMs);
    expect(s.nudges ?? 0).toBe(0);
  });

  it('does not answer auto-replies, bounces or list mail: recorded with the reason, no conversation', async () => {
    const buyer = newBuyer();
    const ooo = newId();
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'Automatic reply: Shipping question',
        text: 'I am out of the office until Monday.',
        messageId: ooo,
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    const bounceId = newId();
    const bounce = readFileSync(new URL('./fixtures/email/bounce-delivery-status.eml', import.meta.url), 'utf8')
      .replace('{{TO}}', mail.address)
      .replace('{{MESSAGE_ID}}', bounceId)
      .replace(/\r?\n/g, '\r\n');
    mail.deliver(bounce);
    const listId = newId();
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'Weekly deals',
        text: 'How long does shipping take?',
        messageId: listId,
        headers: { 'List-Id': '<deals.buyer.test>' },
      }),
    );

    for (const [id, reason] of [
      [ooo, 'auto_reply'],
      [bounceId, 'bounce'],
      [listId, 'list'],
    ] as const) {
      const key = `demo:${id.slice(1, -1)}`;
      expect(await outcomeOf(key)).toMatchObject({ outcome: 'skipped', reason });
      expect(await EmailSkippedModel.findOne({ key }).lean()).toMatchObject({ shopId: 'demo', reason });
      expect(await MessageModel.countDocuments({ externalId: key })).toBe(0);
    }
    await sleep(1_000);
    expect(mail.sentTo(buyer)).toHaveLength(0);
    expect(mail.sentTo('mailer-daemon@mx.buyer.test')).toHaveLength(0);
    // No conversation was started, with or without a thread.
    for (const id of [conversationWorkflowId({ shopId: 'demo', channel: 'email', buyerId: buyer }), wf(buyer, ooo), wf(buyer, listId)])
      await expect(app.client.workflow.getHandle(id).query(contract.snapshot)).rejects.toThrow();
    expect(mail.inbox().every((m) => m.flags.includes('\\Seen'))).toBe(true);
  });

  it('keeps attachments: metadata on the message, content stored', async () => {
    const buyer = newBuyer();
    const id = newId();
    const pdf = Buffer.from('%PDF-1.4\n% a receipt\n' + 'x'.repeat(2048));
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'My receipt',
        text: 'How long does shipping take?',
        messageId: id,
        attachments: [{ filename: 'receipt.pdf', content: pdf, contentType: 'application/pdf' }],
      }),
    );
    const key = `demo:${id.slice(1, -1)}`;
    const rec = await eventually(() => MessageModel.findOne({ externalId: key }).lean());
    expect(rec.attachments).toEqual([
      { type: 'document', mimeType: 'application/pdf', sizeBytes: pdf.length, name: 'receipt.pdf', url: `email-attachment:${key}#0` },
    ]);
    const stored = await EmailAttachmentModel.findOne({ messageKey: key, index: 0 }).lean();
    expect(Buffer.from(stored!.content.buffer ?? stored!.content).equals(pdf)).toBe(true);
    await replies(buyer, 1);
    // Forgetting the buyer (data rights) deletes the stored content too.
    const report = await forgetBuyerData({ shopId: 'demo', buyerId: buyer, channel: 'email', via: 'cli' }, app.client);
    expect(report.counts.emailAttachments).toBe(1);
    expect(await EmailAttachmentModel.countDocuments({ buyerId: buyer })).toBe(0);
  });

  it('falls back to polling on a server without IDLE and reconnects after a dropped connection', async () => {
    const noIdle = await startMailServers({ idle: false });
    // Unread before the first start: read (the first read takes the unseen mails of the last days).
    const before = newId();
    noIdle.deliver(
      await buyerMail({ from: newBuyer(), to: noIdle.address, subject: 'q', text: 'How long does shipping take?', messageId: before }),
    );
    // … but not an unread mail of ten days ago.
    const old = newId();
    noIdle.deliver(
      await buyerMail({ from: newBuyer(), to: noIdle.address, subject: 'old', text: 'How long does shipping take?', messageId: old }),
      new Date(Date.now() - 10 * 86_400_000),
    );
    const a = new EmailAdapter({ accounts: [noIdle.account('demo')], pollMs: 1_000, reconnect: { minMs: 200, maxMs: 1_000 } });
    const seen: EmailOutcome[] = [];
    a.events.on('inbound', (o: EmailOutcome) => seen.push(o));
    await a.start({ app: express(), intake: app.intake, log: () => {} });
    try {
      expect(a.status()[0]).toMatchObject({ state: 'open', idle: false });
      await eventually(
        () => seen.find((o) => o.key === `demo:${before.slice(1, -1)}` && o.outcome === 'accepted'),
        15_000,
        'mail from before',
      );
      const first = newId();
      noIdle.deliver(
        await buyerMail({ from: newBuyer(), to: noIdle.address, subject: 'q', text: 'How long does shipping take?', messageId: first }),
      );
      await eventually(() => seen.find((o) => o.key === `demo:${first.slice(1, -1)}` && o.outcome === 'accepted'), 15_000, 'polled mail');

      expect(seen.find((o) => o.key === `demo:${old.slice(1, -1)}`)).toBeUndefined();
      expect(noIdle.inbox()[1]!.flags).not.toContain('\\Seen');

      noIdle.dropImapConnections();
      await eventually(() => a.status()[0]!.state !== 'open' || null, 5_000, 'the drop noticed');
      const second = newId();
      noIdle.deliver(
        await buyerMail({ from: newBuyer(), to: noIdle.address, subject: 'q', text: 'How long does shipping take?', messageId: second }),
      );
      await eventually(
        () => seen.find((o) => o.key === `demo:${second.slice(1, -1)}` && o.outcome === 'accepted'),
        15_000,
        'mail after reconnect',
      );
      expect(a.status()[0]!.state).toBe('open');
    } finally {
      await a.stop();
      await noIdle.close();
    }
  });

  it('maps SMTP refusals: 4xx retryable, 5xx permanent', async () => {
    const buyer = newBuyer();
    const m1 = newId();
    mail.deliver(
      await buyerMail({ from: buyer, to: mail.address, subject: 'Shipping', text: 'How long does shipping take?', messageId: m1 }),
    );
    await replies(buyer, 1);
    const ref = { channel: 'email', shopId: 'demo', buyerId: buyer, workflowId: wf(buyer, m1) };
    mail.failNextSmtp({ code: 451, message: 'Temporary local problem, try again' });
    const soft = await app.registry.send(ref, { text: 'x' }).catch((e: unknown) => e);
    expect(soft).toBeInstanceOf(ChannelSendError);
    expect(soft).toMatchObject({ code: '451', retryable: true });
    mail.failNextSmtp({ code: 550, message: 'Mailbox unavailable' });
    const hard = await app.registry.send(ref, { text: 'x' }).catch((e: unknown) => e);
    expect(hard).toMatchObject({ code: '550', retryable: false });
    const ok = await app.registry.send(ref, { text: 'A direct reply', quickReplies: ['Track my order'] });
    expect(ok.externalId).toMatch(/^<.+@shop\.test>$/);
    const last = mail.sentTo(buyer).at(-1)!.parsed;
    expect(last.text).toContain('- Track my order');
    expect(last.html).toContain('<li>Track my order</li>');
  });
  it('does not read the mailbox again after a restart, and answers what came while it was down', async () => {
    const earlier = [...new Set(mail.sent.flatMap((m) => m.envelope.to))];
    const counts = Object.fromEntries(earlier.map((b) => [b, mail.sentTo(b).length]));
    await adapter.stop();
    const buyer = newBuyer();
    const id = newId();
    mail.deliver(
      await buyerMail({
        from: buyer,
        to: mail.address,
        subject: 'While you were away',
        text: 'How long does shipping take?',
        messageId: id,
      }),
    );

    const again = new EmailAdapter({
      accounts: [mail.account('demo')],
      pollMs: 2_000,
      idleCloseMs,
      reconnect: { minMs: 200, maxMs: 1_000 },
    });
    const seen: EmailOutcome[] = [];
    again.events.on('inbound', (o: EmailOutcome) => seen.push(o));
    await again.start({ app: express(), intake: app.intake, log: () => {} });
    try {
      await replies(buyer, 1);
      await sleep(2_500); // a poll too
      // Only the new mail was read: the cursor kept the rest (not even seen as duplicates).
      expect(seen.map((o) => o.key)).toEqual([`demo:${id.slice(1, -1)}`]);
      for (const b of earlier) expect(mail.sentTo(b)).toHaveLength(counts[b]!);
    } finally {
      await again.stop();
    }
  });
});
