/** WhatsApp (Baileys) settings from the environment, validated at start (see bots/channels.ts). */
import { z } from 'zod';
import type { ChannelFactory, Env } from '../channel-factory.js';
import { WhatsappAdapter, type WhatsappAdapterOptions } from './adapter.js';
import { BAILEYS_LOG_LEVELS } from './socket.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const m = DURATION.exec(raw.trim());
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not a duration (use e.g. 1500ms, 30s, 10m, 24h)` });
        return z.NEVER;
      }
      return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!);
    })
    .describe(name);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { errorMap: () => ({ message: 'must be true or false' }) })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const SHOP_ID = /^[\w.-]{1,64}$/;
const PHONE = /^\d{8,15}$/;

const schema = z
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
    SORA_WHATSAPP_GROUPS: bool(false),
    SORA_WHATSAPP_TYPING: bool(true),
    SORA_WHATSAPP_QR_TERMINAL: bool(true),
    SORA_WHATSAPP_CATCH_UP: duration('SORA_WHATSAPP_CATCH_UP', '24h'),
    SORA_WHATSAPP_RECONNECT_MIN: duration('SORA_WHATSAPP_RECONNECT_MIN', '1s'),
    SORA_WHATSAPP_RECONNECT_MAX: duration('SORA_WHATSAPP_RECONNECT_MAX', '2m'),
    SORA_WHATSAPP_LOG_LEVEL: z.enum(BAILEYS_LOG_LEVELS).default('warn'),
    SORA_ALERT_WEBHOOK_URL: z.string().url('must be a URL').optional(),
    SORA_OPERATOR_TOKEN: z.string().optional(),
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

export function whatsappConfig(env: Env): WhatsappAdapterOptions {
  const e = schema.parse(env);
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
    alertWebhookUrl: e.SORA_ALERT_WEBHOOK_URL,
    operatorTokenSet: !!e.SORA_OPERATOR_TOKEN,
  };
}

export const whatsappChannel: ChannelFactory<WhatsappAdapterOptions> = {
  id: 'whatsapp',
  summary: 'WhatsApp via Baileys (linked device per shop; QR at /operator/whatsapp/qr or pairing code)',
  config: whatsappConfig,
  create: (c) => new WhatsappAdapter(c),
};
