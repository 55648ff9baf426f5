/**
 * Typical customs clearance delay per destination country, used to tell a buyer how long a
 * customs hold usually lasts. These are ESTIMATES for replies, not guarantees: customs authorities
 * publish no per-parcel statistics, so each entry says how good its source is (`quality`).
 *
 * Overrides, later wins: built-in table → file SORA_CUSTOMS_DELAYS_FILE (YAML/JSON) → the shop's
 * `customsDelays` (same shape). File shape:
 *   delays:
 *     BR: { typicalHours: 96, rangeHours: [48, 240], note: "our carrier's average", source: { title: …, url: … } }
 */
import { readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { z } from 'zod';
import { ShopModel } from '../../models/shop.js';
import { ConfigValidationError, parseStructuredText, zodProblems, type Locate } from '../config/structured-file.js';

export const SOURCE_QUALITIES = ['official', 'carrier', 'secondary', 'estimate', 'seller'] as const;

export interface CustomsDelay {
  typicalHours: number;
  rangeHours: [number, number] | null;
  note: string;
  source: { title: string; url: string } | null;
  /** official: a customs/post authority page; carrier/secondary: a carrier or broker page; estimate: our rough figure. */
  quality: (typeof SOURCE_QUALITIES)[number];
}

export type CustomsDelayTable = Record<string, CustomsDelay>;

const EU_VAT = {
  title: 'European Commission: VAT for e-commerce (IOSS, all imports VAT-liable since 1 July 2021)',
  url: 'https://taxation-customs.ec.europa.eu/taxation/vat/vat-e-commerce_en',
};
const eu = (country: string): CustomsDelay => ({
  typicalHours: 48,
  rangeHours: [24, 96],
  note: `${country}: parcels with IOSS (VAT paid at checkout, ≤ €150) clear fastest; without IOSS the buyer pays import VAT to the carrier before delivery.`,
  source: EU_VAT,
  quality: 'estimate',
});
const estimate = (typicalHours: number, rangeHours: [number, number], note: string): CustomsDelay => ({
  typicalHours,
  rangeHours,
  note,
  source: null,
  quality: 'estimate',
});

export const BUILTIN_CUSTOMS_DELAYS: Readonly<CustomsDelayTable> = {
  BR: {
    typicalHours: 72,
    rangeHours: [48, 240],
    note: 'Receita Federal inspects every international parcel; postal clearance usually takes about 3 working days, then taxes (if any) are paid on the Correios site before delivery. Inspections can take weeks.',
    source: {
      title: 'How long does Brazil customs hold a package (travel guide)',
      url: 'https://travelpander.com/how-long-does-brazil-customs-hold-a-package',
    },
    quality: 'secondary',
  },
  US: {
    typicalHours: 48,
    rangeHours: [24, 120],
    note: 'The $800 de minimis exemption ended on 29 Aug 2025: every commercial parcel is dutiable and postal carriers must collect duties, which slowed clearance.',
    source: {
      title: 'UPU/press: postal traffic to the US after the end of de minimis (Aug 2025)',
      url: 'https://particle.news/story/tariff-shock-hits-small-imports-as-us-ends-duty-free-threshold-and-global-mail-slows',
    },
    quality: 'secondary',
  },
  UK: {
    typicalHours: 24,
    rangeHours: [12, 72],
    note: 'Goods ≤ £135: VAT collected at checkout, no duty at the border. Over £135: import VAT and duty are paid to the carrier before delivery.',
    source: { title: 'GOV.UK: Tax and customs for goods sent from abroad', url: 'https://www.gov.uk/goods-sent-from-abroad' },
    quality: 'estimate',
  },
  ES: eu('Spain'),
  FR: eu('France'),
  DE: eu('Germany'),
  IT: eu('Italy'),
  ID: {
    typicalHours: 72,
    rangeHours: [24, 168],
    note: 'Bea Cukai: duties from US$3; the receiver’s NPWP or NIK (ID number) is required since 1 Aug 2021 and missing IDs are the usual cause of holds.',
    source: {
      title: 'EasyParcel: New updates for Indonesian customs clearance regulations',
      url: 'https://website.easyparcel.com/my/new-updates-for-indonesian-customs-clearance-regulations',
    },
    quality: 'secondary',
  },
  TH: estimate(48, [24, 120], 'Thai Customs; low-value parcels are now VAT-liable, which can add a payment step.'),
  VN: estimate(48, [24, 120], 'Vietnam Customs; no published clearance statistic found.'),
  MY: estimate(48, [24, 96], 'Royal Malaysian Customs; low-value goods tax on online purchases is collected at checkout.'),
  PH: estimate(72, [24, 168], 'Bureau of Customs; no published clearance statistic found.'),
  SG: estimate(24, [12, 72], 'Singapore Customs; GST on low-value goods is collected at checkout by registered platforms.'),
  MX: estimate(72, [24, 168], 'SAT/Aduanas; courier shipments clear faster than postal (SEPOMEX) ones.'),
  JP: estimate(48, [24, 96], 'Japan Customs; parcels ≤ ¥10,000 are mostly duty-free.'),
  AU: {
    typicalHours: 24,
    rangeHours: [4, 72],
    note: 'Goods ≤ A$1,000 need no import declaration; holds happen for inspection, biosecurity or restricted goods.',
    source: {
      title: '365 Freight: Australia Post import customs clearance',
      url: 'https://365freight.com.au/australia-post-import-customs-clearance',
    },
    quality: 'secondary',
  },
  CA: {
    typicalHours: 24,
    rangeHours: [1, 48],
    note: 'CBSA screens every parcel; times vary with volume and documents, and Canada Post cannot intervene while a parcel is with customs.',
    source: {
      title: 'Canada Post: What can I do if my package is in customs?',
      url: 'https://prd11.wsl.canadapost.ca/cpc/en/support/kb/receiving/delivery-faq/the-parcel-i-am-expecting-is-in-customs-what-can-i-do.page',
    },
    quality: 'carrier',
  },
  SA: {
    typicalHours: 72,
    rangeHours: [24, 168],
    note: 'ZATCA; the receiver’s national ID/Iqama may be required for dutiable parcels. Formal clearance takes 5–7 days.',
    source: {
      title: 'MyDHL+: Guide for DHL Express dutiable shipments to Saudi Arabia',
      url: 'https://mydhl.express.dhl/yt/en/help-center/international-shipping/customs-regulations-saudi-arabia.html',
    },
    quality: 'carrier',
  },
  AE: {
    typicalHours: 24,
    rangeHours: [12, 168],
    note: 'Dubai Customs (Mirsal 2); complete invoices clear within a day, incomplete documentation commonly adds 3–7 days.',
    source: {
      title: 'Swftbox: Customs clearance in MENA (2026)',
      url: 'https://www.swftbox.com/swftblogger/customs-clearance-mena-uae-cross-border-shipments',
    },
    quality: 'secondary',
  },
  default: estimate(48, [24, 120], 'No entry for this country: a generic estimate.'),
};

const entrySchema = z
  .object({
    typicalHours: z
      .number()
      .positive('must be > 0')
      .max(24 * 90, 'must be ≤ 2160 (90 days)'),
    rangeHours: z
      .tuple([z.number().nonnegative(), z.number().positive()])
      .refine(([a, b]) => a <= b, 'the first number must not be larger than the second')
      .nullable()
      .optional(),
    note: z.string().optional(),
    source: z
      .object({ title: z.string().min(1), url: z.string().url('must be a URL') })
      .strict()
      .nullable()
      .optional(),
    quality: z.enum(SOURCE_QUALITIES).optional(),
  })
  .strict();

const fileSchema = z
  .object({
    delays: z.record(
      z.string().regex(/^([A-Z]{2}|default)$/, 'keys are ISO 3166-1 alpha-2 codes in capitals (UK for GB) or "default"'),
      entrySchema,
    ),
  })
  .strict();

export type CustomsDelayOverrides = z.infer<typeof fileSchema>;

/** Validate an override object (file content or shop field). */
export function validateCustomsDelays(raw: unknown, opts: { locate?: Locate; file?: string } = {}): CustomsDelayOverrides {
  const parsed = fileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigValidationError('customs delays', zodProblems(parsed.error.issues, opts.locate), opts.file);
  return parsed.data;
}

export function loadCustomsDelaysFile(file: string): CustomsDelayOverrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigValidationError('customs delays', [{ path: '', message: `cannot read: ${(e as Error).message}` }], file);
  }
  const { data, locate } = parseStructuredText(text, 'customs delays', file);
  return validateCustomsDelays(data, { locate, file });
}

export function mergeCustomsDelays(
  table: CustomsDelayTable,
  overrides: CustomsDelayOverrides | null | undefined,
  origin: string,
): CustomsDelayTable {
  if (!overrides) return table;
  const out = { ...table };
  for (const [k, v] of Object.entries(overrides.delays)) {
    out[k] = {
      typicalHours: v.typicalHours,
      rangeHours: v.rangeHours ?? null,
      note: v.note ?? `Set by ${origin}.`,
      source: v.source ?? null,
      quality: v.quality ?? 'seller',
    };
  }
  return out;
}

let fileCache: { file: string; table: CustomsDelayTable } | null = null;

/** Built-in table with the overrides of `file` (SORA_CUSTOMS_DELAYS_FILE, config.customs.delaysFile; validated once per file). */
export function customsDelayTable(file?: string): CustomsDelayTable {
  if (!file) return BUILTIN_CUSTOMS_DELAYS;
  if (fileCache?.file === file) return fileCache.table;
  const table = mergeCustomsDelays(BUILTIN_CUSTOMS_DELAYS, loadCustomsDelaysFile(file), file);
  fileCache = { file, table };
  return table;
}

/** The table for a shop: built-in → `file` (config.customs.delaysFile) → the shop's `customsDelays` (when the database is connected). */
export async function customsDelayTableForShop(shopId: string, file?: string): Promise<CustomsDelayTable> {
  const table = customsDelayTable(file);
  if (mongoose.connection.readyState !== 1) return table;
  const shop = await ShopModel.findOne({ shopId }, { customsDelays: 1 }).lean();
  if (!shop?.customsDelays) return table;
  return mergeCustomsDelays(table, validateCustomsDelays(shop.customsDelays, { file: `shop ${shopId} (customsDelays)` }), `shop ${shopId}`);
}

export function customsDelayFor(
  country: string | null | undefined,
  table: CustomsDelayTable = customsDelayTable(),
): CustomsDelay & { country: string } {
  const c = (country ?? '').toUpperCase() === 'GB' ? 'UK' : (country ?? '').toUpperCase();
  const hit = c && table[c];
  return hit ? { ...hit, country: c } : { ...(table.default ?? BUILTIN_CUSTOMS_DELAYS.default!), country: 'default' };
}
