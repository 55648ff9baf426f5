/**
 * The desk's live feed, one per process (like the web chat's reply feed, bots/webchat/reply-feed.ts):
 * while at least one desk is connected, a tick every `pollMs` reads what changed since its cursor —
 * conversations and tickets by `updatedAt`, messages and notifications by `_id` — re-reading a short
 * look-back window (another process's clock may lag) and forwarding each change once to the
 * subscribers that may see it (their agent's shops; notifications for the team or for that agent).
 */
import mongoose from 'mongoose';
import { seesShop } from '../../models/agent.js';
import { ConversationModel } from '../../models/conversation.js';
import { MessageModel } from '../../models/message.js';
import { NotificationModel } from '../../models/notification.js';
import { TicketModel } from '../../models/ticket.js';
import type { DeskAgent } from './auth.js';

export type DeskEventName = 'conversation' | 'message' | 'notification' | 'ticket';
export interface DeskEvent {
  event: DeskEventName;
  shopId: string | null;
  /** Notifications for one agent. */
  agentId?: string | null;
  data: Record<string, unknown>;
}

interface Subscriber {
  agent: Pick<DeskAgent, 'id' | 'shopIds'>;
  send(e: DeskEvent): void;
}

export interface DeskFeedOptions {
  pollMs: number;
  lookBackMs?: number;
  pageSize?: number;
  onError?: (e: unknown) => void;
}

type Row = Record<string, unknown> & { _id: unknown; shopId?: string | null; updatedAt?: Date };

/** One collection's cursor: by `updatedAt` (a row changes) or by `_id` (a row is added). */
class Source {
  private cursor = new Date();
  /** When the feed started: rows older than this were there before anyone listened (the look-back must not replay them). */
  private floor = new Date();
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly read: (since: Date, limit: number) => Promise<Row[]>,
    private readonly by: 'updatedAt' | '_id',
    private readonly toEvent: (row: Row) => DeskEvent,
  ) {}

  reset(): void {
    this.cursor = new Date();
    this.floor = this.cursor;
    this.seen.clear();
  }

  async tick(lookBackMs: number, pageSize: number, emit: (e: DeskEvent) => void): Promise<void> {
    const since = new Date(Math.min(this.cursor.getTime(), Date.now()) - lookBackMs);
    const rows = await this.read(since, pageSize);
    for (const row of rows) {
      const at = this.by === 'updatedAt' ? (row.updatedAt as Date) : (row._id as mongoose.Types.ObjectId).getTimestamp();
      const key = `${String(row._id)}@${at.getTime()}`;
      if (at > this.cursor) this.cursor = at;
      if (this.seen.has(key) || at < this.floor) continue;
      this.seen.set(key, at.getTime());
      emit(this.toEvent(row));
    }
    const below = this.cursor.getTime() - 2 * lookBackMs;
    for (const [k, t] of this.seen) if (t < below) this.seen.delete(k);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = mongoose.Model<any>;
const idSince = (since: Date) => mongoose.Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000));

export class DeskFeed {
  private readonly subs = new Set<Subscriber>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly sources: Source[];

  constructor(private readonly opts: DeskFeedOptions) {
    const byUpdated = (m: AnyModel, fields: Record<string, 1>) => (since: Date, limit: number) =>
      m
        .find({ updatedAt: { $gt: since } }, fields)
        .sort({ updatedAt: 1 })
        .limit(limit)
        .lean() as unknown as Promise<Row[]>;
    const byId = (m: AnyModel, fields: Record<string, 1>) => (since: Date, limit: number) =>
      m
        .find({ _id: { $gt: idSince(since) } }, fields)
        .sort({ _id: 1 })
        .limit(limit)
        .lean() as unknown as Promise<Row[]>;
    this.sources = [
      new Source(
        byUpdated(ConversationModel, { workflowId: 1, shopId: 1, status: 1, assigneeId: 1, agentId: 1, queueId: 1, updatedAt: 1 }),
        'updatedAt',
        (r) => ({
          event: 'conversation',
          shopId: r.shopId ?? null,
          data: { id: r.workflowId, shopId: r.shopId, status: r.status, assigneeId: r.assigneeId ?? null, agentId: r.agentId ?? null },
        }),
      ),
      new Source(byId(MessageModel, { workflowId: 1, shopId: 1, author: 1, direction: 1 }), '_id', (r) => ({
        event: 'message',
        shopId: r.shopId ?? null,
        data: { id: String(r._id), conversationId: r.workflowId, shopId: r.shopId, author: r.author, direction: r.direction },
      })),
      new Source(byId(NotificationModel, { kind: 1, shopId: 1, agentId: 1, text: 1, workflowId: 1, ticketId: 1 }), '_id', (r) => ({
        event: 'notification',
        shopId: r.shopId ?? null,
        agentId: (r.agentId as string | null) ?? null,
        data: {
          id: String(r._id),
          kind: r.kind,
          shopId: r.shopId,
          text: r.text ?? null,
          conversationId: r.workflowId ?? null,
          ticketId: r.ticketId ?? null,
        },
      })),
      new Source(byUpdated(TicketModel, { shopId: 1, status: 1, assigneeId: 1, number: 1, updatedAt: 1 }), 'updatedAt', (r) => ({
        event: 'ticket',
        shopId: r.shopId ?? null,
        data: { id: r._id, number: r.number, shopId: r.shopId, status: r.status, assigneeId: r.assigneeId ?? null },
      })),
    ];
  }

  get size(): number {
    return this.subs.size;
  }

  subscribe(sub: Subscriber): () => void {
    if (!this.timer) {
      for (const s of this.sources) s.reset();
      this.timer = setInterval(() => void this.tick(), this.opts.pollMs);
      this.timer.unref?.();
    }
    this.subs.add(sub);
    return () => {
      this.subs.delete(sub);
      if (!this.subs.size && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  close(): void {
    this.subs.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const source of this.sources)
        await source.tick(this.opts.lookBackMs ?? 3000, this.opts.pageSize ?? 500, (e) => {
          for (const s of this.subs) if (visibleTo(s.agent, e)) s.send(e);
        });
    } catch (e) {
      this.opts.onError?.(e);
    } finally {
      this.running = false;
    }
  }
}

/** Whether an agent sees an event: its shop, and a notification for the team or for them. */
export function visibleTo(agent: Pick<DeskAgent, 'id' | 'shopIds'>, e: DeskEvent): boolean {
  if (e.shopId === null) return agent.shopIds.includes('*') && e.event === 'notification' && !e.agentId;
  if (!seesShop(agent.shopIds, e.shopId)) return false;
  return e.event !== 'notification' || !e.agentId || e.agentId === agent.id;
}
