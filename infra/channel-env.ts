/** Zod helpers for channel settings; they live with the configuration schema (infra/config/channel-fields.ts). */
export { optionalEnv, parseShopMap, requiredEnv, shopMapEnv, type ShopMapEntry } from '../infra/config/channel-fields.js';
