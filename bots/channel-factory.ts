/**
 * What a channel contributes to bots/channels.ts: its id, how it reads its settings from the
 * environment, and how it builds its adapter. Kept apart from channels.ts (which lists every
 * factory) so a channel's own config module can use these types without importing that list back.
 */
import { z } from 'zod';
import type { ChannelAdapter } from './channel.js';

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
