/**
 * The scenarios: `concurrency` (one step per level), `saturation` (no think time, doubling
 * concurrency until messages/s stop growing), `idle` (N conversations that each got one reply, so
 * their silence-nudge timers are pending: memory, and how late the nudges fire), `kb` (the demo
 * shop's KB at 200 and at 10,000 entries, a short run each).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DEMO_FAQ_FILE } from '../../scripts/demo/demo-shop.js';
import { openStream, openWebchat, postWebchat, type BuyerRun, type MessageResult } from './buyers.js';
import { TimeoutError } from './graph-sink.js';
import { ProcessMonitor } from './proc.js';
import type { StepResult } from './report.js';
import { summarize } from './stats.js';
import { measure, runStep, type BenchContext } from './step.js';
import { kbWorkbook } from './workbook.js';

export interface ScenarioOptions {
  concurrency: number[];
  messages: number;
  thinkMs: number;
  buyers?: number;
  durationMs?: number;
  idleConversations: number;
  /** Silence nudge delay of the idle scenario (seconds). */
  nudgeDelayS: number;
  kbSizes: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function concurrencyScenario(ctx: BenchContext, o: ScenarioOptions, scenario = 'concurrency'): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const c of o.concurrency) {
    out.push(
      await runStep(ctx, {
        scenario,
        step: `c=${c}`,
        concurrency: c,
        messages: o.messages,
        thinkMs: o.thinkMs,
        buyers: o.buyers ?? Math.max(c, 5),
        durationMs: o.durationMs,
      }),
    );
    await sleep(2000);
  }
  return out;
}

/** No think time; concurrency 1, 2, 4 … until a step's messages/s is not 5 % above the best so far (or 256). */
export async function saturationScenario(ctx: BenchContext, o: ScenarioOptions): Promise<StepResult[]> {
  const out: StepResult[] = [];
  let best = 0;
  for (let c = 1; c <= 256; c *= 2) {
    const r = await runStep(ctx, {
      scenario: 'saturation',
      step: `c=${c}`,
      concurrency: c,
      messages: o.messages,
      thinkMs: 0,
      buyers: c,
      durationMs: o.durationMs ?? 20_000,
    });
    out.push(r);
    if (out.length >= 3 && r.msgsPerSec < best * 1.05) break;
    best = Math.max(best, r.msgsPerSec);
    await sleep(2000);
  }
  return out;
}

async function operator(ctx: BenchContext, method: string, route: string, body?: string, type = 'application/json'): Promise<unknown> {
  if (!ctx.stack.operatorToken) throw new Error('this scenario needs an operator token (--token or SORA_OPERATOR_TOKEN)');
  const res = await fetch(`${ctx.stack.target.url}/operator${route}`, {
    method,
    headers: { authorization: `Bearer ${ctx.stack.operatorToken}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /operator${route} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/**
 * N conversations, each with one buyer message and its reply, the shop's silence nudge set to
 * `nudgeDelayS`: RSS once all are open (their timers pending), then each nudge's createdAt against
 * its due time (the reply's createdAt + the delay), read back from the reply stream.
 */
export async function idleScenario(ctx: BenchContext, o: ScenarioOptions): Promise<StepResult[]> {
  const n = o.idleConversations;
  const c = o.concurrency[0] ?? 10;
  const delayMs = o.nudgeDelayS * 1000;
  const shop = ctx.stack.target.shopId;
  await operator(
    ctx,
    'PUT',
    `/shops/${shop}/strategy`,
    JSON.stringify({ silenceNudge: true, silenceNudgeDelay: `${o.nudgeDelayS}s`, silenceNudgeMax: 1, coupon: false }),
  );
  ctx.log(`idle: opening ${n} conversations (${c} at a time), silence nudge after ${o.nudgeDelayS} s`);
  const opened: { auth: Record<string, string>; replyId: string; replyAt: number }[] = [];
  let openRss: Record<string, number> = {};
  let openS = 0;
  let openEndedAt = 0;
  const t0 = performance.now();
  const r = await measure(
    ctx,
    { scenario: 'idle', step: `${n} open`, concurrency: c, messages: 1, thinkMs: 0, buyers: n },
    async (onResult) => {
      const buyers: BuyerRun[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (next < n) {
            next++;
            const chat = await openWebchat(ctx.stack.target).catch((e: unknown) => e as Error);
            if (chat instanceof Error) {
              onResult({ channel: 'webchat', latencyMs: null, error: chat.message, doneAt: performance.now() });
              continue;
            }
            const start = performance.now();
            try {
              // Opening is not what this scenario measures: an overloaded stack's 503 is retried (same id: safe), and replies may be slow.
              const text = ctx.questions.at(ctx.asked++).text;
              for (let attempt = 1; ; attempt++) {
                try {
                  await postWebchat(ctx.stack.target, chat.auth, 'm1', text);
                  break;
                } catch (e) {
                  if (attempt >= 5 || !String(e).includes('answered 503')) throw e;
                  await sleep(1000 * attempt);
                }
              }
              buyers.push({ workflowId: chat.workflowId, sent: 1 });
              const e = await chat.events.nextEvent(Math.max(ctx.timeoutMs, 120_000));
              onResult({ channel: 'webchat', latencyMs: e.t - start, doneAt: e.t });
              opened.push({ auth: chat.auth, replyId: e.id, replyAt: e.at });
            } catch (e) {
              const timeout = e instanceof TimeoutError;
              onResult({ channel: 'webchat', latencyMs: null, timeout, error: timeout ? undefined : String(e), doneAt: performance.now() });
            } finally {
              chat.close();
            }
          }
        }),
      );
      openS = (performance.now() - t0) / 1000;
      openEndedAt = Date.now();
      const snap = new ProcessMonitor(ctx.stack.pids).start();
      openRss = Object.fromEntries(Object.entries(snap.stop()).map(([k, u]) => [k, u.rssEndBytes]));
      return { buyers, wallMs: performance.now() - t0 };
    },
  );
  // Wait for the last nudge to be due (and 5 s for it to be written), then read each one back.
  const lastDue = Math.max(...opened.map((x) => x.replyAt)) + delayMs;
  const wait = lastDue + 5000 - Date.now();
  if (wait > 0) {
    ctx.log(`idle: ${opened.length} open in ${openS.toFixed(0)} s; waiting ${(wait / 1000).toFixed(0)} s for the last nudge to be due`);
    await sleep(wait);
  }
  const late: number[] = [];
  let missing = 0;
  let k = 0;
  await Promise.all(
    Array.from({ length: Math.min(50, opened.length) }, async () => {
      while (k < opened.length) {
        const x = opened[k++]!;
        try {
          const s = await openStream(ctx.stack.target, x.auth, x.replyId);
          try {
            const e = await s.events.nextEvent(5000);
            late.push(e.at - (x.replyAt + delayMs));
          } finally {
            s.close();
          }
        } catch {
          missing++;
        }
      }
    }),
  );
  const l = summarize(late);
  const mb = (b: number | undefined) => (b === undefined ? '–' : (b / 1024 ** 2).toFixed(0));
  r.extra = {
    'conversations open': opened.length,
    'opened in s': openS.toFixed(0),
    'RSS MB with all open (app/Temporal/Mongo)': `${mb(openRss.app)}/${mb(openRss.temporal)}/${mb(openRss.mongo)}`,
    'nudges seen': late.length,
    'nudges missing': missing,
    'nudge lateness ms p50/p95/max': `${l.p50.toFixed(0)}/${l.p95.toFixed(0)}/${l.max.toFixed(0)}`,
    'nudges due while opening': opened.filter((x) => x.replyAt + delayMs < openEndedAt).length,
  };
  ctx.log(
    `idle: ${Object.entries(r.extra)
      .map(([a, b]) => `${a} ${b}`)
      .join(', ')}`,
  );
  await operator(
    ctx,
    'PUT',
    `/shops/${shop}/strategy`,
    JSON.stringify({ silenceNudgeDelay: null, silenceNudgeMax: null, silenceNudge: null }),
  );
  return [r];
}

async function importKb(ctx: BenchContext, csv: string, what: string): Promise<void> {
  const shop = ctx.stack.target.shopId;
  const t0 = Date.now();
  const started = (await operator(ctx, 'POST', `/shops/${shop}/kb`, csv, 'text/csv; charset=utf-8')) as { importId: string };
  let misses = 0;
  for (;;) {
    await sleep(2000);
    type ImportStatus = { status: string; progress?: unknown; error?: string };
    let s: ImportStatus;
    try {
      s = (await operator(ctx, 'GET', `/shops/${shop}/kb/imports/${started.importId}`)) as ImportStatus;
      misses = 0;
    } catch (e) {
      // A saturated machine can drop a poll; the import goes on in its workflow.
      if (++misses > 5) throw e;
      ctx.log(`  kb import ${what}: status poll failed (${String(e)}), retrying`);
      continue;
    }
    if (s.status === 'done') break;
    if (s.status === 'failed' || s.status === 'cancelled') throw new Error(`KB import of ${what} ${s.status}: ${s.error ?? ''}`);
    ctx.log(`  kb import ${what}: ${s.status} ${JSON.stringify(s.progress ?? '')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  ctx.log(`kb: ${what} imported in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** The demo shop's KB at each size, a short run at the first concurrency level (default 10); the demo FAQ is put back after. */
export async function kbScenario(ctx: BenchContext, o: ScenarioOptions): Promise<StepResult[]> {
  const out: StepResult[] = [];
  const demo = readFileSync(DEMO_FAQ_FILE, 'utf8');
  const c = o.concurrency.length === 1 ? o.concurrency[0]! : 10;
  try {
    for (const size of o.kbSizes) {
      await importKb(ctx, kbWorkbook(demo, size), `${size} entries`);
      // The first question after an import builds the shop's index: its own row (the index build).
      out.push(
        await runStep(ctx, {
          scenario: 'kb',
          step: `warm-up ${size}`,
          concurrency: 1,
          messages: 1,
          thinkMs: 0,
          buyers: 1,
          timeoutMs: 600_000,
        }),
      );
      out.push(
        await runStep(ctx, {
          scenario: 'kb',
          step: `${size} entries`,
          concurrency: c,
          messages: o.messages,
          thinkMs: o.thinkMs,
          buyers: o.buyers ?? Math.max(c, 5),
          durationMs: o.durationMs,
        }),
      );
    }
  } finally {
    await importKb(ctx, demo, 'the demo FAQ (restored)').catch((e) => ctx.log(`kb: could not restore the demo FAQ: ${String(e)}`));
  }
  return out;
}

export type { MessageResult };
