/**
 * Operator / agent endpoints until an agent console exists: look at a conversation and drive it
 * with the design's signals. Every route needs an operator credential (bots/operator-auth.ts), and
 * every input that reaches a workflow or the database is bounded here, at the edge: a signal's
 * argument is carried in the workflow's history and in every state it publishes.
 */
import { Router, type Request, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { HttpError, validationError } from './http-errors.js';
import { buyerDataRoutes, type BuyerDataServices } from './operator-buyers.js';
import { operatorAuth } from './operator-auth.js';
import { hasControlChars } from '../infra/terminal-text.js';
import { kbImportRoutes, type KbImportServices } from './operator-kb.js';
import * as contract from '../workflows/contract.js';
import type { ReturnPolicyValidator } from '../models/shop-settings.js';

/**
 * What the operator API does besides driving conversations: the FAQ workbook import and the carrier
 * key health. Both are activities-level logic (activities/knowledge, activities/logistics), which
 * bots/ may not import: the entry point passes them in (scripts/operator-services.ts).
 */
export interface OperatorServices extends BuyerDataServices, KbImportServices {
  /** Carrier API keys per shop: ok / expiring / expired; all shops without `shopId`. */
  carrierKeyHealth(q?: { shopId?: string }): Promise<{ status: string; counts: Record<string, number> }>;
  /**
   * The shop's conversation strategy, after applying `change` when given (validated; nothing stored
   * when any field is bad). `problems` lists every bad field; `unknownShop` when there is no such shop.
   */
  shopStrategy(shopId: string, change?: unknown): Promise<{ view: unknown } | { problems: string[]; unknownShop: boolean }>;
  /** Validates a shop's return policy config for the desk's shop settings (activities/commerce/returns). */
  validateReturnPolicy?: ReturnPolicyValidator;
}

/** Operator input bounds (README "Operator API"). */
export const OPERATOR_LIMITS = { agentId: 128, text: 4096, reason: 200, conversationId: 512, shopId: 128 } as const;
/** Letters, digits and . _ @ : + - (an e-mail address or a console's user id). */
const AGENT_ID = /^[A-Za-z0-9._@:+-]+$/;

const agentId = z
  .string({ required_error: 'agentId is required', invalid_type_error: 'agentId must be a string' })
  .min(1, 'agentId is required')
  .max(OPERATOR_LIMITS.agentId, `agentId must be at most ${OPERATOR_LIMITS.agentId} characters`)
  .regex(AGENT_ID, 'agentId may contain only letters, digits and . _ @ : + -');
const agentBody = z.object({ agentId });
const messageBody = agentBody.extend({
  text: z
    .string({ required_error: 'text is required', invalid_type_error: 'text must be a string' })
    .trim()
    .min(1, 'text must not be empty')
    .max(OPERATOR_LIMITS.text, `text must be at most ${OPERATOR_LIMITS.text} characters`)
    .refine((t) => !hasControlChars(t, { allowLayout: true }), 'text must not contain control characters (newline and tab are fine)'),
});
const closeBody = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'reason must not be empty')
    .max(OPERATOR_LIMITS.reason, `reason must be at most ${OPERATOR_LIMITS.reason} characters`)
    .refine((t) => !hasControlChars(t), 'reason must not contain control characters')
    .default('resolved'),
  /** Whether the buyer's matter was resolved (the NPS survey follows); default: reason is 'resolved'. */
  resolved: z.boolean().optional(),
});

/** The body, validated; a bad field → 422 naming it. Unknown fields are dropped (they never reach a workflow). */
function parse<T>(schema: z.ZodType<T>, req: Request): T {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) {
    const e = validationError(r.error);
    throw new HttpError(422, 'invalid_request', e.message, e.details);
  }
  return r.data;
}

/** A path parameter, bounded (`what` names it in the 422). */
function param(req: Request, name: 'id' | 'shopId'): string {
  const v = String(req.params[name] ?? '');
  const max = name === 'id' ? OPERATOR_LIMITS.conversationId : OPERATOR_LIMITS.shopId;
  if (!v || v.length > max || hasControlChars(v))
    throw new HttpError(422, 'invalid_request', `${name}: must be 1 to ${max} characters without control characters`, [
      { field: name, problem: `must be 1 to ${max} characters without control characters` },
    ]);
  return v;
}

export function operatorRoutes(client: Client, services: OperatorServices, token?: string): Router {
  const r = Router();
  r.use(operatorAuth(token));
  r.use(buyerDataRoutes(services));
  const bounded =
    (name: 'id' | 'shopId'): RequestHandler =>
    (req, _res, next) => {
      try {
        param(req, name);
        next();
      } catch (e) {
        next(e);
      }
    };
  r.param('id', bounded('id'));
  r.param('shopId', bounded('shopId'));
  const handle = (id: string) => client.workflow.getHandle(id);
  const wrap = (fn: (req: Request) => Promise<unknown>) => async (req: Request, res: import('express').Response) => {
    try {
      res.json(await fn(req));
    } catch (e) {
      if (e instanceof WorkflowNotFoundError)
        throw new HttpError(404, 'conversation_not_found', `no running conversation ${String(req.params.id)}`);
      throw e;
    }
  };
  // FAQ workbook import (async: 202 + status/cancel routes), bots/operator-kb.ts.
  r.use(kbImportRoutes(services));
  // The shop's conversation strategy (silence nudge, idle close, NPS delay); PUT takes the fields to change, null resets one.
  const strategy = async (res: import('express').Response, shopId: string, change?: unknown) => {
    const r = await services.shopStrategy(shopId, change);
    if ('view' in r) return void res.json(r.view);
    if (r.unknownShop) throw new HttpError(404, 'unknown_shop', r.problems.join('; '));
    throw new HttpError(422, 'invalid_strategy', r.problems.join('; '));
  };
  r.get('/shops/:shopId/strategy', (req, res) => strategy(res, String(req.params.shopId)));
  r.put('/shops/:shopId/strategy', (req, res) => {
    if (!req.is('application/json'))
      throw new HttpError(415, 'unsupported_media_type', 'send the strategy change as JSON (Content-Type: application/json)');
    return strategy(res, String(req.params.shopId), req.body ?? {});
  });
  // Carrier API keys per shop: ok / expiring (within SORA_CARRIER_KEY_WARN_HOURS) / expired; no secrets.
  r.get('/health/carrier-keys', async (req, res) => {
    const shop = req.query.shop;
    if (shop !== undefined && (typeof shop !== 'string' || !shop.trim()))
      throw new HttpError(400, 'invalid_request', 'shop must be one shop id');
    if (typeof shop === 'string' && (shop.length > OPERATOR_LIMITS.shopId || hasControlChars(shop)))
      throw new HttpError(422, 'invalid_request', `shop: must be at most ${OPERATOR_LIMITS.shopId} characters without control characters`);
    res.json(await services.carrierKeyHealth({ shopId: shop as string | undefined }));
  });
  r.get(
    '/conversations/:id',
    wrap((req) => handle(String(req.params.id)).query(contract.snapshot)),
  );
  r.post(
    '/conversations/:id/accept',
    wrap(async (req) => (await handle(String(req.params.id)).signal(contract.agentAccepted, parse(agentBody, req)), { ok: true })),
  );
  r.post(
    '/conversations/:id/message',
    wrap(async (req) => (await handle(String(req.params.id)).signal(contract.agentMessage, parse(messageBody, req)), { ok: true })),
  );
  r.post(
    '/conversations/:id/release',
    wrap(async (req) => (await handle(String(req.params.id)).signal(contract.agentReleased), { ok: true })),
  );
  r.post(
    '/conversations/:id/close',
    wrap(async (req) => (await handle(String(req.params.id)).signal(contract.closeConversation, parse(closeBody, req)), { ok: true })),
  );
  return r;
}
