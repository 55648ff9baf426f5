/**
 * Operator credentials: who may use `/operator/*`. Only a SHA-256 hash of each token is stored; the
 * token itself is shown once, when it is created (`sora operators token create`, or the first start,
 * scripts/operator-bootstrap.ts). A revoked credential stays listed (revokedAt) and never works again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { model, Schema } from 'mongoose';

export const OPERATOR_ROLES = ['admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** The id of the credential created on the first start (a fixed id: two processes starting at once create one). */
export const INITIAL_CREDENTIAL_ID = 'op_initial';

const operatorCredentialSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: OPERATOR_ROLES, required: true, default: 'admin' },
    /**
     * A per-agent API token (`sora agents token create`): the token acts as this agent (models/agent.ts),
     * with the agent's role and shops, and stops working when the agent is disabled. Null: an
     * operator credential (admin over every shop).
     */
    agentId: { type: String, default: null },
    /** Hex SHA-256 of the token. */
    tokenHash: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false, toJSON: { transform: (_d, ret: Record<string, unknown>) => (delete ret.tokenHash, ret) } },
);
operatorCredentialSchema.index({ tokenHash: 1 }, { unique: true });

export const OperatorCredentialModel = model('OperatorCredential', operatorCredentialSchema);

/** What a listing shows: never the token nor its hash. */
export interface OperatorCredentialView {
  id: string;
  name: string;
  role: OperatorRole;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const hashOperatorToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new token: 32 random bytes (256 bits), base64url, with a recognisable prefix (secret scanners). */
export const newOperatorToken = (): string => `sora_op_${randomBytes(32).toString('base64url')}`;

const NAME = /^[\p{L}\p{N} ._@-]{1,64}$/u;

export class OperatorCredentialError extends Error {}

/** Create a credential; the returned token is the only copy (only its hash is stored). */
export async function createOperatorCredential(o: {
  name: string;
  role?: OperatorRole;
  id?: string;
  agentId?: string;
}): Promise<{ id: string; name: string; role: OperatorRole; token: string }> {
  const name = o.name.trim();
  if (!NAME.test(name)) throw new OperatorCredentialError('the name must be 1 to 64 letters, digits, spaces or . _ @ -');
  const token = newOperatorToken();
  const id = o.id ?? `op_${randomBytes(6).toString('hex')}`;
  const role = o.role ?? 'admin';
  await OperatorCredentialModel.create({ _id: id, name, role, tokenHash: hashOperatorToken(token), agentId: o.agentId ?? null });
  return { id, name, role, token };
}

export async function listOperatorCredentials(): Promise<OperatorCredentialView[]> {
  const docs = await OperatorCredentialModel.find({}, { tokenHash: 0 }).sort({ createdAt: 1 }).lean();
  return docs.map((d) => ({
    id: d._id,
    name: d.name,
    role: d.role as OperatorRole,
    createdAt: d.createdAt.toISOString(),
    lastUsedAt: d.lastUsedAt ? d.lastUsedAt.toISOString() : null,
    revokedAt: d.revokedAt ? d.revokedAt.toISOString() : null,
  }));
}

/** Revoke by id: `revoked`, `already` (it was revoked before) or `unknown`. */
export async function revokeOperatorCredential(id: string): Promise<'revoked' | 'already' | 'unknown'> {
  const r = await OperatorCredentialModel.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
  if (r.modifiedCount === 1) return 'revoked';
  return (await OperatorCredentialModel.exists({ _id: id })) ? 'already' : 'unknown';
}

/** lastUsedAt is written at most this often per credential (not on every request). */
const TOUCH_MS = 60_000;

/** The live (not revoked) credential holding `token`, or null. Looked up by the token's hash. */
export async function findOperatorByToken(
  token: string,
): Promise<{ id: string; name: string; role: OperatorRole; agentId: string | null } | null> {
  const doc = await OperatorCredentialModel.findOne({ tokenHash: hashOperatorToken(token), revokedAt: null }).lean();
  if (!doc) return null;
  const now = new Date();
  if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() > TOUCH_MS)
    await OperatorCredentialModel.updateOne({ _id: doc._id }, { $set: { lastUsedAt: now } });
  return { id: doc._id, name: doc.name, role: doc.role as OperatorRole, agentId: doc.agentId ?? null };
}

/**
 * The first start: with no credential at all (revoked ones count), create the initial admin
 * credential and return its token, once; null otherwise (and for the loser of a concurrent start).
 */
export async function createInitialOperatorCredential(): Promise<{ id: string; token: string } | null> {
  if (await OperatorCredentialModel.exists({})) return null;
  try {
    const c = await createOperatorCredential({ name: 'initial admin', id: INITIAL_CREDENTIAL_ID });
    return { id: c.id, token: c.token };
  } catch (e) {
    if ((e as { code?: number }).code === 11000) return null;
    throw e;
  }
}
