/**
 * Agents over the desk API (models/agent-directory.ts, the same validator as `sora agents`):
 *   GET   /agents[?shop=ID]            admins: the agents sharing a shop with them; agents: names,
 *                                      languages and presence of the agents of their shops (for the UI)
 *   POST  /agents                      admin: add an agent (no password: send them a sign-in link)
 *   GET   /agents/:id, PATCH /agents/:id (role, shopIds, languages, capacity, disabled, name, email)
 *   POST  /agents/:id/sign-in-link     admin: a one-time link {url, expiresAt}, shown once
 * and the caller's own account:
 *   PUT   /me/password {current, new}  every session of the agent ends; this one is renewed
 *   GET/POST /me/tokens, DELETE /me/tokens/:id   the agent's own API tokens (shown once)
 * An admin acts only on agents all of whose shops they see, and grants only shops they see ('*' only
 * with '*'). Unknown and unseen agents are both 404.
 */
import { Router, type Request } from 'express';
import { AgentInputError, ALL_SHOPS, setAgentPassword, verifyAgentPassword } from '../../models/agent.js';
import {
  addAgent,
  AgentDirectoryError,
  getAgent,
  listAgents,
  manageableAgent,
  updateAgent,
  type Actor,
} from '../../models/agent-directory.js';
import { createAgentToken, listAgentTokens, revokeAgentToken } from '../../models/agent-token.js';
import { createDeskSession, deleteAgentSessions } from '../../models/desk-session.js';
import { OperatorCredentialError } from '../../models/operator-credential.js';
import { createSignInLink, signInLinkUrl } from '../../models/sign-in-link.js';
import { HttpError } from '../http-errors.js';
import { requireAdmin, requireShop, sessionCookie } from './auth.js';
import { jsonBody, problemsError } from './shops.js';

const AGENT_CODES: Record<string, [number, string]> = {
  invalid: [422, 'invalid_request'],
  unknown_agent: [404, 'unknown_agent'],
  exists: [409, 'agent_exists'],
  forbidden: [403, 'forbidden'],
};

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AgentDirectoryError) throw problemsError(e, AGENT_CODES);
    throw e;
  }
}

const actorOf = (req: Request): Actor => ({ id: req.agent!.id, shopIds: req.agent!.shopIds });

/** The calling agent's own id (an operator credential is nobody's account: 403). */
function selfId(req: Request): string {
  if (req.agent!.via === 'operator')
    throw new HttpError(403, 'forbidden', 'an operator credential has no agent account; sign in as an agent');
  return req.agent!.id;
}

export function agentRoutes(o: {
  sessionTtlMs: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Where links point (SORA_DESK_URL); default: the address the caller reached the gateway by. */
  deskUrl?: string;
}): Router {
  const r = Router();
  const baseUrl = (req: Request) => o.deskUrl ?? `${req.protocol}://${req.get('host')}`;
  r.get('/agents', async (req, res) => {
    const shop = typeof req.query.shop === 'string' ? requireShop(req, req.query.shop) : undefined;
    if (req.agent!.role === 'admin') return void res.json({ agents: await listAgents(actorOf(req), shop) });
    // An agent sees their colleagues of the shops they see, and only what the desk shows of them.
    const mine = req.agent!.shopIds;
    const agents = (await listAgents(actorOf(req), shop))
      .filter((a) => !a.disabled)
      .map((a) => ({
        id: a.id,
        name: a.name,
        role: a.role,
        languages: a.languages,
        presence: a.presence,
        shopIds: a.shopIds.includes(ALL_SHOPS) ? mine : a.shopIds.filter((s) => mine.includes(s) || mine.includes(ALL_SHOPS)),
      }));
    res.json({ agents });
  });
  r.post('/agents', requireAdmin, async (req, res) => {
    const body = jsonBody(req, 'the agent');
    const agent = await guard(() => addAgent(body, actorOf(req)));
    o.log('desk agent added', { agentId: agent.id, by: req.agent!.id });
    res.status(201).json(agent);
  });
  r.get('/agents/:id', requireAdmin, async (req, res) => {
    const a = await getAgent(String(req.params.id), actorOf(req));
    if (!a) throw new HttpError(404, 'unknown_agent', `no agent "${String(req.params.id)}"`);
    res.json(a);
  });
  r.patch('/agents/:id', requireAdmin, async (req, res) => {
    const body = jsonBody(req, 'the fields to change');
    const agent = await guard(() => updateAgent(String(req.params.id), body, actorOf(req)));
    o.log('desk agent updated', { agentId: agent.id, by: req.agent!.id, fields: Object.keys(body) });
    res.json(agent);
  });
  r.post('/agents/:id/sign-in-link', requireAdmin, async (req, res) => {
    const agent = await guard(() => manageableAgent(String(req.params.id), actorOf(req)));
    if (agent.disabled) throw new HttpError(409, 'agent_disabled', `agent "${agent.id}" is disabled; enable them first`);
    const link = await createSignInLink(agent.id);
    o.log('desk sign-in link created', { agentId: agent.id, by: req.agent!.id });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ agentId: agent.id, url: signInLinkUrl(baseUrl(req), link.token), expiresAt: link.expiresAt.toISOString() });
  });

  r.put('/me/password', async (req, res) => {
    const id = selfId(req);
    const body = jsonBody(req, '{"current","new"}');
    const problems = [];
    if (typeof body.current !== 'string' || !body.current)
      problems.push({ field: 'current', problem: 'is required (your current password)' });
    if (typeof body.new !== 'string' || !body.new) problems.push({ field: 'new', problem: 'is required (the new password)' });
    if (problems.length) throw new HttpError(422, 'invalid_request', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), problems);
    if (!(await verifyAgentPassword(id, body.current as string)))
      throw new HttpError(403, 'wrong_password', 'current: the current password is wrong');
    try {
      await setAgentPassword(id, body.new as string);
    } catch (e) {
      if (e instanceof AgentInputError)
        throw new HttpError(422, 'invalid_request', `new: ${e.message}`, [{ field: 'new', problem: e.message }]);
      throw e;
    }
    // Every session ends (a stolen cookie too); the caller's browser gets a fresh one.
    await deleteAgentSessions(id);
    o.log('desk password changed', { agentId: id });
    res.setHeader('Cache-Control', 'no-store');
    if (req.agent!.via === 'session') {
      const s = await createDeskSession(id, o.sessionTtlMs);
      res.setHeader('Set-Cookie', sessionCookie(req, s.token, o.sessionTtlMs));
      return void res.json({ ok: true, csrfToken: s.csrfToken });
    }
    res.json({ ok: true });
  });
  r.get('/me/tokens', async (req, res) => {
    res.json({ tokens: await listAgentTokens(selfId(req)) });
  });
  r.post('/me/tokens', async (req, res) => {
    const id = selfId(req);
    const body = jsonBody(req, '{"name"}');
    if (typeof body.name !== 'string')
      throw new HttpError(422, 'invalid_request', 'name: is required (what the token is for)', [{ field: 'name', problem: 'is required' }]);
    try {
      const t = await createAgentToken(id, body.name);
      o.log('desk agent token created', { agentId: id, tokenId: t.id });
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(t);
    } catch (e) {
      if (e instanceof OperatorCredentialError)
        throw new HttpError(422, 'invalid_request', `name: ${e.message}`, [{ field: 'name', problem: e.message }]);
      throw e;
    }
  });
  r.delete('/me/tokens/:tokenId', async (req, res) => {
    const r2 = await revokeAgentToken(selfId(req), String(req.params.tokenId));
    if (r2 === 'unknown') throw new HttpError(404, 'unknown_token', `no token "${String(req.params.tokenId)}" of yours`);
    res.status(204).end();
  });
  return r;
}
