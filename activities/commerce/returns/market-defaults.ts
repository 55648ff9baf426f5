/**
 * Built-in return rules per TikTok Shop market. Each says whether its numbers are the platform's
 * published buyer policy ('platform') or the legal minimum ('statutory'), and cites the pages used.
 * Sellers override them per shop (see docs/returns-and-customs.md); the statutory floors in
 * rules.ts still apply to overrides.
 *
 * Read with care: platform policies change; the date a page was read is in its note. Where no
 * platform page could be found the rule says so in `notes` and is marked 'statutory' or
 * 'seller' (a conservative placeholder) rather than pretending to be platform policy.
 */
import { ES_GUARANTEE, EU_LAW, UK_LAW, type ReturnRule, type Source } from './rules.js';

const TTS_US: Source = { title: 'TikTok Shop Return Policy (US)', url: 'https://shop.tiktok.com/us/return-policy' };
const TTS_US_MBG: Source = { title: 'TikTok Shop money-back guarantee (US)', url: 'https://shop.tiktok.com/us/money-back-guarantee' };
const TTS_UK: Source = {
  title: 'TikTok Shop UK Cancellation and Returns Policy',
  url: 'https://sf16-draftcdn-sg.ibytedtos.com/obj/ies-hotsoon-draft-sg/magellan_ecommerce/TTS_Returns_policy_UK.html',
};
const TTS_EU: Source = {
  title: 'TikTok Shop EU: Returns Policy, Right of Withdrawal and Legal Guarantee (updated 1 July 2025)',
  url: 'https://sf16-draftcdn-sg.ibytedtos.com/obj/ies-hotsoon-draft-sg/magellan_ecommerce/TTS_Returns_policy_EU_es.html',
};
const TTS_ID: Source = {
  title: 'TikTok Shop | Tokopedia Seller University: Return Guidelines (ID)',
  url: 'https://seller-id.tokopedia.com/university/essay?knowledge_id=7753815881746178&lang=en',
};
const TTS_TH: Source = {
  title: 'TikTok Shop Seller University (TH): When can a buyer raise a return/refund request? (18 Jul 2024)',
  url: 'https://seller-th.tiktok.com/university/essay?knowledge_id=110881167050498&lang=en',
};
const TTS_TH_PICKUP: Source = {
  title: 'TikTok Shop Seller University (TH): Buyer returns by platform integrated logistics — who pays return shipping',
  url: 'https://seller-th.tiktok.com/university/essay?knowledge_id=4517249580304129&lang=en',
};
const TTS_VN: Source = {
  title: 'TikTok Shop Seller University (VN): When can a buyer raise a return/refund request?',
  url: 'https://seller-vn.tiktok.com/university/essay?knowledge_id=2901402355762946&lang=en',
};
const TTS_VN_COM: Source = {
  title: 'TikTok Shop Seller University (VN): "Change of Mind" returns (5 Jan 2026)',
  url: 'https://seller-vn.tiktok.com/university/essay?knowledge_id=6988871880738576&lang=en',
};
const JP_LAW: Source = {
  title: 'Consumer Affairs Agency: Act on Specified Commercial Transactions, mail order sales (art. 15-3, statutory return right)',
  url: 'https://www.no-trouble.caa.go.jp/foreignlanguage/english/mailorder/',
};
const MX_LAW: Source = {
  title: 'Ley Federal de Protección al Consumidor, art. 56 (5 business days to revoke, freight paid by the consumer)',
  url: 'https://juristas.mx/en/laws/ley-federal-de-proteccion-al-consumidor/articulo-56',
};
const SG_LAW: Source = {
  title: 'LawGoWhere (Ministry of Law): Consumer Protection (Fair Trading) Act lemon law, 6 months for defects',
  url: 'https://lawgowhere.sg/get-information/issue-type-civil/i-bought-something-and-it-doesnt-work',
};

const base = {
  windowStartsAt: 'delivery' as const,
  exemption: null,
  conditions: ['unused', 'original_packaging'] as ReturnRule['conditions'],
};

/** UK and EU share the structure of TikTok Shop's European policy: 14-day legal right + 30-day extended benefit. */
function europe(id: string, defectWindowDays: number, platform: Source, law: Source[], notes: string[]): ReturnRule {
  return {
    ...base,
    id,
    windowDays: 30,
    changeOfMind: true,
    defectWindowDays,
    exchange: true,
    returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'platform',
    sources: [platform, ...law],
    notes: [
      '30 days is the platform’s extended returns benefit; the statutory cancellation right is 14 days from receipt.',
      'Change-of-mind return postage: the law lets the seller charge it when the buyer was told beforehand; whether TikTok Shop provides a free label in this market was not confirmed from the policy text.',
      ...notes,
    ],
  };
}

export const MARKET_DEFAULTS: Readonly<Record<string, ReturnRule>> = {
  US: {
    ...base,
    id: 'us-default',
    windowDays: 30,
    changeOfMind: true,
    defectWindowDays: 90,
    exchange: true,
    returnShipping: { changeOfMind: 'platform', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 10, dayKind: 'business' },
    basis: 'platform',
    sources: [TTS_US, TTS_US_MBG],
    notes: [
      'Any reason within 30 calendar days of "Delivered"; prepaid label or QR code (items under 70 lb and $1,700); self-arranged returns are paid by the buyer.',
      'Damaged/defective: money-back guarantee up to 90 days from delivery. Replacement instead of refund when the seller has stock.',
      'Refund within 3–10 business days after the return is received and processed. Sellers may set other windows or return fees on the product page.',
    ],
  },
  UK: europe('uk-default', 30, TTS_UK, UK_LAW, ['Faulty goods: 30-day short-term right to reject (Consumer Rights Act 2015 s. 22).']),
  ES: europe('es-default', 1095, TTS_EU, [...EU_LAW, ES_GUARANTEE], ['Faulty goods: 3-year legal guarantee in Spain (since 1 Jan 2022).']),
  FR: europe('fr-default', 730, TTS_EU, EU_LAW, ['Faulty goods: 2-year legal guarantee (garantie légale de conformité).']),
  DE: europe('de-default', 730, TTS_EU, EU_LAW, ['Faulty goods: 2-year legal guarantee (Gewährleistung).']),
  IT: europe('it-default', 730, TTS_EU, EU_LAW, ['Faulty goods: 2-year legal guarantee (garanzia legale).']),
  ID: {
    ...base,
    id: 'id-default',
    windowDays: 0,
    changeOfMind: false,
    exemption: 'platform_rule',
    defectWindowDays: 6,
    exchange: false,
    returnShipping: { changeOfMind: 'buyer', defective: 'platform' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'business' },
    basis: 'platform',
    sources: [TTS_ID],
    notes: [
      'Returns/refunds only for seller-side reasons (wrong, defective, incomplete, not as described, late), requested within 6 days of receipt.',
      'Drop-off returns are free to the buyer (shipping covered by the platform) according to consumer guides; self-arranged returns are paid by the buyer. Not confirmed on a platform page.',
      'Refund timing depends on the payment method (e-wallet 1–2, bank transfer 3–5, cards 7–14 business days).',
    ],
  },
  TH: {
    ...base,
    id: 'th-default',
    windowDays: 0,
    changeOfMind: false,
    exemption: 'platform_rule',
    defectWindowDays: 7,
    exchange: false,
    returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'platform',
    sources: [TTS_TH, TTS_TH_PICKUP],
    notes: [
      'Request within 7 calendar days after "Delivered" (15 days for TikTok Shop Mall products: set windowDays/defectWindowDays 15 for a Mall shop).',
      'Seller-fault returns: the seller bears the return shipping. The refund timing is our placeholder, not a published figure.',
    ],
  },
  VN: {
    ...base,
    id: 'vn-default',
    windowDays: 0,
    changeOfMind: false,
    exemption: 'platform_rule',
    defectWindowDays: 15,
    exchange: false,
    returnShipping: { changeOfMind: 'platform', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'platform',
    sources: [TTS_VN, TTS_VN_COM],
    notes: [
      'Return/refund requests within 15 calendar days after "Delivered" (exceptions for some categories such as food, formula milk, phones and tablets).',
      '"Change of mind" returns exist only for products labelled eligible: 15 days (Mall) / 6 days (non-Mall), and the seller bears neither forward nor return shipping. A seller in the programme sets changeOfMind: true, windowDays: 6 (or 15).',
    ],
  },
  MY: seaPlaceholder('my-default'),
  PH: seaPlaceholder('ph-default'),
  SG: {
    ...seaPlaceholder('sg-default'),
    defectWindowDays: 180,
    sources: [TTS_TH, SG_LAW],
    notes: [
      'No Singapore platform page was found; the 7-day request window copies TikTok Shop’s South-East Asian rule (see the TH page) and must be checked in Seller Center.',
      'Defects: the lemon law lets buyers claim repair, replacement or refund within 6 months of delivery.',
    ],
  },
  MX: {
    ...base,
    id: 'mx-default',
    windowDays: 7,
    changeOfMind: true,
    defectWindowDays: 90,
    exchange: true,
    returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'statutory',
    sources: [MX_LAW],
    notes: [
      'No TikTok Shop Mexico buyer policy page was found. LFPC art. 56 gives 5 business days from delivery to revoke, freight and insurance paid by the consumer; shown here as 7 calendar days.',
      'The 90-day defect window is the LFPC minimum guarantee (art. 77) as we understand it; verify for your category.',
    ],
  },
  JP: {
    ...base,
    id: 'jp-default',
    windowDays: 8,
    changeOfMind: true,
    defectWindowDays: 365,
    exchange: true,
    returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'statutory',
    sources: [JP_LAW],
    notes: [
      'Mail order has no cooling-off in Japan. If the seller states no return policy (返品特約), the buyer may return within 8 days of receipt at the buyer’s cost (art. 15-3); a stated policy replaces this, so sellers should configure theirs.',
      'Non-conforming goods: the buyer must notify within 1 year of discovering the problem (Civil Code art. 566); 365 days from delivery is a conservative floor. No TikTok Shop Japan buyer policy page was found.',
    ],
  },
};

function seaPlaceholder(id: string): ReturnRule {
  return {
    ...base,
    id,
    windowDays: 0,
    changeOfMind: false,
    exemption: 'platform_rule',
    defectWindowDays: 7,
    exchange: false,
    returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'platform',
    sources: [TTS_TH],
    notes: [
      'No page for this market was found; the 7-day request window for seller-fault returns copies TikTok Shop’s South-East Asian rule (see the TH page) and must be checked in Seller Center.',
    ],
  };
}

/** Any other EEA country: the law's minimum, not a platform policy. */
export function eeaStatutoryDefault(country: string, defectWindowDays: number): ReturnRule {
  return {
    ...base,
    id: `${country.toLowerCase()}-statutory`,
    windowDays: 14,
    changeOfMind: true,
    defectWindowDays,
    exchange: true,
    returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
    refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
    basis: 'statutory',
    sources: EU_LAW,
    notes: ['No platform market default for this country: the EU statutory minimum (14-day withdrawal, 2-year legal guarantee) applies.'],
  };
}

/** Countries with no market default and no statutory floor we know. */
export const GLOBAL_DEFAULT: ReturnRule = {
  ...base,
  id: 'global-default',
  windowDays: 14,
  changeOfMind: true,
  defectWindowDays: 30,
  exchange: true,
  returnShipping: { changeOfMind: 'buyer', defective: 'seller' },
  refund: { method: 'original_payment', withinDays: 14, dayKind: 'calendar' },
  basis: 'seller',
  sources: [],
  notes: ['No market default for this country: a conservative placeholder (14 days, seller pays for faulty items). Configure the market.'],
};

export const TIKTOK_MARKETS = Object.keys(MARKET_DEFAULTS);
