/**
 * Lazada Chat channel (`lazada`), through the Lazada Open Platform IM API.
 *
 *   POST /webhooks/lazada          Lazada pushes, signed in the Authorization header (checked on the
 *                                  raw bytes before anything is parsed). An IM message from a buyer
 *                                  is a buyer turn, one from the seller side a seller message
 *                                  (human takeover) unless it is our own send; other pushes are
 *                                  acknowledged and ignored. Answered 200 as soon as intake has
 *                                  recorded the message (the work runs in the conversation workflow).
 *   GET  /lazada/oauth/callback    the app's redirect URL: exchanges `code` for tokens, stored per seller.
 *   pull, every SORA_LAZADA_PULL_INTERVAL: /im/session/list + /im/message/list since the last pull
 *                                  (with an overlap), every message through the same path as a push;
 *                                  intake dedupes by message id, so a message both pushed and pulled
 *                                  counts once. The same tick watches each seller's authorization
 *                                  (./token-watch.ts).
 *
 * Replies go into the buyer's session (kept in replyTo) by /im/message/send: text, images, order and
 * product cards (./messages.ts sendParts).
 */
import express, { type Request, type Response } from 'express';
import { log as defaultLog } from '../../infra/log.js';
import { defaultSecretBox, type SecretBox } from '../../infra/secrets/index.js';
import type { LazadaSettings } from '../../infra/config/index.js';
import { LazadaApiClient, LazadaApiError, type LazadaApiOptions } from '../../infra/platforms/lazada/open-api.js';
import { checkPushSignature } from '../../infra/platforms/lazada/signing.js';
import { createLazadaTokenStore, LazadaTokenModel } from '../../models/lazada-token.js';
import { MessageModel } from '../../models/message.js';
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
import { normalizeMessage, parsePush, PushShapeError, sendParts, type LazadaMessage } from './messages.js';
import { watchTokens } from './token-watch.js';

export const CHANNEL_ID = 'lazada';

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface LazadaOptions
  extends Partial<Omit<LazadaSettings, 'appKey' | 'appSecret'>>, Pick<LazadaApiOptions, 'timeoutMs' | 'refreshMarginMs'> {
  appKey: string;
  appSecret: string;
  webhookPath?: string;
  /** How far back the first pull after start reads (default 10 minutes). */
  pullLookbackMs?: number;
  /** Each pull starts this long before the previous one did (default 2 minutes). */
  pullOverlapMs?: number;
  /** A seller-side message while one of our sends into its session is in flight waits this long for it (default 3000 ms). */
  echoWaitMs?: number;
  secrets?: SecretBox;
  log?: Log;
}

/** What send() needs: the seller whose token posts, and the session. */
export interface LazadaReplyTo extends Record<string, unknown> {
  sellerId: string;
  sessionId: string;
}

const IN_FLIGHT_MS = 120_000;
const RETRYING_MS = 30_000;
const MAX_PAGES = 5;

export class LazadaAdapter implements ChannelAdapter {
  readonly id = CHANNEL_ID;
  readonly webhookPath: string;
  readonly api: LazadaApiClient;
  private log: Log;
  private ctx?: GatewayContext;
  private timer?: NodeJS.Timeout;
  private pulling?: Promise<void>;
  /** sellerId → the time (ms) the last successful pull of that seller started. */
  private readonly cursors = new Map<string, number>();
  private readonly ownSends = new RecentIds(5000);
  private readonly startedAt = Date.now();

  constructor(private readonly opts: LazadaOptions) {
    this.webhookPath = opts.webhookPath ?? '/webhooks/lazada';
    this.log = opts.log ?? defaultLog;
    this.api = new LazadaApiClient({
      appKey: opts.appKey,
      appSecret: opts.appSecret,
      tokens: createLazadaTokenStore(opts.secrets ?? defaultSecretBox()),
      apiUrl: opts.apiUrl,
      authUrl: opts.authUrl,
      countries: opts.countries,
      timeoutMs: opts.timeoutMs,
      refreshMarginMs: opts.refreshMarginMs,
      log: (m, f) => this.log(m, f),
    });
  }

  async start(ctx: GatewayContext): Promise<void> {
    if (!this.opts.log) this.log = ctx.log;
    this.ctx = ctx;
    ctx.app.post(this.webhookPath, express.raw({ type: () => true, limit: '1mb' }), (req, res) => this.push(ctx, req, res));
    ctx.app.get('/lazada/oauth/callback', (req, res) => this.oauthCallback(req, res));
    const every = this.opts.pullIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.tick(), every);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pulling?.catch(() => {});
  }

  /** One timer tick: the pull, then the authorization watch; never throws. */
  private async tick(): Promise<void> {
    try {
      await this.pullOnce();
      await this.watchTokens();
    } catch (e) {
      this.log('lazada periodic work failed', { error: String(e) });
    }
  }

  /** Alerts operators about authorizations that expire soon or have expired (./token-watch.ts). */
  watchTokens(now = new Date()): Promise<{ alerted: string[] }> {
    return watchTokens({
      now,
      warnMs: this.opts.tokenWarnMs ?? 72 * 3_600_000,
      shopFor: (s) => this.shopFor(s),
      alertWebhookUrl: this.opts.alertWebhookUrl,
      log: this.log,
    });
  }

  private shopFor(sellerId: string): string | undefined {
    return this.opts.sellers?.[sellerId] ?? this.opts.defaultShop;
  }

  // ---------------------------------------------------------------- outbound

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const addr = await replyAddress<LazadaReplyTo>(to);
    const { parts, skipped } = sendParts(msg);
    if (skipped) this.log('lazada outbound attachments not sent (no URL or not a card)', { count: skipped });
    if (!parts.length) throw new ChannelSendError(CHANNEL_ID, 'empty_message', 'nothing to send: no text, image URL or card', false);
    let first: string | undefined;
    try {
      for (const p of parts) {
        const id = await this.api.sendMessage(addr.sellerId, addr.sessionId, p.templateId, p.fields);
        this.ownSends.add(id);
        first ??= id;
      }
    } catch (e) {
      if (e instanceof LazadaApiError) throw new ChannelSendError(CHANNEL_ID, e.code, e.message, e.retryable, e.retryAfterMs);
      throw e;
    }
    this.log('lazada sent', { sellerId: addr.sellerId, sessionId: addr.sessionId, messageId: first, parts: parts.length });
    return { externalId: first! };
  }

  // ---------------------------------------------------------------- inbound: push

  private async push(ctx: GatewayContext, req: Request, res: Response): Promise<void> {
    const raw = req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
    const check = checkPushSignature(raw, req.get('authorization'), this.opts.appKey, this.opts.appSecret);
    if (check !== 'ok') {
      this.log('lazada push rejected', { reason: `signature ${check}`, ip: req.ip });
      throw check === 'missing'
        ? new HttpError(401, 'signature_missing', 'Authorization header (push signature) is required')
        : new HttpError(401, 'signature_invalid', 'Authorization header does not match the body');
    }
    let body: unknown;
    try {
      body = JSON.parse(raw!.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'push body is not JSON');
    }
    let p;
    try {
      p = parsePush(body);
    } catch (e) {
      if (e instanceof PushShapeError) throw new HttpError(400, 'invalid_push', e.message);
      throw e;
    }
    if (p.kind === 'ignored') {
      this.log('lazada push ignored', { sellerId: p.sellerId, messageType: p.messageType, reason: p.reason, id: p.id });
      res.status(200).json({ ok: true, status: 'ignored', reason: p.reason });
      return;
    }
    res.status(200).json({ ok: true, ...(await this.handle(ctx, p.message)) });
  }

  /** A normalized message, pushed or pulled: to intake, as the buyer's turn or the seller's message. */
  private async handle(ctx: GatewayContext, m: LazadaMessage): Promise<Record<string, unknown>> {
    const shopId = this.shopFor(m.sellerId);
    if (!shopId) {
      this.log('lazada message for an unmapped seller ignored', {
        sellerId: m.sellerId,
        messageId: m.externalId,
        hint: 'add it to SORA_LAZADA_SELLERS or set SORA_LAZADA_DEFAULT_SHOP',
      });
      return { status: 'ignored', reason: 'unmapped seller' };
    }
    if (!m.buyerId) return { status: 'ignored', reason: 'no buyer named' };
    const base = {
      channel: CHANNEL_ID,
      shopId,
      buyerId: m.buyerId,
      externalId: m.externalId,
      text: m.text,
      attachments: m.attachments.length ? m.attachments : undefined,
      receivedAt: new Date().toISOString(),
      raw: m.raw,
    };
    if (m.author === 'seller') {
      const fields = { shopId, sessionId: m.sessionId, messageId: m.externalId };
      if (await this.isOwnSend(m.externalId, conversationWorkflowId({ shopId, channel: CHANNEL_ID, buyerId: m.buyerId }))) {
        this.log('lazada: our own message echoed back, ignored', fields);
        return { status: 'ignored', reason: 'own message' };
      }
      const r = await ctx.intake.accept({ ...base, author: 'seller', agentId: m.senderId });
      this.log('lazada seller message', { ...fields, buyerId: m.buyerId, status: r.status });
      return { ...r };
    }
    const r = await ctx.intake.accept({
      ...base,
      ...(m.orderRefs.length ? { orderRefs: m.orderRefs } : {}),
      replyTo: { sellerId: m.sellerId, sessionId: m.sessionId } satisfies LazadaReplyTo,
    });
    this.log('lazada message', { shopId, sessionId: m.sessionId, messageId: m.externalId, template: m.templateId, status: r.status });
    return { ...r };
  }

  /**
   * Was this seller-side message ours? By message id: ids /im/message/send returned to this process,
   * then outbound records with that platformMessageId (any process); while a send into the
   * conversation is in flight, wait up to echoWaitMs for it to settle, then 503 (Lazada pushes again,
   * the next pull reads it again). Same reasoning as the TikTok adapter (bots/tiktok/adapter.ts).
   */
  private async isOwnSend(messageId: string, workflowId: string): Promise<boolean> {
    const known = async () =>
      this.ownSends.has(messageId) ||
      !!(await MessageModel.exists({ channel: CHANNEL_ID, direction: 'out', platformMessageId: messageId, author: { $ne: 'seller' } }));
    if (await known()) return true;
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
      if (await known()) return true;
      if (!busy) return false;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new HttpError(503, 'echo_check_pending', 'a send to this conversation is in flight; deliver this message again later');
  }

  // ---------------------------------------------------------------- inbound: pull

  /**
   * Reads every mapped seller's sessions active since its last pull (minus the overlap) and their
   * messages, oldest first, through the same path as a push. A seller whose pull fails keeps its
   * cursor, so the next pull reads the same window again. One pull at a time.
   */
  pullOnce(): Promise<void> {
    if (!this.ctx) return Promise.resolve();
    this.pulling ??= this.pullAll(this.ctx).finally(() => (this.pulling = undefined));
    return this.pulling;
  }

  private async sellersToPull(): Promise<string[]> {
    const stored = await LazadaTokenModel.find({}, { sellerId: 1 }).lean();
    return [...new Set([...Object.keys(this.opts.sellers ?? {}), ...stored.map((t) => t.sellerId)])].filter((s) => this.shopFor(s));
  }

  private async pullAll(ctx: GatewayContext): Promise<void> {
    for (const sellerId of await this.sellersToPull()) {
      const startedAt = Date.now();
      const since =
        (this.cursors.get(sellerId) ?? this.startedAt - (this.opts.pullLookbackMs ?? 10 * 60_000)) -
        (this.opts.pullOverlapMs ?? 2 * 60_000);
      try {
        const counts = await this.pullSeller(ctx, sellerId, since);
        this.cursors.set(sellerId, startedAt);
        if (counts.accepted) this.log('lazada pull caught messages', { sellerId, ...counts });
      } catch (e) {
        this.log('lazada pull failed; the next pull reads the same window', { sellerId, error: String(e) });
      }
    }
  }

  private async pullSeller(ctx: GatewayContext, sellerId: string, since: number): Promise<{ read: number; accepted: number }> {
    const sessions: string[] = [];
    let last: string | undefined;
    let start = since;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.api.sessionList(sellerId, { startTime: start, lastSessionId: last });
      for (const s of page.items) if (!s.last_message_time || s.last_message_time >= since) sessions.push(s.session_id);
      if (!page.hasMore || !page.last) break;
      last = page.last;
      start = page.nextStartTime ?? start;
    }
    let read = 0;
    let accepted = 0;
    for (const sessionId of [...new Set(sessions)]) {
      const messages = [];
      let lastMsg: string | undefined;
      let mStart = since;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await this.api.messageList(sellerId, { sessionId, startTime: mStart, lastMessageId: lastMsg });
        messages.push(...page.items);
        if (!page.hasMore || !page.last) break;
        lastMsg = page.last;
        mStart = page.nextStartTime ?? mStart;
      }
      messages.sort((a, b) => (a.send_time ?? 0) - (b.send_time ?? 0));
      for (const raw of messages) {
        if (raw.send_time !== undefined && raw.send_time < since) continue;
        read++;
        const n = normalizeMessage(sellerId, { session_id: sessionId, ...raw });
        if (n.kind !== 'message') continue;
        const r = await this.handle(ctx, n.message);
        if (r.status === 'accepted') accepted++;
      }
    }
    return { read, accepted };
  }

  // ---------------------------------------------------------------- authorization

  private async oauthCallback(req: Request, res: Response): Promise<void> {
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    if (!code)
      throw new HttpError(
        400,
        'invalid_request',
        'code query parameter is required (Lazada redirects here after the seller authorizes the app)',
      );
    try {
      const sellers = await this.api.authorize(code);
      res.status(200).json({
        ok: true,
        sellers: sellers.map((s) => ({ sellerId: s.sellerId, country: s.country, shopId: this.shopFor(s.sellerId) ?? null })),
      });
    } catch (e) {
      if (!(e instanceof LazadaApiError)) throw e;
      this.log('lazada authorization failed', { code: e.code, error: e.message });
      if (!e.retryable) throw new HttpError(400, 'authorization_failed', `Lazada refused the authorization code: ${e.message}`);
      throw new HttpError(502, 'authorization_failed', e.message);
    }
  }
}
