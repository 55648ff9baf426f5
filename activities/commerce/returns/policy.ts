/**
 * The return-policy engine: validate a seller's policy config (with the statutory floors) and
 * resolve the rule for a buyer's country, product category and SKU.
 *
 * Precedence, most specific last (each level only changes the fields it sets):
 *   built-in market default → config `defaults` → `markets.<M>` → `markets.<M>.categories.<c>` → `markets.<M>.skus.<sku>`
 */
import { ConfigValidationError, dotted, zodProblems, type ConfigProblem, type Locate } from '../../config/structured-file.js';
import { eeaStatutoryDefault, GLOBAL_DEFAULT, MARKET_DEFAULTS, TIKTOK_MARKETS } from './market-defaults.js';
import {
  applyPatch,
  checkStatutoryFloor,
  isSellerFault,
  normalizeMarket,
  patchFields,
  policyConfigSchema,
  statutoryFloor,
  type Payer,
  type PolicyConfig,
  type ReturnReason,
  type ReturnRule,
  type RulePatch,
} from './rules.js';

export type PrecedenceLevel = 'builtin' | 'shop-defaults' | 'market' | 'category' | 'sku';

export interface PrecedenceStep {
  level: PrecedenceLevel;
  /** The id the rule has after this step. */
  ruleId: string;
  /** Where the step comes from: a config path, or builtin:<id>. */
  path: string;
  /** Fields this step set (all of them for the built-in step). */
  fields: string[];
}

export interface ReturnPolicyQuery {
  /** Buyer's country (ISO 3166-1 alpha-2; GB and UK are the same market). */
  country: string;
  category?: string | null;
  sku?: string | null;
  reason?: ReturnReason | null;
}

export interface ReturnPolicyMatch {
  market: string;
  rule: ReturnRule;
  /** For the reason asked (change_of_mind when none was given). */
  decision: { reason: ReturnReason; allowed: boolean; windowDays: number; shippingPaidBy: Payer };
  precedence: PrecedenceStep[];
  /** One line per step, most specific first, for operators and logs. */
  explanation: string;
}

/** The built-in rule for a market, before any shop config. */
export function builtinRule(market: string): ReturnRule {
  const m = normalizeMarket(market);
  const known = MARKET_DEFAULTS[m];
  if (known) return known;
  const floor = statutoryFloor(m);
  if (floor) return eeaStatutoryDefault(m, floor.defectWindowDays);
  return GLOBAL_DEFAULT;
}

interface Layer {
  level: PrecedenceLevel;
  path: string[];
  patch: RulePatch;
  autoId: string;
}

function lookup<T>(record: Record<string, T> | undefined, key: string | null | undefined, fold: boolean): [string, T] | null {
  if (!record || !key) return null;
  if (record[key] !== undefined) return [key, record[key]!];
  if (!fold) return null;
  const k = Object.keys(record).find((x) => x.toLowerCase() === key.toLowerCase());
  return k ? [k, record[k]!] : null;
}

function layersFor(config: PolicyConfig | null, market: string, category?: string | null, sku?: string | null): Layer[] {
  const m = market.toLowerCase();
  const layers: Layer[] = [];
  if (!config) return layers;
  if (config.defaults) layers.push({ level: 'shop-defaults', path: ['defaults'], patch: config.defaults, autoId: `${m}-shop` });
  const marketKey = config.markets ? (Object.keys(config.markets).find((k) => normalizeMarket(k) === market) ?? null) : null;
  const mk = marketKey ? config.markets![marketKey]! : undefined;
  if (!mk) return layers;
  const { categories, skus, ...marketPatch } = mk;
  layers.push({ level: 'market', path: ['markets', marketKey!], patch: marketPatch, autoId: `${m}-shop` });
  const cat = lookup(categories, category, true);
  if (cat)
    layers.push({
      level: 'category',
      path: ['markets', marketKey!, 'categories', cat[0]],
      patch: cat[1],
      autoId: `${m}/${cat[0].toLowerCase()}`,
    });
  const s = lookup(skus, sku, true);
  if (s) layers.push({ level: 'sku', path: ['markets', marketKey!, 'skus', s[0]], patch: s[1], autoId: `${m}/sku/${s[0]}` });
  return layers;
}

/** Apply layers; also record, per field, the config path that last set it (for error locations). */
function fold(market: string, layers: Layer[]): { rule: ReturnRule; steps: PrecedenceStep[]; setBy: Map<string, string[]> } {
  let rule = builtinRule(market);
  const steps: PrecedenceStep[] = [{ level: 'builtin', ruleId: rule.id, path: `builtin:${rule.id}`, fields: ['*'] }];
  const setBy = new Map<string, string[]>();
  for (const layer of layers) {
    const fields = patchFields(layer.patch);
    if (fields.length === 0 && !layer.patch.id && !layer.patch.sources) continue;
    rule = applyPatch(rule, layer.patch, layer.patch.id ?? (fields.length ? layer.autoId : rule.id));
    for (const f of fields) setBy.set(f, [...layer.path, ...f.split('.')]);
    steps.push({ level: layer.level, ruleId: rule.id, path: dotted(layer.path), fields });
  }
  return { rule, steps, setBy };
}

function explain(steps: PrecedenceStep[], builtin: ReturnRule): string {
  const lines = [...steps].reverse().map((s, i) => {
    const head = i === 0 ? 'applies' : 'under it';
    if (s.level === 'builtin') {
      const kind = { platform: 'platform policy', statutory: 'statutory minimum', seller: 'placeholder' }[builtin.basis];
      const src = builtin.sources[0]?.title;
      return `${head}: built-in market default ${s.ruleId} (${kind}${src ? `; ${src}` : ''})`;
    }
    return `${head}: ${s.level} rule ${s.ruleId} at ${s.path} sets ${s.fields.join(', ') || '(id/sources only)'}`;
  });
  return lines.join('\n');
}

/** Resolve the rule for a query against an already validated config (null = built-in defaults only). */
export function resolveReturnPolicy(config: PolicyConfig | null, q: ReturnPolicyQuery): ReturnPolicyMatch {
  const market = normalizeMarket(q.country);
  const { rule, steps } = fold(market, layersFor(config, market, q.category, q.sku));
  const reason: ReturnReason = q.reason ?? 'change_of_mind';
  const fault = isSellerFault(reason);
  return {
    market,
    rule,
    decision: {
      reason,
      allowed: fault ? rule.defectWindowDays > 0 : rule.changeOfMind,
      windowDays: fault ? rule.defectWindowDays : rule.changeOfMind ? rule.windowDays : 0,
      shippingPaidBy: fault ? rule.returnShipping.defective : rule.returnShipping.changeOfMind,
    },
    precedence: steps,
    explanation: explain(steps, builtinRule(market)),
  };
}

export interface ValidatedPolicy {
  config: PolicyConfig;
  warnings: string[];
}

/**
 * Validate a parsed config: shape first (zod, strict keys), then every effective rule the file can
 * produce (market, each category, each SKU, and the shop defaults on every built-in market) against
 * the statutory floors. Problems point at the config path that set the offending value.
 */
export function validatePolicyConfig(raw: unknown, opts: { locate?: Locate; file?: string } = {}): ValidatedPolicy {
  const parsed = policyConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigValidationError('return policy config', zodProblems(parsed.error.issues, opts.locate), opts.file);
  const config = parsed.data;
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const report = (path: string[], message: string) => {
    const key = `${dotted(path)}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ path: dotted(path), message, ...opts.locate?.(path) });
  };
  const marketKeys = Object.keys(config.markets ?? {});
  const markets = new Set(marketKeys.map(normalizeMarket));
  if (config.defaults) for (const m of TIKTOK_MARKETS) markets.add(m);
  for (const market of markets) {
    const key = marketKeys.find((k) => normalizeMarket(k) === market);
    const mk = key ? config.markets![key]! : undefined;
    const queries: Array<{ category?: string; sku?: string }> = [{}];
    for (const c of Object.keys(mk?.categories ?? {})) queries.push({ category: c });
    for (const s of Object.keys(mk?.skus ?? {})) queries.push({ sku: s });
    for (const q of queries) {
      const layers = layersFor(config, market, q.category, q.sku);
      const { rule, setBy } = fold(market, layers);
      const where = (field: string) => setBy.get(field) ?? setBy.get(field.split('.')[0]!);
      const mostSpecific = layers.at(-1)?.path;
      for (const p of checkStatutoryFloor(market, rule)) {
        // The layer that caused it; for changeOfMind also consider who set the exemption.
        const path =
          where(p.field) ?? (p.field === 'refund.withinDays' ? where('refund.dayKind') : undefined) ?? where('exemption') ?? mostSpecific;
        if (path) report(path, p.message);
      }
      if (rule.changeOfMind && rule.windowDays === 0) {
        const path = where('windowDays') ?? where('changeOfMind');
        if (path) report(path, 'must be > 0 when change-of-mind returns are accepted (set changeOfMind: false otherwise)');
      }
      if (market === 'MX' && rule.changeOfMind && rule.windowDays < 7 && where('windowDays')) {
        warnings.push(
          `${dotted(where('windowDays')!)}: ${rule.windowDays} days may be shorter than the 5 business days of LFPC art. 56 (Mexico)`,
        );
      }
    }
  }
  if (problems.length) throw new ConfigValidationError('return policy config', problems, opts.file);
  for (const k of marketKeys)
    if (!MARKET_DEFAULTS[normalizeMarket(k)] && !statutoryFloor(k))
      warnings.push(`markets.${k}: no built-in default for this market; unset fields use the global placeholder (${GLOBAL_DEFAULT.id})`);
  return { config, warnings };
}
