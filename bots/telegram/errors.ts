/**
 * Bot API refusals → ChannelSendError (see bots/channel.ts). The Bot API answers
 * `{"ok":false,"error_code":N,"description":"…","parameters":{"retry_after":S}}`
 * (https://core.telegram.org/bots/api#making-requests, #responseparameters); grammy throws it as
 * GrammyError, and network failures as HttpError.
 */
import { GrammyError, HttpError } from 'grammy';
import { ChannelSendError } from '../channel.js';

export function telegramSendError(e: unknown): unknown {
  if (e instanceof GrammyError) {
    const code = String(e.error_code);
    const desc = e.description;
    // Flood control: "Too Many Requests: retry after N" with parameters.retry_after (seconds).
    if (e.error_code === 429) return new ChannelSendError('telegram', code, desc, true, (e.parameters.retry_after ?? 1) * 1000);
    // "Forbidden: bot was blocked by the user", "…user is deactivated", "…bot was kicked from the group chat":
    // nothing will change by retrying.
    if (e.error_code === 403) return new ChannelSendError('telegram', code, desc, false);
    // "Bad Request: chat not found", "…message is too long", "…group chat was upgraded to a supergroup chat"
    // (parameters.migrate_to_chat_id): the same request fails again.
    if (e.error_code === 400) return new ChannelSendError('telegram', code, desc, false);
    // 401/404: the bot token is wrong or revoked — an operator fixes the configuration, then retries succeed.
    // 5xx: Telegram's side. Both retry with the activity's backoff.
    return new ChannelSendError('telegram', code, desc, e.error_code === 401 || e.error_code === 404 || e.error_code >= 500);
  }
  if (e instanceof HttpError) return new ChannelSendError('telegram', 'network', e.message, true);
  return e;
}
