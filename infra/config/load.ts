/**
 * loadConfig: the environment → Config, once, at start. Every problem is collected and reported
 * together (ConfigError), each naming its variable, before anything starts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNEL_SPECS, parseChannels, tiktokAppConfigured, tiktokSpec, tryParse, type ChannelSpec } from './channels.js';
import { lazadaAppConfigured, lazadaSpec } from './channels.js';
import type { Env, Setting } from './fields.js';
import { resolveHome, SETTINGS, type CarrierCredentialSettings, type Config, type TranslationConfig } from './schema.js';
import { resolveTemporal } from './temporal.js';
import { shopifyConfig } from './shopify.js';

/** The repository root (infra/config/../..). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Values used when the environment does not set them (e.g. a quiet log for a benchmark). */
  defaults?: Env;
  /** The known channels (tests add their own). */
  channels?: ChannelSpec[];
}

/** The parsed general variables (channels aside). */
type Vars = { [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

/** Parse and validate the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env, o: LoadOptions = {}): Config {
  const e: Env = { ...o.defaults };
  for (const [k, val] of Object.entries(env)) if (val !== undefined) e[k] = val;
  const problems: string[] = [];
  const problem = (name: string, message: string) => problems.push(`${name}: ${message}`);

  // Each variable on its own, so that one bad value does not hide the checks that depend on the others.
  const parsed: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const r = setting.schema.safeParse(e[name]);
    if (r.success) parsed[name] = r.data;
    else for (const i of r.error.issues) problem(name, i.message);
  }
  const v = parsed as Vars;

  const temporal = resolveTemporal(v, e, problem);
  const credentials = carrierCredentials(v, problem);
  const translation = translationConfig(v, problem);
  const shopify = shopifyConfig(v, problem);
  const { channels, problems: channelProblems } = parseChannels(e, o.channels ?? CHANNEL_SPECS);
  problems.push(...channelProblems);
  const tiktokEnabled = channels.enabled.find((c) => c.id === 'tiktok');
  let tiktok = tiktokEnabled?.settings as Config['tiktok'];
  if (!tiktokEnabled && tiktokAppConfigured(e)) {
    const t = tryParse(tiktokSpec, e);
    if (t.ok) tiktok = t.settings;
    else problems.push(...t.problems);
  }
  const lazadaEnabled = channels.enabled.find((c) => c.id === 'lazada');
  let lazada = lazadaEnabled?.settings as Config['lazada'];
  if (!lazadaEnabled && lazadaAppConfigured(e)) {
    const t = tryParse(lazadaSpec, e);
    if (t.ok) lazada = t.settings;
    else problems.push(...t.problems);
  }
  if (problems.length) throw new ConfigError(problems);

  const home = resolveHome(v.SORA_HOME, projectRoot);
  return {
    temporal: { ...temporal, taskQueue: v.SORA_TASK_QUEUE, signalDeadlineMs: v.SORA_SIGNAL_DEADLINE },
    conversation: {
      silenceNudgeMs: v.SORA_SILENCE_NUDGE,
      idleCloseMs: v.SORA_IDLE_CLOSE,
      npsDelayMs: v.SORA_NPS_DELAY,
      npsAnswerWindowMs: v.SORA_NPS_ANSWER_WINDOW,
      agentSlaMs: v.SORA_AGENT_SLA,
      agentIdleCloseMs: v.SORA_AGENT_IDLE_CLOSE,
      maxEscalationTiers: v.SORA_MAX_ESCALATION_TIERS,
      orderValueHandoffUsd: v.SORA_HANDOFF_ORDER_VALUE_USD,
      complaintStreakHandoff: v.SORA_HANDOFF_COMPLAINT_STREAK,
      lowConfidenceHandoff: v.SORA_HANDOFF_LOW_CONFIDENCE_STREAK,
      historyEventLimit: v.SORA_HISTORY_EVENT_LIMIT,
      activityTimeoutMs: v.SORA_ACTIVITY_TIMEOUT,
      searchAttributes: v.SORA_SEARCH_ATTRIBUTES,
    },
    gateway: {
      host: v.SORA_GATEWAY_HOST,
      port: v.SORA_GATEWAY_PORT,
      ...(v.SORA_OPERATOR_TOKEN ? { operatorToken: v.SORA_OPERATOR_TOKEN } : {}),
      relayIntervalMs: v.SORA_RELAY_INTERVAL,
      rateLimits: { webhooksPerMinute: v.SORA_WEBHOOK_RATE_LIMIT, operatorPerMinute: v.SORA_OPERATOR_RATE_LIMIT },
      deskSessionTtlMs: v.SORA_DESK_SESSION_TTL,
      ...(v.SORA_DESK_URL ? { deskUrl: v.SORA_DESK_URL } : {}),
      temporalUiUrl: (v.SORA_TEMPORAL_UI_URL ?? `http://127.0.0.1:${v.SORA_TEMPORAL_UI_PORT}`).replace(/\/+$/, ''),
    },
    log: { level: v.SORA_LOG_LEVEL },
    metrics: {
      public: v.SORA_METRICS_PUBLIC,
      ...(v.SORA_TEMPORAL_METRICS_ADDRESS ? { temporalAddress: v.SORA_TEMPORAL_METRICS_ADDRESS } : {}),
      ...(v.SORA_WORKER_METRICS_ADDRESS ? { workerAddress: v.SORA_WORKER_METRICS_ADDRESS } : {}),
    },
    worker: { cachedWorkflows: v.SORA_WORKER_CACHE },
    alerts: v.SORA_ALERT_WEBHOOK_URL ? { webhookUrl: v.SORA_ALERT_WEBHOOK_URL } : {},
    mongo: v.MONGODB_URI ? { uri: v.MONGODB_URI } : {},
    stack: {
      home,
      temporalPort: v.SORA_TEMPORAL_PORT,
      temporalUiPort: v.SORA_TEMPORAL_UI_PORT,
      mongoPort: v.SORA_MONGO_PORT,
      installMultilingual: v.SORA_INSTALL_MULTILINGUAL,
      installBge: v.SORA_INSTALL_BGE,
      temporalSqlite: v.SORA_TEMPORAL_SQLITE,
      workers: v.SORA_WORKERS,
      demoMonth: v.SORA_DEMO_MONTH,
    },
    secrets: { ...(v.SORA_MASTER_KEY ? { masterKey: v.SORA_MASTER_KEY } : {}), keyFile: path.join(home, 'master.key') },
    embedding: {
      ...(v.SORA_EMBED_MODEL ? { model: v.SORA_EMBED_MODEL } : {}),
      batchSize: v.SORA_EMBED_BATCH,
      ...(v.SORA_EMBED_QUERY_PREFIX !== undefined ? { queryPrefix: v.SORA_EMBED_QUERY_PREFIX } : {}),
      ...(v.SORA_EMBED_PASSAGE_PREFIX !== undefined ? { passagePrefix: v.SORA_EMBED_PASSAGE_PREFIX } : {}),
      cacheDir: v.SORA_EMBED_CACHE === 'off' ? false : path.resolve(v.SORA_EMBED_CACHE ?? path.join(home, 'cache', 'embeddings')),
      allowRemoteModels: v.SORA_ALLOW_REMOTE_MODELS,
      thread: v.SORA_EMBED_THREAD,
      ortThreads: v.SORA_EMBED_ORT_THREADS,
    },
    understanding: {
      matchThreshold: v.SORA_MATCH_THRESHOLD,
      ...(v.SORA_MATCH_MIN_SIMILARITY !== undefined ? { minSimilarity: v.SORA_MATCH_MIN_SIMILARITY } : {}),
      ...(v.SORA_KB_CENTER !== undefined ? { kbCenter: v.SORA_KB_CENTER } : {}),
      ...(v.SORA_KNN_TEMPERATURE !== undefined ? { knnTemperature: v.SORA_KNN_TEMPERATURE } : {}),
      trainBudget: v.SORA_KB_TRAIN_BUDGET,
      warmShops: v.SORA_WARM_SHOPS,
      languageAlignment: v.SORA_LANGUAGE_ALIGNMENT,
    },
    kbImport: {
      maxUploadBytes: v.SORA_KB_MAX_UPLOAD,
      maxUnzippedBytes: v.SORA_KB_MAX_UNZIPPED,
      maxRows: v.SORA_KB_MAX_ROWS,
      maxCellChars: v.SORA_KB_MAX_CELL,
      taskQueue: v.SORA_IMPORT_TASK_QUEUE,
      worker: v.SORA_IMPORT_WORKER,
    },
    orders: {
      fxUsdRates: v.SORA_FX_USD_RATES,
      sync: { maxAgeMs: v.SORA_ORDER_SYNC_MAX_AGE_MIN * 60_000, timeoutMs: v.SORA_ORDER_SYNC_TIMEOUT_MS },
    },
    billing: v.SORA_BILLING_TIERS,
    insights: { fcrWindowMs: v.SORA_FCR_WINDOW },
    ...(tiktok ? { tiktok } : {}),
    ...(lazada ? { lazada } : {}),
    ...(shopify ? { shopify } : {}),
    coupons: { lowWatermark: v.SORA_COUPON_LOW_WATERMARK, minValidityMs: v.SORA_COUPON_MIN_VALIDITY },
    returns: { policiesDir: path.resolve(v.SORA_POLICIES_DIR ?? 'policies') },
    customs: v.SORA_CUSTOMS_DELAYS_FILE ? { delaysFile: v.SORA_CUSTOMS_DELAYS_FILE } : {},
    carriers: {
      credentials,
      keys: {
        ttlDays: v.SORA_CARRIER_KEY_TTL_DAYS,
        warnHours: v.SORA_CARRIER_KEY_WARN_HOURS,
        auditCron: v.SORA_CARRIER_KEY_AUDIT_CRON,
      },
      audit: v.SORA_CARRIER_KEY_AUDIT,
      cli: {
        ...(v.SORA_CARRIER_API_KEY ? { apiKey: v.SORA_CARRIER_API_KEY } : {}),
        ...(v.SORA_CARRIER_CLIENT_ID ? { clientId: v.SORA_CARRIER_CLIENT_ID } : {}),
        ...(v.SORA_CARRIER_CLIENT_SECRET ? { clientSecret: v.SORA_CARRIER_CLIENT_SECRET } : {}),
      },
    },
    channels,
    translation,
  };
}

/** The chosen provider's settings; a provider chosen without its key (or model) is a problem. */
function translationConfig(v: Vars, problem: (name: string, message: string) => void): TranslationConfig {
  if (v.SORA_UNDERSTAND_PIVOT && v.SORA_TRANSLATOR === 'none')
    problem(
      'SORA_UNDERSTAND_PIVOT',
      'needs a translation provider: set SORA_TRANSLATOR (deepl, google, azure or openai) or leave it false',
    );
  const base: TranslationConfig = {
    provider: v.SORA_TRANSLATOR,
    timeoutMs: v.SORA_TRANSLATE_TIMEOUT,
    ...(v.SORA_UNDERSTAND_PIVOT && v.SORA_TRANSLATOR !== 'none' ? { pivot: { timeoutMs: v.SORA_UNDERSTAND_PIVOT_TIMEOUT } } : {}),
  };
  const need = (name: keyof Vars, value: unknown) => {
    if (!value) problem(name, `is required with SORA_TRANSLATOR=${v.SORA_TRANSLATOR}`);
    return Boolean(value);
  };
  switch (v.SORA_TRANSLATOR) {
    case 'none':
      return base;
    case 'deepl':
      if (!need('SORA_DEEPL_API_KEY', v.SORA_DEEPL_API_KEY)) return base;
      return { ...base, deepl: { apiKey: v.SORA_DEEPL_API_KEY!, ...(v.SORA_DEEPL_BASE_URL ? { baseUrl: v.SORA_DEEPL_BASE_URL } : {}) } };
    case 'google': {
      const hasProject = need('SORA_GOOGLE_TRANSLATE_PROJECT', v.SORA_GOOGLE_TRANSLATE_PROJECT);
      if (!v.SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN && !v.SORA_GOOGLE_TRANSLATE_API_KEY)
        problem('SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN', 'or SORA_GOOGLE_TRANSLATE_API_KEY is required with SORA_TRANSLATOR=google');
      if (!hasProject) return base;
      return {
        ...base,
        google: {
          projectId: v.SORA_GOOGLE_TRANSLATE_PROJECT!,
          location: v.SORA_GOOGLE_TRANSLATE_LOCATION,
          baseUrl: v.SORA_GOOGLE_TRANSLATE_BASE_URL,
          ...(v.SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN ? { accessToken: v.SORA_GOOGLE_TRANSLATE_ACCESS_TOKEN } : {}),
          ...(v.SORA_GOOGLE_TRANSLATE_API_KEY ? { apiKey: v.SORA_GOOGLE_TRANSLATE_API_KEY } : {}),
        },
      };
    }
    case 'azure':
      if (!need('SORA_AZURE_TRANSLATOR_KEY', v.SORA_AZURE_TRANSLATOR_KEY)) return base;
      return {
        ...base,
        azure: {
          key: v.SORA_AZURE_TRANSLATOR_KEY!,
          baseUrl: v.SORA_AZURE_TRANSLATOR_BASE_URL,
          ...(v.SORA_AZURE_TRANSLATOR_REGION ? { region: v.SORA_AZURE_TRANSLATOR_REGION } : {}),
        },
      };
    case 'openai':
      if (!need('SORA_OPENAI_TRANSLATE_MODEL', v.SORA_OPENAI_TRANSLATE_MODEL)) return base;
      return {
        ...base,
        openai: {
          model: v.SORA_OPENAI_TRANSLATE_MODEL!,
          baseUrl: v.SORA_OPENAI_TRANSLATE_BASE_URL,
          ...(v.SORA_OPENAI_TRANSLATE_API_KEY ? { apiKey: v.SORA_OPENAI_TRANSLATE_API_KEY } : {}),
        },
      };
  }
}

type CarrierVars = Pick<
  Vars,
  | 'SORA_DHL_API_KEY'
  | 'SORA_DHL_BASE_URL'
  | 'SORA_UPS_CLIENT_ID'
  | 'SORA_UPS_CLIENT_SECRET'
  | 'SORA_UPS_BASE_URL'
  | 'SORA_FEDEX_CLIENT_ID'
  | 'SORA_FEDEX_CLIENT_SECRET'
  | 'SORA_FEDEX_BASE_URL'
  | 'SORA_USPS_CLIENT_ID'
  | 'SORA_USPS_CLIENT_SECRET'
  | 'SORA_USPS_BASE_URL'
  | 'SORA_17TRACK_API_KEY'
  | 'SORA_17TRACK_BASE_URL'
>;

/** Carrier credentials; a client id without its secret (or the reverse) is a problem, not silently ignored. */
function carrierCredentials(v: CarrierVars, problem: (name: string, message: string) => void): CarrierCredentialSettings {
  const oauth = (p: 'UPS' | 'FEDEX' | 'USPS') => {
    const id = v[`SORA_${p}_CLIENT_ID`];
    const secret = v[`SORA_${p}_CLIENT_SECRET`];
    if (id && !secret) problem(`SORA_${p}_CLIENT_SECRET`, `is required with SORA_${p}_CLIENT_ID`);
    if (secret && !id) problem(`SORA_${p}_CLIENT_ID`, `is required with SORA_${p}_CLIENT_SECRET`);
    const baseUrl = v[`SORA_${p}_BASE_URL`];
    return id && secret ? { clientId: id, clientSecret: secret, ...(baseUrl ? { baseUrl } : {}) } : undefined;
  };
  const out: CarrierCredentialSettings = {};
  if (v.SORA_DHL_API_KEY) out.dhl = { apiKey: v.SORA_DHL_API_KEY, ...(v.SORA_DHL_BASE_URL ? { baseUrl: v.SORA_DHL_BASE_URL } : {}) };
  const ups = oauth('UPS');
  const fedex = oauth('FEDEX');
  const usps = oauth('USPS');
  if (ups) out.ups = ups;
  if (fedex) out.fedex = fedex;
  if (usps) out.usps = usps;
  if (v.SORA_17TRACK_API_KEY)
    out.seventeenTrack = { apiKey: v.SORA_17TRACK_API_KEY, ...(v.SORA_17TRACK_BASE_URL ? { baseUrl: v.SORA_17TRACK_BASE_URL } : {}) };
  return out;
}

let defaults: Config | undefined;
/**
 * The configuration with every default and nothing from the environment: what a caller gets that
 * does not pass a configuration (tests, library use). The app, worker and CLI pass loadConfig()'s.
 */
export function defaultConfig(): Config {
  defaults ??= loadConfig({});
  return defaults;
}
