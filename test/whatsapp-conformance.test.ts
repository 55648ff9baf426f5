/**
 * The WhatsApp (Baileys) adapter against the channel conformance kit. WhatsApp is played by socket
 * doubles (test/kit/whatsapp-socket-double.ts): each adapter's socket logs in as its own phone
 * number; `deliver` finds the socket of the gateway under test by the number that gateway reports on
 * GET /operator/whatsapp/status, and a buyer "sends" a message to it.
 */
import { randomInt } from 'node:crypto';
import { WhatsappAdapter } from '../bots/whatsapp/adapter.js';
import type { InboundOutcome } from '../bots/whatsapp/session.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { SocketDouble, textMessage, waMessage } from './kit/whatsapp-socket-double.js';
import { eventually, operatorCredential, testSecrets } from './setup/helpers.js';
import fixtures from './fixtures/whatsapp/messages.json' with { type: 'json' };

interface Account {
  adapter: WhatsappAdapter;
  sockets: SocketDouble[];
}
const accounts = new Map<string, Account>(); // by phone number
let next = 0;

function linkedAdapter(): WhatsappAdapter {
  const phone = `1555${String(++next).padStart(7, '0')}`;
  const account: Account = { adapter: undefined as unknown as WhatsappAdapter, sockets: [] };
  account.adapter = new WhatsappAdapter({
    secrets: testSecrets(),
    shops: ['demo'],
    qrTerminal: false,
    baileysLogLevel: 'silent',
    makeSocket: (o) => {
      const s = new SocketDouble(o, phone);
      account.sockets.push(s);
      setImmediate(() => s.open()); // a linked device: WhatsApp accepts the stored creds
      return s;
    },
  });
  accounts.set(phone, account);
  return account.adapter;
}

/** The account a gateway is logged in as, from its operator endpoint. */
async function accountOf(gatewayUrl: string): Promise<Account> {
  const { headers } = await operatorCredential('conformance');
  const me = await eventually(async () => {
    const r = (await (await fetch(`${gatewayUrl}/operator/whatsapp/status`, { headers })).json()) as {
      shops: { state: string; me: string | null }[];
    };
    return r.shops[0]?.state === 'open' ? r.shops[0].me : null;
  });
  const account = accounts.get(me.split(':')[0]!);
  if (!account) throw new Error(`no socket double logged in as ${me}`);
  return account;
}

const STATUS: Record<InboundOutcome['outcome'], number> = {
  accepted: 202,
  duplicate: 200,
  deferred: 503,
  no_conversation: 200,
  ignored: 422,
  failed: 500,
};

/** Emit the message on the gateway's socket and report what the adapter made of it. */
async function emit(gatewayUrl: string, externalId: string, make: () => Parameters<SocketDouble['receive']>[0]): Promise<number> {
  const { adapter, sockets } = await accountOf(gatewayUrl);
  const outcome = new Promise<InboundOutcome>((resolve) => {
    const on = (o: InboundOutcome) => {
      if (o.externalId !== externalId) return;
      adapter.events.off('inbound', on);
      resolve(o);
    };
    adapter.events.on('inbound', on);
  });
  sockets.at(-1)!.receive(make());
  return STATUS[(await outcome).outcome];
}

describeChannelConformance('whatsapp', () => ({
  adapter: linkedAdapter(),
  shopId: 'demo',
  transport: 'socket',
  newBuyerId: () => `1${randomInt(200_000_0000, 999_999_9999)}@s.whatsapp.net`,
  deliver: (url, e: PlatformEvent) => emit(url, e.externalId, () => [textMessage(e.buyerId, e.externalId, e.text)]),
  // What WhatsApp really sends when a message cannot be decrypted: a CIPHERTEXT stub, no content.
  deliverMalformed: (url) => emit(url, fixtures.undecryptable.key.id, () => [waMessage(fixtures.undecryptable)]),
  async received(_url, buyerId) {
    return [...accounts.values()].flatMap((a) =>
      a.sockets.flatMap((s) => s.sent.filter((m) => m.jid === buyerId).map((m) => m.text ?? '')),
    );
  },
  async teardown() {
    for (const a of accounts.values()) await a.adapter.stop();
  },
}));
