/**
 * Coupon fields as sellers write them (CSV cells, CLI flags): code, discount (`10%`, `5 USD`) and
 * expiry (`2027-01-31` = valid through that day, UTC; or an ISO time with offset). Each parser
 * returns the value or throws a CouponFieldError whose message says what is wrong.
 */
import { intlLocale } from '../catalog/format.js';

/** Bad input from the seller (file, shop, flag): the message says what to fix. */
export class CouponInputError extends Error {
  override name = 'CouponInputError';
}

/** One field's value is wrong. */
export class CouponFieldError extends CouponInputError {
  override name = 'CouponFieldError';
}

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

export function parseCode(raw: string): string {
  const code = raw.trim();
  if (!code) throw new CouponFieldError('code is empty');
  if (!CODE_PATTERN.test(code))
    throw new CouponFieldError(`"${code}" is not a valid code (3–64 letters, digits, "-" or "_", starting with a letter or digit)`);
  return code;
}

export interface Discount {
  /** Normalized: `10%` or `5 USD`. */
  discount: string;
  discountType: 'percent' | 'amount';
  discountValue: number;
  currency: string | null;
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function parseDiscount(raw: string): Discount {
  const s = raw.trim();
  if (!s) throw new CouponFieldError('discount is empty (write e.g. "10%" or "5 USD")');
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) {
    const v = Number(pct[1]);
    if (!(v > 0 && v <= 100)) throw new CouponFieldError(`discount "${s}": a percentage must be above 0 and at most 100`);
    return { discount: `${v}%`, discountType: 'percent', discountValue: v, currency: null };
  }
  const after = /^(\d+(?:\.\d+)?)\s*([A-Za-z]{3})$/.exec(s); // 5 USD
  const before = /^([A-Za-z]{3})\s*(\d+(?:\.\d+)?)$/.exec(s); // USD 5
  const value = after?.[1] ?? before?.[2];
  const cur = after?.[2] ?? before?.[1];
  if (value !== undefined && cur !== undefined) {
    const currency = cur.toUpperCase();
    if (!CURRENCIES.has(currency)) throw new CouponFieldError(`discount "${s}": "${currency}" is not an ISO 4217 currency code`);
    const v = Number(value);
    if (!(v > 0)) throw new CouponFieldError(`discount "${s}": the amount must be above 0`);
    return { discount: `${v} ${currency}`, discountType: 'amount', discountValue: v, currency };
  }
  throw new CouponFieldError(`discount "${s}" is neither a percentage ("10%") nor an amount with a currency ("5 USD")`);
}

/** The discount in the buyer's language: `10%`, `10 %`, `US$5.00`, `5,00 $US`… */
export function formatDiscount(d: Pick<Discount, 'discountType' | 'discountValue' | 'currency'>, language: string): string {
  const locale = intlLocale(language);
  if (d.discountType === 'percent')
    return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(d.discountValue / 100);
  return new Intl.NumberFormat(locale, { style: 'currency', currency: d.currency ?? 'USD' }).format(d.discountValue);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Expiry: '' = none; `YYYY-MM-DD` = valid through that day (UTC), so expiresAt is the next
 * midnight UTC; an ISO time must carry its offset. Must be in the future (`now`).
 */
export function parseExpiry(raw: string, now: Date): Date | null {
  const s = raw.trim();
  if (!s) return null;
  let at: Date;
  const d = DATE_ONLY.exec(s);
  if (d) {
    at = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]) + 1));
    const back = new Date(at.getTime() - 1);
    if (back.getUTCFullYear() !== Number(d[1]) || back.getUTCMonth() + 1 !== Number(d[2]) || back.getUTCDate() !== Number(d[3]))
      throw new CouponFieldError(`expiry "${s}" is not a calendar date`);
  } else if (DATE_TIME.test(s)) {
    at = new Date(s);
    if (Number.isNaN(at.getTime())) throw new CouponFieldError(`expiry "${s}" is not a valid time`);
  } else {
    throw new CouponFieldError(
      `expiry "${s}" is not a date (write YYYY-MM-DD, or an ISO time with offset such as 2027-01-31T23:59:00+08:00)`,
    );
  }
  if (at.getTime() <= now.getTime()) throw new CouponFieldError(`expiry "${s}" is already past`);
  return at;
}

/** The last day a coupon is valid, in the buyer's language (UTC calendar day). */
export function formatExpiry(expiresAt: Date, language: string): string {
  return new Intl.DateTimeFormat(intlLocale(language), { timeZone: 'UTC', dateStyle: 'long' }).format(new Date(expiresAt.getTime() - 1));
}
