/**
 * Dialogue memory (issue 18 item 1; pure and deterministic, run inside the workflow): what the
 * conversation remembers between buyer messages, and when the bot asks for what it needs instead
 * of answering from the FAQ.
 *
 *   "where is my order?"  → no order known: "What is your order number?" (the question is pending)
 *   "1234"                → read as the pending question's order number → the tracking answer
 *
 * With several orders of the buyer and none named, the bot offers them as quick replies (a bare "2"
 * picks the second where they are listed as text); with one, it answers about that one without
 * asking (answer-plan.ts chooseFocus). Entities the buyer gave once (country, SKU, tracking number)
 * fill later turns that lack them.
 */
import type { OrderFact, Understanding } from '../../activities/index.js';
import type { PendingAsk, RememberedSlots } from '../types.js';

/** Histories recorded before dialogue memory replay without it. */
export const DIALOGUE_SLOTS_PATCH = 'dialogue-slots';

/**
 * "Which order do you mean?" answered with a position ("2"): runs patched with it pass the offered
 * orders to `understand`, which reads the position as that order (before, "2" went to the FAQ).
 */
export const DIALOGUE_CHOICE_PATCH = 'dialogue-choice-number';

/** Intents answered with live order data: without an order to look at, the bot asks for one. */
export const ASKS_FOR_ORDER: ReadonlySet<string> = new Set(['logistics_tracking', 'order_status']);

/** A pending question is forgotten after this many buyer messages that did not answer it. */
export const PENDING_TURNS = 2;

/** At most this many of the buyer's orders are offered as quick replies. */
export const MAX_ORDER_CHOICES = 5;

/**
 * The message read in the light of the pending question: an order number, a tracking number or an
 * order card answering "which order?" continues the asked intent (a complaint or a request for a
 * human never does: those rules come first). Anything else leaves the message as understood.
 */
export function resumePending(
  u: Understanding,
  orderRefs: string[],
  pending: PendingAsk | null | undefined,
): { u: Understanding; resumed: boolean } {
  if (!pending || u.complaint || u.humanRequest) return { u, resumed: false };
  const answers = u.orderNumbers.length > 0 || u.trackingNumbers.length > 0 || orderRefs.length > 0;
  // A new question (another intent the FAQ knows) wins over the old one.
  const otherQuestion = u.understood && !ASKS_FOR_ORDER.has(u.intent) && u.intent !== pending.intent;
  if (!answers || otherQuestion) return { u, resumed: false };
  return {
    u: {
      ...u,
      intent: pending.intent,
      faqId: pending.faqId ?? u.faqId,
      understood: true,
      confidence: Math.max(u.confidence, pending.confidence),
    },
    resumed: true,
  };
}

/** Entities the buyer gave in earlier messages fill this one where it has none (the message's own win). */
export function withMemory(u: Understanding, slots: RememberedSlots | undefined): Understanding {
  if (!slots) return u;
  return {
    ...u,
    countries: u.countries.length ? u.countries : slots.country ? [slots.country] : [],
    skus: u.skus.length ? u.skus : slots.sku ? [slots.sku] : [],
  };
}

/** What this message adds to the conversation's memory. */
export function remember(slots: RememberedSlots | undefined, u: Understanding, focusOrder: string | null): RememberedSlots {
  return {
    country: u.countries[0] ?? slots?.country ?? null,
    sku: u.skus[0] ?? slots?.sku ?? null,
    trackingNumber: u.trackingNumbers[0] ?? slots?.trackingNumber ?? null,
    orderNumber: focusOrder ?? slots?.orderNumber ?? null,
  };
}

/**
 * Whether to ask instead of answering: an order question with no order in focus and no tracking
 * number typed. With several orders of the buyer, "which one?" with them as choices (newest first);
 * with none, "what is your order number?".
 */
export function askFor(u: Understanding, orders: OrderFact[], hasFocus: boolean, turn: number): PendingAsk | null {
  if (!u.understood || !ASKS_FOR_ORDER.has(u.intent) || hasFocus || u.trackingNumbers.length > 0) return null;
  const mine = orders.filter((o) => o.linked).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
  const base = { intent: u.intent, faqId: u.faqId, confidence: u.confidence, turn };
  if (mine.length > 1) return { ...base, ask: 'which_order', options: mine.slice(0, MAX_ORDER_CHOICES).map((o) => o.orderNumber) };
  if (mine.length === 0) return { ...base, ask: 'order_number', options: [] };
  return null;
}

/** The pending question still stands after this turn (kept for PENDING_TURNS unanswered messages). */
export function stillPending(pending: PendingAsk | null | undefined, turn: number): PendingAsk | null {
  return pending && turn - pending.turn <= PENDING_TURNS ? pending : null;
}
