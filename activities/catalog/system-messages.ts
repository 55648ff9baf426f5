/**
 * System messages (handoff, nudge, close, NPS …): the `system.*` keys of the locale catalogs
 * (`locales/<locale>.json`, formatted by t.ts). Keys are the SystemMessageKind the workflow asks
 * for. Placeholders ({code}, {discount}, {until}) are filled by the composer
 * (activities/messaging/compose.ts).
 */
import { t } from './t.js';

export { LANGUAGES, type Language } from './languages.js';

export const SYSTEM_MESSAGE_KINDS = [
  'not_understood',
  'handoff_notice',
  'handoff_still_waiting',
  'handoff_unavailable',
  /** A handoff outside the shop's business hours: when someone will answer ({opens}, the shop's local time; issue 16). */
  'handoff_after_hours',
  'agent_joined',
  'back_to_bot',
  'silence_nudge',
  'silence_nudge_coupon',
  'silence_nudge_coupon_until',
  'closed',
  'nps_question',
  'nps_thanks',
  /** An order's status when it has no parcel to track yet ({order}, {status}: models/order.ts ORDER_STATUSES). */
  'order_status',
  /** The buyer named an order or parcel that is not theirs, or that does not exist (not told apart; issue 14 item 2). */
  'order_not_found',
  /** Dialogue memory (issue 18): an order question with no order known asks for its number. */
  'ask_order_number',
  /** The buyer has several orders and named none: which one (the orders follow as quick replies). */
  'which_order',
] as const;

export type SystemMessageKind = (typeof SYSTEM_MESSAGE_KINDS)[number];

/**
 * The message for a language through the catalog fallback chain (`es-419` → `es` → `en`);
 * `language` is the locale actually used. Placeholders without a value stay as `{name}`.
 * `values` and `shopDefault` are optional: with them the message comes out filled, and an
 * unsupported language falls back to the shop's default before English.
 */
export function systemMessage(
  kind: SystemMessageKind,
  language: string | null | undefined,
  values?: Record<string, string | number | Date>,
  shopDefault?: string | null,
): { text: string; language: string; fallback: boolean } {
  return t(`system.${kind}`, language, values, shopDefault);
}

/** Kinds that ask the buyer something (the silence nudge is armed after them). */
export const QUESTION_KINDS: ReadonlySet<SystemMessageKind> = new Set([
  'not_understood',
  'order_not_found',
  'ask_order_number',
  'which_order',
]);
