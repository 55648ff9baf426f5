/**
 * A ticket's SLA: its due time (business minutes of the shop's SLA for the priority, counted in the
 * shop's business hours), the "about to breach" reminder (at REMIND_AT of the way from the SLA's
 * start to the due time), and the plan the ticket workflow waits on. Pure functions.
 */
import { addBusinessMinutes, type BusinessHoursRow } from '../../models/business-hours.js';
import { TICKET_SLA_DEFAULT_MINUTES, type TicketPriority } from '../../models/ticket.js';
import type { TicketPlan, TicketStatusName } from '../../workflows/contract.js';

/** The reminder goes out when this share of the SLA's time has passed (80 %). */
export const REMIND_AT = 0.8;
const DAY = 86_400_000;

export interface ShopSla {
  timeZone?: string | null;
  businessHours?: BusinessHoursRow[] | null;
  slaMinutes?: Partial<Record<TicketPriority, number | null>> | null;
  ticketAutoCloseDays?: number | null;
}

/** Statuses in which the team owes the buyer (the SLA runs); pending waits for the buyer. */
export const owes = (status: string) => status === 'open' || status === 'on_hold';

export function slaMinutes(shop: ShopSla | null, priority: TicketPriority): number {
  const own = shop?.slaMinutes?.[priority];
  return typeof own === 'number' && own > 0 ? own : TICKET_SLA_DEFAULT_MINUTES[priority];
}

/** The due time of an SLA started at `from`. */
export function dueTime(shop: ShopSla | null, priority: TicketPriority, from: Date): Date {
  return addBusinessMinutes(shop?.businessHours ?? [], shop?.timeZone ?? 'UTC', from, slaMinutes(shop, priority));
}

export interface SlaFields {
  status: string;
  slaStartedAt?: Date | null;
  dueAt?: Date | null;
  remindedAt?: Date | null;
  breachedAt?: Date | null;
  solvedAt?: Date | null;
}

/** The reminder's time for an SLA cycle. */
export function remindTime(start: Date, due: Date): number {
  return start.getTime() + Math.floor((due.getTime() - start.getTime()) * REMIND_AT);
}

/** What the workflow waits for next, from the ticket document. */
export function planOf(t: SlaFields, shop: ShopSla | null): TicketPlan {
  const status = t.status as TicketStatusName;
  const plan: TicketPlan = { status, remindAt: null, dueAt: null, closeAt: null };
  if (owes(status) && t.dueAt && t.slaStartedAt) {
    if (!t.remindedAt && !t.breachedAt) plan.remindAt = remindTime(t.slaStartedAt, t.dueAt);
    if (!t.breachedAt) plan.dueAt = t.dueAt.getTime();
  }
  const days = shop?.ticketAutoCloseDays ?? 7;
  if (status === 'solved' && t.solvedAt && days > 0) plan.closeAt = t.solvedAt.getTime() + days * DAY;
  return plan;
}
