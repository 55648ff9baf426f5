/**
 * Return / exchange rules: the shape of one rule, the shape of a seller's partial override, and
 * the statutory floors that no override may go below (UK and EU/EEA distance-selling law).
 * Pure: no I/O.
 */
import { z } from 'zod';

export const PAYERS = ['buyer', 'seller', 'platform'] as const;
export type Payer = (typeof PAYERS)[number];

/** Why the buyer returns. Everything but change_of_mind is the seller's side (faulty / wrong / not as described). */
export const RETURN_REASONS = ['change_of_mind', 'defective', 'not_as_described', 'wrong_item', 'damaged_in_transit'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];
export const isSellerFault = (r: ReturnReason) => r !== 'change_of_mind';

export const CONDITIONS = [
  'unused',
  'original_packaging',
  'tags_attached',
  'hygiene_seal_intact',
  'all_accessories',
  'proof_of_purchase',
] as const;
export type Condition = (typeof CONDITIONS)[number];

/**
 * Why change-of-mind returns are not accepted. The first four are the statutory exceptions of UK
 * CCR 2013 reg. 28 / EU Directive 2011/83 art. 16 and are the only ones allowed in the UK and EEA.
 */
export const EXEMPTIONS = ['personalised', 'perishable', 'sealed_hygiene', 'sealed_media', 'final_sale', 'platform_rule'] as const;
export type Exemption = (typeof EXEMPTIONS)[number];
export const STATUTORY_EXEMPTIONS: readonly Exemption[] = ['personalised', 'perishable', 'sealed_hygiene', 'sealed_media'];

export const REFUND_METHODS = ['original_payment', 'store_credit', 'bank_transfer', 'e_wallet'] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

export const BASES = ['platform', 'statutory', 'seller'] as const;
/** Where a rule's numbers come from: the platform's published policy, the law's minimum, or the seller. */
export type Basis = (typeof BASES)[number];

export interface Source {
  title: string;
  url: string;
}

export interface ReturnRule {
  /** Stable id quoted to buyers and operators, e.g. uk-default, uk/apparel. */
  id: string;
  /** Change-of-mind window in calendar days, counted from windowStartsAt. 0 when changeOfMind is false. */
  windowDays: number;
  windowStartsAt: 'delivery';
  /** Returns accepted for a change of mind at all. */
  changeOfMind: boolean;
  /** Why change-of-mind returns are refused (required in the UK/EEA when changeOfMind is false). */
  exemption: Exemption | null;
  /** Window for faulty / not-as-described / wrong items, calendar days from delivery. */
  defectWindowDays: number;
  /** Exchange (or replacement) offered instead of a refund. */
  exchange: boolean;
  returnShipping: { changeOfMind: Payer; defective: Payer };
  conditions: Condition[];
  refund: { method: RefundMethod; withinDays: number; dayKind: 'calendar' | 'business' };
  basis: Basis;
  /** Pages the rule is based on (platform policy, law), most specific first. */
  sources: Source[];
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// The config file: partial rules at three levels (market, category, SKU), each strict so that a
// typo ("windowDay") is an error with its path, not a silently ignored key.

const days = z.number({ invalid_type_error: 'must be a number of days' }).int('must be a whole number of days').min(0, 'must be ≥ 0');
const sourceSchema = z.object({ title: z.string().min(1), url: z.string().url('must be a URL') }).strict();

export const rulePatchSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9/_.-]{0,63}$/, 'may only contain a-z 0-9 / _ . - (max 64)')
      .optional(),
    windowDays: days.optional(),
    windowStartsAt: z.enum(['delivery']).optional(),
    changeOfMind: z.boolean().optional(),
    exemption: z.enum(EXEMPTIONS).nullable().optional(),
    defectWindowDays: days.optional(),
    exchange: z.boolean().optional(),
    returnShipping: z
      .object({ changeOfMind: z.enum(PAYERS).optional(), defective: z.enum(PAYERS).optional() })
      .strict()
      .optional(),
    conditions: z.array(z.enum(CONDITIONS)).optional(),
    refund: z
      .object({
        method: z.enum(REFUND_METHODS).optional(),
        withinDays: days.optional(),
        dayKind: z.enum(['calendar', 'business']).optional(),
      })
      .strict()
      .optional(),
    /** Pages this override is based on (the seller's own policy page, for example). */
    sources: z.array(sourceSchema).optional(),
    notes: z.array(z.string()).optional(),
  })
  .strict();
export type RulePatch = z.infer<typeof rulePatchSchema>;

const keyName = /^[A-Za-z0-9][\w.-]{0,63}$/;
const marketSchema = rulePatchSchema
  .extend({
    categories: z.record(z.string().regex(keyName, 'category names: letters, digits, _ . - (max 64)'), rulePatchSchema).optional(),
    skus: z.record(z.string().regex(keyName, 'SKUs: letters, digits, _ . - (max 64)'), rulePatchSchema).optional(),
  })
  .strict();
export type MarketPatch = z.infer<typeof marketSchema>;

export const policyConfigSchema = z
  .object({
    /** Optional: the shop this file belongs to (checked against the shop it is loaded for). */
    shop: z.string().min(1).optional(),
    /** Applied to every market before the market's own settings. */
    defaults: rulePatchSchema.optional(),
    markets: z
      .record(z.string().regex(/^[A-Z]{2}$/, 'market keys are ISO 3166-1 alpha-2 codes in capitals, e.g. UK, DE'), marketSchema)
      .optional(),
  })
  .strict();
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Statutory floors.

export interface StatutoryFloor {
  /** 'UK' or the EEA country code. */
  region: string;
  label: string;
  windowDays: number;
  refundWithinDays: number;
  defectWindowDays: number;
  defectWindowLaw: string;
  sources: Source[];
}

const EEA = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);

/** Market keys accept the platform's "UK" and the ISO "GB" for the same market. */
export function normalizeMarket(code: string): string {
  const c = code.trim().toUpperCase();
  return c === 'GB' ? 'UK' : c;
}

export const UK_LAW: Source[] = [
  {
    title: 'The Consumer Contracts (Information, Cancellation and Additional Charges) Regulations 2013, regs. 28–34',
    url: 'https://www.legislation.gov.uk/uksi/2013/3134',
  },
  { title: 'Consumer Rights Act 2015, ss. 20–22 (short-term right to reject)', url: 'https://www.legislation.gov.uk/ukpga/2015/15' },
];
export const EU_LAW: Source[] = [
  { title: 'Directive 2011/83/EU on consumer rights, arts. 9–16', url: 'https://eur-lex.europa.eu/eli/dir/2011/83/oj' },
  {
    title: 'Directive (EU) 2019/771 on the sale of goods, art. 10 (legal guarantee)',
    url: 'https://eur-lex.europa.eu/eli/dir/2019/771/oj',
  },
];
export const ES_GUARANTEE: Source = {
  title: 'Real Decreto Legislativo 1/2007 (TRLGDCU) art. 120, as amended by Real Decreto-ley 7/2021: 3-year legal guarantee',
  url: 'https://www.boe.es/buscar/act.php?id=BOE-A-2007-20555',
};

/** The statutory floor for a market, or null where the law sets none that we enforce. */
export function statutoryFloor(market: string): StatutoryFloor | null {
  const m = normalizeMarket(market);
  if (m === 'UK')
    return {
      region: 'UK',
      label: 'UK',
      windowDays: 14,
      refundWithinDays: 14,
      defectWindowDays: 30,
      defectWindowLaw: 'UK short-term right to reject faulty goods, Consumer Rights Act 2015 s. 22',
      sources: UK_LAW,
    };
  if (EEA.has(m))
    return {
      region: m,
      label: 'EU',
      windowDays: 14,
      refundWithinDays: 14,
      defectWindowDays: m === 'ES' ? 1095 : 730,
      defectWindowLaw:
        m === 'ES'
          ? 'Spanish legal guarantee of 3 years, TRLGDCU art. 120'
          : 'EU legal guarantee of 2 years, Directive (EU) 2019/771 art. 10',
      sources: m === 'ES' ? [...EU_LAW, ES_GUARANTEE] : EU_LAW,
    };
  return null;
}

export interface FloorProblem {
  field: keyof ReturnRule | 'refund.withinDays' | 'returnShipping.defective';
  message: string;
}

/** Check an effective rule against its market's statutory floor. */
export function checkStatutoryFloor(market: string, rule: ReturnRule): FloorProblem[] {
  const floor = statutoryFloor(market);
  if (!floor) return [];
  const out: FloorProblem[] = [];
  const who = `${floor.label} statutory minimum for distance sales`;
  if (rule.changeOfMind && rule.windowDays < floor.windowDays) {
    out.push({ field: 'windowDays', message: `must be ≥ ${floor.windowDays} (${who})` });
  }
  if (!rule.changeOfMind && !(rule.exemption && STATUTORY_EXEMPTIONS.includes(rule.exemption))) {
    out.push({
      field: 'changeOfMind',
      message: `may only be false with exemption set to one of ${STATUTORY_EXEMPTIONS.join(', ')} (the ${floor.label} statutory exceptions to the 14-day cancellation right)${rule.exemption ? `; "${rule.exemption}" is not one of them` : ''}`,
    });
  }
  if (rule.refund.dayKind === 'business' ? rule.refund.withinDays > 10 : rule.refund.withinDays > floor.refundWithinDays) {
    out.push({
      field: 'refund.withinDays',
      message: `must be ≤ ${floor.refundWithinDays} calendar days (${floor.label} law: refund within 14 days of getting the goods back or proof of return)`,
    });
  }
  if (rule.returnShipping.defective === 'buyer') {
    out.push({
      field: 'returnShipping.defective',
      message: `must not be buyer (${floor.label} law: the seller bears the cost of returning faulty or misdescribed goods)`,
    });
  }
  if (rule.defectWindowDays < floor.defectWindowDays) {
    out.push({ field: 'defectWindowDays', message: `must be ≥ ${floor.defectWindowDays} (${floor.defectWindowLaw})` });
  }
  return out;
}

/** Apply a partial rule on top of a full one. */
export function applyPatch(base: ReturnRule, patch: RulePatch, id: string): ReturnRule {
  const changeOfMind = patch.changeOfMind ?? base.changeOfMind;
  return {
    id,
    windowDays: patch.windowDays ?? base.windowDays,
    windowStartsAt: patch.windowStartsAt ?? base.windowStartsAt,
    changeOfMind,
    exemption: patch.exemption !== undefined ? patch.exemption : changeOfMind ? null : base.exemption,
    defectWindowDays: patch.defectWindowDays ?? base.defectWindowDays,
    exchange: patch.exchange ?? base.exchange,
    returnShipping: { ...base.returnShipping, ...stripUndefined(patch.returnShipping) },
    conditions: patch.conditions ?? base.conditions,
    refund: { ...base.refund, ...stripUndefined(patch.refund) },
    basis: patchTouchesRule(patch) ? 'seller' : base.basis,
    sources: [...(patch.sources ?? []), ...base.sources],
    notes: [...base.notes, ...(patch.notes ?? [])],
  };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The rule fields a patch sets (for the precedence explanation). */
export function patchFields(patch: RulePatch): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || k === 'id' || k === 'sources' || k === 'notes') continue;
    if (k === 'returnShipping' || k === 'refund') {
      for (const [k2, v2] of Object.entries(v as object)) if (v2 !== undefined) out.push(`${k}.${k2}`);
    } else out.push(k);
  }
  return out;
}

function patchTouchesRule(patch: RulePatch): boolean {
  return patchFields(patch).length > 0;
}
