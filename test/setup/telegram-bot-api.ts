/**
 * A local HTTP server that speaks the Telegram Bot API (https://core.telegram.org/bots/api) for the
 * methods the adapter uses: `POST {root}/bot{token}/{method}` with a JSON (or form) body, answered
 * `{"ok":true,"result":…}` or `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`.
 *
 *   getMe, sendMessage, sendChatAction, getUpdates (long polling with offset/timeout/limit),
 *   setWebhook, deleteWebhook, getWebhookInfo
 *
 * Like the real server: a wrong token answers 401 Unauthorized, getUpdates while a webhook is set
 * answers 409, sendMessage checks chat_id and text (1–4096 characters). Tests read `calls` and
 * queue failures with `failNext`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
  /** HTTP status answered (set once answered). */
  status?: number;
}

export interface BotApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface LocalBotApi {
  apiRoot: string;
  token: string;
  bot: { id: number; username: string; first_name: string };
  calls: BotApiCall[];
  /** The next call of `method` fails with this error (queue; one per call). */
  failNext(method: string, err: BotApiError): void;
  /** Run `hook` when the next call of `method` has been accepted, before it is answered (once). */
  beforeAnswer(method: string, hook: () => Promise<void>): void;
  /** Make an update available to getUpdates (polling mode). */
  queueUpdate(update: Record<string, unknown>): void;
  /** Texts sent with sendMessage to this chat, in order. */
  sentTexts(chatId: number): string[];
  webhook(): { url: string; secret_token?: string } | null;
  close(): Promise<void>;
}

export async function startLocalBotApi(
  token: string,
  bot = { id: 7000000001, username: 'demo_shop_bot', first_name: 'Demo Shop' },
): Promise<LocalBotApi> {
  const calls: BotApiCall[] = [];
  const failures = new Map<string, BotApiError[]>();
  const hooks = new Map<string, () => Promise<void>>();
  const updates: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const nextMessageId = new Map<number, number>();
  let webhook: { url: string; secret_token?: string } | null = null;

  const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
  const fail = (e: BotApiError) => ({ status: e.error_code, body: { ok: false, ...e } });

  async function handle(method: string, p: Record<string, unknown>, req: IncomingMessage) {
    const queued = failures.get(method)?.shift();
    if (queued) return fail(queued);
    switch (method) {
      case 'getMe':
        return ok({ ...bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'sendMessage': {
        const chatId = Number(p.chat_id);
        const text = typeof p.text === 'string' ? p.text : '';
        if (!Number.isFinite(chatId)) return fail({ error_code: 400, description: 'Bad Request: chat_id is empty' });
        if (!text) return fail({ error_code: 400, description: 'Bad Request: message text is empty' });
        if (text.length > 4096) return fail({ error_code: 400, description: 'Bad Request: message is too long' });
        const id = (nextMessageId.get(chatId) ?? 1000) + 1;
        nextMessageId.set(chatId, id);
        return ok({
          message_id: id,
          from: { ...bot, is_bot: true },
          chat: chatId > 0 ? { id: chatId, type: 'private', first_name: 'Buyer' } : { id: chatId, type: 'group', title: 'Group' },
          date: Math.floor(Date.now() / 1000),
          text,
          ...(p.reply_markup && typeof p.reply_markup === 'object' && 'inline_keyboard' in p.reply_markup
            ? { reply_markup: p.reply_markup }
            : {}),
        });
      }
      case 'sendChatAction':
        if (!p.chat_id || !p.action) return fail({ error_code: 400, description: 'Bad Request: chat_id is empty' });
        return ok(true);
      case 'setWebhook':
        webhook = { url: String(p.url ?? ''), secret_token: p.secret_token as string | undefined };
        return ok(true);
      case 'deleteWebhook':
        webhook = null;
        if (p.drop_pending_updates) updates.length = 0;
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: updates.length });
      case 'getUpdates': {
        if (webhook)
          return fail({
            error_code: 409,
            description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          });
        const offset = Number(p.offset ?? 0);
        const limit = Math.min(Number(p.limit ?? 100), 100);
        const timeout = Number(p.timeout ?? 0);
        // Confirm: updates below the offset are forgotten.
        for (let i = updates.length - 1; i >= 0; i--) if ((updates[i]!.update_id as number) < offset) updates.splice(i, 1);
        const pick = () => updates.filter((u) => (u.update_id as number) >= offset).slice(0, limit);
        let got = pick();
        if (got.length === 0 && timeout > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, timeout * 1000);
            function done() {
              clearTimeout(t);
              waiters.delete(done);
              req.off('close', done);
              resolve();
            }
            waiters.add(done);
            req.on('close', done);
          });
          got = pick();
        }
        return ok(got);
      }
      default:
        return fail({ error_code: 404, description: 'Not Found: method not found' });
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const m = /^\/bot([^/]+)\/(\w+)$/.exec((req.url ?? '').split('?')[0]!);
        let out: { status: number; body: unknown };
        if (!m) out = fail({ error_code: 404, description: 'Not Found' });
        else if (m[1] !== token) out = fail({ error_code: 401, description: 'Unauthorized' });
        else {
          const raw = Buffer.concat(chunks).toString('utf8');
          const type = req.headers['content-type'] ?? '';
          let params: Record<string, unknown> = {};
          if (raw && type.includes('json')) params = JSON.parse(raw) as Record<string, unknown>;
          else if (raw) params = Object.fromEntries(new URLSearchParams(raw));
          const query = new URL(req.url ?? '/', 'http://x').searchParams;
          for (const [k, v] of query) params[k] ??= v;
          const call: BotApiCall = { method: m[2]!, params };
          calls.push(call);
          out = await handle(m[2]!, params, req);
          const hook = hooks.get(m[2]!);
          if (hook && out.status === 200) {
            hooks.delete(m[2]!);
            await hook();
          }
          call.status = out.status;
        }
        if (res.destroyed) return;
        res.writeHead(out.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out.body));
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    bot,
    calls,
    failNext(method, err) {
      failures.set(method, [...(failures.get(method) ?? []), err]);
    },
    beforeAnswer(method, hook) {
      hooks.set(method, hook);
    },
    queueUpdate(update) {
      updates.push(update);
      for (const w of [...waiters]) w();
    },
    sentTexts: (chatId) =>
      calls
        .filter((c) => c.method === 'sendMessage' && c.status === 200 && Number(c.params.chat_id) === chatId)
        .map((c) => String(c.params.text)),
    webhook: () => webhook,
    async close() {
      for (const w of [...waiters]) w();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
