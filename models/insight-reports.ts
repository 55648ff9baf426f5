/**
 * Reports from daily rollups (models/daily-rollup.ts), pure: the desk's KPI and root-cause reports
 * (bots/desk/reports.ts) sum the rollup rows of a period and compute the figures defined in
 * docs/insights.md. Nothing here reads messages.
 */
import { DailyRollupModel, unsafeField } from './daily-rollup.js';

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

export function kpisFromRollups(rows: RollupRow[]) {
  const closed = total(rows, 'closed');
  const resolved = total(rows, 'resolved');
  const handoffs = total(rows, 'handoff');
  const botOnly = total(rows, 'botOnly');
  const messagesIn = total(rows, 'messagesIn');
  const frtCount = total(rows, 'frtCount');
  const nps = npsOf(sumNested(rows, 'nps'));
  return {
    conversations: { closed, resolved },
    nps: {
      ...nps,
      responseRate: ratio(nps.answers, resolved),
      botOnly: npsOf(sumNested(rows, 'npsBot')),
      agentHandled: npsOf(sumNested(rows, 'npsAgent')),
    },
    fcr: { rate: ratio(total(rows, 'fcr'), closed), count: total(rows, 'fcr'), repeatsWithin24h: total(rows, 'repeatWithin24h') },
    automationRate: ratio(botOnly, closed),
    handoff: { rate: ratio(handoffs, closed), count: handoffs, reasons: sumNested(rows, 'handoffReason') },
    unmatched: { rate: ratio(total(rows, 'unmatched'), messagesIn), count: total(rows, 'unmatched'), messagesIn },
    rootCauseCorrections: total(rows, 'corrections'),
    firstResponse: { meanSeconds: frtCount ? Math.round(total(rows, 'frtMsSum') / frtCount / 100) / 10 : null, count: frtCount },
  };
}

export type RootCauseDimension = 'channel' | 'country' | 'carrier';

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
      for (const [group, causes] of Object.entries(obj(r.c[by === 'country' ? 'rcCountry' : 'rcCarrier'])))
        for (const [k, v] of Object.entries(obj(causes))) add(unsafeField(group), unsafeField(k), num(v));
  }
  for (const g of Object.values(out)) for (const [k, v] of Object.entries(g)) if (v === 0) delete g[k];
  return out;
}

/** Root-cause counts over the rows (causes corrected away to 0 left out). */
export const causeTotals = (rows: RollupRow[]): Record<string, number> =>
  Object.fromEntries(Object.entries(sumNested(rows, 'rc')).filter(([, n]) => n !== 0));

/** The rollup rows of a shop between two days (inclusive). */
export async function rollupRows(shopId: string, from: string, to: string): Promise<RollupRow[]> {
  return (await DailyRollupModel.find(
    { shopId, day: { $gte: from, $lte: to } },
    { _id: 0, day: 1, channel: 1, language: 1, intent: 1, c: 1 },
  ).lean()) as RollupRow[];
}
