/**
 * `sora policies check|match` and `sora customs check`: validate seller config files without a
 * database, and show which return rule applies and why. Returns output instead of printing so tests
 * can call it directly.
 */
import { parseArgs } from 'node:util';
import { LOCALES } from '../../activities/catalog/languages.js';
import { fail } from './support.js';
import { composeReturnAnswer } from '../../activities/commerce/returns/answer.js';
import { loadPolicyFile } from '../../activities/commerce/returns/load.js';
import { resolveReturnPolicy } from '../../activities/commerce/returns/policy.js';
import { RETURN_REASONS, type ReturnReason } from '../../activities/commerce/returns/rules.js';
import { ConfigValidationError } from '../../activities/config/structured-file.js';
import { BUILTIN_CUSTOMS_DELAYS, loadCustomsDelaysFile, mergeCustomsDelays } from '../../activities/logistics/customs-delays.js';

export interface CommandResult {
  code: number;
  stdout?: string;
  stderr?: string;
  usage?: string;
}

export async function run(args: string[], cmd: string): Promise<void> {
  const r = runConfigCommand(cmd, args);
  if (r.usage) fail(r.usage);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

export function runConfigCommand(cmd: string, args: string[]): CommandResult {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      country: { type: 'string' },
      category: { type: 'string' },
      sku: { type: 'string' },
      reason: { type: 'string' },
      lang: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) return { code: 2, usage: `${cmd} ${sub ?? ''} needs a FILE` };
  try {
    if (cmd === 'customs') {
      if (sub !== 'check') return { code: 2, usage: `unknown customs command "${sub ?? ''}"` };
      const overrides = loadCustomsDelaysFile(file);
      const table = mergeCustomsDelays(BUILTIN_CUSTOMS_DELAYS, overrides, file);
      const lines = Object.keys(overrides.delays).map((k) => `  ${k.padEnd(8)} ${table[k]!.typicalHours} h  ${table[k]!.note}`);
      return { code: 0, stdout: `${file}: OK, ${lines.length} override${lines.length === 1 ? '' : 's'}\n${lines.join('\n')}\n` };
    }
    if (sub === 'check') {
      const v = loadPolicyFile(file);
      const markets = Object.keys(v.config.markets ?? {});
      const out = [`${file}: OK (${markets.length} market${markets.length === 1 ? '' : 's'}: ${markets.join(', ') || 'none'})`];
      for (const m of markets) {
        const mk = v.config.markets![m]!;
        const base = resolveReturnPolicy(v.config, { country: m });
        out.push(`  ${m}: rule ${base.rule.id}, ${describe(base.rule)}`);
        for (const c of Object.keys(mk.categories ?? {})) {
          const r = resolveReturnPolicy(v.config, { country: m, category: c }).rule;
          out.push(`    category ${c}: rule ${r.id}, ${describe(r)}`);
        }
        for (const s of Object.keys(mk.skus ?? {})) {
          const r = resolveReturnPolicy(v.config, { country: m, sku: s }).rule;
          out.push(`    sku ${s}: rule ${r.id}, ${describe(r)}`);
        }
      }
      return { code: 0, stdout: `${out.join('\n')}\n`, stderr: v.warnings.map((w) => `warning: ${w}\n`).join('') };
    }
    if (sub === 'match') {
      if (!values.country) return { code: 2, usage: 'policies match needs --country' };
      if (values.reason && !(RETURN_REASONS as readonly string[]).includes(values.reason))
        return { code: 2, usage: `--reason must be one of ${RETURN_REASONS.join(', ')}` };
      const v = loadPolicyFile(file);
      const m = resolveReturnPolicy(v.config, {
        country: values.country,
        category: values.category,
        sku: values.sku,
        reason: values.reason as ReturnReason | undefined,
      });
      const answer = composeReturnAnswer({ match: m, language: values.lang ?? 'en' });
      return {
        code: 0,
        stdout: `rule ${m.rule.id} (${m.market}): ${describe(m.rule)}\n${m.explanation}\n\n${answer.text}\n`,
        ...(answer.languageFallback
          ? { stderr: `warning: no messages in "${values.lang}" (locales: ${LOCALES.join(', ')}); answered in ${answer.language}\n` }
          : {}),
      };
    }
    return { code: 2, usage: `unknown policies command "${sub ?? ''}"` };
  } catch (e) {
    if (e instanceof ConfigValidationError) return { code: 1, stderr: `${e.message}\n` };
    throw e;
  }
}

function describe(r: ReturnType<typeof resolveReturnPolicy>['rule']): string {
  const cm = r.changeOfMind
    ? `${r.windowDays} d change of mind (return postage: ${r.returnShipping.changeOfMind})`
    : `no change of mind (${r.exemption})`;
  return `${cm}, ${r.defectWindowDays} d faulty (postage: ${r.returnShipping.defective}), exchange ${r.exchange ? 'yes' : 'no'}, refund ≤ ${r.refund.withinDays} ${r.refund.dayKind} d, basis ${r.basis}`;
}
