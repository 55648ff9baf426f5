/**
 * Return/exchange answer messages: the `returns.*` keys of the locale catalogs
 * (`locales/<locale>.json`), formatted with t() by activities/commerce/returns/answer.ts. Written
 * to read naturally but NOT reviewed by native speakers yet: have them checked before relying on
 * them in production.
 */
import {
  CONDITIONS,
  EXEMPTIONS,
  PAYERS,
  REFUND_METHODS,
  type Condition,
  type Exemption,
  type Payer,
  type RefundMethod,
} from '../commerce/returns/rules.js';
import { LOCALES } from './languages.js';
import { messagePattern, type MessageKey } from './t.js';

/** The ICU source of the returns messages of one locale (fields ↔ `returns.<snake_case>` keys). */
export interface ReturnsCatalog {
  intro: string;
  introNoSource: string;
  changeOfMindYes: string;
  changeOfMindNo: string;
  defect: string;
  shipping: string;
  shippingDefectOnly: string;
  exchangeYes: string;
  exchangeNo: string;
  conditions: string;
  refund: string;
  /** `{n, plural, …}`: format with t('returns.business_days', locale, { n }). */
  businessDays: string;
  deadline: string;
  deadlinePassed: string;
  ukVat: string;
  payer: Record<Payer, string>;
  exemption: Record<Exemption, string>;
  condition: Record<Condition, string>;
  refundMethod: Record<RefundMethod, string>;
}

function view(locale: string): ReturnsCatalog {
  const p = (k: MessageKey) => messagePattern(k, locale);
  const map = <T extends string>(prefix: string, ks: readonly T[]) =>
    Object.fromEntries(ks.map((k) => [k, p(`${prefix}.${k}` as MessageKey)])) as Record<T, string>;
  return {
    intro: p('returns.intro'),
    introNoSource: p('returns.intro_no_source'),
    changeOfMindYes: p('returns.change_of_mind_yes'),
    changeOfMindNo: p('returns.change_of_mind_no'),
    defect: p('returns.defect'),
    shipping: p('returns.shipping'),
    shippingDefectOnly: p('returns.shipping_defect_only'),
    exchangeYes: p('returns.exchange_yes'),
    exchangeNo: p('returns.exchange_no'),
    conditions: p('returns.conditions'),
    refund: p('returns.refund'),
    businessDays: p('returns.business_days'),
    deadline: p('returns.deadline'),
    deadlinePassed: p('returns.deadline_passed'),
    ukVat: p('returns.uk_vat'),
    payer: map('returns.payer', PAYERS),
    exemption: map('returns.exemption', EXEMPTIONS),
    condition: map('returns.condition', CONDITIONS),
    refundMethod: map('returns.refund_method', REFUND_METHODS),
  };
}

/**
 * @deprecated Read-only view of the catalogs per locale (ICU sources; `es-419` completed from `es`),
 * kept for code written before t(). New code: `t('returns.…', locale, values)`.
 */
export const RETURNS_CATALOGS: Record<string, ReturnsCatalog> = Object.fromEntries(LOCALES.map((l) => [l, view(l)]));
