import { createHash, randomBytes } from 'node:crypto';
import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * A web chat buyer session (README "Web chat: sessions and identity"). The buyer's browser holds an
 * opaque random token (256 bits); only its SHA-256 is stored, so a copy of the database cannot be
 * used to chat or read as a buyer. The session fixes the buyerId: the web chat API takes the buyer
 * from here, never from the request. 'anonymous' sessions get a server-made buyerId; 'verified'
 * ones carry the store's own customer id, proven with the shop's identity secret (HMAC).
 * Expired sessions are refused at once and removed by the TTL index.
 */
const webchatSessionSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    shopId: { type: String, required: true },
    buyerId: { type: String, required: true },
    kind: { type: String, enum: ['anonymous', 'verified'], required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'webchat_sessions' },
);
webchatSessionSchema.index({ tokenHash: 1 }, { unique: true });
webchatSessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type WebchatSession = InferSchemaType<typeof webchatSessionSchema>;
export type WebchatIdentityKind = 'anonymous' | 'verified';
export const WebchatSessionModel = model('WebchatSession', webchatSessionSchema);

export const hashSessionToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Create a session; returns the token (shown to the buyer once, never stored). */
export async function createWebchatSession(s: {
  shopId: string;
  buyerId: string;
  kind: WebchatIdentityKind;
  ttlMs: number;
}): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + s.ttlMs);
  await WebchatSessionModel.create({
    tokenHash: hashSessionToken(token),
    shopId: s.shopId,
    buyerId: s.buyerId,
    kind: s.kind,
    lastSeenAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

/**
 * How long after its last renewal a used session is renewed again: a twentieth of the lifetime, at
 * least a minute. The sliding expiry then lags real use by at most 5 % of the TTL (30 days → 1.5
 * days), and a buyer chatting away costs no write per message (the session read is the only
 * command; docs/architecture.md, "MongoDB operations per message").
 */
export const sessionRenewAfterMs = (ttlMs: number): number => Math.max(60_000, Math.floor(ttlMs / 20));

/**
 * The live session of `token` in `shopId`, or null (unknown, other shop, or expired). A use renews
 * it (sliding expiry) once sessionRenewAfterMs has passed since the last renewal.
 */
export async function findWebchatSession(
  shopId: string,
  token: string,
  ttlMs: number,
): Promise<{ buyerId: string; kind: WebchatIdentityKind; tokenHash: string } | null> {
  const tokenHash = hashSessionToken(token);
  const now = new Date();
  const s = await WebchatSessionModel.findOne(
    { tokenHash, shopId, expiresAt: { $gt: now } },
    { _id: 1, buyerId: 1, kind: 1, lastSeenAt: 1 },
  ).lean();
  if (!s) return null;
  if (now.getTime() - s.lastSeenAt.getTime() > sessionRenewAfterMs(ttlMs)) {
    await WebchatSessionModel.updateOne({ _id: s._id }, { $set: { lastSeenAt: now, expiresAt: new Date(now.getTime() + ttlMs) } });
  }
  return { buyerId: s.buyerId, kind: s.kind as WebchatIdentityKind, tokenHash };
}
