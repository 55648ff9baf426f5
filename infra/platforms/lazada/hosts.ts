/**
 * Lazada Open Platform hosts (open.lazada.com, "API endpoints"): one REST host per country, all
 * under `/rest`; the authorization host serves /auth/token/create and /auth/token/refresh for every
 * country. A seller's country comes from the token exchange (`country`, or
 * `country_user_info[].country`) or from the SORA_LAZADA_SELLERS map; SORA_LAZADA_API_URL replaces
 * every host at once (tests point it at a local stand-in).
 */
export const LAZADA_API_HOSTS = {
  th: 'https://api.lazada.co.th/rest',
  my: 'https://api.lazada.com.my/rest',
  sg: 'https://api.lazada.sg/rest',
  vn: 'https://api.lazada.vn/rest',
  id: 'https://api.lazada.co.id/rest',
  ph: 'https://api.lazada.com.ph/rest',
} as const;

export type LazadaCountry = keyof typeof LAZADA_API_HOSTS;

export const LAZADA_COUNTRIES = Object.keys(LAZADA_API_HOSTS) as LazadaCountry[];

export const LAZADA_AUTH_HOST = 'https://auth.lazada.com/rest';

export function isLazadaCountry(v: string | null | undefined): v is LazadaCountry {
  return !!v && (LAZADA_COUNTRIES as string[]).includes(v.toLowerCase());
}

/** The REST base URL for a country; `override` (SORA_LAZADA_API_URL) wins. Unknown country → Singapore's host. */
export function apiHostFor(country: string | null | undefined, override?: string): string {
  if (override) return override.replace(/\/+$/, '');
  const c = country?.toLowerCase();
  return isLazadaCountry(c) ? LAZADA_API_HOSTS[c] : LAZADA_API_HOSTS.sg;
}
