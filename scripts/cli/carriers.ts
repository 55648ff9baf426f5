/**
 * `sora carriers list|detect` (the carrier registry, activities/logistics/carriers.ts) and
 * `sora carriers keys …` (a shop's own carrier API keys: ./carrier-keys.ts).
 */
import { parseArgs } from 'node:util';
import { cliConfig, fail, textTable } from './support.js';

export async function run(args: string[]): Promise<void> {
  const sub = args[0];
  if (sub === 'keys') return keys(args.slice(1));
  const { values, positionals } = parseArgs({ args: args.slice(1), allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (sub === 'list') return list(values.json);
  if (sub === 'detect') return detect(positionals[0], values.json);
  fail(`unknown carriers command "${sub ?? ''}"`);
}

async function keys(args: string[]): Promise<void> {
  const { runCarrierKeysCommand } = await import('./carrier-keys.js');
  const { CarrierKeyError } = await import('../../activities/logistics/carrier-keys.js');
  try {
    await runCarrierKeysCommand(args, { out: (s) => process.stdout.write(s), config: cliConfig() });
  } catch (e) {
    if (!(e instanceof CarrierKeyError)) throw e;
    process.stderr.write(`sora: ${e.message}\n`);
    process.exitCode = 2;
  }
}

async function list(json: boolean | undefined): Promise<void> {
  const { registryAsJson } = await import('../../activities/logistics/carriers.js');
  const carriers = registryAsJson();
  if (json) {
    process.stdout.write(`${JSON.stringify(carriers, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    textTable(
      ['id', 'name', 'client', 'check digit', 'countries', 'patterns'],
      carriers.map((c) => [c.id, c.name, c.client, c.checkDigit.join(', ') || '-', c.countries.join(' ') || 'any', c.patterns.join('  ')]),
    ),
  );
  process.stdout.write(`${carriers.length} carriers; client "17track" = tracked through the aggregator\n`);
}

async function detect(n: string | undefined, json: boolean | undefined): Promise<void> {
  const { detectCarriers, trackingUrl } = await import('../../activities/logistics/carriers.js');
  if (!n) fail('carriers detect needs a NUMBER');
  const found = detectCarriers(n).map((c) => ({
    carrier: c.carrier.id,
    name: c.carrier.name,
    pattern: c.pattern.name,
    checkDigit: c.checkDigit,
    client: c.carrier.client,
    aggregatorCode: c.aggregatorCode ?? null,
    trackingUrl: trackingUrl(c.carrier, n),
  }));
  if (json) process.stdout.write(`${JSON.stringify(found)}\n`);
  else if (found.length === 0) process.stdout.write(`no carrier format matches ${n}\n`);
  else
    process.stdout.write(
      textTable(
        ['carrier', 'pattern', 'check digit', 'client', 'tracking page'],
        found.map((f) => [f.carrier, f.pattern, f.checkDigit, f.client, f.trackingUrl]),
      ),
    );
}
