/**
 * One measured step: buyers at a given concurrency, with CPU/RSS sampled from /proc, the MongoDB
 * opcounters read before and after, and a sample of the conversations' workflow histories counted.
 * Prints a progress line about once a second.
 */
import { performance } from 'node:perf_hooks';
import { runBuyers, type BuyerRun, type MessageResult } from './buyers.js';
import { HistoryCounter } from './history.js';
import { diffOps, type OpCounterReader } from './mongo-ops.js';
import { ProcessMonitor } from './proc.js';
import type { QuestionPool } from './questions.js';
import type { ProcFigures, StepResult } from './report.js';
import type { Stack } from './stack.js';
import { summarize } from './stats.js';

export interface BenchContext {
  stack: Stack;
  ops: OpCounterReader | null;
  history: HistoryCounter;
  questions: QuestionPool;
  timeoutMs: number;
  whatsappShare: number;
  log: (line: string) => void;
  /** Questions handed out so far (languages keep rotating across steps). */
  asked: number;
}

export interface StepSpec {
  scenario: string;
  step: string;
  concurrency: number;
  messages: number;
  thinkMs: number;
  buyers: number;
  durationMs?: number;
  /** Replaces the bench's --timeout for this step. */
  timeoutMs?: number;
}

const MB = 1024 ** 2;

/** What a step measured, without the buyer loop: used by steps that drive buyers their own way (idle). */
export async function measure(
  ctx: BenchContext,
  spec: StepSpec,
  drive: (onResult: (r: MessageResult) => void) => Promise<{ buyers: BuyerRun[]; wallMs: number }>,
): Promise<StepResult> {
  const results: MessageResult[] = [];
  const monitor = new ProcessMonitor(ctx.stack.pids).start();
  const opsBefore = await ctx.ops?.read();
  const t0 = performance.now();
  const tick = setInterval(() => {
    const recent = results.filter((r) => r.doneAt > performance.now() - 1000 && r.latencyMs !== null).map((r) => r.latencyMs!);
    const done = results.filter((r) => r.latencyMs !== null).length;
    const rss = monitor.rssNow();
    ctx.log(
      `  [${spec.scenario} ${spec.step}] ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s  replies ${done}  ` +
        `errors ${results.filter((r) => r.error).length}  timeouts ${results.filter((r) => r.timeout).length}  ` +
        `last s: ${recent.length} msg, p50 ${recent.length ? summarize(recent).p50.toFixed(0) : '–'} ms  ` +
        `RSS MB ${Object.entries(rss)
          .map(([n, b]) => `${n} ${(b / MB).toFixed(0)}`)
          .join(' ')}`,
    );
  }, 1000);
  let run: { buyers: BuyerRun[]; wallMs: number };
  try {
    run = await drive((r) => results.push(r));
  } finally {
    clearInterval(tick);
  }
  const usage = monitor.stop();
  const opsAfter = await ctx.ops?.read();
  const ok = results.filter((r) => r.latencyMs !== null);
  const replies = ok.length;
  const procs: Record<string, ProcFigures> = Object.fromEntries(
    Object.entries(usage).map(([n, u]) => [n, { cpuS: u.cpuSeconds, rssPeakMB: u.rssPeakBytes / MB, rssEndMB: u.rssEndBytes / MB }]),
  );
  const cpuS = Object.values(procs).reduce((a, p) => a + p.cpuS, 0);
  const ops = opsBefore && opsAfter ? diffOps(opsBefore, opsAfter, 1) : null;
  const byChannel: StepResult['byChannel'] = {};
  for (const ch of new Set(ok.map((r) => r.channel)))
    byChannel[ch] = summarize(ok.filter((r) => r.channel === ch).map((r) => r.latencyMs!));
  const errors = results.filter((r) => r.error);
  return {
    scenario: spec.scenario,
    step: spec.step,
    concurrency: spec.concurrency,
    messagesPerBuyer: spec.messages,
    thinkMs: spec.thinkMs,
    buyers: run.buyers.length,
    sent: run.buyers.reduce((n, b) => n + b.sent, 0),
    replies,
    errors: errors.length,
    timeouts: results.filter((r) => r.timeout).length,
    errorSamples: [...new Set(errors.map((r) => r.error!))].slice(0, 3),
    latency: summarize(ok.map((r) => r.latencyMs!)),
    byChannel,
    wallS: run.wallMs / 1000,
    msgsPerSec: replies / (run.wallMs / 1000),
    procs,
    cpuMsPerMsg: replies && Object.keys(procs).length ? (cpuS * 1000) / replies : null,
    eventsPerMsg: await ctx.history.eventsPerMessage(run.buyers),
    mongoOpsPerMsg:
      ops && replies ? (Object.fromEntries(Object.entries(ops).map(([k, v]) => [k, v / replies])) as StepResult['mongoOpsPerMsg']) : null,
  };
}

export async function runStep(ctx: BenchContext, spec: StepSpec): Promise<StepResult> {
  ctx.log(
    `${spec.scenario} ${spec.step}: ${spec.concurrency} concurrent, ${spec.durationMs ? `${spec.durationMs / 1000} s` : `${spec.buyers} buyers`} × ${spec.messages} messages, think ${spec.thinkMs} ms`,
  );
  const r = await measure(ctx, spec, (onResult) =>
    runBuyers(ctx.stack.target, {
      concurrency: spec.concurrency,
      messages: spec.messages,
      thinkMs: spec.thinkMs,
      timeoutMs: spec.timeoutMs ?? ctx.timeoutMs,
      buyers: spec.buyers,
      durationMs: spec.durationMs,
      whatsappShare: ctx.whatsappShare,
      question: () => ctx.questions.at(ctx.asked++).text,
      onResult,
    }),
  );
  ctx.log(
    `  → ${r.replies} replies, p50 ${r.latency.p50.toFixed(0)} ms, p95 ${r.latency.p95.toFixed(0)} ms, ${r.msgsPerSec.toFixed(1)} msg/s, ${r.errors} errors, ${r.timeouts} timeouts`,
  );
  return r;
}
