/**
 * The environment of a child process this one starts with some variables changed (the load bench
 * starts `npm start`'s launcher with its own SORA_HOME and ports). Here because only infra/config
 * reads the environment.
 */
export function environmentWith(changes: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}
