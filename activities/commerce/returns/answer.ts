/**
 * The buyer-facing answer for a matched return rule, in the buyer's language, citing the rule id
 * and its source. UK answers carry the VAT refund wording (GOV.UK sources in the catalog).
 */
import { RETURNS_CATALOGS } from '../../catalog/returns-messages.js';
import { addDays, countryName, fill, formatDays, formatList, formatLocalDate, pickLanguage } from '../../catalog/format.js';
import type { ReturnPolicyMatch } from './policy.js';
import { isSellerFault } from './rules.js';

export interface ReturnAnswerInput {
  match: Pick<ReturnPolicyMatch, 'market' | 'rule' | 'decision'>;
  language: string | null | undefined;
  /** ISO time the order was delivered (with offset): adds the personal deadline. */
  deliveredAt?: string | null;
  /** For "deadline passed"; defaults to the current time. */
  now?: Date;
}

export interface ReturnAnswer {
  text: string;
  language: string;
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
  const language = pickLanguage(RETURNS_CATALOGS, input.language);
  const c = RETURNS_CATALOGS[language]!;
  const { rule, market, decision } = input.match;
  const source = rule.sources[0];
  const parts: string[] = [];
  const intro = fill(source ? c.intro : c.introNoSource, {
    market: marketLabel(market, language),
    ruleId: rule.id,
    source: source?.title ?? '',
  });
  const cm = rule.changeOfMind
    ? fill(c.changeOfMindYes, { window: formatDays(rule.windowDays, language) })
    : fill(c.changeOfMindNo, { exemption: c.exemption[rule.exemption ?? 'platform_rule'] });
  const defect = rule.defectWindowDays > 0 ? fill(c.defect, { window: formatDays(rule.defectWindowDays, language) }) : null;
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
      ? fill(c.shipping, { changeOfMind: c.payer[rule.returnShipping.changeOfMind], defective: c.payer[rule.returnShipping.defective] })
      : fill(c.shippingDefectOnly, { defective: c.payer[rule.returnShipping.defective] }),
  );
  parts.push(rule.exchange ? c.exchangeYes : c.exchangeNo);
  if (rule.conditions.length)
    parts.push(
      fill(c.conditions, {
        conditions: formatList(
          rule.conditions.map((k) => c.condition[k]),
          language,
        ),
      }),
    );
  const refundDays =
    rule.refund.dayKind === 'business' ? fill(c.businessDays, { n: rule.refund.withinDays }) : formatDays(rule.refund.withinDays, language);
  parts.push(fill(c.refund, { method: c.refundMethod[rule.refund.method], days: refundDays }));
  let deadline: string | null = null;
  if (input.deliveredAt && decision.windowDays > 0) {
    deadline = addDays(input.deliveredAt, decision.windowDays);
    const passed = new Date(deadline).getTime() < (input.now ?? new Date()).getTime();
    parts.push(
      fill(passed && decision.reason === 'change_of_mind' ? c.deadlinePassed : c.deadline, {
        delivered: formatLocalDate(input.deliveredAt, language, { country: market }),
        deadline: formatLocalDate(deadline, language, { country: market }),
      }),
    );
  }
  const ukVat = market === 'UK';
  if (ukVat) parts.push(c.ukVat);
  return {
    text: parts.join(language === 'zh' ? '' : ' '),
    language,
    ruleId: rule.id,
    facts: { windowDays: rule.windowDays, defectWindowDays: rule.defectWindowDays, ukVat, deadline },
  };
}
