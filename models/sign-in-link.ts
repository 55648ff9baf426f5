/**
 * One-time sign-in links (`sora agents link`, POST /desk/api/agents/:id/sign-in-link, the first
 * start's admin link): the agent opens `/desk/setup#token=…`, chooses a password and is signed in.
 * Only a SHA-256 of the token is stored; a link works once, for 24 h, and a new link for the same
 * agent replaces the ones not used yet. The token travels in the URL fragment, which browsers never
 * send to a server (no access log or Referer holds it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { model, Schema } from 'mongoose';
import { AgentInputError, AgentModel, checkPassword, setAgentPassword } from './agent.js';

export const SIGN_IN_LINK_TTL_MS = 24 * 3_600_000;
export const SIGN_IN_LINK_PREFIX = 'sora_sl_';

const signInLinkSchema = new Schema(
  {
    /** Hex SHA-256 of the token. */
    _id: { type: String, required: true },
    agentId: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
signInLinkSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
signInLinkSchema.index({ agentId: 1 });

export const SignInLinkModel = model('SignInLink', signInLinkSchema);

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The desk page that redeems a token (the fragment stays in the browser). */
export const signInLinkUrl = (baseUrl: string, token: string): string => `${baseUrl.replace(/\/+$/, '')}/desk/setup#token=${token}`;

/** A new link for the agent (earlier unused links stop working); the token is the only copy. */
export async function createSignInLink(agentId: string, ttlMs = SIGN_IN_LINK_TTL_MS): Promise<{ token: string; expiresAt: Date }> {
  if (!(await AgentModel.exists({ _id: agentId }))) throw new AgentInputError(`no agent "${agentId}"`);
  await SignInLinkModel.deleteMany({ agentId, usedAt: null });
  const token = `${SIGN_IN_LINK_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + ttlMs);
  await SignInLinkModel.create({ _id: sha256(token), agentId, expiresAt });
  return { token, expiresAt };
}

export type RedeemResult = { agentId: string } | { refused: 'invalid_link' };

/**
 * Set the agent's password through a link and use the link up. A password that is too short or too
 * long throws AgentInputError before the link is touched (the agent can try again); an unknown,
 * used or expired link, or a disabled agent, is `invalid_link` (the caller cannot tell which).
 */
export async function redeemSignInLink(token: string, password: string): Promise<RedeemResult> {
  checkPassword(password);
  if (typeof token !== 'string' || !token.startsWith(SIGN_IN_LINK_PREFIX) || token.length > 128) return { refused: 'invalid_link' };
  const now = new Date();
  const link = await SignInLinkModel.findOneAndUpdate(
    { _id: sha256(token), usedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
    { returnDocument: 'after' },
  ).lean();
  if (!link) return { refused: 'invalid_link' };
  const agent = await AgentModel.findById(link.agentId, { disabled: 1 }).lean();
  if (!agent || agent.disabled) return { refused: 'invalid_link' };
  await setAgentPassword(link.agentId, password);
  return { agentId: link.agentId };
}
