/**
 * FedEx Track API (developer.fedex.com, "Track API" v1, OAuth client credentials):
 * - token: `POST /oauth/token`, form body `grant_type=client_credentials&client_id=…&client_secret=…`;
 *   answers `{access_token, token_type: "bearer", expires_in: 3599, scope}`.
 * - track: `POST /track/v1/trackingnumbers` with `Authorization: Bearer`, body
 *   `{includeDetailedScans: true, trackingInfo: [{trackingNumberInfo: {trackingNumber}}]}`. The answer
 *   is `{transactionId, output: {completeTrackResults: [{trackingNumber, trackResults: [{
 *   latestStatusDetail: {code, derivedCode, description}, dateAndTimes: [{type, dateTime}],
 *   scanEvents: [{date: "2018-02-02T12:01:00-07:00", eventType, eventDescription, exceptionCode,
 *   exceptionDescription, derivedStatusCode, scanLocation: {city, stateOrProvinceCode, postalCode,
 *   countryCode}}], error: {code, message}}]}]}}`. An unknown number is a 200 whose trackResult has
 *   `error.code` TRACKING.TRACKINGNUMBER.NOTFOUND; request errors are `{errors: [{code, message}]}`
 *   (401 NOT.AUTHORIZED.ERROR, 429 TOO.MANY.REQUESTS …).
 * Event types (FedEx "Track status codes"): OC order created; PU picked up; AR/DP/IT/AF/… in
 * transit; OD on vehicle for delivery; DL delivered; DE/SE/DY/DD/PD/CA exceptions; RS return to
 * shipper; CC cleared customs; CD clearance delay; CP clearance in progress.
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

export const FEDEX_DEFAULT_BASE_URL = 'https://apis.fedex.com';

export interface FedexConfig extends ClientOptions {
  clientId: string;
  clientSecret: string;
}

const CODES: Record<string, TrackingStatus> = {
  OC: 'info_received',
  OD: 'out_for_delivery',
  DL: 'delivered',
  DE: 'exception',
  SE: 'exception',
  DY: 'exception',
  DD: 'exception',
  PD: 'exception',
  CA: 'exception',
  RS: 'returned',
  CC: 'customs_cleared',
  CD: 'customs_hold',
  CP: 'customs_hold',
};

interface FedexScan {
  date?: string;
  eventType?: string;
  eventDescription?: string;
  exceptionCode?: string;
  exceptionDescription?: string;
  derivedStatusCode?: string;
  scanLocation?: { city?: string; stateOrProvinceCode?: string; postalCode?: string; countryCode?: string };
}

export function fedexStatus(code: string | undefined, text: string): TrackingStatus {
  let base = (code && CODES[code]) || 'in_transit';
  if (base === 'in_transit' || base === 'exception' || base === 'info_received') base = statusFromText(text) ?? base;
  return withCustoms(base, text);
}

export function mapFedexScan(s: FedexScan): TrackingEvent | undefined {
  const time = s.date ? isoWithOffset(s.date) : undefined;
  if (!time) return undefined;
  const description = [str(s.eventDescription), str(s.exceptionDescription)].filter(Boolean).join(' - ');
  const l = s.scanLocation;
  const code = str(s.eventType) ?? str(s.derivedStatusCode);
  return {
    time,
    location: {
      city: str(l?.city),
      country: str(l?.countryCode),
      text: locationText(l?.city, l?.stateOrProvinceCode, l?.postalCode, l?.countryCode),
    },
    status: fedexStatus(code, description),
    description,
    carrierCode: code,
  };
}

export class FedexClient implements TrackingClient {
  readonly id = 'fedex' as const;
  private readonly baseUrl: string;
  private readonly tokens: TokenCache;

  constructor(private readonly config: FedexConfig) {
    this.baseUrl = config.baseUrl ?? FEDEX_DEFAULT_BASE_URL;
    this.tokens = new TokenCache(async () => {
      const res = await send(
        'fedex',
        {
          method: 'POST',
          url: joinUrl(this.baseUrl, '/oauth/token'),
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: config.clientId,
            client_secret: config.clientSecret,
          }).toString(),
        },
        config,
      );
      return readTokenResponse('fedex', res);
    });
  }

  async track(trackingNumber: string, ctx: TrackContext): Promise<TrackingResult> {
    const n = normalizeTrackingNumber(trackingNumber);
    const body = JSON.stringify({ includeDetailedScans: true, trackingInfo: [{ trackingNumberInfo: { trackingNumber: n } }] });
    const res = await withToken('fedex', this.tokens, (token) =>
      send(
        'fedex',
        {
          method: 'POST',
          url: joinUrl(this.baseUrl, '/track/v1/trackingnumbers'),
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-locale': 'en_US',
            accept: 'application/json',
          },
          body,
        },
        this.config,
      ),
    );
    const errs = isObject(res.body) && Array.isArray(res.body.errors) ? res.body.errors.filter(isObject) : [];
    const errCode = str(errs[0]?.code) ?? '';
    if (res.status === 404 || /NOTFOUND|INVALID/.test(errCode))
      throw new NotFoundError('fedex', str(errs[0]?.message) ?? 'tracking number not found', res.status);
    if (res.status === 403) throw new UnauthorizedError('fedex', `forbidden: ${brief(res.body)}`, 403);
    const output = res.status === 200 && isObject(res.body) && isObject(res.body.output) ? res.body.output : undefined;
    const complete = output && Array.isArray(output.completeTrackResults) ? output.completeTrackResults.find(isObject) : undefined;
    const result = complete && Array.isArray(complete.trackResults) ? complete.trackResults.find(isObject) : undefined;
    if (!result) throw new BadResponseError('fedex', `unexpected answer (${res.status}): ${brief(res.body)}`, res.status);
    if (isObject(result.error)) {
      const code = str(result.error.code) ?? '';
      if (/NOTFOUND|INVALID/.test(code)) throw new NotFoundError('fedex', str(result.error.message) ?? code, 200);
      throw new BadResponseError('fedex', `${code}: ${str(result.error.message) ?? ''}`, 200);
    }
    const events = newestFirst(
      ((result.scanEvents as FedexScan[] | undefined) ?? []).map(mapFedexScan).filter((e): e is TrackingEvent => !!e),
    );
    const latest = isObject(result.latestStatusDetail) ? result.latestStatusDetail : undefined;
    const summary = latest ? fedexStatus(str(latest.derivedCode) ?? str(latest.code), str(latest.description) ?? '') : undefined;
    const dates = Array.isArray(result.dateAndTimes) ? result.dateAndTimes.filter(isObject) : [];
    const eta = str(dates.find((d) => d.type === 'ESTIMATED_DELIVERY')?.dateTime);
    return {
      carrier: ctx.carrier,
      trackingNumber: n,
      status: overallStatus(events, summary),
      events,
      estimatedDelivery: eta ? isoWithOffset(eta) : undefined,
      source: 'carrier',
    };
  }
}
