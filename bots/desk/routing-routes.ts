/**
 * A shop's queues and routing rules in the desk (issue 16 item 2): GET and PUT
 * /desk/api/shops/:shopId/routing, for an admin who sees the shop (another shop: 404, an agent:
 * 403). PUT replaces the whole document; a bad one is refused with 422 naming every bad field. The
 * JSON shape is models/routing.ts (README "Queues and routing").
 */
import { Router } from 'express';
import { loadRoutingConfig, RoutingConfigError, RoutingConfigModel, saveRoutingConfig } from '../../models/routing.js';
import { ShopModel } from '../../models/shop.js';
import { HttpError } from '../http-errors.js';
import { requireAdmin, requireShop } from './auth.js';

async function knownShop(req: Parameters<typeof requireShop>[0]): Promise<string> {
  const shopId = requireShop(req, String(req.params.shopId ?? ''));
  if (!(await ShopModel.exists({ shopId }))) throw new HttpError(404, 'unknown_shop', `no shop "${shopId}"`);
  return shopId;
}

export function routingRoutes(opts: { log: (msg: string, fields?: Record<string, unknown>) => void }): Router {
  const r = Router();
  r.get('/shops/:shopId/routing', requireAdmin, async (req, res) => {
    const shopId = await knownShop(req);
    const stored = await RoutingConfigModel.exists({ shopId });
    res.json({ shopId, ...(await loadRoutingConfig(shopId)), default: !stored });
  });
  r.put('/shops/:shopId/routing', requireAdmin, async (req, res) => {
    const shopId = await knownShop(req);
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the routing as JSON');
    try {
      const config = await saveRoutingConfig(shopId, req.body, req.agent!.id);
      opts.log('desk routing saved', { shopId, by: req.agent!.id, queues: config.queues.length, rules: config.rules.length });
      res.json({ shopId, ...config, default: false });
    } catch (e) {
      if (e instanceof RoutingConfigError) throw new HttpError(422, 'invalid_routing', e.message, e.details);
      throw e;
    }
  });
  return r;
}
