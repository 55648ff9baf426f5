/**
 * USPS APIs (developers.usps.com, "OAuth 2.0" v3 and "Tracking" v3):
 * - token: `POST /oauth2/v3/token`, JSON body `{grant_type: "client_credentials", client_id,
 *   client_secret}`; answers `{access_token, token_type: "Bearer", expires_in: 28799, …}`; a bad
 *   client is `{error: "invalid_client", error_description}` (401).
 * - track: `GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL` with `Authorization: Bearer`.
 *   The answer is `{trackingNumber, status, statusCategory, statusSummary, mailClass,
 *   trackingEvents: [{eventType, eventTimestamp: "2024-11-22T13:58:00" (local), GMTTimestamp,
 *   GMTOffset: "-05:00", eventCity, eventState, eventZIP, eventCountry, eventCode}]}`; errors are
 *   `{apiVersion, error: {code, message, errors: [{status, code, title, detail}]}}` (404 unknown number).
 * Event codes used here (USPS Tracking event codes): GX/MA label created / pre-shipment info,
 * 01 delivered, OF out for delivery, 16 available for pickup; others are read from their text.
 */
import { BadResponseError, NotFoundError, UnauthorizedError } from '../errors.js';
import { brief, joinUrl, readTokenResponse, send, TokenCache, withToken } from '../http.js';
import { normalizeTrackingNumber } from '../carriers.js';
import {
  isoWithOffset,
  locationText,
  newestFirst,
  overallStatus,
  statusFromText,
  withCustoms,
  type TrackingEvent,
  type TrackingResult,
  type TrackingStatus,
} from '../tracking.js';
import { isObject, str, type ClientOptions, type TrackContext, type TrackingClient } from './types.js';

export const USPS_DEFAULT_BASE_URL = 'https://apis.usps.com';

export interface UspsConfig extends ClientOptions {
  clientId: string;
  clientSecret: string;
}

const CODES: Record<string, TrackingStatus> = {
  GX: 'info_received',
  MA: 'info_received',
  '01': 'delivered',
  OF: 'out_for_delivery',
  '16': 'out_for_delivery',
};

const CATEGORIES: Record<string, TrackingStatus> = {
  'pre-shipment': 'info_received',
  accepted: 'in_transit',
  'in transit': 'in_transit',
  'out for delivery': 'out_for_delivery',
  'available for pickup': 'out_for_delivery',
  delivered: 'delivered',
  alert: 'exception',
  'delivery attempt': 'exception',
  'return to sender': 'returned',
};

interface UspsEvent {
  eventType?: string;
  eventTimestamp?: string;
  GMTTimestamp?: string;
  GMTOffset?: string;
  eventCity?: string;
  eventState?: string;
  eventZIP?: string;
  eventCountry?: string;
  eventCode?: string;
}

export function uspsStatus(code: string | undefined, text: string): TrackingStatus {
  let base = (code && CODES[code]) || 'in_transit';
  if (base === 'in_transit' || base === 'info_received') base = statusFromText(text) ?? base;
  return withCustoms(base, text);
}

export function mapUspsEvent(e: UspsEvent): TrackingEvent | undefined {
  const time =
    (e.eventTimestamp && e.GMTOffset ? isoWithOffset(e.eventTimestamp, e.GMTOffset) : undefined) ??
    (e.GMTTimestamp ? isoWithOffset(e.GMTTimestamp, 'Z') : undefined) ??
    (e.eventTimestamp ? isoWithOffset(e.eventTimestamp) : undefined);
  if (!time) return undefined;
  const description = str(e.eventType) ?? '';
  const rawCountry = str(e.eventCountry);
  // USPS gives domestic events no country and international ones a name ("CHINA"); keep a code only.
  const country = rawCountry ? (/^[A-Z]{2}$/.test(rawCountry) ? rawCountry : undefined) : e.eventZIP || e.eventState ? 'US' : undefined;
  return {
    time,
    location: { city: str(e.eventCity), country, text: locationText(e.eventCity, e.eventState, e.eventZIP, rawCountry) },
    status: uspsStatus(str(e.eventCode), description),
    description,
    carrierCode: str(e.eventCode),
  };
}

function uspsError(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (isObject(body.error)) {
    const first = Array.isArray(body.error.errors) && isObject(body.error.errors[0]) ? body.error.errors[0] : undefined;
    return [str(body.error.message), str(first?.detail)].filter(Boolean).join(': ') || undefined;
  }
  return str(body.error_description) ?? str(body.error);
}

export class UspsClient implements TrackingClient {
  readonly id = 'usps' as const;
  private readonly baseUrl: string;
  private readonly tokens: TokenCache;

  constructor(private readonly config: UspsConfig) {
    this.baseUrl = config.baseUrl ?? USPS_DEFAULT_BASE_URL;
    this.tokens = new TokenCache(async () => {
      const res = await send(
        'usps',
        {
          method: 'POST',
          url: joinUrl(this.baseUrl, '/oauth2/v3/token'),
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret }),
        },
        config,
      );
      return readTokenResponse('usps', res);
    });
  }

  async track(trackingNumber: string, ctx: TrackContext): Promise<TrackingResult> {
    const n = normalizeTrackingNumber(trackingNumber);
    const url = joinUrl(this.baseUrl, `/tracking/v3/tracking/${encodeURIComponent(n)}?expand=DETAIL`);
    const res = await withToken('usps', this.tokens, (token) =>
      send('usps', { method: 'GET', url, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, this.config),
    );
    const err = uspsError(res.body);
    if (res.status === 404) throw new NotFoundError('usps', err ?? 'tracking number not found', 404);
    if (res.status === 403) throw new UnauthorizedError('usps', `forbidden: ${err ?? brief(res.body)}`, 403);
    if (res.status === 400 && err && /not found|invalid|no record/i.test(err)) throw new NotFoundError('usps', err, 400);
    if (res.status !== 200 || !isObject(res.body))
      throw new BadResponseError('usps', `unexpected answer (${res.status}): ${brief(res.body)}`, res.status);
    const b = res.body;
    if (!Array.isArray(b.trackingEvents) && err) throw new NotFoundError('usps', err, 200);
    const events = newestFirst(
      ((b.trackingEvents as UspsEvent[] | undefined) ?? []).map(mapUspsEvent).filter((e): e is TrackingEvent => !!e),
    );
    const category = str(b.statusCategory)?.toLowerCase();
    const summary = category ? withCustoms(CATEGORIES[category] ?? 'in_transit', str(b.status) ?? '') : undefined;
    const eta = str(b.expectedDeliveryTimeStamp) ?? str(b.expectedDeliveryDate);
    return {
      carrier: ctx.carrier,
      trackingNumber: str(b.trackingNumber) ?? n,
      status: overallStatus(events, summary),
      events,
      estimatedDelivery: eta,
      source: 'carrier',
    };
  }
}
