/** Small helpers shared by the suites. */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { keyIdOf, SecretBox } from '../../infra/secrets/index.js';
import { inject } from 'vitest';
import { connectMongo } from '../../models/connection.js';
import { conversationWorkflowId, type InboundMessage } from '../../infra/channel-contract.js';
import type { DecidedMessage } from '../../activities/messaging/render.js';

/** Poll until `fn` returns a truthy value (or stops throwing); real time, generous for slow CI. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Connect mongoose to a fresh database of the shared test server. */
export async function useFreshDatabase(name: string): Promise<string> {
  const base = inject('mongoUri');
  const uri = base.replace(/\/[^/]*$/, `/${name}`);
  await connectMongo(uri);
  await mongoose.connection.db!.dropDatabase();
  const { ensureIndexes } = await import('../../models/connection.js');
  await ensureIndexes();
  return uri;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The FAQ entry (of any shop in the current database) whose answer in `lang` is exactly `text`. */
export async function kbEntryAnswering(text: string, lang = 'en') {
  const { FaqEntryModel } = await import('../../models/faq-entry.js');
  return FaqEntryModel.findOne({ [`answers.${lang}`]: text }, { questionId: 1, intent: 1 }).lean();
}

/**
 * The arguments of every `def` signal in the workflow's history (current run), in order: what the
 * workflow was really sent, as Temporal recorded it (WorkflowExecutionSignaled events), once no
 * workflow task is running (until then the server may hold signals back from the history).
 */
export async function signalsInHistory<Args extends unknown[]>(
  client: import('@temporalio/client').Client,
  workflowId: string,
  def: import('@temporalio/common').SignalDefinition<Args>,
): Promise<Args[0][]> {
  const { defaultPayloadConverter } = await import('@temporalio/common');
  const handle = client.workflow.getHandle(workflowId);
  // A signal that arrives while a workflow task is in flight is buffered by the server and written
  // to the history only when that task completes: wait until no workflow task is running (one only
  // scheduled, e.g. with no worker polling, holds nothing back).
  const STARTED = 2; // temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
  await eventually(
    async () => (await handle.describe()).raw.pendingWorkflowTask?.state !== STARTED,
    30_000,
    `no workflow task running on ${workflowId}`,
  );
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.workflowExecutionSignaledEventAttributes;
    if (a?.signalName !== def.name) return [];
    const p = a.input?.payloads?.[0];
    return [p ? defaultPayloadConverter.fromPayload(p as import('@temporalio/common').Payload) : undefined];
  });
}

/** Web chat messages of the demo shop, each with a new id (`{prefix}-{n}`), for the workflow suites. */
export function demoWebchat(prefix: string) {
  let n = 0;
  return {
    msg: (buyerId: string, text: string, externalId = `${prefix}-${++n}`): InboundMessage => ({
      channel: 'webchat',
      shopId: 'demo',
      buyerId,
      externalId,
      text,
      receivedAt: new Date().toISOString(),
    }),
    wfId: (buyerId: string) => conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId }),
  };
}

/**
 * A live operator credential, created the way `sora operators token create` creates one (needs the
 * test's MongoDB connection): `headers` carry it as `Authorization: Bearer …` for /operator routes.
 */
export async function operatorCredential(name = 'test operator'): Promise<{ id: string; token: string; headers: Record<string, string> }> {
  const { runOperatorsCommand } = await import('../../scripts/cli/operators.js');
  const r = await runOperatorsCommand(['token', 'create', '--name', name, '--json']);
  if (r.code !== 0) throw new Error(`could not create an operator credential: ${r.stderr ?? r.usage}`);
  const c = JSON.parse(r.stdout!) as { id: string; token: string };
  return { id: c.id, token: c.token, headers: { authorization: `Bearer ${c.token}` } };
}

/**
 * A master key for tests that store secrets (infra/secrets): fixed, in memory, never a key file.
 * `seed` gives another key (a "wrong" or "new" one).
 */
export function testSecrets(seed = 'sora-cs test master key'): SecretBox {
  const key = createHash('sha256').update(seed).digest();
  return new SecretBox({ current: keyIdOf(key), keys: new Map([[keyIdOf(key), key]]), source: `the test key "${seed}"` });
}

export interface WebchatTestSession {
  token: string;
  buyerId: string;
  kind: 'anonymous' | 'verified';
  /** The Authorization header of this session. */
  auth: Record<string, string>;
}

/**
 * A web chat buyer session from the gateway (POST /webchat/:shop/sessions): anonymous, or verified
 * when `identity` (customerId + customerHash) is given. Throws on any other answer than 201.
 */
export async function webchatSession(
  gatewayUrl: string,
  shopId = 'demo',
  identity?: { customerId: string; customerHash: string },
): Promise<WebchatTestSession> {
  const res = await fetch(`${gatewayUrl}/webchat/${shopId}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(identity ?? {}),
  });
  if (res.status !== 201) throw new Error(`POST /webchat/${shopId}/sessions answered ${res.status}: ${await res.text()}`);
  const s = (await res.json()) as Omit<WebchatTestSession, 'auth'>;
  return { ...s, auth: { authorization: `Bearer ${s.token}` } };
}

/** POST a web chat message as the session's buyer; returns the response. */
export function webchatPost(gatewayUrl: string, s: Pick<WebchatTestSession, 'auth'>, body: unknown, shopId = 'demo'): Promise<Response> {
  return fetch(`${gatewayUrl}/webchat/${shopId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...s.auth },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * The local activities a workflow history records (one `core_local_activity` marker per completed
 * local activity: its type and the attempt that completed it). The conversation's per-message steps
 * are local activities (patch 'local-turn', workflows/conversation/run.ts), so they appear here
 * rather than as ActivityTaskScheduled events.
 */
export function localActivityMarkers(
  events: Array<{
    markerRecordedEventAttributes?: {
      markerName?: string | null;
      details?: Record<string, { payloads?: Array<{ data?: Uint8Array | string | null }> | null }> | null;
    } | null;
  }>,
): Array<{ type: string; attempt: number }> {
  return events.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    const data = m?.markerName === 'core_local_activity' ? m.details?.data?.payloads?.[0]?.data : undefined;
    if (!data) return [];
    const raw = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data);
    const d = JSON.parse(raw.toString('utf8')) as { activity_type?: string; attempt?: number };
    return d.activity_type ? [{ type: d.activity_type, attempt: d.attempt ?? 1 }] : [];
  });
}

/** A bot's FAQ reply in English, as the workflow decides it, for a test that calls the send activity itself. */
export function botReply(text: string): DecidedMessage {
  return {
    text,
    quickReplies: [],
    author: 'bot',
    agentId: null,
    language: 'en',
    requestedLanguage: 'en',
    languageFallback: false,
    asksQuestion: false,
    source: 'faq',
  };
}
