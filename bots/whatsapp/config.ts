/** The `whatsapp` (Baileys) channel: its settings are parsed with the configuration (infra/config/channels.ts). */
import type { ChannelFactory } from '../channel-factory.js';
import type { WhatsappSettings } from '../../infra/config/index.js';
import { WhatsappAdapter } from './adapter.js';

export { whatsappConfig } from '../../infra/config/index.js';

export const whatsappChannel: ChannelFactory<WhatsappSettings> = {
  id: 'whatsapp',
  create: (c, d) => new WhatsappAdapter({ ...c, secrets: d.secrets }),
};
