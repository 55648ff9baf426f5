/**
 * Results of the load bench: the per-step record, the table printed at the end, the results store
 * (docs/bench-load-results.json, one run per --label, so a "before" and an "after" run sit side
 * by side) and the BENCHMARKS.md section between `<!-- BEGIN load -->` and `<!-- END load -->`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../infra/config/index.js';
import type { LatencySummary } from './stats.js';
import type { OpCounters } from './mongo-ops.js';
import { latencyChartSvg, renderPng, type ChartSeries } from './chart.js';

export interface ProcFigures {
  cpuS: number;
  rssPeakMB: number;
  rssEndMB: number;
}

export interface StepResult {
  scenario: string;
  step: string;
  concurrency: number;
  messagesPerBuyer: number;
  thinkMs: number;
  buyers: number;
  sent: number;
  replies: number;
  errors: number;
  timeouts: number;
  errorSamples: string[];
  latency: LatencySummary;
  byChannel: Record<string, LatencySummary>;
  wallS: number;
  msgsPerSec: number;
  procs: Record<string, ProcFigures>;
  /** CPU ms of all measured processes per reply. */
  cpuMsPerMsg: number | null;
  eventsPerMsg: number | null;
  mongoOpsPerMsg: (OpCounters & { total: number }) | null;
  /** Scenario-specific figures (idle: timer lateness, open conversations …). */
  extra?: Record<string, string | number>;
}

export interface MachineInfo {
  cores: number;
  model: string;
  memGB: number;
  loadStart: number[];
  loadEnd: number[];
  others: string;
}

export interface RunRecord {
  label: string;
  startedAt: string;
  command: string;
  stack: string;
  machine: MachineInfo;
  steps: StepResult[];
}

export function machineInfo(): Omit<MachineInfo, 'loadEnd' | 'others'> {
  const cpus = os.cpus();
  return { cores: cpus.length, model: cpus[0]?.model.trim() ?? '?', memGB: Math.round(os.totalmem() / 1024 ** 3), loadStart: os.loadavg() };
}

/** The busiest other processes (command and ps's %CPU, an average over each one's life), for "what else was running". */
export function otherProcesses(exclude: number[]): string {
  const ps = spawnSync('ps', ['-eo', 'pid=,pcpu=,rss=,comm=', '--sort=-pcpu'], { encoding: 'utf8' });
  const rows = (ps.stdout ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((r) => r.length >= 4 && !exclude.includes(Number(r[0])) && r[3] !== 'ps' && Number(r[1]) >= 1)
    .slice(0, 8)
    .map((r) => `${r.slice(3).join(' ')} ${r[1]}%`);
  const all = (ps.stdout ?? '').split('\n').map((l) => l.trim().split(/\s+/).slice(3).join(' '));
  const count = (c: string) => all.filter((x) => x === c).length;
  return `${rows.join(', ') || 'none above 1 % CPU'} (%CPU over each process's life; in all ${count('node')} node, ${count('java')} java, ${count('temporal')} temporal)`;
}

const f0 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(0));
const f1 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));

export const COLUMNS = [
  'label',
  'scenario',
  'step',
  'buyers×msgs',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'max ms',
  'msg/s',
  'errors',
  'timeouts',
  'CPU ms/msg',
  'app CPU s',
  'app RSS MB peak/end',
  'Temporal RSS MB',
  'Mongo RSS MB',
  'events/msg',
  'Mongo ops/msg',
];

export function row(label: string, s: StepResult): string[] {
  const p = (n: string) => s.procs[n];
  const ops = s.mongoOpsPerMsg;
  return [
    label,
    s.scenario,
    s.step,
    `${s.buyers}×${s.messagesPerBuyer}`,
    f0(s.latency.p50),
    f0(s.latency.p95),
    f0(s.latency.p99),
    f0(s.latency.max),
    f1(s.msgsPerSec),
    String(s.errors),
    String(s.timeouts),
    f0(s.cpuMsPerMsg),
    f1(p('app')?.cpuS),
    p('app') ? `${f0(p('app')!.rssPeakMB)}/${f0(p('app')!.rssEndMB)}` : '–',
    p('temporal') ? f0(p('temporal')!.rssPeakMB) : '–',
    p('mongo') ? f0(p('mongo')!.rssPeakMB) : '–',
    f1(s.eventsPerMsg),
    ops ? `${f1(ops.total)} (i ${f1(ops.insert)} q ${f1(ops.query)} u ${f1(ops.update)} d ${f1(ops.delete)} c ${f1(ops.command)})` : '–',
  ];
}

export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Rows of several runs, interleaved by step so the same step of each label sits together. */
export function comparisonRows(runs: RunRecord[]): string[][] {
  const order: string[] = [];
  for (const r of runs) for (const s of r.steps) if (!order.includes(`${s.scenario}/${s.step}`)) order.push(`${s.scenario}/${s.step}`);
  return order.flatMap((key) => runs.flatMap((r) => r.steps.filter((s) => `${s.scenario}/${s.step}` === key).map((s) => row(r.label, s))));
}

export function chartSeries(runs: RunRecord[]): ChartSeries[] {
  return runs
    .map((r) => ({
      label: r.label,
      points: r.steps
        .filter((s) => s.scenario === 'concurrency' && s.replies > 0)
        .map((s) => ({ concurrency: s.concurrency, p50: s.latency.p50, p95: s.latency.p95 })),
    }))
    .filter((s) => s.points.length > 0);
}

export const RESULTS_FILE = path.join(projectRoot, 'docs', 'bench-load-results.json');
export const CHART_FILE = path.join(projectRoot, 'docs', 'images', 'bench-load-latency.png');
const BENCHMARKS = path.join(projectRoot, 'BENCHMARKS.md');

/** The stored runs with this one in place of an earlier run of the same label. */
export function mergeRuns(stored: RunRecord[], run: RunRecord): RunRecord[] {
  const i = stored.findIndex((r) => r.label === run.label);
  return i >= 0 ? stored.map((r, k) => (k === i ? run : r)) : [...stored, run];
}

function describeRun(r: RunRecord): string {
  const m = r.machine;
  return (
    `- **${r.label}** (${r.startedAt.slice(0, 16)}Z): \`${r.command}\` against ${r.stack}; ${m.cores} × ${m.model}, ${m.memGB} GB; ` +
    `load average ${m.loadStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ${m.loadEnd.map((l) => l.toFixed(2)).join(' / ')} at the end; ` +
    `other processes: ${m.others}`
  );
}

export function loadSection(runs: RunRecord[], chartPath: string | null): string {
  const extras = runs.flatMap((r) =>
    r.steps
      .filter((s) => s.extra)
      .map(
        (s) =>
          `- ${r.label} ${s.scenario}/${s.step}: ${Object.entries(s.extra!)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      ),
  );
  const errors = runs.flatMap((r) =>
    r.steps.filter((s) => s.errorSamples.length).map((s) => `- ${r.label} ${s.scenario}/${s.step}: ${s.errorSamples.join('; ')}`),
  );
  return [
    '<!-- BEGIN load -->',
    '`npm run bench:load` (bench/load): virtual buyers on web chat (POST, reply on the event stream) and signed WhatsApp Cloud webhooks ' +
      '(reply on a local Graph API stand-in), questions from the demo FAQ in rotating languages. Latency = POST sent → first reply. ' +
      'CPU ms/msg = CPU of app + Temporal + MongoDB over replies; events/msg = workflow history events over buyer messages (sample of ' +
      'conversations); Mongo ops/msg = serverStatus opcounters (i insert, q query, u update, d delete, c command) over replies. ' +
      'Row `start`: the first reply after the stack is up. Figures from a shared machine are noisy: compare labels of one session.',
    '',
    ...runs.map(describeRun),
    '',
    markdownTable(COLUMNS, comparisonRows(runs)),
    ...(extras.length ? ['', ...extras] : []),
    ...(errors.length ? ['', 'Errors (samples):', ...errors] : []),
    ...(chartPath ? ['', `![latency vs concurrency](${chartPath})`] : []),
    '<!-- END load -->',
  ].join('\n');
}

/** Stores the run, rewrites the BENCHMARKS.md section and the chart; returns the section. */
export async function publish(run: RunRecord): Promise<string> {
  const stored = existsSync(RESULTS_FILE) ? ((JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { runs: RunRecord[] }).runs ?? []) : [];
  const runs = mergeRuns(stored, run);
  const prettier = await import('prettier');
  const options = { ...(await prettier.resolveConfig(RESULTS_FILE)), parser: 'json' };
  writeFileSync(RESULTS_FILE, await prettier.format(JSON.stringify({ runs }), options));
  const series = chartSeries(runs);
  let chart: string | null = null;
  if (series.length) {
    mkdirSync(path.dirname(CHART_FILE), { recursive: true });
    writeFileSync(CHART_FILE, await renderPng(latencyChartSvg(series)));
    chart = path.relative(projectRoot, CHART_FILE);
  }
  const section = loadSection(runs, chart);
  const current = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '# Benchmarks\n';
  const marked = /<!-- BEGIN load -->[\s\S]*<!-- END load -->/;
  writeFileSync(
    BENCHMARKS,
    marked.test(current) ? current.replace(marked, () => section) : `${current.trimEnd()}\n\n## Load: many buyers at once\n\n${section}\n`,
  );
  return section;
}
