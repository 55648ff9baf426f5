/**
 * Buyer data rights in the operator API (GDPR / PDPA requests): export or erase everything stored
 * about one buyer of a shop. Mounted under /operator (behind the operator credentials) by bots/operator.ts;
 * the work is activities-level (activities/privacy/buyer-data.ts), passed in by the entry point
 * (scripts/operator-services.ts).
 *
 *   GET    /operator/shops/:shopId/buyers/:buyerId/export[?channel=webchat]   → the buyer's data (JSON)
 *   DELETE /operator/shops/:shopId/buyers/:buyerId[?channel=webchat]          → erase it; the report
 */
import { Router, type Request } from 'express';
import { HttpError } from './http-errors.js';

export type BuyerDataOutcome<T> = { ok: T } | { error: 'invalid_request' | 'unknown_shop' | 'unknown_buyer'; message: string };

export interface BuyerDataServices {
  /** Everything stored about the buyer (`channel`: only that channel's id; absent: every channel). */
  exportBuyer(q: { shopId: string; buyerId: string; channel?: string }): Promise<BuyerDataOutcome<unknown>>;
  /** Erase the buyer's data and conversation workflows; the report (counts, audit request id) has no personal data. */
  forgetBuyer(q: { shopId: string; buyerId: string; channel?: string }): Promise<BuyerDataOutcome<unknown>>;
}

const STATUS = { invalid_request: 400, unknown_shop: 404, unknown_buyer: 404 } as const;

function query(req: Request): { shopId: string; buyerId: string; channel?: string } {
  const channel = req.query.channel;
  if (channel !== undefined && (typeof channel !== 'string' || !channel))
    throw new HttpError(400, 'invalid_request', 'channel must be one channel id, e.g. ?channel=webchat');
  return { shopId: String(req.params.shopId), buyerId: String(req.params.buyerId), ...(channel ? { channel } : {}) };
}

function answer<T>(r: BuyerDataOutcome<T>): T {
  if ('ok' in r) return r.ok;
  throw new HttpError(STATUS[r.error], r.error, r.message);
}

export function buyerDataRoutes(services: BuyerDataServices): Router {
  const r = Router();
  r.get('/shops/:shopId/buyers/:buyerId/export', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(answer(await services.exportBuyer(query(req))));
  });
  r.delete('/shops/:shopId/buyers/:buyerId', async (req, res) => {
    res.json(answer(await services.forgetBuyer(query(req))));
  });
  return r;
}
