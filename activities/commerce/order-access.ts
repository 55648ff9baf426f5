/**
 * Which orders a buyer may hear about (issue 14 item 2): the one rule, used by lookupBuyerFacts.
 *
 * An order is this buyer's when
 *   - its `buyerIds[channel]` is the buyer's id on the channel they write from (web chat id, WhatsApp
 *     number or LID, Telegram chat, TikTok IM id…: set by `sora orders import` buyer columns and by
 *     the platform syncs), or
 *   - the buyer writes on TikTok and the order's `platformBuyerId` (TikTok `user_id`) is the user id
 *     the sync found for this buyer (`buyers.platformUserId`).
 * Also answered, though not "linked": the demo shop's sample orders (`source: 'demo'`, fabricated,
 * nobody's data), and an order the platform itself put in the message as an order card (TikTok only
 * lets a buyer share cards of their own orders; `orderRefs` come only from the platform's signed
 * webhook, never from text).
 * Every other order (another buyer's, or one linked to nobody) is not this buyer's.
 */

export interface OrderOwnership {
  buyerIds?: Map<string, string> | Record<string, string> | null;
  platformBuyerId?: string | null;
  source?: string | null;
}

export interface AskingBuyer {
  channel: string;
  buyerId: string;
  /** The platform user id the sync found for this buyer (TikTok), if any. */
  platformUserId?: string | null;
}

function idOn(ids: OrderOwnership['buyerIds'], channel: string): string | undefined {
  if (!ids) return undefined;
  return ids instanceof Map ? ids.get(channel) : ids[channel];
}

/** The order is linked to this buyer (their own order). */
export function isLinkedTo(order: OrderOwnership, buyer: AskingBuyer): boolean {
  if (idOn(order.buyerIds, buyer.channel) === buyer.buyerId) return true;
  return buyer.channel === 'tiktok' && !!order.platformBuyerId && order.platformBuyerId === buyer.platformUserId;
}

/** The bot may answer this buyer with the order's data (status, parcels, tracking, customs). */
export function mayDisclose(order: OrderOwnership, buyer: AskingBuyer, o: { viaOrderCard?: boolean } = {}): boolean {
  return isLinkedTo(order, buyer) || order.source === 'demo' || o.viaOrderCard === true;
}
