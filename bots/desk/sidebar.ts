/**
 * The buyer sidebar of a conversation: GET /desk/api/conversations/:id/buyer → the buyer's orders
 * with their parcels, the last tracking answer the buyer got, the coupons given, earlier
 * conversations and NPS answers. Each parcel shows its carrier and tracking number with a public tracking link and, once the bot
 * has tracked it, its last event (models/parcel-status.ts); `lastTracking` is the newest tracking
 * answer sent to this buyer.
 */
import { ParcelStatusModel } from '../../models/parcel-status.js';
import { Router } from 'express';
import { BuyerModel } from '../../models/buyer.js';
import { ConversationModel } from '../../models/conversation.js';
import { CouponModel } from '../../models/coupon.js';
import { MessageModel } from '../../models/message.js';
import { NpsAnswerModel } from '../../models/nps-answer.js';
import { OrderModel } from '../../models/order.js';
import { conversationOf } from './scope.js';

/** A carrier-independent public tracking page (17TRACK detects the carrier from the number). */
export const trackingLink = (trackingNumber: string) => `https://t.17track.net/en#nums=${encodeURIComponent(trackingNumber)}`;

export function sidebarRoutes(): Router {
  const r = Router();
  r.get('/conversations/:id/buyer', async (req, res) => {
    const c = await conversationOf(req);
    const who = { shopId: c.shopId, channel: c.channel, buyerId: c.buyerId };
    const buyer = await BuyerModel.findOne(who, { language: 1, firstSeenAt: 1, lastSeenAt: 1, messages: 1, platformUserId: 1 }).lean();
    // The buyer's orders, and the order the conversation is about (a buyer may name an order not linked to them yet).
    const orderFilter: Record<string, unknown>[] = [{ shopId: c.shopId, [`buyerIds.${c.channel}`]: c.buyerId }];
    if (c.focusOrder) orderFilter.push({ shopId: c.shopId, orderNumber: c.focusOrder });
    if (buyer?.platformUserId) orderFilter.push({ shopId: c.shopId, platformBuyerId: buyer.platformUserId });
    const [orders, coupons, earlier, nps, lastTracking] = await Promise.all([
      OrderModel.find({ $or: orderFilter }).sort({ placedAt: -1 }).limit(20).lean(),
      CouponModel.find({ shopId: c.shopId, 'boundTo.channel': c.channel, 'boundTo.buyerId': c.buyerId }).limit(20).lean(),
      ConversationModel.find({ ...who, _id: { $ne: c._id } })
        .sort({ openedAt: -1 })
        .limit(20)
        .lean(),
      NpsAnswerModel.find(who).sort({ closedAt: -1 }).limit(20).lean(),
      MessageModel.findOne({ ...who, direction: 'out', source: { $in: ['tracking', 'customs'] } }, { text: 1, createdAt: 1, source: 1 })
        .sort({ _id: -1 })
        .lean(),
    ]);
    const numbers = orders.flatMap((o) => (o.shipments ?? []).map((s) => s.trackingNumber));
    const known = new Map(
      (numbers.length ? await ParcelStatusModel.find({ shopId: c.shopId, trackingNumber: { $in: numbers } }).lean() : []).map((p) => [
        p.trackingNumber,
        p,
      ]),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      buyer: {
        id: c.buyerId,
        channel: c.channel,
        shopId: c.shopId,
        language: buyer?.language ?? c.language ?? null,
        country: c.country ?? null,
        firstSeenAt: buyer?.firstSeenAt ?? null,
        lastSeenAt: buyer?.lastSeenAt ?? null,
        messages: buyer?.messages ?? 0,
      },
      focusOrder: c.focusOrder ?? null,
      orders: orders.map((o) => ({
        orderNumber: o.orderNumber,
        status: o.status,
        placedAt: o.placedAt,
        total: o.total ?? null,
        currency: o.currency ?? 'USD',
        totalUsd: o.totalUsd,
        country: o.country ?? null,
        items: (o.items ?? []).map((i) => ({ sku: i.sku, name: i.name ?? null, quantity: i.quantity, price: i.price })),
        parcels: (o.shipments ?? []).map((s) => ({
          carrier: s.carrier ?? null,
          trackingNumber: s.trackingNumber,
          trackingLink: trackingLink(s.trackingNumber),
          // The last tracked state (models/parcel-status.ts), when the bot has tracked it.
          status: known.get(s.trackingNumber)?.status ?? null,
          lastEvent: known.get(s.trackingNumber)?.lastEvent ?? null,
          checkedAt: known.get(s.trackingNumber)?.checkedAt ?? null,
        })),
      })),
      lastTracking: lastTracking ? { text: lastTracking.text, at: lastTracking.createdAt, source: lastTracking.source } : null,
      coupons: coupons.map((k) => ({
        code: k.code,
        discount: k.discount,
        expiresAt: k.expiresAt ?? null,
        givenAt: k.boundTo?.at ?? null,
      })),
      conversations: earlier.map((e) => ({
        key: String(e._id),
        openedAt: e.openedAt,
        closedAt: e.closedAt ?? null,
        status: e.status,
        intent: e.intent ?? null,
        closeReason: e.closeReason ?? null,
        resolved: e.resolved ?? null,
        npsScore: e.npsScore ?? null,
      })),
      nps: nps.map((n) => ({ score: n.score, text: n.text, language: n.language ?? null, closedAt: n.closedAt })),
    });
  });
  return r;
}
