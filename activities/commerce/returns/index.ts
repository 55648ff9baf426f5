/** Activity: answer a buyer's return/exchange question from the shop's policy (see docs/returns-and-customs.md). */
import { shopDefaultLanguage } from '../../catalog/shop-language.js';
import { composeReturnAnswer } from './answer.js';
import { matchReturnPolicy } from './load.js';
import type { ReturnReason } from './rules.js';

export interface ReturnQuestion {
  shopId: string;
  country: string;
  category?: string | null;
  sku?: string | null;
  reason?: ReturnReason | null;
  language: string | null;
  deliveredAt?: string | null;
}

/** The activity, with the shops' policy files in `policiesDir` (config.returns.policiesDir; default ./policies). */
export function makeAnswerReturnQuestion(policiesDir?: string) {
  return async function answerReturnQuestion(
    q: ReturnQuestion,
  ): Promise<{ text: string; language: string; languageFallback: boolean; ruleId: string; explanation: string }> {
    const match = await matchReturnPolicy({
      shopId: q.shopId,
      country: q.country,
      category: q.category,
      sku: q.sku,
      reason: q.reason,
      policiesDir,
    });
    const shopDefault = await shopDefaultLanguage(q.shopId, q.language);
    const answer = composeReturnAnswer({ match, language: q.language, shopDefault, deliveredAt: q.deliveredAt });
    return {
      text: answer.text,
      language: answer.language,
      languageFallback: answer.languageFallback,
      ruleId: answer.ruleId,
      explanation: match.explanation,
    };
  };
}

/** answerReturnQuestion with the policy files in ./policies. */
export const answerReturnQuestion = makeAnswerReturnQuestion();
