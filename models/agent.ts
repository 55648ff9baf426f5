/**
 * Agents: the seller's team members who work handoffs and tickets in the desk (issue 16). An agent
 * has a role (admin: every route of the shops they see, agents and shops included; agent: the
 * desk's conversations and tickets), the shops they may see, the languages they speak and a capacity
 * (conversations held at once, for routing). The password is stored only as an argon2id hash
 * (`@node-rs/argon2`); an agent without one signs in through a one-time link (models/sign-in-link.ts).
 */
import { hash, verify } from '@node-rs/argon2';
import { model, Schema } from 'mongoose';

export const AGENT_ROLES = ['admin', 'agent'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];
export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];
/** `shopIds: ['*']`: every shop (admins created by the first start). */
export const ALL_SHOPS = '*';
/** Letters, digits and . _ @ + - (an e-mail address works as an id). */
export const AGENT_ID = /^[A-Za-z0-9._@+-]{1,128}$/;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

const agentSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    /** Lower case; absent when none (never null: the unique index skips only absent values). */
    email: { type: String },
    role: { type: String, enum: AGENT_ROLES, required: true, default: 'agent' },
    shopIds: { type: [String], default: [] },
    languages: { type: [String], default: [] },
    /** The language the desk translates buyer messages into for this agent; null: the shop's default. */
    readLanguage: { type: String, default: null },
    /** Conversations held at once before routing passes the agent by. */
    capacity: { type: Number, default: 3 },
    disabled: { type: Boolean, default: false },
    /** argon2id hash; never selected by default. */
    passwordHash: { type: String, default: null, select: false },
    presence: { type: String, enum: PRESENCES, default: 'offline' },
    presenceAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
// Sparse, not partial: the bundled mongo-java-server ignores partialFilterExpression (two agents
// without an e-mail would collide on null); a sparse index skips documents without the field.
agentSchema.index({ email: 1 }, { unique: true, sparse: true, name: 'email_sparse_unique' });
agentSchema.index({ shopIds: 1, presence: 1 });

export const AgentModel = model('Agent', agentSchema);

/** What every listing and API answer shows of an agent (never the hash). */
export interface AgentView {
  id: string;
  name: string;
  email: string | null;
  role: AgentRole;
  shopIds: string[];
  languages: string[];
  capacity: number;
  disabled: boolean;
  presence: Presence;
  hasPassword?: boolean;
}

export function agentView(a: {
  _id: string;
  name: string;
  email?: string | null;
  role: string;
  shopIds?: string[];
  languages?: string[];
  capacity?: number;
  disabled?: boolean;
  presence?: string;
  passwordHash?: string | null;
}): AgentView {
  return {
    id: a._id,
    name: a.name,
    email: a.email ?? null,
    role: a.role as AgentRole,
    shopIds: a.shopIds ?? [],
    languages: a.languages ?? [],
    capacity: a.capacity ?? 3,
    disabled: a.disabled ?? false,
    presence: (a.presence ?? 'offline') as Presence,
    ...(a.passwordHash !== undefined ? { hasPassword: !!a.passwordHash } : {}),
  };
}

export class AgentInputError extends Error {}

/** argon2id with the library's defaults (OWASP's m=19 MiB, t=2, p=1). */
export const hashPassword = (password: string): Promise<string> => hash(password);

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string') throw new AgentInputError('password must be a string');
  if (password.length < PASSWORD_MIN) throw new AgentInputError(`password must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new AgentInputError(`password must be at most ${PASSWORD_MAX} characters`);
  return password;
}

export async function setAgentPassword(agentId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(checkPassword(password));
  const r = await AgentModel.updateOne({ _id: agentId }, { $set: { passwordHash } });
  if (r.matchedCount === 0) throw new AgentInputError(`no agent "${agentId}"`);
}

/** A hash of nothing anybody knows: verified when the agent does not exist, so both cases take as long. */
let decoy: Promise<string> | undefined;

/**
 * The agent signing in with `login` (id or e-mail) and `password`, or null (unknown, disabled, no
 * password yet, wrong password — the caller cannot tell which).
 */
export async function verifyAgentPassword(login: string, password: string): Promise<AgentView | null> {
  if (!login || login.length > 256 || !password || password.length > PASSWORD_MAX) return null;
  const a = await AgentModel.findOne({ $or: [{ _id: login }, { email: login.toLowerCase() }] })
    .select('+passwordHash')
    .lean();
  if (!a || !a.passwordHash || a.disabled) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoy, password).catch(() => false);
    return null;
  }
  const ok = await verify(a.passwordHash, password).catch(() => false);
  return ok ? agentView({ ...a, passwordHash: undefined }) : null;
}

/** Whether the agent may see the shop (`*` = every shop). */
export const seesShop = (shopIds: readonly string[], shopId: string): boolean => shopIds.includes(ALL_SHOPS) || shopIds.includes(shopId);
