/**
 * One-line structured logs: `time level msg key=value …` (SORA_LOG_LEVEL=silent to mute). Secrets
 * never reach the line: secret-named fields are masked and secret-looking text is redacted
 * (infra/secrets/redact.ts), in the message and in every field, errors included.
 */
import { redact, redactText } from './secrets/redact.js';

let silent = false;

/** Set once at start from the configuration (`config.log.level`). */
export function setLogLevel(level: string): void {
  silent = level === 'silent';
}

/** The log line for `msg` and `fields`, redacted (exported for tests). */
export function formatLogLine(msg: string, fields: Record<string, unknown> = {}, at = new Date()): string {
  const safe = redact(fields) as Record<string, unknown>;
  const kv = Object.entries(safe)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null)}`)
    .join(' ');
  return `${at.toISOString()} ${redactText(msg)}${kv ? ' ' + kv : ''}\n`;
}

export function log(msg: string, fields: Record<string, unknown> = {}): void {
  if (silent) return;
  process.stdout.write(formatLogLine(msg, fields));
}
