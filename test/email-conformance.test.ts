/**
 * The email adapter against the channel conformance kit. Email is a socket-like channel: the adapter
 * holds an IMAP connection, there is no request to answer. Each adapter the kit makes gets its own
 * mailbox (an in-process IMAP server and a local SMTP server, test/fakes/mail-servers.ts);
 * `deliver` finds the mailbox of the gateway under test on GET /operator/email/status, puts the
 * buyer's mail in it, and reports what the adapter made of it in webhook terms (202 accepted,
 * 200 duplicate, 503 recorded but Temporal unreachable, 422 not a buyer's mail).
 */
import { randomUUID } from 'node:crypto';
import { EmailAdapter, type EmailOutcome } from '../bots/email/adapter.js';
import { threadKeyOf } from '../bots/email/threads.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { buyerMail, startMailServers, type MailServers } from './fakes/mail-servers.js';
import { eventually, operatorCredential } from './setup/helpers.js';

interface Box {
  adapter: EmailAdapter;
  mail: MailServers;
}
const boxes = new Map<string, Box>(); // by mailbox address

async function newAdapter(): Promise<EmailAdapter> {
  const mail = await startMailServers();
  const adapter = new EmailAdapter({ accounts: [mail.account('demo')], pollMs: 5_000, reconnect: { minMs: 200, maxMs: 2_000 } });
  boxes.set(mail.address, { adapter, mail });
  return adapter;
}

async function boxOf(gatewayUrl: string): Promise<Box> {
  const { headers } = await operatorCredential('email conformance');
  const address = await eventually(async () => {
    const r = (await (await fetch(`${gatewayUrl}/operator/email/status`, { headers })).json()) as {
      mailboxes: { address: string; state: string }[];
    };
    return r.mailboxes[0]?.state === 'open' ? r.mailboxes[0].address : null;
  });
  return boxes.get(address)!;
}

const STATUS: Record<EmailOutcome['outcome'], number> = { accepted: 202, duplicate: 200, deferred: 503, skipped: 422, failed: 500 };
const keyOf = (e: PlatformEvent) => `demo:${e.externalId}@kit.test`;
/** The first mail of a kit buyer's thread (a mail of theirs the kit never sends). */
const rootOf = (buyerId: string) => `<thread-of-${buyerId}>`;

/** Put the mail in the gateway's mailbox and report what the adapter made of it. */
async function emit(gatewayUrl: string, key: string, raw: string): Promise<number> {
  const { adapter, mail } = await boxOf(gatewayUrl);
  const outcome = new Promise<EmailOutcome>((resolve) => {
    const on = (o: EmailOutcome) => {
      if (o.key !== key) return;
      adapter.events.off('inbound', on);
      resolve(o);
    };
    adapter.events.on('inbound', on);
  });
  mail.deliver(raw);
  return STATUS[(await outcome).outcome];
}

describeChannelConformance('email', async () => ({
  adapter: await newAdapter(),
  shopId: 'demo',
  transport: 'socket',
  newBuyerId: () => `kit-${randomUUID().slice(0, 8)}@buyer.test`,
  externalIdOf: keyOf,
  threadOf: (buyerId) => threadKeyOf(rootOf(buyerId)),
  deliver: async (url, e) =>
    emit(
      url,
      keyOf(e),
      await buyerMail({
        from: e.buyerId,
        to: 'support@shop.test',
        subject: 'Question',
        text: e.text,
        messageId: `<${e.externalId}@kit.test>`,
        // Every mail of a kit buyer is in one thread: one conversation, as the kit expects.
        references: [rootOf(e.buyerId)],
      }),
    ),
  // A mail without a sender (nobody to answer): recorded as skipped, never as a message.
  deliverMalformed: async (url) => {
    const id = `malformed-${randomUUID()}@kit.test`;
    const raw = `To: support@shop.test\r\nSubject: no sender\r\nMessage-ID: <${id}>\r\n\r\nHow long does shipping take?\r\n`;
    return emit(url, `demo:${id}`, raw);
  },
  async received(_url, buyerId) {
    return [...boxes.values()].flatMap((b) =>
      b.mail.sentTo(buyerId).map((m) => (m.parsed.text ?? '').replace(/\n\n(- .*(\n|$))+$/, '').trim()),
    );
  },
  async teardown() {
    for (const b of boxes.values()) {
      await b.adapter.stop();
      await b.mail.close();
    }
  },
}));
