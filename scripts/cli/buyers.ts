/**
 * `sora buyers export|forget --shop ID --buyer ID [--channel C]`: a buyer's data rights (GDPR / PDPA
 * requests; activities/privacy/buyer-data.ts). `export` prints everything stored about the buyer as
 * JSON (or writes it to --out FILE); `forget` erases it, deletes their conversation workflows in
 * Temporal and prints the report (counts and the audit request id, no personal data). `forget` asks
 * for `--yes`. runBuyersCommand returns the output so tests can run it in-process.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { BuyerDataInputError, exportBuyerData, forgetBuyerData } from '../../activities/privacy/buyer-data.js';
import type { CommandResult } from './orders.js';
import { cliConfig, fail, withCliDatabase } from './support.js';

export const BUYERS_USAGE = `sora buyers export --shop ID --buyer ID [--channel C] [--out FILE]
  sora buyers forget --shop ID --buyer ID [--channel C] --yes`;

export async function run(args: string[]): Promise<void> {
  const sub = args[0];
  const { values } = parseArgs({
    args: args.slice(1),
    options: {
      shop: { type: 'string' },
      buyer: { type: 'string' },
      channel: { type: 'string' },
      out: { type: 'string' },
      yes: { type: 'boolean' },
    },
  });
  if (sub !== 'export' && sub !== 'forget') fail(`unknown buyers command "${sub ?? ''}"`);
  if (!values.shop) fail(`buyers ${sub} needs --shop ID`);
  if (!values.buyer) fail(`buyers ${sub} needs --buyer ID (the buyer's id on their channel)`);
  if (sub === 'forget' && !values.yes) fail('buyers forget erases the buyer for good: add --yes');
  const { temporalClient } = await import('../../infra/temporal/connection.js');
  const { client, connection } = await temporalClient(cliConfig().temporal, { lazy: false });
  try {
    const r = await withCliDatabase(() =>
      runBuyersCommand(sub, { shop: values.shop!, buyer: values.buyer!, channel: values.channel, out: values.out }, client),
    );
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    process.exitCode = r.code;
  } finally {
    await connection.close();
  }
}

export async function runBuyersCommand(
  sub: 'export' | 'forget',
  o: { shop: string; buyer: string; channel?: string; out?: string },
  client: Client,
): Promise<CommandResult> {
  const req = { shopId: o.shop, buyerId: o.buyer, ...(o.channel ? { channel: o.channel } : {}), via: 'cli' as const };
  try {
    if (sub === 'export') {
      const data = await exportBuyerData(req, client);
      const json = `${JSON.stringify(data, null, 2)}\n`;
      if (!o.out) return { code: 0, stdout: json, stderr: '' };
      writeFileSync(o.out, json, { mode: 0o600 });
      return { code: 0, stdout: '', stderr: `buyer data written to ${o.out} (audit request ${data.requestId})\n` };
    }
    const r = await forgetBuyerData(req, client);
    const summary = Object.entries(r.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return {
      code: 0,
      stdout: `${JSON.stringify(r)}\n`,
      stderr: `buyer erased from shop ${r.shopId} (${r.channels.join(', ')}): ${summary}; audit request ${r.requestId}\n`,
    };
  } catch (e) {
    if (e instanceof BuyerDataInputError) return { code: 1, stdout: '', stderr: `sora: ${e.message}\n` };
    throw e;
  }
}
