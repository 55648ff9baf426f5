/**
 * The carrier registry: who carries cross-border e-commerce parcels, what their tracking numbers
 * look like, how to check them, which client tracks them, and where a buyer can look them up.
 *
 * Every pattern names its source. "tracking_number_data" is jkeen/tracking_number_data (MIT
 * License, © 2017 Jeff Keen): its regexes and check-digit rules were re-expressed here, not copied
 * as files. "UPU S10" is the UPU S10 standard (13-character postal item identifier, country code
 * of the posting operator at the end). Patterns marked "observed" have no published specification
 * we could find: they are the prefixes/lengths printed by the carrier's own labels and tracking
 * pages, they carry no check digit, they rank below specified patterns, and the aggregator is the
 * final judge of such numbers.
 *
 * aggregatorCode is the 17TRACK carrier key, given only where independent public integrations
 * agree on it (see docs/carriers.md); without one the 17TRACK client registers the number with
 * auto_detection and 17TRACK picks the carrier.
 */
import { CHECK_DIGIT_VALIDATORS, type CheckDigitScheme } from './check-digits.js';

export type TrackingClientId = 'dhl' | 'ups' | 'fedex' | 'usps' | '17track';

export interface TrackingPattern {
  /** Short label, e.g. "UPU S10", "1Z". */
  name: string;
  /** Anchored, upper case, no spaces. */
  regex: RegExp;
  checkDigit?: CheckDigitScheme;
  /**
   * Rank among patterns that match the same number: literal characters the pattern fixes ×10,
   * +5 when the length is fixed (so "1Z"+16 > S10 with a country > generic S10 > bare digits).
   */
  specificity: number;
  /** Distinctive enough to pick out of free text without a "tracking number" keyword. */
  standalone: boolean;
  source: string;
  /** Overrides the carrier's aggregatorCode for numbers of this pattern. */
  aggregatorCode?: number;
}

export interface Carrier {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2 codes where the carrier delivers or originates e-commerce parcels; [] = any. */
  countries: string[];
  /** Public tracking page; {number} is replaced by the tracking number. */
  trackingUrl: string;
  patterns: TrackingPattern[];
  /** The client that tracks it: a carrier API client, or the aggregator ('17track'). */
  client: TrackingClientId;
  /** 17TRACK carrier key (see the header comment). */
  aggregatorCode?: number;
}

const TND = 'jkeen/tracking_number_data (MIT)';
const T17 = (n: string) => `https://t.17track.net/en#nums=${n}`;

function s10(country: string, specificity = 25): TrackingPattern {
  return {
    name: `UPU S10 (${country})`,
    regex: new RegExp(`^[A-Z]{2}\\d{9}${country}$`),
    checkDigit: 's10-mod11',
    specificity,
    standalone: true,
    source: `UPU S10 standard; suffix ${country} = the posting operator's ISO country code`,
  };
}

function observed(name: string, regex: RegExp, specificity: number, standalone: boolean, where: string): TrackingPattern {
  return { name, regex, specificity, standalone, source: `observed format (${where}); no published check digit` };
}

export const CARRIERS: readonly Carrier[] = [
  {
    id: 'dhl-express',
    name: 'DHL Express',
    countries: [],
    trackingUrl: 'https://www.dhl.com/en/express/tracking.html?AWB={number}&brand=DHL',
    client: 'dhl',
    aggregatorCode: 100001,
    patterns: [
      {
        name: 'waybill 10',
        regex: /^\d{10}$/,
        checkDigit: 'dhl-mod7',
        specificity: 5,
        standalone: false,
        source: `${TND} couriers/dhl.json "DHL Express" (mod 7)`,
      },
      {
        name: 'waybill 11',
        regex: /^\d{11}$/,
        checkDigit: 'dhl-mod7',
        specificity: 5,
        standalone: false,
        source: `${TND} couriers/dhl.json "DHL Express Air" (mod 7)`,
      },
      {
        name: 'JJD piece id',
        regex: /^JJD\d{10,21}$/,
        specificity: 30,
        standalone: true,
        source: `${TND} couriers/dhl.json "DHL Express (Piece ID)", JJD prefix, up to 21 digits as on DHL labels`,
      },
      {
        name: 'piece id',
        regex: /^J[A-Z]{2,3}\d{9,21}$/,
        specificity: 10,
        standalone: false,
        source: `${TND} couriers/dhl.json "DHL Express (Piece ID)" (J + 2–3 letters + digits), widened to 21 digits for JJD labels`,
      },
    ],
  },
  {
    id: 'dhl-ecommerce',
    name: 'DHL eCommerce',
    countries: ['US', 'GB', 'DE', 'NL', 'CN', 'HK', 'SG', 'TH', 'MY', 'IN', 'AU'],
    trackingUrl: 'https://www.dhl.com/global-en/home/tracking/tracking-ecommerce.html?tracking-id={number}',
    client: 'dhl',
    patterns: [
      {
        name: 'GM',
        regex: /^GM\d{16,22}$/,
        specificity: 20,
        standalone: true,
        source: `${TND} couriers/dhl.json "DHL E-Commerce" (GM prefix)`,
      },
      {
        name: 'country prefix',
        regex: /^(LX|RX|UV|CN|SG|TH|IN|HK|MY)\d{10,39}$/,
        specificity: 20,
        standalone: false,
        source: `${TND} couriers/dhl.json "DHL E-Commerce" (LX|RX|UV|CN|SG|TH|IN|HK|MY prefixes)`,
      },
    ],
  },
  {
    id: 'fedex',
    name: 'FedEx',
    countries: [],
    trackingUrl: 'https://www.fedex.com/fedextrack/?trknbr={number}',
    client: 'fedex',
    aggregatorCode: 100003,
    patterns: [
      {
        name: 'Express 12',
        regex: /^\d{12}$/,
        checkDigit: 'fedex-express-mod11',
        specificity: 5,
        standalone: false,
        source: `${TND} couriers/fedex.json "FedEx Express (12)"`,
      },
      {
        name: 'Ground 15',
        regex: /^\d{15}$/,
        checkDigit: 'gs1-mod10',
        specificity: 5,
        standalone: false,
        source: `${TND} couriers/fedex.json "FedEx Ground"`,
      },
      {
        name: 'Ground 96',
        regex: /^96\d{20}$/,
        checkDigit: 'fedex-96-mod10',
        specificity: 25,
        standalone: true,
        source: `${TND} couriers/fedex.json "FedEx Ground 96 (22)"`,
      },
      {
        name: 'SSCC-18',
        regex: /^00\d{18}$/,
        checkDigit: 'gs1-mod10',
        specificity: 25,
        standalone: false,
        source: `${TND} couriers/fedex.json "FedEx Ground (SSCC-18)"; GS1 SSCC`,
      },
    ],
  },
  {
    id: 'ups',
    name: 'UPS',
    countries: [],
    trackingUrl: 'https://www.ups.com/track?tracknum={number}',
    client: 'ups',
    aggregatorCode: 100002,
    patterns: [
      {
        name: '1Z',
        regex: /^1Z[0-9A-Z]{16}$/,
        checkDigit: 'ups-mod10',
        specificity: 25,
        standalone: true,
        source: `${TND} couriers/ups.json`,
      },
    ],
  },
  {
    id: 'usps',
    name: 'USPS',
    countries: ['US'],
    trackingUrl: 'https://tools.usps.com/go/TrackConfirmAction?tLabels={number}',
    client: 'usps',
    aggregatorCode: 21051,
    patterns: [
      {
        name: 'IMpb 22',
        regex: /^9[1-5]\d{20}$/,
        checkDigit: 'usps-impb-mod10',
        specificity: 15,
        standalone: true,
        source: `USPS Publication 199 (IMpb); ${TND} couriers/usps.json "USPS 91"`,
      },
      {
        name: 'IMpb 26',
        regex: /^9[1-5]\d{24}$/,
        checkDigit: 'usps-impb-mod10',
        specificity: 15,
        standalone: true,
        source: `USPS Publication 199 (IMpb); ${TND} couriers/usps.json "USPS 91"`,
      },
      {
        name: 'IMpb with ZIP routing',
        regex: /^420(\d{5}|\d{9})9[1-5]\d{20}$/,
        checkDigit: 'usps-impb-mod10',
        specificity: 40,
        standalone: true,
        source: `USPS Publication 199 (420 + ZIP routing); ${TND} couriers/usps.json "USPS 34v2"`,
      },
      {
        name: 'USS128 20',
        regex: /^\d{20}$/,
        checkDigit: 'gs1-mod10',
        specificity: 5,
        standalone: false,
        source: `${TND} couriers/usps.json "USPS 20" (legacy USS-128)`,
      },
      s10('US'),
    ],
  },
  {
    id: 'royal-mail',
    name: 'Royal Mail',
    countries: ['GB'],
    trackingUrl: 'https://www.royalmail.com/track-your-item#/tracking-results/{number}',
    client: '17track',
    patterns: [s10('GB')],
  },
  {
    id: 'evri',
    name: 'Evri (Hermes UK)',
    countries: ['GB'],
    trackingUrl: 'https://www.evri.com/track/parcel/{number}',
    client: '17track',
    patterns: [observed('H 16', /^H[0-9A-Z]{15}$/, 15, false, "Evri labels: 'H' + 15 characters")],
  },
  {
    id: 'correos-es',
    name: 'Correos (Spain)',
    countries: ['ES'],
    trackingUrl: 'https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={number}',
    client: '17track',
    patterns: [s10('ES'), observed('PQ domestic', /^P[QKH][0-9A-Z]{18,21}$/, 10, false, 'Correos Paq labels: PQ/PK/PH + 18–21 characters')],
  },
  {
    id: 'correos-mx',
    name: 'Correos de México',
    countries: ['MX'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [s10('MX')],
  },
  {
    id: 'correios-br',
    name: 'Correios (Brazil)',
    countries: ['BR'],
    trackingUrl: 'https://rastreamento.correios.com.br/app/index.php?objetos={number}',
    client: '17track',
    patterns: [s10('BR')],
  },
  {
    id: 'la-poste',
    name: 'La Poste / Colissimo',
    countries: ['FR'],
    trackingUrl: 'https://www.laposte.fr/outils/suivre-vos-envois?code={number}',
    client: '17track',
    patterns: [
      s10('FR'),
      observed('Colissimo 13', /^\d[A-Z]\d{11}$/, 5, false, 'Colissimo labels: digit + letter + 11 digits, e.g. 6A…, 8R…'),
    ],
  },
  {
    id: 'postnl',
    name: 'PostNL',
    countries: ['NL', 'BE'],
    trackingUrl: 'https://jouw.postnl.nl/track-and-trace/{number}',
    client: '17track',
    patterns: [s10('NL'), observed('3S', /^3S[A-Z]{4}\d{5,11}$/, 20, true, "PostNL '3S' barcodes: 3S + 4-letter customer code + serial")],
  },
  {
    id: 'australia-post',
    name: 'Australia Post',
    countries: ['AU'],
    trackingUrl: 'https://auspost.com.au/mypost/track/details/{number}',
    client: '17track',
    patterns: [s10('AU')],
  },
  {
    id: 'canada-post',
    name: 'Canada Post',
    countries: ['CA'],
    trackingUrl: 'https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}',
    client: '17track',
    patterns: [
      s10('CA'),
      {
        name: '16 digits',
        regex: /^\d{16}$/,
        checkDigit: 'gs1-mod10',
        specificity: 5,
        standalone: false,
        source: `${TND} couriers/canadapost.json "Canada Post (16)"`,
      },
    ],
  },
  {
    id: 'japan-post',
    name: 'Japan Post',
    countries: ['JP'],
    trackingUrl: 'https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}&locale=en',
    client: '17track',
    patterns: [s10('JP')],
  },
  {
    id: 'china-post',
    name: 'China Post / China EMS',
    countries: ['CN'],
    trackingUrl: T17('{number}'),
    client: '17track',
    aggregatorCode: 3011,
    patterns: [{ ...s10('CN'), name: 'UPU S10 EMS (CN)', regex: /^E[A-Z]\d{9}CN$/, specificity: 35, aggregatorCode: 3013 }, s10('CN')],
  },
  {
    id: 'hongkong-post',
    name: 'Hongkong Post',
    countries: ['HK'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [s10('HK')],
  },
  {
    id: 'singpost',
    name: 'Singapore Post',
    countries: ['SG'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [s10('SG')],
  },
  {
    id: 'cainiao',
    name: 'Cainiao (AliExpress)',
    countries: ['CN'],
    trackingUrl: 'https://global.cainiao.com/newDetail.htm?mailNoList={number}',
    client: '17track',
    patterns: [observed('LP', /^LP\d{14}$/, 25, true, "Cainiao/AliExpress logistics numbers: 'LP' + 14 digits")],
  },
  {
    id: 'yunexpress',
    name: 'YunExpress',
    countries: ['CN'],
    trackingUrl: 'https://www.yuntrack.com/parcelTracking?id={number}',
    client: '17track',
    patterns: [
      {
        name: 'YT',
        regex: /^YT\d{16}$/,
        specificity: 25,
        standalone: true,
        source: `${TND} couriers/yunexpress.json (no check digit)`,
      },
    ],
  },
  {
    id: '4px',
    name: '4PX',
    countries: ['CN'],
    trackingUrl: 'https://track.4px.com/#/result/0/{number}',
    client: '17track',
    patterns: [observed('4PX…CN', /^4PX\d{13}CN$/, 55, true, "4PX labels: '4PX' + 13 digits + 'CN'")],
  },
  {
    id: 'jt-express',
    name: 'J&T Express',
    countries: ['ID', 'TH', 'MY', 'PH', 'VN', 'SG', 'CN', 'MX', 'BR'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [
      observed('J? 12', /^J[A-Z]\d{10}$/, 15, false, "J&T Indonesia waybills: 'J' + letter + 10 digits, e.g. JP…, JX…"),
      observed('J?? 15', /^J[A-Z]{2}\d{12}$/, 15, false, "J&T waybills: 'J' + 2 letters + 12 digits"),
    ],
  },
  {
    id: 'ninja-van',
    name: 'Ninja Van',
    countries: ['SG', 'MY', 'PH', 'ID', 'TH', 'VN'],
    trackingUrl: 'https://www.ninjavan.co/en-sg/tracking?id={number}',
    client: '17track',
    patterns: [observed('NV', /^NV(SG|MY|PH|ID|TH|VN)[0-9A-Z]{8,16}$/, 40, true, "Ninja Van ids: 'NV' + country + 8–16 characters")],
  },
  {
    id: 'kerry-express',
    name: 'Kerry Express (KEX)',
    countries: ['TH', 'HK', 'TW', 'VN'],
    trackingUrl: 'https://th.kerryexpress.com/en/track/?track={number}',
    client: '17track',
    patterns: [
      observed(
        'KER/KEX/SHP',
        /^(KER|KEX|SHP)[A-Z]{0,2}\d{8,13}$/,
        30,
        false,
        'Kerry Express Thailand consignments: KER…/KEX…/SHP… + digits',
      ),
    ],
  },
  {
    id: 'flash-express',
    name: 'Flash Express',
    countries: ['TH', 'PH', 'MY', 'LA'],
    trackingUrl: 'https://www.flashexpress.co.th/fle/tracking?se={number}',
    client: '17track',
    patterns: [observed('TH', /^TH\d{2}[0-9A-Z]{8,12}$/, 20, false, "Flash Express Thailand: 'TH' + 10–14 characters")],
  },
  {
    id: 'thailand-post',
    name: 'Thailand Post',
    countries: ['TH'],
    trackingUrl: 'https://track.thailandpost.co.th/?trackNumber={number}',
    client: '17track',
    patterns: [s10('TH')],
  },
  {
    id: 'pos-indonesia',
    name: 'Pos Indonesia',
    countries: ['ID'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [s10('ID')],
  },
  {
    id: 'spx',
    name: 'SPX / Shopee Express',
    countries: ['TH', 'ID', 'MY', 'PH', 'VN', 'SG', 'TW', 'BR', 'MX'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [
      observed('SPX', /^SPX[A-Z]{2}[0-9A-Z]{8,16}$/, 30, true, "SPX ids: 'SPX' + country + 8–16 characters"),
      observed('TH…letter', /^TH\d{12,13}[A-Z]$/, 20, false, "SPX Thailand: 'TH' + 12–13 digits + letter"),
    ],
  },
  {
    id: 'lazada-lex',
    name: 'Lazada Logistics (LEX)',
    countries: ['TH', 'ID', 'MY', 'PH', 'VN', 'SG'],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [observed('LEX', /^(LEX|LXAD|LXST|LZD)[A-Z]{0,3}\d{8,14}$/, 30, true, 'Lazada/LEX ids: LEX…, LXAD…, LXST…, LZD… + digits')],
  },
  {
    id: 'aramex',
    name: 'Aramex',
    countries: ['AE', 'SA', 'EG', 'JO', 'KW', 'QA', 'BH', 'OM', 'IN', 'AU', 'NZ'],
    trackingUrl: 'https://www.aramex.com/us/en/track/results?ShipmentNumber={number}',
    client: '17track',
    patterns: [observed('AWB 11', /^\d{11}$/, 5, false, 'Aramex air waybills: 11 digits')],
  },
  {
    id: 'sf-express',
    name: 'SF Express',
    countries: ['CN', 'HK', 'TW', 'MO', 'SG', 'MY', 'TH', 'VN', 'JP', 'KR', 'US'],
    trackingUrl: 'https://www.sf-international.com/us/en/dynamic_function/waybill/#search/bill-number/{number}',
    client: '17track',
    patterns: [observed('SF', /^SF\d{12,13}$/, 20, true, "SF waybills: 'SF' + 12–13 digits")],
  },
  {
    id: 'upu-post',
    name: 'Postal operator (UPU S10, other countries)',
    countries: [],
    trackingUrl: T17('{number}'),
    client: '17track',
    patterns: [
      {
        name: 'UPU S10',
        regex: /^[A-Z]{2}\d{9}[A-Z]{2}$/,
        checkDigit: 's10-mod11',
        specificity: 5,
        standalone: true,
        source: 'UPU S10 standard (any posting operator)',
      },
    ],
  },
];

const byId = new Map(CARRIERS.map((c) => [c.id, c]));

export function carrierById(id: string): Carrier | undefined {
  return byId.get(id);
}

/** Upper case, without the spaces and dashes buyers type or labels print. */
export function normalizeTrackingNumber(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]+/g, '');
}

export type CheckDigitResult = 'valid' | 'invalid' | 'none';

export interface CarrierCandidate {
  carrier: Carrier;
  pattern: TrackingPattern;
  /** 'none' when the pattern has no check digit. */
  checkDigit: CheckDigitResult;
  aggregatorCode?: number;
}

const CHECK_RANK: Record<CheckDigitResult, number> = { valid: 2, none: 1, invalid: 0 };

/**
 * Carriers whose patterns match the number, best first: check digit valid, then patterns without
 * a check digit, then those whose check digit fails (a mistyped number still says who it is
 * probably from); within each group the more specific pattern first. One candidate per carrier.
 */
export function detectCarriers(raw: string): CarrierCandidate[] {
  const n = normalizeTrackingNumber(raw);
  const out: CarrierCandidate[] = [];
  for (const carrier of CARRIERS) {
    let best: CarrierCandidate | undefined;
    for (const pattern of carrier.patterns) {
      if (!pattern.regex.test(n)) continue;
      const checkDigit: CheckDigitResult = pattern.checkDigit
        ? CHECK_DIGIT_VALIDATORS[pattern.checkDigit](n)
          ? 'valid'
          : 'invalid'
        : 'none';
      const c: CarrierCandidate = { carrier, pattern, checkDigit, aggregatorCode: pattern.aggregatorCode ?? carrier.aggregatorCode };
      if (!best || compare(c, best) < 0) best = c;
    }
    if (best) out.push(best);
  }
  return out.sort(compare);
}

function compare(a: CarrierCandidate, b: CarrierCandidate): number {
  return CHECK_RANK[b.checkDigit] - CHECK_RANK[a.checkDigit] || b.pattern.specificity - a.pattern.specificity;
}

/** Public tracking page for a number. */
export function trackingUrl(carrier: Carrier, trackingNumber: string): string {
  return carrier.trackingUrl.replace('{number}', encodeURIComponent(normalizeTrackingNumber(trackingNumber)));
}

/** Patterns safe to look for in free text (see TrackingPattern.standalone), unanchored, global. */
export function standaloneTextPatterns(): RegExp[] {
  const out: RegExp[] = [];
  for (const c of CARRIERS)
    for (const p of c.patterns)
      if (p.standalone) out.push(new RegExp(`\\b${p.regex.source.replace(/^\^/, '').replace(/\$$/, '')}\\b`, 'g'));
  return out;
}

/** The registry as plain data (for `sora carriers list --json` and docs). */
export function registryAsJson() {
  return CARRIERS.map((c) => ({
    id: c.id,
    name: c.name,
    countries: c.countries,
    patterns: c.patterns.map((p) => p.regex.source),
    checkDigit: [...new Set(c.patterns.flatMap((p) => (p.checkDigit ? [p.checkDigit] : [])))],
    client: c.client,
    aggregator: '17track' as const,
    aggregatorCode: c.aggregatorCode ?? null,
    trackingUrl: c.trackingUrl,
    sources: [...new Set(c.patterns.map((p) => p.source))],
  }));
}
