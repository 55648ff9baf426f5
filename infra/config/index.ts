/**
 * Configuration: parsed once at start (loadConfig) and passed in; nothing outside this folder
 * reads the environment (an ESLint rule says so). See schema.ts for every variable.
 */
export { loadConfig, defaultConfig, ConfigError, projectRoot, type LoadOptions } from './load.js';
export { soraHome } from './home.js';
export { environmentWith } from './child-env.js';
export type { Env } from './fields.js';
export {
  SECTIONS,
  SETTINGS,
  type Config,
  type ConversationSettings,
  type CarrierCredentialSettings,
  type EmbeddingSettings,
  type LogLevel,
  type TemporalConfig,
  type TemporalTarget,
} from './schema.js';
export {
  CHANNEL_SPECS,
  envSchema,
  parseChannels,
  tiktokConfig,
  webchatSpec,
  whatsappCloudConfig,
  whatsappConfig,
  type BotFrameworkSettings,
  type ChannelSpec,
  type ChannelsConfig,
  type TelegramSettings,
  type TiktokSettings,
  type WebchatSettings,
  type WhatsappCloudSettings,
  type WhatsappSettings,
} from './channels.js';
export type { ShopifySettings, ShopifyStoreSettings } from './shopify.js';
export { renderConfigDocs, replaceSection } from './docs.js';
