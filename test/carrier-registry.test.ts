/**
 * Carrier registry: detection of real-format tracking numbers with valid and invalid check digits.
 * The check digits in the table were worked out by hand from each documented algorithm (the sums are
 * in the comments), or are the published test numbers of jkeen/tracking_number_data — not computed
 * with the code under test.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CARRIERS, detectCarriers, normalizeTrackingNumber, registryAsJson, trackingUrl } from '../activities/logistics/carriers.js';
import { extractTrackingNumbers } from '../activities/understanding/entities.js';

type Row = [number: string, carrier: string, checkDigit: 'valid' | 'invalid' | 'none', why: string];

const TABLE: Row[] = [
  // UPU S10, weights 8,6,4,2,3,5,9,7: 1·8+2·6+3·4+4·2+5·3+6·5+7·9+8·7 = 204; 204 mod 11 = 6; 11−6 = 5.
  ['RR123456785CN', 'china-post', 'valid', 'S10 sum 204 → 5'],
  ['RR123456784CN', 'china-post', 'invalid', 'S10 check should be 5'],
  // 2·8+4·6+6·4+8·2+1·3+3·5+5·9+7·7 = 192; 192 mod 11 = 5; 11−5 = 6.
  ['LX246813576CN', 'china-post', 'valid', 'S10 sum 192 → 6'],
  // 3·4 = 12; 12 mod 11 = 1; 11−1 = 10 → 0.
  ['RR003000000GB', 'royal-mail', 'valid', 'S10 remainder 1 → 10 → 0'],
  ['RR003000001GB', 'royal-mail', 'invalid', 'S10 check should be 0'],
  // sum 0; 11−0 = 11 → 5.
  ['CP000000005FR', 'la-poste', 'valid', 'S10 remainder 0 → 11 → 5'],
  ['CP000000000FR', 'la-poste', 'invalid', 'S10 check should be 5'],
  ['EA123456785US', 'usps', 'valid', 'S10 (US) sum 204 → 5'],
  ['CX123456785BR', 'correios-br', 'valid', 'S10 (BR)'],
  ['RR123456785ES', 'correos-es', 'valid', 'S10 (ES)'],
  ['RR123456785MX', 'correos-mx', 'valid', 'S10 (MX)'],
  ['RR123456785NL', 'postnl', 'valid', 'S10 (NL)'],
  ['CP123456785AU', 'australia-post', 'valid', 'S10 (AU)'],
  ['RR123456785CA', 'canada-post', 'valid', 'S10 (CA)'],
  ['EJ123456785JP', 'japan-post', 'valid', 'S10 (JP)'],
  ['EB123456785TH', 'thailand-post', 'valid', 'S10 (TH)'],
  ['RR123456785ID', 'pos-indonesia', 'valid', 'S10 (ID)'],
  ['RR123456785HK', 'hongkong-post', 'valid', 'S10 (HK)'],
  ['RR123456785SG', 'singpost', 'valid', 'S10 (SG)'],
  ['RR123456785DE', 'upu-post', 'valid', 'S10, a post without an entry of its own'],
  // UPS: serial 999AA1012345678 (A→2), odd positions ×2: 9+18+9+4+2+2+0+2+2+6+4+10+6+14+8 = 96 → 4.
  ['1Z999AA10123456784', 'ups', 'valid', 'UPS sum 96 → 4'],
  ['1Z999AA10123456783', 'ups', 'invalid', 'UPS check should be 4'],
  ['1Z5R89390357567127', 'ups', 'valid', 'tracking_number_data test number'],
  ['1Z1111111111111111', 'ups', 'invalid', 'tracking_number_data invalid number'],
  // FedEx Express 12, weights 3,1,7: 27+8+42+15+7+56+21+8+56+24+5 = 269; 269 mod 11 = 5 → 5.
  ['986578788855', 'fedex', 'valid', 'FedEx 12 sum 269 → 5'],
  ['996578788855', 'fedex', 'invalid', 'FedEx 12 check should be 6'],
  // FedEx 96: GS1 over 98765431234567 from the right, 3,1,…: 21+6+15+4+9+2+3+3+12+5+18+7+24+9 = 138 → 2.
  ['9611020987654312345672', 'fedex', 'valid', 'FedEx 96 sum 138 → 2'],
  ['9611020987654312345673', 'fedex', 'invalid', 'FedEx 96 check should be 2'],
  ['568283610012734', 'fedex', 'valid', 'FedEx Ground 15, tracking_number_data'],
  ['568283610012732', 'fedex', 'invalid', 'FedEx Ground 15, tracking_number_data'],
  // USPS IMpb 22: data 940010000000000000000 from the right ×3,×1…: 9·3 + 4·1 + 1·3 = 34 → 6.
  ['9400100000000000000006', 'usps', 'valid', 'IMpb sum 34 → 6'],
  ['9400100000000000000007', 'usps', 'invalid', 'IMpb check should be 6'],
  ['9400111201080805483016', 'usps', 'valid', 'IMpb, tracking_number_data'],
  ['92748931507708513018050063', 'usps', 'valid', 'IMpb 26, tracking_number_data'],
  ['420221539101026837331000039521', 'usps', 'valid', '420+ZIP routing, check over the package code'],
  ['4201028200009261290113185417468511', 'usps', 'invalid', '420+ZIP9 routing, tracking_number_data invalid'],
  // DHL Express: 331881002 mod 7 = 5 (7 × 47411571 = 331880997).
  ['3318810025', 'dhl-express', 'valid', 'DHL mod 7 → 5'],
  ['3318810024', 'dhl-express', 'invalid', 'DHL check should be 5'],
  ['JJD000390007894521', 'dhl-express', 'none', 'DHL piece id'],
  ['GM2951173225174494', 'dhl-ecommerce', 'none', 'DHL eCommerce GM'],
  // Canada Post 16: GS1 over 007393800054929: 27+2+27+4+15+0+0+0+24+3+27+3+21+0+0 = 153 → 7.
  ['0073938000549297', 'canada-post', 'valid', 'GS1 sum 153 → 7'],
  ['0073938000549292', 'canada-post', 'invalid', 'GS1 check should be 7'],
  ['YT2229521272164446', 'yunexpress', 'none', 'YT + 16 digits'],
  ['4PX3001234567890CN', '4px', 'none', '4PX + 13 digits + CN'],
  ['LP00123456789012', 'cainiao', 'none', 'LP + 14 digits'],
  ['JX1234567890', 'jt-express', 'none', 'J + letter + 10 digits'],
  ['NVSGABC1234567', 'ninja-van', 'none', 'NV + country'],
  ['KEX123456789012', 'kerry-express', 'none', 'KEX + digits'],
  ['TH01234ABC5678', 'flash-express', 'none', 'TH + 12 characters'],
  ['SPXTH012345678901', 'spx', 'none', 'SPX + country'],
  ['LXAD123456789', 'lazada-lex', 'none', 'LXAD + digits'],
  ['SF1234567890123', 'sf-express', 'none', 'SF + 13 digits'],
  ['3SABCD123456789', 'postnl', 'none', 'PostNL 3S'],
  ['H01HYA0012345678', 'evri', 'none', 'Evri H + 15'],
];

describe('carrier registry', () => {
  it('has at least 27 carriers, each with a tracking URL, a client and sourced patterns', () => {
    expect(CARRIERS.length).toBeGreaterThanOrEqual(27);
    const ids = new Set<string>();
    for (const c of CARRIERS) {
      expect(ids.has(c.id), c.id).toBe(false);
      ids.add(c.id);
      expect(c.trackingUrl, c.id).toContain('{number}');
      expect(c.patterns.length, c.id).toBeGreaterThan(0);
      for (const p of c.patterns) {
        expect(p.regex.source.startsWith('^') && p.regex.source.endsWith('$'), `${c.id} ${p.name} anchored`).toBe(true);
        expect(p.source.length, `${c.id} ${p.name} source`).toBeGreaterThan(10);
      }
    }
    for (const id of [
      'dhl-express',
      'dhl-ecommerce',
      'fedex',
      'ups',
      'usps',
      'royal-mail',
      'evri',
      'correos-es',
      'correos-mx',
      'correios-br',
      'la-poste',
    ])
      expect(ids.has(id), id).toBe(true);
    for (const id of [
      'postnl',
      'australia-post',
      'canada-post',
      'japan-post',
      'china-post',
      'cainiao',
      'yunexpress',
      '4px',
      'jt-express',
      'ninja-van',
    ])
      expect(ids.has(id), id).toBe(true);
    for (const id of ['kerry-express', 'flash-express', 'thailand-post', 'pos-indonesia', 'spx', 'lazada-lex', 'aramex', 'sf-express'])
      expect(ids.has(id), id).toBe(true);
  });

  it.each(TABLE)('%s → %s (%s: %s)', (number, carrier, checkDigit) => {
    const [best] = detectCarriers(number);
    expect(best?.carrier.id).toBe(carrier);
    expect(best?.checkDigit).toBe(checkDigit);
  });

  it('ranks the country-specific S10 operator above the generic S10 entry', () => {
    expect(detectCarriers('RR123456785CN').map((c) => c.carrier.id)).toEqual(['china-post', 'upu-post']);
    expect(detectCarriers('EE123456785CN')[0]?.aggregatorCode).toBe(3013); // China EMS
    expect(detectCarriers('RR123456785CN')[0]?.aggregatorCode).toBe(3011);
  });

  it('ranks a valid check digit first, then no check digit, then a failing one', () => {
    // 11 digits: DHL Express (mod 7) or Aramex (no check digit). 7389105114 mod 7 = 6.
    expect(detectCarriers('73891051146').map((c) => [c.carrier.id, c.checkDigit])).toEqual([
      ['dhl-express', 'valid'],
      ['aramex', 'none'],
    ]);
    expect(detectCarriers('73891051149').map((c) => [c.carrier.id, c.checkDigit])).toEqual([
      ['aramex', 'none'],
      ['dhl-express', 'invalid'],
    ]);
  });

  it('normalizes spaces, dashes and case', () => {
    expect(normalizeTrackingNumber(' 1z 999aa1-0123456784 ')).toBe('1Z999AA10123456784');
    expect(detectCarriers('1z999aa1 0123 4567 84')[0]).toMatchObject({ carrier: { id: 'ups' }, checkDigit: 'valid' });
  });

  it('finds nothing for numbers of no known format', () => {
    expect(detectCarriers('HELLO')).toEqual([]);
    expect(detectCarriers('12345')).toEqual([]);
  });

  it('builds public tracking links', () => {
    expect(
      trackingUrl(
        CARRIERS.find((c) => c.id === 'ups')!,
        '1z999aa10123456784',
      ),
    ).toBe('https://www.ups.com/track?tracknum=1Z999AA10123456784');
  });

  it('serializes the registry with patterns as strings', () => {
    const json = JSON.parse(JSON.stringify(registryAsJson())) as { id: string; patterns: string[]; checkDigit: string[]; client: string }[];
    const ups = json.find((c) => c.id === 'ups')!;
    expect(ups.patterns).toEqual(['^1Z[0-9A-Z]{16}$']);
    expect(ups.checkDigit).toEqual(['ups-mod10']);
    expect(ups.client).toBe('ups');
  });
});

describe('tracking numbers in buyer messages use the registry', () => {
  it('picks distinctive formats out of free text', () => {
    expect(extractTrackingNumbers('my YunExpress YT2229521272164446 has not moved')).toEqual(['YT2229521272164446']);
    expect(extractTrackingNumbers('¿dónde está 9400111201080805483016?')).toEqual(['9400111201080805483016']);
    expect(extractTrackingNumbers('SPXTH012345678901 and 4PX3001234567890CN')).toEqual(['SPXTH012345678901', '4PX3001234567890CN']);
    expect(extractTrackingNumbers('DHL JJD000390007894521 since January JAN202312345')).toEqual(['JJD000390007894521']);
  });
  it('leaves bare digit runs (phones, order numbers) alone without a tracking keyword', () => {
    expect(extractTrackingNumbers('call me on 3318810025')).toEqual([]);
    expect(extractTrackingNumbers('tracking number 3318810025')).toEqual(['3318810025']);
  });
});

describe('sora carriers', () => {
  const sora = (...args: string[]) => execFileSync('npx', ['tsx', 'scripts/cli.ts', ...args], { encoding: 'utf8', stdio: 'pipe' });

  it('list --json prints the registry as a JSON array', () => {
    const list = JSON.parse(sora('carriers', 'list', '--json')) as Record<string, unknown>[];
    expect(list.length).toBe(CARRIERS.length);
    for (const c of list) {
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining(['id', 'name', 'countries', 'patterns', 'checkDigit', 'client', 'trackingUrl']),
      );
      expect((c.patterns as unknown[]).every((p) => typeof p === 'string')).toBe(true);
    }
    expect(list.find((c) => c.id === 'usps')).toMatchObject({ client: 'usps', checkDigit: ['usps-impb-mod10', 'gs1-mod10', 's10-mod11'] });
  });

  it('list prints a table, detect names the candidates', () => {
    const table = sora('carriers', 'list');
    expect(table).toMatch(/^id +name +client +check digit/);
    expect(table).toMatch(/\nups +UPS +ups +ups-mod10 +any +\^1Z\[0-9A-Z\]\{16\}\$\n/);
    expect(JSON.parse(sora('carriers', 'detect', '1Z999AA10123456784', '--json'))).toEqual([
      expect.objectContaining({
        carrier: 'ups',
        checkDigit: 'valid',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      }),
    ]);
  });
});
