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

/** Express error handler: HttpError → its status; Temporal down → 503 + Retry-After; bad JSON → 400. */
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
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', message: `request body is not valid JSON: ${e.message}` });
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: 'too_large', message: 'request body is too large' });
      return;
    }
    log('unhandled gateway error', { path: req.path, error: String(err) });
    res.status(500).json({ error: 'internal', message: 'internal error; the event was not accepted, retry later' });
  };
}
