/**
 * The desk's HTTP API, `/desk/api/*` (issue 16): sign-in (session-routes.ts) and, behind deskAuth,
 * every desk route. Each sub-router owns one subject and scopes its reads by the caller's shops.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { ShopSettingsOptions } from '../../models/shop-settings.js';
import { notificationRoutes } from './notifications.js';
import { presenceRoutes, setPresence } from './presence.js';
import { AgentModel } from '../../models/agent.js';
import { routingRoutes } from './routing-routes.js';
import { shopRoutes } from './shops.js';
import { agentRoutes } from './agents.js';
import { signInLinkRoutes } from './sign-in-links.js';
import { ticketRoutes, type TicketRoutesOptions } from './tickets.js';
import { deskAuth, resolveDeskAgent, type DeskAuthOptions } from './auth.js';
import { sessionRoutes } from './session-routes.js';
import { conversationRoutes } from './conversations.js';
import { noteRoutes } from './notes.js';
import { transcriptRoutes } from './transcript.js';
import { cannedRoutes } from './canned.js';
import { sidebarRoutes } from './sidebar.js';
import { DeskFeed } from './desk-feed.js';
import { eventRoutes } from './events.js';
import { usageRoutes } from './usage.js';
import { DEFAULT_BILLING_TIERS, parseBillingPlan, type BillingPlan } from '../../infra/config/billing-plan.js';
import { healthRoutes } from './health.js';
import { reportRoutes } from './reports.js';
import { missedRoutes, type MissedServices } from './missed.js';
import { translationRoutes } from './translations.js';
import type { Translator } from '../../infra/translation/index.js';

export interface DeskOptions extends DeskAuthOptions {
  client: Client;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** The return policy validator for shop settings (activities/, wired by scripts/operator-services.ts). */
  shopSettings?: ShopSettingsOptions;
  /** SORA_DESK_URL: where sign-in links point (default: the address the request came to). */
  deskUrl?: string;
  /** Agent replies to buyers and the workflows' task queue (bots/intake.ts); without it, no ticket routes. */
  intake?: TicketRoutesOptions['intake'];
  /** SORA_TEMPORAL_UI_URL: the desk links each conversation's workflow there. */
  temporalUiUrl?: string;
  /** SORA_CARRIER_KEY_WARN_HOURS: the health summary lists keys expiring within it (default 72). */
  carrierKeyWarnHours?: number;
  /** How often the live feed (SSE) looks for changes (default 1 s). */
  eventsPollMs?: number;
  /** How often an open live stream checks that its agent is still signed in (default 60 s). */
  eventsRecheckMs?: number;
  /** An online agent with no desk page open on this process for this long becomes away (default 2 min). */
  awayAfterMs?: number;
  /** SORA_BILLING_TIERS: the price table of GET /usage (default: the documented one). */
  billing?: BillingPlan;
  /** SORA_FCR_WINDOW (config.insights.fcrWindowMs): stated in the KPI definitions (default 24 h). */
  fcrWindowMs?: number;
  /** Clustering, intent suggestion and FAQ add for the missed questions (scripts/missed-services.ts); without it those routes answer 503. */
  missed?: MissedServices;
  /** The machine translation provider (review, live translation, docs/translation.md); null/absent: none, those routes answer 409. */
  translator?: Translator | null;
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
  r.use(conversationRoutes({ client: opts.client, temporalUiUrl: opts.temporalUiUrl ?? 'http://127.0.0.1:8233' }));
  r.use(transcriptRoutes());
  r.use(noteRoutes());
  r.use(sidebarRoutes());
  r.use(cannedRoutes());
  r.use(usageRoutes(opts.billing ?? parseBillingPlan(DEFAULT_BILLING_TIERS)));
  r.use(healthRoutes({ warnHours: opts.carrierKeyWarnHours }));
  r.use(reportRoutes({ fcrWindowMs: opts.fcrWindowMs }));
  r.use(missedRoutes(opts.missed));
  r.use(translationRoutes({ client: opts.client, translator: opts.translator ?? null }));
  const feed = new DeskFeed({ pollMs: opts.eventsPollMs ?? 1000, onError: (e) => opts.log('desk feed read failed', { error: String(e) }) });
  r.use(
    eventRoutes({
      feed,
      recheckMs: opts.eventsRecheckMs,
      awayAfterMs: opts.awayAfterMs,
      // The desk closed (tab, browser, network): an online agent becomes away; unaccepted assignments go back to the queue.
      onGone: async (agentId) => {
        const a = await AgentModel.findById(agentId, { presence: 1 }).lean();
        if (a?.presence !== 'online') return;
        const r = await setPresence(agentId, 'away');
        opts.log('desk closed: agent away', { agentId, handedBack: r.handedBack });
      },
      // The cookie or token of the stream's request, looked up again (no response is written: a GET needs no CSRF).
      stillSignedIn: async (req) => {
        const probe = { setHeader: () => undefined } as unknown as import('express').Response;
        return !!(await resolveDeskAgent(req, probe, opts).catch(() => null));
      },
    }),
  );
  return r;
}

export { setupPageRoutes } from './sign-in-links.js';
