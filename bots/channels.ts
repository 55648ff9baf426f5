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
import { whatsappChannel } from './whatsapp/config.js';

export type Env = Record<string, string | undefined>;

export interface ChannelFactory<C = unknown> {
  /** The id used in SORA_CHANNELS and ConversationRef.channel. */
  id: string;
  /** One line for `sora start --help` and the error message. */
  summary: string;
  /** Reads and validates this channel's settings; a ZodError names the variables. */
  config: (env: Env) => C;
  create: (config: C) => ChannelAdapter;
}

/** Helper for factories: define the settings as a zod object over env var names. */
export function envSchema<T extends z.ZodRawShape>(shape: T) {
  return (env: Env) => z.object(shape).parse(env);
}

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

/** Every channel sora-cs knows. */
export const CHANNELS: ChannelFactory[] = [webchat as ChannelFactory, whatsappChannel as ChannelFactory];

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
