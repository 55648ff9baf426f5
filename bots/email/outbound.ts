/**
 * Our reply as a mail (nodemailer): an HTML body with a plain-text alternative, in the buyer's
 * thread (In-Reply-To their latest mail, References the thread, Subject "Re: …"), From the shop's
 * mailbox, Reply-To it (or the account's replyTo). And SMTP refusals → ChannelSendError.
 */
import { randomUUID } from 'node:crypto';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { EmailAccount } from '../../infra/config/index.js';
import { ChannelSendError, type OutboundMessage } from '../channel.js';
import type { EmailReplyTo } from './inbound.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "Re: " once, however many the buyer's client stacked ("Re: RE: Aw: …" stays one "Re:"). */
export function replySubject(subject: string): string {
  const bareSubject = subject.replace(/^((re|aw|sv|antw|wg|fwd?)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
  return `Re: ${bareSubject || 'your message'}`;
}

/** The text as HTML: paragraphs at blank lines, line breaks kept, links clickable; quick replies as a list. */
export function replyHtml(msg: OutboundMessage): string {
  const para = (p: string) =>
    `<p>${escapeHtml(p)
      .replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')
      .replace(/\n/g, '<br>')}</p>`;
  const body = msg.text
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map(para)
    .join('\n');
  const options = msg.quickReplies?.length ? `\n<ul>${msg.quickReplies.map((q) => `<li>${escapeHtml(q)}</li>`).join('')}</ul>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">\n${body}${options}\n</body></html>`;
}

export function replyText(msg: OutboundMessage): string {
  return msg.quickReplies?.length ? `${msg.text}\n\n${msg.quickReplies.map((q) => `- ${q}`).join('\n')}` : msg.text;
}

/** The mail to send; `messageId` is ours (`<uuid@our domain>`), returned as the platform id. */
export function composeReply(account: EmailAccount, to: EmailReplyTo, msg: OutboundMessage): Mail.Options & { messageId: string } {
  const domain = account.address.split('@')[1]!;
  const messageId = `<${randomUUID()}@${domain}>`;
  return {
    messageId,
    from: account.name ? { name: account.name, address: account.address } : account.address,
    replyTo: account.replyTo ?? account.address,
    to: to.name ? { name: to.name, address: to.to } : to.to,
    subject: replySubject(to.subject),
    inReplyTo: to.inReplyTo,
    references: to.references,
    text: replyText(msg),
    html: replyHtml(msg),
    // Exchange/Outlook: send no out-of-office or auto-reply back to this mail (avoids reply loops).
    headers: { 'X-Auto-Response-Suppress': 'OOF, AutoReply' },
  };
}

/**
 * An SMTP failure → ChannelSendError. 4xx replies (greylisting, mailbox busy, rate limits) are
 * transient: retried after a minute. 5xx are permanent (no such user, rejected as spam…) except an
 * authentication failure (535, EAUTH): a wrong or revoked app password is fixed by the operator
 * and the reply should then go out, so it retries with the activity's backoff. Network failures
 * retry. Other errors are passed on (retried normally).
 */
export function smtpSendError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const x = e as Error & { code?: string; responseCode?: number; response?: string };
  const text = (x.response ?? x.message).slice(0, 300);
  if (x.code === 'EAUTH')
    return new ChannelSendError('email', 'auth', `SMTP authentication failed (check the user and app password): ${text}`, true);
  if (typeof x.responseCode === 'number') {
    if (x.responseCode >= 400 && x.responseCode < 500) return new ChannelSendError('email', String(x.responseCode), text, true, 60_000);
    if (x.responseCode >= 500) return new ChannelSendError('email', String(x.responseCode), text, false);
  }
  if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL'].includes(x.code ?? ''))
    return new ChannelSendError('email', x.code!.toLowerCase(), text, true);
  if (x.code === 'EENVELOPE') return new ChannelSendError('email', 'envelope', text, false);
  return e;
}
