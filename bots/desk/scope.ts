/**
 * What every desk route shares: bounded path parameters, validated bodies (422 naming the field),
 * and the conversation of a request, scoped to the caller's shops (another shop's: 404, the same
 * answer as one that does not exist).
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { ConversationModel } from '../../models/conversation.js';
import { seesShop } from '../../models/agent.js';
import { hasControlChars } from '../../infra/terminal-text.js';
import { HttpError, validationError } from '../http-errors.js';

export const DESK_LIMITS = { id: 512, shopId: 128, text: 4096 } as const;

/** A path or query value, bounded; 422 naming it otherwise. */
export function boundedParam(value: unknown, name: string, max: number = DESK_LIMITS.id): string {
  const v = typeof value === 'string' ? value : '';
  if (!v || v.length > max || hasControlChars(v))
    throw new HttpError(422, 'invalid_request', `${name}: must be 1 to ${max} characters without control characters`, [
      { field: name, problem: `must be 1 to ${max} characters without control characters` },
    ]);
  return v;
}

/** The JSON body, validated; a bad field → 422 naming it. */
export function parseBody<T>(schema: z.ZodType<T>, req: Request): T {
  if (req.method !== 'GET' && req.body !== undefined && !req.is('application/json') && req.get('content-length') !== '0')
    throw new HttpError(415, 'unsupported_media_type', 'send JSON (Content-Type: application/json)');
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) {
    const e = validationError(r.error);
    throw new HttpError(422, 'invalid_request', e.message, e.details);
  }
  return r.data;
}

/** A conversation's read model (its latest, by openedAt), when the caller sees its shop; else 404. */
export async function conversationOf(req: Request) {
  const id = boundedParam(req.params.id, 'id');
  const doc = await ConversationModel.findOne({ workflowId: id }).sort({ openedAt: -1 }).lean();
  if (!doc || !req.agent || !seesShop(req.agent.shopIds, doc.shopId))
    throw new HttpError(404, 'conversation_not_found', `no conversation ${id}`);
  return doc;
}

/** The longest report period, in days. */
export const MAX_REPORT_DAYS = 366;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A 422 naming the field and its problem. */
export const bad = (field: string, problem: string): never => {
  throw new HttpError(422, 'invalid_request', `${field}: ${problem}`, [{ field, problem }]);
};

/** A real calendar day "YYYY-MM-DD" from a query or body field, else 422. */
export function dayParam(v: unknown, name: string): string {
  const s = typeof v === 'string' ? v : '';
  const d = new Date(`${s}T00:00:00Z`);
  if (!DAY.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) bad(name, 'must be a date YYYY-MM-DD');
  return s;
}
