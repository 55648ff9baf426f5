/**
 * The send activity: compose, record the outbound message under its idempotency key
 * `{workflowId}:{runId}:{seq}`, and hand it to the channel adapter through the registry. A retried
 * activity whose message was already sent does not send again.
 */
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ChannelRegistry } from '../../bots/registry.js';
import { ChannelSendError, type ConversationRef } from '../../bots/channel.js';
import { isDuplicateKey } from '../../models/errors.js';
import { MessageModel } from '../../models/message.js';
import { compose, type OutboundContent } from './compose.js';
import type { LiveAnswerSettings } from './live-answers.js';

export interface SendInput {
  ref: ConversationRef;
  key: string;
  content: OutboundContent;
  language: string | null;
}

export interface SendResult {
  externalId: string;
  asksQuestion: boolean;
  /** True when this key had already been sent (activity retry). */
  alreadySent: boolean;
}

/** `live`: what live answers take from the configuration (carrier credentials, customs file, policies folder). */
export function makeSendToBuyer(registry: ChannelRegistry, live: LiveAnswerSettings = {}) {
  return async function sendToBuyer(input: SendInput): Promise<SendResult> {
    const { ref, key } = input;
    const c = await compose(ref.shopId, input.content, input.language, live);
    let record = await MessageModel.findOne({ channel: ref.channel, externalId: key });
    if (record?.status === 'sent') {
      return { externalId: record.platformMessageId ?? key, asksQuestion: c.asksQuestion, alreadySent: true };
    }
    if (!record) {
      try {
        record = await MessageModel.create({
          direction: 'out',
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
          status: 'pending',
          languageFallback: c.languageFallback,
          requestedLanguage: input.language,
        });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        record = await MessageModel.findOne({ channel: ref.channel, externalId: key });
        if (record?.status === 'sent')
          return { externalId: record.platformMessageId ?? key, asksQuestion: c.asksQuestion, alreadySent: true };
      }
    }
    try {
      const sent = await registry.send(ref, { text: c.text, quickReplies: c.quickReplies.length ? c.quickReplies : undefined });
      await MessageModel.updateOne({ _id: record!._id }, { $set: { status: 'sent', platformMessageId: sent.externalId, error: null } });
      log.info('sent', { key, channel: ref.channel, author: c.author, language: c.language });
      return { externalId: sent.externalId, asksQuestion: c.asksQuestion, alreadySent: false };
    } catch (e) {
      await MessageModel.updateOne({ _id: record!._id }, { $set: { status: 'failed', error: String(e) } });
      if (e instanceof ChannelSendError)
        log.warn('send refused by the platform', {
          key,
          channel: e.channel,
          code: e.code,
          retryable: e.retryable,
          retryAfterMs: e.retryAfterMs,
        });
      throw toActivityFailure(e);
    }
  };
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
