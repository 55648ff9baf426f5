/**
 * What a channel contributes to bots/channels.ts: its id and how it builds its adapter from its
 * settings (parsed with the rest of the configuration, infra/config/channels.ts). Kept apart from
 * channels.ts (which lists every factory) so a channel's own module can use the type without
 * importing that list back.
 */
import type { ChannelAdapter } from './channel.js';
import type { SecretBox } from '../infra/secrets/index.js';
import type { ShopifySettings } from '../infra/config/index.js';

/** What the entry point gives every adapter besides its settings. */
export interface ChannelDeps {
  /** Seals what an adapter stores (TikTok tokens, the WhatsApp login state); infra/secrets. */
  secrets?: SecretBox;
  /** Shopify stores and app secret (config.shopify): the web chat's Shopify app proxy. */
  shopify?: ShopifySettings;
}

export interface ChannelFactory<C = unknown> {
  /** The id used in SORA_CHANNELS and ConversationRef.channel (the same as its settings' ChannelSpec). */
  id: string;
  create: (settings: C, deps: ChannelDeps) => ChannelAdapter;
}
