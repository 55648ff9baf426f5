/**
 * `npm run bench:load`: many buyers at once against the real stack (issue 15). See options.ts for
 * the options, scenarios.ts for the scenarios, report.ts for what is written where.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../../infra/config/index.js';
import { HistoryCounter } from './history.js';
import { OpCounterReader } from './mongo-ops.js';
import { parseOptions, UsageError, USAGE, type BenchOptions } from './options.js';
import { questionPool } from './questions.js';
import { COLUMNS, machineInfo, otherProcesses, publish, row, textTable, type RunRecord, type StepResult } from './report.js';
import { concurrencyScenario, idleScenario, kbScenario, saturationScenario } from './scenarios.js';
import { attachStack, startOwnStack, type Stack } from './stack.js';
import { runStep, type BenchContext } from './step.js';

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function run(o: BenchOptions): Promise<void> {
  const config = loadConfig(undefined, { defaults: { SORA_LOG_LEVEL: 'silent' } });
  const machine = machineInfo();
  const stack: Stack = o.attach ? await attachStack(config, o.attach) : await startOwnStack(config, { log, keep: o.keep });
  // Ctrl-C: stop the bench's own stack (and remove its temporary SORA_HOME) before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void stack.stop().finally(() => process.exit(130));
    });
  const ops = stack.mongoUri ? new OpCounterReader(stack.mongoUri) : null;
  const history = new HistoryCounter(stack.temporal);
  const steps: StepResult[] = [];
  try {
    log(`stack: ${stack.target.url} pids ${JSON.stringify(stack.pids)}${stack.target.whatsapp ? ', WhatsApp Cloud on' : ''}`);
    if (!(await ops?.read())) log('MongoDB opcounters: not available (no serverStatus.opcounters)');
    const questions = questionPool();
    const ctx: BenchContext = { stack, ops, history, questions, timeoutMs: o.timeoutMs, whatsappShare: o.whatsappShare, log, asked: 0 };
    log(`questions in ${questions.languages.length} languages: ${questions.languages.join(' ')}`);
    // The first reply after a start (the shop's index may be built on first use): measured on its own.
    const first = { scenario: 'start', step: 'first reply', concurrency: 1, messages: 1, thinkMs: 0, buyers: 1 };
    steps.push(await runStep(ctx, { ...first, timeoutMs: Math.max(o.timeoutMs, 120_000) }));
    const s = {
      concurrency: o.concurrency ?? [1, 10, 50, 100],
      messages: o.messages,
      thinkMs: o.thinkMs,
      buyers: o.buyers,
      durationMs: o.durationMs,
      idleConversations: o.idle,
      nudgeDelayS: o.nudgeDelayS,
      kbSizes: o.kbSizes,
    };
    const all = o.scenario === 'all';
    if (all || o.scenario === 'concurrency') steps.push(...(await concurrencyScenario(ctx, s)));
    if (all || o.scenario === 'saturation') steps.push(...(await saturationScenario(ctx, s)));
    if (all || o.scenario === 'kb') steps.push(...(await kbScenario(ctx, { ...s, concurrency: o.concurrency ?? [10] })));
    if (all || o.scenario === 'idle') steps.push(...(await idleScenario(ctx, { ...s, concurrency: o.concurrency ?? [10] })));
  } finally {
    await history.close();
    await ops?.close();
    await stack.stop();
  }
  const record: RunRecord = {
    label: o.label,
    startedAt: new Date().toISOString(),
    command: `npm run bench:load --${process.argv
      .slice(2)
      .map((a) => ` ${a}`)
      .join('')
      .replace(/(--token|--wa-app-secret)\s+\S+/g, '$1 ***')}`,
    stack: stack.description,
    machine: { ...machine, loadEnd: os.loadavg(), others: otherProcesses([process.pid, ...Object.values(stack.pids)]) },
    steps,
  };
  process.stdout.write(
    `\n${textTable(
      COLUMNS,
      steps.map((st) => row(o.label, st)),
    )}\n`,
  );
  for (const st of steps.filter((x) => x.extra)) process.stdout.write(`${st.scenario} ${st.step}: ${JSON.stringify(st.extra)}\n`);
  for (const st of steps.filter((x) => x.errorSamples.length))
    process.stdout.write(`${st.scenario} ${st.step} errors: ${st.errorSamples.join('; ')}\n`);
  if (o.json) writeFileSync(o.json, `${JSON.stringify(record, null, 1)}\n`);
  if (o.write) {
    await publish(record);
    log('BENCHMARKS.md (load section), docs/bench-load-results.json and docs/images/bench-load-latency.png updated');
  }
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`${e.message ? `${e.message}\n` : ''}${USAGE}\n`);
    process.exit(e.message ? 2 : 0);
  }
  throw e;
}
run(options).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench:load failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
