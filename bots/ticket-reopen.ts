/**
 * A buyer's message reopens their pending or solved tickets: after the intake has delivered a buyer
 * message to its conversation (bots/intake.ts, signal), each such ticket of that buyer on that
 * channel gets the `ticketBuyerReplied` signal; its workflow (workflows/ticket.ts) reopens it and
 * restarts the SLA. One indexed read per buyer message; open tickets are left alone.
 *
 * Best effort: a failure is logged and never fails the intake (the buyer's message is delivered).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ticketWorkflowId } from '../models/ticket-records.js';
import { TicketModel } from '../models/ticket.js';
import { ticketBuyerReplied } from '../workflows/contract.js';

export async function reopenTicketsOnBuyerReply(
  client: Client,
  m: { shopId: string; channel: string; buyerId: string; receivedAt: string },
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Promise<string[]> {
  const signalled: string[] = [];
  try {
    const tickets = await TicketModel.find(
      { shopId: m.shopId, channel: m.channel, buyerId: m.buyerId, status: { $in: ['pending', 'solved'] } },
      { _id: 1 },
    ).lean();
    for (const t of tickets) {
      try {
        await client.workflow.getHandle(ticketWorkflowId(t._id)).signal(ticketBuyerReplied, { at: m.receivedAt });
        signalled.push(t._id);
      } catch (e) {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
        log('ticket workflow not running; ticket not reopened', { ticketId: t._id });
      }
    }
  } catch (e) {
    log('reopening tickets on a buyer reply failed', { shopId: m.shopId, channel: m.channel, error: String(e) });
  }
  return signalled;
}
