/** Uniform JSON errors for every route of the gateway. */
import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import { TemporalUnavailableError } from './intake.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function validationError(e: ZodError): HttpError {
  const details = e.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
  return new HttpError(400, 'invalid_request', details.map((d) => `${d.field}: ${d.problem}`).join('; '), details);
}

const MONGO_UNREACHABLE = new Set([
  'MongooseServerSelectionError',
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * MongoDB cannot be reached (server selection failed, the connection dropped, or mongoose gave up
 * waiting to connect): the request can be retried later as it is.
 */
export function isMongoUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name && MONGO_UNREACHABLE.has(e.name)) return true;
  return e.name === 'MongooseError' && /buffering timed out|not connected|Client must be connected/i.test(e.message ?? '');
}

/**
 * Express error handler: HttpError → its status; Temporal or MongoDB down → 503 + Retry-After; bad
 * JSON → 400; any other error that carries a 4xx status (body-parser, the router) → that status.
 */
export function errorHandler(log: (m: string, f?: Record<string, unknown>) => void) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.code, message: err.message, details: err.details });
      return;
    }
    if (err instanceof TemporalUnavailableError) {
      res.setHeader('Retry-After', '5');
      res.status(503).json({
        error: 'temporal_unavailable',
        message: 'The message is recorded and will be delivered when the workflow service is back; retrying with the same id is safe.',
      });
      return;
    }
    if (isMongoUnavailable(err)) {
      log('database unavailable', { path: req.path, error: String(err) });
      res.setHeader('Retry-After', '5');
      res.status(503).json({
        error: 'database_unavailable',
        message: 'the database is unreachable right now; nothing was accepted, retry with the same request (and the same message id) later',
      });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', message: `request body is not valid JSON: ${e.message}` });
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: 'too_large', message: 'request body is too large' });
      return;
    }
    // The request parsers' and router's own client errors (unsupported charset or Content-Encoding,
    // a corrupt gzip body, a badly encoded path parameter like %FF) carry their 4xx status.
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.type ? e.type.replace(/\./g, '_') : 'bad_request', message: e.message ?? 'bad request' });
      return;
    }
    log('unhandled gateway error', { path: req.path, error: String(err) });
    res.status(500).json({ error: 'internal', message: 'internal error; the event was not accepted, retry later' });
  };
}
