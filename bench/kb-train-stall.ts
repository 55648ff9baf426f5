/**
 * `npm run bench:train`: how long building a shop's FAQ index blocks the process that serves its
 * conversations, with the intent model's regression trained in place (as before) and in a worker
 * thread (activities/knowledge/intent-train.ts, the default). For FAQs of 100 to 1,100 entries,
 * 2 phrasings each (the demo FAQ has 4.5), 384 dimensions, the epochs KbIndex gives them under
 * the default SORA_KB_TRAIN_BUDGET (regressionPlan). Synthetic vectors: training cost depends only
 * on those counts. "Stall" is the longest gap of a 5-ms timer in the main thread during the build.
 * Both modes alternate per size, side by side in one run. Writes its section into BENCHMARKS.md
 * (between the kb-train-stall markers) and prints it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IntentModel, mulberry32 } from '../activities/knowledge/intent-model.js';
import { trainOffThread } from '../activities/knowledge/intent-train.js';
import { regressionPlan } from '../activities/knowledge/kb-index.js';
import { projectRoot } from '../infra/paths.js';

const SIZES = [100, 300, 600, 1100];
const PHRASINGS = 2;
const D = 384;

function kb(entries: number) {
  const rnd = mulberry32(entries);
  const vectors: Float32Array[] = [];
  const labels: string[] = [];
  for (let e = 0; e < entries; e++) {
    const centre = Float32Array.from({ length: D }, () => rnd() - 0.5);
    for (let p = 0; p < PHRASINGS; p++) {
      const v = Float32Array.from(centre, (x) => x + (rnd() - 0.5) * 0.5);
      const n = Math.hypot(...v);
      vectors.push(v.map((x) => x / n));
      labels.push(`q${e}`);
    }
  }
  return { vectors, labels };
}

async function measure(work: () => Promise<unknown>): Promise<{ buildMs: number; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  await work();
  const buildMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return { buildMs, stallMs: worst };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const entries of SIZES) {
    const { vectors, labels } = kb(entries);
    const plan = regressionPlan(vectors.length, entries, D);
    const o = { epochs: plan.epochs, seed: 1 };
    const inPlace = await measure(async () => IntentModel.train(vectors, labels, o));
    const thread = await measure(() => trainOffThread(vectors, labels, o));
    const ms = (x: number) => `${Math.round(x).toLocaleString('en')} ms`;
    rows.push(
      `| ${entries.toLocaleString('en')} | ${plan.epochs} | ${(plan.perEpoch * plan.epochs).toExponential(1)} | ${ms(inPlace.buildMs)} | **${ms(inPlace.stallMs)}** | ${ms(thread.buildMs)} | **${ms(thread.stallMs)}** |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  const load = os.loadavg().map((x) => x.toFixed(2));
  const section = [
    '<!-- BEGIN kb-train-stall -->',
    `\`npm run bench:train\` (${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, load average ${load.join(' / ')} at the end; ` +
      `${PHRASINGS} phrasings per entry, ${D} dimensions, epochs from the default budget; "stall" = the longest the main thread could not run a 5-ms timer):`,
    '',
    '| FAQ entries | epochs | multiply-adds | in place: build | in place: stall | worker thread: build | worker thread: stall |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '<!-- END kb-train-stall -->',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  const file = path.join(projectRoot, 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marked = /<!-- BEGIN kb-train-stall -->[\s\S]*<!-- END kb-train-stall -->/;
  writeFileSync(
    file,
    marked.test(current)
      ? current.replace(marked, section)
      : `${current.trimEnd()}\n\n## FAQ index training: does it block conversations?\n\n${section}\n`,
  );
}

void main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
