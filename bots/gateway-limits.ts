/**
 * Per-client-address request limits on the gateway's `/webhooks/*` and `/operator/*` routes
 * (express-rate-limit, in memory per gateway process): over the limit → 429 with Retry-After.
 * The client address is the connection's (req.ip; no proxy headers are trusted).
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

export interface GatewayRateLimits {
  /** SORA_WEBHOOK_RATE_LIMIT: requests per minute and client address on /webhooks/*. */
  webhooksPerMinute: number;
  /** SORA_OPERATOR_RATE_LIMIT: requests per minute and client address on /operator/* (failed logins count). */
  operatorPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: GatewayRateLimits = { webhooksPerMinute: 1200, operatorPerMinute: 300 };

const WINDOW_MS = 60_000;

/** A limiter of `perMinute` requests per client address; `what` names the routes in the 429 body. */
export function perClientLimit(what: string, perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The connection's address; a proxy in front makes every client one (README "Security").
    validate: { xForwardedForHeader: false, forwardedHeader: false },
    handler: (_req, res, _next, options) => {
      res.status(options.statusCode).json({
        error: 'rate_limited',
        message: `too many requests to ${what} from this address (limit ${perMinute} per minute); retry after the Retry-After seconds`,
      });
    },
  });
}
