/**
 * `GET /metrics`: this process's Prometheus metrics (infra/metrics.ts, one registry per process).
 * Needs an operator credential (operatorAuth: Bearer token or a desk admin over every shop) unless
 * SORA_METRICS_PUBLIC=true. The scrape-time gauges are refreshed first: each channel's connection
 * state (adapters in this process) and every carrier credential's seconds to expiry (MongoDB).
 */
import { Router, type RequestHandler } from 'express';
import mongoose from 'mongoose';
import { carrierKeyExpiry, channelConnected, metricsRegistry } from '../infra/metrics.js';
import { CarrierCredentialModel } from '../models/carrier-credential.js';
import { operatorAuth } from './operator-auth.js';
import type { ChannelRegistry } from './registry.js';

export interface MetricsRouteOptions {
  registry: ChannelRegistry;
  /** SORA_METRICS_PUBLIC: no credential needed. */
  public?: boolean;
  operatorToken?: string;
  sessionTtlMs?: number;
}

async function refreshScrapeGauges(registry: ChannelRegistry): Promise<void> {
  channelConnected.reset();
  for (const a of registry.all()) {
    const states = a.connectionStates?.();
    if (!states) channelConnected.set({ channel: a.id, shop: '', state: 'started' }, 1);
    else for (const s of states) channelConnected.set({ channel: a.id, shop: s.shopId, state: s.state }, s.connected ? 1 : 0);
  }
  if (mongoose.connection.readyState !== 1) return;
  const keys = await CarrierCredentialModel.find({}, { shopId: 1, carrier: 1, expiresAt: 1 }).lean();
  carrierKeyExpiry.reset();
  const now = Date.now();
  for (const k of keys) carrierKeyExpiry.set({ shop: k.shopId, carrier: k.carrier }, Math.round((k.expiresAt.getTime() - now) / 1000));
}

export function metricsRoute(o: MetricsRouteOptions): Router {
  const r = Router();
  const guard: RequestHandler = o.public ? (_req, _res, next) => next() : operatorAuth(o.operatorToken, { sessionTtlMs: o.sessionTtlMs });
  r.get('/metrics', guard, async (_req, res) => {
    // A database hiccup leaves the expiry gauges as last read; the rest is in memory.
    await refreshScrapeGauges(o.registry).catch(() => undefined);
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  });
  return r;
}
