/**
 * `openTicket`: a rule opens a ticket (a failed handoff, a parcel with a delivery problem, after-hours
 * routing…). Creates the document with the next number of its shop under the idempotency `key`
 * (models/ticket-records.ts), then starts its workflow `ticket:{ticketId}` (REJECT_DUPLICATE: a
 * retry, or a second call with the same key, finds it running and starts nothing).
 */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { defaultConfig, type TemporalTarget } from '../../infra/config/index.js';
import { temporalClient } from '../../infra/temporal/connection.js';
import { createTicketRecord, ticketWorkflowId, type OpenTicketInput } from '../../models/ticket-records.js';
import { workflowTypes } from '../../temporal.config.js';

export type { OpenTicketInput } from '../../models/ticket-records.js';

export interface OpenTicketResult {
  ticketId: string;
  number: number;
  /** False: a ticket with this key existed already. */
  created: boolean;
}

/** Start the ticket's workflow unless it runs (or ran) already. */
export async function startTicketWorkflow(client: Client, ticketId: string, taskQueue: string): Promise<void> {
  try {
    await client.workflow.start(workflowTypes.ticket, {
      workflowId: ticketWorkflowId(ticketId),
      taskQueue,
      args: [{ ticketId }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
}

/** `client`: the app's Temporal client; without one, the first call connects to `temporal` (config.temporal). */
export function makeOpenTicket(client?: Client, temporal: TemporalTarget = defaultConfig().temporal) {
  let lazy: Promise<Client> | undefined;
  const getClient = () => {
    if (client) return Promise.resolve(client);
    lazy ??= temporalClient(temporal, { lazy: false }).then((c) => c.client);
    return lazy;
  };
  return async function openTicket(input: OpenTicketInput & { at?: number }): Promise<OpenTicketResult> {
    const { at, ...rest } = input;
    const { ticket, created } = await createTicketRecord(rest, at !== undefined ? new Date(at) : new Date());
    await startTicketWorkflow(await getClient(), ticket.id, Context.current().info.taskQueue);
    return { ticketId: ticket.id, number: ticket.number, created };
  };
}
