/**
 * The `sora` command line (from a checkout: `npm run -s sora -- <command>`).
 *
 *   sora start                                   same as npm start
 *   sora eval --kb FILE --cases FILE [--shots N] [--seed S] [--model ID] [--label-column C] [--threshold X] [--min-similarity X] [--report FILE.html] [--json]
 *   sora dataset split --in FILE [--dev 0.2] [--seed 7] [--out DIR]
 *   sora kb import FILE --shop ID                 FAQ workbook (.xlsx / .csv)
 *   sora kb missed --shop ID [--limit 50] [--json] top unmatched questions, clustered
 *   sora import-worker                           serve only KB imports (SORA_IMPORT_TASK_QUEUE)
 *   sora worker                                  serve only conversations (SORA_TASK_QUEUE), no gateway
 *   sora orders import FILE --shop ID [--strict]  orders file (.xlsx / .csv), one row per item
 *   sora orders list --shop ID [--json]            the shop's stored orders
 *   sora carriers list [--json]                    the carrier registry (activities/logistics/carriers.ts)
 *   sora carriers detect NUMBER [--json]           which carriers a tracking number can belong to
 *   sora carriers keys set|rotate|list|remove …    a shop's own carrier API keys and their expiry
 *   sora track NUMBER [--carrier HINT] [--shop ID]  track a parcel with the SORA_* carrier credentials (JSON);
 *                                                  --shop uses that shop's own keys first
 *   sora policies check FILE                      validate a return-policy file (YAML/JSON)
 *   sora policies match FILE --country CC [--category C] [--sku S] [--reason R] [--lang L]
 *   sora customs check FILE                       validate a customs-delays file
 *   sora coupons import|generate|list|enable|disable --shop ID   coupon pool for the silence nudge
 *   sora buyers export|forget --shop ID --buyer ID [--channel C]   a buyer's data (GDPR/PDPA): JSON, or erase
 *   sora operators token create --name N | list | revoke ID   operator API credentials (token shown once)
 *   sora shops create|update|list …                shops: languages, time zone, business hours, SLA, return policy
 *   sora agents add|list|update|disable|enable|password|link|token …   the desk's agents (links and tokens shown once)
 *   sora tickets list|show …                     the desk's tickets (README "Seller's desk → Tickets")
 *   sora secrets status|migrate|rotate-key         the master key sealing stored secrets (README "Secrets at rest")
 *   sora usage --shop ID --month YYYY-MM [--json|--csv]   billable conversations and the billing estimate
 *   sora demo seed-month [--shop demo] [--days 30] | clear-month [--shop demo]   the synthetic demo month (docs/insights.md)
 * One module per command group in scripts/cli/; this file only dispatches.
 * The kb, orders, coupons, buyers, operators, shops and agents commands use MONGODB_URI (default: the embedded stack's mongodb://127.0.0.1:27017/sora).
 */
import { fail } from './cli/support.js';

interface CommandGroup {
  run(args: string[], cmd: string): Promise<void>;
}

/** One module per command group (scripts/cli/), loaded only when its command runs. */
const GROUPS = new Map<string, () => Promise<CommandGroup>>([
  ['eval', () => import('./cli/eval.js')],
  ['dataset', () => import('./cli/eval.js')],
  ['kb', () => import('./cli/kb.js')],
  ['import-worker', () => import('./cli/import-worker.js')],
  ['worker', () => import('./cli/worker.js')],
  ['orders', () => import('./cli/orders.js')],
  ['carriers', () => import('./cli/carriers.js')],
  ['track', () => import('./cli/track.js')],
  ['policies', () => import('./cli/policies.js')],
  ['customs', () => import('./cli/policies.js')],
  ['coupons', () => import('./cli/coupons.js')],
  ['shops', () => import('./cli/shops.js')],
  ['buyers', () => import('./cli/buyers.js')],
  ['operators', () => import('./cli/operators.js')],
  ['agents', () => import('./cli/agents.js')],
  ['tickets', () => import('./cli/tickets.js')],
  ['secrets', () => import('./cli/secrets.js')],
  ['usage', () => import('./cli/usage.js')],
  ['demo', () => import('./cli/demo.js')],
]);

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'start') {
    await import('./start.js');
    return;
  }
  const load = cmd ? GROUPS.get(cmd) : undefined;
  if (!cmd || !load) fail(cmd ? `unknown command "${cmd}"` : 'no command');
  await (await load()).run(rest, cmd);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`sora: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
