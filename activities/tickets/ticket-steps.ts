/**
 * `ticketStep`: the one activity of the ticket workflow (workflows/ticket.ts). It applies a step
 * (start, a desk change, a buyer reply, the reminder, the breach, the auto-close) to the ticket
 * document at the workflow's time `now`, records the events and alerts (sla_breach_soon,
 * ticket_assigned, through alertOperators), and returns the plan the workflow waits on next.
 *
 * Idempotent: a retry after a write finds the change made and does nothing more; alerts are keyed.
 */
import { writeServiceEvents } from '../../models/service-event.js';
import { ticketChangeEvent } from '../../models/ticket-records.js';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { BuyerModel } from '../../models/buyer.js';
import { alertOperators } from '../../models/operator-alerts.js';
import { ShopModel } from '../../models/shop.js';
import { TicketModel, type TicketPriority } from '../../models/ticket.js';
import type { TicketAction, TicketPlan } from '../../workflows/contract.js';
import { dueTime, owes, planOf, remindTime, type ShopSla } from './sla.js';

export interface TicketStepInput {
  ticketId: string;
  /** Workflow time (epoch ms): every timestamp the step writes. */
  now: number;
  action: TicketAction;
}

interface TicketEvent {
  at: Date;
  kind: string;
  text: string;
  by: string | null;
}

function shopTime(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    day: 'numeric',
    month: 'short',
  }).format(at);
}

export function makeTicketStep(alertWebhookUrl: string | undefined) {
  return async function ticketStep(input: TicketStepInput): Promise<TicketPlan> {
    const { ticketId, action } = input;
    const at = new Date(input.now);
    const t = await TicketModel.findById(ticketId).lean();
    if (!t) throw ApplicationFailure.nonRetryable(`no ticket ${ticketId}`, 'TicketNotFound');
    const shop = (await ShopModel.findOne({ shopId: t.shopId }).lean()) as ShopSla | null;
    const tz = shop?.timeZone ?? 'UTC';
    const label = `T-${t.number}`;
    const set: Record<string, unknown> = {};
    const events: TicketEvent[] = [];
    const alerts: Array<{ key: string; kind: 'sla_breach_soon' | 'ticket_assigned'; text: string; agentId: string | null }> = [];
    let status = t.status as string;
    let priority = t.priority as TicketPriority;
    let restart = false;
    let replanDue = false;

    const setStatus = (next: string, by: string | null, why: string) => {
      if (next === status) return;
      events.push({ at, kind: 'status', text: `${status.replace('_', ' ')} → ${next.replace('_', ' ')}${why}`, by });
      if (next === 'solved') set.solvedAt = at;
      else if (status === 'solved') set.solvedAt = null;
      if (next === 'closed') set.closedAt = at;
      // Back to owed from waiting on the buyer or solved: a new SLA cycle.
      if (owes(next) && (status === 'pending' || status === 'solved')) restart = true;
      status = next;
    };

    switch (action.type) {
      case 'start':
        if (!t.slaStartedAt && owes(status)) restart = true;
        if (t.assigneeId)
          alerts.push({
            key: `ticket:${ticketId}:assigned:${t.assigneeId}:start`,
            kind: 'ticket_assigned',
            agentId: t.assigneeId,
            text: `Ticket ${label} "${t.subject}" was assigned to you (${t.priority}).`,
          });
        break;
      case 'update': {
        const p = action.patch;
        const by = action.by;
        if (p.priority && p.priority !== priority) {
          events.push({ at, kind: 'priority', text: `priority ${priority} → ${p.priority}`, by });
          set.priority = priority = p.priority;
          replanDue = true;
        }
        if (p.status) setStatus(p.status, by, '');
        if (p.assigneeId !== undefined && p.assigneeId !== (t.assigneeId ?? null)) {
          set.assigneeId = p.assigneeId;
          events.push({ at, kind: 'assigned', text: p.assigneeId ? `assigned to ${p.assigneeId}` : 'unassigned', by });
          if (p.assigneeId)
            alerts.push({
              key: `ticket:${ticketId}:assigned:${p.assigneeId}:${input.now}`,
              kind: 'ticket_assigned',
              agentId: p.assigneeId,
              text: `Ticket ${label} "${t.subject}" was assigned to you by ${by} (${priority}).`,
            });
        }
        if (p.queueId !== undefined && p.queueId !== (t.queueId ?? null)) {
          set.queueId = p.queueId;
          events.push({ at, kind: 'queue', text: p.queueId ? `moved to queue ${p.queueId}` : 'removed from its queue', by });
        }
        if (p.tags && JSON.stringify(p.tags) !== JSON.stringify(t.tags ?? [])) {
          set.tags = p.tags;
          events.push({ at, kind: 'tags', text: p.tags.length ? `tags: ${p.tags.join(', ')}` : 'tags cleared', by });
        }
        break;
      }
      case 'buyer_reply':
        if (status === 'pending' || status === 'solved') setStatus('open', null, ' (the buyer replied)');
        break;
      case 'remind':
        if (owes(status) && t.dueAt && !t.remindedAt && !t.breachedAt) {
          set.remindedAt = at;
          const mins = Math.max(1, Math.round((t.dueAt.getTime() - input.now) / 60_000));
          const who = t.assigneeId ? `assigned to ${t.assigneeId}` : 'nobody is assigned';
          const text = `Ticket ${label} "${t.subject}" (${t.priority}) is due in ${mins} min (${shopTime(t.dueAt, tz)}, ${tz}); ${who}.`;
          events.push({ at, kind: 'reminder', text: `SLA reminder: due in ${mins} min`, by: null });
          alerts.push({
            key: `ticket:${ticketId}:sla_breach_soon:${t.dueAt.toISOString()}`,
            kind: 'sla_breach_soon',
            agentId: t.assigneeId ?? null,
            text,
          });
        }
        break;
      case 'breach':
        if (owes(status) && t.dueAt && !t.breachedAt && t.dueAt.getTime() <= input.now) {
          set.breachedAt = at;
          events.push({ at, kind: 'breach', text: `SLA breached (was due ${shopTime(t.dueAt, tz)}, ${tz})`, by: null });
        }
        break;
      case 'auto_close':
        if (status === 'solved') setStatus('closed', null, ' (solved, no reply since)');
        break;
    }

    if (restart) {
      const due = dueTime(shop, priority, at);
      Object.assign(set, { slaStartedAt: at, dueAt: due, remindedAt: null, breachedAt: null });
      events.push({ at, kind: 'sla', text: `due ${shopTime(due, tz)} (${tz})`, by: null });
    } else if (replanDue && t.slaStartedAt) {
      // A new priority: the same cycle, measured against the new SLA.
      const due = dueTime(shop, priority, t.slaStartedAt);
      set.dueAt = due;
      if (due.getTime() > input.now) {
        set.breachedAt = null;
        if (remindTime(t.slaStartedAt, due) > input.now) set.remindedAt = null;
      }
      events.push({ at, kind: 'sla', text: `due ${shopTime(due, tz)} (${tz})`, by: null });
    }
    if (status !== t.status) set.status = status;

    let doc = t;
    if (Object.keys(set).length || events.length) {
      doc =
        (await TicketModel.findOneAndUpdate(
          { _id: ticketId },
          { $set: set, ...(events.length ? { $push: { events: { $each: events } } } : {}) },
          { returnDocument: 'after' },
        ).lean()) ?? t;
    }
    // Opened, changed, closed: a ticket_change service event (issue 17).
    if (set.status !== undefined || set.priority !== undefined || set.assigneeId !== undefined)
      await writeServiceEvents([ticketChangeEvent(doc as Parameters<typeof ticketChangeEvent>[0], 'updated', at)]);
    // The intake finds the buyer's reopenable tickets on the buyer's record (bots/ticket-reopen.ts).
    const buyer = { shopId: t.shopId, channel: t.channel, buyerId: t.buyerId };
    if (status === 'pending' || status === 'solved')
      await BuyerModel.updateOne(
        buyer,
        { $addToSet: { reopenableTickets: ticketId }, $setOnInsert: { firstSeenAt: at, lastSeenAt: at } },
        { upsert: true },
      );
    else await BuyerModel.updateOne(buyer, { $pull: { reopenableTickets: ticketId } });
    for (const a of alerts)
      await alertOperators(a.key, { shopId: t.shopId, kind: a.kind, ticketId, text: a.text, agentId: a.agentId }, alertWebhookUrl, log);
    return planOf(doc as Parameters<typeof planOf>[0], shop);
  };
}
