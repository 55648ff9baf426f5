/**
 * The desk's ticket API (bots/desk/tickets.ts) on the real stack: the gateway, a worker (its own task
 * queue on the shared Temporal dev server), MongoDB. Every route needs a credential, an agent never
 * reaches another shop's ticket, bad input is a 4xx naming the field; a reply reaches the buyer
 * through the conversation (web chat), and one the platform refuses (WhatsApp's 24-hour window) shows
 * as failed with the reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConversationRef, OutboundMessage } from '../bots/channel.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { graphError } from '../bots/whatsapp-cloud/graph.js';
import { loadConfig } from '../infra/config/index.js';
import { AgentModel } from '../models/agent.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { createOperatorCredential } from '../models/operator-credential.js';
import { ShopModel } from '../models/shop.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import * as contract from '../workflows/contract.js';
import { eventually, operatorCredential, useFreshDatabase } from './setup/helpers.js';

/** Web chat whose platform refuses chosen buyers the way the WhatsApp Cloud API does after 24 hours (error 131047). */
class WindowedWebchat extends WebchatAdapter {
  refuse = new Set<string>();
  override async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    if (this.refuse.has(to.buyerId))
      throw graphError(400, {
        error: {
          code: 131047,
          message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed' },
        },
      });
    return super.send(to, msg);
  }
}

const RUN = randomUUID().slice(0, 8);
const webchat = new WindowedWebchat({ pollMs: 200 });
let app: App;
let base: string;
let ana: Record<string, string>;
let bob: Record<string, string>;
let op: Record<string, string>;

const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });
const api = (path: string, headers: Record<string, string> = {}, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: init.body !== undefined ? json(headers) : headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });

/** A buyer's conversation (its read model exists): the id POST /tickets takes. */
async function conversation(buyerId: string, text = 'where is my order 1234?'): Promise<string> {
  const r = await app.intake.accept({
    channel: 'webchat',
    shopId: 'demo',
    buyerId,
    externalId: `${buyerId}-${randomUUID()}`,
    text,
    receivedAt: new Date().toISOString(),
  });
  await eventually(() => ConversationModel.findOne({ workflowId: r.workflowId }).lean(), 30_000, 'the conversation record');
  return r.workflowId;
}

beforeAll(async () => {
  const db = 'sora_desk_tickets';
  await useFreshDatabase(db);
  await seedDemoShop();
  await ShopModel.create({ shopId: 'other', name: 'Other shop' });
  await AgentModel.create([
    { _id: 'ana', name: 'Ana', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'] },
    { _id: 'carl', name: 'Carl', email: 'carl@demo.test', role: 'agent', shopIds: ['demo'] },
    { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'] },
  ]);
  ana = { authorization: `Bearer ${(await createOperatorCredential({ name: 'ana api', agentId: 'ana' })).token}` };
  bob = { authorization: `Bearer ${(await createOperatorCredential({ name: 'bob api', agentId: 'bob' })).token}` };
  op = (await operatorCredential('tickets probe')).headers;
  app = await startApp({
    config: loadConfig({
      SORA_LOG_LEVEL: 'silent',
      SORA_TASK_QUEUE: `sora-desk-tickets-${RUN}`,
      SORA_SEARCH_ATTRIBUTES: 'off',
      SORA_CARRIER_KEY_AUDIT: 'off',
      SORA_IMPORT_WORKER: 'off',
    }),
    mongoUri: inject('mongoUri').replace(/\/[^/]*$/, `/${db}`),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    adapters: [webchat],
    relayIntervalMs: 600_000,
    printOperatorToken: () => {},
  });
  base = `${app.gateway.url}/desk/api`;
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

const VIEW_KEYS = [
  'id',
  'number',
  'shopId',
  'subject',
  'status',
  'priority',
  'source',
  'assigneeId',
  'queueId',
  'dueAt',
  'channel',
  'buyerId',
  'conversationIds',
  'orderNumber',
  'trackingNumber',
  'tags',
  'createdAt',
  'updatedAt',
  'solvedAt',
  'closedAt',
  'breachedAt',
].sort();

type View = Record<string, unknown> & { id: string; number: number; dueAt: string | null };

describe('ticket routes', () => {
  let ticket: View;
  let convId: string;

  it('every route needs a credential (401)', async () => {
    for (const [method, path] of [
      ['GET', '/tickets'],
      ['POST', '/tickets'],
      ['GET', '/tickets/x'],
      ['PATCH', '/tickets/x'],
      ['POST', '/tickets/x/reply'],
    ] as const) {
      const r = await api(path, {}, { method, ...(method === 'GET' ? {} : { body: {} }) });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });

  it('POST /tickets opens a ticket from a conversation: number, SLA due time, assignee notified', async () => {
    convId = await conversation(`buyer-a-${RUN}`);
    const r = await api('/tickets', ana, {
      method: 'POST',
      body: {
        conversationId: convId,
        subject: 'Refund for a broken mug',
        priority: 'high',
        orderNumber: '1234',
        tags: ['refund'],
        assigneeId: 'carl',
      },
    });
    expect(r.status).toBe(201);
    ticket = (await r.json()) as View;
    expect(Object.keys(ticket).sort()).toEqual(VIEW_KEYS);
    expect(ticket).toMatchObject({
      number: 1,
      shopId: 'demo',
      status: 'open',
      priority: 'high',
      source: 'agent',
      assigneeId: 'carl',
      channel: 'webchat',
      buyerId: `buyer-a-${RUN}`,
      conversationIds: [convId],
      orderNumber: '1234',
      tags: ['refund'],
    });
    // High priority: 8 business hours (the demo shop is always open).
    expect(Date.parse(ticket.dueAt!) - Date.parse(ticket.createdAt as string)).toBeGreaterThan(8 * 3_600_000 - 60_000);
    const n = await NotificationModel.findOne({ kind: 'ticket_assigned', ticketId: ticket.id }).lean();
    expect(n).toMatchObject({ agentId: 'carl', shopId: 'demo' });
    expect(n!.text).toMatch(/^Ticket T-1 "Refund for a broken mug" was assigned to you by ana \(high\)\.$/);
    // The same Idempotency-Key finds the same ticket.
    const body = { conversationId: convId, subject: 'Second one' };
    const a = await api('/tickets', { ...ana, 'idempotency-key': 'k1' }, { method: 'POST', body });
    const b = await api('/tickets', { ...ana, 'idempotency-key': 'k1' }, { method: 'POST', body });
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(((await b.json()) as View).id).toBe(((await a.json()) as View).id);
  });

  it('bad input is a 4xx naming the field', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/tickets', { conversationId: convId }, 422, /subject/],
      ['POST', '/tickets', { conversationId: convId, subject: 'x', priority: 'asap' }, 422, /priority/],
      ['POST', '/tickets', { conversationId: convId, subject: 'x', colour: 'red' }, 422, /colour/],
      ['POST', '/tickets', { conversationId: convId, subject: 'x', assigneeId: 'bob' }, 422, /assigneeId: no agent "bob"/],
      ['POST', '/tickets', { conversationId: 'conv:demo:webchat:nobody', subject: 'x' }, 404, /conversationId/],
      ['PATCH', `/tickets/${ticket.id}`, {}, 422, /nothing to change/],
      ['PATCH', `/tickets/${ticket.id}`, { status: 'done' }, 422, /status/],
      ['PATCH', `/tickets/${ticket.id}`, { tags: 'refund' }, 422, /tags/],
      ['POST', `/tickets/${ticket.id}/reply`, { text: '  ' }, 422, /text cannot be empty/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await api(path, ana, { method, body });
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(((await r.json()) as { message: string }).message).toMatch(message);
    }
    for (const [query, field] of [
      ['status=open,done', /status: unknown done/],
      ['priority=asap', /priority/],
      ['limit=0', /limit/],
      ['assignee=a%20b', /assignee/],
    ] as const) {
      const r = await api(`/tickets?${query}`, ana);
      expect(r.status, query).toBe(422);
      expect(((await r.json()) as { message: string }).message).toMatch(field);
    }
    const text = await fetch(`${base}/tickets`, { method: 'POST', headers: { ...ana, 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
  });

  it("an agent of another shop sees none of this shop's tickets (404, empty list)", async () => {
    const list = (await (await api('/tickets', bob)).json()) as { tickets: View[] };
    expect(list.tickets).toEqual([]);
    expect((await api(`/tickets?shop=demo`, bob)).status).toBe(404);
    expect((await api(`/tickets/${ticket.id}`, bob)).status).toBe(404);
    expect((await api(`/tickets/${ticket.id}`, bob, { method: 'PATCH', body: { status: 'solved' } })).status).toBe(404);
    expect((await api(`/tickets/${ticket.id}/reply`, bob, { method: 'POST', body: { text: 'hi' } })).status).toBe(404);
    expect((await api('/tickets', bob, { method: 'POST', body: { conversationId: convId, subject: 'x' } })).status).toBe(404);
    // Nothing changed.
    expect(((await (await api(`/tickets/${ticket.id}`, ana)).json()) as { ticket: View }).ticket.status).toBe('open');
  });

  it('GET /tickets filters (status, assignee, priority, q) and sorts by due time', async () => {
    const conv2 = await conversation(`buyer-b-${RUN}`);
    const urgent = (await (
      await api('/tickets', ana, {
        method: 'POST',
        body: { conversationId: conv2, subject: 'Parcel stuck in customs', priority: 'urgent', trackingNumber: 'LX246813576CN' },
      })
    ).json()) as View;
    const all = ((await (await api('/tickets?status=open,pending', op)).json()) as { tickets: View[] }).tickets;
    expect(all[0]!.id).toBe(urgent.id); // due soonest
    const dues = all.map((t) => Date.parse(t.dueAt!));
    expect([...dues].sort((x, y) => x - y)).toEqual(dues);
    const ids = async (q: string, who = ana) =>
      ((await (await api(`/tickets?${q}`, who)).json()) as { tickets: View[] }).tickets.map((t) => t.id);
    expect(await ids('assignee=carl')).toEqual([ticket.id]);
    expect(await ids('assignee=me')).toEqual([]);
    expect(await ids('assignee=none')).not.toContain(ticket.id);
    expect(await ids('priority=urgent')).toEqual([urgent.id]);
    expect(await ids('q=customs')).toEqual([urgent.id]);
    expect(await ids('q=LX2468')).toEqual([urgent.id]);
    expect(await ids('q=REFUND')).toEqual([ticket.id]);
    expect(await ids('q=T-1')).toEqual([ticket.id]);
    expect(await ids('shop=demo&limit=1')).toEqual([urgent.id]);
    expect(await ids('status=solved')).toEqual([]);
  });

  it('PATCH changes status, priority, assignee and tags through the workflow; the timeline shows them', async () => {
    const r = await api(`/tickets/${ticket.id}`, ana, {
      method: 'PATCH',
      body: { priority: 'urgent', assigneeId: 'ana', tags: ['refund', 'vip'] },
    });
    expect(r.status).toBe(200);
    const v = (await r.json()) as View;
    expect(v).toMatchObject({ priority: 'urgent', assigneeId: 'ana', tags: ['refund', 'vip'] });
    expect(Date.parse(v.dueAt!)).toBeLessThan(Date.parse(ticket.dueAt!)); // urgent: 2 h instead of 8
    expect(await NotificationModel.countDocuments({ kind: 'ticket_assigned', ticketId: ticket.id, agentId: 'ana' })).toBe(1);
    const solved = (await (await api(`/tickets/${ticket.id}`, ana, { method: 'PATCH', body: { status: 'solved' } })).json()) as View;
    expect(solved.status).toBe('solved');
    expect(solved.solvedAt).not.toBeNull();
    const shown = (await (await api(`/tickets/${ticket.id}`, ana)).json()) as {
      events: Array<{ kind: string; text: string; by: string | null }>;
    };
    expect(shown.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['created', 'sla', 'assigned', 'priority', 'tags', 'status']));
    expect(shown.events.find((e) => e.kind === 'status')).toMatchObject({ text: 'open → solved', by: 'ana' });
  });

  it('a reply reaches the buyer through the web chat conversation and shows as sent', async () => {
    const r = await api(`/tickets/${ticket.id}/reply`, ana, { method: 'POST', body: { text: 'Your refund is on its way.' } });
    expect(r.status).toBe(202);
    const { reply } = (await r.json()) as { reply: { id: string; status: string } };
    expect(reply.status).toBe('pending');
    const sent = await eventually(
      async () => {
        const d = (await (await api(`/tickets/${ticket.id}`, ana)).json()) as {
          replies: Array<{ id: string; status: string; by: string; error: string | null }>;
        };
        return d.replies.find((x) => x.id === reply.id && x.status === 'sent');
      },
      30_000,
      'the reply sent',
    );
    expect(sent).toMatchObject({ by: 'ana', error: null });
    // The buyer's chat has it, from the agent.
    const m = await MessageModel.findOne({
      workflowId: convId,
      direction: 'out',
      author: 'agent',
      text: 'Your refund is on its way.',
    }).lean();
    expect(m).toMatchObject({ agentId: 'ana', status: 'sent', externalId: contract.agentReplyKey(convId, reply.id) });
  });

  it('a reply the platform refuses (24-hour window) shows as failed with the reason', async () => {
    const buyer = `buyer-late-${RUN}`;
    const conv = await conversation(buyer);
    const t = (await (
      await api('/tickets', ana, { method: 'POST', body: { conversationId: conv, subject: 'Late answer' } })
    ).json()) as View;
    webchat.refuse.add(buyer);
    const r = await api(`/tickets/${t.id}/reply`, ana, { method: 'POST', body: { text: 'Sorry for the wait!' } });
    expect(r.status).toBe(202);
    const failed = await eventually(
      async () => {
        const d = (await (await api(`/tickets/${t.id}`, ana)).json()) as { replies: Array<{ status: string; error: string | null }> };
        return d.replies.find((x) => x.status === 'failed');
      },
      30_000,
      'the refused reply',
    );
    expect(failed.error).toMatch(
      /^the platform refused it: whatsapp-cloud send failed \(131047\): more than 24 hours since the buyer last wrote/,
    );
  });

  it('a reply to a buyer whose conversation has ended starts a new run that relays it', async () => {
    const buyer = `buyer-ended-${RUN}`;
    const conv = await conversation(buyer);
    const t = (await (
      await api('/tickets', ana, { method: 'POST', body: { conversationId: conv, subject: 'Follow up later' } })
    ).json()) as View;
    const handle = app.client.workflow.getHandle(conv);
    await handle.signal(contract.closeConversation, { reason: 'test', resolved: false });
    await handle.result();
    const r = await api(`/tickets/${t.id}/reply`, ana, { method: 'POST', body: { text: 'We found your parcel.' } });
    expect(r.status).toBe(202);
    const { reply } = (await r.json()) as { reply: { id: string } };
    await eventually(
      async () => {
        const d = (await (await api(`/tickets/${t.id}`, ana)).json()) as { replies: Array<{ id: string; status: string }> };
        return d.replies.find((x) => x.id === reply.id && x.status === 'sent');
      },
      30_000,
      'the reply sent in a new run',
    );
    expect((await handle.query(contract.snapshot)).status).toBe('agent');
  });

  it('sora tickets list|show print the same tickets', async () => {
    const { runTicketsCommand } = await import('../scripts/cli/tickets.js');
    const list = await runTicketsCommand(['list', '--shop', 'demo', '--status', 'solved']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/demo\s+T-1\s+solved\s+urgent/);
    const show = await runTicketsCommand(['show', '--shop', 'demo', '--number', '1', '--json']);
    expect(JSON.parse(show.stdout!).ticket).toMatchObject({ number: 1, status: 'solved', tags: ['refund', 'vip'] });
    expect((await runTicketsCommand(['list', '--status', 'done'])).code).toBe(2);
  });

  it("exporting a buyer's data includes their tickets; forgetting the buyer removes them and ends their workflows", async () => {
    const { exportBuyerData, forgetBuyerData } = await import('../activities/privacy/buyer-data.js');
    const buyerId = `buyer-a-${RUN}`;
    const data = await exportBuyerData({ shopId: 'demo', buyerId, via: 'cli' }, app.client);
    expect(data.tickets.map((t) => (t as { id: string }).id)).toContain(ticket.id);
    const report = await forgetBuyerData({ shopId: 'demo', buyerId, via: 'cli' }, app.client);
    expect(report.counts.tickets).toBeGreaterThanOrEqual(1);
    expect((await api(`/tickets/${ticket.id}`, ana)).status).toBe(404);
    expect(await NotificationModel.countDocuments({ ticketId: ticket.id })).toBe(0);
    const d = await app.client.workflow.getHandle(`ticket:${ticket.id}`).describe();
    expect(d.status.name).toBe('TERMINATED');
  });
});
