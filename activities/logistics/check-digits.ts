/**
 * Check-digit algorithms of tracking numbers. Each takes the whole tracking number as the carrier
 * prints it (upper case, no spaces) and says whether its check digit is right.
 *
 * Sources:
 * - UPU S10 (all posts' international numbers, e.g. RR123456785CN): UPU standard S10 "Identification
 *   of postal items — 13-character identifier", weights 8,6,4,2,3,5,9,7 over the 8 serial digits,
 *   check = 11 − (sum mod 11), 10 → 0, 11 → 5.
 * - UPS 1Z: UPS "Tracking number" check digit as published in jkeen/tracking_number_data (MIT,
 *   couriers/ups.json + CHECKSUM_ALGORITHMS.md): letters → (ASCII − 3) mod 10, digits at odd
 *   0-based positions of the 15-character serial ×2, check = (10 − sum mod 10) mod 10.
 * - GS1 mod 10 (weights 3,1,3,1… from the rightmost data digit): GS1 General Specifications §7.9.1;
 *   used by USPS IMpb (USPS Publication 199, "Mod 10 check digit"), SSCC-18, FedEx Ground 15-digit and
 *   the FedEx "96" 22-digit barcode (check over its last 14 data digits, per tracking_number_data
 *   couriers/fedex.json), Canada Post 16-digit (tracking_number_data couriers/canadapost.json).
 * - FedEx Express 12-digit: weights 3,1,7 left to right over the 11 data digits, (sum mod 11) mod 10
 *   (FedEx "Express 12-digit" check digit, as in tracking_number_data couriers/fedex.json).
 * - DHL Express waybill (10 digits, also 11): the data digits as one integer mod 7 (DHL Express
 *   waybill check digit, as in tracking_number_data couriers/dhl.json).
 */

export type CheckDigitScheme =
  's10-mod11' | 'ups-mod10' | 'gs1-mod10' | 'usps-impb-mod10' | 'fedex-express-mod11' | 'fedex-96-mod10' | 'dhl-mod7';

export const CHECK_DIGIT_DESCRIPTIONS: Record<CheckDigitScheme, string> = {
  's10-mod11': 'UPU S10: weights 8,6,4,2,3,5,9,7; 11 − sum mod 11 (10→0, 11→5)',
  'ups-mod10': 'UPS 1Z: letters (ASCII−3) mod 10, odd positions ×2, 10 − sum mod 10',
  'gs1-mod10': 'GS1 mod 10: weights 3,1 from the rightmost data digit, 10 − sum mod 10',
  'usps-impb-mod10': 'USPS IMpb: GS1 mod 10 over the package code (a 420+ZIP routing prefix is not checked)',
  'fedex-express-mod11': 'FedEx Express 12: weights 3,1,7 left to right, sum mod 11 mod 10',
  'fedex-96-mod10': 'FedEx Ground 96: GS1 mod 10 over the last 14 data digits',
  'dhl-mod7': 'DHL Express: data digits as an integer mod 7',
};

const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];

/** `RR123456785CN`: two letters, 8 serial digits, check digit, ISO country code. */
export function s10Valid(n: string): boolean {
  const m = /^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$/.exec(n);
  if (!m) return false;
  const sum = [...m[1]!].reduce((s, d, i) => s + Number(d) * S10_WEIGHTS[i]!, 0);
  const r = 11 - (sum % 11);
  const check = r === 10 ? 0 : r === 11 ? 5 : r;
  return check === Number(m[2]);
}

/** `1Z` + 15-character serial + check character (a digit). */
export function upsValid(n: string): boolean {
  const m = /^1Z([0-9A-Z]{15})([0-9])$/.exec(n);
  if (!m) return false;
  let sum = 0;
  [...m[1]!].forEach((c, i) => {
    const v = /\d/.test(c) ? Number(c) : (c.charCodeAt(0) - 3) % 10;
    sum += i % 2 === 1 ? v * 2 : v;
  });
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}

/** GS1 mod 10 over all digits but the last (the check digit). */
export function gs1Mod10Valid(n: string): boolean {
  if (!/^\d{2,}$/.test(n)) return false;
  const data = n.slice(0, -1);
  let sum = 0;
  for (let i = data.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(data[i]) * w;
  return (10 - (sum % 10)) % 10 === Number(n.at(-1));
}

/**
 * USPS IMpb: the package identification code (20, 22 or 26 digits) carries a GS1 mod 10 check digit.
 * A barcode read with its routing prefix (420 + 5- or 9-digit ZIP) is checked without the prefix.
 */
export function uspsImpbValid(n: string): boolean {
  if (!/^\d+$/.test(n)) return false;
  if (n.startsWith('420') && (n.length === 30 || n.length === 34)) {
    const rest = n.length === 30 ? n.slice(8) : n.slice(12);
    if (gs1Mod10Valid(rest)) return true;
    // 34 digits can also be 420 + ZIP5 + a 26-digit code.
    if (n.length === 34 && gs1Mod10Valid(n.slice(8))) return true;
    return false;
  }
  return gs1Mod10Valid(n);
}

/** FedEx Express 12-digit: weights 3,1,7 left to right over 11 digits, (sum mod 11) mod 10. */
export function fedexExpressValid(n: string): boolean {
  if (!/^\d{12}$/.test(n)) return false;
  const w = [3, 1, 7];
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += Number(n[i]) * w[i % 3]!;
  return (sum % 11) % 10 === Number(n[11]);
}

/** FedEx Ground "96" barcode (22 digits): GS1 mod 10 over the last 14 data digits. */
export function fedex96Valid(n: string): boolean {
  if (!/^96\d{20}$/.test(n)) return false;
  return gs1Mod10Valid(n.slice(7));
}

/** DHL Express waybill: the data digits as an integer mod 7 equal the check digit. */
export function dhlMod7Valid(n: string): boolean {
  if (!/^\d{10,11}$/.test(n)) return false;
  return Number(BigInt(n.slice(0, -1)) % 7n) === Number(n.at(-1));
}

export const CHECK_DIGIT_VALIDATORS: Record<CheckDigitScheme, (n: string) => boolean> = {
  's10-mod11': s10Valid,
  'ups-mod10': upsValid,
  'gs1-mod10': gs1Mod10Valid,
  'usps-impb-mod10': uspsImpbValid,
  'fedex-express-mod11': fedexExpressValid,
  'fedex-96-mod10': fedex96Valid,
  'dhl-mod7': dhlMod7Valid,
};
