/**
 * The `trackParcel` activity: tracks with the credentials of this worker's environment and turns
 * the clients' typed errors into Temporal failures — not found / credentials refused / bad answers
 * are non-retryable; rate limits and server errors are retried by Temporal (after the clients' own
 * short, bounded retries), a rate limit after the carrier's Retry-After.
 */
import { ApplicationFailure } from '@temporalio/common';
import { CarrierError, RateLimitedError } from './errors.js';
import type { HttpOptions } from './http.js';
import { credentialsFromEnv, ParcelTracker, type CarrierCredentials } from './track.js';
import type { TrackingResult } from './tracking.js';

export interface TrackParcelActivityInput {
  trackingNumber: string;
  carrierHint?: string;
}

export function makeTrackParcel(credentials: CarrierCredentials = credentialsFromEnv(), http?: HttpOptions) {
  const tracker = new ParcelTracker(credentials, http);
  return async function trackParcel(input: TrackParcelActivityInput): Promise<TrackingResult> {
    try {
      return await tracker.track(input.trackingNumber, input.carrierHint);
    } catch (e) {
      throw toTrackingFailure(e);
    }
  };
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
