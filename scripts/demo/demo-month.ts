/**
 * The demo month (issue 17): `npm start` seeds ~30 days (ending yesterday, in the shop's time zone)
 * of synthetic but realistic conversations into the demo shop, so the reports, usage and missed
 * questions are not empty on a fresh machine. Deterministic (a seeded PRNG over the shop and its
 * days); written in bulk through the product's own models and counter layout (the conversation read
 * model, messages, service events, NPS answers, unmatched questions, tickets and daily rollups with
 * the same counters as activities/insights/record-outcome.ts), so the reports read it exactly as
 * real data; no workflow is started. Every document carries `demo: true` (ids start with `demo-`),
 * and the shop keeps `demoMonth` {from, to}: reports and usage over those days answer `demo: true`.
 * Idempotent: a shop that has its `demoMonth` is skipped; leftovers of an interrupted seed are
 * removed first; days that already have real rollups are left alone. `clearDemoMonth` removes it.
 */
import { causeCounters } from '../../models/root-cause-counters.js';
import { dayStartIn } from '../../infra/zoned-time.js';
import { durationCounters } from '../../models/duration-histogram.js';
import { sharedEmbedder } from '../../activities/knowledge/embedder.js';
import { ConversationModel } from '../../models/conversation.js';
import { bumpRollups, DailyRollupModel, dayIn, fieldSafe, type RollupKey } from '../../models/daily-rollup.js';
import { MessageModel } from '../../models/message.js';
import { NpsAnswerModel } from '../../models/nps-answer.js';
import { writeServiceEvents, ServiceEventModel, type ServiceEvent } from '../../models/service-event.js';
import { ShopModel } from '../../models/shop.js';
import { nextTicketNumber } from '../../models/ticket-records.js';
import { TicketModel } from '../../models/ticket.js';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { DEMO_SHOP_ID } from './demo-shop.js';
import * as T from './demo-month-data.js';

/** What is needed of the embedder (activities/knowledge/embedder.ts) for the missed questions' vectors. */
export interface DemoEmbedder {
  readonly model: string;
  embed(texts: string[], kind?: 'query' | 'passage'): Promise<Float32Array[]>;
}

export interface DemoMonthOptions {
  /** How many days, ending yesterday (default 30, at most 92). */
  days?: number;
  now?: Date;
  embedder?: DemoEmbedder;
  log?: (m: string) => void;
}

export interface DemoMonthCounts {
  conversations: number;
  handoffs: number;
  npsAnswers: number;
  unmatched: number;
  advancedTracking: number;
  tickets: number;
  messages: number;
  events: number;
  rollups: number;
}

export interface DemoMonthResult {
  /** False: it was there already (nothing written). */
  seeded: boolean;
  from: string;
  to: string;
  counts: DemoMonthCounts;
  ms: number;
  /** Milliseconds per step (plan, and each collection's writes, which overlap). */
  phases?: Record<string, number>;
}

export const DEMO_MONTH_DAYS = 30;
export const DEMO_MONTH_MAX_DAYS = 92;
/** Days (the last ones) whose conversations get their first buyer message and bot reply stored. */
const TRANSCRIPT_DAYS = 7;

// ---- deterministic randomness ----
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hash = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

class Dice {
  constructor(readonly next: () => number) {}
  chance = (p: number) => this.next() < p;
  between = (lo: number, hi: number) => lo + (hi - lo) * this.next();
  int = (lo: number, hi: number) => Math.floor(this.between(lo, hi + 1));
  index(weights: readonly number[]): number {
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) < 0) return i;
    return weights.length - 1;
  }
  pick = <V>(w: T.Weighted<V>): V => w[this.index(w.map(([, n]) => n))]![0];
}

// ---- days and time zones ----
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
/** The instant of a local wall-clock time (seconds since local midnight of `day`) in tz. */
const localInstant = (day: string, seconds: number, tz: string): Date => dayStartIn(day, tz, 0, seconds);

// ---- generation (pure) ----
interface Conv {
  workflowId: string;
  buyerId: string;
  channel: string;
  country: string;
  language: T.Lang;
  intent: string;
  openedAt: Date;
  closedAt: Date;
  turns: number;
  handoffReason: string | null;
  agentId: string | null;
  resolved: boolean;
  nps: number | null;
  causes: string[];
  carrier: string | null;
  sku: string | null;
  advancedTracking: boolean;
  unmatched: Array<{ text: string; language: T.Lang }>;
  firstResponseMs: number;
  repeated: boolean;
  orderValueUsd: number | null;
}

export interface DemoMonthPlan {
  from: string;
  to: string;
  conversations: Conv[];
}

/** The days to seed [from, to]: `days` days ending yesterday in tz. */
export function demoMonthDays(now: Date, days: number, tz: string): { from: string; to: string } {
  const to = addDays(dayIn(now, tz), -1);
  return { from: addDays(to, -(days - 1)), to };
}

/** The month's conversations (no I/O): the same inputs give the same month. */
export function planDemoMonth(
  shopId: string,
  from: string,
  to: string,
  tz: string,
  skipDays: ReadonlySet<string> = new Set(),
): DemoMonthPlan {
  const d = new Dice(mulberry32(hash(`${shopId}|${from}|${to}|${tz}`)));
  const out: Conv[] = [];
  const total = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000) + 1;
  let n = 0;
  const make = (day: string, seconds: number, like?: Conv): Conv => {
    const country = like ? null : d.pick(T.COUNTRIES);
    const intent = like?.intent ?? d.pick(T.INTENTS);
    const language = like?.language ?? d.pick(country!.langs);
    // Closed the day it opened (its rollup day is a seeded one, never a day left to real data).
    const dayEnd = localInstant(addDays(day, 1), 0, tz).getTime() - 1000;
    const openedAt = new Date(Math.min(localInstant(day, seconds, tz).getTime(), dayEnd - 120_000));
    const handoff = d.chance(T.HANDOFF_RATE[intent] ?? 0.1);
    const handoffReason = !handoff
      ? null
      : intent === 'complaint' || intent === 'human_request'
        ? intent
        : intent === 'unknown'
          ? 'low_confidence'
          : d.pick(T.HANDOFF_REASONS);
    const agentId = !handoff ? null : language === 'th' ? 'kai' : language === 'es' ? 'mia' : d.chance(0.5) ? 'mia' : 'kai';
    const turns = handoff ? d.int(2, 6) : d.int(1, 3);
    const minutes = handoff ? d.between(15, 180) : turns * d.between(1, 4) + d.between(5, 15);
    const resolved = handoff ? d.chance(0.85) : intent === 'unknown' ? d.chance(0.25) : d.chance(0.9);
    const nps = resolved && d.chance(0.3) ? d.index(handoff ? T.NPS_AGENT : T.NPS_BOT) : null;
    const pool = T.CAUSES[intent] ?? T.CAUSES.unknown!;
    const causes = [d.pick(pool)] as string[];
    if (pool.length > 1 && d.chance(0.1)) causes.push(d.pick(pool));
    const carriers = like ? null : country!.carriers;
    const carrier = like?.carrier ?? (T.PARCEL_INTENTS.has(intent) ? d.pick(carriers!) : null);
    const sku = like?.sku ?? (T.PRODUCT_INTENTS.has(intent) ? d.pick(T.SKUS) : null);
    const unmatchedCount = intent === 'unknown' ? d.int(1, 2) : d.chance(0.03) ? 1 : 0;
    const unmatched = Array.from({ length: unmatchedCount }, () => {
      const topic = T.UNMATCHED_TOPICS[d.index(T.UNMATCHED_TOPICS.map((t) => t.weight))]!;
      const own = topic.texts.filter(([l]) => l === language);
      const [l, text] = own.length && d.chance(0.8) ? own[d.int(0, own.length - 1)]! : topic.texts[d.int(0, topic.texts.length - 1)]!;
      return { text, language: l };
    });
    const buyerId = like?.buyerId ?? `demo-${day.replace(/-/g, '')}-${++n}`;
    const channel = like?.channel ?? d.pick(T.CHANNELS);
    return {
      workflowId: `conv:${shopId}:${channel}:${buyerId}`,
      buyerId,
      channel,
      country: like?.country ?? country!.cc,
      language,
      intent,
      openedAt,
      closedAt: new Date(Math.min(openedAt.getTime() + minutes * 60_000, dayEnd)),
      turns,
      handoffReason,
      agentId,
      resolved,
      nps,
      causes: [...new Set(causes)].sort(),
      carrier,
      sku,
      advancedTracking: intent === 'logistics_tracking' && (carrier === 'dhl-express' || carrier === 'fedex') && d.chance(0.35),
      unmatched,
      firstResponseMs: Math.round(d.between(900, 4000)),
      repeated: false,
      orderValueUsd: handoffReason === 'order_value' ? Math.round(d.between(200, 650)) : null,
    };
  };
  for (let i = 0; i < total; i++) {
    const day = addDays(from, i);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const count = Math.max(40, Math.min(150, Math.round(75 * T.WEEKDAY[weekday]! * (0.9 + (0.2 * i) / total) * d.between(0.88, 1.12))));
    if (skipDays.has(day)) continue;
    for (let j = 0; j < count; j++) {
      const c = make(day, d.index(T.HOURS) * 3600 + d.int(0, 3599));
      out.push(c);
      // Some buyers come back on the same intent within 24 h: the first conversation was not resolved at first contact.
      if (c.resolved && !c.handoffReason && c.intent !== 'unknown' && d.chance(0.07)) {
        const at = c.closedAt.getTime() + d.between(1, 20) * 3600_000;
        const againDay = dayIn(new Date(at), tz);
        if (againDay > to || skipDays.has(againDay)) continue;
        const midnight = localInstant(againDay, 0, tz).getTime();
        const again = make(againDay, Math.floor((at - midnight) / 1000), c);
        c.repeated = true;
        out.push(again);
      }
    }
  }
  return { from, to, conversations: out };
}

// ---- writing ----
const round6 = (v: Float32Array) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6);

async function embedAll(texts: string[], embedder: DemoEmbedder | undefined, log?: (m: string) => void) {
  const out = new Map<string, number[]>();
  try {
    const e = embedder ?? sharedEmbedder();
    const vs = await e.embed(texts, 'query');
    texts.forEach((t, i) => out.set(t, round6(vs[i]!)));
    return { vectors: out, model: e.model };
  } catch (err) {
    log?.(`demo month: missed questions stored without vectors (${err instanceof Error ? err.message : String(err)})`);
    return { vectors: out, model: null };
  }
}

/** Seed the demo month into the shop (see the top of this file). */
export async function seedDemoMonth(shopId = DEMO_SHOP_ID, o: DemoMonthOptions = {}): Promise<DemoMonthResult> {
  const t0 = Date.now();
  const days = o.days ?? DEMO_MONTH_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > DEMO_MONTH_MAX_DAYS)
    throw new Error(`--days must be a whole number from 1 to ${DEMO_MONTH_MAX_DAYS} (got ${days})`);
  const shop = await ShopModel.findOne({ shopId }, { timeZone: 1, demoMonth: 1 }).lean();
  if (!shop) throw new Error(`no shop "${shopId}"`);
  const tz = shop.timeZone || 'UTC';
  const counts: DemoMonthCounts = {
    conversations: 0,
    handoffs: 0,
    npsAnswers: 0,
    unmatched: 0,
    advancedTracking: 0,
    tickets: 0,
    messages: 0,
    events: 0,
    rollups: 0,
  };
  if (shop.demoMonth?.from && shop.demoMonth.to) {
    counts.conversations = shop.demoMonth.conversations ?? 0;
    return { seeded: false, from: shop.demoMonth.from, to: shop.demoMonth.to, counts, ms: Date.now() - t0 };
  }
  await clearDemoMonth(shopId); // what an interrupted seed left
  const { from, to } = demoMonthDays(o.now ?? new Date(), days, tz);
  const realDays = new Set<string>(await DailyRollupModel.distinct('day', { shopId, day: { $gte: from, $lte: to } }));
  const plan = planDemoMonth(shopId, from, to, tz, realDays);

  // The missed questions' vectors are computed while the rest is written.
  const texts = [...new Set(plan.conversations.flatMap((c) => c.unmatched.map((u) => u.text)))];
  const embedded = embedAll(texts, o.embedder, o.log);
  const unmatchedRows: Array<{ text: string; row: Record<string, unknown> }> = [];

  const conversations: Array<Record<string, unknown>> = [];
  const messages: Array<Record<string, unknown>> = [];
  const events: ServiceEvent[] = [];
  const npsAnswers: Array<Record<string, unknown>> = [];
  const bumps = new Map<string, { key: RollupKey; counters: Record<string, number> }>();
  const bump = (key: RollupKey, counters: Record<string, number>) => {
    const id = `${key.day}|${key.channel}|${key.language}|${key.intent}`;
    const b = bumps.get(id) ?? bumps.set(id, { key, counters: {} }).get(id)!;
    for (const [k, v] of Object.entries(counters)) if (v) b.counters[k] = (b.counters[k] ?? 0) + v;
  };
  const transcriptsFrom = localInstant(addDays(to, -(TRANSCRIPT_DAYS - 1)), 0, tz).getTime();
  for (const c of plan.conversations) {
    const handoff = !!c.handoffReason;
    const fcr = c.resolved && !handoff && !c.repeated;
    const base = { shopId, workflowId: c.workflowId, channel: c.channel, demo: true as const };
    const k = `${c.workflowId}:${c.openedAt.getTime()}`;
    const span = c.closedAt.getTime() - c.openedAt.getTime();
    const inAt = (i: number) => new Date(c.openedAt.getTime() + 1000 + (i * span) / (c.turns + 1));
    const outAt = (i: number) => new Date(inAt(i).getTime() + (i === 0 ? c.firstResponseMs : 2000));
    const closeReason = handoff ? 'agent_idle' : 'idle';
    conversations.push({
      workflowId: c.workflowId,
      runId: 'demo',
      shopId,
      channel: c.channel,
      buyerId: c.buyerId,
      status: 'closed',
      intent: c.intent,
      language: c.language,
      turns: c.turns,
      escalated: handoff,
      handoffReason: c.handoffReason,
      agentId: c.agentId,
      orderValueUsd: c.orderValueUsd,
      openedAt: c.openedAt,
      closedAt: c.closedAt,
      closeReason,
      npsScore: c.nps,
      resolved: c.resolved,
      country: c.country,
      advancedTracking: c.advancedTracking,
      rootCauses: c.causes,
      rootCausesAuto: c.causes,
      rcCountry: c.country,
      rcCarrier: c.carrier,
      rcSkus: c.sku ? [c.sku] : [],
      fcr,
      firstResponseMs: c.firstResponseMs,
      insightsAt: c.closedAt,
      demo: true,
      createdAt: c.openedAt,
      updatedAt: c.closedAt,
    });
    const first = c.unmatched[0]?.text ?? T.FIRST_MESSAGE[c.intent]?.[c.language] ?? T.FIRST_MESSAGE[c.intent]?.en ?? '…';
    // signalled: true — the intake's relay signals unsignalled inbound records to their workflow (bots/intake.ts): never these.
    const msg = {
      channel: c.channel,
      shopId,
      buyerId: c.buyerId,
      workflowId: c.workflowId,
      language: c.language,
      attachments: [],
      quickReplies: [],
      signalled: true,
      signalAttempts: 0,
      demo: true,
    };
    // The first exchange of the last week's conversations (what the desk's lists show); older ones: counters only, to stay fast.
    if (c.openedAt.getTime() >= transcriptsFrom)
      messages.push(
        {
          ...msg,
          direction: 'in',
          author: 'buyer',
          text: first,
          status: 'received',
          externalId: `demo-${k}:in`,
          receivedAt: inAt(0),
          createdAt: inAt(0),
          updatedAt: inAt(0),
        },
        {
          ...msg,
          direction: 'out',
          author: 'bot',
          text: T.BOT_REPLY[c.language],
          status: 'sent',
          source: c.unmatched.length ? 'fallback' : 'faq',
          confidence: c.unmatched.length ? 0.2 : 0.82,
          externalId: `demo-${k}:out`,
          createdAt: outAt(0),
          updatedAt: outAt(0),
        },
      );
    for (let i = 0; i < c.turns; i++) {
      events.push({ ...base, at: inAt(i), key: `${k}:in:${i}`, data: { type: 'message_in', intent: c.intent, language: c.language } });
      const byAgent = handoff && i > 0;
      events.push({
        ...base,
        at: outAt(i),
        key: `${k}:out:${i}`,
        data: {
          type: 'message_out',
          source: byAgent ? null : c.unmatched.length && i === 0 ? 'fallback' : 'faq',
          faqEntryId: null,
          confidence: byAgent ? null : c.unmatched.length && i === 0 ? 0.2 : 0.82,
          author: byAgent ? 'agent' : 'bot',
        },
      });
    }
    if (handoff) events.push({ ...base, at: c.closedAt, key: `${k}:handoff`, data: { type: 'handoff', reason: c.handoffReason } });
    const outcome = { type: 'outcome' as const, resolved: c.resolved, rootCauses: c.causes, closeReason };
    events.push({ ...base, at: c.closedAt, key: `${k}:outcome`, data: { ...outcome, npsScore: null } });
    c.unmatched.forEach((u, i) =>
      unmatchedRows.push({
        text: u.text,
        row: {
          shopId,
          text: u.text,
          language: u.language,
          bestQuestionId: null,
          confidence: 0.1,
          workflowId: c.workflowId,
          demo: true,
          createdAt: new Date(inAt(i).getTime() + 10),
          updatedAt: new Date(inAt(i).getTime() + 10),
        },
      }),
    );
    const key: RollupKey = { shopId, day: dayIn(c.closedAt, tz), channel: c.channel, language: c.language, intent: c.intent };
    // An agent's first reply after the handoff: 1–26 min, derived from the plan (no extra draw, same data on a rerun).
    const agentFirstMs = handoff ? 60_000 + ((c.firstResponseMs * 7919) % (25 * 60_000)) : null;
    bump(key, {
      closed: 1,
      resolved: c.resolved ? 1 : 0,
      botOnly: handoff ? 0 : 1,
      handoff: handoff ? 1 : 0,
      ...(handoff ? { [`handoffReason.${fieldSafe(c.handoffReason!)}`]: 1 } : {}),
      fcr: fcr ? 1 : 0,
      repeatWithin24h: c.repeated ? 1 : 0,
      messagesIn: c.turns,
      messagesOut: c.turns,
      unmatched: c.unmatched.length,
      frtMsSum: c.firstResponseMs,
      frtCount: 1,
      ...durationCounters('frtBot', c.firstResponseMs),
      ...durationCounters('frtAgent', agentFirstMs),
      ...durationCounters(handoff ? 'rtAgent' : 'rtBot', c.closedAt.getTime() - c.openedAt.getTime()),
      ...causeCounters(c.causes, { country: c.country, carrier: c.carrier, skus: c.sku ? [c.sku] : [] }),
    });
    if (c.nps !== null) {
      const at = new Date(c.closedAt.getTime() + 5 * 60_000);
      npsAnswers.push({
        workflowId: c.workflowId,
        shopId,
        channel: c.channel,
        buyerId: c.buyerId,
        score: c.nps,
        text: String(c.nps),
        language: c.language,
        closedAt: c.closedAt,
        demo: true,
        createdAt: at,
        updatedAt: at,
      });
      events.push({ ...base, at, key: `${k}:nps`, data: { ...outcome, npsScore: c.nps } });
      bump(key, { [`nps.${c.nps}`]: 1, [`${handoff ? 'npsAgent' : 'npsBot'}.${c.nps}`]: 1 });
    }
    counts.handoffs += handoff ? 1 : 0;
    counts.advancedTracking += c.advancedTracking ? 1 : 0;
  }

  // A handful of tickets, each about a conversation of its intent (handed off when one was).
  const tickets: Array<Record<string, unknown> & { conversationIds: string[] }> = [];
  for (const [i, t] of T.TICKETS.entries()) {
    const about = plan.conversations.filter((c) => c.intent === t.intent);
    const c = about.find((x) => x.handoffReason && !tickets.some((y) => y.conversationIds[0] === x.workflowId)) ?? about[i];
    if (!c) continue;
    const opened = new Date(c.closedAt.getTime() - 60_000);
    const done = new Date(opened.getTime() + (6 + i * 7) * 3600_000);
    const end = localInstant(addDays(to, 1), 0, tz);
    const doneAt = done < end ? done : new Date(end.getTime() - 60_000);
    const id = `demo-tk-${i + 1}`;
    tickets.push({
      _id: id,
      number: await nextTicketNumber(shopId),
      shopId,
      subject: t.subject,
      status: t.status,
      priority: t.priority,
      source: t.source,
      key: `demo-month:${shopId}:${i + 1}`,
      assigneeId: c.agentId ?? 'mia',
      channel: c.channel,
      buyerId: c.buyerId,
      conversationIds: [c.workflowId],
      tags: t.tags,
      createdBy: t.source === 'agent' ? (c.agentId ?? 'mia') : null,
      solvedAt: doneAt,
      closedAt: t.status === 'closed' ? doneAt : null,
      demo: true,
      events: [
        { at: opened, kind: 'created', text: `Opened (${t.source.replace(/_/g, ' ')}): ${t.subject}`, by: null },
        { at: doneAt, kind: 'status', text: `Status: ${t.status}`, by: c.agentId ?? 'mia' },
      ],
      createdAt: opened,
      updatedAt: doneAt,
    });
    for (const [j, [at, status]] of (
      [
        [opened, 'open'],
        [doneAt, t.status],
      ] as const
    ).entries())
      events.push({
        shopId,
        workflowId: c.workflowId,
        channel: c.channel,
        at,
        key: `${id}:ticket:${j}`,
        demo: true,
        data: { type: 'ticket_change', ticketId: id, change: 'created', status, priority: 'normal', assigneeId: null },
      });
  }

  const phases: Record<string, number> = { plan: Date.now() - t0 };
  const timed = async (name: string, f: () => Promise<unknown>) => {
    const t = Date.now();
    await f();
    phases[name] = Date.now() - t;
  };
  const opts = { ordered: false, timestamps: false } as const;
  // Large, fully spelled-out documents: no per-document casting (every field a reader needs is set above).
  const lean = { ordered: false, lean: true } as const;
  const chunks = <X>(xs: X[], n = 2000) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
  await Promise.all([
    timed('conversations', async () => {
      for (const c of chunks(conversations)) await ConversationModel.insertMany(c, opts);
    }),
    timed('messages', async () => {
      for (const c of chunks(messages)) await MessageModel.insertMany(c, lean);
    }),
    timed('events', async () => {
      for (const c of chunks(events)) await writeServiceEvents(c, { lean: true });
    }),
    timed('nps', () => NpsAnswerModel.insertMany(npsAnswers, lean)),
    timed('tickets', () => TicketModel.insertMany(tickets, opts)),
    timed('rollups', () => bumpRollups([...bumps.values()], { demo: true, fresh: true })),
    timed('missed', async () => {
      const { vectors, model } = await embedded;
      const rows = unmatchedRows.map(({ text, row }) => ({
        ...row,
        vector: vectors.get(text) ?? [],
        embedModel: vectors.has(text) ? model : null,
      }));
      await UnmatchedQuestionModel.insertMany(rows, lean);
    }),
  ]);
  // The marker last: a seed interrupted before it is cleared and redone on the next start.
  await ShopModel.updateOne({ shopId }, { $set: { demoMonth: { from, to, seededAt: new Date(), conversations: conversations.length } } });
  Object.assign(counts, {
    conversations: conversations.length,
    npsAnswers: npsAnswers.length,
    unmatched: unmatchedRows.length,
    tickets: tickets.length,
    messages: messages.length,
    events: events.length,
    rollups: bumps.size,
  });
  return { seeded: true, from, to, counts, ms: Date.now() - t0, phases };
}

/** Remove the shop's demo month (every document marked demo) and its marker; the counts removed. */
export async function clearDemoMonth(shopId = DEMO_SHOP_ID): Promise<Record<string, number>> {
  const q = { shopId, demo: true };
  const models = {
    conversations: ConversationModel,
    messages: MessageModel,
    events: ServiceEventModel,
    npsAnswers: NpsAnswerModel,
    unmatched: UnmatchedQuestionModel,
    tickets: TicketModel,
    rollups: DailyRollupModel,
  } as const;
  const out: Record<string, number> = {};
  for (const [name, m] of Object.entries(models)) out[name] = (await (m as typeof ConversationModel).deleteMany(q)).deletedCount;
  await ShopModel.updateOne({ shopId }, { $unset: { demoMonth: 1 } });
  return out;
}

/** The start banner's progress line. */
export function demoMonthLine(r: DemoMonthResult): string {
  const c = r.counts;
  if (!r.seeded)
    return `demo month ${r.from} … ${r.to} already seeded (${c.conversations} conversations); sora demo clear-month removes it`;
  return (
    `demo month ${r.from} … ${r.to} seeded (DEMO DATA): ${c.conversations} conversations, ${c.handoffs} handoffs, ` +
    `${c.npsAnswers} NPS answers, ${c.unmatched} missed questions, ${c.advancedTracking} advanced tracking, ${c.tickets} tickets (${(r.ms / 1000).toFixed(1)} s)`
  );
}
