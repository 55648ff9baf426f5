/**
 * LEGACY (v1 conversations only): turn what a v1 workflow wanted to say into text, inside the send
 * activity. Core v2 workflows decide the text themselves (renderReply) and the send activity only
 * delivers it; this stays for runs started before core v2 until none is left open
 * (workflows/legacy/conversation-v1.ts).
 */
import { buyerCountry, buyerLocale } from '../catalog/buyer-country.js';
import { liveAnswer, type LiveAnswerSettings } from './live-answers.js';
import { ShopModel } from '../../models/shop.js';
import type { SystemMessageKind } from '../catalog/system-messages.js';
import type { NudgeCoupon } from '../coupons/claim.js';
import type { Understanding } from '../understanding/understand.js';
import { decided, renderCouponNudge, renderFaq, renderSystem, type DecidedMessage } from './render.js';

export type OutboundContent =
  | { kind: 'answer'; understanding: Understanding }
  | { kind: 'system'; message: SystemMessageKind }
  /** The silence nudge carrying a coupon bound to this buyer (activities/coupons/claim.ts). */
  | { kind: 'coupon_nudge'; coupon: NudgeCoupon }
  | { kind: 'agent'; agentId: string; text: string };

export async function compose(
  shopId: string,
  content: OutboundContent,
  language: string | null,
  settings: LiveAnswerSettings = {},
): Promise<DecidedMessage> {
  const shop = content.kind === 'agent' ? null : await ShopModel.findOne({ shopId }, { defaultLanguage: 1, spanishVariant: 1 }).lean();
  // A shop serving Latin America answers Spanish-speaking buyers in es-419 where text exists.
  const base = language ?? shop?.defaultLanguage ?? 'en';
  const shopLocale = base === 'es' && shop?.spanishVariant === 'es-419' ? 'es-419' : base;
  // …and a buyer whose phone number is Mexican, Colombian, Argentinian… in their own variant.
  const locale = buyerLocale(shopLocale, buyerCountry(settings.buyer));
  const ctx = { locale, requestedLanguage: language, defaultLanguage: shop?.defaultLanguage ?? 'en' };
  if (content.kind === 'agent')
    return decided(content.text, locale, ctx, 'agent', { author: 'agent', agentId: content.agentId, asksQuestion: false });
  if (content.kind === 'answer' && content.understanding.understood) {
    const live = await liveAnswer(shopId, content.understanding, locale, settings);
    if (live) return decided(live.text, live.language, ctx, live.source);
  }
  if (content.kind === 'answer' && content.understanding.faqId) {
    const faq = await renderFaq(shopId, content.understanding.faqId, ctx);
    if (faq) return faq;
  }
  if (content.kind === 'coupon_nudge') return renderCouponNudge(content.coupon, ctx);
  if (content.kind === 'system') return renderSystem(content.message, ctx);
  return renderSystem('not_understood', ctx, 'bot');
}
