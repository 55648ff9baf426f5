/**
 * End to end on the real local stack: a Temporal dev server with a file-backed store (so this suite
 * can stop and restart it), the MongoDB-wire server, worker and gateway; a buyer on web chat.
 */
import os from 'node:os';
import * as contract from '../workflows/contract.js';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { conversationWorkflowId } from '../bots/channel.js';
import { MessageModel } from '../models/message.js';
import { disconnectMongo } from '../models/connection.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { freePort } from '../scripts/stack/process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../scripts/stack/temporal-server.js';
import type { ConversationSnapshot } from '../workflows/types.js';
import {
  eventually,
  kbEntryAnswering,
  operatorCredential,
  useFreshDatabase,
  webchatPost,
  webchatSession,
  type WebchatTestSession,
} from './setup/helpers.js';
import { openSse } from './setup/sse.js';

let temporal: TemporalDevServer;
let temporalPort: number;
let dbFile: string;
let app: App;
const logDir = mkdtempSync(path.join(os.tmpdir(), 'sora-int-'));

async function bootTemporal(): Promise<void> {
  temporal = await startTemporalDevServer({ port: temporalPort, uiPort: 0, dbFile, logDir });
}

beforeAll(async () => {
  await useFreshDatabase('sora_int');
  await seedDemoShop();
  temporalPort = await freePort();
  dbFile = path.join(logDir, 'temporal.db');
  await bootTemporal();
  app = await startApp({
    mongoUri: inject('mongoUri'),
    temporal: { address: temporal.address, namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 500,
    webchatPollMs: 200,
    signalDeadlineMs: 2000,
  });
});

afterAll(async () => {
  await app?.stop();
  await temporal?.stop();
  await disconnectMongo();
});

const post = (s: WebchatTestSession, body: unknown) => webchatPost(app.gateway.url, s, body);
/** A new buyer: their session, and their reply stream (opened when `stream`). */
async function newBuyer() {
  const s = await webchatSession(app.gateway.url);
  return { s, buyerId: s.buyerId, events: () => openSse(`${app.gateway.url}/webchat/demo/events`, s.auth) };
}
const wf = (buyerId: string) => conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId });

describe('web chat on the real stack', () => {
  it('POST → the reply arrives over SSE, and both messages are in MongoDB', async () => {
    const { s, buyerId, events } = await newBuyer();
    const sse = events();
    await sse.opened;
    const res = await post(s, { messageId: 'a1', text: '¿Cuánto tarda el envío?' });
    expect(res.status).toBe(202);
    const ev = await eventually(() => sse.events.find((e) => e.event === 'message'), 30_000, 'SSE reply');
    const data = JSON.parse(ev.data);
    expect(data).toMatchObject({ author: 'bot', language: 'es' });
    expect((await kbEntryAnswering(data.text, 'es'))?.intent).toBe('shipping_time_cost');
    expect(ev.id).toBe(data.id);
    const rows = await MessageModel.find({ workflowId: wf(buyerId) })
      .sort({ _id: 1 })
      .lean();
    expect(rows.map((r) => [r.direction, r.author])).toEqual([
      ['in', 'buyer'],
      ['out', 'bot'],
    ]);
    sse.close();
  });

  it('keeps the search attributes current so operators can filter in the Temporal UI', async () => {
    const { s, buyerId } = await newBuyer();
    await post(s, { messageId: 'sa1', text: 'I want to talk to a human' });
    await eventually(
      async () => {
        for await (const w of app.client.workflow.list({
          query: `WorkflowId = '${wf(buyerId)}' AND SoraShop = 'demo' AND SoraChannel = 'webchat' AND SoraStatus = 'waiting_agent' AND SoraIntent = 'human_request' AND SoraLanguage = 'en' AND SoraEscalated = false`,
        })) {
          if (w.workflowId === wf(buyerId)) return true;
        }
        return false;
      },
      30_000,
      'visibility query by Sora* attributes',
    );
  });

  it('operator endpoints drive the agent signals and the agent text reaches the buyer', async () => {
    const { s, buyerId, events } = await newBuyer();
    const sse = events();
    await sse.opened;
    await post(s, { messageId: 'op1', text: 'human please' });
    const opUrl = `${app.gateway.url}/operator/conversations/${encodeURIComponent(wf(buyerId))}`;
    const { headers: auth } = await operatorCredential();
    await eventually(
      async () => ((await (await fetch(opUrl, { headers: auth })).json()) as ConversationSnapshot).status === 'waiting_agent',
    );
    const call = (p: string, body: unknown) =>
      fetch(`${opUrl}/${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    expect((await call('accept', { agentId: 'ana' })).status).toBe(200);
    expect((await call('message', { agentId: 'ana', text: 'Hola, soy Ana.' })).status).toBe(200);
    expect((await call('message', { agentId: 'ana', text: '' })).status).toBe(422);
    await eventually(() => sse.events.find((e) => JSON.parse(e.data).text === 'Hola, soy Ana.'), 30_000, 'agent text on SSE');
    expect((await fetch(`${app.gateway.url}/operator/conversations/conv:none`, { headers: auth })).status).toBe(404);
    sse.close();
  });

  it('rejects bad input with clear 4xx errors', async () => {
    const { s } = await newBuyer();
    const bad = await post(s, { text: '' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_request');
    expect(body.message).toMatch(/text must not be empty/);
    expect(body.message).toMatch(/messageId is required/);
    const json = await post(s, '{nope');
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_json');
    const shop = await fetch(`${app.gateway.url}/webchat/nope/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(shop.status).toBe(404);
    const sse = await fetch(`${app.gateway.url}/webchat/demo/events`);
    expect(sse.status).toBe(401);
  });

  it('Temporal down → 503 with the message kept; after restart the relay signals it and the reply arrives', async () => {
    const { s, buyerId, events } = await newBuyer();
    const sse = events();
    await sse.opened;
    await temporal.stop();
    const res = await post(s, { messageId: 'd1', text: 'Which payment methods do you accept?' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const rec = await MessageModel.findOne({ channel: 'webchat', externalId: `demo:${buyerId}:d1` }).lean();
    expect(rec?.signalled).toBe(false);
    // A retry by the client while still down is also safe: 503 again, or 200 (a duplicate) when the
    // relay holds the message's signalling lease at that moment — either way it is kept once.
    expect([200, 503]).toContain((await post(s, { messageId: 'd1', text: 'Which payment methods do you accept?' })).status);
    expect(await MessageModel.countDocuments({ channel: 'webchat', externalId: `demo:${buyerId}:d1` })).toBe(1);

    await bootTemporal();
    const ev = await eventually(() => sse.events.find((e) => e.event === 'message'), 90_000, 'reply after Temporal restart');
    expect((await kbEntryAnswering(JSON.parse(ev.data).text, 'en'))?.intent).toBe('payment');
    expect((await MessageModel.findOne({ channel: 'webchat', externalId: `demo:${buyerId}:d1` }).lean())?.signalled).toBe(true);
    // Data survived the restart (file-backed store): the earlier conversations are still listed.
    const count = await app.client.workflow.count(`WorkflowType = '${contract.conversationWorkflowType}'`);
    expect(count.count).toBeGreaterThanOrEqual(3);
    sse.close();
  });
});
