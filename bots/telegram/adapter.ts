/**
 * Telegram channel (grammy). One bot token serves one shop.
 *
 *   webhook mode (production):  POST /telegram/:shopId/webhook
 *       Telegram sends each Update here with the header X-Telegram-Bot-Api-Secret-Token, which must
 *       equal SORA_TELEGRAM_WEBHOOK_SECRET (else 401). 200 = handled or deliberately ignored;
 *       503 = recorded but Temporal is down (Telegram redelivers; intake dedupes).
 *       With SORA_TELEGRAM_WEBHOOK_URL set, start() registers the webhook (setWebhook).
 *   polling mode (local use):   getUpdates long polling via grammy's bot.start(); stop() ends it.
 *       A recorded message whose signal failed (Temporal down) is signalled later by the relay;
 *       recording itself is retried a few times, since a polled update cannot be asked for again.
 *
 * Outbound: sendMessage, quick replies as a one-time reply keyboard; a `typing` chat action is sent
 * when a buyer message is accepted (it shows until the answer arrives or 5 s pass).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Bot, BotError, webhookCallback, type Context } from 'grammy';
import type { ReplyKeyboardMarkup, UserFromGetMe } from 'grammy/types';
import { replyAddress } from '../contacts.js';
import type { ChannelAdapter, ConversationRef, GatewayContext, InboundMessage, OutboundMessage } from '../channel.js';
import { TemporalUnavailableError } from '../intake.js';
import { HttpError } from '../http-errors.js';
import { telegramSendError } from './errors.js';
import { messageShapeProblem, normalizeUpdate, updateKind, type GroupChats, type TelegramReplyTo } from './normalize.js';

export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';
/** Telegram's limit for one text message (https://core.telegram.org/bots/api#sendmessage). */
export const MAX_TEXT = 4096;

export interface TelegramOptions {
  token: string;
  shopId: string;
  mode: 'webhook' | 'polling';
  /** Required in webhook mode: 1–256 characters A-Z a-z 0-9 _ - (setWebhook's secret_token). */
  webhookSecret?: string;
  /** Public HTTPS URL of this gateway's webhook route; when set, start() calls setWebhook with it. */
  webhookUrl?: string;
  /** Bot API server (default https://api.telegram.org; a local telegram-bot-api server or a test double). */
  apiRoot?: string;
  groupChats?: GroupChats;
  /** Send the `typing` chat action when a buyer message is accepted (default true). */
  typing?: boolean;
  /** getUpdates long-poll timeout in seconds (polling mode, default 30). */
  pollTimeoutSeconds?: number;
}

export class TelegramAdapter implements ChannelAdapter {
  readonly id = 'telegram';
  readonly bot: Bot;
  private me: UserFromGetMe | undefined;
  private polling: Promise<void> | undefined;
  private log: GatewayContext['log'] = () => {};

  constructor(private readonly opts: TelegramOptions) {
    if (opts.mode === 'webhook' && !opts.webhookSecret) throw new Error('webhook mode needs a webhook secret');
    this.bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot ?? 'https://api.telegram.org' } });
  }

  /** The webhook route of this adapter's shop. */
  get webhookPath(): string {
    return `/telegram/${encodeURIComponent(this.opts.shopId)}/webhook`;
  }

  async start(ctx: GatewayContext): Promise<void> {
    this.log = ctx.log;
    this.bot.use((c) => this.onUpdate(c, ctx));
    await this.bot.init(); // getMe: fails fast on a wrong token or an unreachable Bot API
    this.me = this.bot.botInfo;
    ctx.log('telegram bot ready', { bot: this.me.username, shopId: this.opts.shopId, mode: this.opts.mode });

    if (this.opts.mode === 'webhook') {
      const secret = this.opts.webhookSecret!;
      const callback = webhookCallback(this.bot, 'express', { secretToken: secret, onTimeout: 'throw', timeoutMilliseconds: 25_000 });
      ctx.app.post('/telegram/:shopId/webhook', async (req: Request, res: Response, next: NextFunction) => {
        if (req.params.shopId !== this.opts.shopId)
          throw new HttpError(404, 'unknown_shop', `no Telegram bot for shop "${String(req.params.shopId)}"`);
        const given = req.get(SECRET_HEADER);
        if (!given) throw new HttpError(401, 'unauthorized', `missing ${SECRET_HEADER} header (secret_token of setWebhook)`);
        if (!sameSecret(given, secret)) throw new HttpError(401, 'unauthorized', `wrong ${SECRET_HEADER}`);
        const b = req.body as { update_id?: unknown } | undefined;
        if (typeof b !== 'object' || b === null || !Number.isInteger(b.update_id))
          throw new HttpError(400, 'invalid_update', 'the body is not a Telegram Update (no integer update_id)');
        const problem = messageShapeProblem(b as { message?: unknown });
        if (problem) throw new HttpError(400, 'invalid_update', `the body is not a Telegram Update: ${problem}`);
        try {
          await callback(req, res);
        } catch (e) {
          // Middleware errors come wrapped; the gateway's error handler needs the cause (TemporalUnavailableError → 503).
          next(e instanceof BotError ? e.error : e);
        }
      });
      if (this.opts.webhookUrl) {
        await this.bot.api.setWebhook(this.opts.webhookUrl, { secret_token: secret, allowed_updates: ['message'] });
        ctx.log('telegram webhook registered', { url: this.opts.webhookUrl });
      }
      return;
    }

    // Polling: errors of one update are logged and polling goes on (grammy would stop the bot otherwise).
    this.bot.catch((err) => ctx.log('telegram update failed', { updateId: err.ctx.update.update_id, error: String(err.error) }));
    await new Promise<void>((resolve, reject) => {
      this.polling = this.bot.start({
        allowed_updates: ['message'],
        timeout: this.opts.pollTimeoutSeconds ?? 30,
        drop_pending_updates: false,
        onStart: () => resolve(),
      });
      this.polling.catch((e: unknown) => {
        ctx.log('telegram polling stopped with an error', { error: String(e) });
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  private async onUpdate(c: Context, ctx: GatewayContext): Promise<void> {
    const n = normalizeUpdate(c.update, { shopId: this.opts.shopId, me: this.me ?? c.me, groupChats: this.opts.groupChats ?? 'ignore' });
    if (n.kind === 'ignore') {
      ctx.log('telegram update ignored', { updateId: c.update.update_id, kind: updateKind(c.update), reason: n.reason });
      return;
    }
    const result = this.opts.mode === 'polling' ? await this.acceptPolled(n.message, ctx) : await ctx.intake.accept(n.message);
    ctx.log('telegram message', { externalId: n.message.externalId, status: result.status, workflowId: result.workflowId });
    if (result.status === 'accepted' && this.opts.typing !== false) {
      const to = n.message.replyTo as TelegramReplyTo;
      this.bot.api
        .sendChatAction(to.chatId, 'typing', to.messageThreadId !== undefined ? { message_thread_id: to.messageThreadId } : {})
        .catch((e: unknown) => ctx.log('telegram typing action failed', { chatId: to.chatId, error: String(e) }));
    }
  }

  /**
   * Polling confirms an update by asking for the next ones, whatever our handler did. So a failure
   * to record (MongoDB blip) is retried here a few times before the update is given up (logged);
   * TemporalUnavailableError needs no retry: the message is recorded and the relay signals it.
   */
  private async acceptPolled(m: InboundMessage, ctx: GatewayContext) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ctx.intake.accept(m);
      } catch (e) {
        if (e instanceof TemporalUnavailableError) throw e;
        if (attempt >= 5) {
          ctx.log('telegram update dropped: could not record it', { externalId: m.externalId, error: String(e) });
          throw e;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    const addr = await replyAddress<TelegramReplyTo>(to);
    const chunks = splitText(msg.text, MAX_TEXT);
    let lastId = 0;
    try {
      for (let i = 0; i < chunks.length; i++) {
        const last = i === chunks.length - 1;
        const sent = await this.bot.api.sendMessage(addr.chatId, chunks[i]!, {
          ...(addr.messageThreadId !== undefined ? { message_thread_id: addr.messageThreadId } : {}),
          ...(addr.replyToMessageId !== undefined && i === 0
            ? { reply_parameters: { message_id: addr.replyToMessageId, allow_sending_without_reply: true } }
            : {}),
          ...(last && msg.quickReplies?.length
            ? { reply_markup: replyKeyboard(msg.quickReplies, addr.replyToMessageId !== undefined) }
            : {}),
        });
        lastId = sent.message_id;
      }
    } catch (e) {
      const mapped = telegramSendError(e);
      this.log('telegram send failed', { chatId: addr.chatId, error: String(mapped) });
      throw mapped;
    }
    return { externalId: `${addr.chatId}:${lastId}` };
  }

  async stop(): Promise<void> {
    if (this.bot.isRunning()) await this.bot.stop();
    await this.polling?.catch(() => undefined);
    this.polling = undefined;
  }
}

/** Constant-time comparison (hashes first, so lengths leak nothing either). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** Quick replies as a one-time reply keyboard, one button a row (long labels stay readable on phones). */
export function replyKeyboard(labels: string[], selective: boolean): ReplyKeyboardMarkup {
  return {
    keyboard: labels.map((text) => [{ text }]),
    one_time_keyboard: true,
    resize_keyboard: true,
    ...(selective ? { selective: true } : {}),
  };
}

/** Split at the last newline (else space) before the limit, so no message exceeds Telegram's 4096 characters. */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  out.push(rest);
  return out;
}
