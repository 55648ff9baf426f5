/**
 * Service events as each turn happens (issue 17): `message_in` when `understand` has read a buyer
 * message (intent, FAQ entry, confidence, language) and `message_out` when `sendToBuyer` has recorded
 * a reply (source, FAQ entry, confidence, author). A bot turn costs one insert: the `message_in` waits
 * in this process until the reply's send takes it and writes both in one `insertMany`, not awaited by
 * the send (it adds no round trip to the reply). A buyer message no reply follows (a human holds the
 * conversation, or the send runs in another process) is written alone after FLUSH_MS. Best effort and
 * idempotent (unique keys): a crash loses at most the events waiting here; a retry writes nothing twice.
 */
import { Context } from '@temporalio/activity';
import { writeServiceEvents, type ServiceEvent } from '../../models/service-event.js';
import { log } from '../../infra/log.js';

const FLUSH_MS = 2000;
/** At most this many conversations wait here (a flood is written at once rather than held). */
const MAX_WAITING = 10_000;

const waiting = new Map<string, { events: ServiceEvent[]; timer: NodeJS.Timeout }>();

const write = (events: ServiceEvent[]) =>
  writeServiceEvents(events).catch((e: unknown) => log('service events not written', { error: String(e), count: events.length }));

/** The channel of a conversation workflow id (`conv:<shop>:<channel>:<buyer>`, infra/channel-contract.ts). */
export const channelOfWorkflow = (workflowId: string, shopId: string): string | null => {
  const prefix = `conv:${shopId}:`;
  if (!workflowId.startsWith(prefix)) return null;
  const rest = workflowId.slice(prefix.length);
  const i = rest.indexOf(':');
  return i > 0 ? rest.slice(0, i) : null;
};

/** The key of this activity execution (stable across its retries), or null outside an activity. */
function activityKey(): string | null {
  try {
    const i = Context.current().info;
    return i.workflowExecution ? `${i.workflowExecution.workflowId}:${i.workflowExecution.runId}:${i.activityId}` : null;
  } catch {
    return null;
  }
}

function flush(workflowId: string): ServiceEvent[] {
  const w = waiting.get(workflowId);
  if (!w) return [];
  clearTimeout(w.timer);
  waiting.delete(workflowId);
  return w.events;
}

/** A buyer message was understood: its event waits for the reply (or FLUSH_MS). */
export function messageInEvent(input: {
  shopId: string;
  workflowId?: string | null;
  intent: string;
  language: string;
  faqEntryId: string | null;
  confidence: number;
}): void {
  const key = activityKey();
  const channel = input.workflowId ? channelOfWorkflow(input.workflowId, input.shopId) : null;
  if (!key || !input.workflowId || !channel) return;
  const event: ServiceEvent = {
    shopId: input.shopId,
    workflowId: input.workflowId,
    channel,
    at: new Date(),
    key: `in:${key}`,
    data: {
      type: 'message_in',
      intent: input.intent,
      language: input.language,
      faqEntryId: input.faqEntryId,
      confidence: input.confidence,
    },
  };
  const events = [...flush(input.workflowId), event];
  if (waiting.size >= MAX_WAITING) return void write(events);
  const timer = setTimeout(() => void write(flush(input.workflowId!)), FLUSH_MS);
  timer.unref();
  waiting.set(input.workflowId, { events, timer });
}

/** A reply was recorded: its event and the buyer message's waiting one, in one insert (not awaited). */
export function messageOutEvent(input: {
  shopId: string;
  channel: string;
  workflowId: string;
  key: string;
  source: string | null;
  faqEntryId: string | null;
  confidence: number | null;
  author: string;
}): void {
  const event: ServiceEvent = {
    shopId: input.shopId,
    workflowId: input.workflowId,
    channel: input.channel,
    at: new Date(),
    key: `out:${input.key}`,
    data: { type: 'message_out', source: input.source, faqEntryId: input.faqEntryId, confidence: input.confidence, author: input.author },
  };
  void write([...flush(input.workflowId), event]);
}

/** Write what waits now (tests; a worker shutting down). */
export async function flushTurnEvents(): Promise<void> {
  await Promise.all([...waiting.keys()].map((id) => write(flush(id))));
}
