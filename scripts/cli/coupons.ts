/**
 * `sora coupons import|generate|list|enable|disable --shop ID`: the shop's coupon pool for the
 * silence nudge. Needs a connected MongoDB (the CLI connects first); returns output instead of
 * printing so tests can call it directly.
 */
import { parseArgs } from 'node:util';
import { err, fail, withCliDatabase } from './support.js';
import { importCoupons } from '../../activities/coupons/import.js';
import { CouponInputError } from '../../activities/coupons/fields.js';
import { generateCoupons } from '../../activities/coupons/generate.js';
import { poolStats, setNudgeCoupons, type PoolStats } from '../../activities/coupons/pool.js';
import type { CommandResult } from './policies.js';

/** An expiry at midnight UTC came from a date: show the last valid day, as the seller wrote it. */
function validity(expiresAt: string): string {
  const t = new Date(expiresAt);
  if (t.getUTCHours() + t.getUTCMinutes() + t.getUTCSeconds() + t.getUTCMilliseconds() === 0)
    return `valid through ${new Date(t.getTime() - 1).toISOString().slice(0, 10)}`;
  return `valid until ${expiresAt}`;
}

function summary(s: PoolStats): string {
  const lines = [
    `shop ${s.shopId}: coupons in the silence nudge ${s.enabled ? 'ENABLED' : 'disabled'}; ${s.available} available, ${s.bound} given to buyers, ${s.expired} expired unused`,
    ...s.byDiscount.map((d) => `  ${d.discount.padEnd(10)} ${d.available} available, ${d.bound} given, ${d.expired} expired`),
  ];
  if (s.rule)
    lines.push(
      `  last generation rule: prefix "${s.rule.prefix}", ${s.rule.length} random characters, ${s.rule.discount}${s.rule.expiresAt ? `, ${validity(s.rule.expiresAt)}` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

export async function run(args: string[]): Promise<void> {
  const r = await withCliDatabase(() => runCouponCommand(args, { progress: (m) => err(`  ${m}`) }));
  if (r.usage) fail(r.usage);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

export async function runCouponCommand(args: string[], o: { progress?: (m: string) => void } = {}): Promise<CommandResult> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        shop: { type: 'string' },
        count: { type: 'string' },
        prefix: { type: 'string' },
        length: { type: 'string' },
        discount: { type: 'string' },
        expires: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (e) {
    return { code: 2, usage: (e as Error).message };
  }
  const { values, positionals } = parsed;
  if (!values.shop) return { code: 2, usage: `coupons ${sub ?? ''} needs --shop ID` };
  const shopId = values.shop;
  try {
    switch (sub) {
      case 'import': {
        const file = positionals[0];
        if (!file) return { code: 2, usage: 'coupons import needs a FILE.csv' };
        const r = await importCoupons(shopId, file, { progress: o.progress });
        return {
          code: 0,
          stdout: `imported ${r.rows} coupons into shop ${shopId}: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.boundKept} already given (kept)\n`,
          stderr: r.warnings.map((w) => `warning: ${w}\n`).join(''),
        };
      }
      case 'generate': {
        if (!values.count || !values.discount) return { code: 2, usage: 'coupons generate needs --count N and --discount' };
        const r = await generateCoupons(shopId, {
          count: Number(values.count),
          prefix: values.prefix ?? '',
          length: values.length === undefined ? undefined : Number(values.length),
          discount: values.discount,
          expires: values.expires,
        });
        return { code: 0, stdout: `generated ${r.created} coupons for shop ${shopId} (batch ${r.batch}), e.g. ${r.sample.join(', ')}\n` };
      }
      case 'list': {
        const s = await poolStats(shopId);
        return { code: 0, stdout: values.json ? `${JSON.stringify(s)}\n` : summary(s) };
      }
      case 'enable':
      case 'disable': {
        const s = await setNudgeCoupons(shopId, sub === 'enable');
        const warn =
          sub === 'enable' && s.available === 0
            ? 'warning: the pool has no available coupon; buyers get the plain nudge until you run `sora coupons import` or `generate`\n'
            : '';
        return { code: 0, stdout: summary(s), stderr: warn };
      }
      default:
        return { code: 2, usage: `unknown coupons command "${sub ?? ''}"` };
    }
  } catch (e) {
    if (e instanceof CouponInputError) return { code: 1, stderr: `${e.message}\n` };
    throw e;
  }
}
