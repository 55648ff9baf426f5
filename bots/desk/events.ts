/**
 * Live desk updates: GET /desk/api/events (Server-Sent Events from the process's DeskFeed,
 * desk-feed.ts: events `conversation`, `message`, `notification`, `ticket`; the page re-reads what it
 * shows; the notification badge is bots/desk/notifications.ts).
 * A stream ends when its agent is signed out, disabled or its token revoked (checked every minute).
 */
import { Router, type Request, type Response } from 'express';
import { HttpError } from '../http-errors.js';
import type { DeskFeed } from './desk-feed.js';

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
  /**
   * The agent's last open desk page (stream) on this process closed and none came back within
   * `awayAfterMs` (default 2 min; a reload reconnects in seconds): an online agent becomes away, so
   * routing stops giving them handoffs (presence.ts setPresence). Not called for operator credentials.
   */
  onGone?: (agentId: string) => Promise<void>;
  awayAfterMs?: number;
}

export function eventRoutes(opts: EventRoutesOptions): Router {
  const r = Router();
  /** Open streams per agent on this process. */
  const open = new Map<string, number>();
  const opened = (id: string) => open.set(id, (open.get(id) ?? 0) + 1);
  const closed = (id: string) => {
    const n = (open.get(id) ?? 1) - 1;
    if (n > 0) return void open.set(id, n);
    open.delete(id);
    if (!opts.onGone) return;
    const t = setTimeout(() => {
      if (!open.has(id)) opts.onGone!(id).catch(() => undefined);
    }, opts.awayAfterMs ?? 120_000);
    t.unref?.();
  };
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
    const person = req.agent!.via === 'operator' ? null : agent.id;
    if (person) opened(person);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      clearInterval(recheck);
      unsubscribe();
      if (person) closed(person);
    };
    req.on('close', end);
    res.on('close', end);
  });

  return r;
}
