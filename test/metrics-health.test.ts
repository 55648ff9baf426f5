/**
 * Health (issue 17 item 6) on the real stack (Temporal dev server, MongoDB-wire server, worker +
 * gateway in this process): GET /metrics needs an operator credential by default, is well-formed
 * Prometheus text (a strict line parser below rejects anything else), and its counters move after a
 * real web chat message and a handoff; the scrape-time gauges show the channel and an expired
 * carrier key. GET /desk/api/health is scoped to the caller's shops and lists an expired carrier key
 * and a breached ticket as actions.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { send } from '../activities/logistics/http.js';
import { carrierErrors, carrierRequests } from '../infra/metrics.js';
import { freePort } from '../scripts/stack/process.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { metricsRoute } from '../bots/metrics-route.js';
import { ChannelRegistry } from '../bots/registry.js';
import { AgentModel, hashPassword } from '../models/agent.js';
import { CarrierCredentialModel } from '../models/carrier-credential.js';
import { disconnectMongo } from '../models/connection.js';
import { TicketModel } from '../models/ticket.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { eventually, operatorCredential, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';

let app: App;
let dbUri: string;
let opAuth: Record<string, string>;
const PASSWORD = 'metrics health test password';
const HOUR = 3_600_000;

// ---- a strict Prometheus text-format (0.0.4) parser: any malformed line throws ----
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = s;
  while (rest.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest);
    if (!m) throw new Error(`malformed labels: {${s}}`);
    if (m[1]! in out) throw new Error(`duplicate label ${m[1]} in {${s}}`);
    out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(m[0].length);
  }
  return out;
}

function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const family = (name: string) => {
    for (const suffix of ['_bucket', '_sum', '_count', '']) {
      const base = suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
      if (types.has(base) && (suffix === '' || ['histogram', 'summary'].includes(types.get(base)!))) return base;
    }
    throw new Error(`sample ${name} has no # TYPE line before it`);
  };
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`line ${i + 1}: malformed comment: ${line}`);
      if (!NAME.test(m[2]!)) throw new Error(`line ${i + 1}: bad metric name ${m[2]}`);
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3]!)) throw new Error(`line ${i + 1}: unknown type ${m[3]}`);
        if (types.has(m[2]!)) throw new Error(`line ${i + 1}: second TYPE for ${m[2]}`);
        types.set(m[2]!, m[3]!);
      } else helps.add(m[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: malformed sample: ${line}`);
    const raw = m[3]!;
    // Prometheus reads values with Go's ParseFloat: NaN and ±Inf in any case (prom-client writes "Nan").
    if (!/^(nan|[+-]?inf|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/i.test(raw)) throw new Error(`line ${i + 1}: bad value ${raw}`);
    const value = /^nan$/i.test(raw) ? NaN : /^[+-]?inf$/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw);
    const name = m[1]!;
    const fam = family(name);
    if (!helps.has(fam)) throw new Error(`line ${i + 1}: ${fam} has no # HELP`);
    const labels = parseLabels(m[2] ?? '');
    if (types.get(fam) === 'histogram' && name.endsWith('_bucket') && labels.le === undefined)
      throw new Error(`line ${i + 1}: bucket without le`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

async function scrape(): Promise<ReturnType<typeof parseExposition>> {
  const res = await fetch(`${app.gateway.url}/metrics`, { headers: opAuth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function signIn(login: string): Promise<string> {
  const res = await fetch(`${app.gateway.url}/desk/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  expect(res.status).toBe(201);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

beforeAll(async () => {
  dbUri = await useFreshDatabase('sora_metrics_health');
  await seedDemoShop();
  const hash = await hashPassword(PASSWORD);
  await AgentModel.create([
    { _id: 'ana', name: 'Ana', email: 'ana@demo.test', role: 'agent', shopIds: ['demo'], passwordHash: hash },
    { _id: 'bob', name: 'Bob', email: 'bob@other.test', role: 'agent', shopIds: ['other'], passwordHash: hash },
  ]);
  // An expired DHL key and a ticket past its SLA in the demo shop (raw inserts: an expired key cannot be set through the API).
  // …and a UPS key expiring within the warning window (72 h by default), and a FedEx key well outside it.
  await CarrierCredentialModel.collection.insertMany([
    { shopId: 'demo', carrier: 'ups', clientId: null, expiresAt: new Date(Date.now() + 10 * HOUR) },
    { shopId: 'demo', carrier: 'fedex', clientId: null, expiresAt: new Date(Date.now() + 30 * 24 * HOUR) },
  ]);
  await CarrierCredentialModel.collection.insertOne({
    shopId: 'demo',
    carrier: 'dhl',
    apiKey: null,
    expiresAt: new Date(Date.now() - 2 * HOUR),
  });
  await TicketModel.collection.insertOne({
    _id: 'tk-breached' as never,
    number: 7,
    shopId: 'demo',
    subject: 'Parcel lost',
    status: 'open',
    priority: 'high',
    source: 'agent',
    key: 'test:breached',
    channel: 'webchat',
    buyerId: 'b-1',
    dueAt: new Date(Date.now() - HOUR),
    breachedAt: new Date(Date.now() - HOUR),
  });
  app = await startApp({
    mongoUri: inject('mongoUri'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 500,
    webchatPollMs: 200,
    signalDeadlineMs: 2000,
    carrierKeyAudit: false,
    printOperatorToken: () => undefined,
    printDeskSetup: () => undefined,
  });
  opAuth = (await operatorCredential('metrics test')).headers;
});

afterAll(async () => {
  await app?.stop();
  await disconnectMongo();
});

describe('GET /metrics', () => {
  it('needs an operator credential by default; an agent token of one shop is refused', async () => {
    const none = await fetch(`${app.gateway.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(`${app.gateway.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('SORA_METRICS_PUBLIC: answers without a credential', async () => {
    const e = express();
    e.use(metricsRoute({ registry: new ChannelRegistry(), public: true }));
    const server = e.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      parseExposition(await res.text());
    } finally {
      server.close();
    }
  });

  it('the strict parser rejects malformed exposition text', () => {
    expect(() => parseExposition('sora_x 1\n')).toThrow(/no # TYPE/);
    expect(() => parseExposition('# HELP a b\n# TYPE a counter\na{x="1} 1\n')).toThrow(/malformed/);
    expect(() => parseExposition('# HELP a b\n# TYPE a counter\na one\n')).toThrow(/bad value/);
  });

  it('is well-formed, and a web chat message moves inbound, outbound, reply latency and questions', async () => {
    const before = (await scrape()).samples;
    const s = await webchatSession(app.gateway.url);
    expect((await webchatPost(app.gateway.url, s, { messageId: 'm1', text: 'How long does shipping take?' })).status).toBe(202);
    const after = await eventually(
      async () => {
        const m = await scrape();
        return sum(m.samples, 'sora_reply_latency_seconds_count', { channel: 'webchat' }) >
          sum(before, 'sora_reply_latency_seconds_count', { channel: 'webchat' })
          ? m
          : null;
      },
      60_000,
      'reply latency observed',
    );
    expect(after.types.get('sora_inbound_messages_total')).toBe('counter');
    expect(after.types.get('sora_reply_latency_seconds')).toBe('histogram');
    expect(sum(after.samples, 'sora_inbound_messages_total', { channel: 'webchat' })).toBe(
      sum(before, 'sora_inbound_messages_total', { channel: 'webchat' }) + 1,
    );
    expect(sum(after.samples, 'sora_outbound_messages_total', { channel: 'webchat', status: 'sent' })).toBeGreaterThan(
      sum(before, 'sora_outbound_messages_total', { channel: 'webchat', status: 'sent' }),
    );
    expect(sum(after.samples, 'sora_questions_total')).toBeGreaterThan(sum(before, 'sora_questions_total'));
    const latency = sum(after.samples, 'sora_reply_latency_seconds_sum', { channel: 'webchat' });
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(120);
    // Scrape-time gauges: web chat is up in this process; the expired DHL key is negative seconds.
    expect(sum(after.samples, 'sora_channel_connected', { channel: 'webchat' })).toBe(1);
    const expiry = after.samples.find(
      (x) => x.name === 'sora_carrier_key_expiry_seconds' && x.labels.shop === 'demo' && x.labels.carrier === 'dhl',
    );
    expect(expiry?.value).toBeLessThan(-3000);
    // The Node process metrics share the one registry.
    expect(after.types.get('sora_process_process_cpu_seconds_total')).toBe('counter');
  });

  it('a handoff counts by reason', async () => {
    const before = (await scrape()).samples;
    const s = await webchatSession(app.gateway.url);
    await webchatPost(app.gateway.url, s, { messageId: 'h1', text: 'I want to talk to a human' });
    const after = await eventually(
      async () => {
        const m = await scrape();
        return sum(m.samples, 'sora_handoffs_total') > sum(before, 'sora_handoffs_total') ? m : null;
      },
      60_000,
      'handoff counted',
    );
    const reasons = after.samples.filter((x) => x.name === 'sora_handoffs_total').map((x) => x.labels.reason);
    expect(reasons.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
    expect(sum(after.samples, 'sora_questions_total', { result: 'human_request' })).toBeGreaterThan(
      sum(before, 'sora_questions_total', { result: 'human_request' }),
    );
  });
});

describe('carrier API and Temporal SDK metrics', () => {
  it('a carrier 503 counts as a server error with its latency, by carrier', async () => {
    const server = createServer((_req, res) => res.writeHead(503).end('down'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const count = async (): Promise<number> =>
      (await carrierErrors.get()).values.find((v) => v.labels.carrier === 'dhl' && v.labels.kind === 'server_error')?.value ?? 0;
    const before = await count();
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/track`;
      await expect(send('dhl', { method: 'GET', url }, { retries: 1, backoffBaseMs: 1 })).rejects.toThrow(/503/);
    } finally {
      server.close();
    }
    expect(await count()).toBe(before + 2);
    const text = (await scrape()).samples;
    expect(sum(text, 'sora_carrier_request_duration_seconds_count', { carrier: 'dhl', outcome: 'server_error' })).toBeGreaterThanOrEqual(2);
    expect((await carrierRequests.get()).values.length).toBeGreaterThan(0);
  });

  it('SORA_TEMPORAL_METRICS_ADDRESS: the Temporal SDK serves its metrics there (a fresh process)', async () => {
    const port = await freePort();
    const script = [
      `const { installRuntime } = await import(${JSON.stringify(new URL('../scripts/runtime.ts', import.meta.url).href)});`,
      `const { Runtime } = await import('@temporalio/worker');`,
      `installRuntime('silent', '127.0.0.1:${port}'); Runtime.instance();`,
      `await new Promise((r) => setTimeout(r, 300));`,
      `const res = await fetch('http://127.0.0.1:${port}/metrics');`,
      `console.log(res.status, res.headers.get('content-type')); process.exit(0);`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 30_000,
    });
    expect(stdout.trim()).toMatch(/^200 text\/plain/);
  });
});

describe('SORA_WORKER_METRICS_ADDRESS', () => {
  it('`sora worker` serves its own GET /metrics there, behind the same credential', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const home = mkdtempSync(path.join(os.tmpdir(), 'sora-worker-metrics-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'worker'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        PATH: process.env.PATH,
        SORA_HOME: home,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        MONGODB_URI: dbUri,
        // Its own queue: this worker must not take other tests' conversations.
        SORA_TASK_QUEUE: 'worker-metrics-test',
        SORA_WARM_SHOPS: '0',
        SORA_CHANNELS: 'webchat',
        SORA_LOG_LEVEL: 'WARN',
        SORA_WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await eventually(
        () => stderr.includes(`metrics on http://127.0.0.1:${port}/metrics`) || child.exitCode !== null,
        60_000,
        'the worker to listen',
      );
      expect(child.exitCode, stderr).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: opAuth });
      expect(res.status).toBe(200);
      const { types } = parseExposition(await res.text());
      expect(types.get('sora_outbound_messages_total')).toBe('counter');
      expect(types.get('sora_activity_failures_total')).toBe('counter');
      expect((await fetch(`http://127.0.0.1:${port}/operator/shops`, { headers: opAuth })).status).toBe(404);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('GET /desk/api/health', () => {
  it("needs a desk credential, and ?shop= must be one of the caller's shops", async () => {
    expect((await fetch(`${app.gateway.url}/desk/api/health`)).status).toBe(401);
    const bob = await signIn('bob@other.test');
    const res = await fetch(`${app.gateway.url}/desk/api/health?shop=demo`, { headers: { cookie: bob } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('unknown_shop');
    const long = await fetch(`${app.gateway.url}/desk/api/health?shop=${'x'.repeat(300)}`, { headers: { cookie: bob } });
    expect(long.status).toBeGreaterThanOrEqual(400);
    expect(long.status).toBeLessThan(500);
    const xml = await fetch(`${app.gateway.url}/desk/api/health?format=xml`, { headers: { cookie: bob } });
    expect(xml.status).toBe(422);
    expect(((await xml.json()) as { message: string }).message).toBe('format: must be json or csv');
  });

  it('lists the expired carrier key and the breached ticket of the shop, with the last 24 h numbers', async () => {
    const ana = await signIn('ana@demo.test');
    const body = (await (await fetch(`${app.gateway.url}/desk/api/health?shop=demo`, { headers: { cookie: ana } })).json()) as {
      shop: string;
      actions: Array<Record<string, unknown>>;
      slaBreaches: number;
      last24h: { inbound: number; outbound: number; unmatchedRate: number | null };
    };
    expect(body.shop).toBe('demo');
    expect(body.actions).toContainEqual(expect.objectContaining({ kind: 'carrier_key_expired', shopId: 'demo', carrier: 'dhl' }));
    expect(body.actions).toContainEqual(
      expect.objectContaining({ kind: 'sla_breach', shopId: 'demo', ticketId: 'tk-breached', number: 7 }),
    );
    expect(body.slaBreaches).toBe(1);
    // The two buyer messages of the /metrics tests (they ran first in this file).
    expect(body.last24h.inbound).toBeGreaterThanOrEqual(2);
    expect(body.last24h.outbound).toBeGreaterThanOrEqual(2);
    expect(body.last24h.unmatchedRate).not.toBeNull();
  });

  it("another shop's agent sees none of it", async () => {
    const bob = await signIn('bob@other.test');
    const body = (await (await fetch(`${app.gateway.url}/desk/api/health`, { headers: { cookie: bob } })).json()) as {
      actions: unknown[];
      slaBreaches: number;
      last24h: { inbound: number };
    };
    expect(body.actions).toEqual([]);
    expect(body.slaBreaches).toBe(0);
    expect(body.last24h.inbound).toBe(0);
  });
});

describe('activity failures', () => {
  it('the worker interceptor counts a failed attempt by activity and failure type, and rethrows it', async () => {
    const { activityMetricsInterceptor } = await import('../activities/metrics-interceptor.js');
    const { ApplicationFailure } = await import('@temporalio/common');
    const { activityFailures } = await import('../infra/metrics.js');
    const count = async () =>
      (await activityFailures.get()).values.find((v) => v.labels.activity === 'lookupOrder' && v.labels.error === 'OrderSourceDown')
        ?.value ?? 0;
    const before = await count();
    const ctx = { info: { activityType: 'lookupOrder' } } as unknown as Parameters<ReturnType<typeof activityMetricsInterceptor>>[0];
    const { inbound } = activityMetricsInterceptor()(ctx);
    const failure = ApplicationFailure.create({ message: 'down', type: 'OrderSourceDown' });
    const input = { args: [], headers: {} } as never;
    await expect(
      inbound!.execute!(input, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(inbound!.execute!(input, async () => 'ok')).resolves.toBe('ok');
    expect(await count()).toBe(before + 1);
  });
});
