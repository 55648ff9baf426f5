/**
 * Answers from live data instead of the FAQ text, when the buyer's message has what they need:
 *
 *   - logistics_tracking + an order number (of this shop) or a tracking number → the carrier's own
 *     tracking (activities/logistics: real clients, else 17TRACK), last event with place and date; on a
 *     customs hold, the typical clearance delay for the destination country and the next step; the
 *     shop's own carrier keys first (an expired one → 17TRACK, and the reply says where it comes from);
 *   - returns_exchange + a country (named by the buyer, or the order's) → the shop's return rule for
 *     that market, cited.
 *
 * Anything missing or failing (no shipment, carrier down, no credentials) returns null and the FAQ
 * answer is sent instead; the reason is logged. Runs inside the send activity (I/O), so the workflow
 * and its history are unchanged.
 */
import { log } from '@temporalio/activity';
import { BuyerModel } from '../../models/buyer.js';
import { OrderModel } from '../../models/order.js';
import { mayDisclose, type AskingBuyer, type OrderOwnership } from '../commerce/order-access.js';
import { makeAnswerReturnQuestion } from '../commerce/returns/index.js';
import { carrierById } from '../logistics/carriers.js';
import { credentialsForShop } from '../logistics/carrier-keys.js';
import type { SecretBox } from '../../infra/secrets/index.js';
import { trackParcel, type CarrierCredentials } from '../logistics/track.js';
import { makeAnswerCustomsHold, trackingStatusReply, withAggregatorNote, type Reply } from '../logistics/tracking-replies.js';
import type { Understanding } from '../understanding/understand.js';

export interface LiveAnswer {
  text: string;
  language: string;
  source: 'tracking' | 'customs' | 'return_policy';
}

const safeLog = (msg: string, fields: Record<string, unknown>) => {
  try {
    log.info(msg, fields);
  } catch {
    // outside an activity (tests, CLI)
  }
};

async function orderOf(shopId: string, u: Understanding, buyer?: AskingBuyer) {
  for (const n of u.orderNumbers) {
    const o = await OrderModel.findOne({ shopId, orderNumber: n }).lean();
    if (o && (!buyer || mayDisclose(o as OrderOwnership, buyer))) return o;
  }
  return null;
}

/** A typed tracking number that is a parcel of an order this buyer may not hear about (order privacy). */
async function parcelOfAnother(shopId: string, trackingNumber: string, buyer?: AskingBuyer): Promise<boolean> {
  if (!buyer) return false;
  const orders = await OrderModel.find({ shopId, 'shipments.trackingNumber': trackingNumber }).lean();
  return orders.length > 0 && !orders.some((o) => mayDisclose(o as OrderOwnership, buyer));
}

/** What live answers take from the configuration (passed down by createActivities). */
export interface LiveAnswerSettings {
  /** The worker's carrier credentials (config.carriers.credentials), under a shop's own keys. */
  carrierCredentials?: CarrierCredentials;
  /** config.customs.delaysFile */
  customsDelaysFile?: string;
  /** config.returns.policiesDir */
  policiesDir?: string;
  /**
   * The buyer the answer is for: only their orders are used (activities/commerce/order-access.ts);
   * the send activity passes it for v1 runs. Absent (tools, tests): any order of the shop.
   */
  buyer?: { channel: string; buyerId: string };
  /** Opens a shop's sealed carrier keys (the worker's SecretBox, infra/secrets). */
  secrets?: SecretBox;
}

async function askingBuyer(shopId: string, b: { channel: string; buyerId: string }): Promise<AskingBuyer> {
  if (b.channel !== 'tiktok') return b;
  const rec = await BuyerModel.findOne({ shopId, channel: b.channel, buyerId: b.buyerId }, { platformUserId: 1 }).lean();
  return { ...b, platformUserId: rec?.platformUserId ?? null };
}

export async function liveAnswer(
  shopId: string,
  u: Understanding,
  language: string | null,
  settings: LiveAnswerSettings = {},
): Promise<LiveAnswer | null> {
  const answerCustomsHold = makeAnswerCustomsHold(settings.customsDelaysFile);
  const answerReturnQuestion = makeAnswerReturnQuestion(settings.policiesDir);
  try {
    const buyer = settings.buyer ? await askingBuyer(shopId, settings.buyer) : undefined;
    if (u.intent === 'logistics_tracking') {
      const order = await orderOf(shopId, u, buyer);
      const parcel = order?.shipments?.[0] ?? (u.trackingNumbers[0] ? { trackingNumber: u.trackingNumbers[0], carrier: null } : null);
      if (!parcel) return null;
      if (!order && (await parcelOfAnother(shopId, parcel.trackingNumber, buyer))) return null;
      const result = await trackParcel({
        trackingNumber: parcel.trackingNumber,
        carrierHint: parcel.carrier ?? undefined,
        credentials: await credentialsForShop(shopId, { base: settings.carrierCredentials, secrets: settings.secrets }),
      });
      const last = result.events[0];
      if (!last) return null;
      safeLog('live tracking answer', {
        shopId,
        trackingNumber: parcel.trackingNumber,
        status: last.status,
        source: result.source,
        fallbackReason: result.fallbackReason,
      });
      // The carrier's key expired: say where the update comes from (operators see the reason in the log and health).
      const note = <R extends Reply>(r: R): R =>
        result.fallbackCause === 'credentials_expired' ? withAggregatorNote(r, carrierById(result.carrier)?.name ?? result.carrier) : r;
      if (last.status === 'customs_hold') {
        const r = note(
          await answerCustomsHold({ shopId, country: order?.country ?? last.location.country ?? null, lastEvent: last, language }),
        );
        return { text: r.text, language: r.language, source: 'customs' };
      }
      const r = note(trackingStatusReply({ event: last, language }));
      return { text: r.text, language: r.language, source: 'tracking' };
    }
    if (u.intent === 'returns_exchange') {
      const country = u.countries[0] ?? (await orderOf(shopId, u, buyer))?.country;
      if (!country) return null;
      const r = await answerReturnQuestion({ shopId, country, language });
      safeLog('live return-policy answer', { shopId, country, ruleId: r.ruleId });
      return { text: r.text, language: r.language, source: 'return_policy' };
    }
  } catch (e) {
    safeLog('live answer unavailable, answering from the FAQ', { shopId, intent: u.intent, error: String(e) });
  }
  return null;
}
