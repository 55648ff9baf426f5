/**
 * The desk's HTTP API, `/desk/api/*` (issue 16): sign-in (session-routes.ts) and, behind deskAuth,
 * every desk route. Each sub-router owns one subject and scopes its reads by the caller's shops.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { deskAuth, type DeskAuthOptions } from './auth.js';
import { notificationRoutes } from './notifications.js';
import { presenceRoutes } from './presence.js';
import { routingRoutes } from './routing-routes.js';
import { sessionRoutes } from './session-routes.js';

export interface DeskOptions extends DeskAuthOptions {
  client: Client;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export function deskRoutes(opts: DeskOptions): Router {
  const r = Router();
  r.use(sessionRoutes(opts));
  r.use(deskAuth(opts));
  r.use(presenceRoutes(opts));
  r.use(routingRoutes(opts));
  r.use(notificationRoutes());
  return r;
}
