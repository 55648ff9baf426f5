/**
 * TikTok Shop customer service channel (`tiktok`).
 *
 *   POST /webhooks/tiktok            TikTok Shop notifications, signed in the Authorization header
 *                                    (checked on the raw bytes before the body is used); type 14
 *                                    "New message" from a BUYER is a buyer turn, from SHOP /
 *                                    CUSTOMER_SERVICE a seller message (human takeover) unless it is
 *                                    our own send; everything else ignored
 *   GET  /tiktok/oauth/callback      the app's redirect URL: exchanges `code` for tokens, stores them
 *                                    per seller with the shops they cover
 *
 * Replies go into the buyer's conversation (its id is kept in replyTo) through the Partner API
 * (Send Message, customer_service 202309). TikTok has no buttons in this API: quick replies are
 * listed in the text.
 */
import express, { type Request, type Response } from 'express';
import { log as defaultLog } from '../../infra/log.js';
import { BuyerModel } from '../../models/buyer.js';
import { MessageModel } from '../../models/message.js';
import { createTiktokTokenStore } from '../../models/tiktok-token.js';
import { defaultSecretBox, type SecretBox } from '../../infra/secrets/index.js';
import {
  ChannelSendError,
  conversationWorkflowId,
  type ChannelAdapter,
  type ConversationRef,
  type GatewayContext,
  type OutboundMessage,
} from '../channel.js';
import { replyAddress } from '../contacts.js';
import { HttpError } from '../http-errors.js';
import { RecentIds } from '../recent-ids.js';
import type { TiktokConfig } from '../../infra/platforms/tiktok/config.js';
import { PartnerApiClient, PartnerApiError, type PartnerApiOptions } from '../../infra/platforms/tiktok/partner-api.js';
import { checkWebhookSignature } from '../../infra/platforms/tiktok/signing.js';
import { parseNotification, WebhookShapeError, type TiktokMessage } from './webhook.js';

export const CHANNEL_ID = 'tiktok';
/** Send Message: "Max 2000 characters" for TEXT. */
const TEXT_MAX = 2000;

export interface TiktokOptions extends Omit<TiktokConfig, 'ciphers'>, Pick<PartnerApiOptions, 'timeoutMs' | 'refreshMarginMs'> {
  /** Shop ciphers given in SORA_TIKTOK_SHOPS (tiktokShopId → cipher); otherwise looked up with the shop list. */
  ciphers?: Record<string, string>;
  webhookPath?: string;
  /**
   * A shop message arriving while one of our sends into its conversation is still in flight waits
   * this long for the send to settle before the echo check decides (default 3000 ms; see
   * isOwnSend). Still unsettled → 503, TikTok delivers it again.
   */
  echoWaitMs?: number;
  /** Seals the stored seller tokens (the entry point's SecretBox, infra/secrets); default: the default configuration's. */
  secrets?: SecretBox;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * An outbound record whose send may be under way (see isOwnSend): pending and younger than
 * IN_FLIGHT_MS, or failed less than RETRYING_MS ago (an activity retry resends under the same record).
 */
const IN_FLIGHT_MS = 120_000;
const RETRYING_MS = 30_000;

/** What send() needs: the TikTok shop and the conversation to post into. */
export interface TiktokReplyTo extends Record<string, unknown> {
  tiktokShopId: string;
  conversationId: string;
}

/** The text sent for an outbound message: options listed, cut to the API's limit. */
export function tiktokText(msg: OutboundMessage): string {
  const options = (msg.quickReplies ?? []).map((q) => q.trim()).filter(Boolean);
  const full = options.length ? `${msg.text}\n\n${options.map((o, i) => `${i + 1}. ${o}`).join('\n')}` : msg.text;
  const chars = [...full];
  return chars.length <= TEXT_MAX ? full : `${chars.slice(0, TEXT_MAX - 1).join('')}…`;
}

export class TiktokAdapter implements ChannelAdapter {
  readonly id = CHANNEL_ID;
  readonly webhookPath: string;
  readonly api: PartnerApiClient;
  private log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Message ids Send Message returned to this process (see isOwnSend). */
  private readonly ownSends = new RecentIds(5000);

  constructor(private readonly opts: TiktokOptions) {
    this.webhookPath = opts.webhookPath ?? '/webhooks/tiktok';
    this.log = opts.log ?? defaultLog;
    this.api = new PartnerApiClient({
      ...opts,
      tokens: createTiktokTokenStore(opts.secrets ?? defaultSecretBox()),
      cipherOverrides: opts.ciphers,
      log: (m, f) => this.log(m, f),
    });
  }

  async start(ctx: GatewayContext): Promise<void> {
    if (!this.opts.log) this.log = ctx.log;
    ctx.app.post(this.webhookPath, express.raw({ type: () => true, limit: '1mb' }), (req, res) => this.webhook(ctx, req, res));
    ctx.app.get('/tiktok/oauth/callback', (req, res) => this.oauthCallback(req, res));
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const addr = await replyAddress<TiktokReplyTo>(to);
    if (msg.attachments?.length) this.log('tiktok outbound attachments not sent (not supported yet)', { count: msg.attachments.length });
    try {
      const messageId = await this.api.sendText(addr.tiktokShopId, addr.conversationId, tiktokText(msg));
      this.ownSends.add(messageId);
      this.log('tiktok sent', { tiktokShopId: addr.tiktokShopId, conversationId: addr.conversationId, messageId });
      return { externalId: messageId };
    } catch (e) {
      if (e instanceof PartnerApiError) throw new ChannelSendError(CHANNEL_ID, e.code, e.message, e.retryable, e.retryAfterMs);
      throw e;
    }
  }

  async stop(): Promise<void> {}

  private shopFor(tiktokShopId: string): string | undefined {
    return this.opts.shops[tiktokShopId] ?? this.opts.defaultShop;
  }

  private async webhook(ctx: GatewayContext, req: Request, res: Response): Promise<void> {
    // The gateway's JSON parser keeps the exact bytes in req.rawBody; other content types are read
    // raw here. Nothing from the body is used before the signature matches.
    const raw = req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
    const check = checkWebhookSignature(raw, req.get('authorization'), this.opts.appKey, this.opts.appSecret);
    if (check !== 'ok') {
      this.log('tiktok webhook rejected', { reason: `signature ${check}`, ip: req.ip });
      throw check === 'missing'
        ? new HttpError(401, 'signature_missing', 'Authorization header (webhook signature) is required')
        : new HttpError(401, 'signature_invalid', 'Authorization header does not match the body');
    }
    let body: unknown;
    try {
      body = JSON.parse(raw!.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'webhook body is not JSON');
    }
    let n;
    try {
      n = parseNotification(body);
    } catch (e) {
      if (e instanceof WebhookShapeError) throw new HttpError(400, 'invalid_webhook', e.message);
      throw e;
    }
    if (n.kind === 'ignored') {
      this.log('tiktok notification ignored', { type: n.type, tiktokShopId: n.tiktokShopId, reason: n.reason, id: n.id });
      res.status(200).json({ ok: true, status: 'ignored', reason: n.reason });
      return;
    }
    const m = n.message;
    const shopId = this.shopFor(m.tiktokShopId);
    if (!shopId) {
      this.log('tiktok message for an unmapped shop ignored', {
        tiktokShopId: m.tiktokShopId,
        messageId: m.externalId,
        hint: 'add it to SORA_TIKTOK_SHOPS or set SORA_TIKTOK_DEFAULT_SHOP',
      });
      res.status(200).json({ ok: true, status: 'ignored', reason: 'unmapped shop' });
      return;
    }
    if (m.author === 'seller') {
      res.status(200).json({ ok: true, ...(await this.sellerMessage(ctx, shopId, m)) });
      return;
    }
    const result = await ctx.intake.accept({
      channel: CHANNEL_ID,
      shopId,
      buyerId: m.buyerId!,
      externalId: m.externalId,
      text: m.text,
      attachments: m.attachments.length ? m.attachments : undefined,
      ...(m.orderRefs.length ? { orderRefs: m.orderRefs } : {}),
      receivedAt: new Date().toISOString(),
      raw: m.raw,
      replyTo: { tiktokShopId: m.tiktokShopId, conversationId: m.conversationId } satisfies TiktokReplyTo,
    });
    this.log('tiktok message', { shopId, conversationId: m.conversationId, messageId: m.externalId, type: m.type, status: result.status });
    res.status(200).json({ ok: true, ...result });
  }

  /**
   * A message written on the shop's side of a conversation (sender role SHOP / CUSTOMER_SERVICE):
   * our own send echoed back → ignored; otherwise a person answered in Seller Center → recorded and
   * delivered to the buyer's conversation as sellerReply (bots/intake.ts). The payload names only
   * the conversation: the buyer is the one whose stored reply address (replyTo, written by the
   * intake from their own messages) is that conversation. Unknown → recorded and logged, no signal.
   */
  private async sellerMessage(ctx: GatewayContext, shopId: string, m: TiktokMessage): Promise<Record<string, unknown>> {
    const fields = { shopId, conversationId: m.conversationId, messageId: m.externalId, role: m.senderRole };
    const buyer = await BuyerModel.findOne(
      { shopId, channel: CHANNEL_ID, 'replyTo.conversationId': m.conversationId, 'replyTo.tiktokShopId': m.tiktokShopId },
      { buyerId: 1 },
    ).lean();
    if (
      await this.isOwnSend(m.externalId, buyer ? conversationWorkflowId({ shopId, channel: CHANNEL_ID, buyerId: buyer.buyerId }) : null)
    ) {
      this.log('tiktok: our own message echoed back, ignored', fields);
      return { status: 'ignored', reason: 'own message' };
    }
    const seller = {
      channel: CHANNEL_ID,
      shopId,
      author: 'seller' as const,
      ...(m.senderId ? { agentId: m.senderId } : {}),
      externalId: m.externalId,
      text: m.text,
      attachments: m.attachments.length ? m.attachments : undefined,
      receivedAt: new Date().toISOString(),
      raw: m.raw,
    };
    if (!buyer) {
      const r = await ctx.intake.recordUnrouted(
        { ...seller, buyerId: `unknown:conversation:${m.conversationId}` },
        `no buyer known for TikTok conversation ${m.conversationId}`,
      );
      this.log('tiktok seller message in a conversation with no known buyer: recorded, not delivered', { ...fields, status: r.status });
      return { ...r, reason: 'unknown conversation' };
    }
    const r = await ctx.intake.accept({ ...seller, buyerId: buyer.buyerId });
    this.log('tiktok seller message', { ...fields, buyerId: buyer.buyerId, status: r.status });
    return { ...r };
  }

  /**
   * Was this shop-side message sent by us? By message id, in this order:
   *   1. `ownSends`: ids Send Message returned to this process — set the moment the API answers,
   *      before the send activity stores the id as platformMessageId on its outbound record;
   *   2. an outbound record with that platformMessageId — our sends from any process (workers and
   *      gateways may be separate processes), once the activity has stored it;
   *   3. the race neither covers: TikTok may fire the webhook before the Send Message answer has
   *      reached us (or before the activity's update). If an outbound record of this conversation
   *      is in flight (pending, or failed moments ago and being retried under the same record), wait
   *      up to `echoWaitMs` for it to settle and check 1–2 again. Still in flight → HttpError 503:
   *      nothing is recorded and TikTok delivers the webhook again later, when the check can decide.
   * No conversation known for the message (`workflowId` null) → no send of ours can be in flight there.
   * Not covered: a send whose answer never reached us (timeout) although TikTok posted the message —
   * the record stays failed without a platform id, and the echo would count as the seller's.
   */
  private async isOwnSend(messageId: string, workflowId: string | null): Promise<boolean> {
    const known = async () =>
      this.ownSends.has(messageId) ||
      !!(await MessageModel.exists({ channel: CHANNEL_ID, direction: 'out', platformMessageId: messageId, author: { $ne: 'seller' } }));
    if (await known()) return true;
    if (!workflowId) return false;
    const inFlight = () =>
      MessageModel.exists({
        workflowId,
        direction: 'out',
        author: { $ne: 'seller' },
        $or: [
          { status: 'pending', createdAt: { $gt: new Date(Date.now() - IN_FLIGHT_MS) } },
          { status: 'failed', updatedAt: { $gt: new Date(Date.now() - RETRYING_MS) } },
        ],
      });
    const deadline = Date.now() + (this.opts.echoWaitMs ?? 3000);
    for (;;) {
      const busy = await inFlight();
      if (await known()) return true; // read after inFlight: a send settling in between is seen here
      if (!busy) return false;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.log('tiktok: shop message while our send to the conversation is in flight; asking TikTok to deliver it again', {
      messageId,
      workflowId,
    });
    throw new HttpError(503, 'echo_check_pending', 'a send to this conversation is in flight; deliver this message again later');
  }

  private async oauthCallback(req: Request, res: Response): Promise<void> {
    const code = typeof req.query.code === 'string' ? req.query.code : typeof req.query.auth_code === 'string' ? req.query.auth_code : '';
    if (!code)
      throw new HttpError(
        400,
        'invalid_request',
        'code query parameter is required (TikTok Shop redirects here after the seller authorizes the app)',
      );
    try {
      const a = await this.api.authorize(code);
      res.status(200).json({
        ok: true,
        seller: a.sellerName ?? null,
        shops: a.shops.map((s) => ({
          tiktokShopId: s.id,
          name: s.name ?? null,
          region: s.region ?? null,
          shopId: this.shopFor(s.id) ?? null,
        })),
      });
    } catch (e) {
      if (!(e instanceof PartnerApiError)) throw e;
      this.log('tiktok authorization failed', { code: e.code, error: e.message });
      // TikTok refused this code (unknown, used or expired: the seller authorizes again) → 400; TikTok unreachable or failing → 502.
      if (!e.retryable) throw new HttpError(400, 'authorization_failed', `TikTok Shop refused the authorization code: ${e.message}`);
      throw new HttpError(502, 'authorization_failed', e.message);
    }
  }
}
