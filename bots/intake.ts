/**
 * Intake: the one way an inbound message enters the system, for every channel.
 *
 *   1. record it in MongoDB, unique on (channel, externalId). The unique index decides: the one
 *      request whose insert succeeds owns the message (202 accepted); every concurrent or later
 *      copy gets E11000 and is a duplicate (200) — no read-then-write. The owner holds a short
 *      signalling lease on the record; a copy arriving after a failed signal (503) may take it over;
 *   2. give a buyer message its number in the conversation, `seq` (1, 2, 3…, once; the unique `_id`
 *      of models/inbound-sequence.ts decides who gets a number);
 *   3. signalWithStart the conversation workflow `conv:{shopId}:{channel}:{buyerId}[:{thread}]` with that
 *      `seq`, after any older message of the conversation still waiting to be signalled (its
 *      messages reach the workflow in order, also across a Temporal outage);
 *   4. mark it signalled.
 *
 * Exactly once: a signal may be delivered twice (a signalWithStart that timed out but had reached
 * Temporal is re-sent by the relay); the workflow ignores a `seq` it has passed, whatever the
 * number of messages in between (workflows/conversation/run.ts, docs/conversation-lifecycle.md, "Exactly once"). Counters
 * (the buyer's `messages`) move once, with the insert that won.
 *
 * A seller message (`author: 'seller'`: a human answered in the platform's own inbox, see
 * InboundMessage.author) is recorded as an outbound message by the seller (direction 'out', status
 * 'sent') and delivered to the running conversation as the `sellerReply` signal — a plain signal,
 * never signalWithStart: a seller message does not start a conversation. No running conversation
 * (WorkflowNotFoundError) → the record is marked signalled and the fact logged; nothing else.
 *
 * If Temporal cannot be reached within the deadline the message stays recorded with
 * `signalled: false`, the caller gets TemporalUnavailableError (webhooks answer 503 so the platform
 * retries), and the relay signals it once Temporal is back, buyer and seller messages alike, in
 * the order they were received. Nothing is dropped.
 */
import { inboundMessages, safely } from '../infra/metrics.js';
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import type { Types } from 'mongoose';
import { searchAttributes, taskQueues } from '../temporal.config.js';
import { BuyerModel } from '../models/buyer.js';
import { isDuplicateKey } from '../models/errors.js';
import { claimInboundSeq } from '../models/inbound-sequence.js';
import { MessageModel } from '../models/message.js';
import { TicketModel } from '../models/ticket.js';
import {
  agentMessage,
  buyerMessage,
  type BuyerMessageSignal,
  conversationWorkflowType,
  sellerReply,
  type ConversationConfig,
  type ConversationInput,
  type SellerReply,
} from '../workflows/contract.js';
import { conversationWorkflowId, type InboundMessage } from '../infra/channel-contract.js';
import { reopenTickets } from './ticket-reopen.js';

/** Conversations whose last in-order signalled `seq` this process remembers (Intake.signalledUpTo). */
const SIGNALLED_UP_TO_KEPT = 10_000;

export class TemporalUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Temporal is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TemporalUnavailableError';
  }
}

export interface IntakeResult {
  /**
   * accepted: recorded and signalled; duplicate: seen (and signalled) before; no_conversation: a
   * seller message whose conversation is not running (recorded, not delivered: nothing to take over).
   */
  status: 'accepted' | 'duplicate' | 'no_conversation';
  workflowId: string;
}

export interface IntakeDeps {
  client: Client;
  connection: Connection;
  conversationConfig: ConversationConfig;
  signalDeadlineMs: number;
  /** Task queue of the conversation workflows (config.temporal.taskQueue; default sora-conversations). */
  taskQueue?: string;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export class Intake {
  private relayTimer: NodeJS.Timeout | undefined;
  private relaying = false;
  /** Numbering is done one message at a time per conversation in this process (other gateways: the unique index). */
  private readonly numbering = new Map<string, Promise<unknown>>();
  /**
   * Per conversation, the last `seq` this process signalled with nothing older left unsignalled
   * (signalOlderFirst found none, or signalled them all first): signalOlderFirst's query is skipped
   * for the next number, since numbers are given in increasing order and "signalled" never goes
   * back. Bounded (least recently signalled conversations forgotten first); a forgotten one only
   * costs the query again.
   */
  private readonly signalledUpTo = new Map<string, number>();

  private noteSignalled(workflowId: string, seq: number): void {
    this.signalledUpTo.delete(workflowId); // re-insert: Map order = least recently signalled first
    this.signalledUpTo.set(workflowId, seq);
    if (this.signalledUpTo.size > SIGNALLED_UP_TO_KEPT) this.signalledUpTo.delete(this.signalledUpTo.keys().next().value!);
  }

  constructor(private readonly deps: IntakeDeps) {}

  /** How long a request (or the relay) owns the signalling of a record: its own signal and older ones before it, with slack. */
  private leaseMs(): number {
    return this.deps.signalDeadlineMs * 4 + 5_000;
  }

  /** Record + signal. Throws TemporalUnavailableError after recording when Temporal is down. */
  async accept(m: InboundMessage): Promise<IntakeResult> {
    if (m.author === 'seller') return this.acceptSeller(m);
    const workflowId = conversationWorkflowId(m);
    const claim = await this.claim(m, {
      direction: 'in',
      ...(m.orderRefs?.length ? { orderRefs: m.orderRefs } : {}),
      author: 'buyer',
      status: 'received',
    });
    if (!claim) {
      this.deps.log('duplicate inbound ignored', { channel: m.channel, externalId: m.externalId });
      return { status: 'duplicate', workflowId };
    }
    if (claim.won) safely(() => inboundMessages.inc({ channel: m.channel }));
    // New (won the insert), or recorded earlier but not yet signalled (Temporal was down): signal now.
    let seq: number | undefined;
    try {
      // The buyer upsert and the numbering are independent: run side by side (one round trip less
      // of latency, the same commands). Both finish before the signal, so the workflow finds the
      // buyer's reply address and platform id recorded.
      let buyer: { reopenableTickets?: string[] | null } | null;
      [buyer, seq] = await Promise.all([
        // One command either way; it also answers which of the buyer's tickets this message reopens.
        BuyerModel.findOneAndUpdate(
          { shopId: m.shopId, channel: m.channel, buyerId: m.buyerId },
          {
            $setOnInsert: { firstSeenAt: new Date(m.receivedAt) },
            $set: { lastSeenAt: new Date(m.receivedAt), ...(m.replyTo ? { replyTo: m.replyTo } : {}) },
            // Counted once: by the request whose insert won, not by a retry after a 503.
            ...(claim.won ? { $inc: { messages: 1 } } : {}),
          },
          { upsert: true, returnDocument: 'after', projection: { reopenableTickets: 1 } },
        ).lean(),
        // A record this request has just inserted has no number yet: no need to look one up (claim.won).
        this.ensureSeq(claim.id, workflowId, claim.inSeq, claim.won),
      ]);
      const inOrder = await this.signalOlderFirst(workflowId, seq);
      await this.signal(m, seq);
      if (inOrder) this.noteSignalled(workflowId, seq);
      // The buyer wrote: their pending or solved tickets reopen (bots/ticket-reopen.ts).
      // A buyer with a conversation per thread (email): only the tickets of this thread's conversation.
      const reopenable = buyer?.reopenableTickets?.length
        ? m.thread
          ? (await TicketModel.find({ _id: { $in: buyer.reopenableTickets }, conversationIds: workflowId }, { _id: 1 }).lean()).map((t) =>
              String(t._id),
            )
          : buyer.reopenableTickets
        : [];
      if (reopenable.length) await reopenTickets(this.deps.client, reopenable, m.receivedAt, this.deps.log);
    } catch (e) {
      await this.release(claim.id, e, seq);
      throw e;
    }
    return { status: 'accepted', workflowId };
  }

  /**
   * A message a human typed in the platform's inbox: recorded as the seller's outbound message,
   * then signalled (sellerReply) to the conversation if it is running. Redelivery is a no-op.
   */
  private async acceptSeller(m: InboundMessage): Promise<IntakeResult> {
    const workflowId = conversationWorkflowId(m);
    const claim = await this.claim(m, { direction: 'out', author: 'seller', agentId: m.agentId ?? null, status: 'sent' });
    if (!claim) {
      this.deps.log('duplicate seller message ignored', { channel: m.channel, externalId: m.externalId });
      return { status: 'duplicate', workflowId };
    }
    // New, or recorded earlier but not yet signalled (Temporal was down): signal now.
    try {
      const delivered = await this.signal(m);
      return { status: delivered ? 'accepted' : 'no_conversation', workflowId };
    } catch (e) {
      await this.release(claim.id, e);
      throw e;
    }
  }

  /**
   * Record a seller message that cannot be routed to a conversation (the platform did not say which
   * buyer, and none is known for it: `buyerId` is then a placeholder naming what the platform did
   * say). Recorded as delivered-nowhere (signalled, so the relay leaves it) and logged; no signal.
   */
  async recordUnrouted(m: InboundMessage & { author: 'seller' }, reason: string): Promise<IntakeResult> {
    const workflowId = conversationWorkflowId(m);
    try {
      await MessageModel.create({
        ...this.recordOf(m),
        direction: 'out',
        author: 'seller',
        agentId: m.agentId ?? null,
        status: 'sent',
        signalled: true,
      });
    } catch (e) {
      if (isDuplicateKey(e)) return { status: 'duplicate', workflowId };
      throw e;
    }
    this.deps.log('seller message recorded, not delivered: no conversation for it', {
      channel: m.channel,
      externalId: m.externalId,
      reason,
    });
    return { status: 'no_conversation', workflowId };
  }

  private recordOf(m: InboundMessage) {
    return {
      channel: m.channel,
      externalId: m.externalId,
      shopId: m.shopId,
      buyerId: m.buyerId,
      ...(m.thread ? { thread: m.thread } : {}),
      workflowId: conversationWorkflowId(m),
      text: m.text,
      attachments: m.attachments ?? [],
      receivedAt: new Date(m.receivedAt),
      raw: m.raw ?? null,
    };
  }

  /**
   * Take the signalling of a message: record it (unique on channel + externalId: the insert that
   * succeeds wins), or, when it was recorded before, take over its lease if it is still unsignalled
   * and nobody holds it (a redelivery after a 503). Null: a duplicate — signalled already, or another
   * request is signalling it right now.
   */
  private async claim(
    m: InboundMessage,
    fields: Record<string, unknown>,
  ): Promise<{ id: unknown; won: boolean; inSeq: number | null } | null> {
    const leaseUntil = new Date(Date.now() + this.leaseMs());
    try {
      const doc = await MessageModel.create({ ...this.recordOf(m), ...fields, signalled: false, signalLeaseUntil: leaseUntil });
      return { id: doc._id, won: true, inSeq: null };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
    const taken = await this.takeLease({ channel: m.channel, externalId: m.externalId }, leaseUntil);
    return taken ? { id: taken._id, won: false, inSeq: taken.inSeq ?? null } : null;
  }

  /** Take the lease of an unsignalled record nobody holds (atomic: one taker). */
  private takeLease(filter: Record<string, unknown>, leaseUntil = new Date(Date.now() + this.leaseMs())) {
    return MessageModel.findOneAndUpdate(
      { ...filter, signalled: false, $or: [{ signalLeaseUntil: null }, { signalLeaseUntil: { $lt: new Date() } }] },
      { $set: { signalLeaseUntil: leaseUntil } },
      { returnDocument: 'after', projection: { _id: 1, inSeq: 1 } },
    ).lean();
  }

  /**
   * A failed signal gives the record back (a redelivery or the relay takes it); best effort, the
   * lease also runs out. `seq`, when the message got its number, is recorded with it (the number is
   * otherwise written only with the mark "signalled", see signal()).
   */
  private async release(id: unknown, error: unknown, seq?: number): Promise<void> {
    try {
      await MessageModel.updateOne(
        { _id: id },
        {
          $set: { signalLeaseUntil: null, ...(seq !== undefined ? { inSeq: seq } : {}) },
          ...(error instanceof TemporalUnavailableError ? { $inc: { signalAttempts: 1 } } : {}),
        },
      );
    } catch {
      // MongoDB is down too: the lease runs out by itself.
    }
  }

  /**
   * The message's number in its conversation: the one it has, or the next one, given once
   * (models/inbound-sequence.ts). `fresh`: the record was inserted by this request, so it cannot
   * hold a number yet and the lookup of its own number is skipped.
   *
   * The number is not written to the message record here: the inbound-sequence document already
   * names the message (a retry finds its number there, claimInboundSeq), and the record gets
   * `inSeq` with the mark "signalled" (signal()) or the release after a failed signal (release()),
   * one write instead of two per message. A record left without `inSeq` (the process died between
   * numbering and signalling) is not seen by signalOlderFirst; the relay signals it with its number
   * and the workflow, which orders buyer messages by `seq`, still handles it before newer ones.
   */
  private async ensureSeq(id: unknown, workflowId: string, inSeq: number | null, fresh = false): Promise<number> {
    if (inSeq !== null) return inSeq;
    const before = this.numbering.get(workflowId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => claimInboundSeq(workflowId, id as Types.ObjectId, fresh));
    this.numbering.set(workflowId, mine);
    try {
      return await mine;
    } finally {
      if (this.numbering.get(workflowId) === mine) this.numbering.delete(workflowId);
    }
  }

  /**
   * Signal the conversation's older buyer messages that are recorded but not signalled (refused
   * with 503 during an outage) before a newer one, so the buyer is answered in order. One that
   * another request is signalling right now is left to it (the workflow orders by seq anyway).
   * True when nothing older is left unsignalled by this call (none found, or all signalled here).
   */
  private async signalOlderFirst(workflowId: string, seq: number): Promise<boolean> {
    // Nothing older can wait: the first message, or this process signalled the one just before with
    // nothing older left (signalledUpTo). Skips one query per message in a live chat.
    if (seq === 1 || this.signalledUpTo.get(workflowId) === seq - 1) return true;
    const older = await MessageModel.find({ workflowId, signalled: false, inSeq: { $ne: null, $lt: seq }, direction: 'in' })
      .sort({ inSeq: 1 })
      .limit(100)
      .lean();
    let all = older.length < 100;
    for (const p of older) {
      const taken = await this.takeLease({ _id: p._id });
      if (!taken) {
        all = false;
        continue;
      }
      try {
        await this.signal(this.inboundOf(p), p.inSeq!);
      } catch (e) {
        await this.release(p._id, e);
        throw e;
      }
    }
    return all;
  }

  /**
   * Deliver a recorded message within the deadline, then mark the record signalled. Buyer messages:
   * signalWithStart(buyerMessage) carrying `seq`. Seller messages: signal(sellerReply) on the running
   * conversation; false when there is none (marked signalled all the same: there is nothing to
   * deliver it to). The caller holds the record's lease.
   */
  private async signal(m: InboundMessage, seq?: number): Promise<boolean> {
    if (m.author === 'seller') return this.signalSeller(m);
    const workflowId = conversationWorkflowId(m);
    const input: ConversationInput = {
      shopId: m.shopId,
      channel: m.channel,
      buyerId: m.buyerId,
      config: this.deps.conversationConfig,
    };
    const { raw: _raw, replyTo: _replyTo, ...rest } = m; // raw and replyTo stay in MongoDB, out of workflow history
    const signalled: BuyerMessageSignal = { ...rest, ...(seq !== undefined ? { seq } : {}) };
    try {
      await this.deps.connection.withDeadline(Date.now() + this.deps.signalDeadlineMs, () =>
        this.deps.client.workflow.signalWithStart(conversationWorkflowType, {
          workflowId,
          taskQueue: this.deps.taskQueue ?? taskQueues.conversations,
          args: [input],
          signal: buyerMessage,
          signalArgs: [signalled],
          typedSearchAttributes: this.deps.conversationConfig.searchAttributes
            ? [
                { key: searchAttributes.shop, value: m.shopId },
                { key: searchAttributes.channel, value: m.channel },
                { key: searchAttributes.status, value: 'bot' },
              ]
            : undefined,
        }),
      );
    } catch (e) {
      this.deps.log('signal failed; message kept for the relay', { workflowId, externalId: m.externalId, seq, error: String(e) });
      throw new TemporalUnavailableError(e);
    }
    // One write: signalled, and the message's number (see ensureSeq).
    await MessageModel.updateOne(
      { channel: m.channel, externalId: m.externalId },
      { $set: { signalled: true, signalLeaseUntil: null, ...(seq !== undefined ? { inSeq: seq } : {}) } },
    );
    return true;
  }

  /** The task queue of the conversation (and ticket) workflows. */
  get taskQueue(): string {
    return this.deps.taskQueue ?? taskQueues.conversations;
  }

  /**
   * An agent's message to a buyer from the desk (a ticket reply, bots/desk/tickets.ts): the
   * `agentMessage` signal with signalWithStart, so a conversation that has ended starts a new run
   * that relays it (the agent then holds the conversation). `ref` names the reply: the conversation
   * records its send under agentReplyKey(workflowId, ref). `to.workflowId`: the buyer's
   * conversation to write in when they keep several (an email thread, InboundMessage.thread); any
   * other id is ignored for the buyer's own. Throws TemporalUnavailableError.
   */
  async agentMessage(
    to: { shopId: string; channel: string; buyerId: string; workflowId?: string },
    message: { agentId: string; text: string; ref?: string },
  ): Promise<string> {
    const own = conversationWorkflowId(to);
    const workflowId = to.workflowId?.startsWith(`${own}:`) ? to.workflowId : own;
    const input: ConversationInput = { shopId: to.shopId, channel: to.channel, buyerId: to.buyerId, config: this.deps.conversationConfig };
    try {
      await this.deps.connection.withDeadline(Date.now() + this.deps.signalDeadlineMs, () =>
        this.deps.client.workflow.signalWithStart(conversationWorkflowType, {
          workflowId,
          taskQueue: this.taskQueue,
          args: [input],
          signal: agentMessage,
          signalArgs: [message],
          typedSearchAttributes: this.deps.conversationConfig.searchAttributes
            ? [
                { key: searchAttributes.shop, value: to.shopId },
                { key: searchAttributes.channel, value: to.channel },
                { key: searchAttributes.status, value: 'agent' },
              ]
            : undefined,
        }),
      );
    } catch (e) {
      this.deps.log('agent message not delivered to the conversation', { workflowId, error: String(e) });
      throw new TemporalUnavailableError(e);
    }
    return workflowId;
  }

  /** signal(sellerReply) — never signalWithStart: a seller message does not start a conversation. */
  private async signalSeller(m: InboundMessage): Promise<boolean> {
    const workflowId = conversationWorkflowId(m);
    const reply: SellerReply = { externalId: m.externalId, text: m.text, at: m.receivedAt, ...(m.agentId ? { agentId: m.agentId } : {}) };
    let delivered = true;
    try {
      await this.deps.connection.withDeadline(Date.now() + this.deps.signalDeadlineMs, () =>
        this.deps.client.workflow.getHandle(workflowId).signal(sellerReply, reply),
      );
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) {
        this.deps.log('signal failed; seller message kept for the relay', { workflowId, externalId: m.externalId, error: String(e) });
        throw new TemporalUnavailableError(e);
      }
      delivered = false;
      this.deps.log('seller message for a conversation that is not running; recorded, not delivered', {
        workflowId,
        externalId: m.externalId,
      });
    }
    await MessageModel.updateOne({ channel: m.channel, externalId: m.externalId }, { $set: { signalled: true, signalLeaseUntil: null } });
    return delivered;
  }

  /** The message a record holds, as an adapter delivered it. */
  private inboundOf(p: {
    channel: string;
    shopId: string;
    buyerId: string;
    thread?: string | null;
    externalId: string;
    text?: string | null;
    attachments?: unknown[];
    orderRefs?: string[] | null;
    receivedAt?: Date | null;
    createdAt: Date;
    author: string;
    agentId?: string | null;
  }): InboundMessage {
    return {
      channel: p.channel,
      shopId: p.shopId,
      buyerId: p.buyerId,
      ...(p.thread ? { thread: p.thread } : {}),
      externalId: p.externalId,
      text: p.text ?? '',
      attachments: p.attachments as InboundMessage['attachments'],
      ...(p.orderRefs?.length ? { orderRefs: [...p.orderRefs] } : {}),
      receivedAt: (p.receivedAt ?? p.createdAt).toISOString(),
      ...(p.author === 'seller' ? { author: 'seller' as const, ...(p.agentId ? { agentId: p.agentId } : {}) } : {}),
    };
  }

  /**
   * Signal every recorded-but-unsignalled inbound message nobody is signalling — buyer messages and
   * seller messages (recorded as direction 'out', author 'seller') — oldest first, each with its
   * own signal (see signal()). Returns how many were handled.
   */
  async relayOnce(graceMs = 2000): Promise<number> {
    if (this.relaying) return 0;
    this.relaying = true;
    let done = 0;
    try {
      const pending = await MessageModel.find({
        $or: [{ direction: 'in' }, { author: 'seller' }],
        signalled: false,
        createdAt: { $lt: new Date(Date.now() - graceMs) },
      })
        .sort({ receivedAt: 1, _id: 1 })
        .limit(500)
        .lean();
      for (const p of pending) {
        const taken = await this.takeLease({ _id: p._id });
        if (!taken) continue; // signalled meanwhile, or a request is signalling it
        let seq: number | undefined;
        try {
          const msg = this.inboundOf(p);
          if (p.author === 'seller') await this.signal(msg);
          else {
            seq = await this.ensureSeq(p._id, p.workflowId, taken.inSeq ?? null);
            await this.signal(msg, seq);
          }
          done++;
        } catch (e) {
          await this.release(p._id, e, seq);
          break; // still down; the next round tries again in order
        }
      }
      if (done > 0) this.deps.log('relay signalled recorded messages', { count: done });
      return done;
    } finally {
      this.relaying = false;
    }
  }

  /** Run the relay every `intervalMs` (SORA_RELAY_INTERVAL). */
  startRelay(intervalMs: number): void {
    this.stopRelay();
    this.relayTimer = setInterval(() => {
      this.relayOnce().catch((e) => this.deps.log('relay round failed', { error: String(e) }));
    }, intervalMs);
    this.relayTimer.unref();
  }

  stopRelay(): void {
    if (this.relayTimer) clearInterval(this.relayTimer);
    this.relayTimer = undefined;
  }
}
