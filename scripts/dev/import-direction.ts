/**
 * Measures the import graph against the allowed direction (docs/architecture.md): every relative
 * import, re-export, dynamic import() and `import('…')` type between our folders, classified as a
 * value (runtime) or type-only dependency, checked against the layer table below, plus the import
 * cycles (strongly connected components) with and without type-only edges.
 *
 *   npx tsx scripts/dev/import-direction.ts            report; exit 0
 *   npx tsx scripts/dev/import-direction.ts --check    exit 1 on any violation or cycle
 *   npx tsx scripts/dev/import-direction.ts --json     machine-readable
 *
 * The same table is enforced by ESLint (`boundaries/dependencies` in eslint.config.js) and the
 * cycles by `npm run lint:cycles` (dpdm). This script is the measuring tape, not the gate: it also
 * sees `import('…')` type expressions, which dpdm does not (lint bans them instead).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIRS = ['infra', 'models', 'workflows', 'activities', 'bots', 'scripts', 'test', 'bench'];
const ROOT_FILES = ['temporal.config.ts', 'vitest.config.ts'];

type Element = 'infra' | 'models' | 'contract' | 'workflows' | 'temporal-config' | 'activities' | 'bots' | 'scripts' | 'test' | 'bench';
type Kind = 'value' | 'type';

/** The modules both sides of Temporal share: workflow type, signals, queries and their types. */
const CONTRACT = new Set(['workflows/contract.ts', 'workflows/types.ts', 'workflows/search-attribute-keys.ts']);

function elementOf(file: string): Element | null {
  if (CONTRACT.has(file)) return 'contract';
  if (file === 'temporal.config.ts') return 'temporal-config';
  if (file === 'vitest.config.ts') return 'test';
  const top = file.split('/')[0]!;
  return (DIRS as string[]).includes(top) ? (top as Element) : null;
}

/**
 * What each element may import: `value` = at run time, `type` = `import type` only. An element not
 * listed for a source is forbidden to it. Its own element is always allowed.
 */
const ALLOWED: Record<Element, Partial<Record<Element, Kind>>> = {
  infra: {},
  models: { infra: 'value' },
  contract: { infra: 'type' },
  workflows: { contract: 'value', activities: 'type', infra: 'type' },
  'temporal-config': { contract: 'value', infra: 'value' },
  activities: { models: 'value', infra: 'value', 'temporal-config': 'value', contract: 'type' },
  bots: { contract: 'value', infra: 'value', models: 'value', 'temporal-config': 'value' },
  scripts: {
    infra: 'value',
    models: 'value',
    contract: 'value',
    workflows: 'value',
    'temporal-config': 'value',
    activities: 'value',
    bots: 'value',
  },
  test: {
    infra: 'value',
    models: 'value',
    contract: 'value',
    workflows: 'value',
    'temporal-config': 'value',
    activities: 'value',
    bots: 'value',
    scripts: 'value',
    bench: 'value',
  },
  bench: {
    infra: 'value',
    models: 'value',
    contract: 'value',
    workflows: 'value',
    'temporal-config': 'value',
    activities: 'value',
    bots: 'value',
    scripts: 'value',
    test: 'value',
  },
};

interface Edge {
  from: string;
  to: string;
  kind: Kind;
  line: number;
  specifier: string;
}

function walk(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(path.join(root, dir));
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) walk(rel, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`]) {
    try {
      if (statSync(path.join(root, candidate)).isFile()) return candidate;
    } catch {
      // next candidate
    }
  }
  return null;
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (spec: ts.Expression | ts.LiteralTypeNode | undefined, kind: Kind, node: ts.Node) => {
    const lit = spec && ts.isLiteralTypeNode(spec) ? spec.literal : spec;
    if (!lit || !ts.isStringLiteral(lit)) return;
    const to = resolve(file, lit.text);
    if (to) edges.push({ from: file, to, kind, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, specifier: lit.text });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'value', node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const typeOnly = node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'value', node);
    } else if (ts.isImportTypeNode(node)) {
      add(node.argument as ts.LiteralTypeNode, 'type', node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], 'value', node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
function cycles(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (next.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);
  return out;
}

function main(): void {
  const args = new Set(process.argv.slice(2));
  const files: string[] = [];
  for (const d of DIRS) walk(d, files);
  for (const f of ROOT_FILES) if (statSync(path.join(root, f), { throwIfNoEntry: false })?.isFile()) files.push(f);
  const edges = files.flatMap(importsOf);

  const violations = edges.filter((e) => {
    const a = elementOf(e.from);
    const b = elementOf(e.to);
    if (!a || !b || a === b) return false;
    const allowed = ALLOWED[a][b];
    return !allowed || (allowed === 'type' && e.kind === 'value');
  });
  const all = cycles(files, edges);
  const runtime = cycles(
    files,
    edges.filter((e) => e.kind === 'value'),
  );

  if (args.has('--json')) {
    process.stdout.write(JSON.stringify({ files: files.length, edges, violations, cycles: all, runtimeCycles: runtime }, null, 2) + '\n');
  } else {
    const byPair = new Map<string, number>();
    for (const v of violations) {
      const key = `${elementOf(v.from)} → ${elementOf(v.to)} (${v.kind})`;
      byPair.set(key, (byPair.get(key) ?? 0) + 1);
    }
    process.stdout.write(`${files.length} files, ${edges.length} relative imports\n\n`);
    process.stdout.write(
      `imports against the direction: ${violations.length} (value ${violations.filter((v) => v.kind === 'value').length}, type-only ${violations.filter((v) => v.kind === 'type').length})\n`,
    );
    for (const [k, n] of [...byPair].sort()) process.stdout.write(`  ${n.toString().padStart(3)}  ${k}\n`);
    for (const v of violations) process.stdout.write(`  ${v.from}:${v.line} → ${v.specifier} (${v.kind})\n`);
    process.stdout.write(`\nimport cycles (strongly connected components), type-only imports included: ${all.length}\n`);
    for (const c of all) process.stdout.write(`  ${c.join(' ↔ ')}\n`);
    process.stdout.write(`import cycles, value imports only: ${runtime.length}\n`);
    for (const c of runtime) process.stdout.write(`  ${c.join(' ↔ ')}\n`);
  }
  if (args.has('--check') && (violations.length > 0 || all.length > 0)) process.exitCode = 1;
}

main();
