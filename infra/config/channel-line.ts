/**
 * Settings of the `line` channel (LINE Messaging API): one LINE Messaging API channel per shop,
 * each with its channel secret (webhook signatures) and channel access token (sends). Registered in
 * CHANNEL_SPECS (channels.ts); the adapter is bots/line/.
 */
import { z } from 'zod';
import { parseDuration, type Env } from './fields.js';

export interface LineChannel {
  /** Our shop this LINE Official Account answers for. */
  shopId: string;
  /** Channel secret (LINE Developers Console → Basic settings): the HMAC key of x-line-signature. */
  secret: string;
  /** Channel access token (Messaging API tab): Bearer token of reply/push. */
  accessToken: string;
}

export interface LineSettings {
  channels: LineChannel[];
  /** Messaging API host (reply, push). */
  apiUrl: string;
  /** Content host (media a user sent: /v2/bot/message/{id}/content). */
  dataUrl: string;
  /** A reply token older than this (from the event's timestamp) is not tried: push instead. */
  replyWindowMs: number;
}

const LINE = 'line';
const SHOP_ID = /^[\w.-]{1,64}$/;

/**
 * `shopId:channelSecret:channelAccessToken,…`. Secrets and tokens contain no ':' or ',' (hex and
 * base64), so the first two ':' split an entry. Returns the channels, or the problems.
 */
export function parseLineChannels(raw: string | undefined): { channels: LineChannel[]; problems: string[] } {
  const channels: LineChannel[] = [];
  const problems: string[] = [];
  if (!raw?.trim())
    return { channels, problems: ['SORA_LINE_CHANNELS is required when line is enabled (shopId:channelSecret:channelAccessToken,…)'] };
  for (const [i, part] of raw.split(',').entries()) {
    const item = part.trim();
    if (!item) continue;
    const first = item.indexOf(':');
    const second = item.indexOf(':', first + 1);
    const shopId = first > 0 ? item.slice(0, first).trim() : '';
    const secret = second > first ? item.slice(first + 1, second).trim() : '';
    const accessToken = second > 0 ? item.slice(second + 1).trim() : '';
    // Never echo the entry itself: it holds the secret and the token.
    if (!shopId || !secret || !accessToken) {
      problems.push(`entry ${i + 1} is not of the form shopId:channelSecret:channelAccessToken`);
      continue;
    }
    if (!SHOP_ID.test(shopId)) {
      problems.push(`entry ${i + 1}: shop id "${shopId.slice(0, 64)}" may contain letters, digits and . _ - only`);
      continue;
    }
    if (accessToken.includes(':')) {
      problems.push(`entry ${i + 1} (${shopId}): the channel access token must not contain ':'`);
      continue;
    }
    if (channels.some((c) => c.shopId === shopId)) problems.push(`shop "${shopId}" is listed twice`);
    else if (channels.some((c) => c.secret === secret))
      problems.push(`entry ${i + 1} (${shopId}): the same channel secret is listed for two shops (webhooks could not be told apart)`);
    else channels.push({ shopId, secret, accessToken });
  }
  if (channels.length === 0 && problems.length === 0) problems.push('list at least one shopId:channelSecret:channelAccessToken');
  return { channels, problems };
}

const url = (name: string, fallback: string) => z.string().trim().url(`${name} must be a URL such as ${fallback}`).default(fallback);

const lineSchema = z.object({
  SORA_LINE_CHANNELS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const { channels, problems } = parseLineChannels(raw);
      for (const p of problems) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
      return channels;
    }),
  SORA_LINE_API_URL: url('SORA_LINE_API_URL', 'https://api.line.me'),
  SORA_LINE_DATA_URL: url('SORA_LINE_DATA_URL', 'https://api-data.line.me'),
  SORA_LINE_REPLY_WINDOW: z
    .string()
    .default('50s')
    .transform((raw, ctx) => {
      const r = parseDuration(raw);
      if (r.ok && r.value <= 60_000) return r.value;
      ctx.addIssue({ code: 'custom', message: r.ok ? `must be at most 1m: LINE reply tokens expire (got "${raw}")` : r.message });
      return z.NEVER;
    }),
});

/** The `line` channel's settings from its variables. */
export function lineConfig(env: Env): LineSettings {
  const e = lineSchema.parse(env);
  return {
    channels: e.SORA_LINE_CHANNELS,
    apiUrl: e.SORA_LINE_API_URL.replace(/\/+$/, ''),
    dataUrl: e.SORA_LINE_DATA_URL.replace(/\/+$/, ''),
    replyWindowMs: e.SORA_LINE_REPLY_WINDOW,
  };
}

/** The ChannelSpec of `line` (typed where it is registered, channels.ts). */
export const lineSpec = {
  id: LINE,
  summary: 'LINE Messaging API via @line/bot-sdk (webhook POST /webhooks/line or /webhooks/line/:shopId; one LINE channel per shop)',
  vars: {
    SORA_LINE_CHANNELS: {
      kind: '`shopId:channelSecret:channelAccessToken,…`',
      description:
        'one LINE Messaging API channel per shop (required): the channel secret checks x-line-signature, the long-lived channel access token sends',
      secret: true,
    },
    SORA_LINE_API_URL: { kind: 'URL', default: 'https://api.line.me', description: 'Messaging API host (reply and push messages)' },
    SORA_LINE_DATA_URL: {
      kind: 'URL',
      default: 'https://api-data.line.me',
      description: "content host: attachments point at a user's media there (fetching needs the channel access token)",
    },
    SORA_LINE_REPLY_WINDOW: {
      kind: 'duration',
      default: '50s',
      description:
        'answer with the free reply token while the event is younger than this (≤ 1m), else push (counts toward the message quota)',
    },
  },
  parse: lineConfig,
};
