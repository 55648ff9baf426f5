/** Settings of the TikTok Shop app (the `tiktok` channel and the TikTok order sync): parsed with the configuration, infra/config/channels.ts. */
export { tiktokConfig, type TiktokSettings as TiktokConfig } from '../../config/index.js';
