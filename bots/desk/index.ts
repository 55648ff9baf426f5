/**
 * The desk's HTTP API, `/desk/api/*` (issue 16): sign-in (session-routes.ts) and, behind deskAuth,
 * every desk route. Each sub-router owns one subject and scopes its reads by the caller's shops.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { ShopSettingsOptions } from '../../models/shop-settings.js';
import { deskAuth, type DeskAuthOptions } from './auth.js';
import { notificationRoutes } from './notifications.js';
import { presenceRoutes } from './presence.js';
import { routingRoutes } from './routing-routes.js';
import { sessionRoutes } from './session-routes.js';
import { shopRoutes } from './shops.js';
import { agentRoutes } from './agents.js';
import { signInLinkRoutes } from './sign-in-links.js';
import { ticketRoutes, type TicketRoutesOptions } from './tickets.js';

export interface DeskOptions extends DeskAuthOptions {
  client: Client;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** The return policy validator for shop settings (activities/, wired by scripts/operator-services.ts). */
  shopSettings?: ShopSettingsOptions;
  /** SORA_DESK_URL: where sign-in links point (default: the address the request came to). */
  deskUrl?: string;
  /** Agent replies to buyers and the workflows' task queue (bots/intake.ts); without it, no ticket routes. */
  intake?: TicketRoutesOptions['intake'];
}

export function deskRoutes(opts: DeskOptions): Router {
  const r = Router();
  r.use(sessionRoutes(opts));
  r.use(signInLinkRoutes(opts));
  r.use(deskAuth(opts));
  r.use(shopRoutes(opts.shopSettings));
  r.use(agentRoutes(opts));
  r.use(presenceRoutes(opts));
  r.use(routingRoutes(opts));
  r.use(notificationRoutes());
  if (opts.intake) r.use(ticketRoutes({ client: opts.client, intake: opts.intake, log: opts.log }));
  return r;
}

export { setupPageRoutes } from './sign-in-links.js';
