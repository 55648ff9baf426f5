/**
 * The service event stream (issue 17): typed events per conversation: messages in/out as each turn
 * happens (activities/insights/turn-events.ts), facts looked up (orders named, parcels tracked, customs
 * holds: activities/insights/fact-events.ts), agents' actions in the desk (bots/desk/conversations.ts), ticket changes (models/ticket-records.ts,
 * activities/tickets/ticket-steps.ts), handoff and outcome when it closes
 * (activities/insights/record-outcome.ts), and when an NPS answer or a tag correction arrives. Reports read daily rollups (models/daily-rollup.ts),
 * never these or the messages; the stream is kept for drill-down and re-aggregation.
 */
import { model, Schema } from 'mongoose';

export type ServiceEventData =
  | { type: 'message_in'; intent: string | null; language: string | null; faqEntryId?: string | null; confidence?: number | null }
  | { type: 'message_out'; source: string | null; faqEntryId: string | null; confidence: number | null; author: string }
  | { type: 'handoff'; reason: string | null }
  /** A fact looked up for the buyer: an order they named, a parcel tracked (a customs hold is its own kind). */
  | { type: 'fact'; kind: 'order' | 'parcel' | 'customs_hold'; ref: string; found: boolean; status: string | null; carrier?: string | null }
  | { type: 'agent_action'; action: string; agentId: string }
  | { type: 'ticket_change'; ticketId: string; change: 'created' | 'updated'; status: string; priority: string; assigneeId: string | null }
  | { type: 'outcome'; resolved: boolean | null; npsScore: number | null; rootCauses: string[]; closeReason: string | null };

export const SERVICE_EVENT_TYPES = ['message_in', 'message_out', 'handoff', 'fact', 'agent_action', 'ticket_change', 'outcome'] as const;

const serviceEventSchema = new Schema(
  {
    shopId: { type: String, required: true },
    workflowId: { type: String, required: true },
    channel: { type: String, required: true },
    type: { type: String, enum: SERVICE_EVENT_TYPES, required: true },
    at: { type: Date, required: true },
    /** Unique per conversation run and event (idempotent writes). */
    key: { type: String, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
  },
  { versionKey: false },
);
serviceEventSchema.index({ key: 1 }, { unique: true });
serviceEventSchema.index({ shopId: 1, type: 1, at: -1 });
serviceEventSchema.index({ workflowId: 1, at: 1 });

export const ServiceEventModel = model('ServiceEvent', serviceEventSchema);

export interface ServiceEvent {
  shopId: string;
  workflowId: string;
  channel: string;
  at: Date;
  key: string;
  data: ServiceEventData;
  /** Synthetic demo data (scripts/demo/demo-month.ts). */
  demo?: true;
}

/**
 * Write events; ones already written (same key: a retried activity) are skipped. `lean`: skip
 * mongoose's per-document casting (bulk seeding of typed events: scripts/demo/demo-month.ts).
 */
export async function writeServiceEvents(events: ServiceEvent[], o: { lean?: boolean } = {}): Promise<void> {
  if (!events.length) return;
  try {
    await ServiceEventModel.insertMany(
      events.map((e) => ({
        shopId: e.shopId,
        workflowId: e.workflowId,
        channel: e.channel,
        at: e.at,
        key: e.key,
        type: e.data.type,
        data: e.data,
        ...(e.demo ? { demo: true } : {}),
      })),
      { ordered: false, ...(o.lean ? { lean: true } : {}) },
    );
  } catch (e) {
    const code = (e as { code?: number }).code;
    const errs = (e as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
    const allDup = code === 11000 || (errs?.length && errs.every((w) => (w.code ?? w.err?.code) === 11000));
    if (!allDup) throw e;
  }
}
