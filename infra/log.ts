/** One-line structured logs: `time level msg key=value …` (SORA_LOG_LEVEL=silent to mute). */
let silent = false;

/** Set once at start from the configuration (`config.log.level`). */
export function setLogLevel(level: string): void {
  silent = level === 'silent';
}

export function log(msg: string, fields: Record<string, unknown> = {}): void {
  if (silent) return;
  const kv = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null)}`)
    .join(' ');
  process.stdout.write(`${new Date().toISOString()} ${msg}${kv ? ' ' + kv : ''}\n`);
}
