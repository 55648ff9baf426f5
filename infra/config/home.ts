/**
 * SORA_HOME, the embedded stack's folder (binaries, models, data, logs). The one variable read
 * when this module is first imported rather than by loadConfig(): the stack and the models are
 * located through it by code that runs before any configuration exists (the test setup,
 * `stack:install`, the workflow bundler's process). Same rule as loadConfig's `stack.home`.
 */
import { projectRoot } from './load.js';
import { resolveHome } from './schema.js';

export const soraHome = resolveHome(process.env.SORA_HOME, projectRoot);
