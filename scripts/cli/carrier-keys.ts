/**
 * `sora carriers keys …`: a shop's own carrier API keys with their expiry (MONGODB_URI).
 *
 *   set    --shop ID --carrier dhl|17track --api-key KEY [--expires YYYY-MM-DD] [--base-url URL]
 *          --shop ID --carrier ups|fedex|usps --client-id ID --client-secret SECRET [...]
 *   rotate same options; the shop must already have a key for that carrier
 *   list   [--shop ID] [--json]           status ok / expiring / expired and days left, no secrets
 *   remove --shop ID --carrier C
 *
 * A secret given as "-" is read from stdin (one line), so it stays out of shell history; unset, the
 * secrets also come from SORA_CARRIER_API_KEY / SORA_CARRIER_CLIENT_ID / SORA_CARRIER_CLIENT_SECRET
 * (config.carriers.cli).
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../infra/config/index.js';
import { cliMongoUri, cliSecrets, textTable } from './support.js';
import type { SecretBox } from '../../infra/secrets/index.js';
import {
  CarrierKeyError,
  listCarrierKeys,
  removeCarrierKey,
  setCarrierKey,
  type CarrierKeyView,
} from '../../activities/logistics/carrier-keys.js';

export const CARRIER_KEYS_USAGE = `  sora carriers keys set --shop ID --carrier dhl|17track --api-key KEY|- [--expires YYYY-MM-DD] [--base-url URL]
  sora carriers keys set --shop ID --carrier ups|fedex|usps --client-id ID --client-secret SECRET|- [--expires YYYY-MM-DD]
  sora carriers keys rotate  (same options as set; the key must exist)
  sora carriers keys list [--shop ID] [--json]
  sora carriers keys remove --shop ID --carrier C`;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!.trim();
}

export async function runCarrierKeysCommand(
  args: string[],
  io: { out: (s: string) => void; config: Pick<Config, 'mongo' | 'stack' | 'carriers' | 'secrets'>; secrets?: SecretBox },
): Promise<void> {
  const { config } = io;
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      shop: { type: 'string' },
      carrier: { type: 'string' },
      'api-key': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'base-url': { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const { connectMongo, disconnectMongo } = await import('../../models/connection.js');
  const connect = () => connectMongo(cliMongoUri(config));

  if (sub === 'set' || sub === 'rotate') {
    if (!values.shop) throw new CarrierKeyError(`keys ${sub} needs --shop ID`);
    if (!values.carrier) throw new CarrierKeyError(`keys ${sub} needs --carrier (dhl, ups, fedex, usps, 17track)`);
    const secrets = {
      apiKey: values['api-key'] ?? config.carriers.cli.apiKey,
      clientId: values['client-id'] ?? config.carriers.cli.clientId,
      clientSecret: values['client-secret'] ?? config.carriers.cli.clientSecret,
    };
    const fromStdin = (Object.keys(secrets) as (keyof typeof secrets)[]).filter((k) => secrets[k] === '-');
    if (fromStdin.length > 1) throw new CarrierKeyError('only one secret can be read from stdin ("-")');
    if (fromStdin[0]) secrets[fromStdin[0]] = await readStdinLine();
    await connect();
    try {
      const v = await setCarrierKey({
        shopId: values.shop,
        carrier: values.carrier,
        ...secrets,
        baseUrl: values['base-url'],
        expiresAt: values.expires,
        mustExist: sub === 'rotate',
        settings: config.carriers.keys,
        secrets: io.secrets ?? cliSecrets(config),
      });
      if (values.json) io.out(`${JSON.stringify(v)}\n`);
      else
        io.out(
          `${v.rotated ? 'rotated' : 'stored'} the ${v.carrier} key of shop ${v.shopId} (fingerprint ${v.fingerprint}); expires ${v.expiresAt} (in ${Math.round(v.hoursLeft / 24)} days)\n`,
        );
    } finally {
      await disconnectMongo();
    }
    return;
  }
  if (sub === 'list') {
    await connect();
    try {
      const keys = await listCarrierKeys({
        shopId: values.shop,
        settings: config.carriers.keys,
        secrets: io.secrets ?? cliSecrets(config),
      });
      if (values.json) io.out(`${JSON.stringify(keys)}\n`);
      else if (keys.length === 0)
        io.out(`no carrier keys${values.shop ? ` for shop ${values.shop}` : ''}; tracking uses the SORA_* variables\n`);
      else io.out(keysTable(keys));
    } finally {
      await disconnectMongo();
    }
    return;
  }
  if (sub === 'remove') {
    if (!values.shop || !values.carrier) throw new CarrierKeyError('keys remove needs --shop ID and --carrier C');
    await connect();
    try {
      const removed = await removeCarrierKey(values.shop, values.carrier);
      if (!removed) throw new CarrierKeyError(`shop ${values.shop} has no ${values.carrier} key`);
      io.out(`removed the ${values.carrier} key of shop ${values.shop}\n`);
    } finally {
      await disconnectMongo();
    }
    return;
  }
  throw new CarrierKeyError(`unknown carriers keys command "${sub ?? ''}"\n${CARRIER_KEYS_USAGE}`);
}

function keysTable(keys: CarrierKeyView[]): string {
  const head = ['shop', 'carrier', 'status', 'expires', 'days left', 'fingerprint', 'alerted'];
  const rows = keys.map((k) => [
    k.shopId,
    k.carrier,
    k.status,
    k.expiresAt.slice(0, 16).replace('T', ' '),
    String(k.daysLeft),
    k.fingerprint,
    k.alerts.expiredAt ? 'expired' : k.alerts.expiringAt ? 'expiring' : '-',
  ]);
  return textTable(head, rows);
}
