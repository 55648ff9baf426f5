/**
 * Carrier key expiry, on workflow timers.
 *
 * `carrierKeyAudit` runs daily from the Temporal Schedule `sora-carrier-key-audit`
 * (scripts/carrier-key-schedule.ts). It lists the keys that expire within the warning window plus a
 * look-ahead (default 72 h + 48 h, so a key is always picked up before its alert is due even if one
 * run is late or missed) and has an activity start one `carrierKeyExpiryWatch` per key and expiry
 * (activities/logistics/carrier-key-watches.ts). The watch id `carrier-key-watch:{shop}:{carrier}:
 * {expiresAt}` with REJECT_DUPLICATE makes that idempotent: the next day's audit finds the watch and
 * leaves it. (Separate workflows, not abandoned children: nothing waits for them.)
 *
 * The watch sleeps until exactly expiresAt − warnHours and raises the `expiring` alert, then until
 * expiresAt and raises the `expired` alert. A key replaced in the meantime (new expiry) or removed
 * ends the watch without an alert; the new expiry gets its own watch from a later audit.
 */
import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const HOUR = 3_600_000;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

export interface CarrierKeyAuditInput {
  /** Alert this many hours before expiry (SORA_CARRIER_KEY_WARN_HOURS, 72). */
  warnHours: number;
  /** Start watches this many hours before the alert is due (default 48: two daily runs). */
  lookaheadHours?: number;
}

export interface CarrierKeyWatchInput {
  shopId: string;
  carrier: string;
  /** ISO time. */
  expiresAt: string;
  warnHours: number;
}

export interface CarrierKeyAuditResult {
  due: number;
  watchesStarted: string[];
  alreadyWatched: string[];
}

export async function carrierKeyAudit(input: CarrierKeyAuditInput): Promise<CarrierKeyAuditResult> {
  const windowHours = input.warnHours + (input.lookaheadHours ?? 48);
  const due = await acts.listCarrierKeysDue({ now: new Date(Date.now()).toISOString(), windowHours });
  const r = due.length ? await acts.startCarrierKeyWatches({ keys: due, warnHours: input.warnHours }) : { started: [], alreadyWatched: [] };
  const result: CarrierKeyAuditResult = { due: due.length, watchesStarted: r.started, alreadyWatched: r.alreadyWatched };
  log.info('carrier key audit', { due: result.due, started: result.watchesStarted.length, already: result.alreadyWatched.length });
  return result;
}

/** Workflow-clock sleep until `t` (never wakes early). */
async function sleepUntil(t: number): Promise<void> {
  while (Date.now() < t) await sleep(t - Date.now());
}

export async function carrierKeyExpiryWatch(input: CarrierKeyWatchInput): Promise<{ expiring: string; expired: string }> {
  const expiresAt = Date.parse(input.expiresAt);
  const warnAt = expiresAt - input.warnHours * HOUR;
  const iso = (t: number) => new Date(t).toISOString();
  const key = { shopId: input.shopId, carrier: input.carrier, expiresAt: input.expiresAt };
  let expiring = 'not sent: the key had already expired when the watch started';
  if (Date.now() < expiresAt) {
    await sleepUntil(warnAt);
    const r = await acts.alertCarrierKeyExpiry({ ...key, kind: 'expiring', dueAt: iso(warnAt), now: iso(Date.now()) });
    expiring = r.alerted ? `alerted at ${iso(Date.now())}` : `not sent: ${r.skipped}`;
    if (r.skipped === 'rotated' || r.skipped === 'removed') return { expiring, expired: `not sent: ${r.skipped}` };
  }
  await sleepUntil(expiresAt);
  const r = await acts.alertCarrierKeyExpiry({ ...key, kind: 'expired', dueAt: iso(expiresAt), now: iso(Date.now()) });
  return { expiring, expired: r.alerted ? `alerted at ${iso(Date.now())}` : `not sent: ${r.skipped}` };
}
