/**
 * Who may use `/operator/*`: a Bearer token that is a live operator credential (models/operator-credential.ts,
 * `sora operators token create`) or equals SORA_OPERATOR_TOKEN. There is no open mode: without a
 * credential every operator route answers 401, loopback included.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { findOperatorByToken } from '../models/operator-credential.js';
import { HttpError } from './http-errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated operator (set by operatorAuth). */
    operator?: { id: string; name: string };
  }
}

/** Longer than any token we issue; anything longer is refused before hashing or a lookup. */
const MAX_TOKEN = 512;
const REALM = 'Bearer realm="sora-operator"';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of two strings (through their SHA-256 digests, equal lengths). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function unauthorized(res: Response, invalid: boolean, message: string): never {
  res.setHeader('WWW-Authenticate', invalid ? `${REALM}, error="invalid_token"` : REALM);
  throw new HttpError(401, 'unauthorized', message);
}

/** The Bearer token of the request, or undefined. */
function bearer(req: Request): string | undefined {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

/**
 * The guard the gateway puts in front of every /operator route, adapters' included (and
 * operatorRoutes in front of its own, for a router mounted alone). `envToken`: SORA_OPERATOR_TOKEN.
 */
export function operatorAuth(envToken?: string): RequestHandler {
  return async (req, res, next) => {
    if (req.operator) return next();
    if (!req.get('authorization'))
      unauthorized(res, false, 'an operator credential is required: Authorization: Bearer <token> (README "Security")');
    const token = bearer(req);
    if (!token || token.length > MAX_TOKEN) unauthorized(res, true, 'the Authorization header must be "Bearer <token>"');
    if (envToken && sameSecret(token, envToken)) {
      req.operator = { id: 'env:SORA_OPERATOR_TOKEN', name: 'SORA_OPERATOR_TOKEN' };
      return next();
    }
    const found = await findOperatorByToken(token);
    if (!found) unauthorized(res, true, 'unknown or revoked operator token');
    req.operator = { id: found.id, name: found.name };
    next();
  };
}
