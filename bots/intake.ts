/**
 * Intake: the one way an inbound message enters the system, for every channel.
 *
 *   1. record it in MongoDB, unique on (channel, externalId) — a redelivered event is a no-op;
 *   2. signalWithStart the conversation workflow `conv:{shopId}:{channel}:{buyerId}`;
 *   3. mark it signalled.
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
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import { searchAttributes, taskQueues } from '../temporal.config.js';
import { BuyerModel } from '../models/buyer.js';
import { isDuplicateKey } from '../models/errors.js';
import { MessageModel } from '../models/message.js';
import {
  buyerMessage,
  conversationWorkflowType,
  sellerReply,
  type ConversationConfig,
  type ConversationInput,
  type SellerReply,
} from '../workflows/contract.js';
import { conversationWorkflowId, type InboundMessage } from '../infra/channel-contract.js';

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

  constructor(private readonly deps: IntakeDeps) {}

  /** Record + signal. Throws TemporalUnavailableError after recording when Temporal is down. */
  async accept(m: InboundMessage): Promise<IntakeResult> {
    if (m.author === 'seller') return this.acceptSeller(m);
    const workflowId = conversationWorkflowId(m);
    const recorded = await this.record(m, {
      direction: 'in',
      ...(m.orderRefs?.length ? { orderRefs: m.orderRefs } : {}),
      author: 'buyer',
      signalled: false,
      status: 'received',
    });
    if (recorded === 'signalled') {
      this.deps.log('duplicate inbound ignored', { channel: m.channel, externalId: m.externalId });
      return { status: 'duplicate', workflowId };
    }
    // New, or recorded earlier but not yet signalled (Temporal was down): signal now.
    await BuyerModel.updateOne(
      { shopId: m.shopId, channel: m.channel, buyerId: m.buyerId },
      {
        $setOnInsert: { firstSeenAt: new Date(m.receivedAt) },
        $set: { lastSeenAt: new Date(m.receivedAt), ...(m.replyTo ? { replyTo: m.replyTo } : {}) },
        $inc: { messages: 1 },
      },
      { upsert: true },
    );
    await this.signal(m);
    return { status: 'accepted', workflowId };
  }

  /**
   * A message a human typed in the platform's inbox: recorded as the seller's outbound message,
   * then signalled (sellerReply) to the conversation if it is running. Redelivery is a no-op.
   */
  private async acceptSeller(m: InboundMessage): Promise<IntakeResult> {
    const workflowId = conversationWorkflowId(m);
    if ((await this.recordSeller(m, false)) === 'signalled') {
      this.deps.log('duplicate seller message ignored', { channel: m.channel, externalId: m.externalId });
      return { status: 'duplicate', workflowId };
    }
    // New, or recorded earlier but not yet signalled (Temporal was down): signal now.
    const delivered = await this.signal(m);
    return { status: delivered ? 'accepted' : 'no_conversation', workflowId };
  }

  /**
   * Record a seller message that cannot be routed to a conversation (the platform did not say which
   * buyer, and none is known for it: `buyerId` is then a placeholder naming what the platform did
   * say). Recorded as delivered-nowhere (signalled, so the relay leaves it) and logged; no signal.
   */
  async recordUnrouted(m: InboundMessage & { author: 'seller' }, reason: string): Promise<IntakeResult> {
    const workflowId = conversationWorkflowId(m);
    if ((await this.recordSeller(m, true)) !== 'new') return { status: 'duplicate', workflowId };
    this.deps.log('seller message recorded, not delivered: no conversation for it', {
      channel: m.channel,
      externalId: m.externalId,
      reason,
    });
    return { status: 'no_conversation', workflowId };
  }

  /** Create the seller's record; or say whether the existing one was already signalled. */
  private recordSeller(m: InboundMessage, signalled: boolean): Promise<'new' | 'signalled' | 'unsignalled'> {
    return this.record(m, { direction: 'out', author: 'seller', agentId: m.agentId ?? null, signalled, status: 'sent' });
  }

  /** Record a message once (unique on channel + externalId); or say whether the existing record was already signalled. */
  private async record(m: InboundMessage, fields: Record<string, unknown>): Promise<'new' | 'signalled' | 'unsignalled'> {
    try {
      await MessageModel.create({
        channel: m.channel,
        externalId: m.externalId,
        shopId: m.shopId,
        buyerId: m.buyerId,
        workflowId: conversationWorkflowId(m),
        text: m.text,
        attachments: m.attachments ?? [],
        receivedAt: new Date(m.receivedAt),
        raw: m.raw ?? null,
        ...fields,
      });
      return 'new';
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const existing = await MessageModel.findOne({ channel: m.channel, externalId: m.externalId }, { signalled: 1 }).lean();
      return existing?.signalled ? 'signalled' : 'unsignalled';
    }
  }

  /**
   * Deliver a recorded message within the deadline, then mark the record signalled. Buyer messages:
   * signalWithStart(buyerMessage). Seller messages: signal(sellerReply) on the running conversation;
   * false when there is none (marked signalled all the same: there is nothing to deliver it to).
   */
  async signal(m: InboundMessage): Promise<boolean> {
    if (m.author === 'seller') return this.signalSeller(m);
    const workflowId = conversationWorkflowId(m);
    const input: ConversationInput = {
      shopId: m.shopId,
      channel: m.channel,
      buyerId: m.buyerId,
      config: this.deps.conversationConfig,
    };
    const { raw: _raw, replyTo: _replyTo, ...signalled } = m; // raw and replyTo stay in MongoDB, out of workflow history
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
      await MessageModel.updateOne({ channel: m.channel, externalId: m.externalId }, { $inc: { signalAttempts: 1 } });
      this.deps.log('signal failed; message kept for the relay', { workflowId, externalId: m.externalId, error: String(e) });
      throw new TemporalUnavailableError(e);
    }
    await MessageModel.updateOne({ channel: m.channel, externalId: m.externalId }, { $set: { signalled: true } });
    return true;
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
        await MessageModel.updateOne({ channel: m.channel, externalId: m.externalId }, { $inc: { signalAttempts: 1 } });
        this.deps.log('signal failed; seller message kept for the relay', { workflowId, externalId: m.externalId, error: String(e) });
        throw new TemporalUnavailableError(e);
      }
      delivered = false;
      this.deps.log('seller message for a conversation that is not running; recorded, not delivered', {
        workflowId,
        externalId: m.externalId,
      });
    }
    await MessageModel.updateOne({ channel: m.channel, externalId: m.externalId }, { $set: { signalled: true } });
    return delivered;
  }

  /**
   * Signal every recorded-but-unsignalled inbound message — buyer messages and seller messages
   * (recorded as direction 'out', author 'seller') — oldest first, each with its own signal
   * (see signal()). Returns how many were handled.
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
        const msg: InboundMessage = {
          channel: p.channel,
          shopId: p.shopId,
          buyerId: p.buyerId,
          externalId: p.externalId,
          text: p.text,
          attachments: p.attachments as InboundMessage['attachments'],
          ...(p.orderRefs?.length ? { orderRefs: [...p.orderRefs] } : {}),
          receivedAt: (p.receivedAt ?? p.createdAt).toISOString(),
          ...(p.author === 'seller' ? { author: 'seller' as const, ...(p.agentId ? { agentId: p.agentId } : {}) } : {}),
        };
        try {
          await this.signal(msg);
          done++;
        } catch {
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
