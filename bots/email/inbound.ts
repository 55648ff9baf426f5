/**
 * One received mail → the InboundMessage intake records, or the reason it is not answered.
 *
 * Threads and conversations: one conversation per mail thread. The message's `thread` is set by
 * the adapter (bots/email/threads.ts finds the thread by the Message-IDs this mail names); here
 * the mail's replyTo holds what answering in its thread needs — its root Message-ID, its
 * References plus its own Message-ID, and its subject — so the reply is `In-Reply-To` that mail,
 * `References` the whole thread, `Subject: Re: …`. The buyer is the sender's address in lower case.
 * docs/channels/email.md says more.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type Attachment as MailAttachment, type ParsedMail } from 'mailparser';
import type { Attachment, InboundMessage } from '../channel.js';
import { automatedMail, type SkipReason } from './auto-reply.js';
import { stripQuoted } from './quoted.js';

export const EMAIL = 'email';
/** Largest attachment whose content is stored (a MongoDB document holds 16 MB); larger ones keep their metadata. */
export const MAX_STORED_ATTACHMENT = 12 * 1024 * 1024;
/** The raw text and HTML kept for audit, at most this many characters each. */
const RAW_TEXT_MAX = 100_000;
/** References kept in a thread: the root and the latest ones (RFC 5322 §3.6.4 lets us trim the middle). */
const MAX_REFERENCES = 20;

/** What send() needs to answer in the buyer's thread (stored on the buyer by intake). */
export interface EmailReplyTo extends Record<string, unknown> {
  /** Where the reply goes: the mail's Reply-To, else its From. */
  to: string;
  name?: string;
  /** Our mailbox that received it: the reply leaves through its SMTP account. */
  mailbox: string;
  subject: string;
  /** `<id>` of the buyer's mail: our In-Reply-To. */
  inReplyTo: string;
  /** The thread, root first, ending with inReplyTo: our References. */
  references: string[];
  /** `<id>` of the thread's first mail. */
  threadRoot: string;
}

export interface StoredAttachment {
  index: number;
  name?: string;
  mimeType: string;
  sizeBytes: number;
  content: Buffer | null;
}

export type InboundMail =
  | { kind: 'message'; message: InboundMessage & { replyTo: EmailReplyTo }; attachments: StoredAttachment[] }
  | {
      kind: 'skip';
      key: string;
      from: string | null;
      subject: string | null;
      reason: SkipReason | 'own_address' | 'no_sender';
      detail: string;
    };

const bracket = (id: string) => (id.startsWith('<') ? id : `<${id}>`);
const bare = (id: string) => id.replace(/^<|>$/g, '');
/** The externalId intake records a buyer's mail under: `shopId:Message-ID` (without brackets). */
export const mailKey = (shopId: string, messageId: string): string => `${shopId}:${bare(messageId)}`;

function headerLookup(p: ParsedMail) {
  const map = new Map<string, string>();
  for (const h of p.headerLines) {
    const key = h.key.toLowerCase();
    if (map.has(key)) continue;
    const i = h.line.indexOf(':');
    map.set(
      key,
      h.line
        .slice(i + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
  }
  return (name: string) => map.get(name);
}

function attachmentType(mime: string): Attachment['type'] {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

/** The thread of a mail: its references (root first), ending with its own id. */
export function threadOf(messageId: string, references: string[] | string | undefined, inReplyTo: string | undefined): string[] {
  const refs = (Array.isArray(references) ? references : references ? references.split(/\s+/) : []).filter(Boolean).map(bracket);
  if (inReplyTo && !refs.includes(bracket(inReplyTo.trim()))) refs.push(bracket(inReplyTo.trim()));
  const all = [...refs.filter((r) => r !== messageId), messageId];
  return all.length > MAX_REFERENCES ? [all[0]!, ...all.slice(-(MAX_REFERENCES - 1))] : all;
}

/** Parse one mail received in `mailbox` (our address) for `shopId`. */
export async function readMail(source: Buffer, o: { shopId: string; mailbox: string; receivedAt?: Date }): Promise<InboundMail> {
  const p = await simpleParser(source, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
  const h = headerLookup(p);
  const messageId = p.messageId
    ? bracket(p.messageId.trim())
    : `<${createHash('sha256').update(source).digest('hex').slice(0, 32)}@no-message-id.sora>`;
  const key = mailKey(o.shopId, messageId);
  const sender = p.from?.value.find((a) => a.address);
  const from = sender?.address?.trim().toLowerCase();
  const subject = p.subject?.trim() ?? '';
  if (!from) return { kind: 'skip', key, from: null, subject: subject || null, reason: 'no_sender', detail: 'no From address' };
  if (from === o.mailbox.toLowerCase())
    return { kind: 'skip', key, from, subject: subject || null, reason: 'own_address', detail: 'From is our own mailbox' };
  const automated = automatedMail(h, from, subject);
  if (automated) return { kind: 'skip', key, from, subject: subject || null, ...automated };

  const fullText = (p.text ?? '').trim();
  const newText = stripQuoted(fullText);
  const attachments: StoredAttachment[] = p.attachments.map((a: MailAttachment, index) => ({
    index,
    ...(a.filename ? { name: a.filename } : {}),
    mimeType: a.contentType || 'application/octet-stream',
    sizeBytes: a.size,
    content: a.size <= MAX_STORED_ATTACHMENT ? a.content : null,
  }));
  // An empty body with a question in the subject ("Where is my order #1002?"): the subject is the text.
  const text = newText || (attachments.length ? '' : subject.replace(/^((re|fwd?|aw|sv|antw)\s*:\s*)+/i, '').trim());
  const replyAddr = p.replyTo?.value.find((a) => a.address)?.address?.toLowerCase() ?? from;
  const thread = threadOf(messageId, p.references, p.inReplyTo);
  const receivedAt = (o.receivedAt ?? new Date()).toISOString();
  return {
    kind: 'message',
    attachments,
    message: {
      channel: EMAIL,
      shopId: o.shopId,
      buyerId: from,
      externalId: key,
      text,
      ...(attachments.length
        ? {
            attachments: attachments.map((a) => ({
              type: attachmentType(a.mimeType),
              mimeType: a.mimeType,
              sizeBytes: a.sizeBytes,
              ...(a.name ? { name: a.name } : {}),
              ...(a.content ? { url: `email-attachment:${key}#${a.index}` } : {}),
            })),
          }
        : {}),
      receivedAt,
      raw: {
        messageId,
        from,
        to: p.to ? (Array.isArray(p.to) ? p.to.map((t) => t.text) : [p.to.text]) : [],
        subject,
        date: p.date?.toISOString() ?? null,
        inReplyTo: p.inReplyTo ?? null,
        references: thread.slice(0, -1),
        text: fullText.slice(0, RAW_TEXT_MAX),
        ...(p.html ? { html: p.html.slice(0, RAW_TEXT_MAX) } : {}),
      },
      replyTo: {
        to: replyAddr,
        ...(sender?.name ? { name: sender.name } : {}),
        mailbox: o.mailbox,
        subject,
        inReplyTo: messageId,
        references: thread,
        threadRoot: thread[0]!,
      },
    },
  };
}
