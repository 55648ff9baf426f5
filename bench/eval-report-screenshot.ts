/**
 * A PNG of a `sora eval --report` page, for the docs: headless Chromium (Debian's `chromium`, or
 * CHROMIUM=path) driven by playwright-core, full page, JavaScript disabled (the report has none).
 *
 *   npx tsx bench/eval-report-screenshot.ts REPORT.html docs/images/eval-report.png
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, out] = process.argv.slice(2);
if (!report || !out) {
  process.stderr.write('usage: tsx bench/eval-report-screenshot.ts REPORT.html OUT.png\n');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  process.stderr.write(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)\n`);
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
