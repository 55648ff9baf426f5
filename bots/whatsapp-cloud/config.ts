/** Settings of the `whatsapp-cloud` channel: parsed with the configuration, infra/config/channels.ts. */
export { whatsappCloudConfig, type WhatsappCloudSettings as WhatsappCloudConfig } from '../../infra/config/index.js';
