/**
 * The send activity: record the decided message under its idempotency key `{workflowId}:{runId}:{seq}`
 * and hand it to the channel adapter through the registry. It never composes and never calls a
 * carrier: the text is the workflow's decision (renderReply's result in the history). A retried
 * activity delivers the recorded text, and one whose message was already sent does not send again.
 * (Runs of the v1 workflow still pass `content`; only they are composed here, see compose.ts.)
 */
import { messageOutEvent } from '../insights/turn-events.js';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ChannelSendError, type ChannelRegistry, type ConversationRef } from '../../infra/channel-contract.js';
import { processIdentity } from '../../infra/process-identity.js';
import { channelSessionQueue } from '../../models/channel-session.js';
import { isDuplicateKey } from '../../models/errors.js';
import { MessageModel } from '../../models/message.js';
import { ReplyOriginalModel, TRANSLATED_REPLY_REF_PREFIX } from '../../models/reply-original.js';
import { outboundMessages, replyLatency, safely } from '../../infra/metrics.js';
import { compose, type OutboundContent } from './compose.js';
import type { DecidedMessage } from './render.js';
import type { LiveAnswerSettings } from './live-answers.js';

export type SendInput =
  | { ref: ConversationRef; key: string; message: DecidedMessage }
  /** v1 runs (workflows/legacy/conversation-v1.ts). */
  | { ref: ConversationRef; key: string; content: OutboundContent; language: string | null };

export interface SendResult {
  externalId: string;
  asksQuestion: boolean;
  /** True when this key had already been sent (activity retry). */
  alreadySent: boolean;
}

/**
 * `live`: what live answers take from the configuration (carrier credentials, customs file, policies
 * folder). `deliveredBy`: recorded on each message this process sends (default: its identity, `pid@host`).
 */
export function makeSendToBuyer(
  registry: ChannelRegistry,
  live: LiveAnswerSettings = {},
  deliveredBy = processIdentity(),
  /** Delays between attempts at recording a delivered message (tests give a slow restart more). */
  recordRetryMs = RECORD_SENT_RETRY_MS,
) {
  return async function sendToBuyer(input: SendInput): Promise<SendResult> {
    const { ref, key } = input;
    // An agent reply the desk translated: what the agent typed stays on the record (models/reply-original.ts).
    const original =
      'message' in input && input.message.author === 'agent' && key.includes(`:reply:${TRANSLATED_REPLY_REF_PREFIX}`)
        ? await ReplyOriginalModel.findOne({ key }).lean()
        : null;
    const recordOf = (c: DecidedMessage, status: 'pending' | 'sent') => ({
      direction: 'out' as const,
      channel: ref.channel,
      externalId: key,
      shopId: ref.shopId,
      buyerId: ref.buyerId,
      workflowId: ref.workflowId,
      text: c.text,
      quickReplies: c.quickReplies,
      language: c.language,
      author: c.author,
      agentId: c.agentId,
      status,
      languageFallback: c.languageFallback,
      requestedLanguage: c.requestedLanguage,
      asksQuestion: c.asksQuestion,
      source: c.source,
      ...(c.faqEntryId ? { faqEntryId: c.faqEntryId } : {}),
      ...(typeof c.confidence === 'number' ? { confidence: c.confidence } : {}),
      ...(original
        ? {
            language: original.language,
            originalText: original.originalText,
            originalLanguage: original.originalLanguage,
            translatedBy: original.provider,
          }
        : {}),
      // Delivered by being recorded: the record is the platform's message, so its id is the key.
      ...(status === 'sent' ? { deliveredBy, platformMessageId: key } : {}),
    });
    let record: Awaited<ReturnType<typeof MessageModel.findOne>>;
    let c: DecidedMessage;
    // The key is unique (channel + externalId), so the first attempt inserts at once: no read before
    // (one command less per message); a retry's insert fails as a duplicate and reads what the
    // earlier attempt recorded. A channel that delivers from the record itself (web chat: its reply
    // stream reads MongoDB) gets the record as 'sent' in that one write (deliversFromRecord).
    const fromRecord = registry.deliversFromRecord?.(ref.channel) === true;
    let inserted = false;
    if ('message' in input) {
      c = input.message;
      try {
        record = await MessageModel.create(recordOf(c, fromRecord ? 'sent' : 'pending'));
        inserted = true;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        record = await MessageModel.findOne({ channel: ref.channel, externalId: key });
        if (record?.status === 'sent')
          return { externalId: record.platformMessageId ?? key, asksQuestion: record.asksQuestion ?? c.asksQuestion, alreadySent: true };
      }
    } else {
      // v1 runs: the content is composed here (it may ask a carrier), so a sent key is looked up first.
      record = await MessageModel.findOne({ channel: ref.channel, externalId: key });
      if (record?.status === 'sent') {
        return { externalId: record.platformMessageId ?? key, asksQuestion: record.asksQuestion ?? false, alreadySent: true };
      }
      c = await compose(ref.shopId, input.content, input.language, { ...live, buyer: { channel: ref.channel, buyerId: ref.buyerId } });
      if (!record) {
        try {
          record = await MessageModel.create(recordOf(c, 'pending'));
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
          record = await MessageModel.findOne({ channel: ref.channel, externalId: key });
          if (record?.status === 'sent')
            return { externalId: record.platformMessageId ?? key, asksQuestion: c.asksQuestion, alreadySent: true };
        }
      }
    }
    // A retry delivers what was recorded, whatever the input says now.
    const text = record!.text;
    const quickReplies = record!.quickReplies?.length ? [...record!.quickReplies] : undefined;
    // Recorded as sent by the insert above (deliversFromRecord): send() only wakes the reply streams,
    // and nothing is left to write. If it throws all the same (an adapter that can refuse), the
    // record is marked failed and the retry goes the usual way (send, then mark sent).
    const deliveredByRecord = inserted && record!.status === 'sent';
    let sent: { externalId: string };
    try {
      sent = await registry.send(ref, { text, quickReplies, idempotencyKey: key });
    } catch (e) {
      safely(() => outboundMessages.inc({ channel: ref.channel, status: 'failed' }));
      await MessageModel.updateOne({ _id: record!._id }, { $set: { status: 'failed', error: String(e) } });
      if (e instanceof ChannelSendError)
        log.warn('send refused by the platform', {
          key,
          channel: e.channel,
          code: e.code,
          retryable: e.retryable,
          retryAfterMs: e.retryAfterMs,
        });
      throw giveUpAfter(toActivityFailure(e), currentAttempt(), e);
    }
    // Delivered. The platform has the message now, so a failed write here must not fail the activity
    // (its retry would deliver a second copy): the write is retried while MongoDB comes back.
    if (!deliveredByRecord)
      await writeUntilStored(
        () =>
          MessageModel.updateOne(
            { _id: record!._id },
            { $set: { status: 'sent', platformMessageId: sent.externalId, error: null, deliveredBy } },
          ),
        recordRetryMs,
      );
    log.info('sent', { key, channel: ref.channel, author: c.author, language: c.language });
    // Its service event (issue 17), with the buyer message's waiting one: one insert, not awaited.
    messageOutEvent({
      shopId: ref.shopId,
      channel: ref.channel,
      workflowId: ref.workflowId,
      key,
      source: c.source ?? null,
      faqEntryId: c.faqEntryId ?? null,
      confidence: typeof c.confidence === 'number' ? c.confidence : null,
      author: c.author,
    });
    safely(() => outboundMessages.inc({ channel: ref.channel, status: 'sent' }));
    observeReplyLatency(ref);
    return { externalId: deliveredByRecord ? key : sent.externalId, asksQuestion: c.asksQuestion, alreadySent: false };
  };
}

/**
 * Delays between the attempts at recording a delivered message as sent: a MongoDB that was restarted
 * or failed over under the write (the in-flight command fails at once with a network error; the
 * next ones wait for the server up to the driver's server selection timeout) is given ≈ 7.5 s.
 * After that the error goes up, and the activity's retry may deliver once more (documented in the
 * README, Reliability).
 */
export const RECORD_SENT_RETRY_MS = [250, 500, 1000, 2000, 4000];

async function writeUntilStored(write: () => Promise<unknown>, delays: number[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      return;
    } catch (e) {
      if (attempt >= delays.length) throw e;
      log.warn('recording a delivered message failed; retrying', { attempt: attempt + 1, error: String(e) });
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

/**
 * Reply latency (infra/metrics.ts): from the conversation's latest buyer message reaching the gateway
 * (its record's receivedAt) to now, the platform having accepted the reply. Read after the send, not
 * awaited (one indexed read; it never delays nor fails the send).
 */
function observeReplyLatency(ref: ConversationRef): void {
  const sentAt = Date.now();
  MessageModel.findOne({ workflowId: ref.workflowId, direction: 'in' }, { receivedAt: 1, createdAt: 1 })
    .sort({ _id: -1 })
    .lean()
    .then((m) => {
      const at = (m as { receivedAt?: Date | null; createdAt?: Date } | null)?.receivedAt ?? (m as { createdAt?: Date } | null)?.createdAt;
      if (at) safely(() => replyLatency.observe({ channel: ref.channel }, Math.max(0, sentAt - at.getTime()) / 1000));
    })
    .catch(() => undefined);
}

/**
 * Attempts at delivering to a platform that keeps refusing (or cannot be reached) before the send
 * fails for good (recorded as failed, the conversation goes on). The activity itself has no attempt
 * cap: our own infrastructure failing (MongoDB) is retried until it comes back.
 */
export const PLATFORM_SEND_ATTEMPTS = 10;

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity
  }
}

/** The platform's failure, made non-retryable once PLATFORM_SEND_ATTEMPTS attempts have failed. */
function giveUpAfter(failure: unknown, attempt: number, cause: unknown): unknown {
  if (attempt < PLATFORM_SEND_ATTEMPTS) return failure;
  if (failure instanceof ApplicationFailure && failure.nonRetryable) return failure;
  return ApplicationFailure.create({
    message: `the platform refused the message ${attempt} times: ${cause instanceof Error ? cause.message : String(cause)}`,
    type: cause instanceof ChannelSendError ? 'ChannelSendError' : 'PlatformSendFailed',
    nonRetryable: true,
    cause: cause instanceof Error ? cause : undefined,
  });
}

/**
 * The task queue of the process that holds the shop's connection for a process-bound channel
 * (Baileys WhatsApp), or null when no live process holds it. The conversation workflow sends there
 * (workflows/conversation/run.ts, deliver).
 */
export async function sendQueueFor(input: { channel: string; shopId: string }): Promise<{ taskQueue: string | null }> {
  return { taskQueue: await channelSessionQueue(input.channel, input.shopId) };
}

/** A platform refusal becomes a Temporal failure: non-retryable, or retried after the platform's delay. */
export function toActivityFailure(e: unknown): unknown {
  if (!(e instanceof ChannelSendError)) return e;
  return ApplicationFailure.create({
    message: e.message,
    type: 'ChannelSendError',
    nonRetryable: !e.retryable,
    nextRetryDelay: e.retryable && e.retryAfterMs ? e.retryAfterMs : undefined,
    details: [{ channel: e.channel, code: e.code }],
    cause: e,
  });
}
