/** SORA_CHANNELS and per-channel settings: validated at start with the rest of the configuration, every problem named at once. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHANNELS, createAdapters, type ChannelFactory } from '../bots/channels.js';
import { CHANNEL_SPECS, ConfigError, envSchema, loadConfig, type ChannelSpec, type Env } from '../infra/config/index.js';

const fakeSpec: ChannelSpec = {
  id: 'fake',
  summary: 'test channel',
  vars: { FAKE_TOKEN: { kind: 'secret', description: 'test token' } },
  parse: envSchema({ FAKE_TOKEN: z.string({ required_error: 'FAKE_TOKEN is required' }).min(8, 'FAKE_TOKEN is too short') }),
};
const fake: ChannelFactory = {
  id: 'fake',
  create: () => ({ id: 'fake', start: async () => {}, stop: async () => {}, send: async () => ({ externalId: 'x' }) }),
};
const adapters = (env: Env) => createAdapters(loadConfig(env, { channels: [...CHANNEL_SPECS, fakeSpec] }).channels, [...CHANNELS, fake]);

describe('SORA_CHANNELS', () => {
  it('defaults to the web chat', () => {
    expect(createAdapters(loadConfig({}).channels).map((a) => a.id)).toEqual(['webchat']);
  });

  it('builds the listed channels in order', () => {
    const a = adapters({ SORA_CHANNELS: ' fake , webchat', FAKE_TOKEN: '12345678' });
    expect(a.map((x) => x.id)).toEqual(['fake', 'webchat']);
  });

  it('reports every problem at once, naming the variables', () => {
    let err: unknown;
    try {
      adapters({ SORA_CHANNELS: 'webchat,fake,nope,webchat', SORA_WEBCHAT_POLL_MS: '5' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual([
      'webchat: SORA_WEBCHAT_POLL_MS: must be at least 50 (ms)',
      'fake: FAKE_TOKEN: FAKE_TOKEN is required',
      `SORA_CHANNELS: unknown channel "nope" (known: ${[...CHANNEL_SPECS, fakeSpec].map((f) => f.id).join(', ')})`,
      'SORA_CHANNELS lists "webchat" twice',
    ]);
    expect((err as Error).message).toContain('  - fake: FAKE_TOKEN');
  });

  it('web chat limits and session lifetime: read and checked', () => {
    const c = loadConfig({
      SORA_WEBCHAT_RATE_PER_MIN: '7',
      SORA_WEBCHAT_SESSION_TTL: '12h',
      SORA_WEBCHAT_STREAMS_MAX: '9',
      SORA_WEBCHAT_ATTACHMENT_MAX: '512kb',
      SORA_WEBCHAT_ATTACHMENT_TTL: '2h',
    }).channels;
    expect(c.enabled[0]!.settings).toMatchObject({
      postsPerMinPerSession: 7,
      sessionTtlMs: 12 * 3_600_000,
      streamsPerProcess: 9,
      attachmentMaxBytes: 512 * 1024,
      attachmentUnsentTtlMs: 2 * 3_600_000,
    });
    expect(() => loadConfig({ SORA_WEBCHAT_ATTACHMENT_TTL: '10s' })).toThrow(/SORA_WEBCHAT_ATTACHMENT_TTL: must be at least 1m/);
    expect(() => loadConfig({ SORA_WEBCHAT_ATTACHMENT_MAX: 'huge' })).toThrow(/SORA_WEBCHAT_ATTACHMENT_MAX: "huge" is not a size/);
    let err: unknown;
    try {
      loadConfig({ SORA_WEBCHAT_RATE_PER_MIN: '0', SORA_WEBCHAT_SESSION_TTL: '10s', SORA_WEBCHAT_STREAMS_PER_BUYER: 'x' });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems).toEqual([
      'webchat: SORA_WEBCHAT_SESSION_TTL: must be at least 1m (got "10s")',
      'webchat: SORA_WEBCHAT_RATE_PER_MIN: must be at least 1',
      'webchat: SORA_WEBCHAT_STREAMS_PER_BUYER: must be a whole number',
    ]);
  });

  it('rejects an empty list', () => {
    expect(() => loadConfig({ SORA_CHANNELS: ' , ' })).toThrow(/enable at least one channel/);
  });

  it('every channel with settings has an adapter factory, and the reverse', () => {
    expect(CHANNELS.map((f) => f.id)).toEqual(CHANNEL_SPECS.map((s) => s.id));
  });
});
