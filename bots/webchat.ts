/** The web chat channel: see bots/webchat/adapter.ts (sessions, identity, reply streams beside it). */
export { WEBCHAT_DEFAULTS, WebchatAdapter, webchatExternalId, type WebchatOptions } from './webchat/adapter.js';
export { customerHash, verifyCustomerHash } from './webchat/identity.js';
