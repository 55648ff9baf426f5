/**
 * Desk sign-in sessions. The browser holds a random session token in an HttpOnly cookie; only its
 * SHA-256 is stored (a database copy signs nobody in). Each session has its own CSRF token, which the
 * desk page reads from GET /desk/api/session and sends as `X-CSRF-Token` on every change. Sessions
 * expire after `ttlMs` without use (a TTL index removes them) and end at sign-out or when the agent
 * is disabled.
 */
import { createHash, randomBytes } from 'node:crypto';
import { model, Schema } from 'mongoose';

const deskSessionSchema = new Schema(
  {
    /** Hex SHA-256 of the cookie's token. */
    _id: { type: String, required: true },
    agentId: { type: String, required: true },
    csrfToken: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
deskSessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
deskSessionSchema.index({ agentId: 1 });

export const DeskSessionModel = model('DeskSession', deskSessionSchema);

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export const DESK_SESSION_PREFIX = 'sora_ds_';

export async function createDeskSession(agentId: string, ttlMs: number): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = `${DESK_SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  await DeskSessionModel.create({ _id: sha256(token), agentId, csrfToken, expiresAt });
  return { token, csrfToken, expiresAt };
}

/**
 * The live session of a cookie token, its expiry slid forward (at most once a minute), or null.
 */
export async function findDeskSession(token: string, ttlMs: number): Promise<{ agentId: string; csrfToken: string } | null> {
  if (!token.startsWith(DESK_SESSION_PREFIX) || token.length > 128) return null;
  const id = sha256(token);
  const now = Date.now();
  const s = await DeskSessionModel.findById(id).lean();
  if (!s || s.expiresAt.getTime() <= now) return null;
  if (s.expiresAt.getTime() - now < ttlMs - 60_000)
    await DeskSessionModel.updateOne({ _id: id }, { $set: { expiresAt: new Date(now + ttlMs) } });
  return { agentId: s.agentId, csrfToken: s.csrfToken };
}

export async function deleteDeskSession(token: string): Promise<void> {
  await DeskSessionModel.deleteOne({ _id: sha256(token) });
}

/** Every session of an agent ends (disabled, password changed). */
export async function deleteAgentSessions(agentId: string): Promise<number> {
  return (await DeskSessionModel.deleteMany({ agentId })).deletedCount ?? 0;
}
