/**
 * A PNG of a `sora eval --report` page, for the docs: headless Chromium (Debian's /usr/bin/chromium,
 * or the path given third) driven by playwright-core, full page, JavaScript disabled (the report has
 * none), offline; fails if the page requested anything but its own file.
 *
 *   npx tsx bench/eval-report-screenshot.ts REPORT.html docs/images/eval-report.png [CHROMIUM]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, out, chromiumPath] = process.argv.slice(2);
if (!report || !out) {
  process.stderr.write('usage: tsx bench/eval-report-screenshot.ts REPORT.html OUT.png [CHROMIUM]\n');
  process.exit(2);
}
const executablePath = chromiumPath ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  process.stderr.write(`no Chromium at ${executablePath} (apt-get install chromium, or give its path third)\n`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const context = await browser.newContext({ viewport: { width: 1240, height: 900 }, javaScriptEnabled: false, offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(path.resolve(report)).href);
  await page.screenshot({ path: out, fullPage: true });
  const external = requests.filter((u) => !u.startsWith('file:'));
  if (external.length) throw new Error(`the report fetched ${external.join(', ')}`);
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
}
