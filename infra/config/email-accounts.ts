/**
 * The email channel's mailboxes (SORA_EMAIL_ACCOUNTS): one or more per shop, each an IMAP inbox the
 * buyers write to and the SMTP server our replies leave through. Given as JSON, inline or in a file:
 *
 *   SORA_EMAIL_ACCOUNTS='[{"shopId":"demo","address":"support@shop.example",
 *     "imap":{"host":"imap.gmail.com","password":"app-password"},
 *     "smtp":{"host":"smtp.gmail.com"}}]'
 *   SORA_EMAIL_ACCOUNTS=/etc/sora/email-accounts.json
 *
 * Defaults: IMAP port 993 with TLS, user = address, mailbox INBOX; SMTP port 465 (TLS; 587 and 25
 * use STARTTLS), user and password = the IMAP ones. Every problem names the account and field;
 * no message ever repeats a password.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface EmailServer {
  host: string;
  port: number;
  /** TLS from the first byte (993 / 465); false: plain, upgraded by STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password: string;
}

export interface EmailAccount {
  shopId: string;
  /** The mailbox address buyers write to; our replies come From it. */
  address: string;
  /** Display name on our replies (default: none). */
  name?: string;
  /** Reply-To of our replies (default: address). */
  replyTo?: string;
  imap: EmailServer & { mailbox: string };
  smtp: EmailServer;
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;
const SHOP_ID = /^[\w.-]{1,64}$/;

const server = (dfltPort: number) =>
  z
    .object({
      host: z.string({ required_error: 'host is required' }).trim().min(1, 'host is required'),
      port: z.number({ invalid_type_error: 'port must be a number' }).int().min(1).max(65535).default(dfltPort),
      secure: z.boolean({ invalid_type_error: 'secure must be true or false' }).optional(),
      user: z.string().trim().min(1).optional(),
      password: z.string({ invalid_type_error: 'password must be a string' }).min(1, 'password must not be empty').optional(),
    })
    .strict();

const account = z
  .object({
    shopId: z.string({ required_error: 'shopId is required' }).regex(SHOP_ID, 'shopId may contain letters, digits and . _ - only'),
    address: z
      .string({ required_error: 'address is required (the mailbox address buyers write to)' })
      .trim()
      .toLowerCase()
      .regex(EMAIL, 'address must be an email address'),
    name: z.string().trim().min(1).optional(),
    replyTo: z.string().trim().regex(EMAIL, 'replyTo must be an email address').optional(),
    imap: server(993).extend({ mailbox: z.string().trim().min(1).default('INBOX') }),
    smtp: server(465),
  })
  .strict();

const accounts = z.array(account).min(1, 'list at least one mailbox');

/** The raw variable → the JSON text (inline, or the file it names). Throws a message naming the problem. */
function jsonText(raw: string): string {
  const t = raw.trim();
  if (t.startsWith('[') || t.startsWith('{')) return t;
  try {
    return readFileSync(t, 'utf8');
  } catch (e) {
    // The value is not echoed: a mistyped inline value may hold a password.
    throw new Error(
      `is neither JSON (a list starting with "[") nor a readable file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      {
        cause: e,
      },
    );
  }
}

/**
 * Parse SORA_EMAIL_ACCOUNTS. Returns the accounts or the problems (each naming the account and
 * field). Passwords are never part of a problem: zod messages above do not echo values.
 */
export function parseEmailAccounts(raw: string | undefined): { accounts: EmailAccount[]; problems: string[] } {
  if (!raw?.trim())
    return {
      accounts: [],
      problems: ['is required when email is enabled (JSON list of mailboxes, or a file holding it; docs/channels/email.md)'],
    };
  let data: unknown;
  try {
    data = JSON.parse(jsonText(raw));
  } catch (e) {
    // A JSON syntax error message quotes the input, which holds passwords: say where, not what.
    const msg = e instanceof SyntaxError ? 'is not valid JSON' : (e as Error).message;
    return { accounts: [], problems: [msg] };
  }
  const r = accounts.safeParse(Array.isArray(data) ? data : [data]);
  if (!r.success)
    return {
      accounts: [],
      problems: r.error.issues.map((i) => {
        const [idx, ...rest] = i.path;
        const where = typeof idx === 'number' ? `account ${idx + 1}${rest.length ? ` ${rest.join('.')}` : ''}` : 'accounts';
        return `${where}: ${i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message}`;
      }),
    };
  const problems: string[] = [];
  const out = r.data.map((a, n): EmailAccount => {
    const imapUser = a.imap.user ?? a.address;
    if (!a.imap.password) problems.push(`account ${n + 1} imap.password is required (for Gmail/Outlook: an app password)`);
    return {
      shopId: a.shopId,
      address: a.address,
      ...(a.name ? { name: a.name } : {}),
      ...(a.replyTo ? { replyTo: a.replyTo } : {}),
      imap: {
        host: a.imap.host,
        port: a.imap.port,
        secure: a.imap.secure ?? a.imap.port === 993,
        user: imapUser,
        password: a.imap.password ?? '',
        mailbox: a.imap.mailbox,
      },
      smtp: {
        host: a.smtp.host,
        port: a.smtp.port,
        secure: a.smtp.secure ?? a.smtp.port === 465,
        user: a.smtp.user ?? imapUser,
        password: a.smtp.password ?? a.imap.password ?? '',
      },
    };
  });
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.address)) problems.push(`address ${a.address} is listed twice`);
    seen.add(a.address);
  }
  return problems.length ? { accounts: [], problems } : { accounts: out, problems };
}
