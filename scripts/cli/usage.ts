/**
 * `sora usage --shop ID --month YYYY-MM [--json|--csv]`: the shop's billable conversations of that
 * calendar month (the shop's time zone) and the billing estimate over SORA_BILLING_TIERS
 * (models/usage.ts, docs/insights.md "Metering"). runUsageCommand returns the output so tests can
 * run it in-process.
 */
import { parseArgs } from 'node:util';
import type { BillingPlan } from '../../infra/config/billing-plan.js';
import { MONTH_RE, usageCsv, usageReport } from '../../models/usage.js';
import { translationUsage } from '../../models/translation-usage.js';
import type { CommandResult } from './orders.js';
import { cliConfig, fail, textTable, withCliDatabase } from './support.js';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { shop: { type: 'string' }, month: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' } },
  });
  if (!values.shop) fail('usage needs --shop ID');
  if (!values.month) fail('usage needs --month YYYY-MM (e.g. 2026-11)');
  if (values.json && values.csv) fail('usage: choose one of --json and --csv');
  const plan = cliConfig().billing;
  const r = await withCliDatabase(() =>
    runUsageCommand({ shop: values.shop!, month: values.month!, format: values.json ? 'json' : values.csv ? 'csv' : 'text' }, plan),
  );
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

export async function runUsageCommand(
  o: { shop: string; month: string; format: 'text' | 'json' | 'csv' },
  plan: BillingPlan,
  now = new Date(),
): Promise<CommandResult> {
  if (!MONTH_RE.test(o.month))
    return { code: 2, stdout: '', stderr: `sora: --month "${o.month}" is not a month (YYYY-MM, e.g. 2026-11)\n` };
  const r = await usageReport(o.shop, o.month, plan, now);
  if (!r) return { code: 1, stdout: '', stderr: `sora: no shop "${o.shop}"\n` };
  if (o.format === 'json') return { code: 0, stdout: `${JSON.stringify(r, null, 2)}\n`, stderr: '' };
  if (o.format === 'csv') return { code: 0, stdout: usageCsv(r), stderr: '' };
  const lines = [
    `${r.shopId} ${r.month} (${r.timeZone}, ${r.from} – ${r.to})`,
    `conversations ${r.conversations}: billable ${r.billable}, excluded ${r.excluded.timeouts} timeouts and ${r.excluded.noIntent} with no intent; advanced tracking ${r.advancedTracking}`,
    '',
    textTable(
      ['line', 'conversations', 'count', 'unit price', 'amount'],
      [
        ...r.tiers.map((t) => ['tier', t.to === null ? `${t.from}+` : `${t.from}–${t.to}`, String(t.count), t.unitPrice, t.amount]),
        ['advanced tracking', '', String(r.addOn.count), r.addOn.unitPrice, r.addOn.amount],
      ],
    ).trimEnd(),
    '',
    `total ${r.total} ${r.currency}`,
  ];
  if (r.runningEstimate)
    lines.push(
      `running estimate (month so far at the same pace): ${r.runningEstimate.billable} billable, ${r.runningEstimate.total} ${r.currency}`,
    );
  // Machine translation costs (docs/translation.md "Costs"; counted per UTC month).
  for (const t of await translationUsage(o.shop, o.month))
    lines.push(
      `translation ${t.provider}: ${t.characters} characters billed, ${t.cachedCharacters} from the cache, ${t.requests} requests${
        t.totalTokens ? `, ${t.totalTokens} tokens` : ''
      }`,
    );
  return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
}
