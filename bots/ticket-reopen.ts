/**
 * A buyer's message reopens their pending or solved tickets: once the intake has delivered a buyer
 * message to its conversation (bots/intake.ts, accept), each ticket listed on the buyer's record
 * (Buyer.reopenableTickets, read by the buyer upsert the intake does anyway: no query of its own)
 * gets the `ticketBuyerReplied` signal; its workflow (workflows/ticket.ts) reopens it and restarts
 * the SLA, and is a no-op for a ticket that is no longer pending or solved.
 *
 * Best effort: a failure is logged and never fails the intake (the buyer's message is delivered).
 * A message the relay delivers later (Temporal was down when it came) reopens nothing.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ticketWorkflowId } from '../models/ticket-records.js';
import { ticketBuyerReplied } from '../workflows/contract.js';

export async function reopenTickets(
  client: Client,
  ticketIds: readonly string[],
  at: string,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Promise<string[]> {
  const signalled: string[] = [];
  for (const id of ticketIds) {
    try {
      await client.workflow.getHandle(ticketWorkflowId(id)).signal(ticketBuyerReplied, { at });
      signalled.push(id);
    } catch (e) {
      log(e instanceof WorkflowNotFoundError ? 'ticket workflow not running; not reopened' : 'reopening a ticket failed', {
        ticketId: id,
        error: String(e),
      });
    }
  }
  return signalled;
}
