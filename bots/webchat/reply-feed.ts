/**
 * One feed of new web chat replies per process, shared by every open reply stream (stream.ts).
 *
 * Each tick reads the outbound web chat messages of ALL conversations with one query (`_id` above a
 * bound, sorted, paged) and hands each row to the streams of its workflow. A tick runs at once when
 * this process sends (`wake`) and every `pollMs` otherwise; no stream open, no query.
 *
 * ObjectIds are made by the writer's clock, so another process's insert can land below the cursor
 * the feed has passed (clock skew, or two writers in the same second). The polled ticks therefore
 * re-read a look-back window (`lookBackMs` below the cursor, by _id timestamp) and the feed forwards
 * only rows it has not seen yet; each stream also de-duplicates by id. A stream joins with its own
 * catch-up query from its resume point; the rows of that query that are at or below the resume point
 * are only remembered (the buyer already has them) so the feed's look-back cannot repeat them.
 */
import mongoose from 'mongoose';
import { MessageModel } from '../../models/message.js';

type ObjectId = mongoose.Types.ObjectId;

/** What a stream receives: one outbound message. */
export interface ReplyRow {
  _id: ObjectId;
  workflowId: string;
  text?: string | null;
  author: string;
  language?: string | null;
  quickReplies?: string[] | null;
  createdAt?: Date;
}

export interface ReplyFeedOptions {
  /** Poll interval (replies written by other processes). */
  pollMs: number;
  /** How far below its cursor the polled tick re-reads (writers' clock skew; same-second ids). */
  lookBackMs: number;
  /** Rows per query (a tick pages on while pages come back full). */
  pageSize?: number;
  /** Called with a MongoDB error of a tick (the next tick retries from the same cursor). */
  onError?: (e: unknown) => void;
}

const FIELDS = { _id: 1, workflowId: 1, text: 1, author: 1, language: 1, quickReplies: 1, createdAt: 1 } as const;
const secondsOf = (id: ObjectId) => id.getTimestamp().getTime() / 1000;
/** ObjectIds order as their bytes, i.e. as their hex strings. */
const compareIds = (a: ObjectId, b: ObjectId) => {
  const x = a.toHexString();
  const y = b.toHexString();
  return x < y ? -1 : x > y ? 1 : 0;
};
const idFromSeconds = (s: number) => mongoose.Types.ObjectId.createFromTime(Math.max(0, Math.floor(s)));

/** One open stream's place in the feed. */
export class ReplySubscription {
  /** Ids this stream has delivered or was resumed past (only those the feed may still repeat). */
  private readonly seen = new Map<string, number>();
  /** Feed rows that arrived while the stream was catching up. */
  private buffer: ReplyRow[] | null = [];
  private joining: Promise<void> | null = null;
  closed = false;

  constructor(
    private readonly feed: ReplyFeed,
    readonly workflowId: string,
    /** Resume point: the last id the buyer has (null: from the beginning). */
    private readonly resumeAfter: ObjectId | null,
    private readonly deliver: (row: ReplyRow) => void,
    /** Rows below this were never (and will never be) repeated by the feed: the join query starts here. */
    private readonly floor: ObjectId,
  ) {}

  get joined(): boolean {
    return this.buffer === null;
  }

  /** The stream's own catch-up query; on a MongoDB error the feed's next tick tries again. */
  join(): Promise<void> {
    if (this.joined || this.closed) return Promise.resolve();
    this.joining ??= this.catchUp().finally(() => (this.joining = null));
    return this.joining;
  }

  private async catchUp(): Promise<void> {
    // From the resume point, or from the feed's window when that is lower: the rows in between are
    // ones the buyer has, which the feed's look-back may read again.
    let after: ObjectId | null = !this.resumeAfter || compareIds(this.resumeAfter, this.floor) < 0 ? this.resumeAfter : this.floor;
    const pageSize = this.feed.pageSize;
    for (;;) {
      const filter: Record<string, unknown> = { workflowId: this.workflowId, direction: 'out' };
      if (after) filter._id = { $gt: after };
      const rows = (await MessageModel.find(filter, FIELDS).sort({ _id: 1 }).limit(pageSize).lean()) as ReplyRow[];
      if (this.closed) return;
      for (const row of rows) {
        if (this.resumeAfter && compareIds(row._id, this.resumeAfter) <= 0) this.remember(row._id);
        else this.accept(row);
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1]!._id;
    }
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const row of buffered) this.offer(row);
  }

  /** A row from the feed (or the catch-up): delivered once. */
  offer(row: ReplyRow): void {
    if (this.closed) return;
    if (this.buffer) this.buffer.push(row);
    else this.accept(row);
  }

  private accept(row: ReplyRow): void {
    const id = String(row._id);
    if (this.seen.has(id)) return;
    this.remember(row._id);
    this.deliver(row);
  }

  private remember(id: ObjectId): void {
    this.seen.set(String(id), secondsOf(id));
  }

  /** Forgets ids below the feed's window (it never reads them again). */
  prune(belowSeconds: number): void {
    for (const [id, s] of this.seen) if (s < belowSeconds) this.seen.delete(id);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = null;
    this.feed.unsubscribe(this);
  }
}

export class ReplyFeed {
  readonly pageSize: number;
  private readonly subs = new Map<string, Set<ReplySubscription>>();
  private count = 0;
  /** The highest id read (null: not started). */
  private cursor: ObjectId | null = null;
  /** Ids read inside the look-back window → their _id timestamp (s). */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** A tick was asked for while one ran: 'poll' wins over 'wake' (it reads the look-back window). */
  private pending: 'wake' | 'poll' | null = null;
  /** The lower bound of the read in progress (its rows may lie below the window by now). */
  private readingFrom: ObjectId | null = null;
  /** Bumped at each start: a read still running from before a stop is dropped. */
  private generation = 0;

  constructor(private readonly opts: ReplyFeedOptions) {
    this.pageSize = opts.pageSize ?? 500;
  }

  /** Open streams. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a stream that resumes after `resumeAfter` (null: from the beginning). Registered at once,
   * so nothing the feed reads from now on is missed; the returned subscription's `join()` catches up.
   */
  subscribe(workflowId: string, resumeAfter: ObjectId | null, deliver: (row: ReplyRow) => void): ReplySubscription {
    if (!this.cursor) this.start();
    // The lowest id the feed may still hand out: its window, or the bound of a read already running.
    const window = idFromSeconds(this.windowStart());
    const floor = this.readingFrom && compareIds(this.readingFrom, window) < 0 ? this.readingFrom : window;
    const sub = new ReplySubscription(this, workflowId, resumeAfter, deliver, floor);
    let set = this.subs.get(workflowId);
    if (!set) this.subs.set(workflowId, (set = new Set()));
    set.add(sub);
    this.count++;
    return sub;
  }

  unsubscribe(sub: ReplySubscription): void {
    const set = this.subs.get(sub.workflowId);
    if (!set?.delete(sub)) return;
    this.count--;
    if (!set.size) this.subs.delete(sub.workflowId);
    if (!this.count) this.stop();
  }

  /** This process sent a reply: read at once (only above the cursor; the poll covers the rest). */
  wake(): void {
    if (this.count) this.tick('wake');
  }

  close(): void {
    for (const set of [...this.subs.values()]) for (const sub of [...set]) sub.close();
    this.stop();
  }

  /** Seconds (ObjectId time) from which a polled tick re-reads; it never decreases. */
  private windowStart(): number {
    const cursorS = this.cursor ? secondsOf(this.cursor) : Date.now() / 1000;
    // A writer whose clock runs ahead must not drag the window past everyone else's rows.
    return Math.floor(Math.min(cursorS, Date.now() / 1000) - this.opts.lookBackMs / 1000);
  }

  private start(): void {
    // Rows older than the look-back window are each joining stream's own catch-up.
    this.cursor = idFromSeconds(Date.now() / 1000);
    this.generation++;
    this.seen.clear();
    this.timer = setInterval(() => this.tick('poll'), this.opts.pollMs);
    this.timer.unref?.();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.cursor = null;
    this.seen.clear();
    this.pending = null;
  }

  private tick(kind: 'wake' | 'poll'): void {
    if (this.running) {
      if (this.pending !== 'poll') this.pending = kind;
      return;
    }
    this.running = this.read(kind)
      .catch((e) => this.opts.onError?.(e))
      .finally(() => {
        this.running = null;
        const next = this.pending;
        this.pending = null;
        if (next && this.count) this.tick(next);
      });
  }

  private async read(kind: 'wake' | 'poll'): Promise<void> {
    // Streams whose catch-up failed (MongoDB hiccup) try again.
    for (const set of this.subs.values()) for (const sub of set) if (!sub.joined) sub.join().catch(() => undefined);
    if (!this.cursor) return;
    const generation = this.generation;
    const windowStart = this.windowStart();
    const after: ObjectId = kind === 'poll' ? idFromSeconds(windowStart) : this.cursor;
    this.readingFrom = after;
    try {
      if (!(await this.readFrom(after, generation))) return;
    } finally {
      this.readingFrom = null;
    }
    // Forget what the window has left behind (a stream still catching up keeps all: its buffer may
    // hold rows from below the window that its catch-up marked as the buyer's).
    const below = this.windowStart();
    for (const [id, s] of this.seen) if (s < below) this.seen.delete(id);
    if (kind === 'poll') for (const set of this.subs.values()) for (const sub of set) if (sub.joined) sub.prune(below);
  }

  /** Reads and dispatches every row above `from`; false when the feed stopped meanwhile. */
  private async readFrom(from: ObjectId, generation: number): Promise<boolean> {
    let after = from;
    for (;;) {
      const rows = (await MessageModel.find({ _id: { $gt: after }, direction: 'out', channel: 'webchat' }, FIELDS)
        .sort({ _id: 1 })
        .limit(this.pageSize)
        .lean()) as ReplyRow[];
      if (!this.cursor || generation !== this.generation) return false; // every stream closed meanwhile
      for (const row of rows) {
        const id = String(row._id);
        if (compareIds(row._id, this.cursor) > 0) this.cursor = row._id;
        if (this.seen.has(id)) continue;
        this.seen.set(id, secondsOf(row._id));
        const set = this.subs.get(row.workflowId);
        if (set) for (const sub of set) sub.offer(row);
      }
      if (rows.length < this.pageSize) break;
      after = rows[rows.length - 1]!._id;
    }
    return true;
  }
}
