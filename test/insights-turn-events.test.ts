/**
 * Service events as each turn happens (issue 17): a web chat buyer message through the real stack
 * (gateway, intake, Temporal, worker) writes `message_in` (intent, FAQ entry, confidence) and the
 * reply's `message_out` in one insert, before the conversation closes; opening and changing a ticket
 * writes `ticket_change` events; facts looked up (an order named, a parcel tracked, a customs hold) and
 * agents' actions in the desk write `fact` and `agent_action` events.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { conversationWorkflowId } from '../bots/channel.js';
import { makeTicketStep } from '../activities/tickets/ticket-steps.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeTrackParcel } from '../activities/logistics/activity.js';
import { lookupBuyerFacts } from '../activities/commerce/buyer-facts.js';
import { FAST, fixture, startCarrierServer, seventeenTrackEcho } from './kit/carrier-server.js';
import { disconnectMongo } from '../models/connection.js';
import { ServiceEventModel } from '../models/service-event.js';
import { createTicketRecord } from '../models/ticket-records.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';

let app: App;
const inserts: number[] = [];

beforeAll(async () => {
  const uri = await useFreshDatabase('sora_turn_events');
  await seedDemoShop();
  await disconnectMongo();
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, monitorCommands: true });
  mongoose.connection.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'insert' && e.command.insert === 'serviceevents') inserts.push(e.command.documents.length);
  });
  app = await startApp({
    mongoUri: uri,
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 600_000,
    webchatPollMs: 200,
    carrierKeyAudit: false,
    importWorker: false,
  });
});

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

describe('message events as each turn happens', () => {
  it('a buyer message and its FAQ answer: message_in and message_out written together, while the conversation is open', async () => {
    const s = await webchatSession(app.gateway.url);
    const workflowId = conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: s.buyerId });
    expect((await webchatPost(app.gateway.url, s, { messageId: 'm1', text: 'How long does shipping take?' })).status).toBe(202);
    const events = await eventually(async () => {
      const found = await ServiceEventModel.find({ workflowId }).sort({ at: 1 }).lean();
      return found.length >= 2 ? found : null;
    }, 60_000);
    expect(events.map((e) => e.type)).toEqual(['message_in', 'message_out']);
    const [msgIn, msgOut] = events;
    expect(msgIn!.data).toMatchObject({ type: 'message_in', intent: expect.any(String), language: 'en', faqEntryId: expect.any(String) });
    expect(msgIn!.data.intent).not.toBe('unknown');
    expect(msgIn!.data.confidence).toBeGreaterThan(0);
    expect(msgOut!.data).toMatchObject({ type: 'message_out', source: 'faq', author: 'bot', faqEntryId: msgIn!.data.faqEntryId });
    // One insert carried both.
    expect(inserts).toContain(2);
  });
});

describe('ticket changes', () => {
  it('opening a ticket and changing its status write ticket_change events', async () => {
    const { ticket } = await createTicketRecord({
      shopId: 'demo',
      channel: 'webchat',
      buyerId: 'tb',
      workflowId: 'conv:demo:webchat:tb',
      source: 'handoff_failed',
      subject: 'call the buyer back',
      priority: 'normal',
      orderNumber: null,
      trackingNumber: null,
      key: 'k-turn-events',
    });
    const step = makeTicketStep(undefined);
    await step({
      ticketId: ticket.id,
      now: Date.now() + 1000,
      action: { type: 'update', by: 'ana', patch: { status: 'solved', priority: 'high' } },
    });
    const events = await ServiceEventModel.find({ type: 'ticket_change', 'data.ticketId': ticket.id }).sort({ at: 1 }).lean();
    expect(events.map((e) => e.data)).toEqual([
      { type: 'ticket_change', ticketId: ticket.id, change: 'created', status: 'open', priority: 'normal', assigneeId: null },
      { type: 'ticket_change', ticketId: ticket.id, change: 'updated', status: 'solved', priority: 'high', assigneeId: null },
    ]);
    expect(events[0]!.workflowId).toBe('conv:demo:webchat:tb');
  });
});

describe('facts looked up', () => {
  const env = (workflowId: string, activityId: string) =>
    new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'r1' }, activityId });

  it('an order the buyer named: found with its status, or not found', async () => {
    const workflowId = 'conv:demo:webchat:facts-order';
    await env(workflowId, 'a1').run(lookupBuyerFacts, {
      shopId: 'demo',
      channel: 'webchat',
      buyerId: 'facts-order',
      orderNumbers: ['1001', '999999'],
    });
    const facts = await eventually(async () => {
      const found = await ServiceEventModel.find({ workflowId, type: 'fact' }).sort({ key: 1 }).lean();
      return found.length >= 2 ? found : null;
    });
    expect(facts.map((f) => f.data)).toEqual([
      { type: 'fact', kind: 'order', ref: '1001', found: true, status: 'shipped' },
      { type: 'fact', kind: 'order', ref: '999999', found: false, status: null },
    ]);
    expect(facts[0]!.channel).toBe('webchat');
  });

  it('a parcel tracked, and its customs hold as a fact of its own; a retried activity writes them once', async () => {
    const ups = await startCarrierServer((r) =>
      r.path === '/security/v1/oauth/token'
        ? { status: 200, body: { ...(fixture('ups', 'token') as object), access_token: 'tok' } }
        : { status: 200, body: fixture('ups', 'track-customs') },
    );
    const t17 = await startCarrierServer(seventeenTrackEcho);
    try {
      const track = makeTrackParcel(
        { ups: { clientId: 'a', clientSecret: 'b', baseUrl: ups.url }, seventeenTrack: { apiKey: 'k', baseUrl: t17.url } },
        FAST,
      );
      const workflowId = 'conv:demo:whatsapp:facts-parcel';
      const input = { trackingNumber: '1Z999AA10123456784', shopId: 'demo' };
      await env(workflowId, 'a7').run(track, input);
      await env(workflowId, 'a7').run(track, input); // the same activity again (a retry)
      const facts = await eventually(async () => {
        const found = await ServiceEventModel.find({ workflowId, type: 'fact' }).sort({ key: 1 }).lean();
        return found.length >= 2 ? found : null;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(await ServiceEventModel.countDocuments({ workflowId, type: 'fact' })).toBe(2);
      expect(facts.map((f) => f.data)).toEqual([
        { type: 'fact', kind: 'parcel', ref: input.trackingNumber, found: true, status: 'customs_hold', carrier: 'ups' },
        { type: 'fact', kind: 'customs_hold', ref: input.trackingNumber, found: true, status: 'customs_hold', carrier: 'ups' },
      ]);
    } finally {
      await Promise.all([ups.close(), t17.close()]);
    }
  });
});
