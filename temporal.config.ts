/**
 * The one place for Temporal settings: where the server is (local dev server, a self-hosted
 * cluster or Temporal Cloud), task queues, search attributes and the conversation's timers.
 * Everything can be set by environment variables; the defaults match the embedded local stack.
 */
import { readFileSync } from 'node:fs';
import { searchAttributeKeys } from './workflows/search-attribute-keys.js';
import type { ConversationConfig } from './workflows/types.js';

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Parse a duration such as `30s`, `10m`, `24h`, `1500ms` or a bare number of milliseconds. */
export function parseDuration(name: string, fallback: string): number {
  const raw = env(name) ?? fallback;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw);
  if (!m) throw new Error(`${name}="${raw}" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Math.round(Number(m[1]) * unit);
}

function number(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name}="${raw}" is not a number`);
  return n;
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** mTLS / TLS, e.g. for a self-hosted cluster or Temporal Cloud with certificates. */
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer; serverNameOverride?: string } | true;
  /** Temporal Cloud API key (sent as a bearer token; implies TLS). */
  apiKey?: string;
}

/**
 * TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default `default`),
 * TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (paths, mTLS), TEMPORAL_TLS_CA (path), TEMPORAL_TLS=true,
 * TEMPORAL_TLS_SERVER_NAME, TEMPORAL_API_KEY (Temporal Cloud API keys).
 */
export function temporalConnection(): TemporalConnectionSettings {
  const address = env('TEMPORAL_ADDRESS') ?? '127.0.0.1:7233';
  const namespace = env('TEMPORAL_NAMESPACE') ?? 'default';
  const cert = env('TEMPORAL_TLS_CERT');
  const key = env('TEMPORAL_TLS_KEY');
  const ca = env('TEMPORAL_TLS_CA');
  const apiKey = env('TEMPORAL_API_KEY');
  if ((cert && !key) || (!cert && key)) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
  let tls: TemporalConnectionSettings['tls'];
  if (cert || ca || env('TEMPORAL_TLS_SERVER_NAME')) {
    tls = {
      clientCertPair: cert && key ? { crt: readFileSync(cert), key: readFileSync(key) } : undefined,
      serverRootCACertificate: ca ? readFileSync(ca) : undefined,
      serverNameOverride: env('TEMPORAL_TLS_SERVER_NAME'),
    };
  } else if (env('TEMPORAL_TLS') === 'true' || apiKey) {
    tls = true;
  }
  return { address, namespace, tls, apiKey };
}

export const taskQueues = {
  /** Conversation workflows and their activities. */
  conversations: env('SORA_TASK_QUEUE') ?? 'sora-conversations',
};

/** Custom search attributes (register them on the server; `npm start` does for the dev server). */
export const searchAttributes = searchAttributeKeys;

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', BOOL: 'Bool', DOUBLE: 'Double' };
  return Object.values(searchAttributes).flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}

/** How long the gateway waits for Temporal before answering a webhook with 503. */
export const signalDeadlineMs = () => parseDuration('SORA_SIGNAL_DEADLINE', '5s');

/**
 * The conversation's timers and thresholds. They travel in the workflow's input (a workflow may
 * not read the environment), so a running conversation keeps the values it started with.
 */
export function conversationConfig(): ConversationConfig {
  return {
    silenceNudgeMs: parseDuration('SORA_SILENCE_NUDGE', '30s'),
    idleCloseMs: parseDuration('SORA_IDLE_CLOSE', '10m'),
    npsDelayMs: parseDuration('SORA_NPS_DELAY', '30m'),
    npsAnswerWindowMs: parseDuration('SORA_NPS_ANSWER_WINDOW', '24h'),
    agentSlaMs: parseDuration('SORA_AGENT_SLA', '3m'),
    agentIdleCloseMs: parseDuration('SORA_AGENT_IDLE_CLOSE', '24h'),
    maxEscalationTiers: number('SORA_MAX_ESCALATION_TIERS', 2),
    orderValueHandoffUsd: number('SORA_HANDOFF_ORDER_VALUE_USD', 200),
    complaintStreakHandoff: number('SORA_HANDOFF_COMPLAINT_STREAK', 2),
    lowConfidenceHandoff: number('SORA_HANDOFF_LOW_CONFIDENCE_STREAK', 3),
    historyEventLimit: number('SORA_HISTORY_EVENT_LIMIT', 5000),
    activityTimeoutMs: parseDuration('SORA_ACTIVITY_TIMEOUT', '30s'),
    searchAttributes: env('SORA_SEARCH_ATTRIBUTES') !== 'off',
  };
}
