/**
 * Buyer-facing messages: one ICU MessageFormat catalog per locale (`locales/<locale>.json`, flat
 * dotted keys) and one function, `t(key, locale, values?, shopDefault?)`, that formats a message
 * with real plural/select rules (intl-messageformat) and says which locale it used.
 *
 * Fallback chain for each key: the locale itself → its parent (`es-419` → `es`) → the shop's
 * default language (and its parent) → `en`. A message in another language than the one wanted is
 * a *fallback*: the result says so (`fallback: true`, so callers can record `languageFallback`) and
 * it is logged once per (key, locale). A variant answered by its parent (`es-419` → `es`) is not a
 * fallback: variant files hold only what differs (docs/translations.md).
 */
import { log } from '@temporalio/activity';
import { log as infraLog } from '../../infra/log.js';
import { IntlMessageFormat } from 'intl-messageformat';
import { LOCALE_INFO, baseLanguage, supportedChain, type Locale } from './languages.js';
import ar from './locales/ar.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import es419 from './locales/es-419.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };
import id from './locales/id.json' with { type: 'json' };
import ms from './locales/ms.json' with { type: 'json' };
import pt from './locales/pt.json' with { type: 'json' };
import th from './locales/th.json' with { type: 'json' };
import vi from './locales/vi.json' with { type: 'json' };
import zh from './locales/zh.json' with { type: 'json' };

/** Every message key; `en.json` is the reference catalog that every other locale must match. */
export type MessageKey = keyof typeof en;
export type Catalog<K extends string = MessageKey> = Readonly<Partial<Record<K, string>>>;
export type MessageValues = Record<string, string | number | Date>;

/** The catalogs of every locale in languages.ts (the compiler insists on one per locale). */
export const CATALOGS: Readonly<Record<Locale, Catalog>> = { en, zh, es, 'es-419': es419, fr, pt, th, vi, id, ms, ar };

export const REFERENCE_LOCALE = 'en';

export interface Translation {
  text: string;
  /** The locale whose message was used (`es` for an `es-419` request the variant does not override). */
  language: string;
  /** True when the message is in another language than the one wanted (locale, else shop default). */
  fallback: boolean;
}

export interface FallbackEvent {
  key: string;
  /** What was asked for: the locale, else the shop default, else `en`. */
  requested: string;
  used: string;
  /** Set when a message existed but could not be formatted (broken translation). */
  error?: string;
}

type Kind = 'argument' | 'number' | 'date' | 'time' | 'select' | 'plural';
type Element = ReturnType<IntlMessageFormat['getAst']>[number];
// Element types of @formatjs/icu-messageformat-parser (TYPE enum), by value.
const KINDS: Record<number, Kind> = { 1: 'argument', 2: 'number', 3: 'date', 4: 'time', 5: 'select', 6: 'plural' };

/**
 * The arguments of an ICU message and how each is used (`{n, plural, …}` → n: plural), nested
 * ones included. Throws when the message does not parse.
 */
export function messageArguments(pattern: string): Map<string, Set<Kind>> {
  const out = new Map<string, Set<Kind>>();
  const walk = (els: Element[]) => {
    for (const el of els) {
      const kind = KINDS[el.type];
      if (kind && 'value' in el && typeof el.value === 'string') {
        if (!out.has(el.value)) out.set(el.value, new Set());
        out.get(el.value)!.add(kind);
      }
      if ('options' in el && el.options)
        for (const opt of Object.values(el.options as Record<string, { value: Element[] }>)) walk(opt.value);
      if ('children' in el && Array.isArray(el.children)) walk(el.children as Element[]);
    }
  };
  walk(new IntlMessageFormat(pattern, 'en', undefined, { ignoreTag: true }).getAst());
  return out;
}

/** The locales to try for a key, in order (see the module comment). */
export function localeChain(
  locale: string | null | undefined,
  shopDefault?: string | null,
  has: (l: string) => boolean = isCatalog,
): string[] {
  const chain: string[] = [];
  for (const tag of [locale, shopDefault, REFERENCE_LOCALE])
    for (const l of supportedChain(tag, has)) if (!chain.includes(l)) chain.push(l);
  return chain;
}

function isCatalog(l: string): boolean {
  return Object.prototype.hasOwnProperty.call(CATALOGS, l);
}

/**
 * The locale a reply made of several messages is written in (its first supported locale) and
 * whether that is a fallback. Each message of it may still come from the parent (`es-419` → `es`).
 */
export function resolveLocale(locale: string | null | undefined, shopDefault?: string | null): { language: string; fallback: boolean } {
  const language = localeChain(locale, shopDefault)[0] ?? REFERENCE_LOCALE;
  return { language, fallback: isFallback(language, locale, shopDefault) };
}

function wantedOf(locale: string | null | undefined, shopDefault?: string | null): string {
  return locale?.trim() || shopDefault?.trim() || REFERENCE_LOCALE;
}

function isFallback(used: string, locale: string | null | undefined, shopDefault?: string | null): boolean {
  return baseLanguage(used) !== baseLanguage(wantedOf(locale, shopDefault));
}

/** log from @temporalio/activity inside an activity; stderr outside one (CLI, tests). */
function logFallback(e: FallbackEvent): void {
  const msg = e.error ? 'message catalog: broken message skipped' : 'message catalog fallback: no message in the wanted language';
  try {
    log.warn(msg, { ...e });
  } catch {
    infraLog(msg, { ...e }); // outside an activity: the process log (muted by SORA_LOG_LEVEL=silent)
  }
}

export interface TranslatorOptions {
  /** Called once per (key, requested locale) when a fallback happens; default: log a warning. */
  onFallback?: (e: FallbackEvent) => void;
  /** Intl locale for a catalog locale (plural rules, number and date formats). */
  intlLocale?: (locale: string) => string;
}

export type Translate<K extends string> = (
  key: K,
  locale: string | null | undefined,
  values?: MessageValues,
  shopDefault?: string | null,
) => Translation;

/**
 * A `t` over the given catalogs (the shipped ones by default; tests pass their own). Values:
 * a plain `{name}` left without a value stays visible as `{name}` (so a test catches it, and the
 * composer can fill it later); a missing plural/select/number/date value is an error.
 */
export function createTranslator<K extends string>(
  catalogs: Readonly<Record<string, Catalog<K>>>,
  opts: TranslatorOptions = {},
): Translate<K> {
  const has = (l: string) => Object.prototype.hasOwnProperty.call(catalogs, l);
  const intl = opts.intlLocale ?? ((l: string) => (l in LOCALE_INFO ? LOCALE_INFO[l as Locale].intl : l));
  const onFallback = opts.onFallback ?? logFallback;
  const formats = new Map<string, { mf: IntlMessageFormat; args: Map<string, Set<Kind>> }>();
  const reported = new Set<string>();
  const reportOnce = (e: FallbackEvent) => {
    const id = `${e.key}\u0000${e.requested}\u0000${e.error ? 'error' : ''}`;
    if (reported.has(id)) return;
    reported.add(id);
    onFallback(e);
  };

  const compiled = (locale: string, key: K, pattern: string) => {
    const id = `${locale}\u0000${key}`;
    let c = formats.get(id);
    if (!c) {
      const mf = new IntlMessageFormat(pattern, intl(locale), undefined, { ignoreTag: true });
      c = { mf, args: messageArguments(pattern) };
      formats.set(id, c);
    }
    return c;
  };

  return (key, locale, values = {}, shopDefault) => {
    const requested = wantedOf(locale, shopDefault);
    let lastError: unknown = null;
    for (const l of localeChain(locale, shopDefault, has)) {
      const pattern = catalogs[l]?.[key];
      if (pattern === undefined) continue;
      try {
        const { mf, args } = compiled(l, key, pattern);
        const filled: MessageValues = { ...values };
        for (const [name, kinds] of args) {
          if (filled[name] !== undefined) continue;
          if (kinds.size === 1 && kinds.has('argument')) filled[name] = `{${name}}`;
          else throw new Error(`message ${key} (${l}): no value for {${name}, ${[...kinds].join('/')}}`);
        }
        const text = String(mf.format(filled));
        const fallback = isFallback(l, locale, shopDefault);
        if (fallback) reportOnce({ key, requested, used: l });
        return { text, language: l, fallback };
      } catch (e) {
        if (e instanceof Error && e.message.startsWith(`message ${key} (`)) throw e;
        lastError = e;
        reportOnce({ key, requested, used: l, error: String(e) });
      }
    }
    throw new Error(`no message "${key}" for ${requested}${lastError ? `: ${String(lastError)}` : ''}`);
  };
}

/** Format the message `key` in `locale` (see the module comment for the fallback chain). */
export const t: Translate<MessageKey> = createTranslator(CATALOGS);

/**
 * The ICU source of a message for a locale, through the parent chain (`es-419` → `es`) and `en`,
 * without formatting. For code that still fills `{placeholders}` itself.
 */
export function messagePattern(key: MessageKey, locale: string | null | undefined): string {
  for (const l of localeChain(locale)) {
    const p = CATALOGS[l as Locale]?.[key];
    if (p !== undefined) return p;
  }
  throw new Error(`no message "${key}"`);
}
