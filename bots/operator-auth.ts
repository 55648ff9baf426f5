/**
 * Who may use `/operator/*`: a Bearer token that is a live operator credential (models/operator-credential.ts,
 * `sora operators token create`) or equals SORA_OPERATOR_TOKEN, or a desk admin who sees every shop
 * ('*'): signed in to the desk (session cookie; changes need its CSRF token) or with their own API
 * token (`sora agents token create`). Any other agent gets 403. There is no open mode: without a
 * credential every operator route answers 401, loopback included.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ALL_SHOPS } from '../models/agent.js';
import { findOperatorByToken } from '../models/operator-credential.js';
import { resolveDeskAgent, type DeskAgent } from './desk/auth.js';
import { HttpError } from './http-errors.js';
import { sameSecret } from './same-secret.js';

export { sameSecret };

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated operator (set by operatorAuth). */
    operator?: { id: string; name: string };
  }
}

/** Longer than any token we issue; anything longer is refused before hashing or a lookup. */
const MAX_TOKEN = 512;
const REALM = 'Bearer realm="sora-operator"';
const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

function unauthorized(res: Response, invalid: boolean, message: string): never {
  res.setHeader('WWW-Authenticate', invalid ? `${REALM}, error="invalid_token"` : REALM);
  throw new HttpError(401, 'unauthorized', message);
}

/** The Bearer token of the request, or undefined. */
function bearer(req: Request): string | undefined {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

/** A desk agent may operate only as an admin over every shop. */
function asOperator(agent: DeskAgent): { id: string; name: string } {
  if (agent.role !== 'admin' || !agent.shopIds.includes(ALL_SHOPS))
    throw new HttpError(403, 'forbidden', 'the operator API needs an operator token or a desk admin who sees every shop');
  return { id: `agent:${agent.id}`, name: agent.name };
}

/**
 * The guard the gateway puts in front of every /operator route, adapters' included (and
 * operatorRoutes in front of its own, for a router mounted alone). `envToken`: SORA_OPERATOR_TOKEN;
 * `sessionTtlMs`: the desk sessions' lifetime (SORA_DESK_SESSION_TTL).
 */
export function operatorAuth(envToken?: string, o: { sessionTtlMs?: number } = {}): RequestHandler {
  const desk = { operatorToken: envToken, sessionTtlMs: o.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS };
  return async (req, res, next) => {
    if (req.operator) return next();
    if (!req.get('authorization')) {
      // A desk admin's session cookie (resolveDeskAgent checks the CSRF token of a change).
      const agent = await resolveDeskAgent(req, res, desk);
      if (!agent) unauthorized(res, false, 'an operator credential is required: Authorization: Bearer <token> (README "Security")');
      req.operator = asOperator(agent);
      return next();
    }
    const token = bearer(req);
    if (!token || token.length > MAX_TOKEN) unauthorized(res, true, 'the Authorization header must be "Bearer <token>"');
    if (envToken && sameSecret(token, envToken)) {
      req.operator = { id: 'env:SORA_OPERATOR_TOKEN', name: 'SORA_OPERATOR_TOKEN' };
      return next();
    }
    const found = await findOperatorByToken(token);
    if (!found) unauthorized(res, true, 'unknown or revoked operator token');
    if (found.agentId) {
      // A per-agent token acts as its agent (disabled or gone: 401).
      const agent = await resolveDeskAgent(req, res, desk);
      if (!agent) unauthorized(res, true, 'the agent of this token is disabled or gone');
      req.operator = asOperator(agent);
      return next();
    }
    req.operator = { id: found.id, name: found.name };
    next();
  };
}
