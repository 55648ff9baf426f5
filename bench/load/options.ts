/** Command-line options of `npm run bench:load` (bench/load/main.ts). */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readPidFiles } from '../../scripts/stack/pid-file.js';

export const SCENARIOS = ['concurrency', 'saturation', 'idle', 'kb', 'all'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const USAGE = `npm run bench:load -- [options]
  --scenario S        concurrency (default) | saturation | idle | kb | all
  --concurrency LIST  concurrent buyers per step (default 1,10,50,100; idle: 10 at a time; kb: 10)
  --messages N        messages per conversation (default 5)
  --think MS          think time between a reply and the next message (default 1000)
  --buyers N          buyers per step (default max(concurrency, 5)); ignored with --duration
  --duration S        run each step S seconds instead (saturation: 20 by default)
  --timeout S         a reply later than this is a timeout (default 30)
  --whatsapp SHARE    share of buyers on the signed WhatsApp Cloud webhook (default 0.2)
  --idle N            conversations the idle scenario opens (default 10000)
  --nudge-delay S     silence nudge delay in the idle scenario (default N/5 s, 60 to 3600: the
                      nudges fall due after all N are open at 5 conversations/s)
  --kb-sizes LIST     KB sizes of the kb scenario (default 200,10000)
  --label NAME        name of this run in BENCHMARKS.md (default "current"; a run replaces the same label's)
  --json FILE         also write this run's raw results here
  --no-write          leave BENCHMARKS.md, the chart and docs/bench-load-results.json alone
  --keep              keep the temporary SORA_HOME of the bench's own stack
 Attach to a running stack instead of starting one:
  --url URL           the gateway, e.g. http://127.0.0.1:8080
  --pids LIST         app=PID,temporal=PID,mongo=PID (for CPU/RSS)
  --pids-from HOME    or read them from that stack's SORA_HOME/run pid files (npm start writes them)
  --token TOKEN       operator token (idle, kb); default SORA_OPERATOR_TOKEN
  --mongo-uri URI     for the opcounters (default MONGODB_URI or the embedded port)
  (set TEMPORAL_ADDRESS to the attached stack's Temporal for history events per message)
  --wa-app-secret S --wa-phone-id ID --graph-port N
                      its WhatsApp Cloud app secret and business number; its Graph URL must point at
                      http://127.0.0.1:N (the bench serves it)
 MONGODB_URI / TEMPORAL_ADDRESS are passed to the bench's own stack (and used to read counters, histories).`;

export interface BenchOptions {
  scenario: Scenario;
  concurrency?: number[];
  messages: number;
  thinkMs: number;
  buyers?: number;
  durationMs?: number;
  timeoutMs: number;
  whatsappShare: number;
  idle: number;
  nudgeDelayS: number;
  kbSizes: number[];
  label: string;
  json?: string;
  write: boolean;
  keep: boolean;
  attach?: {
    url: string;
    pids: Record<string, number>;
    token?: string;
    mongoUri?: string;
    whatsapp?: { appSecret: string; phoneNumberId: string; graphPort: number };
  };
}

export class UsageError extends Error {}

function num(name: string, v: string | undefined, dflt: number, o: { min?: number; max?: number } = {}): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max))
    throw new UsageError(
      `--${name} must be a number${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}, got "${v}"`,
    );
  return n;
}

function list(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map((x) => Number(x.trim()));
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1))
    throw new UsageError(`--${name} must list positive integers, e.g. 1,10,50; got "${v}"`);
  return xs;
}

export function parsePids(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',').filter(Boolean)) {
    const m = /^(app|temporal|mongo)=(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--pids takes app=PID,temporal=PID,mongo=PID; got "${part}"`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** The pids of a stack `npm start` runs from `home` (SORA_HOME): its launcher is the app process. */
export function pidsFrom(home: string): Record<string, number> {
  const records = readPidFiles(path.join(home, 'run'));
  if (!records.length) throw new UsageError(`--pids-from: no pid files in ${path.join(home, 'run')} (is that stack running?)`);
  const out: Record<string, number> = { app: records[0]!.launcher.pid };
  for (const r of records) out[r.name === 'temporal' ? 'temporal' : 'mongo'] = r.child.pid;
  return out;
}

export function parseOptions(argv: string[]): BenchOptions {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        concurrency: { type: 'string' },
        messages: { type: 'string' },
        think: { type: 'string' },
        buyers: { type: 'string' },
        duration: { type: 'string' },
        timeout: { type: 'string' },
        whatsapp: { type: 'string' },
        idle: { type: 'string' },
        'nudge-delay': { type: 'string' },
        'kb-sizes': { type: 'string' },
        label: { type: 'string' },
        json: { type: 'string' },
        'no-write': { type: 'boolean' },
        keep: { type: 'boolean' },
        url: { type: 'string' },
        pids: { type: 'string' },
        'pids-from': { type: 'string' },
        token: { type: 'string' },
        'mongo-uri': { type: 'string' },
        'wa-app-secret': { type: 'string' },
        'wa-phone-id': { type: 'string' },
        'graph-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) throw new UsageError('');
  const scenario = (values.scenario ?? 'concurrency') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}; got "${values.scenario}"`);
  const label = values.label ?? 'current';
  if (!/^[\w .:+-]{1,40}$/.test(label)) throw new UsageError('--label: 1–40 letters, digits, blanks and . _ : + -');
  if ((values.pids || values.token || values['mongo-uri']) && !values.url)
    throw new UsageError('--pids, --token and --mongo-uri go with --url');
  const wa = [values['wa-app-secret'], values['wa-phone-id'], values['graph-port']];
  if (wa.some(Boolean) && !wa.every(Boolean)) throw new UsageError('--wa-app-secret, --wa-phone-id and --graph-port go together');
  const idle = num('idle', values.idle, 10_000, { min: 1 });
  const duration = values.duration === undefined ? undefined : num('duration', values.duration, 0, { min: 1 }) * 1000;
  return {
    scenario,
    concurrency: list('concurrency', values.concurrency),
    messages: num('messages', values.messages, 5, { min: 1 }),
    thinkMs: num('think', values.think, 1000, { min: 0 }),
    buyers: values.buyers === undefined ? undefined : num('buyers', values.buyers, 0, { min: 1 }),
    durationMs: duration,
    timeoutMs: num('timeout', values.timeout, 30, { min: 1 }) * 1000,
    whatsappShare: num('whatsapp', values.whatsapp, 0.2, { min: 0, max: 1 }),
    idle,
    nudgeDelayS: num('nudge-delay', values['nudge-delay'], Math.min(3600, Math.max(60, Math.ceil(idle / 5))), { min: 5, max: 3600 }),
    kbSizes: list('kb-sizes', values['kb-sizes']) ?? [200, 10_000],
    label,
    json: values.json,
    write: !values['no-write'],
    keep: !!values.keep,
    ...(values.url
      ? {
          attach: {
            url: values.url,
            pids: values.pids ? parsePids(values.pids) : values['pids-from'] ? pidsFrom(values['pids-from']) : {},
            token: values.token,
            mongoUri: values['mongo-uri'],
            ...(values['wa-app-secret']
              ? {
                  whatsapp: {
                    appSecret: values['wa-app-secret']!,
                    phoneNumberId: values['wa-phone-id']!,
                    graphPort: num('graph-port', values['graph-port'], 0, { min: 1 }),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}
