/**
 * The longest functions (lines from the declaration to its closing brace) in the given files.
 *
 *   npx tsx scripts/dev/function-sizes.ts scripts/cli.ts scripts/cli/*.ts [--top 10]
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 10;
const files = args.filter((_a, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));

const sizes: { file: string; name: string; line: number; lines: number }[] = [];
for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      let name = node.name?.getText(sf);
      if (!name && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText(sf);
      if (!name && ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText(sf);
      const start = lineOf(node.getStart(sf));
      sizes.push({ file, name: name ?? '(anonymous)', line: start, lines: lineOf(node.getEnd()) - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
for (const s of sizes.sort((a, b) => b.lines - a.lines).slice(0, top))
  process.stdout.write(`${s.lines.toString().padStart(5)}  ${s.file}:${s.line}  ${s.name}\n`);
