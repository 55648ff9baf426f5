/** The configuration: one schema, parsed once, every problem reported at once; the README table generated from it. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_SPECS,
  ConfigError,
  defaultConfig,
  loadConfig,
  projectRoot,
  renderConfigDocs,
  replaceSection,
  SECTIONS,
  SETTINGS,
  type Env,
} from '../infra/config/index.js';
import { connectionOptions } from '../infra/temporal/connection.js';

const problemsOf = (env: Env): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('loadConfig', () => {
  it('reports several bad variables at once, each naming its variable', () => {
    const problems = problemsOf({
      SORA_IDLE_CLOSE: 'soon',
      SORA_GATEWAY_PORT: '80800',
      SORA_MATCH_THRESHOLD: '1.5',
      SORA_LOG_LEVEL: 'loud',
      SORA_ALERT_WEBHOOK_URL: 'hooks.example.com',
      SORA_COUPON_LOW_WATERMARK: '2.5',
      SORA_SEARCH_ATTRIBUTES: 'maybe',
      SORA_UPS_CLIENT_ID: 'id-without-secret',
      SORA_CHANNELS: 'webchat,telegram',
      SORA_TELEGRAM_MODE: 'polling',
    });
    expect(problems).toEqual([
      'SORA_SEARCH_ATTRIBUTES: "maybe" must be true or false (also on/off, yes/no, 1/0)',
      'SORA_IDLE_CLOSE: "soon" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)',
      'SORA_GATEWAY_PORT: "80800" is not a port (0-65535)',
      'SORA_ALERT_WEBHOOK_URL: "hooks.example.com" is not a URL',
      'SORA_LOG_LEVEL: "loud" must be one of TRACE, DEBUG, INFO, WARN, ERROR, silent',
      'SORA_MATCH_THRESHOLD: "1.5" must be ≤ 1',
      'SORA_COUPON_LOW_WATERMARK: "2.5" is not a whole number',
      'SORA_UPS_CLIENT_SECRET: is required with SORA_UPS_CLIENT_ID',
      'telegram: SORA_TELEGRAM_BOT_TOKEN: SORA_TELEGRAM_BOT_TOKEN is required (the token @BotFather gave you)',
      'telegram: SORA_TELEGRAM_SHOP_ID: SORA_TELEGRAM_SHOP_ID is required (the shop this bot answers for)',
    ]);
    let err: unknown;
    try {
      loadConfig({ SORA_IDLE_CLOSE: 'soon', SORA_AGENT_SLA: 'later' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'configuration is invalid:\n' +
        '  - SORA_IDLE_CLOSE: "soon" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)\n' +
        '  - SORA_AGENT_SLA: "later" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)',
    );
  });

  it('defaults: the embedded local stack, the documented timers and thresholds', () => {
    const c = loadConfig({});
    expect(c.temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      external: false,
      taskQueue: 'sora-conversations',
      signalDeadlineMs: 5000,
    });
    expect(c.conversation).toEqual({
      silenceNudgeMs: 30_000,
      idleCloseMs: 600_000,
      npsDelayMs: 1_800_000,
      npsAnswerWindowMs: 86_400_000,
      agentSlaMs: 180_000,
      agentIdleCloseMs: 86_400_000,
      maxEscalationTiers: 2,
      orderValueHandoffUsd: 200,
      complaintStreakHandoff: 2,
      lowConfidenceHandoff: 3,
      historyEventLimit: 5000,
      activityTimeoutMs: 30_000,
      searchAttributes: true,
    });
    expect(c.gateway).toEqual({
      host: '127.0.0.1',
      port: 8080,
      relayIntervalMs: 5000,
      rateLimits: { webhooksPerMinute: 1200, operatorPerMinute: 300 },
      deskSessionTtlMs: 12 * 3_600_000,
      // The desk links workflows to the embedded Temporal Web UI unless SORA_TEMPORAL_UI_URL says otherwise.
      temporalUiUrl: 'http://127.0.0.1:8233',
    });
    expect(loadConfig({ SORA_TEMPORAL_UI_PORT: '9000' }).gateway.temporalUiUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ SORA_TEMPORAL_UI_URL: 'https://temporal.example.com/' }).gateway.temporalUiUrl).toBe(
      'https://temporal.example.com',
    );
    expect(c.log.level).toBe('INFO');
    // /metrics needs a credential and the Temporal SDK metrics are off unless configured.
    expect(c.metrics).toEqual({ public: false });
    expect(loadConfig({ SORA_METRICS_PUBLIC: 'true', SORA_TEMPORAL_METRICS_ADDRESS: '127.0.0.1:9464' }).metrics).toEqual({
      public: true,
      temporalAddress: '127.0.0.1:9464',
    });
    expect(() => loadConfig({ SORA_TEMPORAL_METRICS_ADDRESS: '9464' })).toThrow(/SORA_TEMPORAL_METRICS_ADDRESS/);
    expect(c.mongo).toEqual({});
    expect(c.stack).toEqual({
      home: path.join(projectRoot, '.sora'),
      temporalPort: 7233,
      temporalUiPort: 8233,
      mongoPort: 27017,
      installMultilingual: true,
      installBge: true,
      workers: 1,
      temporalSqlite: 'wal',
      demoMonth: true,
    });
    expect(c.worker).toEqual({ cachedWorkflows: 500 });
    expect(c.embedding).toEqual({
      batchSize: 32,
      cacheDir: path.join(projectRoot, '.sora', 'cache', 'embeddings'),
      allowRemoteModels: false,
      thread: true,
      ortThreads: 1,
    });
    expect(c.understanding).toEqual({ matchThreshold: 0.3, trainBudget: 6e8, warmShops: 100, languageAlignment: false });
    expect(c.orders).toEqual({ fxUsdRates: {}, sync: { maxAgeMs: 600_000, timeoutMs: 8000 } });
    expect(c.billing).toEqual({
      tiers: [
        { upTo: 5000, unitPriceMicros: 0 },
        { upTo: 20000, unitPriceMicros: 18_000 },
        { upTo: null, unitPriceMicros: 12_000 },
      ],
      advancedTrackingMicros: 5_000,
      currency: 'USD',
    });
    expect(c.coupons).toEqual({ lowWatermark: 10, minValidityMs: 86_400_000 });
    expect(c.carriers).toEqual({ credentials: {}, keys: { ttlDays: 90, warnHours: 72, auditCron: '0 6 * * *' }, audit: true, cli: {} });
    expect(c.tiktok).toBeUndefined();
    expect(c.channels).toEqual({
      enabled: [
        {
          id: 'webchat',
          settings: {
            pollMs: 250,
            sessionTtlMs: 30 * 24 * 3_600_000,
            postsPerMinPerSession: 20,
            postsPerMinPerAddress: 120,
            sessionsPerMinPerAddress: 20,
            streamsPerBuyer: 5,
            streamsPerProcess: 2000,
            attachmentMaxBytes: 5 * 1024 * 1024,
            attachmentUnsentTtlMs: 24 * 3_600_000,
          },
        },
      ],
    });
    expect(defaultConfig()).toEqual(c);
    // Blank counts as unset.
    expect(loadConfig({ SORA_IDLE_CLOSE: '  ', SORA_GATEWAY_HOST: '' }).gateway.host).toBe('127.0.0.1');
  });

  it('durations: ms, s, m, h, d and bare milliseconds; minimums', () => {
    const c = loadConfig({
      SORA_SILENCE_NUDGE: '1500ms',
      SORA_IDLE_CLOSE: '90s',
      SORA_NPS_DELAY: '2.5m',
      SORA_NPS_ANSWER_WINDOW: '2d',
      SORA_AGENT_SLA: '250',
      SORA_COUPON_MIN_VALIDITY: '36h',
      SORA_RELAY_INTERVAL: ' 10 s ',
    });
    expect(c.conversation).toMatchObject({
      silenceNudgeMs: 1500,
      idleCloseMs: 90_000,
      npsDelayMs: 150_000,
      npsAnswerWindowMs: 2 * 86_400_000,
      agentSlaMs: 250,
    });
    expect(c.coupons.minValidityMs).toBe(36 * 3_600_000);
    expect(c.gateway.relayIntervalMs).toBe(10_000);
    expect(problemsOf({ SORA_RELAY_INTERVAL: '10ms', SORA_ACTIVITY_TIMEOUT: '1w', SORA_NPS_DELAY: '-5m' })).toEqual([
      'SORA_ACTIVITY_TIMEOUT: "1w" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)',
      'SORA_NPS_DELAY: "-5m" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)',
      'SORA_RELAY_INTERVAL: must be at least 100ms (got "10ms")',
    ]);
  });

  it('booleans, on/off, enums (any case), numbers, URLs, FX rates, paths', () => {
    const c = loadConfig({
      SORA_SEARCH_ATTRIBUTES: 'off',
      SORA_CARRIER_KEY_AUDIT: 'OFF',
      SORA_ALLOW_REMOTE_MODELS: 'yes',
      SORA_KB_CENTER: 'false',
      SORA_LOG_LEVEL: 'debug',
      SORA_KB_TRAIN_BUDGET: '1e8',
      SORA_EMBED_CACHE: 'off',
      SORA_EMBED_QUERY_PREFIX: 'query: ',
      SORA_FX_USD_RATES: 'thb=0.03; EUR=1.1',
      SORA_BILLING_TIERS: '1000:0,*:0.02;tracking:0.01',
      SORA_17TRACK_API_KEY: ' k ',
      SORA_17TRACK_BASE_URL: 'http://127.0.0.1:9/track',
      MONGODB_URI: 'mongodb+srv://u:p@cluster0.example.net/sora',
    });
    expect(c.conversation.searchAttributes).toBe(false);
    expect(c.carriers.audit).toBe(false);
    expect(c.embedding).toMatchObject({ allowRemoteModels: true, cacheDir: false, queryPrefix: 'query: ' });
    expect(c.understanding).toMatchObject({ kbCenter: false, trainBudget: 1e8 });
    expect(c.log.level).toBe('DEBUG');
    expect(c.orders.fxUsdRates).toEqual({ THB: 0.03, EUR: 1.1 });
    expect(c.billing).toEqual({
      tiers: [
        { upTo: 1000, unitPriceMicros: 0 },
        { upTo: null, unitPriceMicros: 20_000 },
      ],
      advancedTrackingMicros: 10_000,
      currency: 'USD',
    });
    expect(c.carriers.credentials).toEqual({ seventeenTrack: { apiKey: 'k', baseUrl: 'http://127.0.0.1:9/track' } });
    expect(c.mongo.uri).toBe('mongodb+srv://u:p@cluster0.example.net/sora');
    expect(
      problemsOf({ MONGODB_URI: 'localhost:27017', SORA_CUSTOMS_DELAYS_FILE: '/nonexistent/delays.yaml', SORA_DHL_BASE_URL: 'ftp://x' }),
    ).toEqual([
      'MONGODB_URI: must start with mongodb:// or mongodb+srv:// (e.g. mongodb://127.0.0.1:27017/sora)',
      'SORA_CUSTOMS_DELAYS_FILE: no such file: /nonexistent/delays.yaml',
      'SORA_DHL_BASE_URL: "ftp://x" must be an http(s) URL',
    ]);
  });

  it('options: defaults under the environment', () => {
    expect(loadConfig({}, { defaults: { SORA_LOG_LEVEL: 'silent' } }).log.level).toBe('silent');
    expect(loadConfig({ SORA_LOG_LEVEL: 'WARN' }, { defaults: { SORA_LOG_LEVEL: 'silent' } }).log.level).toBe('WARN');
  });

  it('the TikTok app: with the channel, or for the order sync when key, secret and shops are set', () => {
    const app = { SORA_TIKTOK_APP_KEY: 'k', SORA_TIKTOK_APP_SECRET: 's', SORA_TIKTOK_SHOPS: '7494049642642441621:demo' };
    expect(loadConfig({ SORA_TIKTOK_APP_KEY: 'k' }).tiktok).toBeUndefined();
    expect(loadConfig(app).tiktok).toMatchObject({ appKey: 'k', shops: { '7494049642642441621': 'demo' } });
    expect(loadConfig(app).channels.enabled.map((c) => c.id)).toEqual(['webchat']);
    const both = loadConfig({ ...app, SORA_CHANNELS: 'tiktok' });
    expect(both.tiktok).toBe(both.channels.enabled[0]!.settings);
  });
});

describe('Temporal target', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-config-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('TLS from certificate files (read at load), API key implies TLS, cert and key go together', () => {
    const crt = file('client.pem', 'CERT');
    const key = file('client.key', 'KEY');
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_TLS_CERT: crt,
      TEMPORAL_TLS_KEY: key,
    });
    expect(c.temporal).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', external: true });
    expect(c.temporal.tls).toEqual({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
    expect(loadConfig({ TEMPORAL_API_KEY: 'secret' }).temporal).toMatchObject({ apiKey: 'secret', tls: true });
    expect(loadConfig({ TEMPORAL_API_KEY: 'secret', TEMPORAL_TLS: 'false' }).temporal.tls).toBe(false);
    expect(problemsOf({ TEMPORAL_TLS_CERT: crt, TEMPORAL_ADDRESS: 'no-port' })).toEqual([
      'TEMPORAL_ADDRESS: "no-port" is not host:port (e.g. 127.0.0.1:7233 or my-ns.a1b2c.tmprl.cloud:7233)',
      'TEMPORAL_TLS_KEY: is required with TEMPORAL_TLS_CERT (mTLS needs the certificate and its key)',
    ]);
    expect(connectionOptions(loadConfig({ TEMPORAL_API_KEY: 'secret' }).temporal)).toEqual({
      address: '127.0.0.1:7233',
      tls: true,
      apiKey: 'secret',
    });
  });

  it('a TOML profile (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE) under the TEMPORAL_* variables', () => {
    const toml = file(
      'temporal.toml',
      [
        '[profile.default]',
        'address = "127.0.0.1:7233"',
        '[profile.cloud]',
        'address = "prod.a1b2c.tmprl.cloud:7233"',
        'namespace = "prod.a1b2c"',
        'api_key = "from-profile"',
        '[profile.cloud.grpc_meta]',
        'x-team = "cs"',
      ].join('\n'),
    );
    const cloud = loadConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' }).temporal;
    expect(cloud).toMatchObject({
      address: 'prod.a1b2c.tmprl.cloud:7233',
      namespace: 'prod.a1b2c',
      apiKey: 'from-profile',
      tls: true,
      metadata: { 'x-team': 'cs' },
      external: true,
    });
    expect(
      loadConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'staging.a1b2c' }).temporal.namespace,
    ).toBe('staging.a1b2c');
    // The default location: $XDG_CONFIG_HOME/temporalio/temporal.toml, read only from the environment given.
    const xdg = mkdtempSync(path.join(os.tmpdir(), 'sora-xdg-'));
    mkdirSync(path.join(xdg, 'temporalio'));
    writeFileSync(path.join(xdg, 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "10.0.0.5:7233"\n');
    expect(loadConfig({ XDG_CONFIG_HOME: xdg }).temporal).toMatchObject({ address: '10.0.0.5:7233', external: true });
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })[0]).toMatch(/^TEMPORAL_PROFILE: Profile 'nope' not found/);
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: file('bad.toml', 'profile = [') })[0]).toMatch(
      /^TEMPORAL_CONFIG_FILE: cannot read the Temporal config file/,
    );
  });
});

describe('the schema is the one list of variables', () => {
  it('every SORA_* / TEMPORAL_* name in the code is a setting (or a channel variable)', () => {
    const known = new Set([...Object.keys(SETTINGS), ...CHANNEL_SPECS.flatMap((c) => Object.keys(c.vars)), 'SORA_CHANNELS']);
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts'))
          for (const m of readFileSync(p, 'utf8').matchAll(/\b(?:SORA|TEMPORAL)_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
      }
    };
    for (const d of ['activities', 'bots', 'scripts', 'infra', 'workflows', 'models', 'bench']) walk(path.join(projectRoot, d));
    expect([...names].filter((n) => !known.has(n)).sort()).toEqual([]);
  });

  it('every setting has a description and a section', () => {
    const inSections = SECTIONS.flatMap((s) => Object.keys(s.settings));
    expect(inSections.sort()).toEqual(Object.keys(SETTINGS).sort());
    for (const [name, s] of Object.entries(SETTINGS)) expect(s.description.length, name).toBeGreaterThan(3);
  });
});

describe('README', () => {
  it('the configuration table is the one generated from the schema (npm run docs:config)', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    expect(replaceSection(readme, renderConfigDocs()) === readme, 'README.md is out of date: run `npm run docs:config`').toBe(true);
  });
});
