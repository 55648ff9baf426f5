/**
 * Operator / agent endpoints until an agent console exists: look at a conversation and drive it
 * with the design's signals. Protected by SORA_OPERATOR_TOKEN (Bearer) when set.
 */
import { Router, type Request, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { HttpError, validationError } from './http-errors.js';
import { kbImportRoutes, type KbImportServices } from './operator-kb.js';
import * as contract from '../workflows/contract.js';

/**
 * What the operator API does besides driving conversations: the FAQ workbook import and the carrier
 * key health. Both are activities-level logic (activities/knowledge, activities/logistics), which
 * bots/ may not import: the entry point passes them in (scripts/operator-services.ts).
 */
export interface OperatorServices extends KbImportServices {
  /** Carrier API keys per shop: ok / expiring / expired; all shops without `shopId`. */
  carrierKeyHealth(q?: { shopId?: string }): Promise<{ status: string; counts: Record<string, number> }>;
  /**
   * The shop's conversation strategy, after applying `change` when given (validated; nothing stored
   * when any field is bad). `problems` lists every bad field; `unknownShop` when there is no such shop.
   */
  shopStrategy(shopId: string, change?: unknown): Promise<{ view: unknown } | { problems: string[]; unknownShop: boolean }>;
}

const agentBody = z.object({ agentId: z.string().min(1, 'agentId is required') });
const messageBody = agentBody.extend({ text: z.string().trim().min(1, 'text must not be empty').max(4096) });
const closeBody = z.object({
  reason: z.string().min(1).max(200).default('resolved'),
  /** Whether the buyer's matter was resolved (the NPS survey follows); default: reason is 'resolved'. */
  resolved: z.boolean().optional(),
});

function parse<T>(schema: z.ZodType<T>, req: Request): T {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) throw validationError(r.error);
  return r.data;
}

/** SORA_OPERATOR_TOKEN check; the gateway puts it in front of every /operator route, adapters' included. */
export function operatorAuth(token?: string): RequestHandler {
  return (req, _res, next) => {
    if (token && req.get('authorization') !== `Bearer ${token}`)
      throw new HttpError(401, 'unauthorized', 'missing or wrong operator token');
    next();
  };
}

export function operatorRoutes(client: Client, services: OperatorServices, token?: string): Router {
  const r = Router();
  r.use(operatorAuth(token));
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
