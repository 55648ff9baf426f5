/**
 * A shop's mailbox for tests: an in-process IMAP server (hoodiecrow-imap, with IDLE unless told
 * otherwise) holding the buyers' mails, and a local SMTP server (smtp-server) capturing what we
 * send. Both check the account's password, like a real provider.
 *
 *   const mail = await startMailServers({ address: 'support@shop.test' });
 *   new EmailAdapter({ accounts: [mail.account('demo')] })
 *   mail.deliver(buyerMail({ from: 'ana@buyer.test', subject: 'Shipping', text: 'How long…?' }))
 *   mail.sent            // our replies, parsed (mailparser)
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { SMTPServer } from 'smtp-server';
import type { EmailAccount } from '../../infra/config/index.js';

interface HoodiecrowMessage {
  uid: number;
  flags: string[];
  raw: string;
}
interface Hoodiecrow {
  server: import('node:net').Server;
  listen(port: number, host: string, cb: () => void): void;
  close(cb?: () => void): void;
  appendMessage(mailbox: string, flags: string[], date: Date, raw: string): { message: HoodiecrowMessage };
  getMailbox(path: string): { messages: HoodiecrowMessage[]; uidvalidity: number };
}
const hoodiecrow = createRequire(import.meta.url)('hoodiecrow-imap') as (o: unknown) => Hoodiecrow;

export interface SentMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface MailServers {
  address: string;
  password: string;
  imapPort: number;
  smtpPort: number;
  /** The EmailAccount of this mailbox for `shopId`. */
  account(shopId: string): EmailAccount;
  /** Put a mail in the INBOX (IDLE clients are told at once), received at `at` (default now); returns its UID. */
  deliver(raw: string | Buffer, at?: Date): number;
  /** The INBOX's messages with their flags. */
  inbox(): { uid: number; flags: string[] }[];
  /** What our SMTP server received, in order. */
  sent: SentMail[];
  /** Mails sent to `address`. */
  sentTo(address: string): SentMail[];
  /** The next SMTP transactions fail at DATA with these replies (e.g. 451, 550). */
  failNextSmtp(...replies: { code: number; message: string }[]): void;
  /** Cut every open IMAP connection (a network drop / server restart). */
  dropImapConnections(): void;
  close(): Promise<void>;
}

/** A buyer's mail as their client would write it (nodemailer's MailComposer): raw RFC 5322 text. */
export async function buyerMail(o: Mail.Options & { headers?: Record<string, string> }): Promise<string> {
  const buf = await new MailComposer({ date: new Date(), ...o }).compile().build();
  return buf.toString('utf8');
}

export async function startMailServers(o: { address?: string; password?: string; idle?: boolean } = {}): Promise<MailServers> {
  const address = o.address ?? `support-${Math.random().toString(36).slice(2, 8)}@shop.test`;
  const password = o.password ?? 'app-password-123';
  const plugins = ['ID', 'ENABLE', 'UNSELECT', ...(o.idle === false ? [] : ['IDLE'])];
  const imap = hoodiecrow({ plugins, users: { [address]: { password } }, storage: { INBOX: { messages: [] }, '': {} } });
  const sockets = new Set<Socket>();
  imap.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => imap.listen(0, '127.0.0.1', r));
  const imapPort = (imap.server.address() as AddressInfo).port;

  const sent: SentMail[] = [];
  const failures: { code: number; message: string }[] = [];
  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === address && auth.password === password) return cb(null, { user: address });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const fail = failures.shift();
        if (fail) return cb(Object.assign(new Error(fail.message), { responseCode: fail.code }));
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            sent.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
            });
            cb();
          },
          (e: Error) => cb(e),
        );
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  return {
    address,
    password,
    imapPort,
    smtpPort,
    account: (shopId) => ({
      shopId,
      address,
      name: 'Demo Shop Support',
      imap: { host: '127.0.0.1', port: imapPort, secure: false, user: address, password, mailbox: 'INBOX' },
      smtp: { host: '127.0.0.1', port: smtpPort, secure: false, user: address, password },
    }),
    deliver: (raw, at = new Date()) => imap.appendMessage('INBOX', [], at, raw.toString()).message.uid,
    inbox: () => imap.getMailbox('INBOX').messages.map((m) => ({ uid: m.uid, flags: [...m.flags] })),
    sent,
    sentTo: (to) => sent.filter((m) => m.envelope.to.includes(to.toLowerCase())),
    failNextSmtp: (...r) => void failures.push(...r),
    dropImapConnections: () => {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => imap.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}
