/**
 * Reports from daily rollups (models/daily-rollup.ts), pure: the desk's KPI and root-cause reports
 * (bots/desk/reports.ts) sum the rollup rows of a period and compute the figures defined in
 * docs/insights.md. Nothing here reads messages.
 */
import { DailyRollupModel, unsafeField } from './daily-rollup.js';
import { durationFigures } from './duration-histogram.js';

export interface RollupRow {
  day: string;
  channel: string;
  language: string;
  intent: string;
  c: Record<string, unknown>;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);

/** Sum a nested counter object (e.g. nps or handoffReason) over rows. */
function sumNested(rows: RollupRow[], field: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(obj(r.c[field]))) out[unsafeField(k)] = (out[unsafeField(k)] ?? 0) + num(v);
  return out;
}
const total = (rows: RollupRow[], field: string) => rows.reduce((s, r) => s + num(r.c[field]), 0);

export interface NpsFigures {
  score: number | null;
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  distribution: number[];
}

/** NPS = % promoters (9–10) − % detractors (0–6), one decimal; null without answers. */
export function npsOf(distribution: Record<string, number> | number[]): NpsFigures {
  const d = Array.from({ length: 11 }, (_, i) => num((distribution as Record<string, number>)[i]));
  const answers = d.reduce((a, b) => a + b, 0);
  const promoters = d[9]! + d[10]!;
  const detractors = d.slice(0, 7).reduce((a, b) => a + b, 0);
  const score = answers ? Math.round(((promoters - detractors) / answers) * 1000) / 10 : null;
  return { score, answers, promoters, passives: answers - promoters - detractors, detractors, distribution: d };
}

/** The rates of a group of rows (one day, intent, language or channel). */
export function rateFigures(rows: RollupRow[]) {
  const closed = total(rows, 'closed');
  const messagesIn = total(rows, 'messagesIn');
  const nps = npsOf(sumNested(rows, 'nps'));
  return {
    closed,
    resolved: total(rows, 'resolved'),
    fcrRate: ratio(total(rows, 'fcr'), closed),
    automationRate: ratio(total(rows, 'botOnly'), closed),
    handoffRate: ratio(total(rows, 'handoff'), closed),
    unmatchedRate: ratio(total(rows, 'unmatched'), messagesIn),
    nps: nps.score,
    npsAnswers: nps.answers,
  };
}

const groupBy = (rows: RollupRow[], key: (r: RollupRow) => string): Map<string, RollupRow[]> => {
  const m = new Map<string, RollupRow[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
};
const breakdown = (rows: RollupRow[], key: (r: RollupRow) => string) =>
  Object.fromEntries([...groupBy(rows, key)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, rs]) => [k, rateFigures(rs)]));

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive). */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const meanSeconds = (rows: RollupRow[], sum: string, count: string) => {
  const n = total(rows, count);
  return n ? Math.round(total(rows, sum) / n / 100) / 10 : null;
};

export function kpisFromRollups(rows: RollupRow[], period?: { from: string; to: string }) {
  const closed = total(rows, 'closed');
  const resolved = total(rows, 'resolved');
  const handoffs = total(rows, 'handoff');
  const botOnly = total(rows, 'botOnly');
  const messagesIn = total(rows, 'messagesIn');
  const frtCount = total(rows, 'frtCount');
  const nps = npsOf(sumNested(rows, 'nps'));
  const counters = rows.map((r) => r.c);
  const byDay = groupBy(rows, (r) => r.day);
  const days = period ? daysOf(period.from, period.to) : [...byDay.keys()].sort();
  return {
    conversations: { closed, resolved },
    nps: {
      ...nps,
      responseRate: ratio(nps.answers, resolved),
      botOnly: npsOf(sumNested(rows, 'npsBot')),
      agentHandled: npsOf(sumNested(rows, 'npsAgent')),
    },
    fcr: { rate: ratio(total(rows, 'fcr'), closed), count: total(rows, 'fcr'), repeats: total(rows, 'repeatWithin24h') },
    automationRate: ratio(botOnly, closed),
    handoff: { rate: ratio(handoffs, closed), count: handoffs, reasons: sumNested(rows, 'handoffReason') },
    unmatched: { rate: ratio(total(rows, 'unmatched'), messagesIn), count: total(rows, 'unmatched'), messagesIn },
    rootCauseCorrections: total(rows, 'corrections'),
    firstResponse: {
      meanSeconds: frtCount ? Math.round(total(rows, 'frtMsSum') / frtCount / 100) / 10 : null,
      count: frtCount,
      bot: durationFigures(counters, 'frtBot'),
      agent: durationFigures(counters, 'frtAgent'),
    },
    resolution: { bot: durationFigures(counters, 'rtBot'), agent: durationFigures(counters, 'rtAgent') },
    byIntent: breakdown(rows, (r) => r.intent),
    byLanguage: breakdown(rows, (r) => r.language),
    byChannel: breakdown(rows, (r) => r.channel),
    series: days.map((day) => {
      const rs = byDay.get(day) ?? [];
      const f = rateFigures(rs);
      return {
        day,
        closed: f.closed,
        resolved: f.resolved,
        nps: f.nps,
        npsAnswers: f.npsAnswers,
        fcrRate: f.fcrRate,
        automationRate: f.automationRate,
        handoffRate: f.handoffRate,
        unmatchedRate: f.unmatchedRate,
        firstResponseMeanSeconds: meanSeconds(rs, 'frtMsSum', 'frtCount'),
      };
    }),
  };
}

export type RootCauseDimension = 'channel' | 'country' | 'carrier' | 'sku';
export const ROOT_CAUSE_DIMENSIONS: RootCauseDimension[] = ['channel', 'country', 'carrier', 'sku'];
const DIMENSION_FIELD = { country: 'rcCountry', carrier: 'rcCarrier', sku: 'rcSku' } as const;

/** Root-cause counts per group of the dimension ("all" for the whole period). */
export function rootCausesFromRollups(rows: RollupRow[], by: RootCauseDimension): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const add = (group: string, cause: string, n: number) => {
    const g = (out[group] ??= {});
    g[cause] = (g[cause] ?? 0) + n;
  };
  for (const r of rows) {
    if (by === 'channel') for (const [k, v] of Object.entries(obj(r.c.rc))) add(r.channel, unsafeField(k), num(v));
    else
      for (const [group, causes] of Object.entries(obj(r.c[DIMENSION_FIELD[by]])))
        for (const [k, v] of Object.entries(obj(causes))) add(unsafeField(group), unsafeField(k), num(v));
  }
  for (const g of Object.values(out)) for (const [k, v] of Object.entries(g)) if (v === 0) delete g[k];
  return out;
}

/** Root-cause counts over the rows (causes corrected away to 0 left out). */
export const causeTotals = (rows: RollupRow[]): Record<string, number> =>
  Object.fromEntries(Object.entries(sumNested(rows, 'rc')).filter(([, n]) => n !== 0));

/** Daily counts of the top causes (by count over the rows) for a trend chart, every day of the period. */
export function causeSeries(rows: RollupRow[], from: string, to: string, top = 5) {
  const totals = causeTotals(rows);
  const causes = Object.entries(totals)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, top)
    .map(([c]) => c);
  const byDay = groupBy(rows, (r) => r.day);
  return {
    causes,
    series: daysOf(from, to).map((day) => {
      const t = causeTotals(byDay.get(day) ?? []);
      return { day, counts: Object.fromEntries(causes.map((c) => [c, t[c] ?? 0])) };
    }),
  };
}

/** The rollup rows of a shop between two days (inclusive). */
export async function rollupRows(shopId: string, from: string, to: string): Promise<RollupRow[]> {
  return (await DailyRollupModel.find(
    { shopId, day: { $gte: from, $lte: to } },
    { _id: 0, day: 1, channel: 1, language: 1, intent: 1, c: 1 },
  ).lean()) as RollupRow[];
}
