/**
 * The buyer's country when nothing better is known, and the Spanish a buyer is answered in.
 * Country sources, best first: the order's destination (the workflow passes it), the phone number's
 * country calling code (WhatsApp buyers are phone numbers). Imports only languages.ts.
 */
import { LATIN_AMERICAN_SPANISH, baseLanguage, normalizeLocale } from './languages.js';

/** Country calling codes of the markets sora-cs serves (ITU E.164); NANP's shared +1 only where the area code tells. */
// prettier-ignore
const CALLING_CODES: Record<string, string> = {
  '34': 'ES', '52': 'MX', '57': 'CO', '54': 'AR', '56': 'CL', '51': 'PE', '58': 'VE', '593': 'EC', '502': 'GT', '53': 'CU',
  '591': 'BO', '504': 'HN', '595': 'PY', '503': 'SV', '505': 'NI', '506': 'CR', '507': 'PA', '598': 'UY', '1809': 'DO', '1829': 'DO',
  '1849': 'DO', '1787': 'PR', '1939': 'PR', '240': 'GQ', '55': 'BR', '351': 'PT', '244': 'AO', '258': 'MZ', '60': 'MY', '62': 'ID',
  '65': 'SG', '673': 'BN', '66': 'TH', '84': 'VN', '63': 'PH', '33': 'FR', '44': 'GB', '49': 'DE', '39': 'IT', '86': 'CN',
  '852': 'HK', '886': 'TW', '971': 'AE', '966': 'SA', '20': 'EG',
};
const PHONE_CHANNELS = new Set(['whatsapp', 'whatsapp-cloud']);

/** `5215512345678@s.whatsapp.net` on WhatsApp → `MX`; null for other channels or unknown codes. */
export function countryFromPhone(channel: string, buyerId: string): string | null {
  if (!PHONE_CHANNELS.has(channel)) return null;
  const digits = /^\+?(\d{7,15})(?:[:@].*)?$/.exec(buyerId.trim())?.[1];
  if (!digits) return null;
  for (let n = 4; n >= 1; n--) {
    const hit = CALLING_CODES[digits.slice(0, n)];
    if (hit) return hit;
  }
  return null;
}

export interface BuyerRef {
  channel: string;
  buyerId: string;
  /** The country of the buyer's order, when the conversation has one in focus. */
  country?: string | null;
}

/** The buyer's country: the order's, else the phone number's; null when unknown. */
export function buyerCountry(buyer: BuyerRef | null | undefined): string | null {
  if (!buyer) return null;
  const c = buyer.country?.trim().toUpperCase();
  if (c && /^[A-Z]{2}$/.test(c)) return c;
  return countryFromPhone(buyer.channel, buyer.buyerId);
}

/**
 * The reply locale for this buyer: Spanish follows the buyer's country (`es-MX` for a Mexican
 * buyer, which reads the es-419 catalog; `es` for Spain) and, for other or unknown countries, the
 * shop's choice (`locale` as the shop's variant made it). Other languages are unchanged.
 */
export function buyerLocale(locale: string, country: string | null | undefined): string {
  if (baseLanguage(locale) !== 'es' || !country) return locale;
  const c = country.toUpperCase();
  if (c === 'ES') return 'es';
  if (LATIN_AMERICAN_SPANISH.has(c)) return normalizeLocale(`es-${c}`);
  return locale;
}
