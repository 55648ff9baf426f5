/**
 * Buyer data rights (GDPR / PDPA requests; issue 14 item 7): export or erase everything sora-cs
 * stores about one buyer of one shop. Used by `sora buyers export|forget` (scripts/cli/buyers.ts) and
 * the operator API (bots/operator-buyers.ts through scripts/operator-services.ts).
 *
 * A buyer is known by the id of the channel they write from (`buyerId`: web chat id, WhatsApp number
 * or LID, Telegram chat id, TikTok IM user id, Bot Framework user id…). Without `channel`, the id is
 * looked up on every channel the shop stored it for.
 *
 * What is about the buyer: their buyer records, every message in and out of their conversations,
 * the conversation records, NPS answers, questions the KB missed, operator notifications about their
 * conversations, the coupon bound to them, the orders linked to them, and their conversation
 * workflows in Temporal (history, memo, search attributes).
 *
 * Forget deletes all of it, except:
 *   - orders stay (the shop's sales record; the platform or shop system is their source) but are
 *     unlinked: the buyer's id on the channel and the platform user id are removed, so nothing here
 *     ties the order to the person any more;
 *   - a coupon handed to the buyer stays used (the code went out; it must not be handed out again)
 *     with its binding replaced by an anonymous one.
 * Workflows are deleted (a running one is terminated by the deletion), every run of the workflow id.
 * Each request leaves one audit entry without personal data (models/privacy-audit.ts).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { conversationWorkflowId } from '../../infra/channel-contract.js';
import { BuyerModel } from '../../models/buyer.js';
import { ConversationModel } from '../../models/conversation.js';
import { CouponModel } from '../../models/coupon.js';
import { EmailAttachmentModel, EmailSkippedModel, EmailThreadModel } from '../../models/email-mailbox.js';
import { MessageModel } from '../../models/message.js';
import { NotificationModel } from '../../models/notification.js';
import { NpsAnswerModel } from '../../models/nps-answer.js';
import { NoteModel } from '../../models/note.js';
import { OrderModel } from '../../models/order.js';
import { PrivacyAuditModel } from '../../models/privacy-audit.js';
import { ShopModel } from '../../models/shop.js';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { ServiceEventModel } from '../../models/service-event.js';
import { WebchatAttachmentModel } from '../../models/webchat-attachment.js';
import { WebchatSessionModel } from '../../models/webchat-session.js';
import { InboundSequenceModel } from '../../models/inbound-sequence.js';
import { ticketWorkflowId } from '../../models/ticket-records.js';
import { TicketModel } from '../../models/ticket.js';

export interface BuyerDataRequest {
  shopId: string;
  buyerId: string;
  /** The channel of the buyer id; absent: every channel the shop stored this id for. */
  channel?: string;
  /** Who asked (recorded in the audit entry). */
  via: 'cli' | 'api';
}

export class BuyerDataInputError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid_request' | 'unknown_shop' | 'unknown_buyer',
  ) {
    super(message);
    this.name = 'BuyerDataInputError';
  }
}

export interface BuyerDataExport {
  requestId: string;
  shopId: string;
  buyerId: string;
  channels: string[];
  exportedAt: string;
  buyers: unknown[];
  messages: unknown[];
  conversations: unknown[];
  npsAnswers: unknown[];
  unmatchedQuestions: unknown[];
  /** The conversations' service events (insights: intents, facts looked up, agents' actions). */
  serviceEvents: unknown[];
  notifications: unknown[];
  /** The desk's internal notes on the buyer's conversations (agents wrote them about the buyer). */
  notes: unknown[];
  coupons: unknown[];
  orders: unknown[];
  tickets: unknown[];
  /** Web chat uploads: metadata only (id, type, size, SHA-256, when), not the content. */
  webchatAttachments: unknown[];
  /** Email: the buyer's mail threads (subject, Message-IDs, where answers went), one per conversation. */
  emailThreads: unknown[];
  workflows: unknown[];
}

export interface ForgetReport {
  requestId: string;
  shopId: string;
  channels: string[];
  counts: Record<string, number>;
}

const ID = /^[^\s]{1,256}$/;
const CHANNEL = /^[a-z][a-z0-9_-]{0,31}$/;

/** Mongo documents as plain JSON (no _id, no __v). */
const plain = (docs: Array<Record<string, unknown>>) => docs.map(({ _id, __v, ...rest }) => rest);

interface Scope {
  shopId: string;
  buyerId: string;
  channels: string[];
  workflowIds: string[];
  platformUserIds: string[];
}

async function scopeOf(r: BuyerDataRequest): Promise<Scope> {
  if (!r.shopId || !ID.test(r.shopId)) throw new BuyerDataInputError('shop must be a shop id (no spaces)', 'invalid_request');
  if (!r.buyerId || !ID.test(r.buyerId))
    throw new BuyerDataInputError('buyer must be a buyer id (no spaces, at most 256 characters)', 'invalid_request');
  if (r.channel !== undefined && !CHANNEL.test(r.channel))
    throw new BuyerDataInputError(`channel "${r.channel}" is not a channel id (webchat, whatsapp, tiktok…)`, 'invalid_request');
  if (!(await ShopModel.exists({ shopId: r.shopId }))) throw new BuyerDataInputError(`no shop "${r.shopId}"`, 'unknown_shop');
  const q = { shopId: r.shopId, buyerId: r.buyerId, ...(r.channel ? { channel: r.channel } : {}) };
  const found = new Set<string>();
  for (const m of [BuyerModel, MessageModel, ConversationModel, NpsAnswerModel] as const) {
    const rows = (await (m as typeof BuyerModel).find(q, { channel: 1 }).lean()) as Array<{ channel?: string }>;
    for (const row of rows) if (row.channel) found.add(row.channel);
  }
  // A web chat buyer who uploaded a file but never sent the message still has data.
  if ((!r.channel || r.channel === 'webchat') && (await WebchatAttachmentModel.exists({ shopId: r.shopId, buyerId: r.buyerId })))
    found.add('webchat');
  if (r.channel) {
    const linked = await OrderModel.exists({ shopId: r.shopId, [`buyerIds.${r.channel}`]: r.buyerId });
    if (linked) found.add(r.channel);
  }
  const channels = [...found].sort();
  if (channels.length === 0)
    throw new BuyerDataInputError(
      `shop "${r.shopId}" has no data for buyer "${r.buyerId}"${r.channel ? ` on ${r.channel}` : ''}`,
      'unknown_buyer',
    );
  const buyers = await BuyerModel.find({ shopId: r.shopId, buyerId: r.buyerId, channel: { $in: channels } }, { platformUserId: 1 }).lean();
  // Channels with a conversation per thread (email) have more than one workflow per buyer: the
  // ones their messages and conversations name.
  const mine = { shopId: r.shopId, buyerId: r.buyerId, channel: { $in: channels } };
  const [fromMessages, fromConversations] = await Promise.all([
    MessageModel.distinct('workflowId', mine),
    ConversationModel.distinct('workflowId', mine),
  ]);
  const workflowIds = new Set(channels.map((channel) => conversationWorkflowId({ shopId: r.shopId, channel, buyerId: r.buyerId })));
  for (const id of [...fromMessages, ...fromConversations]) workflowIds.add(String(id));
  return {
    shopId: r.shopId,
    buyerId: r.buyerId,
    channels,
    workflowIds: [...workflowIds].sort(),
    platformUserIds: buyers.map((b) => b.platformUserId).filter((x): x is string => !!x),
  };
}

const byBuyer = (s: Scope) => ({ shopId: s.shopId, buyerId: s.buyerId, channel: { $in: s.channels } });
const ordersOf = (s: Scope) => ({
  shopId: s.shopId,
  $or: [
    ...s.channels.map((c) => ({ [`buyerIds.${c}`]: s.buyerId })),
    ...(s.platformUserIds.length ? [{ platformBuyerId: { $in: s.platformUserIds } }] : []),
  ],
});
const couponsOf = (s: Scope) => ({ shopId: s.shopId, 'boundTo.buyerId': s.buyerId, 'boundTo.channel': { $in: s.channels } });

/** Every run of the buyer's conversation workflows Temporal still has (visibility, plus the latest run). */
async function runsOf(client: Client, workflowId: string): Promise<Array<{ workflowId: string; runId: string }>> {
  const runs = new Map<string, { workflowId: string; runId: string }>();
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    runs.set(d.runId, { workflowId, runId: d.runId });
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` }))
    runs.set(w.runId, { workflowId, runId: w.runId });
  return [...runs.values()];
}

async function workflowsOf(client: Client | undefined, s: Scope): Promise<unknown[]> {
  if (!client) return [];
  const out: unknown[] = [];
  for (const id of s.workflowIds)
    for (const run of await runsOf(client, id)) {
      const d = await client.workflow.getHandle(run.workflowId, run.runId).describe();
      out.push({
        workflowId: d.workflowId,
        runId: d.runId,
        status: d.status.name,
        startTime: d.startTime,
        closeTime: d.closeTime ?? null,
        memo: d.memo ?? {},
        searchAttributes: Object.fromEntries(d.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])),
      });
    }
  return out;
}

async function audit(r: BuyerDataRequest, s: Scope, action: 'export' | 'forget', counts: Record<string, number>): Promise<string> {
  const requestId = randomUUID();
  await PrivacyAuditModel.create({ requestId, shopId: s.shopId, action, channels: s.channels, via: r.via, counts, at: new Date() });
  return requestId;
}

/** The buyer's desk tickets (models/ticket.ts). */
const ticketsOf = (s: { shopId: string; buyerId: string; channels: string[] }) => ({
  shopId: s.shopId,
  buyerId: s.buyerId,
  channel: { $in: s.channels },
});

/** Everything stored about the buyer, as JSON. `client`: also their conversation workflows in Temporal. */
export async function exportBuyerData(r: BuyerDataRequest, client?: Client): Promise<BuyerDataExport> {
  const s = await scopeOf(r);
  const wf = { workflowId: { $in: s.workflowIds } };
  const [
    buyers,
    messages,
    conversations,
    npsAnswers,
    unmatchedQuestions,
    serviceEvents,
    notifications,
    notes,
    coupons,
    orders,
    tickets,
    uploads,
    threads,
  ] = await Promise.all([
    BuyerModel.find(byBuyer(s)).lean(),
    MessageModel.find({ $or: [byBuyer(s), wf] })
      .sort({ _id: 1 })
      .lean(),
    ConversationModel.find({ $or: [byBuyer(s), wf] })
      .sort({ openedAt: 1 })
      .lean(),
    NpsAnswerModel.find({ $or: [byBuyer(s), wf] }).lean(),
    UnmatchedQuestionModel.find({ shopId: s.shopId, ...wf }).lean(),
    ServiceEventModel.find({ shopId: s.shopId, ...wf })
      .sort({ at: 1 })
      .lean(),
    NotificationModel.find({ shopId: s.shopId, $or: [{ buyerId: s.buyerId, channel: { $in: s.channels } }, wf] }).lean(),
    NoteModel.find({ shopId: s.shopId, ...wf })
      .sort({ _id: 1 })
      .lean(),
    CouponModel.find(couponsOf(s)).lean(),
    OrderModel.find(ordersOf(s)).lean(),
    TicketModel.find(ticketsOf(s)).lean(),
    s.channels.includes('webchat')
      ? WebchatAttachmentModel.find({ shopId: s.shopId, buyerId: s.buyerId }, { data: 0 }).sort({ _id: 1 }).lean()
      : Promise.resolve([]),
    s.channels.includes('email')
      ? EmailThreadModel.find({ shopId: s.shopId, buyerId: s.buyerId }).sort({ _id: 1 }).lean()
      : Promise.resolve([]),
  ]);
  const workflows = await workflowsOf(client, s);
  const out = {
    buyers: plain(buyers),
    messages: plain(messages),
    conversations: plain(conversations),
    npsAnswers: plain(npsAnswers),
    unmatchedQuestions: plain(unmatchedQuestions).map(({ vector: _vector, ...q }) => q),
    serviceEvents: plain(serviceEvents),
    notifications: plain(notifications),
    notes: plain(notes),
    coupons: plain(coupons).map(({ boundKey: _boundKey, ...c }) => c),
    orders: plain(orders),
    tickets: tickets.map(({ _id, ...t }) => ({ id: _id, ...t })),
    webchatAttachments: uploads.map((a) => ({
      id: a.attachmentId,
      mimeType: a.mime,
      size: a.size,
      sha256: a.sha256,
      createdAt: a.createdAt,
    })),
    emailThreads: plain(threads),
    workflows,
  };
  const counts = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length]));
  const requestId = await audit(r, s, 'export', counts);
  return { requestId, shopId: s.shopId, buyerId: s.buyerId, channels: s.channels, exportedAt: new Date().toISOString(), ...out };
}

/**
 * Erase the buyer: their conversation workflows first (deleting a running one terminates it, so it
 * writes nothing afterwards), then every record. `client` is required when the buyer has workflows
 * (the CLI and the API always pass one).
 */
export async function forgetBuyerData(r: BuyerDataRequest, client: Client): Promise<ForgetReport> {
  const s = await scopeOf(r);
  const counts: Record<string, number> = {};
  let deletedRuns = 0;
  for (const id of s.workflowIds)
    for (const run of await runsOf(client, id)) {
      try {
        await client.workflowService.deleteWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId: run.workflowId, runId: run.runId },
        });
        deletedRuns++;
      } catch (e) {
        // Already gone (deleted meanwhile, or past retention): nothing left to erase.
        if ((e as { code?: number }).code !== 5) throw e;
      }
    }
  counts.workflowRuns = deletedRuns;
  // The buyer's tickets: their workflows end (terminated), then the documents go.
  const tickets = await TicketModel.find(ticketsOf(s), { _id: 1 }).lean();
  for (const t of tickets)
    await client.workflow
      .getHandle(ticketWorkflowId(t._id))
      .terminate('the buyer was forgotten')
      .catch(() => undefined); // already ended
  counts.tickets = (await TicketModel.deleteMany(ticketsOf(s))).deletedCount;
  const wf = { workflowId: { $in: s.workflowIds } };
  counts.messages = (await MessageModel.deleteMany({ $or: [byBuyer(s), wf] })).deletedCount;
  // The conversations' message numbers (their ids name the workflow, so the buyer).
  counts.inboundSequences = (await InboundSequenceModel.deleteMany(wf)).deletedCount;
  counts.conversations = (await ConversationModel.deleteMany({ $or: [byBuyer(s), wf] })).deletedCount;
  counts.npsAnswers = (await NpsAnswerModel.deleteMany({ $or: [byBuyer(s), wf] })).deletedCount;
  counts.unmatchedQuestions = (await UnmatchedQuestionModel.deleteMany({ shopId: s.shopId, ...wf })).deletedCount;
  // Their service events (the daily rollups keep only counts, no buyer).
  counts.serviceEvents = (await ServiceEventModel.deleteMany({ shopId: s.shopId, ...wf })).deletedCount;
  counts.notifications = (
    await NotificationModel.deleteMany({
      shopId: s.shopId,
      $or: [{ buyerId: s.buyerId, channel: { $in: s.channels } }, wf, { ticketId: { $in: tickets.map((t) => t._id) } }],
    })
  ).deletedCount;
  counts.notes = (await NoteModel.deleteMany({ shopId: s.shopId, ...wf })).deletedCount;
  // Email: the stored attachment contents and the skipped mails (auto-replies…) from the address.
  if (s.channels.includes('email')) {
    counts.emailAttachments = (await EmailAttachmentModel.deleteMany({ shopId: s.shopId, buyerId: s.buyerId })).deletedCount;
    counts.emailSkipped = (await EmailSkippedModel.deleteMany({ shopId: s.shopId, from: s.buyerId })).deletedCount;
    counts.emailThreads = (await EmailThreadModel.deleteMany({ shopId: s.shopId, buyerId: s.buyerId })).deletedCount;
  }
  // Orders stay (the shop's sales record) without anything that points at the buyer.
  let unlinked = 0;
  for (const o of await OrderModel.find(ordersOf(s), { buyerIds: 1, platformBuyerId: 1 }).lean()) {
    const ids = (o.buyerIds ?? {}) as unknown as Record<string, string>;
    const unset: Record<string, ''> = {};
    for (const c of s.channels) if (ids[c] === s.buyerId) unset[`buyerIds.${c}`] = '';
    const set = o.platformBuyerId && s.platformUserIds.includes(o.platformBuyerId) ? { platformBuyerId: null } : {};
    await OrderModel.updateOne({ _id: o._id }, { ...(Object.keys(unset).length ? { $unset: unset } : {}), $set: set });
    unlinked++;
  }
  counts.ordersUnlinked = unlinked;
  // A handed-out coupon stays used; its binding no longer names the buyer.
  let coupons = 0;
  for (const c of await CouponModel.find(couponsOf(s), { boundTo: 1 }).lean()) {
    const anon = `forgotten:${randomUUID()}`;
    await CouponModel.updateOne(
      { _id: c._id },
      {
        $set: {
          boundKey: anon,
          boundTo: { channel: c.boundTo!.channel, buyerId: anon, workflowId: anon, claimKey: anon, at: c.boundTo!.at },
        },
      },
    );
    coupons++;
  }
  counts.couponsAnonymised = coupons;
  counts.buyers = (await BuyerModel.deleteMany(byBuyer(s))).deletedCount;
  // Web chat sessions name the buyer: signed out everywhere.
  counts.webchatAttachments = s.channels.includes('webchat')
    ? (await WebchatAttachmentModel.deleteMany({ shopId: s.shopId, buyerId: s.buyerId })).deletedCount
    : 0;
  counts.webchatSessions = s.channels.includes('webchat')
    ? (await WebchatSessionModel.deleteMany({ shopId: s.shopId, buyerId: s.buyerId })).deletedCount
    : 0;
  const requestId = await audit(r, s, 'forget', counts);
  return { requestId, shopId: s.shopId, channels: s.channels, counts };
}
