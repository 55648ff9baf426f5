/**
 * The buyer-facing answer for a matched return rule, in the buyer's language, citing the rule id
 * and its source. UK answers carry the VAT refund wording (GOV.UK sources in the catalog).
 */
import { addDays, countryName, formatDays, formatList, formatLocalDate } from '../../catalog/format.js';
import { resolveLocale, t, type MessageKey, type MessageValues } from '../../catalog/t.js';
import type { ReturnPolicyMatch } from './policy.js';
import { isSellerFault } from './rules.js';

export interface ReturnAnswerInput {
  match: Pick<ReturnPolicyMatch, 'market' | 'rule' | 'decision'>;
  language: string | null | undefined;
  /** The shop's default language: used before English when the buyer's has no catalog. */
  shopDefault?: string | null;
  /** ISO time the order was delivered (with offset): adds the personal deadline. */
  deliveredAt?: string | null;
  /** For "deadline passed"; defaults to the current time. */
  now?: Date;
}

export interface ReturnAnswer {
  text: string;
  language: string;
  /** True when no text existed in the wanted language (buyer's, else the shop's default) and another was used. */
  languageFallback: boolean;
  ruleId: string;
  /** Facts put into the text, for logs and tests. */
  facts: { windowDays: number; defectWindowDays: number; ukVat: boolean; deadline: string | null };
}

/** Short market name for English ("UK policy"); the country's name in other languages. */
function marketLabel(market: string, language: string): string {
  if (language === 'en' && (market === 'UK' || market === 'US')) return market;
  return countryName(market, language);
}

export function composeReturnAnswer(input: ReturnAnswerInput): ReturnAnswer {
  const { language, fallback } = resolveLocale(input.language, input.shopDefault);
  const msg = (key: MessageKey, values?: MessageValues) => t(key, language, values).text;
  const { rule, market, decision } = input.match;
  const source = rule.sources[0];
  const parts: string[] = [];
  const intro = msg(source ? 'returns.intro' : 'returns.intro_no_source', {
    market: marketLabel(market, language),
    ruleId: rule.id,
    source: source?.title ?? '',
  });
  const cm = rule.changeOfMind
    ? msg('returns.change_of_mind_yes', { window: formatDays(rule.windowDays, language) })
    : msg('returns.change_of_mind_no', { exemption: msg(`returns.exemption.${rule.exemption ?? 'platform_rule'}`) });
  const defect = rule.defectWindowDays > 0 ? msg('returns.defect', { window: formatDays(rule.defectWindowDays, language) }) : null;
  // Lead with what the buyer asked about: a faulty/wrong item, or (by default) a change of mind.
  const sep = language === 'zh' ? '' : ' ';
  if (defect && isSellerFault(decision.reason))
    parts.push(
      `${intro}${sep}${defect.charAt(0).toLocaleLowerCase(language) + defect.slice(1)}`,
      cm.charAt(0).toLocaleUpperCase(language) + cm.slice(1),
    );
  else parts.push(`${intro}${sep}${cm}`, ...(defect ? [defect] : []));
  parts.push(
    rule.changeOfMind
      ? msg('returns.shipping', {
          changeOfMind: msg(`returns.payer.${rule.returnShipping.changeOfMind}`),
          defective: msg(`returns.payer.${rule.returnShipping.defective}`),
        })
      : msg('returns.shipping_defect_only', { defective: msg(`returns.payer.${rule.returnShipping.defective}`) }),
  );
  parts.push(msg(rule.exchange ? 'returns.exchange_yes' : 'returns.exchange_no'));
  if (rule.conditions.length)
    parts.push(
      msg('returns.conditions', {
        conditions: formatList(
          rule.conditions.map((k) => msg(`returns.condition.${k}`)),
          language,
        ),
      }),
    );
  const refundDays =
    rule.refund.dayKind === 'business'
      ? msg('returns.business_days', { n: rule.refund.withinDays })
      : formatDays(rule.refund.withinDays, language);
  parts.push(msg('returns.refund', { method: msg(`returns.refund_method.${rule.refund.method}`), days: refundDays }));
  let deadline: string | null = null;
  if (input.deliveredAt && decision.windowDays > 0) {
    deadline = addDays(input.deliveredAt, decision.windowDays);
    const passed = new Date(deadline).getTime() < (input.now ?? new Date()).getTime();
    parts.push(
      msg(passed && decision.reason === 'change_of_mind' ? 'returns.deadline_passed' : 'returns.deadline', {
        delivered: formatLocalDate(input.deliveredAt, language, { country: market }),
        deadline: formatLocalDate(deadline, language, { country: market }),
      }),
    );
  }
  const ukVat = market === 'UK';
  if (ukVat) parts.push(msg('returns.uk_vat'));
  return {
    text: parts.join(language === 'zh' ? '' : ' '),
    language,
    languageFallback: fallback,
    ruleId: rule.id,
    facts: { windowDays: rule.windowDays, defectWindowDays: rule.defectWindowDays, ukVat, deadline },
  };
}
