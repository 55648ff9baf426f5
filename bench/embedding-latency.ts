/**
 * `npm run bench:embed`: per-query embedding latency and process memory of each installed model,
 * on the cross-lingual dev messages (one message per call, as buyers arrive), after a warm-up.
 * Each model runs in its own child process so the RSS figures do not mix.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Embedder } from '../activities/knowledge/embedder.js';
import { E5_ID, isModelInstalled, MINILM_ID } from '../activities/knowledge/embedding-models.js';
import { readLabeled } from '../scripts/eval/labeled-csv.js';

const dev = fileURLToPath(new URL('./crosslingual/dev.csv', import.meta.url));
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;

async function one(model: string): Promise<void> {
  const texts = readLabeled(dev).map((r) => r.text);
  const e = new Embedder({ model });
  const before = process.memoryUsage().rss;
  for (const t of texts.slice(0, 10)) await e.embed([t]);
  const times: number[] = [];
  for (const t of texts) {
    const t0 = performance.now();
    await e.embed([t]);
    times.push(performance.now() - t0);
  }
  const mb = (b: number) => Math.round(b / 2 ** 20);
  process.stdout.write(
    `${model.padEnd(32)} n=${times.length}  p50 ${q(times, 0.5).toFixed(1)} ms  p95 ${q(times, 0.95).toFixed(1)} ms  RSS ${mb(before)} → ${mb(process.memoryUsage().rss)} MB\n`,
  );
}

if (process.argv[2]) await one(process.argv[2]);
else
  for (const m of [MINILM_ID, E5_ID].filter(isModelInstalled))
    spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), m], { stdio: 'inherit' });
