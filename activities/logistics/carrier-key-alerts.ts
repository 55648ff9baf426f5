/**
 * Carrier key expiry: the activities of the daily audit (workflows/carrier-key-audit.ts) and the
 * health summary the operator API shows.
 *
 *   listCarrierKeysDue   keys expiring within a window (expired ones included) that still need an alert;
 *   alertCarrierKeyExpiry  one operator alert (Notification `carrier_key_expiring` / `carrier_key_expired`
 *                        + the alert webhook), once per credential and expiry — a retry or a second
 *                        audit finds it recorded on the credential and does nothing;
 *   carrierKeyHealth     per shop: ok / expiring / expired, with days left.
 */
import { log } from '@temporalio/activity';
import { CarrierCredentialModel, type CredentialCarrier } from '../../models/carrier-credential.js';
import { alertOperators } from '../conversations/notify-operators.js';
import { defaultKeySettings, listCarrierKeys, type CarrierKeySettings, type CarrierKeyStatus } from './carrier-keys.js';

const HOUR = 3_600_000;

/** log from @temporalio/activity inside an activity; stderr outside one (CLI, tests). */
const logger = {
  warn: (msg: string, fields: Record<string, unknown>) => {
    try {
      log.warn(msg, fields);
    } catch {
      process.stderr.write(`${msg} ${JSON.stringify(fields)}\n`);
    }
  },
  error: (msg: string, fields: Record<string, unknown>) => {
    try {
      log.error(msg, fields);
    } catch {
      process.stderr.write(`${msg} ${JSON.stringify(fields)}\n`);
    }
  },
};

export interface DueCarrierKey {
  shopId: string;
  carrier: string;
  /** ISO time. */
  expiresAt: string;
}

/** Keys expiring at or before now + windowHours (expired ones too) whose expired alert is not out yet. */
export async function listCarrierKeysDue(input: { now: string; windowHours: number }): Promise<DueCarrierKey[]> {
  const now = Date.parse(input.now);
  if (Number.isNaN(now)) throw new Error(`listCarrierKeysDue: now "${input.now}" is not an ISO time`);
  if (!(input.windowHours >= 0)) throw new Error(`listCarrierKeysDue: windowHours must be ≥ 0 (got ${input.windowHours})`);
  const docs = await CarrierCredentialModel.find(
    { expiresAt: { $lte: new Date(now + input.windowHours * HOUR) }, 'alerts.expiredKey': null },
    { shopId: 1, carrier: 1, expiresAt: 1 },
  )
    .sort({ expiresAt: 1 })
    .lean();
  return docs.map((d) => ({ shopId: d.shopId, carrier: d.carrier, expiresAt: d.expiresAt.toISOString() }));
}

export interface CarrierKeyAlertRequest extends DueCarrierKey {
  kind: 'expiring' | 'expired';
  /** When the alert was due (ISO): expiresAt − warn window, or expiresAt. */
  dueAt: string;
  /** The workflow's clock when it asked (ISO); recorded as the alert time. */
  now: string;
}

export interface CarrierKeyAlertOutcome {
  alerted: boolean;
  key: string;
  /** Why nothing was sent: the key was replaced (new expiry) or removed, or this alert is already out. */
  skipped?: 'rotated' | 'removed' | 'already_alerted';
  delivered?: boolean;
}

export function carrierKeyAlertKey(r: Pick<CarrierKeyAlertRequest, 'kind' | 'shopId' | 'carrier' | 'expiresAt'>): string {
  return `carrier_key_${r.kind}:${r.shopId}:${r.carrier}:${new Date(r.expiresAt).toISOString()}`;
}

export function makeAlertCarrierKeyExpiry(alertWebhookUrl: string | undefined) {
  return async function alertCarrierKeyExpiry(r: CarrierKeyAlertRequest): Promise<CarrierKeyAlertOutcome> {
    const key = carrierKeyAlertKey(r);
    const expiresAt = new Date(r.expiresAt);
    const cred = await CarrierCredentialModel.findOne({ shopId: r.shopId, carrier: r.carrier as CredentialCarrier }).lean();
    if (!cred) return { alerted: false, key, skipped: 'removed' };
    if (cred.expiresAt.getTime() !== expiresAt.getTime()) return { alerted: false, key, skipped: 'rotated' };
    const field = r.kind === 'expiring' ? 'expiringKey' : 'expiredKey';
    if (cred.alerts?.[field] === key) return { alerted: false, key, skipped: 'already_alerted' };

    const name = r.carrier.toUpperCase();
    const hoursLeft = Math.max(0, Math.round((expiresAt.getTime() - Date.parse(r.now)) / HOUR));
    const reason =
      r.kind === 'expiring'
        ? `the ${name} API key of shop ${r.shopId} expires on ${expiresAt.toISOString()} (in ${hoursLeft} h); ` +
          `rotate it: sora carriers keys rotate --shop ${r.shopId} --carrier ${r.carrier} …`
        : `the ${name} API key of shop ${r.shopId} expired on ${expiresAt.toISOString()}; ` +
          (r.carrier === '17track'
            ? 'tracking uses SORA_17TRACK_API_KEY if one is set, else tracking fails'
            : `its ${name} parcels are tracked via 17TRACK until a new key is set`);
    const sent = await alertOperators(
      key,
      { shopId: r.shopId, carrier: r.carrier, kind: `carrier_key_${r.kind}`, reason, expiresAt: r.expiresAt, dueAt: r.dueAt },
      alertWebhookUrl,
      logger,
    );
    const at = r.kind === 'expiring' ? 'expiringAt' : 'expiredAt';
    await CarrierCredentialModel.updateOne(
      { _id: cred._id, expiresAt },
      { $set: { [`alerts.${field}`]: key, [`alerts.${at}`]: new Date(r.now) } },
    );
    return { alerted: true, key, delivered: sent.delivered };
  };
}

export interface CarrierKeyHealth {
  /** The worst status over all keys ('none' when no shop has a key of its own). */
  status: CarrierKeyStatus | 'none';
  checkedAt: string;
  warnHours: number;
  counts: Record<CarrierKeyStatus, number>;
  shops: {
    shopId: string;
    status: CarrierKeyStatus;
    keys: { carrier: string; status: CarrierKeyStatus; expiresAt: string; daysLeft: number; hoursLeft: number; alertedAt: string | null }[];
  }[];
}

const RANK: Record<CarrierKeyStatus, number> = { ok: 0, expiring: 1, expired: 2 };
const worst = (a: CarrierKeyStatus, b: CarrierKeyStatus) => (RANK[b] > RANK[a] ? b : a);

export async function carrierKeyHealth(
  opts: { now?: Date; shopId?: string; settings?: CarrierKeySettings } = {},
): Promise<CarrierKeyHealth> {
  const now = opts.now ?? new Date();
  const settings = opts.settings ?? defaultKeySettings();
  const keys = await listCarrierKeys({ shopId: opts.shopId, now, settings });
  const counts: Record<CarrierKeyStatus, number> = { ok: 0, expiring: 0, expired: 0 };
  const shops = new Map<string, CarrierKeyHealth['shops'][number]>();
  let status: CarrierKeyHealth['status'] = 'none';
  for (const k of keys) {
    counts[k.status] += 1;
    status = status === 'none' ? k.status : worst(status, k.status);
    const shop = shops.get(k.shopId) ?? { shopId: k.shopId, status: 'ok' as CarrierKeyStatus, keys: [] };
    shop.status = worst(shop.status, k.status);
    shop.keys.push({
      carrier: k.carrier,
      status: k.status,
      expiresAt: k.expiresAt,
      daysLeft: k.daysLeft,
      hoursLeft: k.hoursLeft,
      alertedAt: k.status === 'expired' ? (k.alerts.expiredAt ?? k.alerts.expiringAt) : k.alerts.expiringAt,
    });
    shops.set(k.shopId, shop);
  }
  return { status, checkedAt: now.toISOString(), warnHours: settings.warnHours, counts, shops: [...shops.values()] };
}
