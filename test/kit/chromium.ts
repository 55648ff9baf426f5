/**
 * Debian's chromium for the browser tests (playwright-core with `executablePath`; never a browser
 * download): the first of chromium, chromium-browser, google-chrome on PATH, or null (the browser
 * tests then skip with a warning naming the package).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function chromiumPath(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p && existsSync(p)) return p;
    } catch {
      /* not on PATH */
    }
  }
  return null;
}
