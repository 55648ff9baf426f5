/**
 * Currency → USD conversion for order values (the order-value handoff rule compares USD).
 *
 * Rates are "1 unit of the currency = R US dollars". The built-in table is APPROXIMATE (rounded
 * mid-market rates, mid-2025) so a shop works out of the box; set `SORA_FX_USD_RATES` to your own
 * rates, e.g. `THB=0.028,EUR=1.08`, which override and extend the table. Rates are not fetched
 * at run time.
 */

/** Approximate built-in rates (USD per unit). Override with SORA_FX_USD_RATES. */
export const DEFAULT_USD_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  CAD: 0.73,
  AUD: 0.66,
  JPY: 0.0067,
  CNY: 0.14,
  HKD: 0.128,
  SGD: 0.74,
  MYR: 0.21,
  THB: 0.028,
  IDR: 0.000063,
  VND: 0.00004,
  PHP: 0.018,
  MXN: 0.058,
  BRL: 0.18,
  SAR: 0.267,
  AED: 0.272,
};

/** The built-in table with `overrides` applied (SORA_FX_USD_RATES, parsed and validated as config.orders.fxUsdRates). */
export function fxRates(overrides: Record<string, number> = {}): Record<string, number> {
  return { ...DEFAULT_USD_RATES, ...overrides };
}

/** amount (in `currency`) in USD, rounded to cents; null when the currency has no rate. */
export function toUsd(amount: number, currency: string, rates: Record<string, number>): number | null {
  const rate = rates[currency.toUpperCase()];
  if (rate === undefined) return null;
  return Math.round(amount * rate * 100) / 100;
}
