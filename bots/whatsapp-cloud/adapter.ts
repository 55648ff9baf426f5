/**
 * WhatsApp Business Cloud API channel (`whatsapp-cloud`).
 *
 *   GET  /webhooks/whatsapp-cloud   Meta's verification handshake: hub.mode=subscribe,
 *                                   hub.verify_token = SORA_WHATSAPP_CLOUD_VERIFY_TOKEN → echo hub.challenge
 *   POST /webhooks/whatsapp-cloud   events, signed with X-Hub-Signature-256 (checked on the raw bytes
 *                                   before anything in the body is used)
 *
 * Each buyer message is recorded through the intake (dedupe on the wamid, so Meta's redeliveries are
 * no-ops); statuses are logged and a `failed` one marks our outbound message record failed. Replies
 * go out through the Graph API from the business number the buyer wrote to (kept in replyTo).
 * `smb_message_echoes` (a person answering from the WhatsApp Business app on a coexistence number)
 * are recorded as seller messages and delivered to the customer's conversation as sellerReply.
 */
import express, { type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { log as defaultLog } from '../../infra/log.js';
import { MessageModel } from '../../models/message.js';
import type { ChannelAdapter, ConversationRef, GatewayContext, OutboundMessage } from '../channel.js';
import { replyAddress } from '../contacts.js';
import { HttpError } from '../http-errors.js';
import { buildMessagePayload, CHANNEL_ID, postMessage } from './graph.js';
import { checkSignature, parseWebhook, WebhookShapeError, type WaMessage, type WaStatus } from './webhook.js';

export interface WhatsappCloudOptions {
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  /** phone_number_id → our shop id. */
  shops: Record<string, string>;
  /** Shop for a phone_number_id not in `shops` (none: such messages are ignored). */
  defaultShop?: string;
  graphUrl: string;
  graphVersion: string;
  webhookPath?: string;
  requestTimeoutMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/** What send() needs to answer a buyer: our business number and the buyer's wa_id. */
export interface WhatsappCloudReplyTo extends Record<string, unknown> {
  phoneNumberId: string;
  waId: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class WhatsappCloudAdapter implements ChannelAdapter {
  readonly id = CHANNEL_ID;
  readonly webhookPath: string;
  private log: (msg: string, fields?: Record<string, unknown>) => void;

  constructor(private readonly opts: WhatsappCloudOptions) {
    this.webhookPath = opts.webhookPath ?? '/webhooks/whatsapp-cloud';
    this.log = opts.log ?? defaultLog;
  }

  async start(ctx: GatewayContext): Promise<void> {
    if (!this.opts.log) this.log = ctx.log;
    ctx.app.get(this.webhookPath, (req, res) => this.handshake(req, res));
    // The gateway's JSON parser has already read application/json bodies into req.rawBody; for any
    // other content type read the bytes here. Either way only the raw bytes are used until verified.
    ctx.app.post(this.webhookPath, express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
      const raw = req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
      const check = checkSignature(raw, req.get('x-hub-signature-256'), this.opts.appSecret);
      if (check !== 'ok') {
        this.log('whatsapp-cloud webhook rejected', { reason: `signature ${check}`, ip: req.ip });
        throw check === 'missing'
          ? new HttpError(401, 'signature_missing', 'X-Hub-Signature-256 header is required')
          : new HttpError(403, 'signature_invalid', 'X-Hub-Signature-256 does not match the body');
      }
      let body: unknown;
      try {
        body = JSON.parse(raw!.toString('utf8'));
      } catch {
        throw new HttpError(400, 'invalid_json', 'webhook body is not JSON');
      }
      let parsed;
      try {
        parsed = parseWebhook(body, (mediaId) => `${this.graphBase()}/${encodeURIComponent(mediaId)}`);
      } catch (e) {
        if (e instanceof WebhookShapeError) throw new HttpError(400, 'invalid_webhook', e.message);
        throw e;
      }
      for (const i of parsed.ignored) this.log('whatsapp-cloud event ignored', { reason: i.reason, id: i.id });
      for (const s of parsed.statuses) await this.onStatus(s);
      const echoes = await this.withoutOwnSends(parsed.echoes);
      const result = await this.record(ctx, [
        ...parsed.messages.map((m) => ({ m, author: 'buyer' as const })),
        ...echoes.kept.map((m) => ({ m, author: 'seller' as const })),
      ]);
      res.status(200).json({
        ok: true,
        ...result,
        ownEchoes: echoes.own,
        statuses: parsed.statuses.length,
        ignored: parsed.ignored.length,
      });
    });
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const addr = await replyAddress<WhatsappCloudReplyTo>(to);
    if (msg.attachments?.length)
      this.log('whatsapp-cloud outbound attachments not sent (not supported yet)', { count: msg.attachments.length });
    const payload = buildMessagePayload(addr.waId, msg);
    const wamid = await postMessage(
      {
        graphUrl: this.opts.graphUrl,
        graphVersion: this.opts.graphVersion,
        accessToken: this.opts.accessToken,
        timeoutMs: this.opts.requestTimeoutMs,
      },
      addr.phoneNumberId,
      payload,
    );
    this.log('whatsapp-cloud sent', { to: addr.waId, from: addr.phoneNumberId, wamid, kind: payload.type });
    return { externalId: wamid };
  }

  async stop(): Promise<void> {}

  private graphBase(): string {
    return `${this.opts.graphUrl.replace(/\/+$/, '')}/${this.opts.graphVersion}`;
  }

  private shopFor(phoneNumberId: string): string | undefined {
    return this.opts.shops[phoneNumberId] ?? this.opts.defaultShop;
  }

  private handshake(req: Request, res: Response): void {
    const q = req.query;
    const mode = typeof q['hub.mode'] === 'string' ? q['hub.mode'] : '';
    const token = typeof q['hub.verify_token'] === 'string' ? q['hub.verify_token'] : '';
    const challenge = typeof q['hub.challenge'] === 'string' ? q['hub.challenge'] : '';
    if (mode === 'subscribe' && challenge && sameSecret(token, this.opts.verifyToken)) {
      this.log('whatsapp-cloud webhook verified');
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    this.log('whatsapp-cloud webhook verification refused', { mode, ip: req.ip });
    res.status(403).json({ error: 'verification_failed', message: 'hub.mode must be subscribe and hub.verify_token must match' });
  }

  /**
   * Echoes of messages we sent ourselves are dropped (by wamid: an outbound record with that
   * platformMessageId). Meta documents echoes for messages sent from the WhatsApp Business app or a
   * linked device, not for Cloud API sends, so this is a guard rather than the normal case; a race
   * with the send activity storing the wamid is therefore not waited for here.
   */
  private async withoutOwnSends(echoes: WaMessage[]): Promise<{ kept: WaMessage[]; own: number }> {
    const kept: WaMessage[] = [];
    for (const e of echoes) {
      const own = await MessageModel.exists({
        channel: CHANNEL_ID,
        direction: 'out',
        platformMessageId: e.externalId,
        author: { $ne: 'seller' },
      });
      if (own) this.log('whatsapp-cloud echo of our own message ignored', { wamid: e.externalId });
      else kept.push(e);
    }
    return { kept, own: echoes.length - kept.length };
  }

  /**
   * Record every message (the buyers' own, and the seller's echoes). Buyers are handled side by
   * side, each buyer's messages in order (so the workflow sees them in order and a Temporal outage
   * costs one signal deadline per message of a buyer, not per message of the batch). If Temporal is
   * down every message is still recorded, then the error goes up (503) so Meta redelivers; the relay
   * delivers meanwhile.
   */
  private async record(
    ctx: GatewayContext,
    items: { m: WaMessage; author: 'buyer' | 'seller' }[],
  ): Promise<{ accepted: number; duplicates: number; skipped: number; seller: number; noConversation: number }> {
    const counts = { accepted: 0, duplicates: 0, skipped: 0, seller: 0, noConversation: 0 };
    const byBuyer = new Map<string, { shopId: string; m: WaMessage; author: 'buyer' | 'seller' }[]>();
    for (const { m, author } of items) {
      const shopId = this.shopFor(m.phoneNumberId);
      if (!shopId) {
        counts.skipped++;
        this.log('whatsapp-cloud message for an unmapped phone_number_id ignored', {
          phoneNumberId: m.phoneNumberId,
          wamid: m.externalId,
          hint: 'add it to SORA_WHATSAPP_CLOUD_SHOPS or set SORA_WHATSAPP_CLOUD_DEFAULT_SHOP',
        });
        continue;
      }
      const key = `${shopId}\u0000${m.buyerId}`;
      byBuyer.set(key, [...(byBuyer.get(key) ?? []), { shopId, m, author }]);
    }
    let failure: unknown;
    await Promise.all(
      [...byBuyer.values()].map(async (items) => {
        for (const { shopId, m, author } of items) {
          try {
            const raw = {
              type: m.type,
              phoneNumberId: m.phoneNumberId,
              profileName: m.profileName ?? null,
              platformTimestamp: m.platformTimestamp ?? null,
              context: m.context ?? null,
              message: m.raw,
            };
            const r = await ctx.intake.accept({
              channel: CHANNEL_ID,
              shopId,
              buyerId: m.buyerId,
              externalId: m.externalId,
              text: m.text,
              attachments: m.attachments.length ? m.attachments : undefined,
              receivedAt: new Date().toISOString(),
              raw,
              // A seller's echo names the customer but does not change where replies go.
              ...(author === 'seller'
                ? { author }
                : { replyTo: { phoneNumberId: m.phoneNumberId, waId: m.buyerId } satisfies WhatsappCloudReplyTo }),
            });
            if (r.status === 'duplicate') counts.duplicates++;
            else counts.accepted++;
            if (author === 'seller' && r.status !== 'duplicate') counts.seller++;
            if (r.status === 'no_conversation') counts.noConversation++;
            this.log(author === 'seller' ? 'whatsapp-cloud seller message (echo)' : 'whatsapp-cloud message', {
              shopId,
              wamid: m.externalId,
              type: m.type,
              status: r.status,
            });
          } catch (e) {
            failure ??= e;
          }
        }
      }),
    );
    if (failure) throw failure;
    return counts;
  }

  private async onStatus(s: WaStatus): Promise<void> {
    const err = s.errors[0];
    this.log('whatsapp-cloud status', {
      wamid: s.id,
      status: s.status,
      ...(err ? { code: err.code, title: err.title, details: err.details } : {}),
    });
    if (s.status !== 'failed') return;
    const reason = err
      ? `whatsapp-cloud delivery failed (${err.code ?? '?'}): ${[err.title, err.message, err.details].filter(Boolean).join(' — ')}`
      : 'whatsapp-cloud delivery failed';
    const r = await MessageModel.updateOne(
      { channel: CHANNEL_ID, direction: 'out', platformMessageId: s.id },
      { $set: { status: 'failed', error: reason } },
    );
    if (r.matchedCount === 0) this.log('whatsapp-cloud failed status for an unknown message', { wamid: s.id });
  }
}
