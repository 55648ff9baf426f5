/**
 * The channel adapters: one factory per channel id, building the adapter from that channel's
 * settings. Which channels run and their settings (`SORA_CHANNELS=webchat,whatsapp,…` plus each
 * channel's own variables) are parsed and validated with the rest of the configuration, every
 * problem at once (infra/config/channels.ts), before anything listens.
 *
 * Adding a channel = its settings in infra/config/channels.ts + one entry in CHANNELS (see docs/adding-a-channel.md).
 */
import type { ChannelAdapter } from './channel.js';
import type { ChannelDeps, ChannelFactory } from './channel-factory.js';
import { WebchatAdapter } from './webchat.js';
import { WhatsappCloudAdapter } from './whatsapp-cloud/adapter.js';
import { TiktokAdapter } from './tiktok/adapter.js';
import { TelegramAdapter } from './telegram/adapter.js';
import { BotFrameworkAdapter } from './botframework/adapter.js';
import { whatsappChannel } from './whatsapp/config.js';
import { LazadaAdapter } from './lazada/adapter.js';
import { LineAdapter } from './line/adapter.js';
import { EmailAdapter } from './email/adapter.js';
import type {
  BotFrameworkSettings,
  LineSettings,
  ChannelsConfig,
  EmailSettings,
  TelegramSettings,
  TiktokSettings,
  WebchatSettings,
  WhatsappCloudSettings,
} from '../infra/config/index.js';
import type { LazadaSettings } from '../infra/config/index.js';

export type { ChannelDeps, ChannelFactory } from './channel-factory.js';

const webchat: ChannelFactory<WebchatSettings> = {
  id: 'webchat',
  create: (c, d) => new WebchatAdapter({ ...c, secrets: d.secrets, shopify: d.shopify }),
};
const whatsappCloud: ChannelFactory<WhatsappCloudSettings> = { id: 'whatsapp-cloud', create: (c) => new WhatsappCloudAdapter(c) };
const tiktok: ChannelFactory<TiktokSettings> = { id: 'tiktok', create: (c, d) => new TiktokAdapter({ ...c, secrets: d.secrets }) };
const telegram: ChannelFactory<TelegramSettings> = { id: 'telegram', create: (c) => new TelegramAdapter(c) };
const botframework: ChannelFactory<BotFrameworkSettings> = { id: 'botframework', create: (c) => new BotFrameworkAdapter(c) };
const lazada: ChannelFactory<LazadaSettings> = { id: 'lazada', create: (c, d) => new LazadaAdapter({ ...c, secrets: d.secrets }) };
const line: ChannelFactory<LineSettings> = { id: 'line', create: (c) => new LineAdapter(c) };
const email: ChannelFactory<EmailSettings> = { id: 'email', create: (c) => new EmailAdapter(c) };

/** Every channel sora-cs knows. */
export const CHANNELS: ChannelFactory[] = [
  webchat as ChannelFactory,
  whatsappChannel as ChannelFactory,
  whatsappCloud as ChannelFactory,
  tiktok as ChannelFactory,
  telegram as ChannelFactory,
  botframework as ChannelFactory,
  lazada as ChannelFactory,
  line as ChannelFactory,
  email as ChannelFactory,
];

/**
 * The enabled channels' adapters, in SORA_CHANNELS order, from the parsed configuration
 * (`config.channels`); `deps`: what the entry point passes every adapter (the SecretBox).
 */
export function createAdapters(channels: ChannelsConfig, factories: ChannelFactory[] = CHANNELS, deps: ChannelDeps = {}): ChannelAdapter[] {
  return channels.enabled.map(({ id, settings }) => {
    const f = factories.find((x) => x.id === id);
    if (!f) throw new Error(`channel "${id}" has settings but no adapter factory in bots/channels.ts`);
    return f.create(settings, deps);
  });
}
