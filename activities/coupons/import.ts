/**
 * `sora coupons import FILE --shop ID`: a CSV with `code,discount,expires_at` (expires_at optional).
 * Every row is validated first; any problem → nothing is written and every problem is reported
 * (row and column). Writes are idempotent: a code the pool already has is updated while still
 * free (discount, expiry) and left untouched once bound to a buyer; codes missing from the file are
 * kept. Re-running the same file changes nothing.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { CouponModel } from '../../models/coupon.js';
import { ShopModel } from '../../models/shop.js';
import { CouponFieldError, CouponInputError, parseCode, parseDiscount, parseExpiry, type Discount } from './fields.js';

export interface CouponProblem {
  row: number;
  column: string;
  message: string;
}

export class CouponImportError extends CouponInputError {
  constructor(
    readonly file: string,
    readonly problems: CouponProblem[],
  ) {
    super(
      `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported:\n` +
        problems
          .slice(0, 50)
          .map((p) => `  row ${p.row}, ${p.column}: ${p.message}`)
          .join('\n') +
        (problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''),
    );
  }
  override name = 'CouponImportError';
}

export interface CouponRow extends Discount {
  code: string;
  expiresAt: Date | null;
}

export interface CouponImportResult {
  shopId: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Codes already given to a buyer whose row differs: left as they were. */
  boundKept: number;
  warnings: string[];
}

const COLUMNS = ['code', 'discount', 'expires_at'] as const;

/** Parse and validate the whole CSV; throws CouponImportError listing every problem. */
export function validateCouponCsv(file: string, data: Buffer | string, now: Date): { rows: CouponRow[]; warnings: string[] } {
  const problems: CouponProblem[] = [];
  const warnings: string[] = [];
  let table: string[][];
  try {
    table = parse(data, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw new CouponImportError(file, [{ row: 0, column: '-', message: `not a readable CSV: ${(e as Error).message}` }]);
  }
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = new Map(header.map((h, i) => [h, i]));
  for (const c of ['code', 'discount'])
    if (!col.has(c)) problems.push({ row: 1, column: c, message: `missing required column "${c}" (header: ${COLUMNS.join(',')})` });
  const unknown = header.filter((h) => h && !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length) warnings.push(`ignored column${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`);
  if (problems.length) throw new CouponImportError(file, problems);
  if (table.length < 2) throw new CouponImportError(file, [{ row: 1, column: '-', message: 'the file has a header but no coupons' }]);

  const rows: CouponRow[] = [];
  const firstRowOf = new Map<string, number>();
  table.slice(1).forEach((cells, i) => {
    const row = i + 2;
    const cell = (c: string) => (col.has(c) ? (cells[col.get(c)!] ?? '') : '');
    const field = <T>(column: string, f: () => T): T | undefined => {
      try {
        return f();
      } catch (e) {
        if (!(e instanceof CouponFieldError)) throw e;
        problems.push({ row, column, message: e.message });
        return undefined;
      }
    };
    const code = field('code', () => parseCode(cell('code')));
    const discount = field('discount', () => parseDiscount(cell('discount')));
    const expiresAt = field('expires_at', () => parseExpiry(cell('expires_at'), now));
    if (code !== undefined) {
      const first = firstRowOf.get(code);
      if (first !== undefined) problems.push({ row, column: 'code', message: `"${code}" is already on row ${first}` });
      else firstRowOf.set(code, row);
    }
    if (code !== undefined && discount !== undefined && expiresAt !== undefined) rows.push({ code, ...discount, expiresAt });
  });
  if (problems.length) throw new CouponImportError(file, problems);
  return { rows, warnings };
}

export async function importCoupons(
  shopId: string,
  file: string,
  o: { data?: Buffer | string; now?: Date; progress?: (msg: string) => void } = {},
): Promise<CouponImportResult> {
  const progress = o.progress ?? (() => {});
  const now = o.now ?? new Date();
  if (path.extname(file).toLowerCase() !== '.csv')
    throw new CouponInputError(`${file}: coupons are imported from a .csv file (code,discount,expires_at)`);
  const shop = await ShopModel.findOne({ shopId }, { shopId: 1 }).lean();
  if (!shop) throw new CouponInputError(`no shop "${shopId}"`);
  let data = o.data;
  if (data === undefined) {
    try {
      data = await readFile(file);
    } catch (e) {
      throw new CouponInputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const { rows, warnings } = validateCouponCsv(file, data, now);
  progress(`${rows.length} coupons valid`);
  const batch = `import:${randomUUID()}`;
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let boundKept = 0;
  const same = (a: { discount: string; expiresAt?: Date | null }, b: CouponRow) =>
    a.discount === b.discount && (a.expiresAt?.getTime() ?? null) === (b.expiresAt?.getTime() ?? null);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const existing = new Map(
      (
        await CouponModel.find(
          { shopId, code: { $in: chunk.map((r) => r.code) } },
          { code: 1, discount: 1, expiresAt: 1, boundKey: 1 },
        ).lean()
      ).map((c) => [c.code, c]),
    );
    const ops = [];
    for (const r of chunk) {
      const fields = {
        discount: r.discount,
        discountType: r.discountType,
        discountValue: r.discountValue,
        currency: r.currency,
        expiresAt: r.expiresAt,
      };
      const old = existing.get(r.code);
      if (!old) {
        created += 1;
        // Upsert on (shop, code) so two concurrent imports of one file cannot duplicate a code.
        ops.push({
          updateOne: {
            filter: { shopId, code: r.code },
            update: { $setOnInsert: { shopId, code: r.code, ...fields, source: 'import', batch, boundTo: null } },
            upsert: true,
          },
        });
      } else if (same(old, r)) unchanged += 1;
      else if (old.boundKey) {
        boundKept += 1;
        warnings.push(`row ${i + chunk.indexOf(r) + 2}: "${r.code}" was already given to a buyer; its discount/expiry stay as they were`);
      } else {
        updated += 1;
        // Only while still free: a claim that bound it meanwhile wins.
        ops.push({ updateOne: { filter: { shopId, code: r.code, boundKey: { $exists: false } }, update: { $set: fields } } });
      }
    }
    if (ops.length) await CouponModel.bulkWrite(ops, { ordered: true });
    progress(`written ${Math.min(i + 500, rows.length)}/${rows.length}`);
  }
  return { shopId, rows: rows.length, created, updated, unchanged, boundKept, warnings };
}
