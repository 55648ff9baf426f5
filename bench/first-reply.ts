/**
 * `npm run bench`: first-reply latency of web chat on the embedded stack. Starts its own
 * in-memory Temporal dev server and mongo-java-server on free loopback ports, then for N new buyers
 * (default 20: `npm run bench -- 50`) opens the SSE stream, POSTs one message and times POST → first
 * reply event. Prints median / p95 / min / max in milliseconds. The app log is silent unless
 * SORA_LOG_LEVEL says otherwise.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { installStack } from '../scripts/stack/install.js';
import { startMongoJavaServer } from '../scripts/stack/mongo-server.js';
import { freePort } from '../scripts/stack/process.js';
import { startTemporalDevServer } from '../scripts/stack/temporal-server.js';
import { startApp } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { loadConfig } from '../infra/config/index.js';

const config = loadConfig(undefined, { defaults: { SORA_LOG_LEVEL: 'silent' } });
const N = Number(process.argv[2] ?? 20);
const QUESTIONS = [
  'How long does shipping take?',
  '¿Cuánto tarda el envío?',
  '退换货怎么办',
  'metode pembayaran apa saja',
  'Is there a warranty?',
];

async function firstReply(base: string, tag: string, text: string): Promise<number> {
  const ac = new AbortController();
  const session = await fetch(`${base}/webchat/demo/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (session.status !== 201) throw new Error(`POST /sessions answered ${session.status}`);
  const auth = { authorization: `Bearer ${((await session.json()) as { token: string }).token}` };
  const sse = await fetch(`${base}/webchat/demo/events`, { signal: ac.signal, headers: auth });
  const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read(); // ": connected"
  const t0 = performance.now();
  const res = await fetch(`${base}/webchat/demo/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ messageId: `${tag}-1`, text }),
  });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}`);
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended before a reply');
    buf += value;
    if (buf.includes('event: message')) break;
  }
  const ms = performance.now() - t0;
  ac.abort();
  return ms;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function main(): Promise<void> {
  installStack();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'sora-bench-'));
  const mongo = await startMongoJavaServer(await freePort(), '-', logDir, 'sora_bench');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: 0, dbFile: ':memory:', logDir });
  const app = await startApp({
    config,
    mongoUri: mongo.uri,
    temporal: { address: temporal.address, namespace: 'default' },
    gatewayPort: 0,
  });
  try {
    await seedDemoShop();
    process.stdout.write(`warm-up … `);
    await firstReply(app.gateway.url, 'bench-warmup', QUESTIONS[0]!);
    process.stdout.write('done\n');
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const ms = await firstReply(app.gateway.url, `bench-${Date.now()}-${i}`, QUESTIONS[i % QUESTIONS.length]!);
      times.push(ms);
      process.stdout.write(`  ${String(i + 1).padStart(2)}/${N}  ${ms.toFixed(0)} ms\n`);
    }
    times.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(0);
    process.stdout.write(
      `first reply over web chat (new conversation each, n=${N}): median ${f(pct(times, 50))} ms, p95 ${f(pct(times, 95))} ms, min ${f(times[0]!)} ms, max ${f(times.at(-1)!)} ms\n`,
    );
  } finally {
    await app.stop();
    await temporal.stop();
    await mongo.stop();
  }
}

void main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
