/**
 * The desk's notifications (issue 16 item 5): GET /desk/api/notifications → the notifications of
 * the caller's shops that are for the whole team or for them (`?unread=true`, `?limit=`, `?before=`
 * an ISO time for the next page), newest first, each with its human `text`, plus the unread count
 * for the badge. POST /desk/api/notifications/read {ids: [...]} (or {all: true}) marks them read for
 * the caller.
 */
import { Router, type Request } from 'express';
import { isValidObjectId } from 'mongoose';
import { z } from 'zod';
import { NotificationModel } from '../../models/notification.js';
import { HttpError } from '../http-errors.js';
import { shopFilter } from './auth.js';

const readBody = z
  .object({
    ids: z
      .array(z.string().refine((s) => isValidObjectId(s) && /^[0-9a-f]{24}$/i.test(s), 'a notification id (24 hex characters)'))
      .max(500)
      .optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((b) => b.ids !== undefined || b.all, { message: 'send {"ids": [...]} or {"all": true}' });

/** What the caller may see: their shops; the team's notifications and their own. */
function visible(req: Request): Record<string, unknown> {
  return { ...shopFilter(req), shopId: shopFilter(req).shopId ?? { $ne: null }, agentId: { $in: [null, req.agent!.id] } };
}

function invalid(issues: z.ZodIssue[]): never {
  const details = issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
  throw new HttpError(422, 'invalid_request', details.map((d) => `${d.field}: ${d.problem}`).join('; '), details);
}

const listQuery = z
  .object({
    unread: z.enum(['true', 'false', '1', '0']).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    before: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO time')
      .optional(),
  })
  .passthrough();

export function notificationRoutes(): Router {
  const r = Router();
  r.get('/notifications', async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) invalid(q.error.issues);
    const me = req.agent!.id;
    const filter = visible(req);
    const unreadOnly = q.data.unread === 'true' || q.data.unread === '1';
    const docs = await NotificationModel.find({
      ...filter,
      ...(unreadOnly ? { readBy: { $ne: me } } : {}),
      ...(q.data.before ? { createdAt: { $lt: new Date(q.data.before) } } : {}),
    })
      .sort({ createdAt: -1 })
      .limit(q.data.limit ?? 50)
      .lean();
    const unread = await NotificationModel.countDocuments({ ...filter, readBy: { $ne: me } });
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      unread,
      notifications: docs.map((n) => ({
        id: String(n._id),
        kind: n.kind,
        // Older notifications have no `text`: say why and who (the kind is shown beside it).
        text:
          n.text ??
          ([n.reason?.replace(/_/g, ' '), n.buyerId && `${n.buyerId} (${n.channel})`].filter(Boolean).join(' · ') ||
            n.kind.replace(/_/g, ' ')),
        shopId: n.shopId,
        channel: n.channel,
        workflowId: n.workflowId,
        buyerId: n.buyerId,
        tier: n.tier,
        reason: n.reason,
        queueId: n.queueId ?? null,
        assigneeId: n.assigneeId ?? null,
        agentId: n.agentId,
        ticketId: n.ticketId,
        /** The conversation it is about (the desk opens it). */
        conversationId: n.workflowId ?? null,
        createdAt: n.createdAt,
        at: n.createdAt,
        read: (n.readBy ?? []).includes(me),
      })),
    });
  });
  r.post('/notifications/read', async (req, res) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send {"ids": [...]} as JSON');
    const b = readBody.safeParse(req.body ?? {});
    if (!b.success) invalid(b.error.issues);
    const me = req.agent!.id;
    const filter = visible(req);
    const r2 = await NotificationModel.updateMany(
      { ...filter, ...(b.data.all ? {} : { _id: { $in: b.data.ids ?? [] } }) },
      { $addToSet: { readBy: me } },
    );
    const unread = await NotificationModel.countDocuments({ ...filter, readBy: { $ne: me } });
    res.json({ marked: r2.modifiedCount, unread });
  });
  return r;
}
