/**
 * Managing agents (`sora agents add|list|update|disable|enable`, /desk/api/agents): one validator
 * for the CLI and the API. Every bad field is reported at once ({field, problem}).
 *
 * Scope: a caller acting for someone (`actor`, an admin of the desk) sees the agents who share a
 * shop with them and may change only agents all of whose shops they see; they may grant only shops
 * they see, and '*' only when they have '*'. The CLI acts without an actor (the installation's
 * owner). Disabling an agent ends their sessions at once; their API tokens stop working because
 * deskAuth refuses disabled agents.
 */
import { hasControlChars } from '../infra/terminal-text.js';
import { AGENT_ID, AGENT_ROLES, AgentModel, agentView, ALL_SHOPS, seesShop, type AgentView } from './agent.js';
import { deleteAgentSessions } from './desk-session.js';
import { commaList, SHOP_LANGUAGES, type FieldProblem } from './shop-settings.js';
import { ShopModel } from './shop.js';

export const CAPACITY_MAX = 50;
const NAME_MAX = 100;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export class AgentDirectoryError extends Error {
  constructor(
    readonly problems: FieldProblem[],
    /** invalid: 422; unknown_agent: 404; exists: 409; forbidden: 403. */
    readonly kind: 'invalid' | 'unknown_agent' | 'exists' | 'forbidden' = 'invalid',
  ) {
    super(problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
    this.name = 'AgentDirectoryError';
  }
}

/** Who acts (an admin of the desk); undefined = the CLI. */
export interface Actor {
  id: string;
  shopIds: readonly string[];
}

const FIELDS = ['name', 'email', 'role', 'shopIds', 'languages', 'capacity', 'disabled'] as const;

/** Whether `actor` sees every shop in `shopIds`. */
const coversAll = (actor: Actor, shopIds: readonly string[]) =>
  actor.shopIds.includes(ALL_SHOPS) || (!shopIds.includes(ALL_SHOPS) && shopIds.every((s) => actor.shopIds.includes(s)));

/** The agents `actor` may see: those sharing a shop with them ('*' agents share every shop; a '*' actor sees all). */
export function visibleTo(actor: Actor | undefined, shopIds: readonly string[]): boolean {
  if (!actor || actor.shopIds.includes(ALL_SHOPS) || shopIds.includes(ALL_SHOPS)) return true;
  return shopIds.some((s) => actor.shopIds.includes(s));
}

async function checkFields(input: Record<string, unknown>, actor: Actor | undefined): Promise<Record<string, unknown>> {
  const problems: FieldProblem[] = [];
  const bad = (field: string, problem: string) => problems.push({ field, problem });
  const set: Record<string, unknown> = {};
  for (const k of Object.keys(input))
    if (!(FIELDS as readonly string[]).includes(k) && k !== 'id') bad(k, `unknown field (settable: ${FIELDS.join(', ')})`);
  if (input.name !== undefined) {
    const v = input.name;
    if (typeof v !== 'string' || !v.trim()) bad('name', 'must be a non-empty string');
    else if (v.trim().length > NAME_MAX || hasControlChars(v))
      bad('name', `must be at most ${NAME_MAX} characters without control characters`);
    else set.name = v.trim();
  }
  if (input.email !== undefined) {
    const v = input.email;
    if (v === null || v === '') set.email = null;
    else if (typeof v !== 'string' || !EMAIL.test(v.trim())) bad('email', 'must be an e-mail address (or null)');
    else set.email = v.trim().toLowerCase();
  }
  if (input.role !== undefined) {
    if (typeof input.role !== 'string' || !(AGENT_ROLES as readonly string[]).includes(input.role))
      bad('role', `must be ${AGENT_ROLES.join(' or ')}`);
    else set.role = input.role;
  }
  if (input.shopIds !== undefined) {
    const v = commaList(input.shopIds);
    if (!v || !v.length) bad('shopIds', 'must be a list of at least one shop id (or "*" for every shop)');
    else if (v.includes(ALL_SHOPS)) {
      if (v.length > 1) bad('shopIds', '"*" (every shop) stands alone');
      else if (actor && !actor.shopIds.includes(ALL_SHOPS)) bad('shopIds', 'only an admin who sees every shop may grant "*"');
      else set.shopIds = [ALL_SHOPS];
    } else {
      const ids = [...new Set(v)];
      const existing = new Set((await ShopModel.find({ shopId: { $in: ids } }, { shopId: 1 }).lean()).map((s) => s.shopId));
      // A shop the actor does not see is reported like one that does not exist.
      const unknown = ids.filter((s) => !existing.has(s) || (actor && !seesShop(actor.shopIds, s)));
      if (unknown.length) bad('shopIds', `no shop ${unknown.map((s) => `"${s}"`).join(', ')}`);
      else set.shopIds = ids;
    }
  }
  if (input.languages !== undefined) {
    const v = commaList(input.languages);
    if (!v) bad('languages', 'must be a list of language codes (e.g. "en,es")');
    else {
      const langs = [...new Set(v.map((l) => l.toLowerCase()))];
      const unknown = langs.filter((l) => !(SHOP_LANGUAGES as readonly string[]).includes(l));
      if (unknown.length)
        bad('languages', `unknown language ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${SHOP_LANGUAGES.join(', ')})`);
      else set.languages = langs;
    }
  }
  if (input.capacity !== undefined) {
    const n = typeof input.capacity === 'string' && input.capacity.trim() ? Number(input.capacity) : input.capacity;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > CAPACITY_MAX)
      bad('capacity', `must be a whole number from 0 to ${CAPACITY_MAX}`);
    else set.capacity = n;
  }
  if (input.disabled !== undefined) {
    if (typeof input.disabled !== 'boolean') bad('disabled', 'must be true or false');
    else set.disabled = input.disabled;
  }
  if (problems.length) throw new AgentDirectoryError(problems);
  return set;
}

/** Add an agent (no password: they sign in first through a one-time link). */
export async function addAgent(input: Record<string, unknown>, actor?: Actor): Promise<AgentView> {
  const problems: FieldProblem[] = [];
  const id = typeof input.id === 'string' ? input.id : '';
  if (typeof input.id !== 'string' || !AGENT_ID.test(id))
    problems.push({ field: 'id', problem: 'must be 1 to 128 letters, digits or . _ @ + -' });
  if (input.name === undefined) problems.push({ field: 'name', problem: 'is required' });
  if (input.shopIds === undefined) problems.push({ field: 'shopIds', problem: 'is required (the shops the agent may see, or "*")' });
  let set: Record<string, unknown> = {};
  try {
    set = await checkFields(input, actor);
  } catch (e) {
    if (!(e instanceof AgentDirectoryError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length) throw new AgentDirectoryError(problems);
  if (await AgentModel.exists({ _id: id }))
    throw new AgentDirectoryError([{ field: 'id', problem: `agent "${id}" already exists` }], 'exists');
  if (set.email && (await AgentModel.exists({ email: set.email })))
    throw new AgentDirectoryError([{ field: 'email', problem: `another agent has the e-mail ${String(set.email)}` }], 'exists');
  try {
    if (set.email === null) delete set.email;
    await AgentModel.create({ _id: id, role: 'agent', ...set });
  } catch (e) {
    if ((e as { code?: number }).code === 11000)
      throw new AgentDirectoryError([{ field: 'id', problem: `agent "${id}" already exists` }], 'exists');
    throw e;
  }
  return (await getAgent(id))!;
}

export async function getAgent(id: string, actor?: Actor): Promise<AgentView | null> {
  const a = await AgentModel.findById(id).select('+passwordHash').lean();
  if (!a || !visibleTo(actor, a.shopIds ?? [])) return null;
  return agentView(a);
}

/** The agents `actor` sees; `shopId` narrows to the agents of one shop ('*' agents included). */
export async function listAgents(actor?: Actor, shopId?: string): Promise<AgentView[]> {
  const docs = await AgentModel.find(shopId ? { shopIds: { $in: [shopId, ALL_SHOPS] } } : {})
    .select('+passwordHash')
    .sort({ _id: 1 })
    .lean();
  return docs.filter((a) => visibleTo(actor, a.shopIds ?? [])).map((a) => agentView(a));
}

/** Change the given fields. Disabling ends the agent's sessions. The last enabled admin over every shop stays. */
export async function updateAgent(id: string, change: Record<string, unknown>, actor?: Actor): Promise<AgentView> {
  const current = await AgentModel.findById(id).lean();
  if (!current || !visibleTo(actor, current.shopIds ?? []))
    throw new AgentDirectoryError([{ field: 'id', problem: `no agent "${id}"` }], 'unknown_agent');
  if (actor && !coversAll(actor, current.shopIds ?? []))
    throw new AgentDirectoryError([{ field: 'id', problem: `agent "${id}" also works in shops you do not see` }], 'forbidden');
  if (change.id !== undefined && change.id !== id)
    throw new AgentDirectoryError([{ field: 'id', problem: 'an agent id cannot be changed' }]);
  const set = await checkFields(change, actor);
  const wasOwner = current.role === 'admin' && !current.disabled && (current.shopIds ?? []).includes(ALL_SHOPS);
  const next = { role: current.role, disabled: current.disabled, shopIds: current.shopIds ?? [], ...set } as {
    role: string;
    disabled: boolean;
    shopIds: string[];
  };
  const staysOwner = next.role === 'admin' && !next.disabled && next.shopIds.includes(ALL_SHOPS);
  if (wasOwner && !staysOwner && !(await AgentModel.exists({ _id: { $ne: id }, role: 'admin', disabled: false, shopIds: ALL_SHOPS })))
    throw new AgentDirectoryError([
      {
        field: set.disabled ? 'disabled' : set.role ? 'role' : 'shopIds',
        problem: `"${id}" is the last enabled admin over every shop; add another one first`,
      },
    ]);
  if (set.email && (await AgentModel.exists({ _id: { $ne: id }, email: set.email })))
    throw new AgentDirectoryError([{ field: 'email', problem: `another agent has the e-mail ${String(set.email)}` }], 'exists');
  const unset = set.email === null ? { email: 1 } : undefined;
  if (unset) delete set.email;
  if (Object.keys(set).length || unset)
    await AgentModel.updateOne({ _id: id }, { ...(Object.keys(set).length ? { $set: set } : {}), ...(unset ? { $unset: unset } : {}) });
  if (set.disabled === true) await deleteAgentSessions(id);
  return (await getAgent(id))!;
}

/** The agent `actor` may manage (see and change), else AgentDirectoryError (unknown_agent / forbidden). */
export async function manageableAgent(id: string, actor?: Actor): Promise<AgentView> {
  const a = await AgentModel.findById(id).lean();
  if (!a || !visibleTo(actor, a.shopIds ?? []))
    throw new AgentDirectoryError([{ field: 'id', problem: `no agent "${id}"` }], 'unknown_agent');
  if (actor && !coversAll(actor, a.shopIds ?? []))
    throw new AgentDirectoryError([{ field: 'id', problem: `agent "${id}" also works in shops you do not see` }], 'forbidden');
  return agentView(a);
}
