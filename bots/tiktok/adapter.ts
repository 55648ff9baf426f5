/**
 * TikTok Shop customer service channel (`tiktok`).
 *
 *   POST /webhooks/tiktok            TikTok Shop notifications, signed in the Authorization header
 *                                    (checked on the raw bytes before the body is used); type 14
 *                                    "New message" from a BUYER is recorded, everything else ignored
 *   GET  /tiktok/oauth/callback      the app's redirect URL: exchanges `code` for tokens, stores them
 *                                    per seller with the shops they cover
 *
 * Replies go into the buyer's conversation (its id is kept in replyTo) through the Partner API
 * (Send Message, customer_service 202309). TikTok has no buttons in this API: quick replies are
 * listed in the text.
 */
import express, { type Request, type Response } from 'express';
import { log as defaultLog } from '../../infra/log.js';
import { ChannelSendError, type ChannelAdapter, type ConversationRef, type GatewayContext, type OutboundMessage } from '../channel.js';
import { tiktokTokenStore } from '../../models/tiktok-token.js';
import { replyAddress } from '../contacts.js';
import { HttpError } from '../http-errors.js';
import type { TiktokConfig } from '../../infra/platforms/tiktok/config.js';
import { PartnerApiClient, PartnerApiError, type PartnerApiOptions } from '../../infra/platforms/tiktok/partner-api.js';
import { checkWebhookSignature } from '../../infra/platforms/tiktok/signing.js';
import { parseNotification, WebhookShapeError } from './webhook.js';

export const CHANNEL_ID = 'tiktok';
/** Send Message: "Max 2000 characters" for TEXT. */
const TEXT_MAX = 2000;

export interface TiktokOptions extends TiktokConfig, Pick<PartnerApiOptions, 'timeoutMs' | 'refreshMarginMs'> {
  webhookPath?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

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

  constructor(private readonly opts: TiktokOptions) {
    this.webhookPath = opts.webhookPath ?? '/webhooks/tiktok';
    this.log = opts.log ?? defaultLog;
    this.api = new PartnerApiClient({ ...opts, tokens: tiktokTokenStore, cipherOverrides: opts.ciphers, log: (m, f) => this.log(m, f) });
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
    const result = await ctx.intake.accept({
      channel: CHANNEL_ID,
      shopId,
      buyerId: m.buyerId,
      externalId: m.externalId,
      text: m.text,
      attachments: m.attachments.length ? m.attachments : undefined,
      receivedAt: new Date().toISOString(),
      raw: m.raw,
      replyTo: { tiktokShopId: m.tiktokShopId, conversationId: m.conversationId } satisfies TiktokReplyTo,
    });
    this.log('tiktok message', { shopId, conversationId: m.conversationId, messageId: m.externalId, type: m.type, status: result.status });
    res.status(200).json({ ok: true, ...result });
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
      throw new HttpError(502, 'authorization_failed', e.message);
    }
  }
}
