/**
 * A shop's settings as sellers edit them (`sora shops create|update|list`, /desk/api/shops): one
 * validator for the CLI and the API, so both accept and refuse exactly the same input. Every bad
 * field is reported at once ({field, problem}); nothing is stored when any field is bad.
 *
 * Accepted forms (the CLI passes strings, the API JSON):
 *   languages      "en,es,th" or ["en","es","th"] (SHOP_LANGUAGES)
 *   businessHours  "mon-fri 09:00-18:00, sat 10:00-14:00" | "always" | [{days,open,close}]
 *   slaMinutes     {normal: "24h" | 1440 | null, …} (business minutes; null = the default)
 *   returnPolicy   the policy config object (validated by the caller's validateReturnPolicy) | null
 */
import { hasControlChars } from '../infra/terminal-text.js';
import {
  BusinessHoursError,
  formatBusinessHours,
  isTimeZone,
  parseBusinessHours,
  validRow,
  type BusinessHoursRow,
} from './business-hours.js';
import { ShopModel } from './shop.js';
import { TICKET_PRIORITIES, TICKET_SLA_DEFAULT_MINUTES, type TicketPriority } from './ticket.js';

/**
 * The languages sora-cs answers in: the same list as LANGUAGES in activities/catalog/languages.ts
 * (models import no layer above them; test/desk-shops-agents.test.ts keeps the two equal).
 */
export const SHOP_LANGUAGES = ['en', 'zh', 'es', 'fr', 'pt', 'th', 'vi', 'id', 'ms', 'ar'] as const;
export const SPANISH_VARIANT_VALUES = ['es', 'es-419'] as const;
export const SHOP_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NAME_MAX = 100;

export interface FieldProblem {
  field: string;
  problem: string;
}

export class ShopSettingsError extends Error {
  constructor(
    readonly problems: FieldProblem[],
    /** invalid: 422; unknown_shop: 404; exists: 409. */
    readonly kind: 'invalid' | 'unknown_shop' | 'exists' = 'invalid',
  ) {
    super(problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
    this.name = 'ShopSettingsError';
  }
}

/** Validates a return policy config (activities/commerce/returns, wired by scripts/): the config to store, or its problems. */
export type ReturnPolicyValidator = (raw: unknown) => { config: unknown } | { problems: string[] };

export interface ShopSettingsOptions {
  validateReturnPolicy?: ReturnPolicyValidator;
}

export interface ShopView {
  shopId: string;
  name: string;
  defaultLanguage: string;
  languages: string[];
  spanishVariant: string;
  timeZone: string;
  businessHours: BusinessHoursRow[];
  /** The written form of businessHours ("always" = always open). */
  businessHoursText: string;
  /** Business minutes per ticket priority: the shop's values over the defaults. */
  slaMinutes: Record<TicketPriority, number>;
  ticketAutoCloseDays: number;
  channels: string[];
  hasReturnPolicy: boolean;
  createdAt?: string;
  updatedAt?: string;
}

const FIELDS = [
  'name',
  'defaultLanguage',
  'languages',
  'spanishVariant',
  'timeZone',
  'businessHours',
  'slaMinutes',
  'ticketAutoCloseDays',
  'returnPolicy',
] as const;
type Field = (typeof FIELDS)[number];

/** A duration in minutes: 90, "90", "90m", "24h", "2d". */
export function parseMinutes(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d{1,6})\s*(m|min|h|d)?$/.exec(v.trim());
  if (!m) return null;
  return Number(m[1]) * { m: 1, min: 1, h: 60, d: 1440 }[m[2] ?? 'm']!;
}

/** A list from "a, b" or ["a", "b"] (trimmed, empty items dropped); null when it is neither. */
export function commaList(v: unknown): string[] | null {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s) => s.trim()).filter(Boolean);
  return null;
}

const isLanguage = (l: string) => (SHOP_LANGUAGES as readonly string[]).includes(l);

/** The checked `$set` of a change (only the fields given), or ShopSettingsError listing every problem. */
export function checkShopSettings(
  input: Record<string, unknown>,
  o: ShopSettingsOptions & { current?: ShopView } = {},
): Record<string, unknown> {
  const problems: FieldProblem[] = [];
  const bad = (field: string, problem: string) => problems.push({ field, problem });
  const set: Record<string, unknown> = {};
  for (const k of Object.keys(input))
    if (!(FIELDS as readonly string[]).includes(k) && k !== 'shopId') bad(k, `unknown field (settable: ${FIELDS.join(', ')})`);
  const has = (f: Field) => input[f] !== undefined;
  if (has('name')) {
    const v = input.name;
    if (typeof v !== 'string' || !v.trim()) bad('name', 'must be a non-empty string');
    else if (v.trim().length > NAME_MAX || hasControlChars(v))
      bad('name', `must be at most ${NAME_MAX} characters without control characters`);
    else set.name = v.trim();
  }
  if (has('defaultLanguage')) {
    const v = input.defaultLanguage;
    if (typeof v !== 'string' || !isLanguage(v.trim().toLowerCase())) bad('defaultLanguage', `must be one of ${SHOP_LANGUAGES.join(', ')}`);
    else set.defaultLanguage = v.trim().toLowerCase();
  }
  if (has('languages')) {
    const v = commaList(input.languages);
    if (!v) bad('languages', 'must be a list of language codes (e.g. "en,es,th")');
    else {
      const langs = [...new Set(v.map((l) => l.toLowerCase()))];
      const unknown = langs.filter((l) => !isLanguage(l));
      if (unknown.length)
        bad('languages', `unknown language ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${SHOP_LANGUAGES.join(', ')})`);
      else set.languages = langs;
    }
  }
  if (has('spanishVariant')) {
    const v = input.spanishVariant;
    if (typeof v !== 'string' || !(SPANISH_VARIANT_VALUES as readonly string[]).includes(v))
      bad('spanishVariant', `must be ${SPANISH_VARIANT_VALUES.join(' or ')}`);
    else set.spanishVariant = v;
  }
  if (has('timeZone')) {
    const v = input.timeZone;
    if (typeof v !== 'string' || !isTimeZone(v.trim()))
      bad('timeZone', 'must be an IANA time zone such as Asia/Singapore or Europe/Madrid');
    else set.timeZone = v.trim();
  }
  if (has('businessHours')) {
    const v = input.businessHours;
    try {
      if (typeof v === 'string') set.businessHours = parseBusinessHours(v);
      else if (Array.isArray(v)) set.businessHours = v.map((r) => validRow((r ?? {}) as Record<string, unknown>));
      else bad('businessHours', 'must be text like "mon-fri 09:00-18:00, sat 10:00-14:00" (or "always") or a list of {days, open, close}');
    } catch (e) {
      if (!(e instanceof BusinessHoursError)) throw e;
      bad('businessHours', e.message);
    }
  }
  if (has('slaMinutes')) {
    const v = input.slaMinutes;
    if (!v || typeof v !== 'object' || Array.isArray(v)) bad('slaMinutes', `must be an object with ${TICKET_PRIORITIES.join(', ')}`);
    else {
      const sla: Record<string, number | null> = { ...(o.current ? storedSla(o.current) : {}) };
      for (const [k, raw] of Object.entries(v as Record<string, unknown>)) {
        if (!(TICKET_PRIORITIES as readonly string[]).includes(k)) {
          bad(`slaMinutes.${k}`, `unknown priority (${TICKET_PRIORITIES.join(', ')})`);
          continue;
        }
        if (raw === null) {
          sla[k] = null;
          continue;
        }
        const m = parseMinutes(raw);
        if (m === null || m < 1 || m > 60 * 24 * 90)
          bad(`slaMinutes.${k}`, 'must be a duration from 1m to 90d (e.g. 30m, 4h, 2d, or minutes)');
        else sla[k] = m;
      }
      set.slaMinutes = Object.fromEntries(Object.entries(sla).filter(([, m]) => m !== null));
    }
  }
  if (has('ticketAutoCloseDays')) {
    const n = typeof input.ticketAutoCloseDays === 'string' ? Number(input.ticketAutoCloseDays) : input.ticketAutoCloseDays;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 365)
      bad('ticketAutoCloseDays', 'must be a whole number of days from 1 to 365');
    else set.ticketAutoCloseDays = n;
  }
  if (has('returnPolicy')) {
    const v = input.returnPolicy;
    if (v === null) set.returnPolicy = null;
    else if (typeof v !== 'object' || Array.isArray(v))
      bad('returnPolicy', 'must be a return policy object (the shape of policies/<shop>.yaml) or null');
    else if (!o.validateReturnPolicy) bad('returnPolicy', 'cannot be set here');
    else {
      const r = o.validateReturnPolicy(v);
      if ('problems' in r) for (const p of r.problems) bad('returnPolicy', p);
      else set.returnPolicy = r.config;
    }
  }
  // The default language must be one the shop offers (when it lists them).
  const langs = (set.languages as string[] | undefined) ?? o.current?.languages ?? [];
  const def = (set.defaultLanguage as string | undefined) ?? o.current?.defaultLanguage ?? 'en';
  if (langs.length && !langs.includes(def) && !problems.some((p) => p.field === 'languages' || p.field === 'defaultLanguage'))
    bad(
      set.languages ? 'languages' : 'defaultLanguage',
      `the default language "${def}" must be one of the languages offered (${langs.join(', ')})`,
    );
  if (problems.length) throw new ShopSettingsError(problems);
  return set;
}

function storedSla(v: ShopView): Record<string, number> {
  return Object.fromEntries(
    TICKET_PRIORITIES.filter((p) => v.slaMinutes[p] !== TICKET_SLA_DEFAULT_MINUTES[p]).map((p) => [p, v.slaMinutes[p]]),
  );
}

type ShopDoc = {
  shopId: string;
  name: string;
  defaultLanguage?: string | null;
  languages?: string[];
  spanishVariant?: string | null;
  timeZone?: string | null;
  businessHours?: { days: number[]; open: string; close: string }[];
  slaMinutes?: Partial<Record<TicketPriority, number | null>> | null;
  ticketAutoCloseDays?: number | null;
  channels?: string[];
  returnPolicy?: unknown;
  createdAt?: Date;
  updatedAt?: Date;
};

export function shopView(s: ShopDoc): ShopView {
  const rows = (s.businessHours ?? []).map((r) => ({ days: [...r.days], open: r.open, close: r.close }));
  const sla = s.slaMinutes ?? {};
  return {
    shopId: s.shopId,
    name: s.name,
    defaultLanguage: s.defaultLanguage ?? 'en',
    languages: s.languages ?? [],
    spanishVariant: s.spanishVariant ?? 'es',
    timeZone: s.timeZone ?? 'UTC',
    businessHours: rows,
    businessHoursText: formatBusinessHours(rows),
    slaMinutes: Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, sla[p] ?? TICKET_SLA_DEFAULT_MINUTES[p]])) as Record<
      TicketPriority,
      number
    >,
    ticketAutoCloseDays: s.ticketAutoCloseDays ?? 7,
    channels: s.channels ?? [],
    hasReturnPolicy: !!s.returnPolicy,
    ...(s.createdAt ? { createdAt: s.createdAt.toISOString() } : {}),
    ...(s.updatedAt ? { updatedAt: s.updatedAt.toISOString() } : {}),
  };
}

const PROJECTION = { webchatIdentitySecret: 0, customsDelays: 0, strategy: 0, couponRule: 0 } as const;

/** Create a shop: shopId and name required, the rest optional (defaults of models/shop.ts). */
export async function createShop(input: Record<string, unknown>, o: ShopSettingsOptions = {}): Promise<ShopView> {
  const problems: FieldProblem[] = [];
  const shopId = typeof input.shopId === 'string' ? input.shopId : '';
  if (typeof input.shopId !== 'string' || !SHOP_ID.test(shopId))
    problems.push({ field: 'shopId', problem: 'must be 1 to 64 letters, digits, . _ - (starting with a letter or digit)' });
  if (input.name === undefined) problems.push({ field: 'name', problem: 'is required' });
  let set: Record<string, unknown> = {};
  try {
    set = checkShopSettings(input, o);
  } catch (e) {
    if (!(e instanceof ShopSettingsError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length) throw new ShopSettingsError(problems);
  if (await ShopModel.exists({ shopId }))
    throw new ShopSettingsError([{ field: 'shopId', problem: `shop "${shopId}" already exists` }], 'exists');
  try {
    await ShopModel.create({ shopId, channels: ['webchat'], ...set });
  } catch (e) {
    if ((e as { code?: number }).code === 11000)
      throw new ShopSettingsError([{ field: 'shopId', problem: `shop "${shopId}" already exists` }], 'exists');
    throw e;
  }
  return (await getShop(shopId))!;
}

export async function getShop(shopId: string): Promise<ShopView | null> {
  const s = await ShopModel.findOne({ shopId }, PROJECTION).lean();
  return s ? shopView(s as ShopDoc) : null;
}

/** The stored return policy config of a shop (null: none stored; undefined: no such shop). */
export async function getShopReturnPolicy(shopId: string): Promise<unknown> {
  const s = await ShopModel.findOne({ shopId }, { returnPolicy: 1 }).lean();
  return s ? (s.returnPolicy ?? null) : undefined;
}

/** Change the given fields (null resets returnPolicy / one SLA priority). */
export async function updateShop(shopId: string, change: Record<string, unknown>, o: ShopSettingsOptions = {}): Promise<ShopView> {
  const current = await getShop(shopId);
  if (!current) throw new ShopSettingsError([{ field: 'shopId', problem: `no shop "${shopId}"` }], 'unknown_shop');
  if (change.shopId !== undefined && change.shopId !== shopId)
    throw new ShopSettingsError([{ field: 'shopId', problem: 'a shop id cannot be changed' }]);
  const set = checkShopSettings(change, { ...o, current });
  if (Object.keys(set).length) {
    const unset = set.returnPolicy === null ? { returnPolicy: 1 } : undefined;
    if (unset) delete set.returnPolicy;
    await ShopModel.updateOne({ shopId }, { ...(Object.keys(set).length ? { $set: set } : {}), ...(unset ? { $unset: unset } : {}) });
  }
  return (await getShop(shopId))!;
}

/** Shops by id; `shopIds` limits the list (an agent's shops), `['*']` or undefined = all. */
export async function listShops(shopIds?: readonly string[]): Promise<ShopView[]> {
  const filter = !shopIds || shopIds.includes('*') ? {} : { shopId: { $in: [...shopIds] } };
  const docs = await ShopModel.find(filter, PROJECTION).sort({ shopId: 1 }).lean();
  return docs.map((d) => shopView(d as ShopDoc));
}
