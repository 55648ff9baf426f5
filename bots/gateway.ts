/**
 * The gateway: one HTTP server that hosts every channel's webhooks, the web chat, operator
 * endpoints and health. Adapters register their routes in start().
 */
import type { BillingPlan } from '../infra/config/billing-plan.js';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import mongoose from 'mongoose';
import type { ChannelRegistry } from './registry.js';
import type { Intake } from './intake.js';
import { errorHandler } from './http-errors.js';
import { operatorRoutes, type OperatorServices } from './operator.js';
import { operatorAuth } from './operator-auth.js';
import { metricsRoute } from './metrics-route.js';
import { deskRoutes, setupPageRoutes } from './desk/index.js';
import type { Translator } from '../infra/translation/index.js';
import type { MissedServices } from './desk/missed.js';
import { deskPages } from './desk/pages.js';
import { DEFAULT_RATE_LIMITS, perClientLimit, type GatewayRateLimits } from './gateway-limits.js';
import type { Client } from '@temporalio/client';

export interface GatewayOptions {
  host: string;
  port: number;
  registry: ChannelRegistry;
  intake: Intake;
  client: Client;
  /** SORA_OPERATOR_TOKEN: accepted on /operator/* besides the stored operator credentials. */
  operatorToken?: string;
  /** Requests per minute and client address on /webhooks/* and /operator/* (default DEFAULT_RATE_LIMITS). */
  rateLimits?: GatewayRateLimits;
  /** A desk sign-in's lifetime without use (SORA_DESK_SESSION_TTL; default 12 h). */
  deskSessionTtlMs?: number;
  /** SORA_DESK_URL: where sign-in links point (default: the address the request came to). */
  deskUrl?: string;
  /** SORA_TEMPORAL_UI_URL: where the desk links a conversation's workflow. */
  temporalUiUrl?: string;
  /** SORA_BILLING_TIERS: the price table of GET /desk/api/usage (default: the documented one). */
  billing?: BillingPlan;
  /** SORA_FCR_WINDOW: stated in the desk's KPI definitions. */
  fcrWindowMs?: number;
  /** SORA_CARRIER_KEY_WARN_HOURS, for the desk's health summary. */
  carrierKeyWarnHours?: number;
  /** SORA_METRICS_PUBLIC: GET /metrics without a credential. */
  metricsPublic?: boolean;
  /** How long /healthz waits for Temporal's answer (default 2 s). */
  healthTimeoutMs?: number;
  /** KB import and carrier key health for the operator API and /healthz (scripts/operator-services.ts). */
  operator: OperatorServices;
  /** The desk's missed questions: clustering, intent suggestion, FAQ add (scripts/missed-services.ts). */
  missed?: MissedServices;
  /** The machine translation provider for the desk (review, live translation); null: none configured. */
  translator?: Translator | null;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** This process's own task queue when it serves the sends of process-bound adapters (GatewayContext.processQueue). */
  processQueue?: string;
}

export interface Gateway {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The exact bytes received, for webhook signature checks. */
    rawBody?: Buffer;
  }
}

/** Whether the Temporal frontend answers a health check within `timeoutMs` (false, never a throw). */
export async function temporalReachable(client: Client, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs + 500)));
  const check = client.connection
    .withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}))
    .then(
      () => true,
      () => false,
    );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    express.json({
      limit: '1mb',
      verify: (req, _res, buf) => {
        (req as express.Request).rawBody = Buffer.from(buf);
      },
    }),
  );
  app.get('/healthz', async (_req, res) => {
    const mongo = mongoose.connection.readyState === 1;
    // Carrier keys: overall status and counts only (per shop: GET /operator/health/carrier-keys). Not a liveness failure.
    const [temporal, keys] = await Promise.all([
      temporalReachable(opts.client, opts.healthTimeoutMs ?? 2000),
      mongo ? opts.operator.carrierKeyHealth().catch(() => null) : null,
    ]);
    const ok = mongo && temporal;
    res.status(ok ? 200 : 503).json({
      ok,
      mongo,
      temporal,
      channels: opts.registry.all().map((a) => a.id),
      carrierKeys: keys ? { status: keys.status, ...keys.counts } : null,
    });
  });
  // Per client address, before anything else runs on these paths (failed operator logins count too).
  const limits = opts.rateLimits ?? DEFAULT_RATE_LIMITS;
  // Prometheus (bots/metrics-route.ts): an operator credential unless SORA_METRICS_PUBLIC=true.
  app.use('/metrics', perClientLimit('/metrics', limits.operatorPerMinute));
  app.use(
    metricsRoute({
      registry: opts.registry,
      public: opts.metricsPublic,
      operatorToken: opts.operatorToken,
      sessionTtlMs: opts.deskSessionTtlMs,
    }),
  );
  app.use('/webhooks', perClientLimit('/webhooks', limits.webhooksPerMinute));
  app.use('/operator', perClientLimit('/operator', limits.operatorPerMinute));
  // The desk's API shares the operator limit (failed sign-ins count).
  app.use('/desk/api', perClientLimit('/desk/api', limits.operatorPerMinute));
  app.use(
    '/desk/api',
    deskRoutes({
      client: opts.client,
      intake: opts.intake,
      log: opts.log,
      operatorToken: opts.operatorToken,
      sessionTtlMs: opts.deskSessionTtlMs ?? 12 * 3_600_000,
      shopSettings: { validateReturnPolicy: opts.operator.validateReturnPolicy },
      deskUrl: opts.deskUrl,
      temporalUiUrl: opts.temporalUiUrl,
      billing: opts.billing,
      fcrWindowMs: opts.fcrWindowMs,
      carrierKeyWarnHours: opts.carrierKeyWarnHours,
      missed: opts.missed,
      translator: opts.translator ?? null,
    }),
  );
  // The page a one-time sign-in link opens (web/desk/setup.html).
  app.use('/desk', setupPageRoutes());
  // The desk's pages (web/desk, static ES modules).
  app.use('/desk', deskPages());
  // Every operator route, adapters' included (e.g. /operator/whatsapp/qr), needs a credential: there is no open mode.
  app.use('/operator', operatorAuth(opts.operatorToken, { sessionTtlMs: opts.deskSessionTtlMs }));
  for (const adapter of opts.registry.all()) {
    await adapter.start({ app, intake: opts.intake, log: opts.log, processQueue: opts.processQueue });
    opts.log('channel started', { channel: adapter.id });
  }
  app.use('/operator', operatorRoutes(opts.client, opts.operator, opts.operatorToken));
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
  });
  app.use(errorHandler(opts.log));

  const server = app.listen(opts.port, opts.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host}:${port}`;
  return {
    url,
    server,
    async stop() {
      for (const adapter of opts.registry.all()) await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
