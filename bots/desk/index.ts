/**
 * The desk's HTTP API, `/desk/api/*` (issue 16): sign-in (session-routes.ts) and, behind deskAuth,
 * every desk route. Each sub-router owns one subject and scopes its reads by the caller's shops.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { deskAuth, type DeskAuthOptions } from './auth.js';
import { sessionRoutes } from './session-routes.js';
import { ticketRoutes, type TicketRoutesOptions } from './tickets.js';

export interface DeskOptions extends DeskAuthOptions {
  client: Client;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Agent replies to buyers and the workflows' task queue (bots/intake.ts); without it, no ticket routes. */
  intake?: TicketRoutesOptions['intake'];
}

export function deskRoutes(opts: DeskOptions): Router {
  const r = Router();
  r.use(sessionRoutes(opts));
  r.use(deskAuth(opts));
  if (opts.intake) r.use(ticketRoutes({ client: opts.client, intake: opts.intake, log: opts.log }));
  return r;
}
