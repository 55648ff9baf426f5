/**
 * Shops over the desk API: GET /shops (the shops the caller sees), GET /shops/:shopId, POST /shops
 * (an admin over every shop), PATCH /shops/:shopId (an admin who sees the shop). A shop the caller
 * does not see is 404, like one that does not exist; bad fields are 422, each named
 * (models/shop-settings.ts, the same validator as `sora shops create|update`).
 */
import { Router, type Request } from 'express';
import { ALL_SHOPS } from '../../models/agent.js';
import {
  createShop,
  getShop,
  getShopReturnPolicy,
  listShops,
  ShopSettingsError,
  updateShop,
  type ShopSettingsOptions,
} from '../../models/shop-settings.js';
import { HttpError } from '../http-errors.js';
import { requireAdmin, requireShop } from './auth.js';

/** 415 unless the body is a JSON object. */
export function jsonBody(req: Request, what: string): Record<string, unknown> {
  if (!req.is('application/json'))
    throw new HttpError(415, 'unsupported_media_type', `send ${what} as JSON (Content-Type: application/json)`);
  const b: unknown = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new HttpError(422, 'invalid_request', 'the body must be a JSON object');
  return b as Record<string, unknown>;
}

/** A model's {field, problem} list as the HTTP answer. */
export function problemsError(
  e: { problems: { field: string; problem: string }[]; kind: string; message: string },
  codes: Record<string, [number, string]>,
): HttpError {
  const [status, code] = codes[e.kind] ?? [422, 'invalid_request'];
  return new HttpError(status, code, e.message, e.problems);
}

const SHOP_CODES: Record<string, [number, string]> = {
  invalid: [422, 'invalid_request'],
  unknown_shop: [404, 'unknown_shop'],
  exists: [409, 'shop_exists'],
};

export function shopRoutes(o: ShopSettingsOptions = {}): Router {
  const r = Router();
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ShopSettingsError) throw problemsError(e, SHOP_CODES);
      throw e;
    }
  };
  r.get('/shops', async (req, res) => {
    res.json({ shops: await listShops(req.agent!.shopIds) });
  });
  r.get('/shops/:shopId', async (req, res) => {
    const shopId = requireShop(req, String(req.params.shopId));
    const shop = await getShop(shopId);
    if (!shop) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
    const returnPolicy = req.agent!.role === 'admin' ? await getShopReturnPolicy(shopId) : undefined;
    res.json({ ...shop, ...(returnPolicy !== undefined ? { returnPolicy } : {}) });
  });
  r.post('/shops', requireAdmin, async (req, res) => {
    if (!req.agent!.shopIds.includes(ALL_SHOPS))
      throw new HttpError(403, 'forbidden', 'creating a shop needs an admin who sees every shop');
    const body = jsonBody(req, 'the shop');
    res.status(201).json(await guard(() => createShop(body, o)));
  });
  r.patch('/shops/:shopId', requireAdmin, async (req, res) => {
    const shopId = requireShop(req, String(req.params.shopId));
    const body = jsonBody(req, 'the fields to change');
    res.json(await guard(() => updateShop(shopId, body, o)));
  });
  return r;
}
