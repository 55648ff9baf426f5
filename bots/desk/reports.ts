/**
 * Insight reports and root-cause corrections (issue 17), read from daily rollups only:
 *   GET /desk/api/reports/kpis?shop=&from=&to=&format=json|csv
 *   GET /desk/api/reports/root-causes?shop=&from=&to=&by=channel|country|carrier|sku&format=json|csv
 *   PUT /desk/api/conversations/:id/root-causes {tags}
 * Scoped by the caller's shops (another shop: 404); bad dates or parameters: 422 naming them.
 * Definitions: docs/insights.md.
 */
import { csvText as csv } from '../../infra/csv-cells.js';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { ConversationModel } from '../../models/conversation.js';
import { bumpRollup, dayIn } from '../../models/daily-rollup.js';
import { hasDemoData } from '../../models/demo-data.js';
import {
  causeSeries,
  causeTotals,
  kpisFromRollups,
  rollupRows,
  ROOT_CAUSE_DIMENSIONS,
  rootCausesFromRollups,
  type RootCauseDimension,
} from '../../models/insight-reports.js';
import { kpiDefinitions } from '../../models/kpi-definitions.js';
import { causeCounters, causeFactsOf } from '../../models/root-cause-counters.js';
import { isRootCause, ROOT_CAUSES } from '../../models/root-cause-taxonomy.js';
import { ShopModel } from '../../models/shop.js';
import { writeServiceEvents } from '../../models/service-event.js';
import { requireShop } from './auth.js';
import { boundedParam, conversationOf, DESK_LIMITS, parseBody, bad, dayParam, MAX_REPORT_DAYS as MAX_DAYS } from './scope.js';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400_000);

function period(req: Request) {
  const shopId = requireShop(req, boundedParam(req.query.shop, 'shop', DESK_LIMITS.shopId));
  const from = dayParam(req.query.from, 'from');
  const to = dayParam(req.query.to, 'to');
  if (to < from) bad('to', 'must not be before from');
  if (daysBetween(from, to) + 1 > MAX_DAYS) bad('to', `the period must be at most ${MAX_DAYS} days`);
  const format = req.query.format ?? 'json';
  if (format !== 'json' && format !== 'csv') bad('format', 'must be json or csv');
  return { shopId, from, to, format: format as 'json' | 'csv' };
}

const tagsBody = z.object({
  tags: z
    .array(z.string().refine(isRootCause, { message: `each tag must be one of: ${ROOT_CAUSES.join(', ')}` }), {
      required_error: 'tags is required',
      invalid_type_error: 'tags must be an array of root causes',
    })
    .min(1, 'tags must name at least one root cause')
    .max(ROOT_CAUSES.length),
});

export interface ReportOptions {
  /** SORA_FCR_WINDOW (config.insights.fcrWindowMs): stated in the FCR definition. Default 24 h. */
  fcrWindowMs?: number;
}

type Figures = ReturnType<typeof kpisFromRollups>['byIntent'][string];
const rateCells = (f: Figures) => [f.closed, f.fcrRate, f.automationRate, f.handoffRate, f.unmatchedRate, f.nps, f.npsAnswers];
const durationRows = (
  name: string,
  d: { meanSeconds: number | null; p50Seconds: number | null; p90Seconds: number | null; count: number },
) => [
  [`${name}_mean_seconds`, d.meanSeconds],
  [`${name}_p50_seconds`, d.p50Seconds],
  [`${name}_p90_seconds`, d.p90Seconds],
  [`${name}_count`, d.count],
];

export function reportRoutes(opts: ReportOptions = {}): Router {
  const r = Router();
  const fcrWindowMs = opts.fcrWindowMs ?? 24 * 3600_000;
  const definitions = kpiDefinitions(fcrWindowMs);
  const windowHours = Math.round((fcrWindowMs / 3600_000) * 100) / 100;

  r.get('/reports/kpis', async (req, res) => {
    const p = period(req);
    const k = kpisFromRollups(await rollupRows(p.shopId, p.from, p.to), p);
    res.setHeader('Cache-Control', 'no-store');
    // `demo`: the period holds the synthetic demo month (scripts/demo/demo-month.ts): the desk shows a banner.
    if (p.format === 'json')
      return void res.json({
        shop: p.shopId,
        from: p.from,
        to: p.to,
        demo: await hasDemoData(p.shopId, p.from, p.to),
        ...k,
        fcr: { ...k.fcr, windowHours },
        definitions,
      });
    const lines: unknown[][] = [
      ['metric', 'value'],
      ['closed', k.conversations.closed],
      ['resolved', k.conversations.resolved],
      ['nps', k.nps.score],
      ['nps_answers', k.nps.answers],
      ['nps_response_rate', k.nps.responseRate],
      ['nps_bot_only', k.nps.botOnly.score],
      ['nps_agent_handled', k.nps.agentHandled.score],
      ...k.nps.distribution.map((n, i) => [`nps_score_${i}`, n]),
      ['fcr_rate', k.fcr.rate],
      ['fcr_repeats', k.fcr.repeats],
      ['fcr_window_hours', windowHours],
      ['automation_rate', k.automationRate],
      ['handoff_rate', k.handoff.rate],
      ...Object.entries(k.handoff.reasons).map(([reason, n]) => [`handoff_reason_${reason}`, n]),
      ['unmatched_rate', k.unmatched.rate],
      ['first_response_mean_seconds', k.firstResponse.meanSeconds],
      ...durationRows('first_response_bot', k.firstResponse.bot),
      ...durationRows('first_response_agent', k.firstResponse.agent),
      ...durationRows('resolution_bot', k.resolution.bot),
      ...durationRows('resolution_agent', k.resolution.agent),
      ['root_cause_corrections', k.rootCauseCorrections],
      [],
      ['breakdown', 'group', 'closed', 'fcr_rate', 'automation_rate', 'handoff_rate', 'unmatched_rate', 'nps', 'nps_answers'],
      ...(['intent', 'language', 'channel'] as const).flatMap((dim) =>
        Object.entries(k[dim === 'intent' ? 'byIntent' : dim === 'language' ? 'byLanguage' : 'byChannel']).map(([g, f]) => [
          dim,
          g,
          ...rateCells(f),
        ]),
      ),
      [],
      [
        'day',
        'closed',
        'resolved',
        'nps',
        'nps_answers',
        'fcr_rate',
        'automation_rate',
        'handoff_rate',
        'unmatched_rate',
        'first_response_mean_seconds',
      ],
      ...k.series.map((d) => [
        d.day,
        d.closed,
        d.resolved,
        d.nps,
        d.npsAnswers,
        d.fcrRate,
        d.automationRate,
        d.handoffRate,
        d.unmatchedRate,
        d.firstResponseMeanSeconds,
      ]),
    ];
    res.type('text/csv').setHeader('Content-Disposition', `attachment; filename="kpis-${p.shopId}-${p.from}-${p.to}.csv"`);
    res.send(csv(lines));
  });

  r.get('/reports/root-causes', async (req, res) => {
    const p = period(req);
    const by = (req.query.by ?? 'channel') as string;
    if (!ROOT_CAUSE_DIMENSIONS.includes(by as RootCauseDimension)) bad('by', `must be one of ${ROOT_CAUSE_DIMENSIONS.join(', ')}`);
    const days = daysBetween(p.from, p.to) + 1;
    const prevFrom = addDays(p.from, -days);
    const prevTo = addDays(p.from, -1);
    const [now, before] = await Promise.all([rollupRows(p.shopId, p.from, p.to), rollupRows(p.shopId, prevFrom, prevTo)]);
    const totals = causeTotals(now);
    const previous = causeTotals(before);
    const causes = [...new Set([...Object.keys(totals), ...Object.keys(previous)])].sort();
    const trend = causes.map((cause) => ({
      cause,
      count: totals[cause] ?? 0,
      previous: previous[cause] ?? 0,
      change: (totals[cause] ?? 0) - (previous[cause] ?? 0),
      changePct: previous[cause] ? Math.round((((totals[cause] ?? 0) - previous[cause]!) / previous[cause]!) * 1000) / 10 : null,
    }));
    const groups = rootCausesFromRollups(now, by as RootCauseDimension);
    const { causes: topCauses, series } = causeSeries(now, p.from, p.to);
    res.setHeader('Cache-Control', 'no-store');
    if (p.format === 'json')
      return void res.json({
        shop: p.shopId,
        from: p.from,
        to: p.to,
        by,
        demo: await hasDemoData(p.shopId, prevFrom, p.to),
        previousPeriod: { from: prevFrom, to: prevTo },
        totals,
        groups,
        trend,
        topCauses,
        series,
      });
    const lines: unknown[][] = [[by, 'cause', 'count']];
    for (const [g, cs] of Object.entries(groups)) for (const [c, n] of Object.entries(cs)) lines.push([g, c, n]);
    lines.push([], ['cause', 'count', 'previous', 'change']);
    for (const t of trend) lines.push([t.cause, t.count, t.previous, t.change]);
    lines.push([], ['day', ...topCauses]);
    for (const d of series) lines.push([d.day, ...topCauses.map((c) => d.counts[c])]);
    res.type('text/csv').setHeader('Content-Disposition', `attachment; filename="root-causes-${p.shopId}-${p.from}-${p.to}.csv"`);
    res.send(csv(lines));
  });

  r.put('/conversations/:id/root-causes', async (req, res) => {
    const c = await conversationOf(req);
    const { tags } = parseBody(tagsBody, req);
    const next = [...new Set(tags)].sort();
    const old = c.rootCauses ?? [];
    await ConversationModel.updateOne(
      { _id: c._id },
      { $set: { rootCauses: next, rootCausesEditedBy: req.agent!.id, rootCausesEditedAt: new Date() } },
    );
    await writeServiceEvents([
      {
        shopId: c.shopId,
        workflowId: c.workflowId,
        channel: c.channel,
        at: new Date(),
        key: `${c.workflowId}:${c.openedAt.getTime()}:root-causes:${Date.now()}:${req.agent!.id}`,
        data: { type: 'agent_action', action: 'root_causes_corrected', agentId: req.agent!.id },
      },
    ]);
    // Already counted (closed): move the counts from the old tags to the new ones, and count the correction.
    if (c.insightsAt && c.closedAt) {
      const shop = await ShopModel.findOne({ shopId: c.shopId }, { timeZone: 1 }).lean();
      const key = {
        shopId: c.shopId,
        day: dayIn(c.closedAt, shop?.timeZone),
        channel: c.channel,
        language: c.language ?? null,
        intent: c.intent ?? null,
      };
      // The same dimensions it was counted under at close (its order's country, carrier, SKUs).
      const counters: Record<string, number> = { corrections: 1 };
      for (const part of [causeCounters(old, causeFactsOf(c), -1), causeCounters(next, causeFactsOf(c), 1)])
        for (const [name, n] of Object.entries(part)) counters[name] = (counters[name] ?? 0) + n;
      await bumpRollup(key, counters);
    }
    res.json({ id: c.workflowId, rootCauses: next, rootCausesAuto: c.rootCausesAuto ?? null, editedBy: req.agent!.id });
  });

  return r;
}
