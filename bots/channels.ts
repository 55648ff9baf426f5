/**
 * Which channel adapters run: `SORA_CHANNELS=webchat,whatsapp,…` plus each channel's own settings,
 * all validated at start. Every problem of every enabled channel is reported at once, naming the
 * environment variable, before anything listens.
 *
 * Adding a channel = one entry in CHANNELS (see docs/adding-a-channel.md).
 */
import { z } from 'zod';
import type { ChannelAdapter } from './channel.js';
import { WebchatAdapter } from './webchat.js';
import { WhatsappCloudAdapter } from './whatsapp-cloud/adapter.js';
import { whatsappCloudConfig, type WhatsappCloudConfig } from './whatsapp-cloud/config.js';
import { TiktokAdapter } from './tiktok/adapter.js';
import { tiktokConfig, type TiktokConfig } from '../infra/platforms/tiktok/config.js';
import { TelegramAdapter, type TelegramOptions } from './telegram/adapter.js';
import { BotFrameworkAdapter, type AppType, type BotFrameworkOptions } from './botframework/adapter.js';
import { whatsappChannel } from './whatsapp/config.js';
import type { ChannelFactory, Env } from './channel-factory.js';

export { envSchema, type ChannelFactory, type Env } from './channel-factory.js';

const webchat: ChannelFactory<{ pollMs: number }> = {
  id: 'webchat',
  summary: 'web chat page and HTTP API (/chat, /webchat/:shop/…)',
  config: (env) =>
    z
      .object({ SORA_WEBCHAT_POLL_MS: z.coerce.number().int().min(50, 'must be at least 50 (ms)').default(1000) })
      .transform((e) => ({ pollMs: e.SORA_WEBCHAT_POLL_MS }))
      .parse(env),
  create: (c) => new WebchatAdapter({ pollMs: c.pollMs }),
};

const whatsappCloud: ChannelFactory<WhatsappCloudConfig> = {
  id: 'whatsapp-cloud',
  summary: 'WhatsApp Business Cloud API (Meta Graph API; webhook /webhooks/whatsapp-cloud)',
  config: whatsappCloudConfig,
  create: (c) => new WhatsappCloudAdapter(c),
};

const tiktok: ChannelFactory<TiktokConfig> = {
  id: 'tiktok',
  summary: 'TikTok Shop customer service (Partner API; webhook /webhooks/tiktok, OAuth redirect /tiktok/oauth/callback)',
  config: tiktokConfig,
  create: (c) => new TiktokAdapter(c),
};

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

const bool = (name: string, dflt: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { errorMap: () => ({ message: `${name} must be true or false` }) })
    .default(dflt ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const telegram: ChannelFactory<TelegramOptions> = {
  id: 'telegram',
  summary: 'Telegram bot via grammy (webhook POST /telegram/:shopId/webhook, or long polling)',
  config: (env) =>
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
          SORA_TELEGRAM_TYPING: bool('SORA_TELEGRAM_TYPING', true),
        })
        .transform((e): TelegramOptions => ({
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
  create: (c) => new TelegramAdapter(c),
};

const APP_TYPES: Record<string, AppType> = { multitenant: 'MultiTenant', singletenant: 'SingleTenant', userassignedmsi: 'UserAssignedMSI' };

const botframework: ChannelFactory<BotFrameworkOptions> = {
  id: 'botframework',
  summary: 'Azure Bot Service via botbuilder (Web Chat/Direct Line, Teams…; POST /api/messages)',
  config: (env) =>
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
        .transform((e): BotFrameworkOptions => ({
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
  create: (c) => new BotFrameworkAdapter(c),
};

/** Every channel sora-cs knows. */
export const CHANNELS: ChannelFactory[] = [
  webchat as ChannelFactory,
  whatsappChannel as ChannelFactory,
  whatsappCloud as ChannelFactory,
  tiktok as ChannelFactory,
  telegram as ChannelFactory,
  botframework as ChannelFactory,
];

export class ChannelConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`channel configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ChannelConfigError';
  }
}

/** Parses SORA_CHANNELS (default `webchat`) and builds the enabled adapters, or throws ChannelConfigError listing every problem. */
export function adaptersFromEnv(env: Env = process.env, factories: ChannelFactory[] = CHANNELS): ChannelAdapter[] {
  const ids = (env.SORA_CHANNELS ?? 'webchat')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const problems: string[] = [];
  if (ids.length === 0) problems.push('SORA_CHANNELS is empty: enable at least one channel, e.g. SORA_CHANNELS=webchat');
  const seen = new Set<string>();
  const adapters: ChannelAdapter[] = [];
  for (const id of ids) {
    if (seen.has(id)) {
      problems.push(`SORA_CHANNELS lists "${id}" twice`);
      continue;
    }
    seen.add(id);
    const f = factories.find((x) => x.id === id);
    if (!f) {
      problems.push(`SORA_CHANNELS: unknown channel "${id}" (known: ${factories.map((x) => x.id).join(', ')})`);
      continue;
    }
    try {
      adapters.push(f.create(f.config(env)));
    } catch (e) {
      if (e instanceof z.ZodError) {
        for (const i of e.issues) problems.push(`${id}: ${i.path.join('.') || '(settings)'}: ${i.message}`);
      } else problems.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (problems.length) throw new ChannelConfigError(problems);
  return adapters;
}
