/**
 * The desk's first admin, without a default password: when no agent has the admin role, the start
 * creates agent `admin` (every shop, no password) and prints a one-time sign-in link once, straight
 * to the console (never through the logger). Later starts find an admin and print nothing; a lost or
 * expired link is replaced with `sora agents link --id admin`.
 */
import { AgentModel, ALL_SHOPS } from '../models/agent.js';
import { createSignInLink, signInLinkUrl, SIGN_IN_LINK_TTL_MS } from '../models/sign-in-link.js';

export const FIRST_ADMIN_ID = 'admin';

/** Where sign-in links point: SORA_DESK_URL, else the gateway's own address. */
export function deskBaseUrl(gateway: { host: string; port: number; deskUrl?: string }, listeningUrl?: string): string {
  if (gateway.deskUrl) return gateway.deskUrl.replace(/\/+$/, '');
  if (listeningUrl) return listeningUrl;
  const host = gateway.host === '0.0.0.0' || gateway.host === '::' ? '127.0.0.1' : gateway.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${gateway.port}`;
}

export function firstAdminNotice(url: string): string {
  return [
    '',
    '================================================================================',
    ` Seller's desk: the first admin "${FIRST_ADMIN_ID}" was created (every shop, no password yet).`,
    ' Open this one-time link to choose the password and sign in:',
    '',
    `   ${url}`,
    '',
    ` It works once, for ${SIGN_IN_LINK_TTL_MS / 3_600_000} h, and is shown only now. A new one: sora agents link --id ${FIRST_ADMIN_ID}`,
    '================================================================================',
    '',
  ].join('\n');
}

/** Create the first admin and its link when no admin exists; `print` gets the notice. Returns the link's URL or null. */
export async function bootstrapFirstAdmin(o: { baseUrl: string; print: (text: string) => void }): Promise<string | null> {
  if (await AgentModel.exists({ role: 'admin' })) return null;
  try {
    await AgentModel.create({ _id: FIRST_ADMIN_ID, name: 'Administrator', role: 'admin', shopIds: [ALL_SHOPS], capacity: 0 });
  } catch (e) {
    // Another process starting at the same time created it (or an agent of that id exists): nothing to print here.
    if ((e as { code?: number }).code === 11000) return null;
    throw e;
  }
  const link = await createSignInLink(FIRST_ADMIN_ID);
  const url = signInLinkUrl(o.baseUrl, link.token);
  o.print(firstAdminNotice(url));
  return url;
}
