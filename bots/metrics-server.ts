/**
 * A process without a gateway (`sora worker`) serves its own `GET /metrics` on SORA_WORKER_METRICS_ADDRESS:
 * the same route, credential check and rate limit as the gateway's (bots/metrics-route.ts), nothing else.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { DEFAULT_RATE_LIMITS, perClientLimit } from './gateway-limits.js';
import { metricsRoute, type MetricsRouteOptions } from './metrics-route.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0: any free port). */
export async function startMetricsServer(address: string, o: MetricsRouteOptions): Promise<MetricsServer> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(i + 1));
  const app = express();
  app.disable('x-powered-by');
  app.use('/metrics', perClientLimit('/metrics', DEFAULT_RATE_LIMITS.operatorPerMinute));
  app.use(metricsRoute(o));
  app.use((_req, res) => void res.status(404).json({ error: 'not_found', message: 'this address serves GET /metrics only' }));
  const server: Server = app.listen(port, host);
  await once(server, 'listening');
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
