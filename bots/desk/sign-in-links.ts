/**
 * Redeeming a one-time sign-in link (models/sign-in-link.ts), unauthenticated (the gateway's
 * /desk/api limit counts the attempts): POST /desk/api/sign-in-links/redeem {token, password} sets
 * the agent's password, uses the link up and signs the browser in (session cookie + CSRF token, as
 * POST /desk/api/session). The page at GET /desk/setup (web/desk/setup.html) reads the token from
 * the URL fragment and posts it here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { AgentInputError, AgentModel, agentView } from '../../models/agent.js';
import { createDeskSession } from '../../models/desk-session.js';
import { redeemSignInLink } from '../../models/sign-in-link.js';
import { HttpError } from '../http-errors.js';
import { sessionCookie } from './auth.js';
import { jsonBody } from './shops.js';

export function signInLinkRoutes(o: { sessionTtlMs: number; log: (msg: string, fields?: Record<string, unknown>) => void }): Router {
  const r = Router();
  r.post('/sign-in-links/redeem', async (req, res) => {
    const body = jsonBody(req, '{"token","password"}');
    const problems = [];
    if (typeof body.token !== 'string' || !body.token) problems.push({ field: 'token', problem: 'is required (from the link)' });
    if (typeof body.password !== 'string' || !body.password)
      problems.push({ field: 'password', problem: 'is required (the password to set)' });
    if (problems.length) throw new HttpError(422, 'invalid_request', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
    let result;
    try {
      result = await redeemSignInLink(body.token as string, body.password as string);
    } catch (e) {
      if (e instanceof AgentInputError)
        throw new HttpError(422, 'invalid_request', `password: ${e.message}`, [{ field: 'password', problem: e.message }]);
      throw e;
    }
    if ('refused' in result) {
      o.log('desk sign-in link refused', { ip: req.ip });
      throw new HttpError(410, 'invalid_link', 'this sign-in link is unknown, already used or expired; ask an admin for a new one');
    }
    const agent = await AgentModel.findById(result.agentId).lean();
    const s = await createDeskSession(result.agentId, o.sessionTtlMs);
    o.log('desk sign-in link used', { agentId: result.agentId });
    res.setHeader('Set-Cookie', sessionCookie(req, s.token, o.sessionTtlMs));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ agent: agentView(agent!), csrfToken: s.csrfToken });
  });
  return r;
}

const PAGE = fileURLToPath(new URL('../../web/desk/setup.html', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../web/desk/setup.js', import.meta.url));

/** GET /desk/setup and /desk/setup.js: the page that redeems a link (no third-party code, no inline script). */
export function setupPageRoutes(): Router {
  const r = Router();
  const page = readFileSync(PAGE, 'utf8');
  const script = readFileSync(SCRIPT, 'utf8');
  const headers = {
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
  r.get('/setup', (_req, res) => void res.set(headers).type('html').send(page));
  r.get('/setup.js', (_req, res) => void res.set(headers).type('js').send(script));
  return r;
}
