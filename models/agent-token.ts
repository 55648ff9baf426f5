/**
 * An agent's own API tokens (`sora agents token create|list|revoke`, /desk/api/me/tokens): operator
 * credentials with `agentId` (models/operator-credential.ts). A token acts as its agent, with the
 * agent's role and shops, and stops working when the agent is disabled. Shown once, at creation.
 */
import { createOperatorCredential, OperatorCredentialModel } from './operator-credential.js';

export interface AgentTokenView {
  id: string;
  name: string;
  agentId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A new token for the agent: the returned token is the only copy. */
export async function createAgentToken(agentId: string, name: string): Promise<{ id: string; name: string; token: string }> {
  const c = await createOperatorCredential({ name, agentId });
  return { id: c.id, name: c.name, token: c.token };
}

export async function listAgentTokens(agentId?: string): Promise<AgentTokenView[]> {
  const docs = await OperatorCredentialModel.find(agentId ? { agentId } : { agentId: { $type: 'string' } }, { tokenHash: 0 })
    .sort({ createdAt: 1 })
    .lean();
  return docs.map((d) => ({
    id: d._id,
    name: d.name,
    agentId: d.agentId!,
    createdAt: d.createdAt.toISOString(),
    lastUsedAt: d.lastUsedAt ? d.lastUsedAt.toISOString() : null,
    revokedAt: d.revokedAt ? d.revokedAt.toISOString() : null,
  }));
}

/** Revoke one of the agent's tokens: `revoked`, `already`, or `unknown` (no such token of this agent). */
export async function revokeAgentToken(agentId: string, id: string): Promise<'revoked' | 'already' | 'unknown'> {
  const r = await OperatorCredentialModel.updateOne({ _id: id, agentId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  if (r.modifiedCount === 1) return 'revoked';
  return (await OperatorCredentialModel.exists({ _id: id, agentId })) ? 'already' : 'unknown';
}
