/**
 * Live desk updates: GET /desk/api/events (Server-Sent Events from the process's DeskFeed,
 * desk-feed.ts: events `conversation`, `message`, `notification`, `ticket`; the page re-reads what it
 * shows) and the notification badge (GET /desk/api/notifications, POST /desk/api/notifications/read).
 * A stream ends when its agent is signed out, disabled or its token revoked (checked every minute).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { NotificationModel } from '../../models/notification.js';
import { HttpError } from '../http-errors.js';
import { shopFilter } from './auth.js';
import type { DeskFeed } from './desk-feed.js';
import { parseBody } from './scope.js';

export interface EventRoutesOptions {
  feed: DeskFeed;
  /** SSE keep-alive comment interval. */
  keepAliveMs?: number;
  /** Open streams per process (then 503). */
  maxStreams?: number;
  /** Whether the stream's credential still holds (signed out, disabled agent, revoked token: the stream ends). */
  stillSignedIn?: (req: Request) => Promise<boolean>;
  /** How often that is checked (default 60 s). */
  recheckMs?: number;
}

/** The notifications an agent sees: their shops', for the team or for them. */
function notificationFilter(req: Request): Record<string, unknown> {
  return { ...shopFilter(req), shopId: { $ne: null, ...(shopFilter(req).shopId ?? {}) }, agentId: { $in: [null, req.agent!.id] } };
}

const readBody = z.object({
  ids: z
    .array(z.string().regex(/^[a-f0-9]{24}$/, 'ids must be notification ids'), {
      invalid_type_error: 'ids must be an array of notification ids',
    })
    .max(500, 'ids: at most 500')
    .optional(),
});

export function eventRoutes(opts: EventRoutesOptions): Router {
  const r = Router();
  r.get('/events', (req: Request, res: Response) => {
    if (opts.feed.size >= (opts.maxStreams ?? 2000))
      throw new HttpError(503, 'too_many_streams', 'too many desk streams open on this process; retry shortly');
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    const agent = { id: req.agent!.id, shopIds: req.agent!.shopIds };
    const unsubscribe = opts.feed.subscribe({
      agent,
      send: (e) => res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`),
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), opts.keepAliveMs ?? 15_000);
    keepAlive.unref?.();
    let checking = false;
    const recheck = setInterval(() => {
      if (checking || !opts.stillSignedIn) return;
      checking = true;
      opts
        .stillSignedIn(req)
        .then(
          (ok) => {
            if (!ok) res.end();
          },
          () => undefined,
        ) // MongoDB unreachable: keep the stream, check again later
        .finally(() => (checking = false));
    }, opts.recheckMs ?? 60_000);
    recheck.unref?.();
    req.on('close', () => {
      clearInterval(keepAlive);
      clearInterval(recheck);
      unsubscribe();
    });
    res.on('close', () => {
      clearInterval(keepAlive);
      clearInterval(recheck);
      unsubscribe();
    });
  });

  r.get('/notifications', async (req, res) => {
    const me = req.agent!.id;
    const filter = notificationFilter(req);
    const [rows, unread] = await Promise.all([
      NotificationModel.find(filter, {
        kind: 1,
        shopId: 1,
        text: 1,
        workflowId: 1,
        ticketId: 1,
        agentId: 1,
        readBy: 1,
        createdAt: 1,
        reason: 1,
        buyerId: 1,
        channel: 1,
      })
        .sort({ _id: -1 })
        .limit(50)
        .lean(),
      NotificationModel.countDocuments({ ...filter, readBy: { $ne: me } }),
    ]);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      unread,
      notifications: rows.map((n) => ({
        id: String(n._id),
        kind: n.kind,
        shopId: n.shopId,
        // Older notifications have no `text`: say why and who (the kind is shown beside it).
        text:
          n.text ??
          ([n.reason?.replace(/_/g, ' '), n.buyerId && `${n.buyerId} (${n.channel})`].filter(Boolean).join(' · ') ||
            n.kind.replace(/_/g, ' ')),
        conversationId: n.workflowId ?? null,
        ticketId: n.ticketId ?? null,
        at: n.createdAt,
        read: (n.readBy ?? []).includes(me),
      })),
    });
  });

  r.post('/notifications/read', async (req, res) => {
    const { ids } = parseBody(readBody, req);
    const filter = { ...notificationFilter(req), readBy: { $ne: req.agent!.id }, ...(ids ? { _id: { $in: ids } } : {}) };
    const u = await NotificationModel.updateMany(filter, { $addToSet: { readBy: req.agent!.id } });
    res.json({ marked: u.modifiedCount });
  });
  return r;
}
