/**
 * All activities of the conversation workflow, grouped by capability. The worker builds them with
 * their dependencies; the workflow imports only the types.
 */
import type { Translator } from '../infra/translation/index.js';
import type { ChannelRegistry } from '../infra/channel-contract.js';
import { makeLookupBuyerFacts } from './commerce/buyer-facts.js';
import type { OrderSource } from './commerce/orders/source.js';
import { fxRates } from './commerce/orders/fx.js';
import { tiktokOrderSource } from './commerce/orders/tiktok-source.js';
import { lazadaOrderSource } from './commerce/orders/lazada-source.js';
import { shopifyOrderSource } from './commerce/orders/shopify-source.js';
import { makeAnswerReturnQuestion } from './commerce/returns/index.js';
import { makeAnswerCustomsHold } from './logistics/tracking-replies.js';
import { makeClaimNudgeCoupon } from './coupons/claim.js';
import type { CouponSettings } from './coupons/settings.js';
import { makeNotifyOperators } from './conversations/notify-operators.js';
import { lastHandledInboundSeq, makeRecordConversation, storeNpsAnswer } from './conversations/records.js';
import { escalateHandoff, routeHandoff } from './conversations/route-handoff.js';
import { makeSendToBuyer, sendQueueFor } from './messaging/send.js';
import { makeRenderReply } from './messaging/render.js';
import { loadShopProfile } from './conversations/shop-profile.js';
import { makeUnderstand } from './understanding/understand.js';
import { sharedEmbedder, type Embedder } from './knowledge/embedder.js';
import { KbIndex } from './knowledge/kb-index.js';
import { sharedLanguageAlignment } from './knowledge/language-alignment.js';
import { profileFor } from './knowledge/embedding-models.js';
import { log as infraLog } from '../infra/log.js';
import { makeTrackParcel } from './logistics/activity.js';
import type { CarrierCredentials } from './logistics/track.js';
import { listCarrierKeysDue, makeAlertCarrierKeyExpiry } from './logistics/carrier-key-alerts.js';
import { makeStartCarrierKeyWatches } from './logistics/carrier-key-watches.js';
import { makeOpenTicket } from './tickets/open-ticket.js';
import { makeTicketStep } from './tickets/ticket-steps.js';
import type { Client } from '@temporalio/client';
import { defaultConfig, type Config } from '../infra/config/index.js';
import { sharedSecretBox, type SecretBox } from '../infra/secrets/index.js';

export type { Understanding } from './understanding/understand.js';
export type { OutboundContent } from './messaging/compose.js';
export type { DecidedMessage, RenderRequest } from './messaging/render.js';
export type { OrderFact, BuyerFacts } from './commerce/buyer-facts.js';
export type { SystemMessageKind } from './catalog/system-messages.js';
export type { ClaimCouponInput, ClaimCouponResult, NudgeCoupon } from './coupons/claim.js';
export type { TrackingResult, TrackingEvent, TrackingStatus } from './logistics/tracking.js';
export type { RouteDecision, RouteHandoffInput } from './conversations/route-handoff.js';
export type { OpenTicketInput, OpenTicketResult } from './tickets/open-ticket.js';
export type { KbImportActivities } from './knowledge/kb-import-activities.js';

export interface ActivityDeps {
  registry: ChannelRegistry;
  /**
   * The configured translation provider (scripts/translation.ts), for test-time pivoting in
   * understanding when config.translation.pivot is set (SORA_UNDERSTAND_PIVOT). Default: none.
   */
  translator?: Translator | null;
  /** The configuration, parsed once at start (the worker passes loadConfig()'s); default: every default. */
  config?: Config;
  /** Default config.alerts.webhookUrl (SORA_ALERT_WEBHOOK_URL). */
  alertWebhookUrl?: string;
  /** Defaults to the process-wide embedder for config.embedding. */
  embedder?: Embedder;
  /** The worker's FAQ indexes (the entry point passes one to warm it at start, kb-warm.ts); default: a new one. */
  kbIndex?: KbIndex;
  /** Carrier API / 17TRACK credentials; default config.carriers.credentials (docs/carriers.md). */
  carrierCredentials?: CarrierCredentials;
  /** Platforms to refresh a buyer's orders from (default: TikTok Shop when config.tiktok is set, Lazada when config.lazada is, Shopify when config.shopify is). */
  orderSources?: OrderSource[];
  /** Coupon pool thresholds; default config.coupons. */
  coupons?: CouponSettings;
  /** Starts the carrier key watch workflows; without one, a client is connected to config.temporal on first use. */
  temporalClient?: Client;
  /** Recorded as `deliveredBy` on the messages this process sends; default its identity (`pid@host`). */
  identity?: string;
  /**
   * Seals and opens the secrets stored in MongoDB (shop carrier keys, TikTok tokens): the entry
   * point's box (infra/secrets, openSecretBox(config.secrets)); default: that of config.secrets.
   */
  secrets?: SecretBox;
}

function orderSources(config: Config, secrets: SecretBox): OrderSource[] {
  const tiktok = tiktokOrderSource(config.tiktok, {
    timeoutMs: config.orders.sync.timeoutMs,
    rates: fxRates(config.orders.fxUsdRates),
    secrets,
  });
  const lazada = lazadaOrderSource(config.lazada, {
    timeoutMs: config.orders.sync.timeoutMs,
    rates: fxRates(config.orders.fxUsdRates),
    secrets,
  });
  const shopify = shopifyOrderSource(config.shopify, { timeoutMs: config.orders.sync.timeoutMs, rates: fxRates(config.orders.fxUsdRates) });
  const sources: Array<OrderSource | null> = [tiktok, lazada, shopify];
  return sources.filter((s): s is OrderSource => s !== null);
}

/** SORA_LANGUAGE_ALIGNMENT with a multilingual model: learned now (in the background), so the first question does not wait. */
function languageAlignment(embedder: Embedder, config: Config) {
  if (!config.understanding.languageAlignment) return null;
  if (profileFor(embedder.model).languages !== 'multilingual') {
    infraLog('warning: SORA_LANGUAGE_ALIGNMENT is for a multilingual model; ignored', { model: embedder.model });
    return null;
  }
  const t0 = Date.now();
  const p = sharedLanguageAlignment(embedder, embedder.cacheDir, (e) =>
    infraLog('warning: language alignment could not be learned; questions are matched unaligned', { error: String(e) }),
  );
  void p.then(
    (a) => a && infraLog('language alignment ready', { languages: a.languages.join(','), fromCache: a.fromCache, ms: Date.now() - t0 }),
  );
  return p;
}

export function createActivities(deps: ActivityDeps) {
  const config = deps.config ?? defaultConfig();
  const secrets = deps.secrets ?? sharedSecretBox(config.secrets);
  const embedder = deps.embedder ?? sharedEmbedder(config.embedding);
  const alertWebhookUrl = deps.alertWebhookUrl ?? config.alerts.webhookUrl;
  const carrierCredentials = deps.carrierCredentials ?? config.carriers.credentials;
  return {
    understand: makeUnderstand(
      embedder,
      deps.kbIndex ?? new KbIndex(embedder, config.understanding),
      config.understanding,
      deps.translator && config.translation.pivot ? { translator: deps.translator, timeoutMs: config.translation.pivot.timeoutMs } : null,
      languageAlignment(embedder, config),
    ),
    lookupBuyerFacts: makeLookupBuyerFacts(deps.orderSources ?? orderSources(config, secrets), config.orders.sync),
    answerReturnQuestion: makeAnswerReturnQuestion(config.returns.policiesDir),
    answerCustomsHold: makeAnswerCustomsHold(config.customs.delaysFile),
    loadShopProfile,
    renderReply: makeRenderReply({ customsDelaysFile: config.customs.delaysFile, policiesDir: config.returns.policiesDir }),
    sendToBuyer: sendActivity(deps, config),
    sendQueueFor,
    recordConversation: makeRecordConversation(config.insights),
    lastHandledInboundSeq,
    storeNpsAnswer,
    notifyOperators: makeNotifyOperators(alertWebhookUrl),
    routeHandoff,
    escalateHandoff,
    claimNudgeCoupon: makeClaimNudgeCoupon(deps.coupons ?? config.coupons, alertWebhookUrl),
    trackParcel: makeTrackParcel(carrierCredentials, undefined, secrets),
    listCarrierKeysDue,
    alertCarrierKeyExpiry: makeAlertCarrierKeyExpiry(alertWebhookUrl),
    startCarrierKeyWatches: makeStartCarrierKeyWatches(deps.temporalClient, config.temporal),
    openTicket: makeOpenTicket(deps.temporalClient, config.temporal),
    ticketStep: makeTicketStep(alertWebhookUrl),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * The activities a process serves on its own task queue: the sends of the channels whose connection
 * lives in it (see scripts/worker.ts, createSendWorker).
 */
export function createSendActivities(deps: ActivityDeps): Pick<Activities, 'sendToBuyer'> {
  return { sendToBuyer: sendActivity(deps, deps.config ?? defaultConfig()) };
}

function sendActivity(deps: ActivityDeps, config: Config) {
  const live = {
    carrierCredentials: deps.carrierCredentials ?? config.carriers.credentials,
    customsDelaysFile: config.customs.delaysFile,
    policiesDir: config.returns.policiesDir,
    secrets: deps.secrets ?? sharedSecretBox(config.secrets),
  };
  return makeSendToBuyer(deps.registry, live, deps.identity);
}
