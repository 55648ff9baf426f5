/**
 * `npm run bench:durability`: what acknowledging a write only after its fsync costs on the bundled
 * MongoDB-wire server. Both modes in one run, each on its own server with a fresh file store in
 * the temp folder: `lazy` (H2's default: committed about once a second, no fsync; loses the last
 * second on kill -9) and `sync` (the default since: commit + fsync before the reply, group commit).
 *   - 1 writer:   `n` single-document inserts one after another (latency of one write)
 *   - 16 writers: `4n` inserts from 16 concurrent writers (throughput; writes share fsyncs)
 * Three alternating rounds per mode (same background load for both), results pooled.
 * Writes the table into BENCHMARKS.md (between its mongo-durability markers) and prints it.
 * `npm run bench:durability -- 500` for n = 500 (default 300).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { projectRoot } from '../infra/paths.js';
import { installStack } from '../scripts/stack/install.js';
import { startMongoJavaServer, type MongoDurability } from '../scripts/stack/mongo-server.js';
import { freePort } from '../scripts/stack/process.js';

interface Result {
  mode: MongoDurability;
  writers: number;
  n: number;
  perSecond: number;
  p50: number;
  p95: number;
}

const ROUNDS = 3;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Sample {
  latencies: number[];
  secs: number;
}

async function measure(mode: MongoDurability, writers: number, n: number, dir: string, round: number): Promise<Sample> {
  const file = path.join(dir, `${mode}-${writers}-${round}`, 'bench.mv');
  const server = await startMongoJavaServer(await freePort(), file, dir, 'bench', mode);
  const conn = await mongoose.createConnection(server.uri).asPromise();
  try {
    const col = conn.db!.collection('messages');
    // Warm up the JIT and the connection pool.
    await Promise.all(Array.from({ length: 50 }, (_, i) => col.insertOne({ warm: i })));
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < n) {
          const i = next++;
          const t = performance.now();
          await col.insertOne({ seq: i, channel: 'webchat', text: `buyer message ${i} `.repeat(8), at: new Date() });
          latencies.push(performance.now() - t);
        }
      }),
    );
    return { latencies, secs: (performance.now() - t0) / 1000 };
  } finally {
    await conn.close();
    await server.stop();
  }
}

function table(results: Result[]): string {
  const rows = results.map(
    (r) => `| ${r.mode} | ${r.writers} | ${r.n} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} |`,
  );
  return ['| durability | writers | inserts | inserts/s | p50 ms | p95 ms |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300);
  installStack({ temporal: false, mongoJavaServer: true, models: false });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-bench-durability-'));
  const results: Result[] = [];
  try {
    for (const writers of [1, 16]) {
      const count = writers === 1 ? n : 4 * n;
      const samples: Record<MongoDurability, Sample[]> = { lazy: [], sync: [] };
      // Alternating rounds, so both modes see the same background load.
      for (let round = 0; round < ROUNDS; round++)
        for (const mode of ['lazy', 'sync'] as const) samples[mode].push(await measure(mode, writers, count, dir, round));
      for (const mode of ['lazy', 'sync'] as const) {
        const latencies = samples[mode].flatMap((x) => x.latencies).sort((a, b) => a - b);
        const secs = samples[mode].reduce((t, x) => t + x.secs, 0);
        results.push({
          mode,
          writers,
          n: count * ROUNDS,
          perSecond: (count * ROUNDS) / secs,
          p50: pct(latencies, 50),
          p95: pct(latencies, 95),
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const load = os.loadavg().map((l) => l.toFixed(2));
  const others = spawnSync('ps', ['-eo', 'comm='], { encoding: 'utf8' }).stdout.split('\n');
  const running = ['node', 'java', 'temporal'].map((c) => `${others.filter((o) => o.trim() === c).length} ${c}`).join(', ');
  const section = [
    '<!-- BEGIN mongo-durability -->',
    `\`npm run bench:durability\` (${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, temp folder on ` +
      `${os.tmpdir()}; load average ${load.join(' / ')} at the end, other processes: ${running}): ` +
      `${ROUNDS} alternating rounds per mode, single-document inserts with the app's default write concern; ` +
      '`lazy` = H2 default (lost the last second on kill -9), `sync` = commit + fsync before the reply (group commit).',
    '',
    table(results),
    '<!-- END mongo-durability -->',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  const file = path.join(projectRoot, 'BENCHMARKS.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marked = /<!-- BEGIN mongo-durability -->[\s\S]*<!-- END mongo-durability -->/;
  writeFileSync(
    file,
    marked.test(current)
      ? current.replace(marked, section)
      : `${current.trimEnd()}\n\n## Bundled MongoDB-wire server: durable writes\n\n${section}\n`,
  );
}

void main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
