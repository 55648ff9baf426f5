/**
 * Per-shop carrier API credentials with an expiry (models/carrier-credential.ts): set / rotate /
 * list / remove, their status (ok / expiring / expired), and the credentials tracking uses for a
 * shop — the shop's own keys first, the SORA_* environment keys otherwise; an expired shop key is
 * not used and tracking asks 17TRACK instead (track.ts says so in the result).
 *
 * Secrets never leave this module except into the tracking clients: views carry a fingerprint
 * (first 8 hex of a SHA-256), never the key. They are sealed at rest with the SecretBox the caller
 * passes in (`secrets`, infra/secrets; models/carrier-credential.ts CARRIER_SECRETS).
 */
import { createHash } from 'node:crypto';
import {
  API_KEY_CARRIERS,
  CARRIER_SECRETS,
  CarrierCredentialModel,
  CREDENTIAL_CARRIERS,
  type CredentialCarrier,
} from '../../models/carrier-credential.js';
import { isSealed, SecretsError, type SecretBox } from '../../infra/secrets/index.js';
import { ShopModel } from '../../models/shop.js';
import { defaultConfig } from '../../infra/config/index.js';
import type { CarrierCredentials } from './track.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface CarrierKeySettings {
  /** Lifetime of a key set without an explicit expiry (SORA_CARRIER_KEY_TTL_DAYS, default 90). */
  ttlDays: number;
  /** Alert this long before expiry (SORA_CARRIER_KEY_WARN_HOURS, default 72). */
  warnHours: number;
  /** When the audit runs (SORA_CARRIER_KEY_AUDIT_CRON, default daily 06:00 UTC). */
  auditCron: string;
}

/** The default settings (callers with a configuration pass config.carriers.keys). */
export const defaultKeySettings = (): CarrierKeySettings => defaultConfig().carriers.keys;

/** Bad input (unknown carrier, missing secret, bad date…); the message says what to fix. */
export class CarrierKeyError extends Error {
  override name = 'CarrierKeyError';
}

export type CarrierKeyStatus = 'ok' | 'expiring' | 'expired';

export function carrierKeyStatus(expiresAt: Date, now: Date, warnHours: number): CarrierKeyStatus {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return 'expired';
  return left <= warnHours * HOUR ? 'expiring' : 'ok';
}

/** What may be shown of a stored credential. */
export interface CarrierKeyView {
  shopId: string;
  carrier: CredentialCarrier;
  /** Which fields are set (e.g. ["apiKey"] or ["clientId", "clientSecret"]), and a fingerprint of them. */
  fields: string[];
  fingerprint: string;
  baseUrl: string | null;
  expiresAt: string;
  createdAt: string | null;
  rotatedAt: string | null;
  status: CarrierKeyStatus;
  /** Whole days left (negative once expired), and hours for the last days. */
  daysLeft: number;
  hoursLeft: number;
  alerts: { expiringAt: string | null; expiredAt: string | null };
}

interface StoredCredential {
  shopId: string;
  carrier: string;
  apiKey?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
  fingerprint?: string | null;
  baseUrl?: string | null;
  expiresAt: Date;
  createdAt?: Date | null;
  rotatedAt?: Date | null;
  alerts?: { expiringAt?: Date | null; expiredAt?: Date | null } | null;
}

const SECRET_FIELDS = ['apiKey', 'clientId', 'clientSecret'] as const;

/** 8 hex of a SHA-256 over the plaintext secrets. */
const fingerprintOf = (plain: Pick<StoredCredential, (typeof SECRET_FIELDS)[number]>) =>
  createHash('sha256')
    .update(
      SECRET_FIELDS.filter((f) => plain[f])
        .map((f) => plain[f])
        .join('\0'),
    )
    .digest('hex')
    .slice(0, 8);

/**
 * The stored fingerprint; for a record stored before fingerprints were (its secrets plaintext, or
 * sealed by a migration) the one computed from its secrets, opened with `box` when given.
 */
function storedFingerprint(d: StoredCredential, box?: SecretBox): string {
  if (d.fingerprint) return d.fingerprint;
  if (box) return fingerprintOf(CARRIER_SECRETS.open(box, d));
  return SECRET_FIELDS.some((f) => isSealed(d[f])) ? '(sealed)' : fingerprintOf(d);
}

function view(d: StoredCredential, now: Date, warnHours: number, box?: SecretBox): CarrierKeyView {
  const left = d.expiresAt.getTime() - now.getTime();
  const fields = SECRET_FIELDS.filter((f) => d[f]);
  return {
    shopId: d.shopId,
    carrier: d.carrier as CredentialCarrier,
    fields: [...fields],
    fingerprint: storedFingerprint(d, box),
    baseUrl: d.baseUrl ?? null,
    expiresAt: d.expiresAt.toISOString(),
    createdAt: d.createdAt?.toISOString() ?? null,
    rotatedAt: d.rotatedAt?.toISOString() ?? null,
    status: carrierKeyStatus(d.expiresAt, now, warnHours),
    daysLeft: Math.floor(left / DAY),
    hoursLeft: Math.floor(left / HOUR),
    alerts: { expiringAt: d.alerts?.expiringAt?.toISOString() ?? null, expiredAt: d.alerts?.expiredAt?.toISOString() ?? null },
  };
}

export function parseCarrier(raw: string): CredentialCarrier {
  const c = raw.trim().toLowerCase();
  if (!(CREDENTIAL_CARRIERS as readonly string[]).includes(c))
    throw new CarrierKeyError(`unknown carrier "${raw}"; per-shop keys exist for ${CREDENTIAL_CARRIERS.join(', ')}`);
  return c as CredentialCarrier;
}

/** "2026-03-01" (00:00 UTC that day) or a full ISO time. */
export function parseExpiry(raw: string | Date): Date {
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new CarrierKeyError('the expiry is not a valid date');
    return raw;
  }
  const s = raw.trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(s) ? new Date(s) : null;
  if (!d || Number.isNaN(d.getTime())) throw new CarrierKeyError(`expiry "${raw}" is not a date (use YYYY-MM-DD or an ISO time)`);
  return d;
}

export interface SetCarrierKeyInput {
  shopId: string;
  carrier: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  baseUrl?: string;
  /** Default: now + SORA_CARRIER_KEY_TTL_DAYS. */
  expiresAt?: string | Date;
  /** Rotation only: fail when the shop has no key for this carrier yet. */
  mustExist?: boolean;
  now?: Date;
  settings?: CarrierKeySettings;
  /** Seals the secrets (the entry point's box, infra/secrets). */
  secrets: SecretBox;
}

/**
 * Store (or replace: rotation) a shop's key for one carrier. A replaced key gets a new expiry and
 * its alerts start afresh (they are keyed by expiry).
 */
export async function setCarrierKey(input: SetCarrierKeyInput): Promise<CarrierKeyView & { rotated: boolean }> {
  const settings = input.settings ?? defaultKeySettings();
  const now = input.now ?? new Date();
  const shopId = input.shopId?.trim();
  if (!shopId) throw new CarrierKeyError('a shop id is required');
  if (!(await ShopModel.exists({ shopId }))) throw new CarrierKeyError(`no shop "${shopId}"`);
  const carrier = parseCarrier(input.carrier);
  const t = (v?: string) => v?.trim() || undefined;
  const [apiKey, clientId, clientSecret] = [t(input.apiKey), t(input.clientId), t(input.clientSecret)];
  const secrets = API_KEY_CARRIERS.includes(carrier)
    ? (() => {
        if (!apiKey) throw new CarrierKeyError(`${carrier} needs an API key (--api-key)`);
        if (clientId || clientSecret) throw new CarrierKeyError(`${carrier} uses an API key, not a client id/secret`);
        return { apiKey, clientId: null, clientSecret: null };
      })()
    : (() => {
        if (!clientId || !clientSecret)
          throw new CarrierKeyError(`${carrier} needs an OAuth client id and secret (--client-id, --client-secret)`);
        if (apiKey) throw new CarrierKeyError(`${carrier} uses an OAuth client id/secret, not an API key`);
        return { apiKey: null, clientId, clientSecret };
      })();
  const baseUrl = t(input.baseUrl) ?? null;
  if (baseUrl && !/^https?:\/\/[^\s/]+/.test(baseUrl)) throw new CarrierKeyError(`base URL "${baseUrl}" is not an http(s) URL`);
  const expiresAt = input.expiresAt !== undefined ? parseExpiry(input.expiresAt) : new Date(now.getTime() + settings.ttlDays * DAY);
  if (expiresAt.getTime() <= now.getTime())
    throw new CarrierKeyError(`the expiry ${expiresAt.toISOString()} is not in the future; a key that has expired cannot be set`);

  const existing = await CarrierCredentialModel.exists({ shopId, carrier });
  if (input.mustExist && !existing) throw new CarrierKeyError(`shop ${shopId} has no ${carrier} key to rotate; use "keys set"`);
  const doc = await CarrierCredentialModel.findOneAndUpdate(
    { shopId, carrier },
    {
      $set: {
        ...CARRIER_SECRETS.seal(input.secrets, secrets),
        fingerprint: fingerprintOf(secrets),
        baseUrl,
        expiresAt,
        rotatedAt: existing ? now : null,
        alerts: { expiringKey: null, expiringAt: null, expiredKey: null, expiredAt: null },
      },
      $setOnInsert: { shopId, carrier },
    },
    { upsert: true, returnDocument: 'after' },
  ).lean<StoredCredential>();
  return { ...view(doc!, now, settings.warnHours, input.secrets), rotated: !!existing };
}

export async function listCarrierKeys(
  opts: { shopId?: string; now?: Date; settings?: CarrierKeySettings; secrets?: SecretBox } = {},
): Promise<CarrierKeyView[]> {
  const settings = opts.settings ?? defaultKeySettings();
  const docs = await CarrierCredentialModel.find(opts.shopId ? { shopId: opts.shopId } : {})
    .sort({ shopId: 1, carrier: 1 })
    .lean<StoredCredential[]>();
  return docs.map((d) => view(d, opts.now ?? new Date(), settings.warnHours, opts.secrets));
}

export async function removeCarrierKey(shopId: string, carrier: string): Promise<boolean> {
  const r = await CarrierCredentialModel.deleteOne({ shopId, carrier: parseCarrier(carrier) });
  return r.deletedCount === 1;
}

/**
 * The credentials to track a shop's parcels with: its own unexpired keys over `base`, the worker's
 * own (config.carriers.credentials, the SORA_* keys).
 * An expired carrier key removes that carrier (tracking goes to 17TRACK and says why) rather than
 * silently using the environment's key, which may belong to another account; an expired 17TRACK
 * key falls back to SORA_17TRACK_API_KEY, as the aggregator has nothing behind it.
 */
export async function credentialsForShop(
  shopId: string,
  opts: { now?: Date; base?: CarrierCredentials; secrets?: SecretBox } = {},
): Promise<CarrierCredentials> {
  const now = opts.now ?? new Date();
  const base = opts.base ?? {};
  const docs = (await CarrierCredentialModel.find({ shopId }).lean<StoredCredential[]>()).map((d) => {
    if (opts.secrets) return CARRIER_SECRETS.open(opts.secrets, d);
    if (SECRET_FIELDS.some((f) => isSealed(d[f])))
      throw new SecretsError(`the ${d.carrier} key of shop ${shopId} is sealed and no master key was passed in (secrets)`);
    return d;
  });
  const out: CarrierCredentials = { ...base, expired: { ...base.expired } };
  for (const d of docs) {
    const live = d.expiresAt.getTime() > now.getTime();
    const c = d.carrier as CredentialCarrier;
    if (c === '17track') {
      if (live) out.seventeenTrack = { apiKey: d.apiKey!, baseUrl: d.baseUrl ?? base.seventeenTrack?.baseUrl };
      continue;
    }
    if (!live) {
      delete out[c];
      out.expired![c] = d.expiresAt.toISOString();
    } else if (c === 'dhl') {
      out.dhl = { apiKey: d.apiKey!, baseUrl: d.baseUrl ?? base.dhl?.baseUrl };
      delete out.expired![c];
    } else {
      out[c] = { clientId: d.clientId!, clientSecret: d.clientSecret!, baseUrl: d.baseUrl ?? base[c]?.baseUrl };
      delete out.expired![c];
    }
  }
  if (Object.keys(out.expired!).length === 0) delete out.expired;
  return out;
}
