/**
 * The `renderReply` activity: the text of what the workflow decided to say, in the reply locale.
 * Its result is the decided message, recorded in the workflow history; the send activity delivers
 * exactly that text (activities/messaging/send.ts). Rendering reads the FAQ entry, the catalogs and
 * (for a customs hold) the shop's delay table; it never calls a carrier — tracking results come in
 * as facts the workflow got from `trackParcel`.
 */
import { faqAnswers } from '../knowledge/kb-version.js';
import { QUESTION_KINDS, systemMessage, type SystemMessageKind } from '../catalog/system-messages.js';
import type { NudgeCoupon } from '../coupons/claim.js';
import { formatDiscount, formatExpiry } from '../coupons/fields.js';
import { intlLocale } from '../catalog/format.js';
import { buyerCountry, buyerLocale, type BuyerRef } from '../catalog/buyer-country.js';
import { supportedChain } from '../catalog/languages.js';
import { carrierById } from '../logistics/carriers.js';
import { makeAnswerCustomsHold, trackingStatusReply, withAggregatorNote, type Reply } from '../logistics/tracking-replies.js';
import type { TrackingResult } from '../logistics/tracking.js';
import { makeAnswerReturnQuestion } from '../commerce/returns/index.js';
import { log } from '../../infra/log.js';

/** What the workflow decided to say; the send activity records and delivers it unchanged. */
export interface DecidedMessage {
  text: string;
  quickReplies: string[];
  author: 'bot' | 'agent' | 'system';
  agentId: string | null;
  /** The language of the text. */
  language: string;
  /** The language the buyer wrote in (null before the first message). */
  requestedLanguage: string | null;
  /** True when no text existed in the reply locale and another language was used. */
  languageFallback: boolean;
  asksQuestion: boolean;
  /** Where the content came from, for logs and reports. */
  source: 'faq' | 'tracking' | 'customs' | 'return_policy' | 'order_status' | 'system' | 'coupon' | 'agent';
  /** FAQ answers: the matched entry and the match's confidence (recorded for the desk; optional, replay-safe). */
  faqEntryId?: string;
  confidence?: number;
}

export type RenderRequest =
  | { kind: 'faq'; faqId: string }
  | { kind: 'system'; message: SystemMessageKind }
  /** The status of the order in focus when it has no parcel to track yet. */
  | { kind: 'order_status'; orderNumber: string; status: string }
  | { kind: 'coupon_nudge'; coupon: NudgeCoupon }
  /** A handoff outside business hours: when the shop opens next (ISO), said in its time zone. */
  | { kind: 'after_hours'; opensAt: string; timeZone: string }
  /** Newest event of each parcel; a customs hold gets the customs-aware reply for the destination. */
  | { kind: 'tracking'; parcels: TrackingResult[]; country: string | null }
  /** The shop's return rule for the market (and SKU), cited. */
  | { kind: 'returns'; country: string; sku: string | null }
  /** An agent's message, as typed. */
  | { kind: 'agent'; agentId: string; text: string }
  /** Dialogue memory: "what is your order number?", or "which order?" with the buyer's orders as quick replies. */
  | { kind: 'ask_order'; options: string[] };

export interface RenderInput {
  shopId: string;
  /** Reply locale (e.g. `es-419`), chosen by the workflow. */
  locale: string;
  /** The buyer's language as detected (for the record). */
  requestedLanguage: string | null;
  /** The shop's default language: used when an FAQ entry has no answer in the locale. */
  defaultLanguage?: string;
  request: RenderRequest;
  /**
   * Who is answered: a Spanish reply follows the buyer's country (the order's, else the phone
   * number's): `es-MX` (es-419 text) for a Mexican buyer even when the shop's variant is `es`.
   */
  buyer?: BuyerRef | null;
}

const ASKS = /[?？؟]\s*$/u;

/** True when `used` is another language than the locale asked for (`es-419` for `es-MX` is not). */
export function isFallback(used: string, locale: string): boolean {
  return used.split('-')[0] !== locale.split('-')[0];
}

export function decided(
  text: string,
  language: string,
  input: Pick<RenderInput, 'locale' | 'requestedLanguage'>,
  source: DecidedMessage['source'],
  extra: Partial<Pick<DecidedMessage, 'author' | 'agentId' | 'asksQuestion' | 'quickReplies' | 'languageFallback'>> = {},
): DecidedMessage {
  return {
    text,
    quickReplies: extra.quickReplies ?? [],
    author: extra.author ?? (source === 'system' || source === 'coupon' ? 'system' : 'bot'),
    agentId: extra.agentId ?? null,
    language,
    requestedLanguage: input.requestedLanguage,
    languageFallback: extra.languageFallback ?? isFallback(language, input.locale),
    asksQuestion: extra.asksQuestion ?? ASKS.test(text),
    source,
  };
}

type RenderContext = Pick<RenderInput, 'locale' | 'requestedLanguage' | 'defaultLanguage'>;

/** A system message; `author` 'bot' when it stands for the bot's answer ("tell me more"). */
export function renderSystem(
  message: SystemMessageKind,
  input: RenderContext,
  author?: 'bot',
  values?: Record<string, string>,
): DecidedMessage {
  const msg = systemMessage(message, input.locale, values, input.defaultLanguage);
  return decided(msg.text, msg.language, input, 'system', {
    author: author ?? 'system',
    asksQuestion: QUESTION_KINDS.has(message) || ASKS.test(msg.text),
    languageFallback: msg.fallback,
  });
}

export function renderCouponNudge(c: NudgeCoupon, input: RenderContext): DecidedMessage {
  const kind = c.expiresAt ? 'silence_nudge_coupon_until' : 'silence_nudge_coupon';
  const lang = systemMessage(kind, input.locale, undefined, input.defaultLanguage).language;
  const values = {
    code: c.code,
    discount: formatDiscount(c, lang),
    ...(c.expiresAt ? { until: formatExpiry(new Date(c.expiresAt), lang) } : {}),
  };
  const msg = systemMessage(kind, input.locale, values, input.defaultLanguage);
  return decided(msg.text, msg.language, input, 'coupon', { asksQuestion: false, languageFallback: msg.fallback });
}

/** When the shop opens, in the buyer's language and the shop's time zone ("Monday, 7 December, 09:00 GMT+8"). */
export function formatOpening(opensAt: string, timeZone: string, language: string): string {
  const opts: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  const at = new Date(opensAt);
  try {
    return new Intl.DateTimeFormat(intlLocale(language), { ...opts, timeZone }).format(at);
  } catch {
    return new Intl.DateTimeFormat(intlLocale(language), { ...opts, timeZone: 'UTC' }).format(at);
  }
}

export function renderAfterHours(opensAt: string, timeZone: string, input: RenderContext): DecidedMessage {
  const lang = systemMessage('handoff_after_hours', input.locale, undefined, input.defaultLanguage).language;
  return renderSystem('handoff_after_hours', input, undefined, { opens: formatOpening(opensAt, timeZone, lang) });
}

/** The FAQ entry's answer in the locale, its base language, the shop's default, or its first answer. */
export async function renderFaq(
  shopId: string,
  faqId: string,
  input: RenderInput | Pick<RenderInput, 'locale' | 'requestedLanguage' | 'defaultLanguage'>,
) {
  // Cached per KB version in this process (kb-version.ts): no read per message.
  const answers = await faqAnswers(shopId, faqId);
  if (!answers) return null;
  const fallback = input.defaultLanguage ?? 'en';
  // es-MX → es-MX, es-419, es; pt-BR → pt-BR, pt (whichever answer columns the entry has).
  const chain = [...supportedChain(input.locale, (l) => !!answers[l]), ...supportedChain(fallback, (l) => !!answers[l])];
  const chosen = chain[0] ?? Object.keys(answers)[0]!;
  return decided(answers[chosen]!, chosen, input, 'faq');
}

/** What rendering takes from the configuration: the customs delay file and the return policy folder. */
export interface RenderSettings {
  customsDelaysFile?: string;
  policiesDir?: string;
}

type Answerers = {
  answerCustomsHold: ReturnType<typeof makeAnswerCustomsHold>;
  answerReturnQuestion: ReturnType<typeof makeAnswerReturnQuestion>;
};

/** One reply per parcel (newest event), joined; prefixed with the tracking number when there are several. */
async function renderTracking(
  { answerCustomsHold }: Answerers,
  shopId: string,
  parcels: TrackingResult[],
  country: string | null,
  input: RenderInput,
): Promise<DecidedMessage | null> {
  const parts: Array<{ reply: Reply; source: DecidedMessage['source'] }> = [];
  for (const result of parcels) {
    const last = result.events[0];
    if (!last) continue;
    // The carrier's key expired: say where the update comes from (operators see the reason in the log and health).
    const note = <R extends Reply>(r: R): R =>
      result.fallbackCause === 'credentials_expired' ? withAggregatorNote(r, carrierById(result.carrier)?.name ?? result.carrier) : r;
    if (last.status === 'customs_hold') {
      const r = await answerCustomsHold({
        shopId,
        country: country ?? last.location.country ?? null,
        lastEvent: last,
        language: input.locale,
        shopDefault: input.defaultLanguage,
      });
      parts.push({ reply: note(r), source: 'customs' });
    } else
      parts.push({
        reply: note(trackingStatusReply({ event: last, language: input.locale, shopDefault: input.defaultLanguage })),
        source: 'tracking',
      });
  }
  if (parts.length === 0) return null;
  const many = parts.length > 1;
  const text = parts.map((p, i) => (many ? `${parcels[i]!.trackingNumber}: ${p.reply.text}` : p.reply.text)).join('\n');
  const source = parts.some((p) => p.source === 'customs') ? 'customs' : 'tracking';
  const first = parts[0]!.reply;
  return decided(text, first.language, input, source, { languageFallback: first.languageFallback });
}

/**
 * The decided message, or null when live content is not available (no tracking event, no return
 * rule for the market): the workflow then answers from the FAQ.
 */
export function makeRenderReply(settings: RenderSettings = {}) {
  const answerers: Answerers = {
    answerCustomsHold: makeAnswerCustomsHold(settings.customsDelaysFile),
    answerReturnQuestion: makeAnswerReturnQuestion(settings.policiesDir),
  };
  return function renderReply(input: RenderInput): Promise<DecidedMessage | null> {
    return render(answerers, { ...input, locale: buyerLocale(input.locale, buyerCountry(input.buyer)) });
  };
}

async function render({ answerReturnQuestion, ...answerers }: Answerers, input: RenderInput): Promise<DecidedMessage | null> {
  const r = input.request;
  switch (r.kind) {
    case 'agent':
      return decided(r.text, input.locale, input, 'agent', { author: 'agent', agentId: r.agentId, asksQuestion: false });
    case 'returns':
      try {
        const a = await answerReturnQuestion({ shopId: input.shopId, country: r.country, sku: r.sku, language: input.locale });
        log('return-policy answer', { shopId: input.shopId, country: r.country, sku: r.sku, ruleId: a.ruleId });
        return decided(a.text, a.language, input, 'return_policy', { languageFallback: a.languageFallback });
      } catch (e) {
        log('no return rule to answer with; the FAQ answers', { shopId: input.shopId, country: r.country, error: String(e) });
        return null;
      }
    case 'system':
      return renderSystem(r.message, input, r.message === 'not_understood' ? 'bot' : undefined);
    case 'order_status':
      return { ...renderSystem('order_status', input, 'bot', { order: r.orderNumber, status: r.status }), source: 'order_status' };
    case 'ask_order':
      return r.options.length
        ? { ...renderSystem('which_order', input, 'bot'), quickReplies: r.options }
        : renderSystem('ask_order_number', input, 'bot');
    case 'coupon_nudge':
      return renderCouponNudge(r.coupon, input);
    case 'after_hours':
      return renderAfterHours(r.opensAt, r.timeZone, input);
    case 'faq':
      return (await renderFaq(input.shopId, r.faqId, input)) ?? renderSystem('not_understood', input, 'bot');
    case 'tracking':
      return renderTracking({ answerReturnQuestion, ...answerers }, input.shopId, r.parcels, r.country, input);
  }
}
