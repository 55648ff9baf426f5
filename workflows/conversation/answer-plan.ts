/**
 * What the bot answers, decided from facts (pure, deterministic, run inside the workflow):
 * the order the conversation is about, then the kind of answer — live tracking of every parcel of
 * that order, the return rule of its market and SKU, the FAQ entry, or "tell me more".
 * Activities fetch the facts before (understand, lookupBuyerFacts) and render/deliver after.
 */
import type { BuyerFacts, OrderFact, Understanding } from '../../activities/index.js';
import type { ConversationState, FocusOrder } from '../types.js';

/** Intents whose answer depends on the buyer's order (so the buyer's orders are looked up). */
export const ORDER_INTENTS: ReadonlySet<string> = new Set([
  'logistics_tracking',
  'order_status',
  'order_change',
  'refund',
  'returns_exchange',
  'customs_tax',
]);

/** At most this many parcels of one order are tracked for one answer. */
export const MAX_PARCELS = 3;

export type AnswerPlan =
  | { kind: 'track'; parcels: Array<{ trackingNumber: string; carrier: string | null }>; country: string | null }
  | { kind: 'returns'; country: string; sku: string | null }
  /** The order has no parcel yet: say where it stands. */
  | { kind: 'order_status'; orderNumber: string; status: string }
  | { kind: 'faq'; faqId: string }
  /** The buyer asked only about orders or parcels that are not theirs (or unknown): the safe reply, no order data. */
  | { kind: 'order_unavailable' }
  | { kind: 'not_understood' };

/** Whether this message needs the buyer's orders: it names one, sends an order card, or asks about an order. */
export function needsOrderFacts(u: Understanding, orderRefs: string[]): boolean {
  return u.orderNumbers.length > 0 || orderRefs.length > 0 || ORDER_INTENTS.has(u.intent);
}

/**
 * The order-privacy rule in the conversation (patched 'order-privacy'): order numbers and typed
 * tracking numbers that lookupBuyerFacts reported as not this buyer's are dropped from the
 * understanding, so nothing downstream (focus, tracking) can use them; `refuse` is true when the
 * message asked only about such orders or parcels, and the answer is the safe "I can't find that
 * order for you" (the same for an unknown number and another buyer's, so it tells nothing apart).
 */
export function withoutUnavailable(u: Understanding, unavailable: BuyerFacts['unavailable']): { u: Understanding; refuse: boolean } {
  if (!unavailable) return { u, refuse: false };
  const hiddenOrders = new Set(unavailable.orderNumbers);
  const hiddenParcels = new Set(unavailable.trackingNumbers);
  const orderNumbers = u.orderNumbers.filter((n) => !hiddenOrders.has(n));
  const trackingNumbers = u.trackingNumbers.filter((n) => !hiddenParcels.has(n));
  const droppedSome = orderNumbers.length < u.orderNumbers.length || trackingNumbers.length < u.trackingNumbers.length;
  const refuse = droppedSome && orderNumbers.length === 0 && trackingNumbers.length === 0;
  return { u: { ...u, orderNumbers, trackingNumbers }, refuse };
}

function focusOf(o: OrderFact, via: FocusOrder['via']): FocusOrder {
  return { orderNumber: o.orderNumber, totalUsd: o.totalUsd, country: o.country, status: o.status, via };
}

/**
 * The order this message is about: one it names, one it sends as a card, else (for an order
 * question) the conversation's current order, else the buyer's latest order. `changed` is true when
 * this message moved the conversation to a different order (the order-value rule looks only then).
 */
export function chooseFocus(
  u: Understanding,
  orderRefs: string[],
  orders: OrderFact[],
  current: FocusOrder | null | undefined,
  /** Dialogue memory: with several orders of the buyer, a question needing one asks which (slots.ts). */
  o: { askWhich?: ReadonlySet<string> } = {},
): { focus: FocusOrder | null; changed: boolean } {
  const named = u.orderNumbers.map((n) => orders.find((o) => o.orderNumber === n)).find((o) => o !== undefined);
  const card = orderRefs.map((r) => orders.find((o) => o.orderNumber === r || o.externalId === r)).find((o) => o !== undefined);
  let focus: FocusOrder | null = null;
  if (named) focus = focusOf(named, 'named');
  else if (card) focus = focusOf(card, 'card');
  else if (current) return { focus: current, changed: false };
  else if (ORDER_INTENTS.has(u.intent)) {
    const mine = orders.filter((x) => x.linked).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
    const ask = mine.length > 1 && o.askWhich?.has(u.intent);
    if (mine[0] && !ask) focus = focusOf(mine[0], 'buyer_latest');
  }
  return { focus, changed: focus !== null && focus.orderNumber !== current?.orderNumber };
}

/** The answer for an understood (or not) buyer message, given the order in focus. */
export function planAnswer(u: Understanding, focus: OrderFact | null, o: { orderStatus?: boolean } = {}): AnswerPlan {
  // "Has my order shipped?": the stored status answers (dialogue memory; earlier runs used the FAQ).
  if (o.orderStatus && u.understood && u.intent === 'order_status' && focus)
    return { kind: 'order_status', orderNumber: focus.orderNumber, status: focus.status };
  if (u.understood && u.intent === 'logistics_tracking') {
    // A tracking number the buyer typed wins over the order's parcels (it may be another parcel).
    const typed = u.trackingNumbers.filter((n) => !focus?.shipments.some((p) => p.trackingNumber === n));
    const parcels = (typed.length ? typed.map((trackingNumber) => ({ trackingNumber, carrier: null })) : (focus?.shipments ?? [])).slice(
      0,
      MAX_PARCELS,
    );
    if (parcels.length > 0) return { kind: 'track', parcels, country: focus?.country ?? null };
    // No parcel yet: where the order stands. No order known at all: the FAQ entry answers (it may be
    // specific, e.g. "tracking says delivered but I have nothing"); with dialogue memory the workflow asked for the number before (slots.ts).
    if (focus) return { kind: 'order_status', orderNumber: focus.orderNumber, status: focus.status };
  }
  if (u.understood && u.intent === 'returns_exchange') {
    const country = u.countries[0] ?? focus?.country ?? null;
    const skus = focus ? [...new Set(focus.skus)] : [];
    if (country) return { kind: 'returns', country, sku: u.skus[0] ?? (skus.length === 1 ? skus[0]! : null) };
  }
  return fallbackPlan(u);
}

/** The FAQ answer (or "tell me more"): what the bot says when live data is missing or failed. */
export function fallbackPlan(u: Understanding): AnswerPlan {
  if (u.understood && u.faqId) return { kind: 'faq', faqId: u.faqId };
  return { kind: 'not_understood' };
}

/** The locale replies use: the buyer's language, Latin-American Spanish where the shop serves it. */
export function replyLocale(language: string | null, st: Pick<ConversationState, 'profile'>): string {
  const lang = language ?? st.profile?.defaultLanguage ?? 'en';
  return lang === 'es' && st.profile?.spanishVariant === 'es-419' ? 'es-419' : lang;
}
