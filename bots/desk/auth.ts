/**
 * Who is calling the desk (`/desk/api/*`): an agent signed in with a session cookie (HttpOnly,
 * SameSite=Strict; changes need the session's CSRF token in `X-CSRF-Token`), an agent's own API
 * token (`Authorization: Bearer`, `sora agents token create`), or an operator credential (admin over
 * every shop). Sets `req.agent`; no credential → 401, a change without the CSRF token → 403.
 * Every route then scopes what it reads by `req.agent.shopIds` (requireShop, shopFilter): an agent
 * never reads another shop's data.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { AgentModel, ALL_SHOPS, seesShop, type AgentRole } from '../../models/agent.js';
import { findDeskSession } from '../../models/desk-session.js';
import { findOperatorByToken } from '../../models/operator-credential.js';
import { HttpError } from '../http-errors.js';
import { sameSecret } from '../same-secret.js';

export interface DeskAgent {
  id: string;
  name: string;
  role: AgentRole;
  /** The shops this agent sees; ['*'] = every shop. */
  shopIds: string[];
  languages: string[];
  capacity: number;
  /** How the request was authenticated. */
  via: 'session' | 'agent_token' | 'operator';
  /** The session's CSRF token (via 'session'). */
  csrfToken?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated desk user (set by deskAuth). */
    agent?: DeskAgent;
  }
}

export const DESK_COOKIE = 'sora_desk';
export const CSRF_HEADER = 'x-csrf-token';
const MAX_TOKEN = 512;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface DeskAuthOptions {
  /** SORA_OPERATOR_TOKEN (an operator: admin over every shop). */
  operatorToken?: string;
  /** Session lifetime without use (SORA_DESK_SESSION_TTL). */
  sessionTtlMs: number;
}

/** The cookie that carries a session (Secure when the request came over HTTPS). */
export function sessionCookie(req: Request, token: string, maxAgeMs: number): string {
  return serializeCookie(DESK_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export const clearedSessionCookie = (req: Request): string =>
  serializeCookie(DESK_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 0 });

export function cookieToken(req: Request): string | undefined {
  const header = req.get('cookie');
  if (!header || header.length > 8192) return undefined;
  const v = parseCookies(header)[DESK_COOKIE];
  return v && v.length <= MAX_TOKEN ? v : undefined;
}

function unauthorized(res: Response, message: string): never {
  res.setHeader('WWW-Authenticate', 'Bearer realm="sora-desk"');
  throw new HttpError(401, 'unauthorized', message);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

async function agentById(id: string, via: DeskAgent['via']): Promise<DeskAgent | null> {
  const a = await AgentModel.findById(id).lean();
  if (!a || a.disabled) return null;
  return {
    id: a._id,
    name: a.name,
    role: a.role as AgentRole,
    shopIds: a.shopIds ?? [],
    languages: a.languages ?? [],
    capacity: a.capacity ?? 3,
    via,
  };
}

/** The desk user of a request, or null; throws 401/403 for a bad credential or a change without CSRF. */
export async function resolveDeskAgent(req: Request, res: Response, opts: DeskAuthOptions): Promise<DeskAgent | null> {
  const authorization = req.get('authorization');
  if (authorization) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    const token = m?.[1];
    if (!token || token.length > MAX_TOKEN) unauthorized(res, 'the Authorization header must be "Bearer <token>"');
    if (opts.operatorToken && sameSecret(token, opts.operatorToken))
      return {
        id: 'operator:env',
        name: 'SORA_OPERATOR_TOKEN',
        role: 'admin',
        shopIds: [ALL_SHOPS],
        languages: [],
        capacity: 0,
        via: 'operator',
      };
    const found = await findOperatorByToken(token);
    if (!found) unauthorized(res, 'unknown or revoked token');
    if (found.agentId) {
      const agent = await agentById(found.agentId, 'agent_token');
      if (!agent) unauthorized(res, 'the agent of this token is disabled or gone');
      return agent;
    }
    return {
      id: `operator:${found.id}`,
      name: found.name,
      role: 'admin',
      shopIds: [ALL_SHOPS],
      languages: [],
      capacity: 0,
      via: 'operator',
    };
  }
  const token = cookieToken(req);
  if (!token) return null;
  const session = await findDeskSession(token, opts.sessionTtlMs);
  if (!session) return null;
  const agent = await agentById(session.agentId, 'session');
  if (!agent) return null;
  if (!SAFE.has(req.method)) {
    const sent = req.get(CSRF_HEADER) ?? '';
    if (!sent || sent.length > 128 || !timingSafeEqual(digest(sent), digest(session.csrfToken)))
      throw new HttpError(
        403,
        'csrf_token_invalid',
        `a change needs the session's CSRF token in the ${CSRF_HEADER} header (GET /desk/api/session gives it)`,
      );
  }
  return { ...agent, csrfToken: session.csrfToken };
}

/** The guard in front of every desk route: `req.agent` set, else 401. */
export function deskAuth(opts: DeskAuthOptions): RequestHandler {
  return async (req, res, next) => {
    if (req.agent) return next();
    const agent = await resolveDeskAgent(req, res, opts);
    if (!agent) unauthorized(res, 'sign in to the desk (POST /desk/api/session) or send Authorization: Bearer <agent token>');
    req.agent = agent;
    next();
  };
}

/** Admin routes (agents, shops, rules): 403 for an agent. */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.agent?.role !== 'admin') throw new HttpError(403, 'forbidden', 'this needs the admin role');
  next();
};

/** The shop, when the caller sees it; otherwise 404 (the same answer as a shop that does not exist). */
export function requireShop(req: Request, shopId: string): string {
  if (!req.agent || !seesShop(req.agent.shopIds, shopId)) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
  return shopId;
}

/** A MongoDB filter on `shopId` limiting a query to the caller's shops ({} for every shop). */
export function shopFilter(req: Request): { shopId?: { $in: string[] } } {
  const ids = req.agent?.shopIds ?? [];
  return ids.includes(ALL_SHOPS) ? {} : { shopId: { $in: ids } };
}
