/**
 * Canned responses per shop and language (models/canned-response.ts):
 * GET /desk/api/shops/:shopId/canned?language= (every agent of the shop; a language also matches its
 * locales, `es` → `es-419`), and for admins POST, PUT /:cannedId, DELETE /:cannedId. The desk fills
 * the placeholders from the buyer sidebar (POST …/canned/:cannedId/render does the same on the server).
 */
import { Router, type Request } from 'express';
import mongoose from 'mongoose';
import { z } from 'zod';
import {
  CANNED_LIMITS,
  CANNED_PLACEHOLDERS,
  CannedResponseModel,
  fillPlaceholders,
  unknownPlaceholders,
} from '../../models/canned-response.js';
import { isDuplicateKey } from '../../models/errors.js';
import { hasControlChars } from '../../infra/terminal-text.js';
import { HttpError } from '../http-errors.js';
import { requireAdmin, requireShop } from './auth.js';
import { boundedParam, DESK_LIMITS, parseBody } from './scope.js';

const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
const language = z
  .string({ required_error: 'language is required', invalid_type_error: 'language must be a string' })
  .regex(LANGUAGE, 'language must be a language code such as en, es or es-419');
const text = (max: number, what: string) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((t) => !hasControlChars(t, { allowLayout: true }), `${what} must not contain control characters`);
const cannedText = text(CANNED_LIMITS.text, 'text').refine(
  (t) => unknownPlaceholders(t).length === 0,
  (t) => ({
    message: `text has unknown placeholders {${unknownPlaceholders(t).join('}, {')}}; known: {${CANNED_PLACEHOLDERS.join('} {')}}`,
  }),
);
const createBody = z.object({ language, title: text(CANNED_LIMITS.title, 'title'), text: cannedText });
const updateBody = createBody.partial().refine((b) => Object.keys(b).length > 0, 'send at least one of language, title, text');
const renderBody = z.object(
  Object.fromEntries(CANNED_PLACEHOLDERS.map((p) => [p, z.string().max(1000, `${p} must be at most 1000 characters`).nullish()])) as Record<
    (typeof CANNED_PLACEHOLDERS)[number],
    z.ZodOptional<z.ZodNullable<z.ZodString>>
  >,
);

const view = (c: { _id: unknown; shopId: string; language: string; title: string; text: string }) => ({
  id: String(c._id),
  shopId: c.shopId,
  language: c.language,
  title: c.title,
  text: c.text,
});

function cannedId(req: Request): string {
  const id = boundedParam(req.params.cannedId, 'cannedId', 64);
  if (!mongoose.isValidObjectId(id)) throw new HttpError(404, 'canned_not_found', `no canned response ${id}`);
  return id;
}

const duplicate = (e: unknown) =>
  isDuplicateKey(e) ? new HttpError(409, 'canned_exists', 'a canned response with this title exists for this language') : e;

export function cannedRoutes(): Router {
  const r = Router();
  const shopOf = (req: Request) => requireShop(req, boundedParam(req.params.shopId, 'shopId', DESK_LIMITS.shopId));
  r.get('/shops/:shopId/canned', async (req, res) => {
    const shopId = shopOf(req);
    const filter: Record<string, unknown> = { shopId };
    if (req.query.language !== undefined) {
      const l = language.safeParse(req.query.language);
      if (!l.success)
        throw new HttpError(422, 'invalid_request', `language: ${l.error.issues[0]!.message}`, [
          { field: 'language', problem: l.error.issues[0]!.message },
        ]);
      const base = l.data.split('-')[0]!;
      filter.language = { $in: [...new Set([l.data, base])] };
    }
    const rows = await CannedResponseModel.find(filter).sort({ language: 1, title: 1 }).limit(500).lean();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ canned: rows.map(view), placeholders: CANNED_PLACEHOLDERS });
  });
  r.post('/shops/:shopId/canned', requireAdmin, async (req, res) => {
    const shopId = shopOf(req);
    const body = parseBody(createBody, req);
    const c = await CannedResponseModel.create({ ...body, shopId, createdBy: req.agent!.id }).catch((e) => {
      throw duplicate(e);
    });
    res.status(201).json(view(c.toObject()));
  });
  r.put('/shops/:shopId/canned/:cannedId', requireAdmin, async (req, res) => {
    const shopId = shopOf(req);
    const id = cannedId(req);
    const body = parseBody(updateBody, req);
    const c = await CannedResponseModel.findOneAndUpdate({ _id: id, shopId }, { $set: body }, { returnDocument: 'after' })
      .lean()
      .catch((e) => {
        throw duplicate(e);
      });
    if (!c) throw new HttpError(404, 'canned_not_found', `no canned response ${id}`);
    res.json(view(c));
  });
  r.delete('/shops/:shopId/canned/:cannedId', requireAdmin, async (req, res) => {
    const shopId = shopOf(req);
    const id = cannedId(req);
    const d = await CannedResponseModel.deleteOne({ _id: id, shopId });
    if (!d.deletedCount) throw new HttpError(404, 'canned_not_found', `no canned response ${id}`);
    res.status(204).end();
  });
  r.post('/shops/:shopId/canned/:cannedId/render', async (req, res) => {
    const shopId = shopOf(req);
    const id = cannedId(req);
    const values = parseBody(renderBody, req);
    const c = await CannedResponseModel.findOne({ _id: id, shopId }).lean();
    if (!c) throw new HttpError(404, 'canned_not_found', `no canned response ${id}`);
    res.json({ text: fillPlaceholders(c.text, { agent_name: req.agent!.name, ...values }) });
  });
  return r;
}
