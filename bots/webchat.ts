/**
 * Web chat channel.
 *
 *   GET  /chat?shop=ID                         the one-page chat UI
 *   POST /webchat/:shopId/messages             {buyerId, messageId, text} → 202 {status, workflowId}
 *   GET  /webchat/:shopId/events?buyerId=ID    server-sent events: replies as `event: message`
 *
 * Replies are read from MongoDB (the send activity records every outbound message before it calls
 * send), so the stream works across processes and resumes with Last-Event-ID. `send` only wakes the
 * streams of this process at once; other processes pick the message up on their next poll.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import mongoose from 'mongoose';
import { z } from 'zod';
import { MessageModel } from '../models/message.js';
import { ShopModel } from '../models/shop.js';
import { conversationWorkflowId, type ChannelAdapter, type ConversationRef, type GatewayContext, type OutboundMessage } from './channel.js';
import { HttpError, validationError } from './http-errors.js';

const postBody = z.object({
  buyerId: z
    .string({ required_error: 'buyerId is required', invalid_type_error: 'buyerId must be a string' })
    .trim()
    .min(1, 'buyerId is required')
    .max(128)
    .regex(/^[\w.@:-]+$/, 'buyerId may contain letters, digits and . _ @ : - only'),
  messageId: z
    .string({
      required_error: 'messageId is required (a client-generated id; resending the same id is safe)',
      invalid_type_error: 'messageId must be a string',
    })
    .trim()
    .min(1, 'messageId is required (a client-generated id; resending the same id is safe)')
    .max(128),
  text: z
    .string({ required_error: 'text is required', invalid_type_error: 'text must be a string' })
    .trim()
    .min(1, 'text must not be empty')
    .max(4096, 'text is longer than 4096 characters'),
});

/** The dedupe key of a web chat message: the client's messageId, scoped to its shop and buyer. */
export function webchatExternalId(shopId: string, buyerId: string, messageId: string): string {
  return `${shopId}:${buyerId}:${messageId}`;
}

export interface WebchatOptions {
  /** Poll interval for replies written by other processes (SORA_WEBCHAT_POLL_MS). */
  pollMs?: number;
  /** SSE keep-alive comment interval. */
  keepAliveMs?: number;
}

const UI_PATH = fileURLToPath(new URL('../web/webchat.html', import.meta.url));

export class WebchatAdapter implements ChannelAdapter {
  readonly id = 'webchat';
  private readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly streams = new Set<Response>();
  private readonly pollMs: number;
  private readonly keepAliveMs: number;

  constructor(opts: WebchatOptions = {}) {
    this.pollMs = opts.pollMs ?? 1000;
    this.keepAliveMs = opts.keepAliveMs ?? 15_000;
  }

  async start(ctx: GatewayContext): Promise<void> {
    const ui = await readFile(UI_PATH, 'utf8');
    ctx.app.get(['/chat', '/'], (_req, res) => {
      res.type('html').send(ui);
    });
    ctx.app.post('/webchat/:shopId/messages', async (req, res) => {
      const shopId = await this.requireShop(req);
      const parsed = postBody.safeParse(req.body ?? {});
      if (!parsed.success) throw validationError(parsed.error);
      const { buyerId, messageId, text } = parsed.data;
      const result = await ctx.intake.accept({
        channel: 'webchat',
        shopId,
        buyerId,
        // Client-generated ids are only unique per buyer: scope them, or two browsers that both
        // send "m1" would see the second message dropped as a redelivery.
        externalId: webchatExternalId(shopId, buyerId, messageId),
        text,
        receivedAt: new Date().toISOString(),
        raw: { userAgent: req.get('user-agent') ?? null },
      });
      res.status(result.status === 'accepted' ? 202 : 200).json({ ...result, externalId: messageId });
    });
    ctx.app.get('/webchat/:shopId/events', async (req, res) => {
      const shopId = await this.requireShop(req);
      const buyerId = typeof req.query.buyerId === 'string' ? req.query.buyerId : '';
      if (!buyerId) throw new HttpError(400, 'invalid_request', 'buyerId query parameter is required');
      await this.stream(req, res, shopId, buyerId);
    });
  }

  async send(to: ConversationRef, _msg: OutboundMessage): Promise<{ externalId: string }> {
    this.bus.emit(to.workflowId);
    return { externalId: `webchat-${randomUUID()}` };
  }

  async stop(): Promise<void> {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  private async requireShop(req: Request): Promise<string> {
    const shopId = String(req.params.shopId ?? '');
    if (!(await ShopModel.exists({ shopId }))) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
    return shopId;
  }

  private async stream(req: Request, res: Response, shopId: string, buyerId: string): Promise<void> {
    const workflowId = conversationWorkflowId({ shopId, channel: 'webchat', buyerId });
    let cursor: mongoose.Types.ObjectId | null = null;
    const resume = req.get('last-event-id') ?? (typeof req.query.after === 'string' ? req.query.after : undefined);
    if (resume) {
      if (!mongoose.isValidObjectId(resume)) throw new HttpError(400, 'invalid_request', 'Last-Event-ID / after is not a message id');
      cursor = new mongoose.Types.ObjectId(resume);
    } else {
      const newest = await MessageModel.findOne({ workflowId, direction: 'out' }, { _id: 1 }).sort({ _id: -1 }).lean();
      cursor = newest?._id ?? null;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    this.streams.add(res);

    let busy = false;
    let again = false;
    const flush = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const filter: Record<string, unknown> = { workflowId, direction: 'out' };
          if (cursor) filter._id = { $gt: cursor };
          const rows = await MessageModel.find(filter).sort({ _id: 1 }).limit(100).lean();
          for (const m of rows) {
            cursor = m._id;
            const data = {
              id: String(m._id),
              text: m.text,
              author: m.author,
              language: m.language,
              quickReplies: m.quickReplies,
              at: m.createdAt,
            };
            res.write(`id: ${String(m._id)}\nevent: message\ndata: ${JSON.stringify(data)}\n\n`);
          }
        } while (again);
      } catch {
        // MongoDB hiccup: the next wake-up or poll tries again from the same cursor.
      } finally {
        busy = false;
      }
    };
    const wake = () => void flush();
    this.bus.on(workflowId, wake);
    const poll = setInterval(wake, this.pollMs);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.keepAliveMs);
    const close = () => {
      clearInterval(poll);
      clearInterval(keepAlive);
      this.bus.off(workflowId, wake);
      this.streams.delete(res);
    };
    req.on('close', close);
    await flush();
  }
}
