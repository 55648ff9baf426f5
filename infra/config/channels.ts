/**
 * Channel settings, part of the one configuration schema: `SORA_CHANNELS=webchat,whatsapp,…` and
 * each channel's own variables. Only the enabled channels' variables are validated (a channel that
 * is off needs no token); every problem is reported with the others, prefixed by the channel id.
 * The adapters themselves are built from these settings in bots/channels.ts.
 *
 * Adding a channel = one ChannelSpec here + one factory in bots/channels.ts (docs/adding-a-channel.md).
 */
import { z } from 'zod';
import { optionalEnv, requiredEnv, shopMapEnv } from './channel-fields.js';
import { bytes, parseDuration, present, type Env } from './fields.js';
import { lineSpec } from './channel-line.js';
import { parseEmailAccounts, type EmailAccount } from './email-accounts.js';

/** One variable of a channel, as the generated docs show it. */
export interface ChannelVarDoc {
  kind: string;
  default?: string;
  description: string;
  secret?: boolean;
}

export interface ChannelSpec<C = unknown> {
  /** The id used in SORA_CHANNELS and ConversationRef.channel. */
  id: string;
  /** One line for the docs. */
  summary: string;
  /** The channel's variables (docs; a test checks they are the ones parse() reads). */
  vars: Record<string, ChannelVarDoc>;
  /** Reads and validates this channel's settings; a ZodError names the variables. */
  parse: (env: Env) => C;
}

/** Helper for specs: the settings as a zod object over variable names. */
export function envSchema<T extends z.ZodRawShape>(shape: T) {
  return (env: Env) => z.object(shape).parse(env);
}

/**
 * Parse `schema` and run `crossChecks` (rules between variables) on the raw env, reporting the
 * problems of both at once (a zod refinement would be skipped while any field is invalid).
 */
function parseWithChecks<S extends z.ZodTypeAny>(schema: S, env: Env, crossChecks: (env: Env) => z.IssueData[]): z.output<S> {
  const r = schema.safeParse(env);
  const extra = crossChecks(env).map((i) => ({ ...i, message: i.message ?? 'invalid' }) as z.ZodIssue);
  if (!r.success || extra.length) throw new z.ZodError([...(r.success ? [] : r.error.issues), ...extra]);
  return r.data;
}

const boolNamed = (name: string, dflt: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { errorMap: () => ({ message: `${name} must be true or false` }) })
    .default(dflt ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

// --- webchat -----------------------------------------------------------------------------------

export interface WebchatSettings {
  pollMs: number;
  /** Buyer session lifetime since last use (SORA_WEBCHAT_SESSION_TTL). */
  sessionTtlMs: number;
  /** Messages a minute per buyer session, and per client address. */
  postsPerMinPerSession: number;
  postsPerMinPerAddress: number;
  /** New sessions a minute per client address. */
  sessionsPerMinPerAddress: number;
  /** Open reply streams per buyer, and in this process. */
  streamsPerBuyer: number;
  streamsPerProcess: number;
  /** Largest buyer attachment upload in bytes (SORA_WEBCHAT_ATTACHMENT_MAX). */
  attachmentMaxBytes: number;
  /** An upload no message names is deleted this long after it was uploaded (SORA_WEBCHAT_ATTACHMENT_TTL). */
  attachmentUnsentTtlMs: number;
}

const positiveInt = (dflt: number) =>
  z.coerce
    .number({ invalid_type_error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(dflt);

/** A duration of at least one minute (web chat session and upload lifetimes), in ms. */
const durationOfAMinuteOrMore = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .transform((raw, ctx) => {
      const r = parseDuration(raw);
      if (r.ok && r.value >= 60_000) return r.value;
      ctx.addIssue({ code: 'custom', message: r.ok ? `must be at least 1m (got "${raw}")` : r.message });
      return z.NEVER;
    });

export const webchatSpec: ChannelSpec<WebchatSettings> = {
  id: 'webchat',
  summary: 'web chat page and HTTP API (/chat, /webchat/:shop/…)',
  vars: {
    SORA_WEBCHAT_POLL_MS: {
      kind: 'integer (ms)',
      default: '250',
      description: "how often a process's one reply feed reads replies written by other processes (one query for all its web chat streams)",
    },
    SORA_WEBCHAT_SESSION_TTL: {
      kind: 'duration',
      default: '30d',
      description: 'a buyer session (its token) expires when unused for this long; the buyer then starts a new anonymous one',
    },
    SORA_WEBCHAT_RATE_PER_MIN: {
      kind: 'integer',
      default: '20',
      description: 'messages a minute per buyer session (then 429 + Retry-After)',
    },
    SORA_WEBCHAT_RATE_PER_MIN_PER_ADDRESS: {
      kind: 'integer',
      default: '120',
      description: 'messages a minute per client address, all sessions together (the TCP peer: behind a reverse proxy, raise it)',
    },
    SORA_WEBCHAT_SESSIONS_PER_MIN: { kind: 'integer', default: '20', description: 'new buyer sessions a minute per client address' },
    SORA_WEBCHAT_STREAMS_PER_BUYER: { kind: 'integer', default: '5', description: 'open reply streams per buyer (one per tab; then 429)' },
    SORA_WEBCHAT_STREAMS_MAX: {
      kind: 'integer',
      default: '2000',
      description: 'open reply streams in one process (then 503 + Retry-After)',
    },
    SORA_WEBCHAT_ATTACHMENT_MAX: {
      kind: 'size (`5mb`, `512kb`)',
      default: '5mb',
      description: 'largest buyer attachment upload (image or PDF, POST /webchat/:shop/attachments); larger → 413',
    },
    SORA_WEBCHAT_ATTACHMENT_TTL: {
      kind: 'duration',
      default: '24h',
      description: 'an upload that no message names (the buyer never sent it) is deleted this long after the upload',
    },
  },
  parse: (env) =>
    z
      .object({
        SORA_WEBCHAT_POLL_MS: z.coerce.number().int().min(50, 'must be at least 50 (ms)').default(250),
        SORA_WEBCHAT_SESSION_TTL: durationOfAMinuteOrMore('30d'),
        SORA_WEBCHAT_RATE_PER_MIN: positiveInt(20),
        SORA_WEBCHAT_RATE_PER_MIN_PER_ADDRESS: positiveInt(120),
        SORA_WEBCHAT_SESSIONS_PER_MIN: positiveInt(20),
        SORA_WEBCHAT_STREAMS_PER_BUYER: positiveInt(5),
        SORA_WEBCHAT_STREAMS_MAX: positiveInt(2000),
        SORA_WEBCHAT_ATTACHMENT_MAX: bytes('5mb', { min: 1 }).schema,
        SORA_WEBCHAT_ATTACHMENT_TTL: durationOfAMinuteOrMore('24h'),
      })
      .transform((e) => ({
        pollMs: e.SORA_WEBCHAT_POLL_MS,
        sessionTtlMs: e.SORA_WEBCHAT_SESSION_TTL,
        postsPerMinPerSession: e.SORA_WEBCHAT_RATE_PER_MIN,
        postsPerMinPerAddress: e.SORA_WEBCHAT_RATE_PER_MIN_PER_ADDRESS,
        sessionsPerMinPerAddress: e.SORA_WEBCHAT_SESSIONS_PER_MIN,
        streamsPerBuyer: e.SORA_WEBCHAT_STREAMS_PER_BUYER,
        streamsPerProcess: e.SORA_WEBCHAT_STREAMS_MAX,
        attachmentMaxBytes: e.SORA_WEBCHAT_ATTACHMENT_MAX,
        attachmentUnsentTtlMs: e.SORA_WEBCHAT_ATTACHMENT_TTL,
      }))
      .parse(env),
};

// --- whatsapp (Baileys) ------------------------------------------------------------------------

export const BAILEYS_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

export interface WhatsappSettings {
  shops: string[];
  pairingPhones: Record<string, string>;
  allowGroups: boolean;
  typing: boolean;
  qrTerminal: boolean;
  catchUpWindowMs: number;
  reconnect: { minMs: number; maxMs: number };
  baileysLogLevel: (typeof BAILEYS_LEVELS)[number];
  /** SORA_ALERT_WEBHOOK_URL (validated with the general settings). */
  alertWebhookUrl: string | undefined;
}

const waDuration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const r = parseDuration(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return r.value;
    });

const waBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { errorMap: () => ({ message: 'must be true or false' }) })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const SHOP_ID = /^[\w.-]{1,64}$/;
const PHONE = /^\d{8,15}$/;

const whatsappSchema = z
  .object({
    SORA_WHATSAPP_SHOPS: z
      .string()
      .default('demo')
      .transform((s) => [
        ...new Set(
          s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        ),
      ])
      .refine((shops) => shops.length > 0, 'list at least one shop id, e.g. SORA_WHATSAPP_SHOPS=demo')
      .refine((shops) => shops.every((x) => SHOP_ID.test(x)), 'shop ids may contain letters, digits and . _ - only'),
    SORA_WHATSAPP_PAIRING_PHONE: z.string().trim().optional(),
    SORA_WHATSAPP_GROUPS: waBool(false),
    SORA_WHATSAPP_TYPING: waBool(true),
    SORA_WHATSAPP_QR_TERMINAL: waBool(true),
    SORA_WHATSAPP_CATCH_UP: waDuration('24h'),
    SORA_WHATSAPP_RECONNECT_MIN: waDuration('1s'),
    SORA_WHATSAPP_RECONNECT_MAX: waDuration('2m'),
    SORA_WHATSAPP_LOG_LEVEL: z.enum(BAILEYS_LEVELS).default('warn'),
  })
  .superRefine((e, ctx) => {
    if (e.SORA_WHATSAPP_RECONNECT_MIN < 100)
      ctx.addIssue({ code: 'custom', path: ['SORA_WHATSAPP_RECONNECT_MIN'], message: 'must be at least 100ms' });
    if (e.SORA_WHATSAPP_RECONNECT_MAX < e.SORA_WHATSAPP_RECONNECT_MIN)
      ctx.addIssue({ code: 'custom', path: ['SORA_WHATSAPP_RECONNECT_MAX'], message: 'must not be below SORA_WHATSAPP_RECONNECT_MIN' });
    if (e.SORA_WHATSAPP_PAIRING_PHONE) {
      const path = ['SORA_WHATSAPP_PAIRING_PHONE'];
      const phones = pairingPhones(e.SORA_WHATSAPP_PAIRING_PHONE, e.SORA_WHATSAPP_SHOPS);
      if (typeof phones === 'string') ctx.addIssue({ code: 'custom', path, message: phones });
    }
  });

/**
 * `15551234567` (one shop) or `shopA=15551234567,shopB=4915112345678`: digits with the country code,
 * no "+". Returns the map, or the problem.
 */
function pairingPhones(raw: string, shops: string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  const clean = (p: string) => p.replace(/[\s()+-]/g, '');
  if (!raw.includes('=')) {
    if (shops.length !== 1) return 'with several shops, give shop=phone pairs (e.g. shopA=15551234567,shopB=4915112345678)';
    const p = clean(raw);
    if (!PHONE.test(p)) return 'must be the phone number with country code, digits only (e.g. 15551234567)';
    out[shops[0]!] = p;
    return out;
  }
  for (const pair of raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [shop, phone = ''] = pair.split('=').map((x) => x.trim());
    if (!shop || !shops.includes(shop)) return `"${shop}" is not in SORA_WHATSAPP_SHOPS`;
    const p = clean(phone);
    if (!PHONE.test(p)) return `${shop}: must be the phone number with country code, digits only (e.g. 15551234567)`;
    out[shop] = p;
  }
  return out;
}

/** The `whatsapp` channel's settings from its variables (plus the shared alert URL and operator token). */
export function whatsappConfig(env: Env): WhatsappSettings {
  const e = whatsappSchema.parse(env);
  const phones = e.SORA_WHATSAPP_PAIRING_PHONE ? pairingPhones(e.SORA_WHATSAPP_PAIRING_PHONE, e.SORA_WHATSAPP_SHOPS) : {};
  return {
    shops: e.SORA_WHATSAPP_SHOPS,
    pairingPhones: typeof phones === 'string' ? {} : phones,
    allowGroups: e.SORA_WHATSAPP_GROUPS,
    typing: e.SORA_WHATSAPP_TYPING,
    qrTerminal: e.SORA_WHATSAPP_QR_TERMINAL,
    catchUpWindowMs: e.SORA_WHATSAPP_CATCH_UP,
    reconnect: { minMs: e.SORA_WHATSAPP_RECONNECT_MIN, maxMs: e.SORA_WHATSAPP_RECONNECT_MAX },
    baileysLogLevel: e.SORA_WHATSAPP_LOG_LEVEL,
    alertWebhookUrl: present(env.SORA_ALERT_WEBHOOK_URL),
  };
}

export const whatsappSpec: ChannelSpec<WhatsappSettings> = {
  id: 'whatsapp',
  summary: 'WhatsApp via Baileys (linked device per shop; QR at /operator/whatsapp/qr or pairing code)',
  vars: {
    SORA_WHATSAPP_SHOPS: {
      kind: 'list',
      default: 'demo',
      description: 'comma-separated shop ids; each gets its own session (its own linked phone)',
    },
    SORA_WHATSAPP_PAIRING_PHONE: {
      kind: 'text',
      description:
        'link with a pairing code instead of the QR: `15551234567` (one shop) or `shopA=15551234567,shopB=4915112345678`; digits with country code',
    },
    SORA_WHATSAPP_GROUPS: { kind: 'boolean', default: 'false', description: 'answer in group chats too (the group is then the "buyer")' },
    SORA_WHATSAPP_TYPING: { kind: 'boolean', default: 'true', description: 'show "typing…" between the buyer\'s message and the reply' },
    SORA_WHATSAPP_QR_TERMINAL: { kind: 'boolean', default: 'true', description: 'print QR codes on standard output' },
    SORA_WHATSAPP_CATCH_UP: {
      kind: 'duration',
      default: '24h',
      description: 'messages that arrived while the gateway was offline are answered when younger than this',
    },
    SORA_WHATSAPP_RECONNECT_MIN: {
      kind: 'duration',
      default: '1s',
      description: 'first reconnect delay (≥ 100ms); doubles on every failed attempt …',
    },
    SORA_WHATSAPP_RECONNECT_MAX: { kind: 'duration', default: '2m', description: '… up to this cap' },
    SORA_WHATSAPP_LOG_LEVEL: {
      kind: BAILEYS_LEVELS.map((l) => `\`${l}\``).join(' \\| '),
      default: 'warn',
      description: "Baileys' own log records at or above this level go to the gateway log",
    },
  },
  parse: whatsappConfig,
};

// --- whatsapp-cloud ----------------------------------------------------------------------------

export interface WhatsappCloudSettings {
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  /** phone_number_id → our shop id. */
  shops: Record<string, string>;
  defaultShop?: string;
  graphUrl: string;
  graphVersion: string;
}

const WA_CLOUD = 'whatsapp-cloud';

const whatsappCloudSchema = z
  .object({
    SORA_WHATSAPP_CLOUD_APP_SECRET: requiredEnv('SORA_WHATSAPP_CLOUD_APP_SECRET', WA_CLOUD, 'Meta app → App settings → Basic → App secret'),
    SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: requiredEnv(
      'SORA_WHATSAPP_CLOUD_VERIFY_TOKEN',
      WA_CLOUD,
      'any secret string; enter the same in the webhook settings of the Meta app',
    ),
    SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: requiredEnv(
      'SORA_WHATSAPP_CLOUD_ACCESS_TOKEN',
      WA_CLOUD,
      'a System User access token with whatsapp_business_messaging',
    ),
    SORA_WHATSAPP_CLOUD_SHOPS: shopMapEnv('phoneNumberId:shopId'),
    SORA_WHATSAPP_CLOUD_DEFAULT_SHOP: optionalEnv(),
    SORA_WHATSAPP_CLOUD_GRAPH_URL: z
      .string()
      .trim()
      .url('SORA_WHATSAPP_CLOUD_GRAPH_URL must be a URL such as https://graph.facebook.com')
      .default('https://graph.facebook.com'),
    SORA_WHATSAPP_CLOUD_GRAPH_VERSION: z
      .string()
      .trim()
      .regex(/^v\d+\.\d+$/, 'SORA_WHATSAPP_CLOUD_GRAPH_VERSION must look like v21.0')
      .default('v21.0'),
  })
  .superRefine((e, ctx) => {
    if (e.SORA_WHATSAPP_CLOUD_SHOPS.length === 0 && !e.SORA_WHATSAPP_CLOUD_DEFAULT_SHOP)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SORA_WHATSAPP_CLOUD_SHOPS'],
        message:
          'map business numbers to shops with SORA_WHATSAPP_CLOUD_SHOPS=phoneNumberId:shopId,… or set SORA_WHATSAPP_CLOUD_DEFAULT_SHOP',
      });
  });

/** The `whatsapp-cloud` channel's settings from its variables. */
export function whatsappCloudConfig(env: Env): WhatsappCloudSettings {
  const e = whatsappCloudSchema.parse(env);
  return {
    appSecret: e.SORA_WHATSAPP_CLOUD_APP_SECRET,
    verifyToken: e.SORA_WHATSAPP_CLOUD_VERIFY_TOKEN,
    accessToken: e.SORA_WHATSAPP_CLOUD_ACCESS_TOKEN,
    shops: Object.fromEntries(e.SORA_WHATSAPP_CLOUD_SHOPS.map((x) => [x.platformId, x.shopId])),
    defaultShop: e.SORA_WHATSAPP_CLOUD_DEFAULT_SHOP,
    graphUrl: e.SORA_WHATSAPP_CLOUD_GRAPH_URL,
    graphVersion: e.SORA_WHATSAPP_CLOUD_GRAPH_VERSION,
  };
}

export const whatsappCloudSpec: ChannelSpec<WhatsappCloudSettings> = {
  id: WA_CLOUD,
  summary: 'WhatsApp Business Cloud API (Meta Graph API; webhook /webhooks/whatsapp-cloud)',
  vars: {
    SORA_WHATSAPP_CLOUD_APP_SECRET: {
      kind: 'secret',
      description: 'Meta app secret (required); webhook signatures are checked with it',
      secret: true,
    },
    SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: {
      kind: 'secret',
      description: 'the verify token entered in the Meta webhook settings (required)',
      secret: true,
    },
    SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: { kind: 'secret', description: 'Bearer token for the Graph API (required)', secret: true },
    SORA_WHATSAPP_CLOUD_SHOPS: { kind: '`phoneNumberId:shopId,…`', description: 'business numbers → shops' },
    SORA_WHATSAPP_CLOUD_DEFAULT_SHOP: {
      kind: 'text',
      description: 'shop for numbers not in the map; this or SORA_WHATSAPP_CLOUD_SHOPS must be set',
    },
    SORA_WHATSAPP_CLOUD_GRAPH_URL: { kind: 'URL', default: 'https://graph.facebook.com', description: 'Graph API base URL' },
    SORA_WHATSAPP_CLOUD_GRAPH_VERSION: { kind: '`vNN.N`', default: 'v21.0', description: 'Graph API version in the path' },
  },
  parse: whatsappCloudConfig,
};

// --- tiktok ------------------------------------------------------------------------------------

/** The TikTok Shop app: the `tiktok` channel and the order sync both use it. */
export interface TiktokSettings {
  appKey: string;
  appSecret: string;
  /** TikTok shop_id → our shop id. */
  shops: Record<string, string>;
  /** TikTok shop_id → shop_cipher, when set by hand. */
  ciphers: Record<string, string>;
  defaultShop?: string;
  apiUrl: string;
  authUrl: string;
}

const TIKTOK = 'tiktok';
const tiktokUrl = (name: string, fallback: string) => z.string().trim().url(`${name} must be a URL such as ${fallback}`).default(fallback);

const tiktokSchema = z
  .object({
    SORA_TIKTOK_APP_KEY: requiredEnv('SORA_TIKTOK_APP_KEY', TIKTOK, 'TikTok Shop Partner Center → App & Service → your app → App key'),
    SORA_TIKTOK_APP_SECRET: requiredEnv('SORA_TIKTOK_APP_SECRET', TIKTOK, 'same page → App secret'),
    SORA_TIKTOK_SHOPS: shopMapEnv('tiktokShopId:shopId[:shopCipher]', true),
    SORA_TIKTOK_DEFAULT_SHOP: optionalEnv(),
    SORA_TIKTOK_API_URL: tiktokUrl('SORA_TIKTOK_API_URL', 'https://open-api.tiktokglobalshop.com'),
    SORA_TIKTOK_AUTH_URL: tiktokUrl('SORA_TIKTOK_AUTH_URL', 'https://auth.tiktok-shops.com'),
  })
  .superRefine((e, ctx) => {
    if (e.SORA_TIKTOK_SHOPS.length === 0 && !e.SORA_TIKTOK_DEFAULT_SHOP)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SORA_TIKTOK_SHOPS'],
        message: 'map TikTok shops to shops with SORA_TIKTOK_SHOPS=tiktokShopId:shopId,… or set SORA_TIKTOK_DEFAULT_SHOP',
      });
  });

/** The TikTok Shop app settings from their variables. */
export function tiktokConfig(env: Env): TiktokSettings {
  const e = tiktokSchema.parse(env);
  return {
    appKey: e.SORA_TIKTOK_APP_KEY,
    appSecret: e.SORA_TIKTOK_APP_SECRET,
    shops: Object.fromEntries(e.SORA_TIKTOK_SHOPS.map((x) => [x.platformId, x.shopId])),
    ciphers: Object.fromEntries(e.SORA_TIKTOK_SHOPS.filter((x) => x.extra).map((x) => [x.platformId, x.extra!])),
    defaultShop: e.SORA_TIKTOK_DEFAULT_SHOP,
    apiUrl: e.SORA_TIKTOK_API_URL,
    authUrl: e.SORA_TIKTOK_AUTH_URL,
  };
}

/**
 * The TikTok app is configured for the order sync too when its key, secret and shop map are all
 * set, even with the channel off.
 */
export const tiktokAppConfigured = (env: Env) => !!(env.SORA_TIKTOK_APP_KEY && env.SORA_TIKTOK_APP_SECRET && env.SORA_TIKTOK_SHOPS);

export const tiktokSpec: ChannelSpec<TiktokSettings> = {
  id: TIKTOK,
  summary: 'TikTok Shop customer service (Partner API; webhook /webhooks/tiktok, OAuth redirect /tiktok/oauth/callback)',
  vars: {
    SORA_TIKTOK_APP_KEY: {
      kind: 'text',
      description: 'app key (required); signs requests and webhooks. With the secret and shop map set, orders sync too',
    },
    SORA_TIKTOK_APP_SECRET: { kind: 'secret', description: 'app secret (required)', secret: true },
    SORA_TIKTOK_SHOPS: { kind: '`tiktokShopId:shopId[:shopCipher],…`', description: 'TikTok shops → shops' },
    SORA_TIKTOK_DEFAULT_SHOP: { kind: 'text', description: 'shop for TikTok shops not in the map; this or SORA_TIKTOK_SHOPS must be set' },
    SORA_TIKTOK_API_URL: { kind: 'URL', default: 'https://open-api.tiktokglobalshop.com', description: 'Open API host' },
    SORA_TIKTOK_AUTH_URL: {
      kind: 'URL',
      default: 'https://auth.tiktok-shops.com',
      description: 'authorization host for token exchange and refresh',
    },
  },
  parse: tiktokConfig,
};

// --- telegram ----------------------------------------------------------------------------------

export interface TelegramSettings {
  token: string;
  shopId: string;
  mode: 'webhook' | 'polling';
  webhookSecret?: string;
  webhookUrl?: string;
  apiRoot: string;
  groupChats: 'ignore' | 'mentions' | 'all';
  typing: boolean;
}

export const telegramSpec: ChannelSpec<TelegramSettings> = {
  id: 'telegram',
  summary: 'Telegram bot via grammy (webhook POST /telegram/:shopId/webhook, or long polling)',
  vars: {
    SORA_TELEGRAM_BOT_TOKEN: { kind: 'secret', description: 'the token from @BotFather (required)', secret: true },
    SORA_TELEGRAM_SHOP_ID: { kind: 'text', description: 'the shop this bot answers for (required)' },
    SORA_TELEGRAM_MODE: {
      kind: '`webhook` \\| `polling`',
      default: 'webhook',
      description: '`webhook` (production) or `polling` (local use)',
    },
    SORA_TELEGRAM_WEBHOOK_SECRET: {
      kind: 'secret',
      description: 'required in webhook mode; compared with `X-Telegram-Bot-Api-Secret-Token`; 1–256 of `A-Z a-z 0-9 _ -`',
      secret: true,
    },
    SORA_TELEGRAM_WEBHOOK_URL: { kind: 'URL', description: 'when set (https only), `setWebhook` is called at start' },
    SORA_TELEGRAM_API_ROOT: { kind: 'URL', default: 'https://api.telegram.org', description: 'Bot API server' },
    SORA_TELEGRAM_GROUP_CHATS: {
      kind: '`ignore` \\| `mentions` \\| `all`',
      default: 'ignore',
      description: 'private chats only; also group messages that @mention the bot or reply to it; every group message',
    },
    SORA_TELEGRAM_TYPING: { kind: 'boolean', default: 'true', description: 'show "typing…" when a buyer message is accepted' },
  },
  parse: (env) =>
    parseWithChecks(
      z
        .object({
          SORA_TELEGRAM_BOT_TOKEN: z
            .string({ required_error: 'SORA_TELEGRAM_BOT_TOKEN is required (the token @BotFather gave you)' })
            .trim()
            .regex(/^\d+:[\w-]{20,}$/, 'SORA_TELEGRAM_BOT_TOKEN does not look like a bot token (123456789:AA…)'),
          SORA_TELEGRAM_SHOP_ID: z
            .string({ required_error: 'SORA_TELEGRAM_SHOP_ID is required (the shop this bot answers for)' })
            .trim()
            .min(1, 'SORA_TELEGRAM_SHOP_ID is required (the shop this bot answers for)'),
          SORA_TELEGRAM_MODE: z
            .enum(['webhook', 'polling'], { errorMap: () => ({ message: 'SORA_TELEGRAM_MODE must be webhook or polling' }) })
            .default('webhook'),
          SORA_TELEGRAM_WEBHOOK_SECRET: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,256}$/, 'SORA_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -')
            .optional(),
          SORA_TELEGRAM_WEBHOOK_URL: z
            .string()
            .url('SORA_TELEGRAM_WEBHOOK_URL must be a URL')
            .refine((u) => u.startsWith('https://'), 'SORA_TELEGRAM_WEBHOOK_URL must be https:// (Telegram sends webhooks over HTTPS only)')
            .optional(),
          SORA_TELEGRAM_API_ROOT: z.string().url('SORA_TELEGRAM_API_ROOT must be a URL').default('https://api.telegram.org'),
          SORA_TELEGRAM_GROUP_CHATS: z
            .enum(['ignore', 'mentions', 'all'], {
              errorMap: () => ({ message: 'SORA_TELEGRAM_GROUP_CHATS must be ignore, mentions or all' }),
            })
            .default('ignore'),
          SORA_TELEGRAM_TYPING: boolNamed('SORA_TELEGRAM_TYPING', true),
        })
        .transform((e): TelegramSettings => ({
          token: e.SORA_TELEGRAM_BOT_TOKEN,
          shopId: e.SORA_TELEGRAM_SHOP_ID,
          mode: e.SORA_TELEGRAM_MODE,
          webhookSecret: e.SORA_TELEGRAM_WEBHOOK_SECRET,
          webhookUrl: e.SORA_TELEGRAM_WEBHOOK_URL,
          apiRoot: e.SORA_TELEGRAM_API_ROOT.replace(/\/+$/, ''),
          groupChats: e.SORA_TELEGRAM_GROUP_CHATS,
          typing: e.SORA_TELEGRAM_TYPING,
        })),
      env,
      (e) => {
        const mode = e.SORA_TELEGRAM_MODE ?? 'webhook';
        const issues: z.IssueData[] = [];
        if (mode === 'webhook' && !e.SORA_TELEGRAM_WEBHOOK_SECRET)
          issues.push({
            code: 'custom',
            path: ['SORA_TELEGRAM_WEBHOOK_SECRET'],
            message: 'SORA_TELEGRAM_WEBHOOK_SECRET is required in webhook mode (or set SORA_TELEGRAM_MODE=polling for local use)',
          });
        if (mode === 'polling' && e.SORA_TELEGRAM_WEBHOOK_URL)
          issues.push({
            code: 'custom',
            path: ['SORA_TELEGRAM_WEBHOOK_URL'],
            message: 'SORA_TELEGRAM_WEBHOOK_URL is for webhook mode (polling deletes the webhook)',
          });
        return issues;
      },
    ),
};

// --- botframework ------------------------------------------------------------------------------

export type BotFrameworkAppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

export interface BotFrameworkSettings {
  shopId: string;
  appId: string;
  appPassword?: string;
  appType: BotFrameworkAppType;
  tenantId?: string;
  authDisabled: boolean;
  groupChats: 'ignore' | 'all';
}

const APP_TYPES: Record<string, BotFrameworkAppType> = {
  multitenant: 'MultiTenant',
  singletenant: 'SingleTenant',
  userassignedmsi: 'UserAssignedMSI',
};

export const botframeworkSpec: ChannelSpec<BotFrameworkSettings> = {
  id: 'botframework',
  summary: 'Azure Bot Service via botbuilder (Web Chat/Direct Line, Teams…; POST /api/messages)',
  vars: {
    SORA_BOTFRAMEWORK_SHOP_ID: { kind: 'text', description: 'the shop this bot answers for (required)' },
    SORA_BOTFRAMEWORK_APP_ID: {
      kind: 'text',
      description: 'Microsoft App ID (required unless auth is disabled); inbound tokens must be issued for it',
    },
    SORA_BOTFRAMEWORK_APP_PASSWORD: {
      kind: 'secret',
      description: 'client secret of the app registration (MultiTenant, SingleTenant; not for UserAssignedMSI)',
      secret: true,
    },
    SORA_BOTFRAMEWORK_APP_TYPE: {
      kind: '`MultiTenant` \\| `SingleTenant` \\| `UserAssignedMSI`',
      default: 'MultiTenant',
      description: 'app registration type (any case)',
    },
    SORA_BOTFRAMEWORK_TENANT_ID: { kind: 'text', description: 'Entra ID tenant of the app (SingleTenant, UserAssignedMSI)' },
    SORA_BOTFRAMEWORK_GROUP_CHATS: {
      kind: '`ignore` \\| `all`',
      default: 'ignore',
      description: '`all`: also Teams channels / group chats (the bot receives those only when @mentioned)',
    },
    SORA_BOTFRAMEWORK_AUTH: { kind: '`enabled` \\| `disabled`', default: 'enabled', description: '`disabled` only for the local Emulator' },
  },
  parse: (env) =>
    parseWithChecks(
      z
        .object({
          SORA_BOTFRAMEWORK_SHOP_ID: z
            .string({ required_error: 'SORA_BOTFRAMEWORK_SHOP_ID is required (the shop this bot answers for)' })
            .trim()
            .min(1, 'SORA_BOTFRAMEWORK_SHOP_ID is required (the shop this bot answers for)'),
          SORA_BOTFRAMEWORK_APP_ID: z.string().trim().optional(),
          SORA_BOTFRAMEWORK_APP_PASSWORD: z.string().optional(),
          SORA_BOTFRAMEWORK_APP_TYPE: z
            .string()
            .default('MultiTenant')
            .refine((v) => v.toLowerCase() in APP_TYPES, 'SORA_BOTFRAMEWORK_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI')
            .transform((v) => APP_TYPES[v.toLowerCase()]!),
          SORA_BOTFRAMEWORK_TENANT_ID: z.string().trim().optional(),
          SORA_BOTFRAMEWORK_GROUP_CHATS: z
            .enum(['ignore', 'all'], { errorMap: () => ({ message: 'SORA_BOTFRAMEWORK_GROUP_CHATS must be ignore or all' }) })
            .default('ignore'),
          SORA_BOTFRAMEWORK_AUTH: z
            .enum(['enabled', 'disabled'], { errorMap: () => ({ message: 'SORA_BOTFRAMEWORK_AUTH must be enabled or disabled' }) })
            .default('enabled'),
        })
        .transform((e): BotFrameworkSettings => ({
          shopId: e.SORA_BOTFRAMEWORK_SHOP_ID,
          appId: e.SORA_BOTFRAMEWORK_AUTH === 'disabled' ? '' : (e.SORA_BOTFRAMEWORK_APP_ID ?? ''),
          appPassword: e.SORA_BOTFRAMEWORK_APP_PASSWORD,
          appType: e.SORA_BOTFRAMEWORK_APP_TYPE,
          tenantId: e.SORA_BOTFRAMEWORK_TENANT_ID,
          authDisabled: e.SORA_BOTFRAMEWORK_AUTH === 'disabled',
          groupChats: e.SORA_BOTFRAMEWORK_GROUP_CHATS,
        })),
      env,
      (e) => {
        if (e.SORA_BOTFRAMEWORK_AUTH === 'disabled') return [];
        const type = APP_TYPES[(e.SORA_BOTFRAMEWORK_APP_TYPE ?? 'MultiTenant').toLowerCase()];
        const issues: z.IssueData[] = [];
        const need = (v: string, why: string) => issues.push({ code: 'custom', path: [v], message: `${v} is required ${why}` });
        if (!e.SORA_BOTFRAMEWORK_APP_ID?.trim())
          need(
            'SORA_BOTFRAMEWORK_APP_ID',
            '(the Microsoft App ID of the Azure Bot; SORA_BOTFRAMEWORK_AUTH=disabled only for the local Emulator)',
          );
        if ((type === 'MultiTenant' || type === 'SingleTenant') && !e.SORA_BOTFRAMEWORK_APP_PASSWORD)
          need('SORA_BOTFRAMEWORK_APP_PASSWORD', `for ${type} (a client secret of the app registration)`);
        if ((type === 'SingleTenant' || type === 'UserAssignedMSI') && !e.SORA_BOTFRAMEWORK_TENANT_ID?.trim())
          need('SORA_BOTFRAMEWORK_TENANT_ID', `for ${type} (the Entra ID tenant of the app)`);
        if (type === 'UserAssignedMSI' && e.SORA_BOTFRAMEWORK_APP_PASSWORD)
          issues.push({
            code: 'custom',
            path: ['SORA_BOTFRAMEWORK_APP_PASSWORD'],
            message: 'SORA_BOTFRAMEWORK_APP_PASSWORD must not be set for UserAssignedMSI (the managed identity has no secret)',
          });
        return issues;
      },
    ),
};

// --- lazada ------------------------------------------------------------------------------------

/** The Lazada Open Platform app: the `lazada` channel and the Lazada order source both use it. */
export interface LazadaSettings {
  appKey: string;
  appSecret: string;
  /** Lazada seller_id → our shop id. */
  sellers: Record<string, string>;
  /** Lazada seller_id → country (th, my, sg, vn, id, ph), when set by hand (else the token's). */
  countries: Record<string, string>;
  defaultShop?: string;
  /** Replaces every country's API host (tests: a local stand-in). */
  apiUrl?: string;
  authUrl: string;
  /** How often the IM pull runs (0 = never; the push alone). */
  pullIntervalMs: number;
  /** Alert operators this long before a seller's authorization (refresh token) expires. */
  tokenWarnMs: number;
  /** SORA_ALERT_WEBHOOK_URL (validated with the general settings). */
  alertWebhookUrl: string | undefined;
}

const LAZADA = 'lazada';
const LAZADA_COUNTRY = /^(th|my|sg|vn|id|ph)$/;
const lazadaDuration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const r = parseDuration(raw);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: `${name}: ${r.message}` });
        return z.NEVER;
      }
      return r.value;
    });

const lazadaSchema = z
  .object({
    SORA_LAZADA_APP_KEY: requiredEnv('SORA_LAZADA_APP_KEY', LAZADA, 'open.lazada.com → App Console → your app → App Key'),
    SORA_LAZADA_APP_SECRET: requiredEnv('SORA_LAZADA_APP_SECRET', LAZADA, 'same page → App Secret'),
    SORA_LAZADA_SELLERS: shopMapEnv('sellerId:shopId[:country]', true),
    SORA_LAZADA_DEFAULT_SHOP: optionalEnv(),
    SORA_LAZADA_API_URL: optionalEnv().pipe(
      z.string().url('SORA_LAZADA_API_URL must be a URL such as http://127.0.0.1:8080/rest').optional(),
    ),
    SORA_LAZADA_AUTH_URL: z
      .string()
      .trim()
      .url('SORA_LAZADA_AUTH_URL must be a URL such as https://auth.lazada.com/rest')
      .default('https://auth.lazada.com/rest'),
    SORA_LAZADA_PULL_INTERVAL: lazadaDuration('SORA_LAZADA_PULL_INTERVAL', '60s'),
    SORA_LAZADA_TOKEN_WARN: lazadaDuration('SORA_LAZADA_TOKEN_WARN', '72h'),
  })
  .superRefine((e, ctx) => {
    if (e.SORA_LAZADA_SELLERS.length === 0 && !e.SORA_LAZADA_DEFAULT_SHOP)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SORA_LAZADA_SELLERS'],
        message: 'map Lazada sellers to shops with SORA_LAZADA_SELLERS=sellerId:shopId[:country],… or set SORA_LAZADA_DEFAULT_SHOP',
      });
    for (const x of e.SORA_LAZADA_SELLERS)
      if (x.extra && !LAZADA_COUNTRY.test(x.extra.toLowerCase()))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['SORA_LAZADA_SELLERS'],
          message: `"${x.extra}" (seller ${x.platformId}) is not a Lazada country: th, my, sg, vn, id or ph`,
        });
  });

/** The Lazada app settings from their variables. */
export function lazadaConfig(env: Env): LazadaSettings {
  const e = lazadaSchema.parse(env);
  return {
    appKey: e.SORA_LAZADA_APP_KEY,
    appSecret: e.SORA_LAZADA_APP_SECRET,
    sellers: Object.fromEntries(e.SORA_LAZADA_SELLERS.map((x) => [x.platformId, x.shopId])),
    countries: Object.fromEntries(e.SORA_LAZADA_SELLERS.filter((x) => x.extra).map((x) => [x.platformId, x.extra!.toLowerCase()])),
    defaultShop: e.SORA_LAZADA_DEFAULT_SHOP,
    ...(e.SORA_LAZADA_API_URL ? { apiUrl: e.SORA_LAZADA_API_URL } : {}),
    authUrl: e.SORA_LAZADA_AUTH_URL,
    pullIntervalMs: e.SORA_LAZADA_PULL_INTERVAL,
    tokenWarnMs: e.SORA_LAZADA_TOKEN_WARN,
    alertWebhookUrl: present(env.SORA_ALERT_WEBHOOK_URL),
  };
}

/** The Lazada app is configured for the order source too when key, secret and seller map are set, even with the channel off. */
export const lazadaAppConfigured = (env: Env) => !!(env.SORA_LAZADA_APP_KEY && env.SORA_LAZADA_APP_SECRET && env.SORA_LAZADA_SELLERS);

export const lazadaSpec: ChannelSpec<LazadaSettings> = {
  id: LAZADA,
  summary: 'Lazada Chat (Open Platform IM; push POST /webhooks/lazada, OAuth redirect /lazada/oauth/callback, periodic pull)',
  vars: {
    SORA_LAZADA_APP_KEY: {
      kind: 'text',
      description: 'app key (required); signs requests and pushes. With the secret and seller map set, orders sync too',
    },
    SORA_LAZADA_APP_SECRET: { kind: 'secret', description: 'app secret (required)', secret: true },
    SORA_LAZADA_SELLERS: {
      kind: '`sellerId:shopId[:country],…`',
      description:
        'Lazada sellers → shops; country th, my, sg, vn, id or ph picks the API host (default: the country the authorization names)',
    },
    SORA_LAZADA_DEFAULT_SHOP: { kind: 'text', description: 'shop for sellers not in the map; this or SORA_LAZADA_SELLERS must be set' },
    SORA_LAZADA_API_URL: { kind: 'URL', description: "replaces every country's API host (api.lazada.co.th/rest, …); for a local stand-in" },
    SORA_LAZADA_AUTH_URL: {
      kind: 'URL',
      default: 'https://auth.lazada.com/rest',
      description: 'authorization host (token create and refresh)',
    },
    SORA_LAZADA_PULL_INTERVAL: {
      kind: 'duration',
      default: '60s',
      description: 'how often chat sessions are read to catch messages a push missed; 0 = never',
    },
    SORA_LAZADA_TOKEN_WARN: {
      kind: 'duration',
      default: '72h',
      description: "alert operators this long before a seller's authorization expires",
    },
  },
  parse: lazadaConfig,
};

// --- email -------------------------------------------------------------------------------------

export interface EmailSettings {
  accounts: EmailAccount[];
  /** A mailbox check this often besides IMAP IDLE (the fallback when the server has no IDLE). */
  pollMs: number;
  /** An email conversation closes after this long without a message (hours: buyers answer mail later). */
  idleCloseMs: number;
  reconnect: { minMs: number; maxMs: number };
}

const EMAIL = 'email';

export const emailSpec: ChannelSpec<EmailSettings> = {
  id: EMAIL,
  summary: 'email: a mailbox per shop over IMAP (IDLE, polling fallback) and SMTP (docs/channels/email.md)',
  vars: {
    SORA_EMAIL_ACCOUNTS: {
      kind: 'JSON or file',
      description:
        'the mailboxes (required): a JSON list `[{"shopId","address","imap":{"host","password"},"smtp":{"host"}}]` or a file holding it; ports, TLS, users default (docs/channels/email.md)',
      secret: true,
    },
    SORA_EMAIL_POLL_INTERVAL: {
      kind: 'duration',
      default: '60s',
      description: 'each mailbox is also checked this often (IDLE tells of new mail at once; servers without IDLE rely on this)',
    },
    SORA_EMAIL_IDLE_CLOSE: {
      kind: 'duration',
      default: '24h',
      description:
        'an email conversation closes after this long without a message (instead of SORA_IDLE_CLOSE); email conversations get no silence nudge',
    },
    SORA_EMAIL_RECONNECT_MIN: {
      kind: 'duration',
      default: '1s',
      description: 'first IMAP reconnect delay; doubles on every failed attempt …',
    },
    SORA_EMAIL_RECONNECT_MAX: { kind: 'duration', default: '5m', description: '… up to this cap' },
  },
  parse: (env) =>
    parseWithChecks(
      z
        .object({
          SORA_EMAIL_ACCOUNTS: z.string().optional(),
          SORA_EMAIL_POLL_INTERVAL: waDuration('60s'),
          SORA_EMAIL_IDLE_CLOSE: waDuration('24h'),
          SORA_EMAIL_RECONNECT_MIN: waDuration('1s'),
          SORA_EMAIL_RECONNECT_MAX: waDuration('5m'),
        })
        .transform((e): EmailSettings => ({
          accounts: parseEmailAccounts(e.SORA_EMAIL_ACCOUNTS).accounts,
          pollMs: e.SORA_EMAIL_POLL_INTERVAL,
          idleCloseMs: e.SORA_EMAIL_IDLE_CLOSE,
          reconnect: { minMs: e.SORA_EMAIL_RECONNECT_MIN, maxMs: e.SORA_EMAIL_RECONNECT_MAX },
        })),
      env,
      (e) => {
        const issues: z.IssueData[] = parseEmailAccounts(e.SORA_EMAIL_ACCOUNTS).problems.map((message) => ({
          code: 'custom',
          path: ['SORA_EMAIL_ACCOUNTS'],
          message,
        }));
        const ms = (v: string | undefined, d: string) => {
          const r = parseDuration(v ?? d);
          return r.ok ? r.value : null;
        };
        const poll = ms(e.SORA_EMAIL_POLL_INTERVAL, '60s');
        if (poll !== null && poll < 5_000)
          issues.push({ code: 'custom', path: ['SORA_EMAIL_POLL_INTERVAL'], message: 'must be at least 5s' });
        const idle = ms(e.SORA_EMAIL_IDLE_CLOSE, '24h');
        if (idle !== null && idle < 60_000)
          issues.push({ code: 'custom', path: ['SORA_EMAIL_IDLE_CLOSE'], message: 'must be at least 1m' });
        const min = ms(e.SORA_EMAIL_RECONNECT_MIN, '1s');
        const max = ms(e.SORA_EMAIL_RECONNECT_MAX, '5m');
        if (min !== null && min < 100)
          issues.push({ code: 'custom', path: ['SORA_EMAIL_RECONNECT_MIN'], message: 'must be at least 100ms' });
        if (min !== null && max !== null && max < min)
          issues.push({ code: 'custom', path: ['SORA_EMAIL_RECONNECT_MAX'], message: 'must not be below SORA_EMAIL_RECONNECT_MIN' });
        return issues;
      },
    ),
};

/** Every channel sora-cs knows. */
export const CHANNEL_SPECS: ChannelSpec[] = [
  webchatSpec as ChannelSpec,
  whatsappSpec as ChannelSpec,
  whatsappCloudSpec as ChannelSpec,
  tiktokSpec as ChannelSpec,
  telegramSpec as ChannelSpec,
  botframeworkSpec as ChannelSpec,
  lazadaSpec as ChannelSpec,
  lineSpec as ChannelSpec,
  emailSpec as ChannelSpec,
];

/** The channels to run, in SORA_CHANNELS order, each with its validated settings. */
export interface ChannelsConfig {
  enabled: { id: string; settings: unknown }[];
}

/**
 * SORA_CHANNELS (default `webchat`) and each enabled channel's settings. Returns the channels and
 * the problems found (each naming the variable, channel problems prefixed by the channel id).
 */
export function parseChannels(env: Env, specs: ChannelSpec[] = CHANNEL_SPECS): { channels: ChannelsConfig; problems: string[] } {
  const ids = (env.SORA_CHANNELS ?? 'webchat')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const problems: string[] = [];
  if (ids.length === 0) problems.push('SORA_CHANNELS is empty: enable at least one channel, e.g. SORA_CHANNELS=webchat');
  const seen = new Set<string>();
  const enabled: ChannelsConfig['enabled'] = [];
  for (const id of ids) {
    if (seen.has(id)) {
      problems.push(`SORA_CHANNELS lists "${id}" twice`);
      continue;
    }
    seen.add(id);
    const spec = specs.find((x) => x.id === id);
    if (!spec) {
      problems.push(`SORA_CHANNELS: unknown channel "${id}" (known: ${specs.map((x) => x.id).join(', ')})`);
      continue;
    }
    const r = tryParse(spec, env);
    if (r.ok) enabled.push({ id, settings: r.settings });
    else problems.push(...r.problems);
  }
  return { channels: { enabled }, problems };
}

/** Parse one channel's settings; problems as `id: VAR: message`. */
export function tryParse<C>(spec: ChannelSpec<C>, env: Env): { ok: true; settings: C } | { ok: false; problems: string[] } {
  try {
    return { ok: true, settings: spec.parse(env) };
  } catch (e) {
    if (e instanceof z.ZodError)
      return { ok: false, problems: e.issues.map((i) => `${spec.id}: ${i.path.join('.') || '(settings)'}: ${i.message}`) };
    return { ok: false, problems: [`${spec.id}: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
