/**
 * `ticket`: one durable workflow per ticket, `ticket:{ticketId}` (started by openTicket or the desk
 * API). It owns the ticket's timers: the "about to breach" reminder, the breach mark, and the
 * auto-close of a solved ticket after the shop's ticketAutoCloseDays. Every change goes through the
 * `ticketStep` activity (activities/tickets/ticket-steps.ts), which writes the ticket document (the
 * read model) at this workflow's time and answers the plan to wait on; the workflow re-plans after
 * each step. Desk changes come as the `updateTicket` update (answered once applied), a buyer's reply
 * as the `ticketBuyerReplied` signal (a pending or solved ticket reopens, its SLA restarts).
 * The workflow ends when the ticket is closed. Deterministic: time from the workflow clock.
 */
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ticketBuyerReplied, ticketPlan, updateTicket, type TicketAction, type TicketPlan, type TicketWorkflowInput } from './contract.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt cap: MongoDB down is waited out (the worker alerts after long retries).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function ticket(input: TicketWorkflowInput): Promise<{ status: string }> {
  const { ticketId } = input;
  const replies: Array<{ at: string }> = [];
  let busy = false;
  /** Bumped by every step an update ran, so the main loop re-plans its timers. */
  let version = 0;
  let plan: TicketPlan = input.carried ?? { status: 'open', remindAt: null, dueAt: null, closeAt: null };

  /** One step at a time (an update may arrive while a timer's step runs). */
  const step = async (action: TicketAction): Promise<TicketPlan> => {
    await condition(() => !busy);
    busy = true;
    try {
      plan = await acts.ticketStep({ ticketId, now: Date.now(), action });
      version++;
      return plan;
    } finally {
      busy = false;
    }
  };

  setHandler(ticketPlan, () => plan);
  setHandler(ticketBuyerReplied, (r) => void replies.push(r));
  let started = !!input.carried;
  // An update waits for the start step: its answer (and the document) then has the SLA planned.
  setHandler(updateTicket, async ({ patch, by }) => (await condition(() => started), step({ type: 'update', patch, by })), {
    validator: (_u: { patch: unknown; by: string }) => {
      if (plan.status === 'closed') throw new Error('the ticket is closed');
    },
  });

  if (!input.carried) await step({ type: 'start' });
  started = true;
  for (;;) {
    if (plan.status === 'closed') {
      // Let an update that is mid-step finish before the run ends.
      await condition(() => !busy);
      return { status: plan.status };
    }
    if (!busy && replies.length === 0 && workflowInfo().continueAsNewSuggested)
      return continueAsNew<typeof ticket>({ ticketId, carried: plan });
    const next = nextTimer(plan);
    const seen = version;
    const changed = () => replies.length > 0 || version !== seen;
    const woke = next ? await condition(changed, Math.max(1, next.at - Date.now())) : (await condition(changed), true);
    if (woke) {
      if (replies.length > 0) await step({ type: 'buyer_reply', at: replies.splice(0).at(-1)!.at });
      continue;
    }
    if (version !== seen || busy) continue; // an update re-planned meanwhile
    await step({ type: next!.what });
  }
}

function nextTimer(p: TicketPlan): { at: number; what: 'remind' | 'breach' | 'auto_close' } | null {
  const all: Array<{ at: number | null; what: 'remind' | 'breach' | 'auto_close' }> = [
    { at: p.remindAt, what: 'remind' },
    { at: p.dueAt, what: 'breach' },
    { at: p.closeAt, what: 'auto_close' },
  ];
  let best: { at: number; what: 'remind' | 'breach' | 'auto_close' } | null = null;
  for (const t of all) if (t.at !== null && (!best || t.at < best.at)) best = { at: t.at, what: t.what };
  return best;
}
