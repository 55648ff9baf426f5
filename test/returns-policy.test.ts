import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeReturnAnswer } from '../activities/commerce/returns/answer.js';
import { makeAnswerReturnQuestion } from '../activities/commerce/returns/index.js';
import { loadConfig } from '../infra/config/index.js';
import { loadPolicyFile, matchReturnPolicy, parsePolicyText } from '../activities/commerce/returns/load.js';
import { MARKET_DEFAULTS, TIKTOK_MARKETS } from '../activities/commerce/returns/market-defaults.js';
import { builtinRule, resolveReturnPolicy, validatePolicyConfig } from '../activities/commerce/returns/policy.js';
import { checkStatutoryFloor } from '../activities/commerce/returns/rules.js';
import { ConfigValidationError } from '../activities/config/structured-file.js';
import { RETURNS_CATALOGS } from '../activities/catalog/returns-messages.js';
import { disconnectMongo } from '../models/connection.js';
import { ShopModel } from '../models/shop.js';
import { runConfigCommand } from '../scripts/cli/policies.js';
import { useFreshDatabase } from './setup/helpers.js';

/** Every market the issue names: default window, who pays, exchange, and what the numbers are based on. */
const MARKETS: Array<{
  m: string;
  id: string;
  window: number;
  changeOfMind: boolean;
  defectWindow: number;
  cmPays: string;
  defPays: string;
  exchange: boolean;
  basis: string;
}> = [
  {
    m: 'US',
    id: 'us-default',
    window: 30,
    changeOfMind: true,
    defectWindow: 90,
    cmPays: 'platform',
    defPays: 'seller',
    exchange: true,
    basis: 'platform',
  },
  {
    m: 'UK',
    id: 'uk-default',
    window: 30,
    changeOfMind: true,
    defectWindow: 30,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'platform',
  },
  {
    m: 'ES',
    id: 'es-default',
    window: 30,
    changeOfMind: true,
    defectWindow: 1095,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'platform',
  },
  {
    m: 'FR',
    id: 'fr-default',
    window: 30,
    changeOfMind: true,
    defectWindow: 730,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'platform',
  },
  {
    m: 'DE',
    id: 'de-default',
    window: 30,
    changeOfMind: true,
    defectWindow: 730,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'platform',
  },
  {
    m: 'IT',
    id: 'it-default',
    window: 30,
    changeOfMind: true,
    defectWindow: 730,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'platform',
  },
  {
    m: 'ID',
    id: 'id-default',
    window: 0,
    changeOfMind: false,
    defectWindow: 6,
    cmPays: 'buyer',
    defPays: 'platform',
    exchange: false,
    basis: 'platform',
  },
  {
    m: 'TH',
    id: 'th-default',
    window: 0,
    changeOfMind: false,
    defectWindow: 7,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: false,
    basis: 'platform',
  },
  {
    m: 'VN',
    id: 'vn-default',
    window: 0,
    changeOfMind: false,
    defectWindow: 15,
    cmPays: 'platform',
    defPays: 'seller',
    exchange: false,
    basis: 'platform',
  },
  {
    m: 'MY',
    id: 'my-default',
    window: 0,
    changeOfMind: false,
    defectWindow: 7,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: false,
    basis: 'platform',
  },
  {
    m: 'PH',
    id: 'ph-default',
    window: 0,
    changeOfMind: false,
    defectWindow: 7,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: false,
    basis: 'platform',
  },
  {
    m: 'SG',
    id: 'sg-default',
    window: 0,
    changeOfMind: false,
    defectWindow: 180,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: false,
    basis: 'platform',
  },
  {
    m: 'MX',
    id: 'mx-default',
    window: 7,
    changeOfMind: true,
    defectWindow: 90,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'statutory',
  },
  {
    m: 'JP',
    id: 'jp-default',
    window: 8,
    changeOfMind: true,
    defectWindow: 365,
    cmPays: 'buyer',
    defPays: 'seller',
    exchange: true,
    basis: 'statutory',
  },
];

describe('built-in market defaults', () => {
  it('cover exactly the 14 TikTok Shop markets of the issue', () => {
    expect([...TIKTOK_MARKETS].sort()).toEqual(MARKETS.map((x) => x.m).sort());
  });

  it.each(MARKETS)('$m: $window d change of mind, returns paid by $cmPays / $defPays, exchange $exchange', (x) => {
    const { rule, decision, precedence } = resolveReturnPolicy(null, { country: x.m });
    expect(rule.id).toBe(x.id);
    expect(rule.windowDays).toBe(x.window);
    expect(rule.windowStartsAt).toBe('delivery');
    expect(rule.changeOfMind).toBe(x.changeOfMind);
    expect(rule.defectWindowDays).toBe(x.defectWindow);
    expect(rule.returnShipping).toEqual({ changeOfMind: x.cmPays, defective: x.defPays });
    expect(rule.exchange).toBe(x.exchange);
    expect(rule.basis).toBe(x.basis);
    expect(rule.sources.length).toBeGreaterThan(0);
    for (const s of rule.sources) expect(s.url).toMatch(/^https:\/\//);
    expect(precedence).toEqual([{ level: 'builtin', ruleId: x.id, path: `builtin:${x.id}`, fields: ['*'] }]);
    // No reason given = change of mind.
    expect(decision).toEqual({ reason: 'change_of_mind', allowed: x.changeOfMind, windowDays: x.window, shippingPaidBy: x.cmPays });
    const faulty = resolveReturnPolicy(null, { country: x.m, reason: 'defective' }).decision;
    expect(faulty).toEqual({ reason: 'defective', allowed: true, windowDays: x.defectWindow, shippingPaidBy: x.defPays });
  });

  it('every built-in default passes its own statutory floor', () => {
    for (const [m, rule] of Object.entries(MARKET_DEFAULTS)) expect(checkStatutoryFloor(m, rule), m).toEqual([]);
  });

  it('GB is the UK market; other EEA countries get the statutory minimum; the rest a placeholder', () => {
    expect(resolveReturnPolicy(null, { country: 'gb' }).rule.id).toBe('uk-default');
    const nl = builtinRule('NL');
    expect(nl).toMatchObject({ id: 'nl-statutory', windowDays: 14, basis: 'statutory', defectWindowDays: 730 });
    expect(builtinRule('BR')).toMatchObject({ id: 'global-default', basis: 'seller' });
  });
});

const SHOP_YAML = `
shop: acme
markets:
  UK:
    windowDays: 45
    categories:
      apparel:
        windowDays: 60
        conditions: [unused, tags_attached]
      underwear:
        changeOfMind: false
        exemption: sealed_hygiene
    skus:
      TSHIRT-RED-M:
        windowDays: 90
      ENGRAVED-1:
        changeOfMind: false
        exemption: personalised
        id: uk-engraved
`;

describe('precedence: SKU over category over market over built-in', () => {
  const { config } = parsePolicyText(SHOP_YAML, 'acme.yaml');

  it('market override changes only what it sets', () => {
    const { rule, precedence } = resolveReturnPolicy(config, { country: 'UK' });
    expect(rule.id).toBe('uk-shop');
    expect(rule.windowDays).toBe(45);
    expect(rule.defectWindowDays).toBe(30); // from uk-default
    expect(rule.basis).toBe('seller');
    expect(precedence.map((p) => [p.level, p.path, p.fields])).toEqual([
      ['builtin', 'builtin:uk-default', ['*']],
      ['market', 'markets.UK', ['windowDays']],
    ]);
  });

  it('category beats market, SKU beats category; unset fields fall through', () => {
    const cat = resolveReturnPolicy(config, { country: 'UK', category: 'apparel' });
    expect(cat.rule).toMatchObject({ id: 'uk/apparel', windowDays: 60, conditions: ['unused', 'tags_attached'] });
    const sku = resolveReturnPolicy(config, { country: 'UK', category: 'apparel', sku: 'TSHIRT-RED-M' });
    expect(sku.rule).toMatchObject({ id: 'uk/sku/TSHIRT-RED-M', windowDays: 90, conditions: ['unused', 'tags_attached'] });
    expect(sku.precedence.map((p) => p.level)).toEqual(['builtin', 'market', 'category', 'sku']);
    expect(sku.explanation.split('\n')[0]).toBe('applies: sku rule uk/sku/TSHIRT-RED-M at markets.UK.skus.TSHIRT-RED-M sets windowDays');
    expect(sku.explanation).toContain('under it: category rule uk/apparel at markets.UK.categories.apparel sets windowDays, conditions');
    expect(sku.explanation).toContain(
      'built-in market default uk-default (platform policy; TikTok Shop UK Cancellation and Returns Policy)',
    );
  });

  it('a SKU rule applies without a category, with its own id; unknown category or SKU falls back', () => {
    const r = resolveReturnPolicy(config, { country: 'UK', sku: 'ENGRAVED-1' });
    expect(r.rule).toMatchObject({ id: 'uk-engraved', changeOfMind: false, exemption: 'personalised', windowDays: 45 });
    expect(r.decision).toMatchObject({ allowed: false, windowDays: 0 });
    expect(resolveReturnPolicy(config, { country: 'UK', category: 'toys', sku: 'NOPE' }).rule.id).toBe('uk-shop');
    expect(resolveReturnPolicy(config, { country: 'UK', category: 'APPAREL' }).rule.id).toBe('uk/apparel');
  });

  it('other markets are untouched by the UK section', () => {
    expect(resolveReturnPolicy(config, { country: 'DE', category: 'apparel' }).rule.id).toBe('de-default');
  });

  it('shop defaults apply to every market under the market section', () => {
    const { config: c2 } = parsePolicyText('defaults:\n  exchange: false\nmarkets:\n  US:\n    exchange: true\n');
    expect(resolveReturnPolicy(c2, { country: 'FR' }).rule).toMatchObject({ exchange: false, id: 'fr-shop' });
    expect(resolveReturnPolicy(c2, { country: 'US' }).rule).toMatchObject({ exchange: true });
  });
});

function problemsOf(text: string): string[] {
  try {
    parsePolicyText(text, 'p.yaml');
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('statutory minimums and shape errors, with exact paths', () => {
  it('UK category window below 14 days', () => {
    expect(problemsOf('markets:\n  UK:\n    categories:\n      apparel:\n        windowDays: 10\n')).toEqual([
      '5:21 markets.UK.categories.apparel.windowDays: must be ≥ 14 (UK statutory minimum for distance sales)',
    ]);
  });

  it('EU market window, SKU refund time, faulty-goods postage, legal guarantee', () => {
    const yaml = [
      'markets:',
      '  DE:',
      '    windowDays: 7',
      '    skus:',
      '      A1:',
      '        refund: { withinDays: 30 }',
      '        returnShipping: { defective: buyer }',
      '  ES:',
      '    defectWindowDays: 730',
    ].join('\n');
    expect(problemsOf(yaml)).toEqual([
      '3:17 markets.DE.windowDays: must be ≥ 14 (EU statutory minimum for distance sales)',
      '6:31 markets.DE.skus.A1.refund.withinDays: must be ≤ 14 calendar days (EU law: refund within 14 days of getting the goods back or proof of return)',
      '7:38 markets.DE.skus.A1.returnShipping.defective: must not be buyer (EU law: the seller bears the cost of returning faulty or misdescribed goods)',
      '9:23 markets.ES.defectWindowDays: must be ≥ 1095 (Spanish legal guarantee of 3 years, TRLGDCU art. 120)',
    ]);
  });

  it('no change of mind in the UK/EU only with a statutory exception', () => {
    expect(
      problemsOf('markets:\n  FR:\n    categories:\n      sale:\n        changeOfMind: false\n        exemption: final_sale\n'),
    ).toEqual([
      '5:23 markets.FR.categories.sale.changeOfMind: may only be false with exemption set to one of personalised, perishable, sealed_hygiene, sealed_media (the EU statutory exceptions to the 14-day cancellation right); "final_sale" is not one of them',
    ]);
    expect(
      problemsOf('markets:\n  FR:\n    categories:\n      food:\n        changeOfMind: false\n        exemption: perishable\n'),
    ).toEqual([]);
  });

  it('shop defaults are checked against every market they reach', () => {
    expect(problemsOf('defaults:\n  windowDays: 10\n')).toEqual([
      '2:15 defaults.windowDays: must be ≥ 14 (UK statutory minimum for distance sales)',
      '2:15 defaults.windowDays: must be ≥ 14 (EU statutory minimum for distance sales)',
    ]);
  });

  it('outside the UK/EEA short windows are allowed (no enforced floor)', () => {
    expect(problemsOf('markets:\n  US:\n    windowDays: 7\n  JP:\n    changeOfMind: false\n')).toEqual([]);
  });

  it('typos, wrong types, bad enums and bad market keys are errors with their paths', () => {
    expect(
      problemsOf(
        'markets:\n  UK:\n    windowDay: 30\n    returnShipping: { changeOfMind: customer }\n  uk: {}\n  US:\n    windowDays: "30"\n',
      ).sort(),
    ).toEqual([
      '3:16 markets.UK.windowDay: unknown setting "windowDay" (check the spelling)',
      '4:37 markets.UK.returnShipping.changeOfMind: "customer" is not one of buyer, seller, platform',
      '5:3 markets.uk: market keys are ISO 3166-1 alpha-2 codes in capitals, e.g. UK, DE',
      '7:17 markets.US.windowDays: must be a number of days',
    ]);
  });

  it('change of mind accepted with a zero window is an error', () => {
    expect(problemsOf('markets:\n  TH:\n    changeOfMind: true\n')).toEqual([
      '3:19 markets.TH.changeOfMind: must be > 0 when change-of-mind returns are accepted (set changeOfMind: false otherwise)',
    ]);
  });

  it('YAML syntax errors carry their line', () => {
    const [p] = problemsOf('markets:\n  UK:\n    windowDays: [30\n');
    expect(p).toMatch(/^\d+:\d+ : /);
  });

  it('the shipped example file is valid', () => {
    const v = loadPolicyFile(path.resolve('policies/example.yaml'));
    expect(Object.keys(v.config.markets ?? {})).toEqual(['UK', 'DE', 'US', 'VN']);
  });
});

describe('answers', () => {
  const langs = Object.keys(RETURNS_CATALOGS);

  it('every catalog language has every key filled (no placeholders left)', () => {
    const uk = resolveReturnPolicy(null, { country: 'UK' });
    const id = resolveReturnPolicy(null, { country: 'ID' });
    for (const language of langs) {
      for (const match of [uk, id]) {
        const a = composeReturnAnswer({ match, language, deliveredAt: '2025-03-01T12:00:00+00:00', now: new Date('2025-03-05T00:00:00Z') });
        expect(a.language).toBe(language);
        expect(a.text, language).not.toMatch(/\{\w+\}|undefined/);
        expect(a.text).toContain(match.rule.id);
      }
    }
  });

  it('cites the rule and its source with the concrete facts (English, UK)', () => {
    const match = resolveReturnPolicy(null, { country: 'UK' });
    const a = composeReturnAnswer({
      match,
      language: 'en',
      deliveredAt: '2025-03-12T10:00:00+00:00',
      now: new Date('2025-03-20T00:00:00Z'),
    });
    expect(a.text).toMatch(
      /^Under our UK policy \(rule uk-default, based on TikTok Shop UK Cancellation and Returns Policy\): you can return an item within 30 days of delivery if you change your mind\./,
    );
    expect(a.text).toContain('Return shipping is paid by you for a change of mind and paid by us for a faulty or wrong item.');
    expect(a.text).toContain('within 14 days after we receive the return');
    expect(a.text).toContain('delivered on 12 March 2025, so you can ask for a return until 11 April 2025');
  });

  it('UK answers include the VAT refund wording in every language; other markets never do', () => {
    const uk = resolveReturnPolicy(null, { country: 'GB' });
    for (const language of langs) {
      const text = composeReturnAnswer({ match: uk, language }).text;
      expect(text, language).toContain('135');
      expect(text, language).toContain('HMRC');
      expect(text, language).toContain('Refunds and waivers on customs debt');
      expect(composeReturnAnswer({ match: uk, language }).facts.ukVat).toBe(true);
    }
    for (const m of TIKTOK_MARKETS.filter((x) => x !== 'UK')) {
      for (const language of langs) {
        const a = composeReturnAnswer({ match: resolveReturnPolicy(null, { country: m }), language });
        expect(a.text, `${m}/${language}`).not.toContain('HMRC');
        expect(a.text).not.toContain('GOV.UK');
        expect(a.facts.ukVat).toBe(false);
      }
    }
  });

  it('no change of mind: says why, and gives the faulty-item window (Indonesian)', () => {
    const a = composeReturnAnswer({ match: resolveReturnPolicy(null, { country: 'ID', reason: 'wrong_item' }), language: 'id' });
    expect(a.text).toContain('tidak bisa dikembalikan karena berubah pikiran');
    expect(a.text).toContain('dalam 6 hari sejak diterima');
    expect(a.text).toContain('gratis untuk Anda (ditanggung platform)');
  });

  it('deadline passed for a change of mind (Spanish, Mexico)', () => {
    const a = composeReturnAnswer({
      match: resolveReturnPolicy(null, { country: 'MX' }),
      language: 'es-419',
      deliveredAt: '2025-03-12T10:00:00-06:00',
      now: new Date('2025-04-01T00:00:00Z'),
    });
    expect(a.text).toContain('el plazo para devolverlo por cambio de opinión terminó el 19 de marzo de 2025');
  });
});

describe('CLI: sora policies check|match', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-policies-'));
  it('check passes a good file and lists the effective rules', () => {
    const r = runConfigCommand('policies', ['check', 'policies/example.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('category underwear: rule uk/underwear, no change of mind (sealed_hygiene)');
  });
  it('check fails a bad file with file:line:col and path', () => {
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, 'markets:\n  UK:\n    categories:\n      apparel:\n        windowDays: 10\n');
    const r = runConfigCommand('policies', ['check', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${f}:5:21 markets.UK.categories.apparel.windowDays: must be ≥ 14 (UK statutory minimum for distance sales)`,
    );
  });
  it('match prints the rule, the precedence and the answer', () => {
    const r = runConfigCommand('policies', [
      'match',
      'policies/example.yaml',
      '--country',
      'UK',
      '--sku',
      'GIFT-ENGRAVED-01',
      '--lang',
      'th',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rule uk/sku/GIFT-ENGRAVED-01 (UK)');
    expect(r.stdout).toContain('applies: sku rule uk/sku/GIFT-ENGRAVED-01');
    expect(r.stdout).toContain('สินค้าที่สั่งทำหรือปรับแต่งเฉพาะบุคคล');
  });
});

describe('per-shop config: policies directory and the Shop document', () => {
  // The folder of policy files (SORA_POLICIES_DIR, config.returns.policiesDir).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-policies-dir-'));
  const policiesDir = loadConfig({ SORA_POLICIES_DIR: dir }).returns.policiesDir;
  beforeAll(async () => {
    await useFreshDatabase('returns_policy_test');
  });
  afterEach(() => undefined);
  afterAll(async () => {
    await disconnectMongo();
  });

  it('loads policies/<shop>.yaml, validates it, and checks the shop name', async () => {
    writeFileSync(path.join(dir, 'acme.yaml'), SHOP_YAML);
    const m = await matchReturnPolicy({ shopId: 'acme', country: 'UK', category: 'apparel', policiesDir });
    expect(m.rule.id).toBe('uk/apparel');
    expect(m.origin).toBe(path.join(dir, 'acme.yaml'));
    writeFileSync(path.join(dir, 'other.yaml'), SHOP_YAML);
    await expect(matchReturnPolicy({ shopId: 'other', country: 'UK', policiesDir })).rejects.toThrow(
      /shop: is "acme" but the file is for shop "other"/,
    );
    expect((await matchReturnPolicy({ shopId: 'nofile', country: 'UK', policiesDir })).rule.id).toBe('uk-default');
  });

  it('the Shop document’s returnPolicy wins over the file and is validated', async () => {
    await ShopModel.create({ shopId: 'acme', name: 'Acme', returnPolicy: { markets: { UK: { windowDays: 21 } } } });
    const a = await makeAnswerReturnQuestion(policiesDir)({ shopId: 'acme', country: 'UK', language: 'en' });
    expect(a.ruleId).toBe('uk-shop');
    expect(a.text).toContain('within 21 days of delivery');
    await ShopModel.updateOne({ shopId: 'acme' }, { returnPolicy: { markets: { UK: { windowDays: 3 } } } });
    await expect(matchReturnPolicy({ shopId: 'acme', country: 'UK', policiesDir })).rejects.toThrow(
      'markets.UK.windowDays: must be ≥ 14 (UK statutory minimum for distance sales)',
    );
  });

  it('validatePolicyConfig accepts a plain object (JSON) too', () => {
    expect(validatePolicyConfig({ markets: { IT: { windowDays: 14 } } }).config.markets?.IT?.windowDays).toBe(14);
  });
});

describe('answer order follows the reason asked', () => {
  it('a faulty item leads with the faulty-item window', () => {
    const a = composeReturnAnswer({ match: resolveReturnPolicy(null, { country: 'FR', reason: 'defective' }), language: 'fr' });
    expect(a.text).toContain('(updated 1 July 2025)) : s’il est défectueux, endommagé');
    expect(a.text.indexOf('dans un délai de 2 ans')).toBeLessThan(a.text.indexOf('si vous changez d’avis'));
  });
});
