/**
 * The load bench's parts (bench/load): percentiles, /proc parsing, opcounter difference, the chart's
 * SVG and PNG, options; and its buyer loop for 3 buyers × 2 messages (web chat and the signed
 * WhatsApp Cloud webhook) against the real test stack, with the history and opcounter readers.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebchatAdapter } from '../bots/webchat.js';
import { WhatsappCloudAdapter } from '../bots/whatsapp-cloud/adapter.js';
import { loadConfig } from '../infra/config/index.js';
import { disconnectMongo } from '../models/connection.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { runBuyers, type MessageResult } from '../bench/load/buyers.js';
import { latencyChartSvg, renderPng } from '../bench/load/chart.js';
import { startGraphSink, type GraphSink } from '../bench/load/graph-sink.js';
import { HistoryCounter } from '../bench/load/history.js';
import { diffOps, OpCounterReader, parseOpCounters } from '../bench/load/mongo-ops.js';
import { parseOptions, parsePids, UsageError } from '../bench/load/options.js';
import { parseStatTicks, parseStatusKb, sampleProcess } from '../bench/load/proc.js';
import { questionPool } from '../bench/load/questions.js';
import { comparisonRows, mergeRuns, type RunRecord, type StepResult } from '../bench/load/report.js';
import { percentile, summarize } from '../bench/load/stats.js';
import { kbWorkbook } from '../bench/load/workbook.js';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DEMO_FAQ_FILE } from '../scripts/demo/demo-shop.js';
import { useFreshDatabase } from './setup/helpers.js';

describe('load bench: pure parts', () => {
  it('nearest-rank percentiles and the summary', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([300, 100, 200])).toMatchObject({ n: 3, p50: 200, p95: 300, max: 300, mean: 200 });
  });

  it('reads CPU ticks from /proc/<pid>/stat (command names with blanks and parentheses) and kB fields from status', () => {
    const stat =
      '1234 (node (worker) x) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 11 0 4242 1000000 30000 18446744073709551615';
    expect(parseStatTicks(stat)).toBe(325);
    expect(() => parseStatTicks('garbage')).toThrow();
    const status = 'Name:\tjava\nVmHWM:\t  524288 kB\nVmRSS:\t  409600 kB\nThreads:\t40\n';
    expect(parseStatusKb(status, 'VmRSS')).toBe(409600 * 1024);
    expect(parseStatusKb(status, 'VmHWM')).toBe(524288 * 1024);
    expect(parseStatusKb(status, 'VmSwap')).toBeUndefined();
    const self = sampleProcess(process.pid);
    expect(self!.rssBytes).toBeGreaterThan(10 * 1024 ** 2);
    expect(self!.cpuSeconds).toBeGreaterThan(0);
  });

  it('opcounter difference: per kind, total, and the counter reads themselves taken off', () => {
    const a = parseOpCounters({ opcounters: { insert: 10, query: 5, update: 2, delete: 0, getmore: 1, command: 100 } })!;
    const b = parseOpCounters({ opcounters: { insert: 14, query: 25, update: 7, delete: 1, getmore: 1, command: 104 } })!;
    expect(diffOps(a, b, 1)).toEqual({ insert: 4, query: 20, update: 5, delete: 1, getmore: 0, command: 3, total: 33 });
    expect(parseOpCounters({ ok: 1 })).toBeNull();
  });

  it('the chart: an SVG with a line and points per series, rendered to a PNG with the bundled font', async () => {
    const svg = latencyChartSvg([
      { label: 'before', points: [1, 10, 50, 100].map((c) => ({ concurrency: c, p50: 200 * c, p95: 400 * c })) },
      { label: 'after <fix>', points: [1, 10, 50, 100].map((c) => ({ concurrency: c, p50: 100 + c, p95: 150 + 2 * c })) },
    ]);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(16);
    expect(svg).toContain('after &lt;fix&gt; p95');
    expect(latencyChartSvg([{ label: 'a-very-long-label-for-a-run', points: [{ concurrency: 1, p50: 100, p95: 200 }] }])).toContain(
      'a-very-long-label-f… p50',
    );
    expect(svg).toContain('>10 s<');
    const png = await renderPng(svg);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(5000);
  });

  it('options: defaults, attach mode, and clear errors', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({
      scenario: 'concurrency',
      messages: 5,
      thinkMs: 1000,
      timeoutMs: 30_000,
      whatsappShare: 0.2,
      label: 'current',
      write: true,
    });
    expect(parseOptions(['--url', 'http://x:1', '--pids', 'app=1,mongo=3']).attach).toMatchObject({
      url: 'http://x:1',
      pids: { app: 1, mongo: 3 },
    });
    expect(parsePids('temporal=9')).toEqual({ temporal: 9 });
    expect(() => parseOptions(['--scenario', 'nope'])).toThrow(/--scenario must be one of/);
    expect(() => parseOptions(['--concurrency', '1,x'])).toThrow(UsageError);
    expect(() => parseOptions(['--pids', 'app=1'])).toThrow(/go with --url/);
  });

  it('a second run with the same label replaces the first; rows of two labels sit side by side per step', () => {
    const step = (s: string, p50: number) =>
      ({ scenario: 'concurrency', step: s, latency: { p50 }, procs: {}, byChannel: {} }) as unknown as StepResult;
    const run = (label: string, p50: number) => ({ label, steps: [step('c=1', p50), step('c=10', p50 * 2)] }) as unknown as RunRecord;
    const runs = mergeRuns(mergeRuns([run('before', 100)], run('after', 50)), run('after', 40));
    expect(runs.map((r) => r.label)).toEqual(['before', 'after']);
    expect(comparisonRows(runs).map((r) => `${r[0]} ${r[2]} ${r[4]}`)).toEqual([
      'before c=1 100',
      'after c=1 40',
      'before c=10 200',
      'after c=10 80',
    ]);
  });

  it('questions rotate languages; KB workbooks of any size keep the demo entries and add distinct ones', () => {
    const q = questionPool();
    expect(q.languages).toEqual(expect.arrayContaining(['en', 'es', 'fr', 'pt', 'th', 'vi', 'zh']));
    expect(new Set(Array.from({ length: q.languages.length }, (_, i) => q.at(i).language)).size).toBe(q.languages.length);
    const rows = parse(kbWorkbook(readFileSync(DEMO_FAQ_FILE, 'utf8'), 400), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(400);
    expect(new Set(rows.map((r) => r.question_id)).size).toBe(400);
    expect(new Set(rows.map((r) => r.question)).size).toBe(400);
  });
});

describe('load bench: buyer loop on the real stack', () => {
  const APP_SECRET = 'bench-app-secret';
  const PHONE = '106540352242922';
  let app: App;
  let sink: GraphSink;

  beforeAll(async () => {
    const uri = await useFreshDatabase('sora_bench_load');
    await seedDemoShop();
    sink = await startGraphSink();
    app = await startApp({
      config: loadConfig({
        SORA_TASK_QUEUE: 'bench-load-test',
        SORA_SEARCH_ATTRIBUTES: 'off',
        SORA_LOG_LEVEL: 'WARN',
        SORA_OPERATOR_TOKEN: 'bench-load-test-token',
      }),
      mongoUri: uri,
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      adapters: [
        new WebchatAdapter({ pollMs: 200 }),
        new WhatsappCloudAdapter({
          appSecret: APP_SECRET,
          verifyToken: 'v',
          accessToken: 'bench',
          shops: { [PHONE]: 'demo' },
          graphUrl: sink.url,
          graphVersion: 'v21.0',
        }),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await sink?.close();
    await disconnectMongo();
  });

  it('3 buyers × 2 messages (one on WhatsApp Cloud): every message answered and timed; histories and opcounters read', async () => {
    const target = { url: app.gateway.url, shopId: 'demo', whatsapp: { appSecret: APP_SECRET, phoneNumberId: PHONE, sink } };
    const ops = new OpCounterReader(inject('mongoUri'));
    const history = new HistoryCounter({ address: inject('temporalAddress'), namespace: 'default' });
    try {
      const before = await ops.read();
      const results: MessageResult[] = [];
      const q = questionPool();
      let n = 0;
      const run = await runBuyers(target, {
        concurrency: 3,
        messages: 2,
        thinkMs: 100,
        timeoutMs: 30_000,
        buyers: 3,
        whatsappShare: 1 / 3,
        question: () => q.at(n++).text,
        onResult: (r) => results.push(r),
      });
      expect(results.filter((r) => r.error || r.timeout)).toEqual([]);
      expect(results).toHaveLength(6);
      expect(results.filter((r) => r.channel === 'whatsapp-cloud')).toHaveLength(2);
      for (const r of results) expect(r.latencyMs).toBeGreaterThan(0);
      expect(run.buyers.map((b) => b.sent)).toEqual([2, 2, 2]);
      const after = await ops.read();
      // The bundled server counts operations (scripts/mongo-server/SoraMongoServer.java): serverStatus.opcounters.
      expect(before).not.toBeNull();
      expect(diffOps(before!, after!).total).toBeGreaterThan(6);
      expect(await history.eventsPerMessage(run.buyers)).toBeGreaterThan(3);
    } finally {
      await ops.close();
      await history.close();
    }
  }, 120_000);
});
