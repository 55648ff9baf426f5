/**
 * Small, deterministic formatting helpers for reply catalogs: placeholders, localized dates in the
 * event's own UTC offset, durations, lists and country names (all through Intl, no extra data).
 * The messages themselves are ICU MessageFormat, formatted by t.ts.
 */
import { isLocale, LOCALE_INFO } from './languages.js';

/**
 * Replace {name} with vars.name; a missing var is left visible so a test catches it. Only for
 * simple placeholders: messages with plural/select go through t() (t.ts).
 */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] !== undefined ? String(vars[k]) : m));
}

/** Countries whose English readers expect British dates ("12 March 2025"). */
const BRITISH_ENGLISH = ['GB', 'UK', 'IE', 'AU', 'NZ', 'SG', 'MY', 'PH'];

/** Catalog language → BCP 47 locale for Intl (languages.ts; English follows the buyer's country). */
export function intlLocale(language: string, country?: string | null): string {
  if (language === 'en') return country && BRITISH_ENGLISH.includes(country.toUpperCase()) ? 'en-GB' : 'en-US';
  return isLocale(language) ? LOCALE_INFO[language].intl : language;
}

const OFFSET = /([+-])(\d{2}):?(\d{2})$|Z$/i;

/**
 * An ISO time as a wall-clock date (and time) at the offset written in it, so "held since" reads in
 * the place's local time. Times without an offset are taken as UTC.
 */
export function formatLocalDate(iso: string, language: string, opts: { time?: boolean; country?: string | null } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not an ISO time: "${iso}"`);
  const m = OFFSET.exec(iso.trim());
  const minutes = m && m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const shifted = new Date(date.getTime() + minutes * 60_000);
  const fmt = new Intl.DateTimeFormat(intlLocale(language, opts.country), {
    timeZone: 'UTC',
    dateStyle: 'long',
    ...(opts.time ? { timeStyle: 'short' } : {}),
  });
  return fmt.format(shifted);
}

/** Add whole days to an ISO time, keeping its offset notation (for deadlines). */
export function addDays(iso: string, days: number): string {
  const m = OFFSET.exec(iso.trim());
  const t = new Date(iso).getTime() + days * 86_400_000;
  const minutes = m && m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const local = new Date(t + minutes * 60_000).toISOString().slice(0, 19);
  return m && m[1] ? `${local}${m[1]}${m[2]}:${m[3]}` : `${local}Z`;
}

export function formatUnit(n: number, unit: 'day' | 'hour' | 'year' | 'month', language: string): string {
  return new Intl.NumberFormat(intlLocale(language), { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}

/** Days as "30 days", or whole years as "2 years". */
export function formatDays(days: number, language: string): string {
  if (days >= 365 && days % 365 === 0) return formatUnit(days / 365, 'year', language);
  return formatUnit(days, 'day', language);
}

/** A delay in hours: hours up to 72, days beyond (rounded to half days up). */
export function formatHours(hours: number, language: string): string {
  if (hours <= 72) return formatUnit(Math.round(hours), 'hour', language);
  return formatUnit(Math.round((hours / 24) * 2) / 2, 'day', language);
}

export function formatList(items: string[], language: string): string {
  return new Intl.ListFormat(intlLocale(language), { style: 'long', type: 'conjunction' }).format(items);
}

/** Country name in the buyer's language; UK is GB for Intl. */
export function countryName(code: string, language: string): string {
  const c = code.toUpperCase() === 'UK' ? 'GB' : code.toUpperCase();
  try {
    return new Intl.DisplayNames([intlLocale(language)], { type: 'region' }).of(c) ?? c;
  } catch {
    return c;
  }
}

/** The catalog language to use: exact, then base language, then English. (Catalog messages: resolveLocale in t.ts.) */
export function pickLanguage<T>(catalogs: Record<string, T>, language: string | null | undefined): string {
  const lang = language ?? 'en';
  if (catalogs[lang]) return lang;
  const base = lang.split('-')[0]!;
  return catalogs[base] ? base : 'en';
}
