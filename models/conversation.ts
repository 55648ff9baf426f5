import { model, Schema, type InferSchemaType } from 'mongoose';

/** A read model of each conversation run, written by the workflow through an activity. */
const conversationSchema = new Schema(
  {
    workflowId: { type: String, required: true },
    runId: { type: String, required: true },
    shopId: { type: String, required: true },
    channel: { type: String, required: true },
    buyerId: { type: String, required: true },
    status: { type: String, enum: ['bot', 'waiting_agent', 'agent', 'follow_up', 'closed'], required: true },
    intent: { type: String, default: null },
    language: { type: String, default: null },
    turns: { type: Number, default: 0 },
    escalated: { type: Boolean, default: false },
    tier: { type: Number, default: 0 },
    handoffReason: { type: String, default: null },
    agentId: { type: String, default: null },
    orderValueUsd: { type: Number, default: null },
    openedAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    closeReason: { type: String, default: null },
    npsScore: { type: Number, default: null },
    /** How it ended: resolved conversations get the NPS survey (null while open). */
    resolved: { type: Boolean, default: null },
    /** The order the conversation is about. */
    focusOrder: { type: String, default: null },
    /** Since when a reply is owed (follow_up). */
    followUpSince: { type: Date, default: null },
    // ---- the desk (issue 16): routing writes these, the desk reads them ----
    /** The queue a handoff was routed to (models/queue.ts), null while the bot holds it. */
    queueId: { type: String, default: null },
    /** The agent routing assigned it to (not yet accepted: `agentId` is set on accept). */
    assigneeId: { type: String, default: null },
    /** Since when the buyer waits for a human (handoff time), null when nobody is owed. */
    waitingSince: { type: Date, default: null },
    /** The last handoff of this run (kept after the close: the agent's first response time counts from it). */
    handedOffAt: { type: Date, default: null },
    /** Priority in the desk's queue (routing rules may raise it: VIP order value…). */
    priority: { type: String, enum: ['low', 'normal', 'high', 'urgent'], default: 'normal' },
    /** The buyer's country (ISO 3166-1 alpha-2) when known, for routing rules. */
    country: { type: String, default: null },
    /** The last buyer message (its `seq`, bots/intake.ts) the conversation handled; a new run of the workflow starts after it. */
    inSeq: { type: Number, default: null },
    /** A tracking answer came from a carrier's own API (DHL, FedEx…), not the aggregator: billed as advanced tracking (models/usage.ts). */
    advancedTracking: { type: Boolean, default: false },
    // ---- insights (issue 17): written once when it closes (activities/insights/record-outcome.ts) ----
    /** Root causes (models/root-cause-taxonomy.ts): the tagger's, or an agent's correction. */
    rootCauses: { type: [String], default: undefined },
    /** What the tagger said (kept when an agent corrects the tags). */
    rootCausesAuto: { type: [String], default: undefined },
    rootCausesEditedBy: { type: String, default: null },
    rootCausesEditedAt: { type: Date, default: null },
    /** First-contact resolution: resolved, no handoff, and no repeat of the buyer on the intent within 24 h. */
    fcr: { type: Boolean, default: null },
    firstResponseMs: { type: Number, default: null },
    /** The root-cause dimensions it was counted under (its order's country, carrier and SKUs), for tag corrections. */
    rcCountry: { type: String, default: null },
    rcCarrier: { type: String, default: null },
    rcSkus: { type: [String], default: undefined },
    /** When its events and rollups were written (once per close). */
    insightsAt: { type: Date, default: null },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
  },
  { timestamps: true },
);
// One document per conversation (its first run id is kept in openedAt order; continue-as-new updates it).
conversationSchema.index({ workflowId: 1, openedAt: 1 }, { unique: true });
conversationSchema.index({ shopId: 1, status: 1 });
conversationSchema.index({ queueId: 1, status: 1, waitingSince: 1 });
conversationSchema.index({ assigneeId: 1, status: 1 });
/** The desk's live feed reads what changed since its cursor (bots/desk/events.ts). */
conversationSchema.index({ updatedAt: 1 });
/** Metering counts a shop's conversations by the month they opened in (models/usage.ts). */
conversationSchema.index({ shopId: 1, openedAt: 1 });
/** FCR: the buyer's earlier conversation on the same intent (activities/insights/record-outcome.ts). */
conversationSchema.index({ shopId: 1, buyerId: 1, closedAt: -1 });

export type Conversation = InferSchemaType<typeof conversationSchema>;
export const ConversationModel = model('Conversation', conversationSchema);

/**
 * The conversation of this workflow (its newest run) used advanced tracking: set by the trackParcel
 * activity after a carrier-source answer. Best effort for the caller.
 */
export async function markAdvancedTracking(workflowId: string): Promise<void> {
  await ConversationModel.findOneAndUpdate({ workflowId }, { $set: { advancedTracking: true } }, { sort: { openedAt: -1 } });
}
