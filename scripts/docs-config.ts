/**
 * `npm run docs:config`: rewrite README.md's configuration section from the schema (infra/config).
 * `--check`: exit 1 when the README is out of date instead of writing it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, renderConfigDocs, replaceSection } from '../infra/config/index.js';

const readme = path.join(projectRoot, 'README.md');
const before = readFileSync(readme, 'utf8');
const after = replaceSection(before, renderConfigDocs());
if (process.argv.includes('--check')) {
  if (before !== after) {
    process.stderr.write('README.md: the configuration section is out of date; run `npm run docs:config`\n');
    process.exit(1);
  }
} else if (before !== after) {
  writeFileSync(readme, after);
  process.stdout.write('README.md: configuration section updated\n');
} else process.stdout.write('README.md: configuration section is up to date\n');
