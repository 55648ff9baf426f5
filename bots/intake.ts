/**
 * Intake: the one way an inbound message enters the system, for every channel.
 *
 *   1. record it in MongoDB, unique on (channel, externalId) — a redelivered event is a no-op;
 *   2. signalWithStart the conversation workflow `conv:{shopId}:{channel}:{buyerId}`;
 *   3. mark it signalled.
 *
 * If Temporal cannot be reached within the deadline the message stays recorded with
 * `signalled: false`, the caller gets TemporalUnavailableError (webhooks answer 503 so the platform
 * retries), and the relay signals it once Temporal is back. Nothing is dropped.
 */
import type { Client, Connection } from '@temporalio/client';
import { searchAttributes, taskQueues } from '../temporal.config.js';
import { BuyerModel } from '../models/buyer.js';
import { isDuplicateKey } from '../models/errors.js';
import { MessageModel } from '../models/message.js';
import { buyerMessage, conversationWorkflowType, type ConversationConfig, type ConversationInput } from '../workflows/contract.js';
import { conversationWorkflowId, type InboundMessage } from './channel.js';

export class TemporalUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Temporal is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TemporalUnavailableError';
  }
}

export interface IntakeResult {
  status: 'accepted' | 'duplicate';
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
    const workflowId = conversationWorkflowId(m);
    try {
      await MessageModel.create({
        direction: 'in',
        channel: m.channel,
        externalId: m.externalId,
        shopId: m.shopId,
        buyerId: m.buyerId,
        workflowId,
        text: m.text,
        attachments: m.attachments ?? [],
        author: 'buyer',
        receivedAt: new Date(m.receivedAt),
        signalled: false,
        status: 'received',
        raw: m.raw ?? null,
      });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const existing = await MessageModel.findOne({ channel: m.channel, externalId: m.externalId }, { signalled: 1 }).lean();
      if (existing?.signalled) {
        this.deps.log('duplicate inbound ignored', { channel: m.channel, externalId: m.externalId });
        return { status: 'duplicate', workflowId };
      }
      // Recorded earlier but not yet signalled (Temporal was down): try again now.
    }
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

  /** signalWithStart within the deadline, then mark the record signalled. */
  async signal(m: InboundMessage): Promise<void> {
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
  }

  /** Signal every recorded-but-unsignalled inbound message, oldest first. Returns how many. */
  async relayOnce(graceMs = 2000): Promise<number> {
    if (this.relaying) return 0;
    this.relaying = true;
    let done = 0;
    try {
      const pending = await MessageModel.find({ direction: 'in', signalled: false, createdAt: { $lt: new Date(Date.now() - graceMs) } })
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
          receivedAt: (p.receivedAt ?? p.createdAt).toISOString(),
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
