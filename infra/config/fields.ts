/**
 * Building blocks of the configuration schema: one zod type per kind of environment variable
 * (duration, integer, boolean, URL, one-of …), each carrying what the generated documentation shows
 * (kind and default). A value that is unset, empty or only blanks counts as unset and takes the
 * default. Messages do not repeat the variable's name: the loader puts it in front (`NAME: message`).
 */
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';

/** The environment as given to the loader (the process environment, or a test's own map). */
export type Env = Record<string, string | undefined>;

/** A zod type over one variable's raw value (`string | undefined`) plus how the docs show it. */
export interface Field<T = unknown> {
  schema: z.ZodType<T, z.ZodTypeDef, string | undefined>;
  /** Kind shown in the docs: `duration`, `integer`, `URL`, `a \| b` … */
  kind: string;
  /** Default as shown in the docs (unset: none). */
  default?: string;
}

/** A field with its description: one row of the configuration table. */
export interface Setting<T = unknown> extends Field<T> {
  description: string;
  /** Never printed (tokens, keys, passwords). */
  secret?: boolean;
  /** The default in words, when it is not one literal value ("from the model", "embedded"). */
  defaultNote?: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = (message: string): Parsed<never> => ({ ok: false, message });

/** Raw value → trimmed string, or undefined when unset/blank. */
export const present = (raw: string | undefined): string | undefined => (raw === undefined || raw.trim() === '' ? undefined : raw.trim());

/**
 * A field parsed by `parse` from the trimmed raw value, or from `dflt` when unset. Without a
 * default the value may be undefined.
 */
export function field<T>(kind: string, parse: (raw: string) => Parsed<T>, dflt: string): Field<T>;
export function field<T>(kind: string, parse: (raw: string) => Parsed<T>, dflt?: string): Field<T | undefined>;
export function field<T>(kind: string, parse: (raw: string) => Parsed<T>, dflt?: string): Field<T | undefined> {
  const schema = z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const v = present(raw) ?? dflt;
      if (v === undefined) return undefined;
      const r = parse(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.message });
      return z.NEVER;
    });
  return { schema, kind, ...(dflt !== undefined ? { default: dflt } : {}) };
}

/**
 * Give a field its description. `default`: the literal default when the field itself has none
 * (it is resolved elsewhere, e.g. after a profile); `defaultNote`: a default in words.
 */
export function describe<T>(
  f: Field<T>,
  description: string,
  o: { secret?: boolean; default?: string; defaultNote?: string } = {},
): Setting<T> {
  return {
    ...f,
    description,
    ...(o.secret ? { secret: true } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
    ...(o.defaultNote !== undefined ? { defaultNote: o.defaultNote } : {}),
  };
}

// --- kinds -------------------------------------------------------------------------------------

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1500ms`, `30s`, `10m`, `24h`, `2d` or a bare number of milliseconds → milliseconds. */
export function parseDuration(raw: string): Parsed<number> {
  const m = DURATION.exec(raw.trim());
  if (!m) return bad(`"${raw}" is not a duration (use e.g. 1500ms, 30s, 10m, 24h, 2d)`);
  return ok(Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!));
}

/** A duration in milliseconds; `min` in ms. */
export function duration(dflt: string, o?: { min?: number }): Field<number>;
export function duration(dflt?: undefined, o?: { min?: number }): Field<number | undefined>;
export function duration(dflt?: string, o: { min?: number } = {}): Field<number | undefined> {
  return field(
    'duration',
    (raw) => {
      const r = parseDuration(raw);
      if (r.ok && o.min !== undefined && r.value < o.min) return bad(`must be at least ${o.min}ms (got "${raw}")`);
      return r;
    },
    dflt,
  );
}

interface Range {
  min?: number;
  max?: number;
  /** min is exclusive (> min rather than ≥ min). */
  above?: boolean;
}

function inRange(raw: string, n: number, r: Range): Parsed<number> {
  if (r.min !== undefined && (r.above ? n <= r.min : n < r.min)) return bad(`"${raw}" must be ${r.above ? '>' : '≥'} ${r.min}`);
  if (r.max !== undefined && n > r.max) return bad(`"${raw}" must be ≤ ${r.max}`);
  return ok(n);
}

/** A whole number. */
export function int(dflt: number, r?: Range): Field<number>;
export function int(dflt?: undefined, r?: Range): Field<number | undefined>;
export function int(dflt?: number, r: Range = {}): Field<number | undefined> {
  return field(
    'integer',
    (raw) => {
      const n = Number(raw);
      return Number.isInteger(n) ? inRange(raw, n, r) : bad(`"${raw}" is not a whole number`);
    },
    dflt === undefined ? undefined : String(dflt),
  );
}

/** Any finite number (`0.3`, `6e8`). */
export function num(dflt: number, r?: Range): Field<number>;
export function num(dflt?: undefined, r?: Range): Field<number | undefined>;
export function num(dflt?: number, r: Range = {}): Field<number | undefined> {
  return field(
    'number',
    (raw) => {
      const n = Number(raw);
      return Number.isFinite(n) ? inRange(raw, n, r) : bad(`"${raw}" is not a number`);
    },
    dflt === undefined ? undefined : String(dflt),
  );
}

/** A size in bytes: `20mb`, `512kb`, `1gb` or a plain number of bytes (binary units: 1 kb = 1024). */
export function bytes(dflt: string, r: Range = {}): Field<number> {
  return field(
    'size (`20mb`, `512kb`)',
    (raw) => {
      const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
      if (!m) return bad(`"${raw}" is not a size (e.g. 20mb, 512kb, 1048576)`);
      const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
      return inRange(raw, Math.round(Number(m[1]) * unit), r);
    },
    dflt,
  ) as Field<number>;
}

/** A TCP port, 1–65535. */
export const port = (dflt: number): Field<number> =>
  field(
    'port',
    (raw) => {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 0 && n <= 65535 ? ok(n) : bad(`"${raw}" is not a port (0-65535)`);
    },
    String(dflt),
  );

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any case). */
export function bool(dflt: boolean): Field<boolean>;
export function bool(dflt?: undefined): Field<boolean | undefined>;
export function bool(dflt?: boolean): Field<boolean | undefined> {
  return field(
    'boolean',
    (raw) => {
      const v = raw.toLowerCase();
      if (TRUE.includes(v)) return ok(true);
      if (FALSE.includes(v)) return ok(false);
      return bad(`"${raw}" must be true or false (also on/off, yes/no, 1/0)`);
    },
    dflt === undefined ? undefined : dflt ? 'true' : 'false',
  );
}

/** `on` or `off` (and the boolean spellings). */
export const onOff = (dflt: boolean): Field<boolean> => ({ ...bool(dflt), kind: '`on` \\| `off`', default: dflt ? 'on' : 'off' });

/** One of `values` (case-insensitive when the values are; the value is returned as listed). */
export function oneOf<const V extends string>(values: readonly V[], dflt: V): Field<V>;
export function oneOf<const V extends string>(values: readonly V[], dflt?: undefined): Field<V | undefined>;
export function oneOf<const V extends string>(values: readonly V[], dflt?: V): Field<V | undefined> {
  const list = values.map((v) => `\`${v}\``).join(' \\| ');
  return field(
    list,
    (raw) => {
      const hit = values.find((v) => v === raw) ?? values.find((v) => v.toLowerCase() === raw.toLowerCase());
      return hit ? ok(hit) : bad(`"${raw}" must be one of ${values.join(', ')}`);
    },
    dflt,
  );
}

/** An http(s) URL. */
export function url(dflt: string): Field<string>;
export function url(dflt?: undefined): Field<string | undefined>;
export function url(dflt?: string): Field<string | undefined> {
  return field(
    'URL',
    (raw) => {
      try {
        const u = new URL(raw);
        return u.protocol === 'http:' || u.protocol === 'https:' ? ok(raw) : bad(`"${raw}" must be an http(s) URL`);
      } catch {
        return bad(`"${raw}" is not a URL`);
      }
    },
    dflt,
  );
}

/** Free text (trimmed). */
export function str(dflt: string): Field<string>;
export function str(dflt?: undefined): Field<string | undefined>;
export function str(dflt?: string): Field<string | undefined> {
  return field('text', (raw) => ok(raw), dflt);
}

/** A secret (token, key, password): never echoed in messages or docs. */
export const secret = (): Field<string | undefined> => field('secret', (raw) => ok(raw), undefined);

/**
 * Text taken as is, blanks included (prompt prefixes such as `query: `); unset → undefined. An
 * empty value is a value (no prefix), unlike the other kinds.
 */
export const rawText = (): Field<string | undefined> => ({ schema: z.string().optional(), kind: 'text (kept as is)' });

/** A file or folder path (`folder`: the docs say folder); `mustExist` checks it at load. */
export function pathTo(o: { mustExist?: 'file' | 'dir'; folder?: boolean; default?: string } = {}): Field<string | undefined> {
  return field(
    o.mustExist === 'dir' || o.folder ? 'folder' : 'file',
    (raw) => {
      if (o.mustExist && !existsSync(raw)) return bad(`no such ${o.mustExist === 'dir' ? 'folder' : 'file'}: ${raw}`);
      if (o.mustExist === 'file' && !statSync(raw).isFile()) return bad(`${raw} is not a file`);
      return ok(raw);
    },
    o.default,
  );
}

/** A cron expression (five fields, optionally `CRON_TZ=Zone` first) or `@daily`-style shorthand, as Temporal takes it. */
export const cron = (dflt: string): Field<string> =>
  field(
    'cron',
    (raw) =>
      /^(CRON_TZ=\S+\s+)?\S+\s+\S+\s+\S+\s+\S+\s+\S+$/.test(raw) || /^@(yearly|annually|monthly|weekly|daily|hourly|every\s+\S+)$/.test(raw)
        ? ok(raw)
        : bad(`"${raw}" is not a cron expression (e.g. "0 6 * * *")`),
    dflt,
  );

/** `CODE=RATE,…` (ISO 4217 code → USD per unit); separators `,` `;` or blanks. */
export const usdRates = (): Field<Record<string, number>> =>
  field(
    '`CODE=RATE,…`',
    (raw) => {
      const rates: Record<string, number> = {};
      for (const part of raw.split(/[,;\s]+/).filter(Boolean)) {
        const m = /^([A-Za-z]{3})=(.+)$/.exec(part);
        if (!m) return bad(`"${part}" is not CODE=RATE (expected e.g. THB=0.028,EUR=1.08)`);
        const rate = Number(m[2]);
        if (!Number.isFinite(rate) || rate <= 0)
          return bad(`"${part}": the rate must be a positive number (expected e.g. THB=0.028,EUR=1.08)`);
        rates[m[1]!.toUpperCase()] = rate;
      }
      return ok(rates);
    },
    '',
  ) as Field<Record<string, number>>;
