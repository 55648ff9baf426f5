/** Platform refusals thrown by adapters become Temporal failures with the right retry behaviour. */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ChannelSendError } from '../bots/channel.js';
import { toActivityFailure } from '../activities/messaging/send.js';

describe('toActivityFailure', () => {
  it('makes a permanent refusal non-retryable', () => {
    const f = toActivityFailure(new ChannelSendError('telegram', '403', 'bot was blocked by the user', false));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect((f as ApplicationFailure).nonRetryable).toBe(true);
    expect((f as ApplicationFailure).message).toContain('bot was blocked');
  });

  it('carries the platform retry delay of a rate limit', () => {
    const f = toActivityFailure(new ChannelSendError('tiktok', '429', 'rate limited', true, 7000)) as ApplicationFailure;
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
  });

  it('leaves other errors to the normal retry', () => {
    const e = new Error('socket hang up');
    expect(toActivityFailure(e)).toBe(e);
  });
});
