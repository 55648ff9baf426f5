/** `sora track NUMBER [--carrier HINT] [--shop ID]`: track a parcel (JSON); --shop uses that shop's own keys first. */
import { parseArgs } from 'node:util';
import { cliConfig, cliSecrets, fail, withCliDatabase } from './support.js';

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { carrier: { type: 'string' }, shop: { type: 'string' } },
  });
  const n = positionals[0];
  if (!n) fail('track needs a NUMBER');
  const { ParcelTracker } = await import('../../activities/logistics/track.js');
  let credentials = cliConfig().carriers.credentials;
  const shop = values.shop;
  if (shop) {
    const { credentialsForShop } = await import('../../activities/logistics/carrier-keys.js');
    const base = credentials;
    credentials = await withCliDatabase(() => credentialsForShop(shop, { base, secrets: cliSecrets() }));
  }
  const result = await new ParcelTracker(credentials).track(n, values.carrier);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
