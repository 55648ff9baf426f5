/**
 * `sora demo seed-month [--shop demo] [--days 30]` and `sora demo clear-month [--shop demo]`: the
 * synthetic demo month of conversations (scripts/demo/demo-month.ts) that `npm start` seeds, on
 * demand. seed-month does nothing when the shop has one already (clear-month first to redo it).
 */
import { parseArgs } from 'node:util';
import { cliConfig, fail, withCliDatabase } from './support.js';

export async function run(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'seed-month' && sub !== 'clear-month') fail(`demo: unknown subcommand "${sub ?? ''}" (seed-month or clear-month)`);
  const { values } = parseArgs({ args: rest, options: { shop: { type: 'string' }, days: { type: 'string' } } });
  const shop = values.shop ?? 'demo';
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 92))
    fail('demo seed-month: --days must be a whole number from 1 to 92');
  const { seedDemoMonth, clearDemoMonth, demoMonthLine } = await import('../demo/demo-month.js');
  await withCliDatabase(async () => {
    if (sub === 'clear-month') {
      const removed = await clearDemoMonth(shop);
      process.stdout.write(`removed the demo month of shop ${shop}: ${JSON.stringify(removed)}\n`);
      return;
    }
    const { sharedEmbedder } = await import('../../activities/knowledge/embedder.js');
    const embedder = sharedEmbedder(cliConfig().embedding);
    try {
      process.stdout.write(`${demoMonthLine(await seedDemoMonth(shop, { days, embedder, log: (m) => process.stderr.write(`${m}\n`) }))}\n`);
    } finally {
      await embedder.close();
    }
  });
}
