/**
 * The desk's health summary (issue 17 item 6): GET /desk/api/health[?shop=ID] → what needs action
 * now in the caller's shops, and the headline numbers of the last 24 h, read from MongoDB (so every
 * gateway answers the same, whichever process did the work; `/metrics` is the per-process view).
 *
 *   actions   carrier_key_expired / carrier_key_expiring (within `warnHours`, default 72 like the
 *             audit), channel_logged_out (the last 7 days' logout notifications, latest per shop and
 *             channel), error_spike (send failures, and for callers over every shop activity retry
 *             alerts: last hour ≥ SPIKE_MIN and ≥ SPIKE_FACTOR × the previous 24 h's hourly average),
 *             sla_breach (tickets still owed with breachedAt set or dueAt passed).
 *   headline  inbound / outbound (sent) / send failures / handoffs / questions not understood over the
 *             last 24 h, and the unmatched rate = not understood ÷ inbound.
 *   thisProcess (callers over every shop) reply latency p50/p95 and distribution, carrier API calls,
 *             errors and mean latency, from this process's Prometheus metrics since it started.
 */
import { Router, type Request } from 'express';
import { csvText } from '../../infra/csv-cells.js';
import { HttpError } from '../http-errors.js';
import { ALL_SHOPS } from '../../models/agent.js';
import { CarrierCredentialModel } from '../../models/carrier-credential.js';
import { MessageModel } from '../../models/message.js';
import { NotificationModel } from '../../models/notification.js';
import { TicketModel } from '../../models/ticket.js';
import { UnmatchedQuestionModel } from '../../models/unmatched-question.js';
import { requireShop, shopFilter } from './auth.js';
import { processMetricsView } from './process-metrics.js';
import { boundedParam, DESK_LIMITS } from './scope.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** An error spike: at least this many failures in the last hour… */
export const SPIKE_MIN = 5;
/** …and this many times the hourly average of the 24 h before it. */
export const SPIKE_FACTOR = 3;
const OWED = ['open', 'pending', 'on_hold'] as ('open' | 'pending' | 'on_hold')[];
const MAX_LISTED = 50;

export interface HealthRouteOptions {
  /** Carrier keys expiring within this many hours need action (SORA_CARRIER_KEY_WARN_HOURS; default 72). */
  warnHours?: number;
}

/** The shop filter of the request: ?shop= (one the caller sees, else 404) or every shop of the caller. */
function scope(req: Request): { shopId?: string | { $in: string[] } } {
  if (req.query.shop === undefined) return shopFilter(req);
  return { shopId: requireShop(req, boundedParam(req.query.shop, 'shop', DESK_LIMITS.shopId)) };
}

function spike(lastHour: number, previous24h: number): { spike: boolean; lastHour: number; hourlyAverage: number } {
  const hourlyAverage = Math.round((previous24h / 24) * 100) / 100;
  return { spike: lastHour >= SPIKE_MIN && lastHour >= SPIKE_FACTOR * hourlyAverage, lastHour, hourlyAverage };
}

export function healthRoutes(o: HealthRouteOptions = {}): Router {
  const r = Router();
  const warnMs = (o.warnHours ?? 72) * HOUR;
  r.get('/health', async (req, res) => {
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw new HttpError(422, 'invalid_request', 'format: must be json or csv', [{ field: 'format', problem: 'must be json or csv' }]);
    const shops = scope(req);
    const now = new Date();
    const hourAgo = new Date(now.getTime() - HOUR);
    const dayAgo = new Date(now.getTime() - DAY);
    const dayBeforeHour = new Date(hourAgo.getTime() - DAY);
    const everyShop = req.agent!.shopIds.includes(ALL_SHOPS) && req.query.shop === undefined;

    const [
      keys,
      logouts,
      breached,
      breachedCount,
      failedHour,
      failedPrev,
      retryHour,
      retryPrev,
      inbound,
      outbound,
      failed24,
      handoffs,
      unmatched,
    ] = await Promise.all([
      CarrierCredentialModel.find(
        { ...shops, expiresAt: { $lte: new Date(now.getTime() + warnMs) } },
        { shopId: 1, carrier: 1, expiresAt: 1 },
      )
        .sort({ expiresAt: 1 })
        .limit(MAX_LISTED)
        .lean(),
      NotificationModel.find(
        { ...shops, kind: 'channel_logged_out', createdAt: { $gte: new Date(now.getTime() - 7 * DAY) } },
        {
          shopId: 1,
          channel: 1,
          createdAt: 1,
          text: 1,
        },
      )
        .sort({ createdAt: -1 })
        .limit(200)
        .lean(),
      TicketModel.find(
        { ...shops, status: { $in: OWED }, $or: [{ breachedAt: { $ne: null } }, { dueAt: { $ne: null, $lt: now } }] },
        { number: 1, shopId: 1, subject: 1, status: 1, priority: 1, dueAt: 1, breachedAt: 1, assigneeId: 1 },
      )
        .sort({ dueAt: 1 })
        .limit(MAX_LISTED)
        .lean(),
      TicketModel.countDocuments({
        ...shops,
        status: { $in: OWED },
        $or: [{ breachedAt: { $ne: null } }, { dueAt: { $ne: null, $lt: now } }],
      }),
      MessageModel.countDocuments({ ...shops, direction: 'out', status: 'failed', updatedAt: { $gte: hourAgo } }),
      MessageModel.countDocuments({ ...shops, direction: 'out', status: 'failed', updatedAt: { $gte: dayBeforeHour, $lt: hourAgo } }),
      everyShop ? NotificationModel.countDocuments({ kind: 'activity_retrying', createdAt: { $gte: hourAgo } }) : 0,
      everyShop ? NotificationModel.countDocuments({ kind: 'activity_retrying', createdAt: { $gte: dayBeforeHour, $lt: hourAgo } }) : 0,
      MessageModel.countDocuments({ ...shops, direction: 'in', author: 'buyer', createdAt: { $gte: dayAgo } }),
      MessageModel.countDocuments({ ...shops, direction: 'out', status: 'sent', createdAt: { $gte: dayAgo } }),
      MessageModel.countDocuments({ ...shops, direction: 'out', status: 'failed', updatedAt: { $gte: dayAgo } }),
      NotificationModel.countDocuments({ ...shops, kind: 'handoff', createdAt: { $gte: dayAgo } }),
      UnmatchedQuestionModel.countDocuments({ ...shops, createdAt: { $gte: dayAgo } }),
    ]);

    const actions: Array<Record<string, unknown>> = [];
    for (const k of keys) {
      const expired = k.expiresAt.getTime() <= now.getTime();
      actions.push({
        kind: expired ? 'carrier_key_expired' : 'carrier_key_expiring',
        shopId: k.shopId,
        carrier: k.carrier,
        expiresAt: k.expiresAt.toISOString(),
        hoursLeft: Math.round((k.expiresAt.getTime() - now.getTime()) / HOUR),
        action: `set a new ${k.carrier} key: sora carrier-keys set --shop ${k.shopId} --carrier ${k.carrier}`,
      });
    }
    const seen = new Set<string>();
    for (const n of logouts) {
      const id = `${n.shopId}\u0000${n.channel}`;
      if (seen.has(id)) continue;
      seen.add(id);
      actions.push({
        kind: 'channel_logged_out',
        shopId: n.shopId,
        channel: n.channel,
        at: (n as { createdAt?: Date }).createdAt?.toISOString() ?? null,
        text: n.text,
        action: 'link the account again (WhatsApp: GET /operator/whatsapp/qr)',
      });
    }
    const sendSpike = spike(failedHour, failedPrev);
    if (sendSpike.spike) actions.push({ kind: 'error_spike', source: 'send_failures', ...sendSpike });
    const retrySpike = spike(retryHour, retryPrev);
    if (retrySpike.spike) actions.push({ kind: 'error_spike', source: 'activity_retries', ...retrySpike });
    for (const t of breached)
      actions.push({
        kind: 'sla_breach',
        shopId: t.shopId,
        ticketId: t._id,
        number: t.number,
        subject: t.subject,
        status: t.status,
        priority: t.priority,
        assigneeId: t.assigneeId ?? null,
        dueAt: t.dueAt?.toISOString() ?? null,
        breachedAt: t.breachedAt?.toISOString() ?? null,
      });

    const body = {
      at: now.toISOString(),
      shop: typeof shops.shopId === 'string' ? shops.shopId : null,
      actions,
      slaBreaches: breachedCount,
      errors: { sendFailures: sendSpike, ...(everyShop ? { activityRetries: retrySpike } : {}) },
      // This gateway process's reply latency and carrier calls (admins over every shop; bots/desk/process-metrics.ts).
      ...(everyShop ? { thisProcess: await processMetricsView() } : {}),
      last24h: {
        inbound,
        outbound,
        sendFailures: failed24,
        handoffs,
        unmatched,
        unmatchedRate: inbound ? Math.round((unmatched / inbound) * 1000) / 1000 : null,
      },
    };
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'json') return void res.json(body);
    res.setHeader('Content-Disposition', `attachment; filename="health-${now.toISOString().slice(0, 16).replace(':', '')}.csv"`);
    res.type('text/csv').send(csvText(healthRows(body)));
  });
  return r;
}

/** The health answer as CSV rows: section, name, value, detail (the figures, then each action). */
function healthRows(h: {
  at: string;
  actions: Array<Record<string, unknown>>;
  slaBreaches: number;
  errors: Record<string, { spike: boolean; lastHour: number; hourlyAverage: number }>;
  last24h: Record<string, number | null>;
  thisProcess?: Awaited<ReturnType<typeof processMetricsView>>;
}): unknown[][] {
  const rows: unknown[][] = [['section', 'name', 'value', 'detail']];
  for (const [k, v] of Object.entries(h.last24h)) rows.push(['last_24h', k, v, '']);
  rows.push(['now', 'sla_breaches', h.slaBreaches, '']);
  for (const [k, e] of Object.entries(h.errors))
    rows.push(['errors_last_hour', k, e.lastHour, `hourly average ${e.hourlyAverage}${e.spike ? ', spike' : ''}`]);
  if (h.thisProcess) {
    const r = h.thisProcess.replyLatency;
    rows.push(['this_process', 'reply_latency_p50_seconds', r.p50, `${r.count} replies since ${h.thisProcess.since}`]);
    rows.push(['this_process', 'reply_latency_p95_seconds', r.p95, '']);
    for (const c of h.thisProcess.carriers) {
      rows.push(['this_process', `carrier_${c.carrier}_calls`, c.requests, `mean ${c.meanSeconds ?? ''} s`]);
      for (const [kind, n] of Object.entries(c.errors)) rows.push(['this_process', `carrier_${c.carrier}_errors_${kind}`, n, '']);
    }
  }
  for (const a of h.actions) {
    const { kind, action, ...rest } = a;
    rows.push(['action', kind, '', [JSON.stringify(rest), action ? `do: ${String(action)}` : ''].filter(Boolean).join(' ')]);
  }
  return rows;
}
