/**
 * Presence (issue 16 item 3 → routing): PUT /desk/api/me/presence {presence: online|away|offline}.
 * Going online gives the agent the waiting unassigned conversations of their shops they may take, up
 * to their capacity (models/assignment.ts fillAgent); going away or offline hands the conversations
 * assigned to them but not yet accepted back to their queues, to be assigned to someone else.
 * GET /desk/api/me/presence → the agent's presence and how many conversations they hold.
 */
import { Router } from 'express';
import { z } from 'zod';
import { AgentModel, PRESENCES, type Presence } from '../../models/agent.js';
import { assignConversation, fillAgent, heldCount, WAITING_STATUSES } from '../../models/assignment.js';
import { ConversationModel } from '../../models/conversation.js';
import { HttpError } from '../http-errors.js';

const body = z
  .object({ presence: z.enum(PRESENCES, { errorMap: () => ({ message: 'presence must be online, away or offline' }) }) })
  .strict();

function agentOnly(req: Parameters<Parameters<Router['get']>[1]>[0]): string {
  const a = req.agent!;
  if (a.via === 'operator')
    throw new HttpError(403, 'agent_only', 'presence belongs to an agent: sign in as one (an operator credential has none)');
  return a.id;
}

export function presenceRoutes(opts: { log: (msg: string, fields?: Record<string, unknown>) => void }): Router {
  const r = Router();
  r.get('/me/presence', async (req, res) => {
    const id = agentOnly(req);
    const a = await AgentModel.findById(id, { presence: 1, presenceAt: 1, capacity: 1 }).lean();
    res.json({
      presence: a?.presence ?? 'offline',
      presenceAt: a?.presenceAt ?? null,
      capacity: a?.capacity ?? 3,
      held: await heldCount(id),
    });
  });
  r.put('/me/presence', async (req, res) => {
    const id = agentOnly(req);
    const parsed = body.safeParse(req.body ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
      throw new HttpError(422, 'invalid_request', details.map((d) => `${d.field}: ${d.problem}`).join('; '), details);
    }
    const { presence } = parsed.data;
    const { assigned, handedBack } = await setPresence(id, presence);
    opts.log('desk presence', { agentId: id, presence, assigned: assigned.length, handedBack });
    res.json({ presence, assigned, handedBack, held: await heldCount(id) });
  });
  return r;
}

/**
 * Set an agent's presence: online takes waiting conversations (fillAgent); away or offline hands the
 * ones assigned but not yet accepted back to the queue, for someone who is there. Also used at sign-out.
 */
export async function setPresence(id: string, presence: Presence): Promise<{ assigned: string[]; handedBack: number }> {
  await AgentModel.updateOne({ _id: id }, { $set: { presence, presenceAt: new Date() } });
  if (presence === 'online') return { assigned: await fillAgent(id), handedBack: 0 };
  let handedBack = 0;
  const mine = await ConversationModel.find({ status: { $in: WAITING_STATUSES }, assigneeId: id }, { _id: 1 }).lean();
  for (const c of mine) {
    const r = await ConversationModel.updateOne({ _id: c._id, assigneeId: id }, { $set: { assigneeId: null } });
    if (r.modifiedCount === 1) {
      handedBack++;
      await assignConversation(c._id);
    }
  }
  return { assigned: [], handedBack };
}
