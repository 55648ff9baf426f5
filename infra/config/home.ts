/**
 * SORA_HOME, the embedded stack's folder (binaries, models, data, logs). The one variable read
 * when this module is first imported rather than by loadConfig(): the stack and the models are
 * located through it by code that runs before any configuration exists (the test setup,
 * `stack:install`, the workflow bundler's process). Same rule as loadConfig's `stack.home`.
 */
import { projectRoot } from './load.js';
import { resolveHome } from './schema.js';

export const soraHome = resolveHome(process.env.SORA_HOME, projectRoot);

/**
 * The environment for a child process of this one (`npm start`'s extra workers): this process's,
 * with `overrides` (e.g. the dev server's address) on top, so the child's loadConfig() sees the
 * same configuration plus what the launcher decided at run time.
 */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
