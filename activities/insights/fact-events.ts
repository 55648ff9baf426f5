/**
 * Service events for the facts a conversation looked up (issue 17): an order the buyer named (found
 * or not, its status), a parcel tracked (status, carrier) and, as its own kind, a customs hold. Called
 * from the activities that look them up; the conversation is the calling workflow (nothing is written
 * outside an activity: CLI `sora track`, tests). One insert, not awaited: a fact event never delays or
 * fails the lookup. Keyed by workflow run + activity, so a retried activity writes it once.
 */
import { Context } from '@temporalio/activity';
import { log } from '../../infra/log.js';
import { writeServiceEvents, type ServiceEventData } from '../../models/service-event.js';

type Fact = Extract<ServiceEventData, { type: 'fact' }>;

export function factEvents(shopId: string, facts: Omit<Fact, 'type'>[]): void {
  if (!facts.length) return;
  let info: ReturnType<typeof Context.current>['info'];
  try {
    info = Context.current().info;
  } catch {
    return;
  }
  const workflowId = info.workflowExecution?.workflowId;
  // conv:{shopId}:{channel}:{buyerId} (infra/channel-contract.ts conversationWorkflowId).
  const channel = workflowId?.startsWith('conv:') ? workflowId.split(':')[2] : undefined;
  if (!workflowId || !channel) return;
  const at = new Date();
  const base = `${workflowId}:${info.workflowExecution?.runId ?? ''}:${info.activityId}:fact`;
  void writeServiceEvents(
    facts.map((f, i) => ({ shopId, workflowId, channel, at, key: `${base}:${i}`, data: { type: 'fact', ...f } })),
  ).catch((e) => log('fact event not written', { workflowId, error: String(e) }));
}
