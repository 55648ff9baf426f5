/**
 * Web chat channel.
 *
 *   GET  /chat?shop=ID                         the one-page chat UI
 *   GET  /webchat/widget.js                    the embeddable widget (web/widget.js; embed.ts: CORS, caching)
 *   GET  /webchat/shopify-proxy/identity       Shopify app proxy → {customerId, customerHash} (shopify-proxy.ts)
 *   POST /webchat/:shopId/sessions             {} | {customerId, customerHash} → 201 {token, buyerId, kind, expiresAt}
 *   POST /webchat/:shopId/messages             Bearer token; {messageId, text, attachments?: [{id}]} → 202 {status, workflowId}
 *   POST /webchat/:shopId/attachments          Bearer token; raw image/PDF body → 201 {id, url, mimeType, size} (attachments.ts)
 *   GET  /webchat/:shopId/attachments/:id      Bearer token; the buyer's own upload
 *   GET  /webchat/:shopId/events               Bearer token; server-sent events: replies as `event: message`
 *
 * The buyer is the session's (sessions.ts): a body `buyerId` is ignored when it is the session's
 * own and refused (403) when it is another. Posts and session creation are rate limited per
 * buyer and per client address; open streams are capped per buyer and per process.
 *
 * Replies are read from MongoDB (the send activity records every outbound message before it calls
 * send), so the stream works across processes and resumes with Last-Event-ID. `send` wakes this
 * process's reply feed at once; other processes' feeds pick the message up on their next poll.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Request } from 'express';
import { z } from 'zod';
import { ShopModel } from '../../models/shop.js';
import { sweepUnsentAttachments } from '../../models/webchat-attachment.js';
import { defaultSecretBox, type SecretBox } from '../../infra/secrets/index.js';
import { webchatSpec, type ShopifySettings, type WebchatSettings } from '../../infra/config/index.js';
import {
  conversationWorkflowId,
  type ChannelAdapter,
  type ConversationRef,
  type GatewayContext,
  type OutboundMessage,
} from '../channel.js';
import { HttpError, validationError } from '../http-errors.js';
import { limitRequests } from '../rate-limit.js';
import { buyerAttachment, MAX_PER_MESSAGE, messageAttachments, rawBody, sendAttachment, storeUpload } from './attachments.js';
import { mountEmbed } from './embed.js';
import { mountShopifyProxy } from './shopify-proxy.js';
import { callerOf, createSession, requireSession } from './sessions.js';
import { ReplyStreams } from './stream.js';

const postBody = z.object({
  /** Optional and redundant: the buyer is the session's. */
  buyerId: z.string({ invalid_type_error: 'buyerId must be a string' }).optional(),
  messageId: z
    .string({
      required_error: 'messageId is required (a client-generated id; resending the same id is safe)',
      invalid_type_error: 'messageId must be a string',
    })
    .trim()
    .min(1, 'messageId is required (a client-generated id; resending the same id is safe)')
    .max(128),
  text: z.string({ invalid_type_error: 'text must be a string' }).trim().max(4096, 'text is longer than 4096 characters').default(''),
  attachments: z
    .array(
      z.object({
        id: z
          .string({ required_error: 'each attachment needs its id (from POST /attachments)', invalid_type_error: 'id must be a string' })
          .min(1)
          .max(64),
      }),
      { invalid_type_error: 'attachments must be an array of {id}' },
    )
    .max(MAX_PER_MESSAGE, `at most ${MAX_PER_MESSAGE} attachments per message`)
    .default([]),
});

/**
 * A message needs text or an attachment. Checked apart from postBody so the problem is named
 * together with the others (an object refinement only runs once every field is valid).
 */
function emptyMessage(body: unknown): z.ZodIssue[] {
  const b = (body ?? {}) as { text?: unknown; attachments?: unknown };
  const hasText = typeof b.text === 'string' ? b.text.trim().length > 0 : b.text !== undefined;
  const hasAttachments = Array.isArray(b.attachments) && b.attachments.length > 0;
  return hasText || hasAttachments
    ? []
    : [{ code: 'custom', path: ['text'], message: 'text must not be empty (unless the message has attachments)' }];
}

/** The dedupe key of a web chat message: the client's messageId, scoped to its shop and buyer. */
export function webchatExternalId(shopId: string, buyerId: string, messageId: string): string {
  return `${shopId}:${buyerId}:${messageId}`;
}

/** The web chat settings (infra/config/channels.ts, SORA_WEBCHAT_*); unset ones take their defaults. */
export interface WebchatOptions extends Partial<WebchatSettings> {
  /** Opens the shops' sealed identity secrets (infra/secrets); default: the default configuration's box. */
  secrets?: SecretBox;
  /** SSE keep-alive comment interval. */
  keepAliveMs?: number;
  /** Shopify stores + app secret (config.shopify): with an app secret, the app proxy identity route (shopify-proxy.ts). */
  shopify?: ShopifySettings;
}

/** The defaults of every SORA_WEBCHAT_* setting. */
export const WEBCHAT_DEFAULTS: WebchatSettings = webchatSpec.parse({});

/** How long a shop found to exist is not looked up again (WebchatAdapter.requireShop). */
const SHOP_KNOWN_MS = 5 * 60_000;
/** At most this many shops remembered; past it the memory starts over. */
const KNOWN_SHOPS_KEPT = 10_000;

const UI_PATH = fileURLToPath(new URL('../../web/webchat.html', import.meta.url));

export class WebchatAdapter implements ChannelAdapter {
  readonly id = 'webchat';
  /** The reply stream reads the recorded outbound messages (stream.ts): recording a reply delivers it; send() only wakes the streams. */
  readonly deliversFromRecord = true;
  private readonly settings: WebchatSettings;
  private readonly streams: ReplyStreams;

  private readonly secrets?: SecretBox;
  private readonly shopify?: ShopifySettings;

  constructor(opts: WebchatOptions = {}) {
    this.secrets = opts.secrets;
    this.shopify = opts.shopify;
    const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    this.settings = { ...WEBCHAT_DEFAULTS, ...defined };
    this.streams = new ReplyStreams({
      pollMs: this.settings.pollMs,
      keepAliveMs: opts.keepAliveMs ?? 15_000,
      perBuyer: this.settings.streamsPerBuyer,
      perProcess: this.settings.streamsPerProcess,
    });
  }

  async start(ctx: GatewayContext): Promise<void> {
    const s = this.settings;
    const ui = await readFile(UI_PATH, 'utf8');
    const auth = requireSession(s.sessionTtlMs);
    const shop = async (req: Request, _res: unknown, next: () => void) => {
      await this.requireShop(req);
      next();
    };
    await mountEmbed(ctx.app);
    this.startSweep(ctx.log);
    if (this.shopify?.appSecret) mountShopifyProxy(ctx.app, this.shopify, () => this.secrets ?? defaultSecretBox(), ctx.log);
    ctx.app.get(['/chat', '/'], (_req, res) => {
      res.type('html').send(ui);
    });
    ctx.app.post(
      '/webchat/:shopId/sessions',
      limitRequests({ max: s.sessionsPerMinPerAddress, what: 'new web chat sessions per client address' }),
      shop,
      async (req, res) => {
        const session = await createSession(String(req.params.shopId), req.body, s.sessionTtlMs, this.secrets ?? defaultSecretBox());
        ctx.log('webchat session created', { shopId: req.params.shopId, kind: session.kind });
        res.status(201).json(session);
      },
    );
    ctx.app.post(
      '/webchat/:shopId/messages',
      limitRequests({ max: s.postsPerMinPerAddress, what: 'web chat messages per client address' }),
      shop,
      auth,
      limitRequests({
        max: s.postsPerMinPerSession,
        what: 'messages per buyer',
        key: (_req, res) => `buyer:${callerOf(res).shopId}:${callerOf(res).buyerId}`,
      }),
      async (req, res) => {
        const { shopId, buyerId } = callerOf(res);
        const parsed = postBody.safeParse(req.body ?? {});
        const empty = emptyMessage(req.body);
        if (!parsed.success || empty.length)
          throw validationError(new z.ZodError([...(parsed.success ? [] : parsed.error.issues), ...empty]));
        const { messageId, text } = parsed.data;
        if (parsed.data.buyerId !== undefined && parsed.data.buyerId !== buyerId)
          throw new HttpError(403, 'buyer_mismatch', 'buyerId is not the buyer of this session; omit it (the session decides the buyer)');
        const attachments = await messageAttachments(shopId, buyerId, parsed.data.attachments);
        const result = await ctx.intake.accept({
          channel: 'webchat',
          shopId,
          buyerId,
          // Client-generated ids are only unique per buyer: scope them, or two browsers that both
          // send "m1" would see the second message dropped as a redelivery.
          externalId: webchatExternalId(shopId, buyerId, messageId),
          text,
          ...(attachments.length ? { attachments } : {}),
          receivedAt: new Date().toISOString(),
          raw: { userAgent: req.get('user-agent') ?? null },
        });
        res.status(result.status === 'accepted' ? 202 : 200).json({ ...result, externalId: messageId });
      },
    );
    const perBuyer = (what: string) =>
      limitRequests({
        max: s.postsPerMinPerSession,
        what,
        key: (_req, res) => `buyer:${callerOf(res).shopId}:${callerOf(res).buyerId}:${what}`,
      });
    ctx.app.post(
      '/webchat/:shopId/attachments',
      limitRequests({ max: s.postsPerMinPerAddress, what: 'web chat uploads per client address' }),
      shop,
      auth,
      perBuyer('uploads per buyer'),
      rawBody(s.attachmentMaxBytes),
      async (req, res) => {
        const { shopId, buyerId } = callerOf(res);
        const stored = await storeUpload(shopId, buyerId, req);
        ctx.log('webchat attachment stored', { shopId, mimeType: stored.mimeType, size: stored.size });
        res.status(201).json(stored);
      },
    );
    ctx.app.get('/webchat/:shopId/attachments/:id', shop, auth, async (req, res) => {
      const { shopId, buyerId } = callerOf(res);
      sendAttachment(res, await buyerAttachment(shopId, buyerId, String(req.params.id)));
    });
    ctx.app.get('/webchat/:shopId/events', shop, auth, async (req, res) => {
      const { shopId, buyerId } = callerOf(res);
      await this.streams.serve(req, res, conversationWorkflowId({ shopId, channel: 'webchat', buyerId }));
    });
  }

  async send(to: ConversationRef, _msg: OutboundMessage): Promise<{ externalId: string }> {
    this.streams.bus.emit(to.workflowId);
    return { externalId: `webchat-${randomUUID()}` };
  }

  async stop(): Promise<void> {
    this.streams.closeAll();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private sweepTimer: NodeJS.Timeout | undefined;

  /** Uploads the buyer never sent go after SORA_WEBCHAT_ATTACHMENT_TTL: swept every quarter of it (at most hourly). */
  private startSweep(log: GatewayContext['log']): void {
    const ttl = this.settings.attachmentUnsentTtlMs;
    const sweep = () =>
      sweepUnsentAttachments(new Date(Date.now() - ttl))
        .then((n) => n > 0 && log('web chat uploads never sent, deleted', { count: n }))
        .catch((e: unknown) => log('web chat upload sweep failed', { error: String(e) }));
    this.sweepTimer = setInterval(sweep, Math.min(ttl / 4, 3_600_000));
    this.sweepTimer.unref();
  }

  /**
   * Shops known to exist, until when (in-process, SHOP_KNOWN_MS): every post, stream and session
   * request checks its shop, and a shop is never deleted by sora itself (only by hand in the
   * database), so a positive answer is reused for a short while instead of one query per request.
   * An unknown shop is not cached: a shop created meanwhile is found at once.
   */
  private readonly knownShops = new Map<string, number>();

  private async requireShop(req: Request): Promise<string> {
    const shopId = String(req.params.shopId ?? '');
    const now = Date.now();
    if ((this.knownShops.get(shopId) ?? 0) > now) return shopId;
    if (!(await ShopModel.exists({ shopId }))) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
    if (this.knownShops.size >= KNOWN_SHOPS_KEPT) this.knownShops.clear();
    this.knownShops.set(shopId, now + SHOP_KNOWN_MS);
    return shopId;
  }
}
