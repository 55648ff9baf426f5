/**
 * LINE Messaging API channel (`line`), one LINE channel (Official Account) per shop.
 *
 *   POST /webhooks/line/:shopId   the shop's own webhook URL: checked with that shop's channel secret
 *   POST /webhooks/line           one URL for every shop: the channel whose secret produced
 *                                 x-line-signature is the shop (tried before the body is parsed)
 *
 * Signature missing → 401, wrong → 403, nothing recorded. Buyer messages (one-to-one chats) are
 * recorded through the intake with `message.id` as the dedupe key, so LINE's redeliveries
 * (`deliveryContext.isRedelivery`) are no-ops; everything else is logged and skipped
 * (bots/line/webhook.ts). The answer is 200 as soon as the messages are recorded and signalled.
 *
 * Sending: the event's reply token while it is fresh (younger than SORA_LINE_REPLY_WINDOW, taken
 * once: the buyer record gives it up atomically), else a push message with an X-Line-Retry-Key
 * derived from the send activity's idempotency key, so a retried push is accepted once (409 =
 * already sent). Quick replies become LINE quick reply buttons (message actions).
 */
import express from 'express';
import type { messagingApi } from '@line/bot-sdk';
import type { LineChannel, LineSettings } from '../../infra/config/index.js';
import { log as defaultLog } from '../../infra/log.js';
import { BuyerModel } from '../../models/buyer.js';
import { ChannelSendError, type ChannelAdapter, type ConversationRef, type GatewayContext, type OutboundMessage } from '../channel.js';
import { replyAddress } from '../contacts.js';
import { HttpError } from '../http-errors.js';
import { buildMessages, CHANNEL_ID, client, isHttpError, isInvalidReplyToken, lineSendError, retryKeyFor } from './messaging.js';
import { parseLineWebhook, signedBy, WebhookShapeError, type LineMessage } from './webhook.js';

export interface LineAdapterOptions extends LineSettings {
  webhookPath?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Clock (tests). */
  now?: () => number;
}

/** What send() needs to answer a buyer, stored on the buyer by the intake. */
export interface LineReplyTo extends Record<string, unknown> {
  userId: string;
  /** The bot user id the buyer wrote to (webhook `destination`). */
  destination: string;
  /** The latest event's reply token, until used (single use) … */
  replyToken?: string;
  /** … and that event's time (ms): the token's age counts from it. */
  replyTokenAt?: number;
}

export class LineAdapter implements ChannelAdapter {
  readonly id = CHANNEL_ID;
  readonly webhookPath: string;
  private log: (msg: string, fields?: Record<string, unknown>) => void;
  private readonly byShop = new Map<string, { channel: LineChannel; api: messagingApi.MessagingApiClient }>();
  private readonly now: () => number;

  constructor(private readonly opts: LineAdapterOptions) {
    this.webhookPath = opts.webhookPath ?? '/webhooks/line';
    this.log = opts.log ?? defaultLog;
    this.now = opts.now ?? Date.now;
    for (const c of opts.channels) this.byShop.set(c.shopId, { channel: c, api: client(opts.apiUrl, c.accessToken) });
  }

  async start(ctx: GatewayContext): Promise<void> {
    if (!this.opts.log) this.log = ctx.log;
    const raw = express.raw({ type: () => true, limit: '1mb' });
    ctx.app.post(this.webhookPath, raw, async (req, res) => {
      res
        .status(200)
        .json(
          await this.onWebhook(
            ctx,
            req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined),
            req.get('x-line-signature'),
            undefined,
            req.ip,
          ),
        );
    });
    ctx.app.post(`${this.webhookPath}/:shopId`, raw, async (req, res) => {
      const shopId = String(req.params.shopId);
      if (!this.byShop.has(shopId))
        throw new HttpError(404, 'unknown_shop', `no LINE channel is configured for shop "${shopId.slice(0, 64)}"`);
      res
        .status(200)
        .json(
          await this.onWebhook(
            ctx,
            req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined),
            req.get('x-line-signature'),
            shopId,
            req.ip,
          ),
        );
    });
  }

  private async onWebhook(
    ctx: GatewayContext,
    rawBody: Buffer | undefined,
    signature: string | undefined,
    shopId: string | undefined,
    ip: string | undefined,
  ): Promise<Record<string, unknown>> {
    const candidates = shopId ? [this.byShop.get(shopId)!.channel] : this.opts.channels;
    const check = signedBy(rawBody, signature, candidates);
    if (!check.ok) {
      this.log('line webhook rejected', { reason: `signature ${check.reason}`, shopId, ip });
      throw check.reason === 'missing'
        ? new HttpError(401, 'signature_missing', 'x-line-signature header is required')
        : new HttpError(
            403,
            'signature_invalid',
            `x-line-signature does not match the body for ${shopId ? `shop ${shopId}'s channel secret` : 'any configured channel secret'}`,
          );
    }
    const shop = check.channel.shopId;
    let body: unknown;
    try {
      body = JSON.parse(rawBody!.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'webhook body is not JSON');
    }
    let parsed;
    try {
      parsed = parseLineWebhook(body, (id) => `${this.opts.dataUrl}/v2/bot/message/${encodeURIComponent(id)}/content`);
    } catch (e) {
      if (e instanceof WebhookShapeError) throw new HttpError(400, 'invalid_webhook', e.message);
      throw e;
    }
    for (const i of parsed.ignored) this.log('line event ignored', { shopId: shop, reason: i.reason, id: i.id });
    const counts = await this.record(ctx, shop, parsed.messages);
    return { ok: true, shopId: shop, ...counts, ignored: parsed.ignored.length };
  }

  /**
   * Records every message, in order. If Temporal is down every message is still recorded, then the
   * error goes up (503) so LINE redelivers (when redelivery is on); the relay delivers meanwhile.
   */
  private async record(ctx: GatewayContext, shopId: string, messages: LineMessage[]): Promise<{ accepted: number; duplicates: number }> {
    const counts = { accepted: 0, duplicates: 0 };
    let failure: unknown;
    for (const m of messages) {
      try {
        const replyTo: LineReplyTo = {
          userId: m.userId,
          destination: m.destination,
          ...(m.replyToken && !m.redelivery ? { replyToken: m.replyToken, replyTokenAt: m.timestamp } : {}),
        };
        const r = await ctx.intake.accept({
          channel: CHANNEL_ID,
          shopId,
          buyerId: m.userId,
          externalId: m.externalId,
          text: m.text,
          attachments: m.attachments.length ? m.attachments : undefined,
          receivedAt: new Date(this.now()).toISOString(),
          raw: { destination: m.destination, event: m.raw },
          replyTo,
        });
        if (r.status === 'duplicate') counts.duplicates++;
        else counts.accepted++;
        this.log('line message', { shopId, messageId: m.externalId, type: m.type, redelivery: m.redelivery, status: r.status });
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
    return counts;
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const line = this.byShop.get(to.shopId);
    if (!line) throw new ChannelSendError(CHANNEL_ID, 'unknown_shop', `no LINE channel is configured for shop ${to.shopId}`, false);
    const addr = await replyAddress<LineReplyTo>(to);
    if (msg.attachments?.length) this.log('line outbound attachments not sent (not supported yet)', { count: msg.attachments.length });
    const messages = buildMessages(msg);

    if (await this.takeReplyToken(to, addr)) {
      try {
        const r = await line.api.replyMessage({ replyToken: addr.replyToken!, messages });
        const id = r?.sentMessages?.[0]?.id;
        this.log('line sent', { shopId: to.shopId, to: addr.userId, via: 'reply', messageId: id });
        return { externalId: id ?? `reply:${addr.replyToken}` };
      } catch (e) {
        if (!isInvalidReplyToken(e)) throw lineSendError(e);
        this.log('line reply token refused; pushing instead', { shopId: to.shopId, to: addr.userId });
      }
    }

    const retryKey = retryKeyFor(msg.idempotencyKey);
    try {
      const r = await line.api.pushMessage({ to: addr.userId, messages }, retryKey);
      const id = r?.sentMessages?.[0]?.id;
      this.log('line sent', { shopId: to.shopId, to: addr.userId, via: 'push', messageId: id });
      return { externalId: id ?? `push:${retryKey}` };
    } catch (e) {
      if (isHttpError(e) && e.status === 409) {
        // Accepted by an earlier attempt with the same retry key: sent, not to be sent again.
        const accepted = e.headers?.get?.('x-line-accepted-request-id') ?? undefined;
        let id: string | undefined;
        try {
          id = (JSON.parse(e.body) as { sentMessages?: { id?: string }[] }).sentMessages?.[0]?.id;
        } catch {
          /* no body */
        }
        this.log('line push already accepted (retry key)', { shopId: to.shopId, to: addr.userId, acceptedRequestId: accepted });
        return { externalId: id ?? `push:${accepted ?? retryKey}` };
      }
      throw lineSendError(e);
    }
  }

  async stop(): Promise<void> {}

  /**
   * True when the buyer's stored reply token is fresh and this call took it (removed it from the
   * buyer record in one conditional write, so two sends never use the same token).
   */
  private async takeReplyToken(to: ConversationRef, addr: LineReplyTo): Promise<boolean> {
    if (!addr.replyToken || typeof addr.replyTokenAt !== 'number') return false;
    if (this.now() - addr.replyTokenAt > this.opts.replyWindowMs) return false;
    const r = await BuyerModel.updateOne(
      { shopId: to.shopId, channel: to.channel, buyerId: to.buyerId, 'replyTo.replyToken': addr.replyToken },
      { $unset: { 'replyTo.replyToken': '', 'replyTo.replyTokenAt': '' } },
    );
    return r.modifiedCount === 1;
  }
}
