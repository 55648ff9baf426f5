/** SORA_CHANNELS and per-channel settings: validated at start, every problem named at once. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adaptersFromEnv, CHANNELS, ChannelConfigError, envSchema, type ChannelFactory } from '../bots/channels.js';

const fake: ChannelFactory = {
  id: 'fake',
  summary: 'test channel',
  config: envSchema({ FAKE_TOKEN: z.string({ required_error: 'FAKE_TOKEN is required' }).min(8, 'FAKE_TOKEN is too short') }),
  create: () => ({ id: 'fake', start: async () => {}, stop: async () => {}, send: async () => ({ externalId: 'x' }) }),
};

describe('SORA_CHANNELS', () => {
  it('defaults to the web chat', () => {
    expect(adaptersFromEnv({}).map((a) => a.id)).toEqual(['webchat']);
  });

  it('builds the listed channels in order', () => {
    const a = adaptersFromEnv({ SORA_CHANNELS: ' fake , webchat', FAKE_TOKEN: '12345678' }, [...CHANNELS, fake]);
    expect(a.map((x) => x.id)).toEqual(['fake', 'webchat']);
  });

  it('reports every problem at once, naming the variables', () => {
    let err: unknown;
    try {
      adaptersFromEnv({ SORA_CHANNELS: 'webchat,fake,nope,webchat', SORA_WEBCHAT_POLL_MS: '5' }, [...CHANNELS, fake]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChannelConfigError);
    const problems = (err as ChannelConfigError).problems;
    expect(problems).toEqual([
      'webchat: SORA_WEBCHAT_POLL_MS: must be at least 50 (ms)',
      'fake: FAKE_TOKEN: FAKE_TOKEN is required',
      'SORA_CHANNELS: unknown channel "nope" (known: webchat, whatsapp, fake)',
      'SORA_CHANNELS lists "webchat" twice',
    ]);
    expect((err as Error).message).toContain('  - fake: FAKE_TOKEN');
  });

  it('rejects an empty list', () => {
    expect(() => adaptersFromEnv({ SORA_CHANNELS: ' , ' })).toThrow(/enable at least one channel/);
  });
});
