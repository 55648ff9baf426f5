/**
 * The desk's routing in the conversation workflow (issue 16 item 2, patched 'desk-routing'), on the
 * time-skipping test server with the real activities and MongoDB-wire server: a handoff lands in the
 * queue the shop's rules choose and is assigned to the online agent who speaks the buyer's
 * language; accept / release keep the read model's routing fields right and a buyer reply in an
 * agent-held conversation notifies that agent; an escalated tier moves the conversation to the next
 * queue (and its agent); outside business hours with nobody online the buyer is told when someone
 * will answer, in their language and the shop's time zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemMessage } from '../activities/catalog/system-messages.js';
import { formatOpening } from '../activities/messaging/render.js';
import type { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { AgentModel } from '../models/agent.js';
import { nextOpening } from '../models/business-hours.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { saveRoutingConfig } from '../models/routing.js';
import { ShopModel } from '../models/shop.js';
import { TicketModel } from '../models/ticket.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import type { ConversationConfig } from '../workflows/types.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { demoWebchat, eventually, useFreshDatabase } from './setup/helpers.js';
import { startTimeSkippingConversations } from './setup/time-skipping-conversations.js';

const MIN = 60_000;
let env: TestWorkflowEnvironment;
let intake: Intake;
let stop: (() => Promise<void>) | undefined;

const config: ConversationConfig = { ...conversationConfig(), agentSlaMs: MIN, maxEscalationTiers: 2, searchAttributes: false };

beforeAll(async () => {
  await useFreshDatabase('sora_desk_routing_wf');
  await seedDemoShop();
  const agent = (_id: string, languages: string[], presence: 'online' | 'offline' = 'online') =>
    AgentModel.create({ _id, name: _id, email: `${_id}@demo.test`, shopIds: ['demo'], languages, capacity: 2, presence });
  await agent('ana', ['es']);
  await agent('ben', ['en', 'th']);
  await agent('sup', []);
  await saveRoutingConfig(
    'demo',
    {
      assignment: 'least_busy',
      queues: [
        { id: 'general', name: 'General', escalatesTo: 'supervisors', agentIds: ['ana', 'ben'] },
        { id: 'vip', name: 'VIP', escalatesTo: 'supervisors', agentIds: ['ana', 'ben'] },
        { id: 'supervisors', name: 'Supervisors', agentIds: ['sup'] },
      ],
      rules: [{ when: { minOrderValueUsd: 500 }, queue: 'vip', priority: 'high' }],
    },
    null,
  );
  ({ env, intake, stop } = await startTimeSkippingConversations({
    registry: new ChannelRegistry().register(new WebchatAdapter()),
    config,
  }));
}, 120_000);

afterAll(async () => {
  await stop?.();
  await disconnectMongo();
});

const { msg, wfId } = demoWebchat('dr');
const handle = (buyerId: string) => env.client.workflow.getHandle(wfId(buyerId));
const record = (buyerId: string) =>
  ConversationModel.findOne({ workflowId: wfId(buyerId) })
    .sort({ openedAt: -1 })
    .lean();
const sentTexts = async (buyerId: string) =>
  (
    await MessageModel.find({ workflowId: wfId(buyerId), direction: 'out' })
      .sort({ _id: 1 })
      .lean()
  ).map((m) => m.text);
const until = <T>(what: string, fn: () => Promise<T>) => eventually(fn, 30_000, what);

describe('a handoff is routed by the shop’s rules', () => {
  it('lands in the queue, goes to the online agent who speaks the language; accept, buyer reply, release', async () => {
    await intake.accept(msg('es-1', 'Quiero hablar con una persona real, por favor'));
    const r = await until('routed', async () => {
      const c = await record('es-1');
      return c?.status === 'waiting_agent' && c.assigneeId ? c : null;
    });
    expect(r).toMatchObject({ queueId: 'general', assigneeId: 'ana', priority: 'normal', language: 'es' });
    expect(r.waitingSince).toBeInstanceOf(Date);
    const n = await until('handoff notification', () => NotificationModel.findOne({ workflowId: wfId('es-1'), kind: 'handoff' }).lean());
    expect(n).toMatchObject({ queueId: 'general', assigneeId: 'ana' });
    expect(n.text).toMatch(
      /^Handoff: buyer es-1 on web chat \(demo\) asks for a human — queue General, assigned to ana, waiting since \d\d:\d\d$/,
    );
    // Open hours (the shop has none: always open): no after-hours notice.
    expect((await sentTexts('es-1')).some((t) => t.includes('equipo no está disponible'))).toBe(false);

    await handle('es-1').signal(contract.agentAccepted, { agentId: 'ana' });
    await until('accepted', async () => ((await record('es-1'))?.status === 'agent' ? true : null));
    expect(await record('es-1')).toMatchObject({ agentId: 'ana', assigneeId: 'ana', waitingSince: null, queueId: 'general' });

    await intake.accept(msg('es-1', '¿Sigues ahí?'));
    const reply = await until('buyer_reply notification', () =>
      NotificationModel.findOne({ workflowId: wfId('es-1'), kind: 'buyer_reply' }).lean(),
    );
    expect(reply.agentId).toBe('ana');
    expect(reply.text).toBe('Buyer es-1 replied on web chat (demo) in the conversation ana holds');

    await handle('es-1').signal(contract.agentReleased);
    await until('released', async () => ((await record('es-1'))?.status === 'bot' ? true : null));
    expect(await record('es-1')).toMatchObject({ queueId: null, assigneeId: null, waitingSince: null });
  });

  it('an escalated tier moves the conversation to the next queue and its agent, one priority up', async () => {
    // French: nobody in General speaks it, so it waits unassigned.
    await intake.accept(msg('fr-1', 'Je voudrais parler à un humain'));
    const r = await until('routed', async () => {
      const c = await record('fr-1');
      return c?.queueId ? c : null;
    });
    expect(r).toMatchObject({ queueId: 'general', assigneeId: null, status: 'waiting_agent' });
    await env.sleep(MIN + 1000); // tier 1
    const esc = await until('escalated', async () => {
      const c = await record('fr-1');
      return c?.queueId === 'supervisors' ? c : null;
    });
    expect(esc).toMatchObject({ assigneeId: 'sup', priority: 'high', status: 'waiting_agent' });
    const n = await until('escalation notification', () =>
      NotificationModel.findOne({ workflowId: wfId('fr-1'), kind: 'escalation' }).lean(),
    );
    expect(n.queueId).toBe('supervisors');
    expect(n.text).toContain('queue Supervisors, assigned to sup');
    // Supervisors escalates nowhere: tier 2 keeps it there.
    await env.sleep(MIN + 1000);
    await until('tier 2', () => NotificationModel.findOne({ workflowId: wfId('fr-1'), kind: 'escalation', tier: 2 }).lean());
    expect((await record('fr-1'))?.queueId).toBe('supervisors');
  });

  it('outside business hours with nobody online, the buyer is told when someone will answer (their language, the shop’s time)', async () => {
    const timeZone = 'Asia/Singapore';
    const today = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(new Date());
    const day = (['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(today) + 3) % 7;
    const businessHours = [{ days: [day], open: '09:00', close: '17:00' }];
    await ShopModel.updateOne({ shopId: 'demo' }, { $set: { timeZone, businessHours } });
    await AgentModel.updateMany({}, { $set: { presence: 'offline' } });
    try {
      await intake.accept(msg('ah-1', 'Quiero hablar con una persona real'));
      const opens = nextOpening(businessHours, timeZone, new Date())!;
      const expected = systemMessage('handoff_after_hours', 'es', { opens: formatOpening(opens.toISOString(), timeZone, 'es') }).text;
      expect(expected).toMatch(/9:00/);
      await until('after-hours notice', async () => ((await sentTexts('ah-1')).includes(expected) ? true : null));
      const texts = await sentTexts('ah-1');
      expect(texts.indexOf(systemMessage('handoff_notice', 'es').text)).toBeLessThan(texts.indexOf(expected));
      expect(await record('ah-1')).toMatchObject({ queueId: 'general', assigneeId: null, status: 'waiting_agent' });
      // …and the reply owed becomes a ticket (one, whatever the retries), due in the shop's business hours.
      const t = await until('after-hours ticket', () =>
        TicketModel.findOne({ conversationIds: wfId('ah-1'), source: 'after_hours' }).lean(),
      );
      expect(t).toMatchObject({ shopId: 'demo', status: 'open', channel: 'webchat' });
      expect(await TicketModel.countDocuments({ conversationIds: wfId('ah-1') })).toBe(1);
      await until('ticket due time', async () => ((await TicketModel.findById(t._id).lean())?.dueAt ? true : null));
      const due = (await TicketModel.findById(t._id).lean())!.dueAt!;
      expect(due.getTime()).toBeGreaterThan(opens.getTime());
    } finally {
      await ShopModel.updateOne({ shopId: 'demo' }, { $set: { businessHours: [] } });
    }
  });
});
