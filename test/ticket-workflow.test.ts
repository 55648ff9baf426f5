/**
 * The ticket workflow (workflows/ticket.ts) on the time-skipping test server, with the real
 * activities and the MongoDB-wire server: the due time counts the shop's business hours, the
 * "about to breach" reminder goes out once with a human text, the breach is marked, a buyer's
 * message (through the intake) reopens a pending ticket and restarts its SLA, a solved ticket closes
 * after the shop's ticketAutoCloseDays, and a rule (a failed handoff) opens a ticket from the
 * conversation workflow.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { startTicketWorkflow } from '../activities/tickets/open-ticket.js';
import { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { paths } from '../infra/paths.js';
import { addBusinessMinutes, isOpen, parseBusinessHours } from '../models/business-hours.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { NotificationModel } from '../models/notification.js';
import { ShopModel } from '../models/shop.js';
import { createTicketRecord, ticketWorkflowId, type OpenTicketInput } from '../models/ticket-records.js';
import { TicketModel } from '../models/ticket.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { workflowBundle } from '../scripts/worker.js';
import { conversationConfig, taskQueues } from '../temporal.config.js';
import { ticketPlan, updateTicket } from '../workflows/contract.js';
import type { ConversationConfig } from '../workflows/types.js';
import { demoWebchat, eventually, useFreshDatabase } from './setup/helpers.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const HOURS = 'mon-fri 09:00-18:00';
const TZ = 'Asia/Singapore';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let intake: Intake;

const config: ConversationConfig = { ...conversationConfig(), agentSlaMs: MIN, maxEscalationTiers: 0, searchAttributes: false };

beforeAll(async () => {
  await useFreshDatabase('sora_ticket_workflow');
  await seedDemoShop();
  await ShopModel.updateOne(
    { shopId: 'demo' },
    { $set: { timeZone: TZ, businessHours: parseBusinessHours(HOURS), slaMinutes: { normal: 240, urgent: 60 }, ticketAutoCloseDays: 3 } },
  );
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: paths.temporalTestServerBin } },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: taskQueues.conversations,
    workflowBundle: await workflowBundle(),
    activities: createActivities({
      registry: new ChannelRegistry().register(new WebchatAdapter({ pollMs: 200 })),
      temporalClient: env.client,
    }),
  });
  running = worker.run();
  intake = new Intake({
    client: env.client,
    connection: env.connection,
    conversationConfig: config,
    signalDeadlineMs: 10_000,
    log: () => {},
  });
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await disconnectMongo();
});

let n = 0;
async function openTicket(buyerId: string, o: Partial<OpenTicketInput> = {}) {
  const at = new Date(await env.currentTimeMs());
  const { ticket } = await createTicketRecord(
    {
      shopId: 'demo',
      channel: 'webchat',
      buyerId,
      workflowId: `conv:demo:webchat:${buyerId}`,
      source: 'agent',
      subject: `Parcel question ${++n}`,
      key: `test:${buyerId}:${n}`,
      ...o,
    },
    at,
  );
  await startTicketWorkflow(env.client, ticket.id, taskQueues.conversations);
  return { id: ticket.id, number: ticket.number, handle: env.client.workflow.getHandle(ticketWorkflowId(ticket.id)) };
}

const doc = (id: string) => TicketModel.findById(id).lean();

describe('ticket SLA', () => {
  it('is due after the SLA in business hours, reminds once at 80 %, then marks the breach', async () => {
    const t = await openTicket('sla-buyer');
    const started = await eventually(async () => (await doc(t.id))?.dueAt && (await doc(t.id)), 20_000, 'the due time');
    const rows = parseBusinessHours(HOURS);
    // 240 business minutes from the start, in Singapore's Mon–Fri 09:00–18:00.
    expect(started.dueAt!.getTime()).toBe(addBusinessMinutes(rows, TZ, started.slaStartedAt!, 240).getTime());
    expect(isOpen(rows, TZ, new Date(started.dueAt!.getTime() - MIN))).toBe(true);
    expect(started.dueAt!.getTime() - started.slaStartedAt!.getTime()).toBeGreaterThanOrEqual(240 * MIN);
    // The ticket is written by the activity before the workflow takes its result: wait for the plan.
    const plan = await eventually(
      async () => {
        const p = await t.handle.query(ticketPlan);
        return p.dueAt !== null ? p : null;
      },
      20_000,
      'the plan with the due time',
    );
    const span = started.dueAt!.getTime() - started.slaStartedAt!.getTime();
    expect(plan.remindAt).toBe(started.slaStartedAt!.getTime() + Math.floor(span * 0.8));
    expect(plan.dueAt).toBe(started.dueAt!.getTime());

    // Just past the reminder: one sla_breach_soon with a readable text; not breached yet.
    await env.sleep(plan.remindAt! - (await env.currentTimeMs()) + 1000);
    const note = await eventually(
      () => NotificationModel.findOne({ kind: 'sla_breach_soon', ticketId: t.id }).lean(),
      20_000,
      'the reminder',
    );
    expect(note.text).toMatch(
      new RegExp(`^Ticket T-${t.number} "Parcel question \\d+" \\(normal\\) is due in \\d+ min .*Asia/Singapore.*nobody is assigned`),
    );
    expect(note.shopId).toBe('demo');
    expect((await doc(t.id))!.breachedAt).toBeNull();

    // Past the due time: breached, once.
    await env.sleep(plan.dueAt! - (await env.currentTimeMs()) + 1000);
    const breached = await eventually(async () => (await doc(t.id))?.breachedAt && (await doc(t.id)), 20_000, 'the breach');
    expect(breached.breachedAt!.getTime()).toBeGreaterThanOrEqual(plan.dueAt!);
    expect(breached.events.map((e) => e.kind)).toEqual(['created', 'sla', 'reminder', 'breach']);
    expect(await NotificationModel.countDocuments({ kind: 'sla_breach_soon', ticketId: t.id })).toBe(1);
    const done = await eventually(
      async () => {
        const p = await t.handle.query(ticketPlan);
        return p.dueAt === null ? p : null;
      },
      20_000,
      'the plan after the breach',
    );
    expect(done).toMatchObject({ status: 'open', remindAt: null, dueAt: null });
  });

  it('a higher priority re-plans the due time of the running SLA; assigning notifies the assignee', async () => {
    const t = await openTicket('prio-buyer');
    const before = await eventually(async () => (await doc(t.id))?.dueAt && (await doc(t.id)), 20_000, 'the due time');
    const plan = await t.handle.executeUpdate(updateTicket, { args: [{ patch: { priority: 'urgent', assigneeId: 'ana' }, by: 'lead' }] });
    const after = (await doc(t.id))!;
    expect(after.priority).toBe('urgent');
    expect(after.dueAt!.getTime()).toBe(addBusinessMinutes(parseBusinessHours(HOURS), TZ, before.slaStartedAt!, 60).getTime());
    expect(plan.dueAt).toBe(after.dueAt!.getTime());
    const assigned = await NotificationModel.findOne({ kind: 'ticket_assigned', ticketId: t.id }).lean();
    expect(assigned).toMatchObject({ agentId: 'ana', shopId: 'demo' });
    expect(assigned!.text).toMatch(/assigned to you by lead \(urgent\)/);
  });
});

describe('reopen and close', () => {
  it("a buyer's message through the intake reopens a pending ticket and restarts its SLA", async () => {
    const buyer = 'reopen-buyer';
    const t = await openTicket(buyer);
    const first = await eventually(async () => (await doc(t.id))?.slaStartedAt && (await doc(t.id)), 20_000, 'the SLA');
    await t.handle.executeUpdate(updateTicket, { args: [{ patch: { status: 'pending' }, by: 'ana' }] });
    expect((await doc(t.id))!.status).toBe('pending');
    expect((await BuyerModel.findOne({ shopId: 'demo', channel: 'webchat', buyerId: buyer }).lean())?.reopenableTickets).toEqual([t.id]);
    expect(await t.handle.query(ticketPlan)).toMatchObject({ status: 'pending', remindAt: null, dueAt: null });
    await env.sleep(2 * DAY);

    const { msg } = demoWebchat('reopen');
    await intake.accept(msg(buyer, 'any news on my parcel?'));
    const reopened = await eventually(
      async () => {
        const d = await doc(t.id);
        return d?.status === 'open' ? d : null;
      },
      20_000,
      'the reopen',
    );
    expect(reopened.slaStartedAt!.getTime()).toBeGreaterThan(first.slaStartedAt!.getTime() + DAY);
    expect(reopened.events.some((e) => e.kind === 'status' && /pending → open \(the buyer replied\)/.test(e.text))).toBe(true);
    expect(reopened.dueAt!.getTime()).toBe(addBusinessMinutes(parseBusinessHours(HOURS), TZ, reopened.slaStartedAt!, 240).getTime());
    // The buyer's record lists it while it is pending, no longer once open (the intake reads that list).
    expect((await BuyerModel.findOne({ shopId: 'demo', channel: 'webchat', buyerId: buyer }).lean())?.reopenableTickets).toEqual([]);
    // An open ticket is left alone by the next message.
    await intake.accept(msg(buyer, 'thanks'));
    expect((await doc(t.id))!.slaStartedAt!.getTime()).toBe(reopened.slaStartedAt!.getTime());
  });

  it('a buyer with a conversation per thread (email) reopens only the tickets of the thread they wrote in', async () => {
    const buyer = 'thread-buyer';
    const t = await openTicket(buyer, { workflowId: `conv:demo:webchat:${buyer}:tA` });
    await eventually(async () => (await doc(t.id))?.slaStartedAt, 20_000, 'the SLA');
    await t.handle.executeUpdate(updateTicket, { args: [{ patch: { status: 'pending' }, by: 'ana' }] });
    const { msg } = demoWebchat('thread');
    // Another thread of the same buyer: the ticket stays pending.
    await intake.accept({ ...msg(buyer, 'a question about something else'), thread: 'tB' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await doc(t.id))!.status).toBe('pending');
    // The ticket's own thread: reopened.
    await intake.accept({ ...msg(buyer, 'any news on my parcel?'), thread: 'tA' });
    await eventually(async () => (await doc(t.id))?.status === 'open', 20_000, 'the reopen');
  });

  it('a solved ticket closes after the shop’s ticketAutoCloseDays; the workflow ends; a closed ticket refuses updates', async () => {
    const t = await openTicket('close-buyer');
    await eventually(async () => (await doc(t.id))?.slaStartedAt, 20_000, 'the SLA');
    await t.handle.executeUpdate(updateTicket, { args: [{ patch: { status: 'solved' }, by: 'ana' }] });
    const solved = (await doc(t.id))!;
    expect(solved.solvedAt).not.toBeNull();
    expect(await t.handle.result()).toEqual({ status: 'closed' });
    const closed = (await doc(t.id))!;
    expect(closed.status).toBe('closed');
    expect(closed.closedAt!.getTime() - solved.solvedAt!.getTime()).toBeGreaterThanOrEqual(3 * DAY);
    expect(closed.closedAt!.getTime() - solved.solvedAt!.getTime()).toBeLessThan(3 * DAY + MIN);
    await expect(t.handle.executeUpdate(updateTicket, { args: [{ patch: { status: 'open' }, by: 'ana' }] })).rejects.toThrow();
    // Deterministic: the whole history (start, updates, timers, close) replays on the bundled code.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await t.handle.fetchHistory(), t.handle.workflowId);
  });
});

describe('tickets opened by rules', () => {
  it('a handoff nobody takes opens one handoff_failed ticket (high) with its own running workflow', async () => {
    const buyer = 'handoff-buyer';
    const { msg, wfId } = demoWebchat('hf');
    await intake.accept(msg(buyer, 'I want to talk to a real person'));
    await eventually(() => NotificationModel.findOne({ workflowId: wfId(buyer), kind: 'handoff' }).lean(), 30_000, 'the handoff');
    await env.sleep(MIN + 1000); // the agent SLA with no escalation tier: handoff_expired
    const t = await eventually(() => TicketModel.findOne({ buyerId: buyer, source: 'handoff_failed' }).lean(), 30_000, 'the ticket');
    expect(t).toMatchObject({ shopId: 'demo', channel: 'webchat', priority: 'high', status: 'open', conversationIds: [wfId(buyer)] });
    expect(t.subject).toMatch(/no agent took the handoff \(human_request\)/);
    await eventually(async () => (await TicketModel.findById(t._id).lean())?.dueAt, 20_000, 'its SLA');
    const plan = await env.client.workflow.getHandle(ticketWorkflowId(t._id)).query(ticketPlan);
    expect(plan.status).toBe('open');
    expect(await TicketModel.countDocuments({ buyerId: buyer })).toBe(1);
    // The conversation's history (with the 'tickets' patch) replays.
    const conv = env.client.workflow.getHandle(wfId(buyer));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await conv.fetchHistory(), conv.workflowId);
  });
});
