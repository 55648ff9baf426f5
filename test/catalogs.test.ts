/**
 * Message catalogs (activities/catalog/locales/*.json, t.ts, languages.ts): every locale complete
 * and valid ICU with en's placeholders, real plural rules, select, and the reported fallback chain.
 * No servers needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import {
  BUYER_LANGUAGES,
  LANGUAGES,
  LOCALE_INFO,
  LOCALES,
  SPANISH_VARIANTS,
  VARIANTS,
  isRtl,
  languageName,
  supportedChain,
} from '../activities/catalog/languages.js';
import {
  CATALOGS,
  createTranslator,
  localeChain,
  messageArguments,
  resolveLocale,
  t,
  type FallbackEvent,
} from '../activities/catalog/t.js';
import { intlLocale } from '../activities/catalog/format.js';
import { systemMessage, SYSTEM_MESSAGE_KINDS } from '../activities/catalog/system-messages.js';
import { LOGISTICS_CATALOGS } from '../activities/catalog/logistics-messages.js';
import { RETURNS_CATALOGS } from '../activities/catalog/returns-messages.js';
import { composeReturnAnswer } from '../activities/commerce/returns/answer.js';
import { resolveReturnPolicy } from '../activities/commerce/returns/policy.js';
import { customsReply, trackingStatusReply } from '../activities/logistics/tracking-replies.js';
import { ShopModel } from '../models/shop.js';

const DIR = path.resolve('activities/catalog/locales');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const onDisk: Record<string, Record<string, string>> = Object.fromEntries(
  files.map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Record<string, string>]),
);
const en = onDisk.en!;
const isVariant = (l: string) => l in VARIANTS;

/** name → kinds, e.g. { n: 'plural' }, as a comparable object. */
const signature = (pattern: string) =>
  Object.fromEntries(
    [...messageArguments(pattern)].map(([name, kinds]) => [name, [...kinds].sort().join('/')]).sort(([a], [b]) => a!.localeCompare(b!)),
  );

describe('catalog files', () => {
  it('one file per locale of languages.ts, no stray files, and t.ts serves exactly those files', () => {
    expect(Object.keys(onDisk).sort()).toEqual([...LOCALES].sort());
    expect(Object.keys(CATALOGS).sort()).toEqual([...LOCALES].sort());
    for (const l of LOCALES) expect(CATALOGS[l], l).toEqual(onDisk[l]);
  });

  it('keys are flat, dotted, lower snake case and strings', () => {
    for (const [l, c] of Object.entries(onDisk))
      for (const [k, v] of Object.entries(c)) {
        expect(k, `${l}: ${k}`).toMatch(/^(system|logistics|returns)(\.[a-z][a-z0-9_]*)+$/);
        expect(typeof v, `${l}: ${k}`).toBe('string');
        expect(v.trim().length, `${l}: ${k} is empty`).toBeGreaterThan(0);
      }
  });

  it('every locale has every message en has (variants: only messages that differ from their parent)', () => {
    const missing: string[] = [];
    for (const [l, c] of Object.entries(onDisk)) {
      if (isVariant(l)) continue;
      for (const k of Object.keys(en)) if (!(k in c)) missing.push(`${l}: ${k}`);
    }
    expect(missing, `messages missing (add them to the locale file):\n${missing.join('\n')}`).toEqual([]);
  });

  it('Malay (issue 18) has every message, written in Malay: not a copy of the Indonesian or English text', () => {
    expect(Object.keys(onDisk.ms ?? {}).sort()).toEqual(Object.keys(en).sort());
    const same = Object.keys(en).filter((k) => onDisk.ms![k] === onDisk.id![k] || onDisk.ms![k] === onDisk.en![k]);
    expect(same).toEqual(['logistics.status.in_transit']); // "dalam perjalanan" in both languages
    expect(t('system.closed', 'ms')).toMatchObject({ language: 'ms', fallback: false });
    expect(t('returns.business_days', 'ms-MY', { n: 3 }).text).toBe('3 hari bekerja');
  });

  it('no locale has a message en does not have (typo or removed key)', () => {
    const extra: string[] = [];
    for (const [l, c] of Object.entries(onDisk)) for (const k of Object.keys(c)) if (!(k in en)) extra.push(`${l}: ${k}`);
    expect(extra).toEqual([]);
  });

  it('a variant holds only what differs from its parent', () => {
    for (const [variant, parent] of Object.entries(VARIANTS))
      for (const [k, v] of Object.entries(onDisk[variant]!))
        expect(v, `${variant}: ${k} is the same as ${parent}`).not.toBe(onDisk[parent]![k]);
  });

  it('every message parses as ICU MessageFormat', () => {
    const broken: string[] = [];
    for (const [l, c] of Object.entries(onDisk))
      for (const [k, v] of Object.entries(c)) {
        try {
          new IntlMessageFormat(v, LOCALE_INFO[l as keyof typeof LOCALE_INFO]?.intl ?? l, undefined, { ignoreTag: true });
        } catch (e) {
          broken.push(`${l}: ${k}: ${String(e)}`);
        }
      }
    expect(broken).toEqual([]);
  });

  it("every message uses exactly en's placeholder names (and the same kind: plain, plural, select …)", () => {
    const wrong: string[] = [];
    for (const [l, c] of Object.entries(onDisk))
      for (const [k, v] of Object.entries(c)) {
        if (!(k in en)) continue;
        try {
          const want = JSON.stringify(signature(en[k]!));
          const got = JSON.stringify(signature(v));
          if (got !== want) wrong.push(`${l}: ${k}: ${got}, en has ${want}`);
        } catch {
          // reported by the parse test
        }
      }
    expect(wrong).toEqual([]);
  });

  it('plurals cover every category the locale uses for 0–200 (Arabic all six, Thai only other)', () => {
    const gaps: string[] = [];
    for (const [l, c] of Object.entries(onDisk)) {
      const rules = new Intl.PluralRules(LOCALE_INFO[l as keyof typeof LOCALE_INFO].intl);
      const used = new Set(Array.from({ length: 201 }, (_, n) => rules.select(n)));
      const known = new Set(rules.resolvedOptions().pluralCategories);
      for (const [k, v] of Object.entries(c)) {
        let ast: ReturnType<IntlMessageFormat['getAst']>;
        try {
          ast = new IntlMessageFormat(v, 'en', undefined, { ignoreTag: true }).getAst();
        } catch {
          continue; // reported by the parse test
        }
        for (const el of ast) {
          if (!('pluralType' in el) || !('options' in el)) continue;
          const selectors = Object.keys(el.options as object);
          for (const cat of used) if (!selectors.includes(cat)) gaps.push(`${l}: ${k}: no "${cat}"`);
          for (const s of selectors)
            if (!s.startsWith('=') && !known.has(s as Intl.LDMLPluralRule)) gaps.push(`${l}: ${k}: "${s}" never used in ${l}`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  it('no message fakes a plural: a count ({n}, {count}) is always a plural argument, never plain ("{n} days")', () => {
    for (const [l, c] of Object.entries(onDisk))
      for (const [k, v] of Object.entries(c)) {
        let args: ReturnType<typeof messageArguments>;
        try {
          args = messageArguments(v);
        } catch {
          continue; // reported by the parse test
        }
        for (const [name, kinds] of args) if (name === 'n' || name === 'count') expect([...kinds], `${l}: ${k}`).toEqual(['plural']);
      }
  });
});

describe('t(): plurals', () => {
  const days = (locale: string, n: number) => t('returns.business_days', locale, { n }).text;

  it('English and Spanish: one vs other', () => {
    expect(days('en', 1)).toBe('1 business day');
    expect(days('en', 2)).toBe('2 business days');
    expect(days('en', 0)).toBe('0 business days');
    expect(days('es', 1)).toBe('1 día hábil');
    expect(days('es', 2)).toBe('2 días hábiles');
    expect(days('es-419', 1)).toBe('1 día hábil');
    expect(days('fr', 1)).toBe('1 jour ouvré');
    expect(days('pt', 5)).toBe('5 dias úteis');
  });

  it('Arabic: zero, one, two, few, many, other', () => {
    expect(days('ar', 0)).toBe('0 يوم عمل');
    expect(days('ar', 1)).toBe('يوم عمل واحد');
    expect(days('ar', 2)).toBe('يومي عمل');
    expect(days('ar', 3)).toBe('3 أيام عمل');
    expect(days('ar', 10)).toBe('10 أيام عمل');
    expect(days('ar', 11)).toBe('11 يوم عمل');
    expect(days('ar', 100)).toBe('100 يوم عمل');
  });

  it('Thai, Vietnamese, Indonesian, Chinese: one form', () => {
    expect(days('th', 1)).toBe('1 วันทำการ');
    expect(days('th', 2)).toBe('2 วันทำการ');
    expect(days('vi', 1)).toBe('1 ngày làm việc');
    expect(days('id', 2)).toBe('2 hari kerja');
    expect(days('zh', 1)).toBe('1个工作日');
  });

  it('in a composed answer: "within 1 business day", not "1 business days"', () => {
    const m = resolveReturnPolicy(null, { country: 'UK' });
    const oneDay = { ...m, rule: { ...m.rule, refund: { ...m.rule.refund, dayKind: 'business' as const, withinDays: 1 } } };
    expect(composeReturnAnswer({ match: oneDay, language: 'en' }).text).toContain('within 1 business day after we receive the return');
    const twoDays = { ...m, rule: { ...m.rule, refund: { ...m.rule.refund, dayKind: 'business' as const, withinDays: 2 } } };
    expect(composeReturnAnswer({ match: twoDays, language: 'en' }).text).toContain('within 2 business days after');
    expect(composeReturnAnswer({ match: oneDay, language: 'es' }).text).toContain('en un plazo de 1 día hábil desde');
    expect(composeReturnAnswer({ match: twoDays, language: 'ar' }).text).toContain('خلال يومي عمل من');
  });

  it('a plural without its number is an error; a plain placeholder without a value stays visible', () => {
    expect(() => t('returns.business_days', 'en')).toThrow(/no value for \{n, plural\}/);
    expect(t('system.silence_nudge_coupon', 'en', { discount: '10%' }).text).toContain('{code}');
    expect(t('system.silence_nudge_coupon', 'en', { discount: '10%', code: 'X-1' }).text).toContain(
      '10% discount code for your order: X-1.',
    );
  });
});

describe('t(): select', () => {
  const tt = createTranslator(
    {
      en: {
        'x.shipping': '{payer, select, buyer {paid by you} seller {paid by us} other {free for you}}',
        'x.items':
          '{who, select, shop {The shop has {n, plural, one {# item} other {# items}}} other {You have {n, plural, one {# item} other {# items}}}}.',
      },
      es: { 'x.shipping': '{payer, select, buyer {por tu cuenta} seller {por nuestra cuenta} other {gratis para ti}}' },
    },
    { onFallback: () => {} },
  );

  it('picks the branch, other for unknown values, nested plurals', () => {
    expect(tt('x.shipping', 'en', { payer: 'buyer' }).text).toBe('paid by you');
    expect(tt('x.shipping', 'en', { payer: 'seller' }).text).toBe('paid by us');
    expect(tt('x.shipping', 'en', { payer: 'platform' }).text).toBe('free for you');
    expect(tt('x.shipping', 'es', { payer: 'seller' }).text).toBe('por nuestra cuenta');
    expect(tt('x.items', 'en', { who: 'shop', n: 1 }).text).toBe('The shop has 1 item.');
    expect(tt('x.items', 'en', { who: 'buyer', n: 3 }).text).toBe('You have 3 items.');
    expect(() => tt('x.shipping', 'en')).toThrow(/no value for \{payer, select\}/);
  });
});

describe('t(): fallback chain', () => {
  afterEach(() => vi.restoreAllMocks());

  it('es-419 → es for a message the variant does not override (same language: not a fallback)', () => {
    expect('returns.exchange_yes' in onDisk['es-419']!).toBe(false);
    const r = t('returns.exchange_yes', 'es-419');
    expect(r).toEqual({ text: onDisk.es!['returns.exchange_yes'], language: 'es', fallback: false });
    const own = t('returns.exchange_no', 'es-419');
    expect(own).toEqual({ text: 'No hacemos cambios; te reembolsamos el artículo.', language: 'es-419', fallback: false });
    expect(localeChain('es-419')).toEqual(['es-419', 'es', 'en']);
  });

  it('regional tags and spellings reach their language: es-MX → es-419 (Latin America), es-ES → es, pt-BR → pt, ES_419 → es-419', () => {
    expect(t('system.closed', 'es-MX')).toMatchObject({ language: 'es-419', fallback: false });
    expect(t('logistics.unknown_place', 'es-AR')).toMatchObject({ language: 'es', fallback: false }); // not overridden by es-419
    expect(t('system.closed', 'es-ES').language).toBe('es');
    expect(t('system.closed', 'pt-BR').language).toBe('pt');
    expect(t('system.closed', 'ES_419').language).toBe('es-419');
    expect(t('system.closed', 'pt-BR').fallback).toBe(false);
  });

  it('unknown locale → the shop default → en, reported as a fallback', () => {
    expect(t('system.closed', 'de', {}, 'fr')).toEqual({ text: onDisk.fr!['system.closed'], language: 'fr', fallback: true });
    expect(t('system.closed', 'de', {}, 'es-419')).toMatchObject({ language: 'es-419', fallback: true });
    expect(t('system.closed', 'de', {}, 'xx')).toMatchObject({ language: 'en', fallback: true, text: en['system.closed'] });
    expect(t('system.closed', 'de')).toMatchObject({ language: 'en', fallback: true });
    expect(localeChain('de', 'es-419')).toEqual(['es-419', 'es', 'en']);
    // No buyer language: the shop's is what was wanted, so it is not a fallback.
    expect(t('system.closed', null, {}, 'th')).toMatchObject({ language: 'th', fallback: false });
    expect(t('system.closed', null)).toMatchObject({ language: 'en', fallback: false });
  });

  it('a message missing in the locale comes from the shop default, then en; each fallback reported once per (key, locale)', () => {
    const events: FallbackEvent[] = [];
    const tt = createTranslator(
      {
        en: { a: 'A en', b: 'B en' },
        fr: { a: 'A fr', b: 'B fr' },
        es: { a: 'A es' },
        'es-419': {},
      },
      { onFallback: (e) => events.push(e) },
    );
    expect(tt('a', 'es-419', {}, 'fr')).toEqual({ text: 'A es', language: 'es', fallback: false });
    expect(tt('b', 'es-419', {}, 'fr')).toEqual({ text: 'B fr', language: 'fr', fallback: true });
    expect(tt('b', 'es-419', {}, 'fr')).toEqual({ text: 'B fr', language: 'fr', fallback: true });
    expect(tt('b', 'es', {}, 'de')).toEqual({ text: 'B en', language: 'en', fallback: true });
    expect(tt('b', 'es', {}, 'de')).toMatchObject({ language: 'en' });
    expect(events).toEqual([
      { key: 'b', requested: 'es-419', used: 'fr' },
      { key: 'b', requested: 'es', used: 'en' },
    ]);
    expect(() => tt('zzz' as 'a', 'en')).toThrow(/no message "zzz"/);
  });

  it('a broken translation is skipped (reported) and the next locale answers', () => {
    const events: FallbackEvent[] = [];
    const tt = createTranslator({ en: { a: 'ok {x}' }, fr: { a: 'cassé {x' } }, { onFallback: (e) => events.push(e) });
    expect(tt('a', 'fr', { x: 1 })).toMatchObject({ text: 'ok 1', language: 'en', fallback: true });
    expect(events[0]).toMatchObject({ key: 'a', requested: 'fr', used: 'fr' });
    expect(events[0]!.error).toBeTruthy();
  });

  it('the default reporter logs a fallback once per (key, locale)', () => {
    // Outside an activity the fallback goes to the process log (infra/log.ts, stdout).
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const tt = createTranslator({ en: { a: 'A' } });
      tt('a', 'de');
      tt('a', 'de');
      tt('a', 'it');
      const lines = write.mock.calls.map((c) => String(c[0])).filter((s) => s.includes('message catalog fallback'));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain('requested="de"');
      expect(lines[0]).toContain('used="en"');
    } finally {
      write.mockRestore();
    }
  });

  it('composed replies report the fallback (languageFallback) and use the shop default', () => {
    const match = resolveReturnPolicy(null, { country: 'UK' });
    expect(composeReturnAnswer({ match, language: 'de', shopDefault: 'fr' })).toMatchObject({ language: 'fr', languageFallback: true });
    expect(composeReturnAnswer({ match, language: 'de' })).toMatchObject({ language: 'en', languageFallback: true });
    expect(composeReturnAnswer({ match, language: 'es-419' })).toMatchObject({ language: 'es-419', languageFallback: false });
    const ev = {
      time: '2025-03-12T23:30:00-03:00',
      location: { city: 'Curitiba', country: 'BR', text: '' },
      status: 'customs_hold' as const,
      description: '',
    };
    expect(customsReply({ lastEvent: ev, language: 'de', shopDefault: 'pt' })).toMatchObject({ language: 'pt', languageFallback: true });
    expect(trackingStatusReply({ event: ev, language: 'th' })).toMatchObject({ language: 'th', languageFallback: false });
    expect(systemMessage('closed', 'de', undefined, 'vi')).toMatchObject({ language: 'vi', fallback: true });
    expect(resolveLocale('es-419')).toEqual({ language: 'es-419', fallback: false });
  });
});

describe('the language list', () => {
  it('R8 buyer languages and Malay (issue 18) plus Chinese; es-419 (R18) as a variant of es', () => {
    expect([...BUYER_LANGUAGES].sort()).toEqual(['ar', 'en', 'es', 'fr', 'id', 'ms', 'pt', 'th', 'vi']);
    expect([...LANGUAGES].sort()).toEqual([...BUYER_LANGUAGES, 'zh'].sort());
    expect([...LOCALES].sort()).toEqual([...LANGUAGES, 'es-419'].sort());
    expect(Object.keys(LOCALE_INFO).sort()).toEqual([...LOCALES].sort());
  });

  it('names, right-to-left and Intl locales', () => {
    expect(LOCALES.filter((l) => isRtl(l))).toEqual(['ar']);
    expect(isRtl('ar-SA')).toBe(true);
    expect(isRtl('de')).toBe(false);
    expect(languageName('es-419')).toBe('Spanish (Latin America)');
    expect(intlLocale('es-419')).toBe('es-MX');
    expect(intlLocale('en', 'GB')).toBe('en-GB');
    expect(intlLocale('th')).toBe('th-TH');
    expect(supportedChain('zh-Hant-TW')).toEqual(['zh']);
  });

  it("the shop's Spanish variant setting offers exactly the Spanish locales", () => {
    expect(ShopModel.schema.path('spanishVariant').options.enum).toEqual([...SPANISH_VARIANTS]);
  });

  it('every system message kind exists; the compatibility views read the same catalogs', () => {
    for (const kind of SYSTEM_MESSAGE_KINDS) expect(`system.${kind}` in en, kind).toBe(true);
    expect(Object.keys(LOGISTICS_CATALOGS).sort()).toEqual([...LOCALES].sort());
    expect(LOGISTICS_CATALOGS['es-419']!.customsTypical).toBe(onDisk.es!['logistics.customs_typical']);
    expect(LOGISTICS_CATALOGS['es-419']!.customsNext).toBe(onDisk['es-419']!['logistics.customs_next']);
    expect(RETURNS_CATALOGS.th!.businessDays).toBe(onDisk.th!['returns.business_days']);
  });
});
