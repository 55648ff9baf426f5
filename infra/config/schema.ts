/**
 * The one configuration schema: every environment variable sora-cs reads, with its kind, default,
 * validation and description, grouped in sections (the README table is generated from these,
 * `npm run docs:config`). Channel variables are in channels.ts, part of the same schema.
 *
 * `Config` is what the rest of the code receives: parsed, typed, defaults applied.
 */
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import type { ChannelsConfig, TiktokSettings } from './channels.js';
import type { LazadaSettings } from './channels.js';
import { shopifySettings, type ShopifySettings } from './shopify.js';
import { parseMasterKeyList } from '../secrets/keys.js';
import { DEFAULT_BILLING_TIERS, parseBillingPlan, type BillingPlan } from './billing-plan.js';
import {
  bool,
  bytes,
  cron,
  describe,
  duration,
  field,
  int,
  num,
  ok,
  bad,
  oneOf,
  onOff,
  pathTo,
  port,
  rawText,
  secret,
  str,
  url,
  usdRates,
  type Field,
  type Setting,
} from './fields.js';

const hostPort = (): Field<string | undefined> =>
  field('`host:port`', (raw) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/.exec(raw);
    return m && Number(m[2]) <= 65535 ? ok(raw) : bad(`"${raw}" is not host:port (e.g. 127.0.0.1:7233 or my-ns.a1b2c.tmprl.cloud:7233)`);
  });

const masterKey = (): Field<string | undefined> =>
  field('secret', (raw) => {
    const r = parseMasterKeyList(raw);
    return r.ok ? ok(raw) : bad(r.message);
  });

const mongoUri = (): Field<string | undefined> =>
  field('`mongodb://…`', (raw) =>
    /^mongodb(\+srv)?:\/\/\S+$/.test(raw)
      ? ok(raw)
      : bad('must start with mongodb:// or mongodb+srv:// (e.g. mongodb://127.0.0.1:27017/sora)'),
  );

export const temporalSettings = {
  TEMPORAL_ADDRESS: describe(hostPort(), 'Temporal frontend. When set (here or in a profile), `npm start` does not start the dev server', {
    default: '127.0.0.1:7233',
  }),
  TEMPORAL_NAMESPACE: describe(str(), 'namespace', { default: 'default' }),
  TEMPORAL_API_KEY: describe(secret(), 'Temporal Cloud API key (sent as a bearer token; implies TLS)', { secret: true }),
  TEMPORAL_TLS: describe(bool(), '`true`: TLS with the system roots; `false`: no TLS even with an API key or a profile that has TLS'),
  TEMPORAL_TLS_CERT: describe(pathTo({ mustExist: 'file' }), 'client certificate (PEM) for mTLS; with TEMPORAL_TLS_KEY'),
  TEMPORAL_TLS_KEY: describe(pathTo({ mustExist: 'file' }), 'client private key (PEM) for mTLS; with TEMPORAL_TLS_CERT'),
  TEMPORAL_TLS_CA: describe(pathTo({ mustExist: 'file' }), 'CA certificate (PEM) of a server whose certificate the system does not trust'),
  TEMPORAL_TLS_SERVER_NAME: describe(str(), 'server name (SNI) to verify instead of the address host'),
  TEMPORAL_CONFIG_FILE: describe(
    pathTo({ mustExist: 'file' }),
    "Temporal client config file (TOML, the Temporal CLI's format: profiles with address, namespace, api_key, tls). The TEMPORAL_* variables above override the profile",
    { defaultNote: '`$XDG_CONFIG_HOME/temporalio/temporal.toml` if present' },
  ),
  TEMPORAL_PROFILE: describe(str(), 'profile of the config file to use (must exist when set)', { default: 'default' }),
  SORA_TASK_QUEUE: describe(str('sora-conversations'), 'task queue of workflows and activities'),
  SORA_SEARCH_ATTRIBUTES: describe(onOff(true), '`off` only for a server without the custom search attributes'),
  SORA_SIGNAL_DEADLINE: describe(duration('5s', { min: 1 }), 'how long intake waits for Temporal before answering 503'),
  SORA_ACTIVITY_TIMEOUT: describe(duration('30s', { min: 1000 }), 'activity start-to-close timeout'),
  SORA_HISTORY_EVENT_LIMIT: describe(int(5000, { min: 100 }), 'continue-as-new above this many history events'),
};

export const conversationSettings = {
  SORA_SILENCE_NUDGE: describe(
    duration('30s'),
    "default silence nudge delay after a bot reply (a shop's strategy may set its own: sora shops strategy)",
  ),
  SORA_IDLE_CLOSE: describe(duration('10m'), 'idle close'),
  SORA_NPS_DELAY: describe(duration('30m'), 'default delay from a resolved close to the NPS question (per shop: sora shops strategy)'),
  SORA_NPS_ANSWER_WINDOW: describe(duration('24h'), 'how long an NPS answer is accepted'),
  SORA_AGENT_SLA: describe(duration('3m'), 'time for an agent to accept before escalating a tier'),
  SORA_AGENT_IDLE_CLOSE: describe(
    duration('24h'),
    'an agent-held conversation with no message from either side closes after this, with a notice (docs/conversation-lifecycle.md)',
  ),
  SORA_MAX_ESCALATION_TIERS: describe(int(2, { min: 0 }), 'tiers after the first queue before "nobody is free"'),
  SORA_HANDOFF_ORDER_VALUE_USD: describe(num(200, { min: 0 }), 'order value (USD) that hands off'),
  SORA_HANDOFF_COMPLAINT_STREAK: describe(int(2, { min: 1 }), 'consecutive complaint messages that hand off'),
  SORA_HANDOFF_LOW_CONFIDENCE_STREAK: describe(int(3, { min: 1 }), 'consecutive not-understood messages that hand off'),
};

export const gatewaySettings = {
  SORA_GATEWAY_HOST: describe(str('127.0.0.1'), 'gateway (webhooks, web chat, operator API) listen address'),
  SORA_GATEWAY_PORT: describe(port(8080), 'gateway port'),
  SORA_OPERATOR_TOKEN: describe(
    secret(),
    'an extra Bearer token accepted on `/operator/*` besides the stored operator credentials (`sora operators token create`); with it set, the first start creates no credential',
    { secret: true },
  ),
  SORA_WEBHOOK_RATE_LIMIT: describe(
    int(1200, { min: 1 }),
    'requests per minute one client address may make to `/webhooks/*` (then `429` + `Retry-After`)',
  ),
  SORA_OPERATOR_RATE_LIMIT: describe(
    int(300, { min: 1 }),
    'requests per minute one client address may make to `/operator/*`, failed logins included (then `429` + `Retry-After`)',
  ),
  SORA_ALERT_WEBHOOK_URL: describe(
    url(),
    'operator notifications (handoff, escalation, coupon pool, carrier keys, WhatsApp logout) are also POSTed here',
  ),
  SORA_RELAY_INTERVAL: describe(duration('5s', { min: 100 }), 'how often the relay looks for unsignalled messages'),
  SORA_DESK_SESSION_TTL: describe(
    duration('12h', { min: 60_000 }),
    'a desk sign-in (HttpOnly cookie) ends after this long without use; sign-out and disabling the agent end it at once',
  ),
  SORA_DESK_URL: describe(
    url(),
    'the address agents open the desk at (behind a proxy: its public https address); one-time sign-in links point there. Default: `http://SORA_GATEWAY_HOST:SORA_GATEWAY_PORT`',
  ),
  SORA_LOG_LEVEL: describe(
    oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'silent'], 'INFO'),
    'log level (any case); `silent` mutes the app log',
  ),
  SORA_METRICS_PUBLIC: describe(
    bool(false),
    '`true`: `GET /metrics` (Prometheus) answers without a credential; default: it needs an operator Bearer token like `/operator/*`',
  ),
  SORA_TEMPORAL_METRICS_ADDRESS: describe(
    hostPort(),
    "the Temporal SDK's own worker metrics (Prometheus) are served on this `host:port` by each process that runs a worker (e.g. `127.0.0.1:9464`; one address per process; with `npm start` and `SORA_WORKERS=N` the k-th extra worker uses port + k − 1). Unset: off",
  ),
  SORA_WORKER_METRICS_ADDRESS: describe(
    hostPort(),
    "`sora worker` serves its own `GET /metrics` (this process's counters: sends, activity failures, carrier calls…; same credential as the gateway's) on this `host:port`, e.g. `127.0.0.1:9470`; with `npm start` and `SORA_WORKERS=N` the k-th extra worker uses port + k − 2. Unset: off",
  ),
};

export const stackSettings = {
  MONGODB_URI: describe(
    mongoUri(),
    'MongoDB (replica set / Atlas). Unset: `npm start` runs a `mongod` on PATH, else the bundled mongo-java-server',
    {
      defaultNote: 'embedded',
    },
  ),
  SORA_HOME: describe(pathTo({ folder: true }), 'binaries, models, data and logs of the embedded stack', { default: './.sora' }),
  SORA_MASTER_KEY: describe(
    masterKey(),
    'master key sealing the secrets stored in MongoDB (AES-256-GCM): 32 bytes as 64 hex digits or base64; `NEW,OLD` during a rotation (the first seals). Unset: the key file `$SORA_HOME/master.key` (created 0600 on first start). README "Secrets at rest"',
    { secret: true, defaultNote: '`$SORA_HOME/master.key`' },
  ),
  SORA_TEMPORAL_PORT: describe(port(7233), 'embedded Temporal dev server port'),
  SORA_TEMPORAL_UI_PORT: describe(port(8233), 'embedded Temporal Web UI port'),
  SORA_TEMPORAL_UI_URL: describe(url(), "the Temporal Web UI the desk links each conversation's workflow to", {
    defaultNote: '`http://127.0.0.1:$SORA_TEMPORAL_UI_PORT`',
  }),
  SORA_WORKER_CACHE: describe(
    int(500, { min: 0 }),
    'conversations a worker keeps in memory between messages (Temporal\'s sticky cache, ≈ 0.1–0.4 MB each); one that was evicted replays its history on its next message. 0 = none. BENCHMARKS.md "Load" (10,000 open conversations)',
  ),
  SORA_WORKERS: describe(
    int(1, { min: 1, max: 64 }),
    '`npm start`: conversation worker processes in all (the app is one; each more is a `sora worker` child with its own copy of the model, ≈ 300 MB; BENCHMARKS.md "Load" says when it pays)',
  ),
  SORA_TEMPORAL_SQLITE: describe(
    oneOf(['wal', 'wal-normal', 'rollback'], 'wal'),
    "embedded Temporal dev server's SQLite store: `wal` (write-ahead log, fsync per commit: durable, one fsync instead of several), `wal-normal` (fsync at checkpoints only: survives a crash of the server, may lose the last commits on power loss), `rollback` (SQLite's default journal; BENCHMARKS.md compares them)",
  ),
  SORA_MONGO_PORT: describe(port(27017), 'embedded MongoDB-wire server port (the CLI uses it too when MONGODB_URI is unset)'),
  SORA_INSTALL_MULTILINGUAL: describe(bool(true), '`false`: `stack:install` installs only the small English model'),
  SORA_INSTALL_BGE: describe(
    bool(true),
    '`stack:install` also installs `BAAI/bge-small-en-v1.5` (English, 34 MB), the most accurate English model here (choose it with `SORA_EMBED_MODEL`); `false` skips it',
  ),
  SORA_DEMO_MONTH: describe(
    bool(true),
    '`npm start`: seed the demo shop once with 30 days of synthetic conversations (marked demo) so the insights pages are not empty; `false` skips it (`sora demo clear-month` removes a seeded one)',
  ),
};

export const knowledgeSettings = {
  SORA_EMBED_MODEL: describe(str(), 'embedding model: an id under `.sora/models/` or a model folder', {
    defaultNote: 'multilingual e5 if installed, else MiniLM',
  }),
  SORA_EMBED_BATCH: describe(int(32, { min: 1 }), 'texts per forward pass'),
  SORA_EMBED_ORT_THREADS: describe(
    int(1, { min: 1, max: 64 }),
    "ONNX Runtime's threads per forward pass. 1 spends the least CPU per message (on 2 cores: 14.6 ms per question vs 18.3 ms with 2, whose pool spins) at ≈ 5 ms more latency for a lone question; under load, questions share passes anyway",
  ),
  SORA_EMBED_THREAD: describe(
    bool(true),
    'run the embedding model in a worker thread (ONNX Runtime\'s Node binding blocks the thread that calls it; `false`: the main thread, as before; BENCHMARKS.md "Load")',
  ),
  SORA_EMBED_QUERY_PREFIX: describe(rawText(), 'prompt prefix of buyer questions (kept as is, blanks included)', {
    defaultNote: 'from the model (e5: `query: `)',
  }),
  SORA_EMBED_PASSAGE_PREFIX: describe(rawText(), 'prompt prefix of KB phrasings (e5 embeds them as queries too: symmetric matching)', {
    defaultNote: 'from the model (e5: `query: `)',
  }),
  SORA_EMBED_CACHE: describe({ ...str(), kind: 'folder or `off`' }, 'on-disk cache of KB phrasing vectors; `off` disables', {
    defaultNote: '`$SORA_HOME/cache/embeddings`',
  }),
  SORA_ALLOW_REMOTE_MODELS: describe(bool(false), 'let transformers.js download from a model hub'),
  SORA_KB_CENTER: describe(bool(), 'intent model: subtract the KB mean vector', { defaultNote: 'from the model (e5: `true`)' }),
  SORA_KNN_TEMPERATURE: describe(num(undefined, { min: 0, above: true }), 'intent model: k-NN softmax temperature', {
    defaultNote: 'from the model (0.05)',
  }),
  SORA_KB_TRAIN_BUDGET: describe(
    num(6e8, { min: 0, above: true }),
    "multiply-adds spent training a shop's index regression (3–30 epochs)",
    {
      default: '6e8',
    },
  ),
  SORA_WARM_SHOPS: describe(
    int(100, { min: 0 }),
    'FAQ indexes built at start, before the gateway listens (the most recently changed shops; 0 = none: the first message to a shop builds its index)',
  ),
  SORA_MATCH_THRESHOLD: describe(num(0.3, { min: 0, max: 1 }), 'minimum fused confidence to answer from the FAQ'),
  SORA_MATCH_MIN_SIMILARITY: describe(num(undefined, { min: -1, max: 1 }), 'minimum cosine similarity to the nearest FAQ phrasing', {
    defaultNote: 'from the model (MiniLM 0.45, e5 0.82)',
  }),
};

export const kbImportSettings = {
  SORA_KB_MAX_UPLOAD: describe(bytes('20mb', { min: 1 }), 'largest FAQ workbook upload (request body); larger → `413`'),
  SORA_KB_MAX_UNZIPPED: describe(
    bytes('60mb', { min: 1 }),
    'largest total uncompressed size of an `.xlsx` (read from its zip directory before parsing; zip bombs → `413`)',
  ),
  SORA_KB_MAX_ROWS: describe(int(20000, { min: 1 }), 'most rows in a FAQ workbook; more → `413`'),
  SORA_KB_MAX_CELL: describe(
    int(4000, { min: 1 }),
    'most characters in one workbook cell (question ≤ 500 and variant ≤ 500 are fixed); longer → `422` naming the cell',
  ),
  SORA_IMPORT_TASK_QUEUE: describe(
    str('sora-imports'),
    'task queue of the KB import workflow and its activities (one import activity at a time per worker)',
  ),
  SORA_IMPORT_WORKER: describe(
    onOff(true),
    '`off`: this process runs no import worker (run one elsewhere on SORA_IMPORT_TASK_QUEUE, see README "KB import")',
  ),
};

export const commerceSettings = {
  SORA_FCR_WINDOW: describe(
    duration('24h', { min: 60_000 }),
    'first-contact resolution: a new conversation of the same buyer on the same intent within this time of a close undoes its FCR (docs/insights.md)',
  ),
  SORA_BILLING_TIERS: describe(
    field(
      '`UP_TO:PRICE,…,*:PRICE;tracking:PRICE`',
      (raw) => {
        try {
          return ok(parseBillingPlan(raw));
        } catch (e) {
          return bad((e as Error).message);
        }
      },
      DEFAULT_BILLING_TIERS,
    ),
    'usage price table (USD, graduated tiers of billable conversations per shop per month, plus a per-conversation add-on for advanced carrier tracking); README "Usage and billing"',
  ),
  SORA_FX_USD_RATES: describe(usdRates(), 'USD per unit of a currency, e.g. `THB=0.028,EUR=1.08`; overrides/extends the built-in table', {
    defaultNote: 'built-in approximate table',
  }),
  SORA_ORDER_SYNC_MAX_AGE_MIN: describe(
    num(10, { min: 0 }),
    "minutes: a buyer's orders are re-fetched from TikTok Shop when the last fetch is older",
  ),
  SORA_ORDER_SYNC_TIMEOUT_MS: describe(
    num(8000, { min: 0 }),
    'ms: bound on one order sync; on timeout or error the stored orders are used',
  ),
  SORA_COUPON_LOW_WATERMARK: describe(
    int(10, { min: 0 }),
    'alert operators (once a day per shop) when fewer free coupons remain; 0 = never',
  ),
  SORA_COUPON_MIN_VALIDITY: describe(duration('24h'), 'a coupon is handed out only if it stays valid at least this long'),
  SORA_POLICIES_DIR: describe(pathTo({ folder: true }), 'folder of per-shop return policy files (`<shopId>.yaml`)', {
    default: './policies',
  }),
  SORA_CUSTOMS_DELAYS_FILE: describe(pathTo({ mustExist: 'file' }), 'customs delay overrides (YAML/JSON) over the built-in table'),
};

const baseUrl = (carrierName: string, clientDefault: string) => describe(url(), `${carrierName} API base URL`, { default: clientDefault });

export const carrierSettings = {
  SORA_DHL_API_KEY: describe(secret(), 'DHL Shipment Tracking – Unified API key', { secret: true }),
  SORA_DHL_BASE_URL: baseUrl('DHL', 'https://api-eu.dhl.com'),
  SORA_UPS_CLIENT_ID: describe(str(), 'UPS OAuth client id (with SORA_UPS_CLIENT_SECRET)'),
  SORA_UPS_CLIENT_SECRET: describe(secret(), 'UPS OAuth client secret', { secret: true }),
  SORA_UPS_BASE_URL: baseUrl('UPS', 'https://onlinetools.ups.com'),
  SORA_FEDEX_CLIENT_ID: describe(str(), 'FedEx API key (with SORA_FEDEX_CLIENT_SECRET)'),
  SORA_FEDEX_CLIENT_SECRET: describe(secret(), 'FedEx secret key', { secret: true }),
  SORA_FEDEX_BASE_URL: baseUrl('FedEx', 'https://apis.fedex.com'),
  SORA_USPS_CLIENT_ID: describe(str(), 'USPS consumer key (with SORA_USPS_CLIENT_SECRET)'),
  SORA_USPS_CLIENT_SECRET: describe(secret(), 'USPS consumer secret', { secret: true }),
  SORA_USPS_BASE_URL: baseUrl('USPS', 'https://apis.usps.com'),
  SORA_17TRACK_API_KEY: describe(secret(), '17TRACK security key (`17token`), the tracking aggregator', { secret: true }),
  SORA_17TRACK_BASE_URL: baseUrl('17TRACK', 'https://api.17track.net/track/v2.2'),
  SORA_CARRIER_KEY_TTL_DAYS: describe(num(90, { min: 0, above: true }), "lifetime (days) of a shop's carrier key set without `--expires`"),
  SORA_CARRIER_KEY_WARN_HOURS: describe(
    num(72, { min: 0, above: true }),
    'operators are alerted this many hours before a carrier key expires',
  ),
  SORA_CARRIER_KEY_AUDIT_CRON: describe(
    cron('0 6 * * *'),
    'when the carrier key audit Schedule runs (UTC; `CRON_TZ=Asia/Bangkok 0 6 * * *` for a zone)',
  ),
  SORA_CARRIER_KEY_AUDIT: describe(onOff(true), '`off`: the app does not create/update the audit Schedule'),
  SORA_CARRIER_API_KEY: describe(secret(), '`sora carriers keys set`: the API key when `--api-key` is not given', { secret: true }),
  SORA_CARRIER_CLIENT_ID: describe(str(), '`sora carriers keys set`: the client id when `--client-id` is not given'),
  SORA_CARRIER_CLIENT_SECRET: describe(secret(), '`sora carriers keys set`: the client secret when `--client-secret` is not given', {
    secret: true,
  }),
};

export const translationSettings = {
  SORA_TRANSLATOR: describe(
    oneOf(['none', 'deepl', 'google', 'azure', 'openai'] as const, 'none'),
    'machine translation provider (docs/translation.md); `none`: no provider is ever called',
  ),
  SORA_TRANSLATE_TIMEOUT: describe(duration('20s', { min: 1000 }), 'timeout of one translation request (each of up to 3 attempts)'),
  SORA_DEEPL_API_KEY: describe(secret(), 'DeepL API key (a Free key ends in `:fx`)', { secret: true }),
  SORA_DEEPL_BASE_URL: describe(url(), 'DeepL API base URL', {
    defaultNote: '`https://api-free.deepl.com` for a Free key, else `https://api.deepl.com`',
  }),
  SORA_GOOGLE_TRANSLATE_PROJECT: describe(str(), 'Google Cloud project id (Cloud Translation v3)'),
  SORA_GOOGLE_TRANSLATE_LOCATION: describe(str('global'), 'Google Cloud Translation location'),
  SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN: describe(
    secret(),
    "OAuth access token (Bearer), e.g. a service account's; or SORA_GOOGLE_TRANSLATE_API_KEY",
    {
      secret: true,
    },
  ),
  SORA_GOOGLE_TRANSLATE_API_KEY: describe(secret(), 'API key restricted to the Cloud Translation API (sent as `x-goog-api-key`)', {
    secret: true,
  }),
  SORA_GOOGLE_TRANSLATE_BASE_URL: describe(url('https://translation.googleapis.com'), 'Google Cloud Translation base URL'),
  SORA_AZURE_TRANSLATOR_KEY: describe(secret(), 'Azure AI Translator resource key (`Ocp-Apim-Subscription-Key`)', { secret: true }),
  SORA_AZURE_TRANSLATOR_REGION: describe(str(), "the resource's region (`Ocp-Apim-Subscription-Region`); unset for a global resource"),
  SORA_AZURE_TRANSLATOR_BASE_URL: describe(url('https://api.cognitive.microsofttranslator.com'), 'Azure AI Translator base URL'),
  SORA_OPENAI_TRANSLATE_BASE_URL: describe(
    url('https://api.openai.com'),
    'OpenAI-compatible server root, without `/v1` (vLLM, llama.cpp server, Ollama e.g. `http://127.0.0.1:11434`)',
  ),
  SORA_OPENAI_TRANSLATE_API_KEY: describe(secret(), 'Bearer key of the OpenAI-compatible server (optional for a local one)', {
    secret: true,
  }),
  SORA_OPENAI_TRANSLATE_MODEL: describe(str(), 'model name for `SORA_TRANSLATOR=openai` (required then)'),
  SORA_UNDERSTAND_PIVOT: describe(
    bool(false),
    "understanding: a buyer message in another language than the shop's default is also translated into it by SORA_TRANSLATOR and matched; the better match wins (one provider call per such message; the buyer's text goes to the provider, never into the cache). Needs a provider",
  ),
  SORA_LANGUAGE_ALIGNMENT: describe(
    bool(false),
    "understanding, multilingual model: a question in another language than English is moved into English's region of the model's space before it is matched (a map learned at start from the message catalogs; no provider, no network). For an FAQ written in English: it moves questions away from phrasings in their own language. `sora eval --align` measures it",
  ),
  SORA_UNDERSTAND_PIVOT_TIMEOUT: describe(
    duration('1500ms', { min: 100 }),
    'how long understanding waits for the pivot translation; then it matches the original alone',
  ),
};

/** Sections in documentation order. Channel variables follow (channels.ts). */
export const SECTIONS: { title: string; settings: Record<string, Setting> }[] = [
  { title: 'Temporal', settings: temporalSettings },
  { title: 'Conversation timers and handoff', settings: conversationSettings },
  { title: 'Gateway, operators, logging', settings: gatewaySettings },
  { title: 'Embedded stack and MongoDB', settings: stackSettings },
  { title: 'Understanding and the knowledge base', settings: knowledgeSettings },
  { title: 'Knowledge base import', settings: kbImportSettings },
  { title: 'Orders, coupons, returns, customs', settings: commerceSettings },
  { title: 'Parcel tracking and carrier keys', settings: carrierSettings },
  { title: 'Machine translation', settings: translationSettings },
  { title: 'Shopify orders', settings: shopifySettings },
];

export const SETTINGS = {
  ...temporalSettings,
  ...conversationSettings,
  ...gatewaySettings,
  ...stackSettings,
  ...knowledgeSettings,
  ...kbImportSettings,
  ...commerceSettings,
  ...carrierSettings,
  ...translationSettings,
  ...shopifySettings,
};

// --- the parsed configuration ------------------------------------------------------------------

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'silent';

/** Where Temporal is and how to reach it (see infra/temporal/connection.ts). */
export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  /** gRPC metadata from the profile. */
  metadata?: Record<string, string>;
}

export interface TemporalConfig extends TemporalTarget {
  /** The address was configured (variable or profile) rather than the local default. */
  external: boolean;
  taskQueue: string;
  signalDeadlineMs: number;
}

/** Same shape as workflows/types.ts ConversationConfig (it travels in the workflow input). */
export interface ConversationSettings {
  silenceNudgeMs: number;
  idleCloseMs: number;
  npsDelayMs: number;
  npsAnswerWindowMs: number;
  agentSlaMs: number;
  agentIdleCloseMs: number;
  maxEscalationTiers: number;
  orderValueHandoffUsd: number;
  complaintStreakHandoff: number;
  lowConfidenceHandoff: number;
  historyEventLimit: number;
  activityTimeoutMs: number;
  searchAttributes: boolean;
}

interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
  baseUrl?: string;
}

/** Same shape as activities/logistics/track.ts CarrierCredentials (environment part). */
export interface CarrierCredentialSettings {
  dhl?: { apiKey: string; baseUrl?: string };
  ups?: OAuthCredentials;
  fedex?: OAuthCredentials;
  usps?: OAuthCredentials;
  seventeenTrack?: { apiKey: string; baseUrl?: string };
}

/** SORA_TRANSLATOR and the chosen provider's settings (infra/translation, docs/translation.md). */
export interface TranslationConfig {
  provider: 'none' | 'deepl' | 'google' | 'azure' | 'openai';
  timeoutMs: number;
  /** Test-time pivoting in understanding (SORA_UNDERSTAND_PIVOT[_TIMEOUT]); only with a provider. */
  pivot?: { timeoutMs: number };
  deepl?: { apiKey: string; baseUrl?: string };
  google?: { projectId: string; location: string; accessToken?: string; apiKey?: string; baseUrl?: string };
  azure?: { key: string; region?: string; baseUrl?: string };
  openai?: { baseUrl?: string; apiKey?: string; model: string };
}

export interface EmbeddingSettings {
  /** SORA_EMBED_MODEL; unset: the multilingual model when installed, else MiniLM. */
  model?: string;
  batchSize: number;
  queryPrefix?: string;
  passagePrefix?: string;
  /** Cache folder, or false (off). */
  cacheDir: string | false;
  allowRemoteModels: boolean;
  /** Run the model in a worker thread (SORA_EMBED_THREAD). */
  thread: boolean;
  /** ONNX Runtime intra-op threads (SORA_EMBED_ORT_THREADS). */
  ortThreads: number;
}

export interface Config {
  temporal: TemporalConfig;
  /** The conversation worker's tuning (SORA_WORKER_*). */
  worker: { cachedWorkflows: number };
  conversation: ConversationSettings;
  gateway: {
    host: string;
    port: number;
    operatorToken?: string;
    relayIntervalMs: number;
    /** Requests per minute and client address on /webhooks/* and /operator/*. */
    rateLimits: { webhooksPerMinute: number; operatorPerMinute: number };
    /** SORA_DESK_SESSION_TTL: a desk session's lifetime without use. */
    deskSessionTtlMs: number;
    /** SORA_DESK_URL: where sign-in links point (unset: the gateway's own address). */
    deskUrl?: string;
    /** SORA_TEMPORAL_UI_URL: where the desk links a conversation's workflow. */
    temporalUiUrl: string;
  };
  log: { level: LogLevel };
  /** SORA_METRICS_PUBLIC, SORA_TEMPORAL_METRICS_ADDRESS, SORA_WORKER_METRICS_ADDRESS (README "Health and metrics"). */
  metrics: { public: boolean; temporalAddress?: string; /** SORA_WORKER_METRICS_ADDRESS */ workerAddress?: string };
  alerts: { webhookUrl?: string };
  /** MONGODB_URI (unset: the embedded stack's server). */
  mongo: { uri?: string };
  stack: {
    home: string;
    temporalPort: number;
    temporalUiPort: number;
    mongoPort: number;
    installMultilingual: boolean;
    /** SORA_INSTALL_BGE: stack:install adds the English BGE model. */
    installBge: boolean;
    /** Conversation worker processes `npm start` runs (SORA_WORKERS; the app is the first). */
    workers: number;
    /** The embedded Temporal dev server's SQLite journal (SORA_TEMPORAL_SQLITE). */
    temporalSqlite: 'wal' | 'wal-normal' | 'rollback';
    /** SORA_DEMO_MONTH: npm start seeds the demo month. */
    demoMonth: boolean;
  };
  /** Where the master key comes from (infra/secrets: openSecretBox): SORA_MASTER_KEY, else the key file under SORA_HOME. */
  secrets: { masterKey?: string; keyFile: string };
  embedding: EmbeddingSettings;
  understanding: {
    matchThreshold: number;
    /** Unset: the model's own floor. */
    minSimilarity?: number;
    /** Intent model overrides (unset: the model's profile). */
    kbCenter?: boolean;
    knnTemperature?: number;
    trainBudget: number;
    /** Shops whose index is built at start (SORA_WARM_SHOPS; 0 = none). */
    warmShops: number;
    /** SORA_LANGUAGE_ALIGNMENT (activities/knowledge/language-alignment.ts). */
    languageAlignment: boolean;
  };
  /** FAQ workbook import limits and where imports run (SORA_KB_MAX_*, SORA_IMPORT_*). */
  kbImport: {
    maxUploadBytes: number;
    maxUnzippedBytes: number;
    maxRows: number;
    maxCellChars: number;
    taskQueue: string;
    worker: boolean;
  };
  orders: { fxUsdRates: Record<string, number>; sync: { maxAgeMs: number; timeoutMs: number } };
  /** SORA_BILLING_TIERS (infra/config/billing-plan.ts). */
  billing: BillingPlan;
  /** SORA_FCR_WINDOW (docs/insights.md). */
  insights: { fcrWindowMs: number };
  /** The TikTok Shop app (channel and order sync), when configured. */
  tiktok?: TiktokSettings;
  /** The Lazada Open Platform app (channel and order source), when configured. */
  lazada?: LazadaSettings;
  /** Shopify stores as an order source (SORA_SHOPIFY_*), when configured. */
  shopify?: ShopifySettings;
  coupons: { lowWatermark: number; minValidityMs: number };
  returns: { policiesDir: string };
  customs: { delaysFile?: string };
  carriers: {
    credentials: CarrierCredentialSettings;
    keys: { ttlDays: number; warnHours: number; auditCron: string };
    /** Create/update the daily key audit Schedule at app start (SORA_CARRIER_KEY_AUDIT). */
    audit: boolean;
    /** Secrets for `sora carriers keys set` when not given as options. */
    cli: { apiKey?: string; clientId?: string; clientSecret?: string };
  };
  channels: ChannelsConfig;
  translation: TranslationConfig;
}

/** The folder SORA_HOME names (resolved), or the project's `.sora`. */
export function resolveHome(raw: string | undefined, projectRoot: string): string {
  return path.resolve(raw?.trim() ? raw.trim() : path.join(projectRoot, '.sora'));
}
