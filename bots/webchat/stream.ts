/**
 * The buyer's reply stream (server-sent events), read from MongoDB so it works across processes and
 * resumes with Last-Event-ID / `after`. Open streams are capped per buyer and per process. Every
 * stream of the process is fed by one shared reply feed (reply-feed.ts): one query per tick, however
 * many streams are open; each stream catches up from its own resume point with one query of its own.
 */
import type { Request, Response } from 'express';
import mongoose from 'mongoose';
import { MessageModel } from '../../models/message.js';
import { HttpError } from '../http-errors.js';
import { ReplyFeed } from './reply-feed.js';

export interface StreamLimits {
  pollMs: number;
  keepAliveMs: number;
  /** How far back (by _id time) the feed re-reads for inserts made with a lagging clock; default 3000. */
  lookBackMs?: number;
  perBuyer: number;
  perProcess: number;
}

export class ReplyStreams {
  /** The one feed of new replies for every stream of this process. */
  readonly feed: ReplyFeed;
  /** `bus.emit(workflowId)`: this process sent a reply, read it at once. */
  readonly bus = { emit: (_workflowId: string): boolean => (this.feed.wake(), true) };
  private readonly open = new Set<Response>();
  private readonly perWorkflow = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: StreamLimits) {
    this.feed = new ReplyFeed({ pollMs: limits.pollMs, lookBackMs: limits.lookBackMs ?? 3000 });
  }

  closeAll(): void {
    // Ending a stream fires its 'close', which releases its place.
    for (const res of [...this.open]) res.end();
  }

  async serve(req: Request, res: Response, workflowId: string): Promise<void> {
    const resume = req.get('last-event-id') ?? (typeof req.query.after === 'string' ? req.query.after : undefined);
    if (resume && !mongoose.isValidObjectId(resume))
      throw new HttpError(400, 'invalid_request', 'Last-Event-ID / after is not a message id');
    if (this.total >= this.limits.perProcess) {
      res.setHeader('Retry-After', '30');
      throw new HttpError(503, 'too_many_streams', `this server has ${this.total} open reply streams (its limit); retry later`);
    }
    if ((this.perWorkflow.get(workflowId) ?? 0) >= this.limits.perBuyer) {
      res.setHeader('Retry-After', '10');
      throw new HttpError(
        429,
        'too_many_streams',
        `this buyer already has ${this.limits.perBuyer} open reply streams (the limit); close another tab or retry later`,
      );
    }
    // Counted from here (before any await), so concurrent opens cannot overshoot the caps.
    this.total++;
    this.perWorkflow.set(workflowId, (this.perWorkflow.get(workflowId) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perWorkflow.get(workflowId) ?? 1) - 1;
      if (n > 0) this.perWorkflow.set(workflowId, n);
      else this.perWorkflow.delete(workflowId);
    };
    /** Where the stream resumes: after the client's last id, or after the newest reply (null: all). */
    let cursor: mongoose.Types.ObjectId | null;
    try {
      if (resume) cursor = new mongoose.Types.ObjectId(resume);
      else {
        const newest = await MessageModel.findOne({ workflowId, direction: 'out' }, { _id: 1 }).sort({ _id: -1 }).lean();
        cursor = newest?._id ?? null;
      }
    } catch (e) {
      release();
      throw e;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    this.open.add(res);

    const sub = this.feed.subscribe(workflowId, cursor, (m) => {
      const data = {
        id: String(m._id),
        text: m.text,
        author: m.author,
        language: m.language,
        quickReplies: m.quickReplies,
        at: m.createdAt,
      };
      res.write(`id: ${String(m._id)}\nevent: message\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.limits.keepAliveMs);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      sub.close();
      this.open.delete(res);
      release();
    };
    req.on('close', close);
    res.on('close', close);
    if (res.closed || req.destroyed) return close();
    // MongoDB hiccup: the feed's next tick tries the catch-up again.
    await sub.join().catch(() => undefined);
  }
}
