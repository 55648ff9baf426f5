/**
 * All activities of the conversation workflow, grouped by capability. The worker builds them with
 * their dependencies; the workflow imports only the types.
 */
import type { ChannelRegistry } from '../infra/channel-contract.js';
import { makeLookupBuyerFacts } from './commerce/buyer-facts.js';
import type { OrderSource } from './commerce/orders/source.js';
import { syncSettingsFromEnv } from './commerce/orders/sync.js';
import { tiktokOrderSourceFromEnv } from './commerce/orders/tiktok-source.js';
import { answerReturnQuestion } from './commerce/returns/index.js';
import { answerCustomsHold } from './logistics/tracking-replies.js';
import { makeClaimNudgeCoupon } from './coupons/claim.js';
import { couponSettingsFromEnv, type CouponSettings } from './coupons/settings.js';
import { makeNotifyOperators } from './conversations/notify-operators.js';
import { recordConversation, storeNpsAnswer } from './conversations/records.js';
import { makeSendToBuyer } from './messaging/send.js';
import { renderReply } from './messaging/render.js';
import { loadShopProfile } from './conversations/shop-profile.js';
import { makeUnderstand } from './understanding/understand.js';
import { sharedEmbedder, type Embedder } from './knowledge/embedder.js';
import { KbIndex } from './knowledge/kb-index.js';
import { makeTrackParcel } from './logistics/activity.js';
import type { CarrierCredentials } from './logistics/track.js';
import { listCarrierKeysDue, makeAlertCarrierKeyExpiry } from './logistics/carrier-key-alerts.js';
import { makeStartCarrierKeyWatches } from './logistics/carrier-key-watches.js';
import type { Client } from '@temporalio/client';

export type { Understanding } from './understanding/understand.js';
export type { OutboundContent } from './messaging/compose.js';
export type { DecidedMessage, RenderRequest } from './messaging/render.js';
export type { OrderFact, BuyerFacts } from './commerce/buyer-facts.js';
export type { SystemMessageKind } from './catalog/system-messages.js';
export type { ClaimCouponInput, ClaimCouponResult, NudgeCoupon } from './coupons/claim.js';
export type { TrackingResult, TrackingEvent, TrackingStatus } from './logistics/tracking.js';

export interface ActivityDeps {
  registry: ChannelRegistry;
  alertWebhookUrl?: string;
  /** Defaults to the process-wide embedder (SORA_EMBED_MODEL). */
  embedder?: Embedder;
  /** Carrier API / 17TRACK credentials; defaults to the SORA_* variables (docs/carriers.md). */
  carrierCredentials?: CarrierCredentials;
  /** Platforms to refresh a buyer's orders from (default: TikTok Shop when SORA_TIKTOK_* are set). */
  orderSources?: OrderSource[];
  /** Coupon pool thresholds; defaults to SORA_COUPON_LOW_WATERMARK / SORA_COUPON_MIN_VALIDITY. */
  coupons?: CouponSettings;
  /** Starts the carrier key watch workflows; without one, a client is connected from TEMPORAL_* on first use. */
  temporalClient?: Client;
}

function orderSourcesFromEnv(): OrderSource[] {
  const tiktok = tiktokOrderSourceFromEnv(process.env, { timeoutMs: syncSettingsFromEnv().timeoutMs });
  return tiktok ? [tiktok] : [];
}

export function createActivities(deps: ActivityDeps) {
  const embedder = deps.embedder ?? sharedEmbedder();
  return {
    understand: makeUnderstand(embedder, new KbIndex(embedder)),
    lookupBuyerFacts: makeLookupBuyerFacts(deps.orderSources ?? orderSourcesFromEnv()),
    answerReturnQuestion,
    answerCustomsHold,
    loadShopProfile,
    renderReply,
    sendToBuyer: makeSendToBuyer(deps.registry),
    recordConversation,
    storeNpsAnswer,
    notifyOperators: makeNotifyOperators(deps.alertWebhookUrl),
    claimNudgeCoupon: makeClaimNudgeCoupon(deps.coupons ?? couponSettingsFromEnv(), deps.alertWebhookUrl),
    trackParcel: makeTrackParcel(deps.carrierCredentials),
    listCarrierKeysDue,
    alertCarrierKeyExpiry: makeAlertCarrierKeyExpiry(deps.alertWebhookUrl),
    startCarrierKeyWatches: makeStartCarrierKeyWatches(deps.temporalClient),
  };
}

export type Activities = ReturnType<typeof createActivities>;
