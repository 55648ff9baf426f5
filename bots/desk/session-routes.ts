/**
 * Sign-in and sign-out of the desk: POST /desk/api/session {login, password} → an HttpOnly session
 * cookie and the session's CSRF token; GET /desk/api/session → who is signed in (and the CSRF token
 * again, for a reloaded page); DELETE /desk/api/session → signed out. A wrong login and a wrong
 * password get the same 401 (nobody learns which agents exist); the gateway's per-address limit
 * counts failed attempts.
 */
import { Router } from 'express';
import { z } from 'zod';
import { verifyAgentPassword } from '../../models/agent.js';
import { createDeskSession, deleteDeskSession } from '../../models/desk-session.js';
import { HttpError, validationError } from '../http-errors.js';
import { setPresence } from './presence.js';
import { clearedSessionCookie, cookieToken, resolveDeskAgent, sessionCookie, type DeskAuthOptions } from './auth.js';

const signIn = z.object({
  login: z.string({ required_error: 'login is required (agent id or e-mail)' }).trim().min(1, 'login is required').max(256),
  password: z.string({ required_error: 'password is required' }).min(1, 'password is required').max(256),
});

export function sessionRoutes(opts: DeskAuthOptions & { log: (msg: string, fields?: Record<string, unknown>) => void }): Router {
  const r = Router();
  r.post('/session', async (req, res) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send {"login","password"} as JSON');
    const body = signIn.safeParse(req.body ?? {});
    if (!body.success) {
      const e = validationError(body.error);
      throw new HttpError(422, 'invalid_request', e.message, e.details);
    }
    const agent = await verifyAgentPassword(body.data.login, body.data.password);
    if (!agent) {
      opts.log('desk sign-in refused', { ip: req.ip });
      throw new HttpError(401, 'sign_in_failed', 'wrong login or password (or the agent is disabled)');
    }
    const s = await createDeskSession(agent.id, opts.sessionTtlMs);
    opts.log('desk sign-in', { agentId: agent.id });
    res.setHeader('Set-Cookie', sessionCookie(req, s.token, opts.sessionTtlMs));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ agent, csrfToken: s.csrfToken });
  });
  r.get('/session', async (req, res) => {
    const agent = await resolveDeskAgent(req, res, opts);
    res.setHeader('Cache-Control', 'no-store');
    if (!agent) throw new HttpError(401, 'unauthorized', 'not signed in');
    const { csrfToken, ...who } = agent;
    res.json({ agent: who, ...(csrfToken ? { csrfToken } : {}) });
  });
  r.delete('/session', async (req, res) => {
    // The CSRF check of resolveDeskAgent applies: a cross-site page cannot sign an agent out either.
    const agent = await resolveDeskAgent(req, res, opts);
    const token = cookieToken(req);
    if (agent?.via === 'session' && token) {
      await deleteDeskSession(token);
      // Signed out: not there for new handoffs (routing passes them by; unaccepted ones go back to the queue).
      await setPresence(agent.id, 'offline');
    }
    res.setHeader('Set-Cookie', clearedSessionCookie(req));
    res.status(204).end();
  });
  return r;
}
