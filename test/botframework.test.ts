/**
 * Bot Framework adapter, beyond the conformance kit: JWT validation by botbuilder against a local
 * OpenID/JWKS server (valid, unsigned, wrong key, wrong audience/issuer/serviceurl, expired),
 * saved activity payloads (Teams, attachments, non-message activities), the stored
 * ConversationReference, suggestedActions, outbound token, and connector error mapping.
 */
import express from 'express';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapters } from '../bots/channels.js';
import { ConfigError, loadConfig, type Env } from '../infra/config/index.js';
import { ChannelSendError, conversationWorkflowId, type ConversationRef } from '../bots/channel.js';
import { BotFrameworkAdapter } from '../bots/botframework/adapter.js';
import { botFrameworkSendError, retryAfterMs } from '../bots/botframework/errors.js';
import { normalizeActivity } from '../bots/botframework/normalize.js';
import { errorHandler } from '../bots/http-errors.js';
import { toActivityFailure } from '../activities/messaging/send.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import { log } from '../infra/log.js';
import { eventually, useFreshDatabase } from './setup/helpers.js';
import { startLocalBotFramework, type ConnectorFailure, type LocalBotFramework } from './setup/botframework-platform.js';
import { botFrameworkFixture, postActivity, webchatMessage, type RawActivity } from './setup/botframework-activities.js';

describe('botframework: which activities are buyer messages (saved payloads)', () => {
  const norm = (name: string, groupChats: 'ignore' | 'all' = 'ignore') =>
    normalizeActivity(botFrameworkFixture(name) as unknown as Activity, { shopId: 'demo', groupChats });

  it('Web Chat message: buyer and message ids scoped by channel and conversation; reply address = ConversationReference', () => {
    const n = norm('activity-message-webchat.json');
    if (n.kind !== 'message') throw new Error(n.reason);
    expect(n.message).toMatchObject({
      channel: 'botframework',
      buyerId: 'webchat:dl_8e1d7f2f5c2b4a7bb7b1',
      externalId: 'webchat:DvVXoC0ypJh2OXwj6C3rT8-us:DvVXoC0ypJh2OXwj6C3rT8-us|0000003',
      text: 'How long does shipping take?',
    });
    expect(n.message.replyTo).toMatchObject({
      activityId: 'DvVXoC0ypJh2OXwj6C3rT8-us|0000003',
      channelId: 'webchat',
      serviceUrl: 'https://webchat.botframework.com/',
      conversation: { id: 'DvVXoC0ypJh2OXwj6C3rT8-us' },
      user: { id: 'dl_8e1d7f2f5c2b4a7bb7b1' },
      bot: { id: 'demo-shop-bot@Q7xLDU0wGAA' },
    });
  });

  it("Teams 1:1: Teams' text/html copy of the text is not an attachment", () => {
    const n = norm('activity-message-teams-personal.json');
    if (n.kind !== 'message') throw new Error(n.reason);
    expect(n.message.buyerId).toMatch(/^msteams:29:/);
    expect(n.message.text).toBe('Where is my order 10423?');
    expect(n.message.attachments).toBeUndefined();
  });

  it('group conversations: ignored by default; with "all" the @mention is removed and the buyer is per conversation', () => {
    expect(norm('activity-message-teams-group-mention.json').kind).toBe('ignore');
    const n = norm('activity-message-teams-group-mention.json', 'all');
    if (n.kind !== 'message') throw new Error(n.reason);
    expect(n.message.text).toBe('how long does shipping take?');
    expect(n.message.buyerId).toBe(
      'msteams:19:4b6c1a2f8e7d4c3b9a0f1e2d3c4b5a69@thread.v2:29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw',
    );
  });

  it('uploaded files become attachments with type, MIME type, name and URL', () => {
    const n = norm('activity-message-attachment.json');
    if (n.kind !== 'message') throw new Error(n.reason);
    expect(n.message.attachments).toEqual([
      {
        type: 'image',
        mimeType: 'image/jpeg',
        name: 'box.jpg',
        url: 'https://webchat.botframework.com/attachments/DvVXoC0ypJh2OXwj6C3rT8-us/0000005/0/box.jpg?t=abc',
      },
      {
        type: 'document',
        mimeType: 'application/pdf',
        name: 'receipt.pdf',
        url: 'https://webchat.botframework.com/attachments/DvVXoC0ypJh2OXwj6C3rT8-us/0000005/1/receipt.pdf?t=abc',
      },
    ]);
  });

  it('ignores conversationUpdate and other non-message activities', () => {
    expect(norm('activity-conversation-update.json')).toEqual({ kind: 'ignore', reason: 'conversationUpdate activity (not handled)' });
  });

  it('status codes the connector pipeline gives up on: 5xx and 401 retryable, other 4xx not; no answer → retryable', () => {
    // (5xx are retried by botbuilder's HTTP pipeline first, which makes them slow to provoke end to end.)
    expect(botFrameworkSendError({ statusCode: 503, message: 'Service Unavailable' })).toMatchObject({ code: '503', retryable: true });
    expect(botFrameworkSendError({ statusCode: 401, message: 'Unauthorized' })).toMatchObject({ code: '401', retryable: true });
    expect(botFrameworkSendError({ statusCode: 413, message: 'Too large' })).toMatchObject({ code: '413', retryable: false });
    expect(botFrameworkSendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({
      code: 'ECONNREFUSED',
      retryable: true,
    });
  });

  it('Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5000);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('botframework: settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ SORA_CHANNELS: 'botframework', ...env });
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.problems;
    }
  };

  it('names what each app type needs', () => {
    expect(problems({})).toEqual([
      'botframework: SORA_BOTFRAMEWORK_SHOP_ID: SORA_BOTFRAMEWORK_SHOP_ID is required (the shop this bot answers for)',
      'botframework: SORA_BOTFRAMEWORK_APP_ID: SORA_BOTFRAMEWORK_APP_ID is required (the Microsoft App ID of the Azure Bot; SORA_BOTFRAMEWORK_AUTH=disabled only for the local Emulator)',
      'botframework: SORA_BOTFRAMEWORK_APP_PASSWORD: SORA_BOTFRAMEWORK_APP_PASSWORD is required for MultiTenant (a client secret of the app registration)',
    ]);
    expect(
      problems({
        SORA_BOTFRAMEWORK_SHOP_ID: 'demo',
        SORA_BOTFRAMEWORK_APP_ID: 'a',
        SORA_BOTFRAMEWORK_APP_TYPE: 'SingleTenant',
        SORA_BOTFRAMEWORK_APP_PASSWORD: 'p',
      }),
    ).toEqual([
      'botframework: SORA_BOTFRAMEWORK_TENANT_ID: SORA_BOTFRAMEWORK_TENANT_ID is required for SingleTenant (the Entra ID tenant of the app)',
    ]);
    expect(
      problems({
        SORA_BOTFRAMEWORK_SHOP_ID: 'demo',
        SORA_BOTFRAMEWORK_APP_ID: 'a',
        SORA_BOTFRAMEWORK_APP_TYPE: 'UserAssignedMSI',
        SORA_BOTFRAMEWORK_APP_PASSWORD: 'p',
      }),
    ).toEqual([
      'botframework: SORA_BOTFRAMEWORK_TENANT_ID: SORA_BOTFRAMEWORK_TENANT_ID is required for UserAssignedMSI (the Entra ID tenant of the app)',
      'botframework: SORA_BOTFRAMEWORK_APP_PASSWORD: SORA_BOTFRAMEWORK_APP_PASSWORD must not be set for UserAssignedMSI (the managed identity has no secret)',
    ]);
    expect(problems({ SORA_BOTFRAMEWORK_SHOP_ID: 'demo', SORA_BOTFRAMEWORK_APP_TYPE: 'Personal' })).toContain(
      'botframework: SORA_BOTFRAMEWORK_APP_TYPE: SORA_BOTFRAMEWORK_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI',
    );
  });

  it('builds the adapter for each app type', () => {
    const adaptersFor = (env: Env) => createAdapters(loadConfig(env).channels);
    const base = {
      SORA_CHANNELS: 'botframework',
      SORA_BOTFRAMEWORK_SHOP_ID: 'demo',
      SORA_BOTFRAMEWORK_APP_ID: '00000000-0000-0000-0000-000000000001',
    };
    expect(adaptersFor({ ...base, SORA_BOTFRAMEWORK_APP_PASSWORD: 'secret' })[0]).toBeInstanceOf(BotFrameworkAdapter);
    expect(
      adaptersFor({
        ...base,
        SORA_BOTFRAMEWORK_APP_PASSWORD: 's',
        SORA_BOTFRAMEWORK_APP_TYPE: 'singletenant',
        SORA_BOTFRAMEWORK_TENANT_ID: 't',
      })[0],
    ).toBeInstanceOf(BotFrameworkAdapter);
    expect(adaptersFor({ ...base, SORA_BOTFRAMEWORK_APP_TYPE: 'UserAssignedMSI', SORA_BOTFRAMEWORK_TENANT_ID: 't' })[0]).toBeInstanceOf(
      BotFrameworkAdapter,
    );
  });
});

describe('botframework: adapter in the gateway (local OpenID/JWKS, connector and token servers)', () => {
  let bf: LocalBotFramework;
  let app: App;
  let adapter: BotFrameworkAdapter;
  let n = 0;
  const next = () => `t${++n}-${Date.now().toString(36)}`;
  const message = (o: Partial<{ id: string; userId: string; conversationId: string; text: string }> = {}): RawActivity => {
    const userId = o.userId ?? `user-${next()}`;
    return webchatMessage({
      id: o.id ?? `act-${next()}`,
      userId,
      conversationId: o.conversationId ?? `conv-${userId}`,
      text: o.text ?? 'How long does shipping take?',
      serviceUrl: bf.serviceUrl,
      botId: bf.appId,
    });
  };
  const recorded = (a: RawActivity) =>
    MessageModel.countDocuments({ channel: 'botframework', externalId: `${a.channelId}:${a.conversation.id}:${a.id}` });
  const refOf = (a: RawActivity): ConversationRef => {
    const buyerId = `${a.channelId}:${a.from.id}`;
    return {
      channel: 'botframework',
      shopId: 'demo',
      buyerId,
      workflowId: conversationWorkflowId({ shopId: 'demo', channel: 'botframework', buyerId }),
    };
  };
  /** A buyer who wrote once, so the reply address is stored. */
  const buyer = async () => {
    const a = message();
    expect(await postActivity(app.gateway.url, a, bf.channelToken())).toBe(200);
    return a;
  };
  const sendError = async (f: ConnectorFailure) => {
    const a = await buyer();
    bf.failNext(f);
    return adapter.send(refOf(a), { text: 'Your parcel left the warehouse.' }).then(
      () => null,
      (e: unknown) => e,
    );
  };

  beforeAll(async () => {
    await useFreshDatabase('sora_botframework');
    await seedDemoShop();
    bf = await startLocalBotFramework();
    adapter = new BotFrameworkAdapter({
      shopId: 'demo',
      appId: bf.appId,
      appPassword: bf.appPassword,
      appType: 'MultiTenant',
      endpoints: { openIdMetadataUrl: bf.openIdMetadataUrl, loginUrl: bf.loginUrl },
    });
    // No worker: nothing answers on its own, so every connector call below is the test's own.
    app = await startApp({
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      worker: false,
      gatewayPort: 0,
      adapters: [adapter],
      relayIntervalMs: 600_000,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await bf?.close();
    await disconnectMongo();
  });

  it('accepts an activity with a valid channel token and stores its ConversationReference as the reply address', async () => {
    const a = message();
    expect(await postActivity(app.gateway.url, a, bf.channelToken())).toBe(200);
    expect(await recorded(a)).toBe(1);
    const b = await BuyerModel.findOne({ shopId: 'demo', channel: 'botframework', buyerId: `webchat:${a.from.id}` }).lean();
    expect(b?.replyTo).toMatchObject({
      activityId: a.id,
      channelId: 'webchat',
      serviceUrl: bf.serviceUrl,
      conversation: { id: a.conversation.id },
      user: { id: a.from.id },
    });
  });

  it.each([
    ['no Authorization header', () => undefined],
    ['an unsigned token (alg none)', () => unsigned(bf.channelToken())],
    ['a token signed by a key not in the metadata', () => bf.channelToken({ key: 'rogue' })],
    ['a token with an unknown key id', () => bf.channelToken({ kid: 'nope' })],
    ['a token for another bot (aud)', () => bf.channelToken({ claims: { aud: 'another-app-id' } })],
    ['a token from another issuer', () => bf.channelToken({ claims: { iss: 'https://sts.example.com/' } })],
    [
      'an expired token',
      () => bf.channelToken({ claims: { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 } }),
    ],
    ['a token for another serviceUrl', () => bf.channelToken({ serviceUrl: 'https://attacker.example.com/' })],
  ])('rejects %s with 401 and records nothing', async (_what, token) => {
    const a = message();
    expect(await postActivity(app.gateway.url, a, token())).toBe(401);
    expect(await recorded(a)).toBe(0);
  });

  it('rejects a body that is not an activity with 400, before looking at the token', async () => {
    expect(await postActivity(app.gateway.url, { type: 'message', text: 'no ids' }, bf.channelToken())).toBe(400);
    expect(await postActivity(app.gateway.url, 'not json', bf.channelToken())).toBe(400);
  });

  it('answers 200 to authenticated non-message activities and records nothing', async () => {
    const u = botFrameworkFixture('activity-conversation-update.json');
    u.serviceUrl = bf.serviceUrl;
    u.conversation = { id: `conv-${next()}` };
    expect(await postActivity(app.gateway.url, u, bf.channelToken())).toBe(200);
    expect(await MessageModel.countDocuments({ channel: 'botframework', externalId: { $regex: u.conversation.id } })).toBe(0);
  });

  it('sends through the connector with a client-credentials token; quick replies as imBack suggestedActions', async () => {
    const a = await buyer();
    const before = bf.tokenRequests.length;
    const res = await app.registry.send(refOf(a), {
      text: 'Did this answer your question?',
      quickReplies: ['Yes', 'No, talk to a person'],
    });
    const got = await eventually(() => bf.received.find((r) => r.conversationId === a.conversation.id));
    expect(res.externalId).toMatch(/^act-/);
    expect(got.activity).toMatchObject({
      type: 'message',
      text: 'Did this answer your question?',
      suggestedActions: {
        to: [a.from.id],
        actions: [
          { type: 'imBack', title: 'Yes', value: 'Yes' },
          { type: 'imBack', title: 'No, talk to a person', value: 'No, talk to a person' },
        ],
      },
      recipient: { id: a.from.id },
      conversation: { id: a.conversation.id },
    });
    // The token came from the token endpoint (cached across sends), for the Bot Framework scope.
    expect(bf.tokenRequests.length).toBeLessThanOrEqual(before + 1);
    expect(bf.tokenRequests.at(-1)).toMatchObject({
      grant_type: 'client_credentials',
      client_id: bf.appId,
      scope: 'https://api.botframework.com/.default',
    });
    // Without quick replies: no suggestedActions.
    await adapter.send(refOf(a), { text: 'Thanks!' });
    expect(bf.received.filter((r) => r.conversationId === a.conversation.id).at(-1)!.activity.suggestedActions).toBeUndefined();
  });

  it('429 with Retry-After → retryable ChannelSendError with that delay', async () => {
    const f = botFrameworkFixture<ConnectorFailure>('connector-error-429.json');
    // The connector client's own pipeline retries throttled calls a few times; the activity takes over after.
    bf.failNext(f);
    bf.failNext(f);
    bf.failNext(f);
    const e = await sendError(f);
    expect(e).toBeInstanceOf(ChannelSendError);
    expect(e).toMatchObject({ channel: 'botframework', code: '429', retryable: true, retryAfterMs: 3000 });
    expect(toActivityFailure(e)).toMatchObject({ nonRetryable: false, nextRetryDelay: 3000 });
  });

  it('403 and 404 from the connector → non-retryable', async () => {
    const forbidden = await sendError({
      status: 403,
      body: { error: { code: 'BotDisabledByAdmin', message: 'The bot is blocked in this conversation' } },
    });
    expect(forbidden).toMatchObject({ code: '403', retryable: false });
    expect(toActivityFailure(forbidden)).toMatchObject({ nonRetryable: true });
    const notFound = await sendError({
      status: 404,
      body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } },
    });
    expect(notFound).toMatchObject({ code: '404', retryable: false });
  });

  /** Another adapter on its own small express app (same intake), for settings the main one does not have. */
  const withAdapter = async (other: BotFrameworkAdapter, fn: (url: string) => Promise<void>) => {
    const web = express();
    web.use(express.json());
    await other.start({ app: web, intake: app.intake, log });
    web.use(errorHandler(log));
    const server = web.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  };

  it('authentication disabled (local Emulator only): unsigned activities are accepted', async () => {
    await withAdapter(new BotFrameworkAdapter({ shopId: 'demo', appId: '', appType: 'MultiTenant', authDisabled: true }), async (url) => {
      const a = message();
      expect(await postActivity(url, a)).toBe(200);
      expect(await recorded(a)).toBe(1);
    });
  });

  it('signing keys unreachable → 503 (the channel retries), nothing recorded', async () => {
    const closed = new BotFrameworkAdapter({
      shopId: 'demo',
      appId: bf.appId,
      appPassword: bf.appPassword,
      appType: 'MultiTenant',
      endpoints: { openIdMetadataUrl: 'http://127.0.0.1:9/v1/.well-known/openidconfiguration', loginUrl: bf.loginUrl },
    });
    await withAdapter(closed, async (url) => {
      const a = message();
      expect(await postActivity(url, a, bf.channelToken())).toBe(503);
      expect(await recorded(a)).toBe(0);
    });
  });
});

/** The same claims with `alg: none` and no signature. */
function unsigned(token: string): string {
  const [, payload] = token.split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
}
