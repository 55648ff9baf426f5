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
  lazadaConfig,
  webchatSpec,
  whatsappCloudConfig,
  whatsappConfig,
  type BotFrameworkSettings,
  type ChannelSpec,
  type ChannelsConfig,
  type TelegramSettings,
  type TiktokSettings,
  type LazadaSettings,
  type WebchatSettings,
  type WhatsappCloudSettings,
  type WhatsappSettings,
} from './channels.js';
export { lineConfig, parseLineChannels, type LineChannel, type LineSettings } from './channel-line.js';
export { emailSpec, type EmailSettings } from './channels.js';
export { parseEmailAccounts, type EmailAccount, type EmailServer } from './email-accounts.js';
export type { ShopifySettings, ShopifyStoreSettings } from './shopify.js';
export { renderConfigDocs, replaceSection } from './docs.js';
