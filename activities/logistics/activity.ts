/**
 * The `trackParcel` activity: tracks with the shop's own carrier keys when the input names a shop
 * (carrier-keys.ts; an expired one sends the parcel to 17TRACK, and the result says so), else with
 * the credentials of this worker's environment, and turns
 * the clients' typed errors into Temporal failures — not found / credentials refused / bad answers
 * are non-retryable; rate limits and server errors are retried by Temporal (after the clients' own
 * short, bounded retries), a rate limit after the carrier's Retry-After.
 */
import { recordParcelStatus } from '../../models/parcel-status.js';
import { factEvents } from '../insights/fact-events.js';
import { Context, log } from '@temporalio/activity';
import { markAdvancedTracking } from '../../models/conversation.js';
import { ApplicationFailure } from '@temporalio/common';
import { credentialsForShop } from './carrier-keys.js';
import { CarrierError, RateLimitedError } from './errors.js';
import type { HttpOptions } from './http.js';
import { trackParcel as trackWith, type CarrierCredentials } from './track.js';
import type { TrackingResult } from './tracking.js';
import type { SecretBox } from '../../infra/secrets/index.js';

export interface TrackParcelActivityInput {
  trackingNumber: string;
  carrierHint?: string;
  /** Use this shop's own carrier keys first (models/carrier-credential.ts). */
  shopId?: string;
}

/**
 * `credentials`: the worker's own (config.carriers.credentials); a shop's own keys come first,
 * opened with `secrets` (the worker's SecretBox, infra/secrets).
 */
export function makeTrackParcel(credentials: CarrierCredentials = {}, http?: HttpOptions, secrets?: SecretBox) {
  return async function trackParcel(input: TrackParcelActivityInput): Promise<TrackingResult> {
    try {
      const creds = input.shopId ? await credentialsForShop(input.shopId, { base: credentials, secrets }) : credentials;
      const result = await trackWith({ trackingNumber: input.trackingNumber, carrierHint: input.carrierHint, credentials: creds, http });
      if (result.fallbackCause === 'credentials_expired') warnExpired(input.shopId, result.fallbackReason);
      // The newest fact for the desk's buyer sidebar; a failure to record it does not fail the tracking.
      if (input.shopId) await recordParcelStatus(input.shopId, result).catch((e) => warnNotRecorded(input.trackingNumber, e));
      // Metering: an answer from the carrier's own API is billed as advanced tracking (models/usage.ts).
      if (result.source === 'carrier') await markConversation().catch((e) => warnNotRecorded(input.trackingNumber, e));
      // Service events (issue 17): the parcel's status, and a customs hold as its own fact.
      if (input.shopId) {
        const parcel = { ref: input.trackingNumber, found: true, status: result.status, carrier: result.carrier };
        factEvents(input.shopId, [
          { kind: 'parcel', ...parcel },
          ...(result.status === 'customs_hold' ? [{ kind: 'customs_hold' as const, ...parcel }] : []),
        ]);
      }
      return result;
    } catch (e) {
      throw toTrackingFailure(e);
    }
  };
}

/** The conversation whose workflow called this activity used advanced tracking (nothing outside an activity). */
async function markConversation(): Promise<void> {
  let workflowId: string | undefined;
  try {
    workflowId = Context.current().info.workflowExecution?.workflowId;
  } catch {
    return; // called outside an activity (CLI `sora track`, tests)
  }
  if (workflowId) await markAdvancedTracking(workflowId);
}

function warnNotRecorded(trackingNumber: string, e: unknown): void {
  try {
    log.warn('parcel status not recorded', { trackingNumber, error: String(e) });
  } catch {
    // outside an activity
  }
}

function warnExpired(shopId: string | undefined, reason: string | undefined): void {
  try {
    log.warn('tracking fell back to 17TRACK: carrier key expired', { shopId, reason });
  } catch {
    // called outside an activity (tests, CLI): the result carries the reason
  }
}

export function toTrackingFailure(e: unknown): unknown {
  if (!(e instanceof CarrierError)) return e;
  return ApplicationFailure.create({
    message: e.message,
    type: e.name,
    nonRetryable: !e.retryable,
    nextRetryDelay: e instanceof RateLimitedError && e.retryAfterMs ? e.retryAfterMs : undefined,
    details: [{ client: e.client, status: e.status ?? null }],
    cause: e,
  });
}
