/**
 * trackParcel: detect the carrier, ask its own API when we hold credentials for it, otherwise (or
 * when those credentials are refused, or the carrier API fails) ask the aggregator and say why in
 * `fallbackReason`.
 */
import {
  CARRIERS,
  carrierById,
  detectCarriers,
  normalizeTrackingNumber,
  type Carrier,
  type CarrierCandidate,
  type TrackingClientId,
} from './carriers.js';
import { DhlClient } from './clients/dhl.js';
import { FedexClient } from './clients/fedex.js';
import { SeventeenTrackClient } from './clients/seventeentrack.js';
import type { TrackingClient } from './clients/types.js';
import { UpsClient } from './clients/ups.js';
import { UspsClient } from './clients/usps.js';
import { CarrierError, NotFoundError, UnauthorizedError } from './errors.js';
import type { HttpOptions } from './http.js';
import type { FallbackCause, TrackingResult } from './tracking.js';

interface OAuthCredentials {
  clientId: string;
  clientSecret: string;
  baseUrl?: string;
}

export interface CarrierCredentials {
  dhl?: { apiKey: string; baseUrl?: string };
  ups?: OAuthCredentials;
  fedex?: OAuthCredentials;
  usps?: OAuthCredentials;
  seventeenTrack?: { apiKey: string; baseUrl?: string };
  /**
   * Carriers whose (shop) credentials have expired, with the expiry (ISO): tracking does not call
   * their API and asks the aggregator instead, saying why (see carrier-keys.ts credentialsForShop).
   */
  expired?: Partial<Record<DirectClientId, string>>;
}

type DirectClientId = Exclude<TrackingClientId, '17track'>;

// The worker's own credentials come from the configuration (config.carriers.credentials: SORA_DHL_API_KEY,
// SORA_UPS_CLIENT_ID/SECRET, …, SORA_<CARRIER>_BASE_URL; see docs/carriers.md).

const CREDENTIAL_NAMES: Record<DirectClientId, string> = {
  dhl: 'SORA_DHL_API_KEY',
  ups: 'SORA_UPS_CLIENT_ID/SORA_UPS_CLIENT_SECRET',
  fedex: 'SORA_FEDEX_CLIENT_ID/SORA_FEDEX_CLIENT_SECRET',
  usps: 'SORA_USPS_CLIENT_ID/SORA_USPS_CLIENT_SECRET',
};

/** Resolve a hint ("UPS", "royal-mail", "Correios", "dhl") to a registry carrier. */
export function carrierFromHint(hint: string): Carrier | undefined {
  const h = hint.trim().toLowerCase();
  if (!h) return undefined;
  const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return (
    carrierById(h) ??
    CARRIERS.find((c) => fold(c.name) === fold(h)) ??
    CARRIERS.find((c) => c.client === h && c.client !== '17track') ??
    CARRIERS.find((c) => fold(c.name).startsWith(fold(h)) || fold(c.id).startsWith(fold(h)))
  );
}

export class ParcelTracker {
  private readonly clients = new Map<TrackingClientId, TrackingClient>();

  constructor(
    private readonly credentials: CarrierCredentials,
    private readonly http: HttpOptions = {},
  ) {}

  private client(id: TrackingClientId): TrackingClient | undefined {
    const cached = this.clients.get(id);
    if (cached) return cached;
    const c = this.credentials;
    const h = this.http;
    const made =
      id === 'dhl' && c.dhl
        ? new DhlClient({ ...h, ...c.dhl })
        : id === 'ups' && c.ups
          ? new UpsClient({ ...h, ...c.ups })
          : id === 'fedex' && c.fedex
            ? new FedexClient({ ...h, ...c.fedex })
            : id === 'usps' && c.usps
              ? new UspsClient({ ...h, ...c.usps })
              : id === '17track' && c.seventeenTrack
                ? new SeventeenTrackClient({ ...h, ...c.seventeenTrack })
                : undefined;
    if (made) this.clients.set(id, made);
    return made;
  }

  /** The carrier we will ask about: the hint when it names one, else the best detected candidate. */
  pick(trackingNumber: string, carrierHint?: string): { carrier?: Carrier; candidate?: CarrierCandidate; candidates: CarrierCandidate[] } {
    const candidates = detectCarriers(trackingNumber);
    const hinted = carrierHint ? carrierFromHint(carrierHint) : undefined;
    if (hinted) return { carrier: hinted, candidate: candidates.find((c) => c.carrier.id === hinted.id), candidates };
    const best = candidates.find((c) => c.checkDigit !== 'invalid');
    return { carrier: best?.carrier, candidate: best, candidates };
  }

  async track(trackingNumber: string, carrierHint?: string): Promise<TrackingResult> {
    const n = normalizeTrackingNumber(trackingNumber);
    const { carrier, candidate, candidates } = this.pick(n, carrierHint);
    const aggregatorCode = candidate?.aggregatorCode ?? carrier?.aggregatorCode;
    let reason: string | undefined;
    let cause: FallbackCause | undefined;
    const expiredAt = carrier && carrier.client !== '17track' ? this.credentials.expired?.[carrier.client] : undefined;
    if (!carrier) {
      cause = 'carrier_undetected';
      reason = candidates.length
        ? `check digit fails for every matching format (${candidates.map((c) => c.carrier.id).join(', ')}); asked 17TRACK to detect the carrier`
        : 'no carrier format matches; asked 17TRACK to detect the carrier';
    } else if (expiredAt) {
      cause = 'credentials_expired';
      reason = `the ${carrier.client.toUpperCase()} API key expired on ${expiredAt}; tracked via 17TRACK instead`;
    } else if (carrier.client !== '17track') {
      const direct = this.client(carrier.client);
      if (!direct) {
        cause = 'no_credentials';
        reason = `no ${carrier.client.toUpperCase()} API credentials (${CREDENTIAL_NAMES[carrier.client]})`;
      } else {
        try {
          return await direct.track(n, { carrier: carrier.id, aggregatorCode });
        } catch (e) {
          if (!(e instanceof CarrierError) || !this.client('17track')) throw e;
          cause = e instanceof UnauthorizedError ? 'credentials_refused' : e instanceof NotFoundError ? 'not_found' : 'api_failed';
          reason =
            e instanceof UnauthorizedError
              ? `${carrier.client.toUpperCase()} credentials refused (${e.message})`
              : e instanceof NotFoundError
                ? `${carrier.client.toUpperCase()} has no record of it (${e.message})`
                : `${carrier.client.toUpperCase()} API failed (${e.message})`;
        }
      }
    }
    const aggregator = this.client('17track');
    if (!aggregator) {
      throw new UnauthorizedError('17track', `no aggregator credentials (SORA_17TRACK_API_KEY)${reason ? `; ${reason}` : ''}`);
    }
    const result = await aggregator.track(n, { carrier: carrier?.id ?? 'unknown', aggregatorCode });
    return reason ? { ...result, fallbackReason: reason, fallbackCause: cause } : result;
  }
}

const trackers = new Map<string, ParcelTracker>();

export interface TrackParcelInput {
  trackingNumber: string;
  /** A carrier the order already names (registry id or name); overrides detection. */
  carrierHint?: string;
  credentials: CarrierCredentials;
  http?: HttpOptions;
}

/** One tracker (so one OAuth token cache) per distinct set of credentials in this process. */
export async function trackParcel(input: TrackParcelInput): Promise<TrackingResult> {
  const key = JSON.stringify([input.credentials, input.http ?? {}]);
  let tracker = trackers.get(key);
  if (!tracker) {
    tracker = new ParcelTracker(input.credentials, input.http);
    trackers.set(key, tracker);
  }
  return tracker.track(input.trackingNumber, input.carrierHint);
}
