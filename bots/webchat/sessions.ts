/**
 * Web chat buyer sessions: `POST /webchat/:shopId/sessions` issues a token; every post and stream
 * needs it as `Authorization: Bearer <token>`, and the buyerId comes only from the session.
 *
 *   {}                              → anonymous session, server-made buyerId
 *   {customerId, customerHash}      → verified session, buyerId = customerId (see identity.ts)
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../infra/secrets/index.js';
import { webchatIdentitySecret } from '../../models/webchat-identity-secret.js';
import { createWebchatSession, findWebchatSession, type WebchatIdentityKind } from '../../models/webchat-session.js';
import { HttpError, validationError } from '../http-errors.js';
import { verifyCustomerHash } from './identity.js';

/** What an authenticated web chat request knows (res.locals.webchat). */
export interface WebchatCaller {
  shopId: string;
  buyerId: string;
  kind: WebchatIdentityKind;
}

const BUYER_ID = /^[\w.@:-]+$/;

const sessionBody = z
  .object({
    customerId: z
      .string({ invalid_type_error: 'customerId must be a string' })
      .trim()
      .min(1, 'customerId must not be empty')
      .max(128, 'customerId is longer than 128 characters')
      .regex(BUYER_ID, 'customerId may contain letters, digits and . _ @ : - only')
      .optional(),
    customerHash: z.string({ invalid_type_error: 'customerHash must be a string' }).trim().optional(),
  })
  .refine((b) => (b.customerId === undefined) === (b.customerHash === undefined), {
    message: 'customerId and customerHash go together (HMAC-SHA256 of customerId with the shop identity secret, hex)',
    path: ['customerHash'],
  });

/** Anonymous buyer ids: 128 random bits, never chosen by the client. */
const anonymousBuyerId = () => `anon-${randomBytes(16).toString('base64url')}`;

export async function createSession(shopId: string, body: unknown, ttlMs: number, secrets: SecretBox) {
  const parsed = sessionBody.safeParse(body ?? {});
  if (!parsed.success) throw validationError(parsed.error);
  const { customerId, customerHash } = parsed.data;
  let buyerId = anonymousBuyerId();
  let kind: WebchatIdentityKind = 'anonymous';
  if (customerId !== undefined) {
    const secret = await webchatIdentitySecret(shopId, secrets);
    if (!secret)
      throw new HttpError(
        403,
        'identity_not_enabled',
        `shop "${shopId}" has no web chat identity secret, so it cannot vouch for customerId; create the secret with \`sora shops identity-secret --shop ${shopId}\`, or create an anonymous session (no customerId)`,
      );
    if (!verifyCustomerHash(secret, customerId, customerHash!))
      throw new HttpError(401, 'bad_customer_hash', 'customerHash is not HMAC-SHA256(shop identity secret, customerId) in hex');
    buyerId = customerId;
    kind = 'verified';
  }
  const { token, expiresAt } = await createWebchatSession({ shopId, buyerId, kind, ttlMs });
  return { token, buyerId, kind, expiresAt: expiresAt.toISOString() };
}

/** Middleware: the request's session (Bearer token) → res.locals.webchat, or 401. */
export function requireSession(ttlMs: number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const shopId = String(req.params.shopId ?? '');
    const m = /^Bearer\s+([\w-]{16,200})\s*$/i.exec(req.get('authorization') ?? '');
    res.setHeader('WWW-Authenticate', 'Bearer realm="webchat"');
    if (!m)
      throw new HttpError(
        401,
        'unauthorized',
        `Authorization: Bearer <token> is required; create a session with POST /webchat/${shopId}/sessions`,
      );
    const s = await findWebchatSession(shopId, m[1]!, ttlMs);
    if (!s)
      throw new HttpError(401, 'invalid_session', `the session token is unknown or expired for shop "${shopId}"; create a new session`);
    res.removeHeader('WWW-Authenticate');
    res.locals.webchat = { shopId, buyerId: s.buyerId, kind: s.kind } satisfies WebchatCaller;
    next();
  };
}

export const callerOf = (res: Response): WebchatCaller => res.locals.webchat as WebchatCaller;
