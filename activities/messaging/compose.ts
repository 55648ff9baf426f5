/** Turn what the workflow wants to say into text in the buyer's language. */
import { liveAnswer, type LiveAnswerSettings } from './live-answers.js';
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';
import { fill } from '../catalog/format.js';
import { QUESTION_KINDS, systemMessage, type SystemMessageKind } from '../catalog/system-messages.js';
import type { NudgeCoupon } from '../coupons/claim.js';
import { formatDiscount, formatExpiry } from '../coupons/fields.js';
import type { Understanding } from '../understanding/understand.js';

export type OutboundContent =
  | { kind: 'answer'; understanding: Understanding }
  | { kind: 'system'; message: SystemMessageKind }
  /** The silence nudge carrying a coupon bound to this buyer (activities/coupons/claim.ts). */
  | { kind: 'coupon_nudge'; coupon: NudgeCoupon }
  | { kind: 'agent'; agentId: string; text: string };

export interface Composed {
  text: string;
  quickReplies: string[];
  author: 'bot' | 'agent' | 'system';
  agentId: string | null;
  language: string;
  /** True when no text existed in the buyer's language and the shop's default was used. */
  languageFallback: boolean;
  asksQuestion: boolean;
}

const ASKS = /[?？؟]\s*$/u;

export async function compose(
  shopId: string,
  content: OutboundContent,
  language: string | null,
  settings: LiveAnswerSettings = {},
): Promise<Composed> {
  const shop = content.kind === 'agent' ? null : await ShopModel.findOne({ shopId }, { defaultLanguage: 1, spanishVariant: 1 }).lean();
  // A shop serving Latin America answers Spanish-speaking buyers in es-419 where text exists.
  const lang =
    (language ?? shop?.defaultLanguage ?? 'en') === 'es' && shop?.spanishVariant === 'es-419'
      ? 'es-419'
      : (language ?? shop?.defaultLanguage ?? 'en');
  if (content.kind === 'agent') {
    return {
      text: content.text,
      quickReplies: [],
      author: 'agent',
      agentId: content.agentId,
      language: lang,
      languageFallback: false,
      asksQuestion: false,
    };
  }
  if (content.kind === 'answer' && content.understanding.understood) {
    const live = await liveAnswer(shopId, content.understanding, lang, settings);
    if (live)
      return {
        text: live.text,
        quickReplies: [],
        author: 'bot',
        agentId: null,
        language: live.language,
        languageFallback: live.language !== lang && live.language !== lang.split('-')[0],
        asksQuestion: ASKS.test(live.text),
      };
  }
  if (content.kind === 'answer' && content.understanding.faqId) {
    const entry = await FaqEntryModel.findOne({ shopId, questionId: content.understanding.faqId }).lean();
    if (entry) {
      const answers = entry.answers as unknown as Record<string, string>;
      const fallbackLang = shop?.defaultLanguage ?? 'en';
      const base = lang.split('-')[0]!;
      const chosen = answers[lang] ? lang : answers[base] ? base : answers[fallbackLang] ? fallbackLang : Object.keys(answers)[0]!;
      const text = answers[chosen]!;
      return {
        text,
        quickReplies: [],
        author: 'bot',
        agentId: null,
        language: chosen,
        languageFallback: chosen !== lang && chosen !== base,
        asksQuestion: ASKS.test(text),
      };
    }
  }
  if (content.kind === 'coupon_nudge') {
    const c = content.coupon;
    const msg = systemMessage(c.expiresAt ? 'silence_nudge_coupon_until' : 'silence_nudge_coupon', lang);
    const text = fill(msg.text, {
      code: c.code,
      discount: formatDiscount(c, msg.language),
      ...(c.expiresAt ? { until: formatExpiry(new Date(c.expiresAt), msg.language) } : {}),
    });
    return {
      text,
      quickReplies: [],
      author: 'system',
      agentId: null,
      language: msg.language,
      languageFallback: msg.language !== lang && msg.language !== lang.split('-')[0],
      asksQuestion: false,
    };
  }
  const kind: SystemMessageKind = content.kind === 'system' ? content.message : 'not_understood';
  const msg = systemMessage(kind, lang);
  return {
    text: msg.text,
    quickReplies: [],
    author: content.kind === 'answer' ? 'bot' : 'system',
    agentId: null,
    language: msg.language,
    languageFallback: msg.language !== lang && msg.language !== lang.split('-')[0],
    asksQuestion: QUESTION_KINDS.has(kind) || ASKS.test(msg.text),
  };
}
