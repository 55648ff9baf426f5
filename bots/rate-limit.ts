/**
 * Per-client request limits for the gateway's public routes (web chat now; webhooks can reuse it).
 * A thin layer over express-rate-limit (in-memory, per process): a limit is `max` requests per
 * `windowMs` per key; past it the answer is 429 with Retry-After (seconds to the window's end) and
 * the gateway's usual JSON error body naming the limit. Keys are a client address (IPv6 grouped by
 * /56, so one host cannot rotate through its own addresses) or anything the route knows after
 * authentication (a session, a buyer).
 */
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export interface LimitOptions {
  /** Requests allowed per window per key. */
  max: number;
  /** Window length (default one minute). */
  windowMs?: number;
  /** What is limited, for the error message (e.g. "messages per buyer session"). */
  what: string;
  /** The key; default the client address. Return undefined to fall back to the address. */
  key?: (req: Request, res: Response) => string | undefined;
}

/** The client address key (IPv6 addresses grouped by their /56 prefix). */
export const addressKey = (req: Request): string => `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;

export function limitRequests(o: LimitOptions): RequestHandler {
  const windowMs = o.windowMs ?? 60_000;
  return rateLimit({
    windowMs,
    limit: o.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) => o.key?.(req, res) ?? addressKey(req),
    // The key generator already groups IPv6 addresses; the library's self-checks only warn on stderr.
    validate: { keyGeneratorIpFallback: false },
    handler: (_req, res) => {
      res.status(429).json({
        error: 'rate_limited',
        message: `too many requests: at most ${o.max} ${o.what} per ${Math.round(windowMs / 1000)}s; retry after ${res.getHeader('retry-after') ?? '?'}s`,
      });
    },
  });
}
