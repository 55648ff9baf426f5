/**
 * UPS Track API (developer.ups.com, "Tracking API" v1, OAuth client credentials):
 * - token: `POST /security/v1/oauth/token`, HTTP Basic client_id:client_secret, form body
 *   `grant_type=client_credentials`; answers `{access_token, token_type, expires_in: "14399", …}`
 *   (expires_in is a string) — see UPS-API/UPS-SDKs ClientCredentialService.
 * - track: `GET /api/track/v1/details/{inquiryNumber}?locale=en_US` with `Authorization: Bearer`,
 *   `transId` (unique per request, ≤ 32 chars) and `transactionSrc` headers. The answer is
 *   `{trackResponse: {shipment: [{package: [{trackingNumber, deliveryDate: [{type, date}],
 *   currentStatus, activity: [{date: "YYYYMMDD", time: "HHMMSS", gmtDate, gmtTime, gmtOffset,
 *   location: {address: {city, stateProvince, postalCode, countryCode}}, status: {type, code,
 *   description, statusCode}}]}], warnings: [{code, message}]}]}}`.
 * - errors: `{response: {errors: [{code, message}]}}`; TW0001 "Tracking Information Not Found"
 *   (404, or a 200 warning), TV1002 "Invalid inquiry number" (400), 250002 invalid token (401).
 * status.type: M manifest/billing info received, MV voided, P pickup, I in transit, O out for
 * delivery, D delivered, X exception, RS returned to shipper, DO/DD delivered (freight), W warehousing.
 */
import { randomUUID } from 'node:crypto';
import { BadResponseError, NotFoundError, UnauthorizedError } from '../errors.js';
import { brief, joinUrl, readTokenResponse, send, TokenCache, withToken } from '../http.js';
import { normalizeTrackingNumber } from '../carriers.js';
import {
  compactDateTime,
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

export const UPS_DEFAULT_BASE_URL = 'https://onlinetools.ups.com';

export interface UpsConfig extends ClientOptions {
  clientId: string;
  clientSecret: string;
  /** transactionSrc header (default sora-cs). */
  transactionSrc?: string;
}

const TYPES: Record<string, TrackingStatus> = {
  M: 'info_received',
  MV: 'info_received',
  P: 'in_transit',
  I: 'in_transit',
  W: 'in_transit',
  NA: 'in_transit',
  O: 'out_for_delivery',
  D: 'delivered',
  DO: 'delivered',
  DD: 'delivered',
  X: 'exception',
  RS: 'returned',
};

interface UpsActivity {
  date?: string;
  time?: string;
  gmtDate?: string;
  gmtTime?: string;
  gmtOffset?: string;
  location?: { address?: { city?: string; stateProvince?: string; postalCode?: string; country?: string; countryCode?: string } };
  status?: { type?: string; code?: string; description?: string; statusCode?: string };
}

export function upsStatus(type: string | undefined, text: string): TrackingStatus {
  let base = (type && TYPES[type]) || 'in_transit';
  if (base === 'in_transit' || base === 'exception' || base === 'info_received') base = statusFromText(text) ?? base;
  return withCustoms(base, text);
}

function activityTime(a: UpsActivity): string | undefined {
  const local = a.date ? compactDateTime(a.date, a.time) : undefined;
  if (local && a.gmtOffset) return isoWithOffset(local, a.gmtOffset);
  const gmt = a.gmtDate ? compactDateTime(a.gmtDate, a.gmtTime) : undefined;
  if (gmt) return isoWithOffset(gmt, 'Z');
  return local ? isoWithOffset(local) : undefined;
}

export function mapUpsActivity(a: UpsActivity): TrackingEvent | undefined {
  const time = activityTime(a);
  if (!time) return undefined;
  const description = str(a.status?.description) ?? '';
  const ad = a.location?.address;
  const country = str(ad?.countryCode) ?? str(ad?.country);
  return {
    time,
    location: { city: str(ad?.city), country, text: locationText(ad?.city, ad?.stateProvince, ad?.postalCode, country) },
    status: upsStatus(str(a.status?.type), description),
    description,
    carrierCode: str(a.status?.code),
  };
}

function upsErrors(body: unknown): { code?: string; message?: string }[] {
  if (!isObject(body) || !isObject(body.response) || !Array.isArray(body.response.errors)) return [];
  return body.response.errors.filter(isObject).map((e) => ({ code: str(e.code), message: str(e.message) }));
}

const NOT_FOUND_CODES = new Set(['TW0001', 'TV1002']);

export class UpsClient implements TrackingClient {
  readonly id = 'ups' as const;
  private readonly baseUrl: string;
  private readonly tokens: TokenCache;

  constructor(private readonly config: UpsConfig) {
    this.baseUrl = config.baseUrl ?? UPS_DEFAULT_BASE_URL;
    this.tokens = new TokenCache(async () => {
      const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
      const res = await send(
        'ups',
        {
          method: 'POST',
          url: joinUrl(this.baseUrl, '/security/v1/oauth/token'),
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        },
        config,
      );
      return readTokenResponse('ups', res);
    });
  }

  async track(trackingNumber: string, ctx: TrackContext): Promise<TrackingResult> {
    const n = normalizeTrackingNumber(trackingNumber);
    const url = joinUrl(this.baseUrl, `/api/track/v1/details/${encodeURIComponent(n)}?locale=en_US&returnSignature=false`);
    const res = await withToken('ups', this.tokens, (token) =>
      send(
        'ups',
        {
          method: 'GET',
          url,
          headers: {
            authorization: `Bearer ${token}`,
            transId: randomUUID().replace(/-/g, ''),
            transactionSrc: this.config.transactionSrc ?? 'sora-cs',
            accept: 'application/json',
          },
        },
        this.config,
      ),
    );
    const errors = upsErrors(res.body);
    if (res.status === 404 || errors.some((e) => e.code && NOT_FOUND_CODES.has(e.code)))
      throw new NotFoundError('ups', errors[0]?.message ?? 'tracking information not found', res.status);
    if (res.status === 403) throw new UnauthorizedError('ups', `not entitled: ${brief(res.body)}`, 403);
    const shipment =
      res.status === 200 && isObject(res.body) && isObject(res.body.trackResponse) && Array.isArray(res.body.trackResponse.shipment)
        ? (res.body.trackResponse.shipment[0] as Record<string, unknown> | undefined)
        : undefined;
    if (!isObject(shipment)) throw new BadResponseError('ups', `unexpected answer (${res.status}): ${brief(res.body)}`, res.status);
    const pkg = Array.isArray(shipment.package) && isObject(shipment.package[0]) ? shipment.package[0] : undefined;
    if (!pkg) {
      const warning = Array.isArray(shipment.warnings) && isObject(shipment.warnings[0]) ? str(shipment.warnings[0].message) : undefined;
      throw new NotFoundError('ups', warning ?? 'tracking information not found', res.status);
    }
    const events = newestFirst(
      ((pkg.activity as UpsActivity[] | undefined) ?? []).map(mapUpsActivity).filter((e): e is TrackingEvent => !!e),
    );
    const cur = isObject(pkg.currentStatus) ? pkg.currentStatus : undefined;
    const summary = cur ? upsStatus(str(cur.type), str(cur.description) ?? '') : undefined;
    return {
      carrier: ctx.carrier,
      trackingNumber: n,
      status: overallStatus(events, summary),
      events,
      estimatedDelivery: estimated(pkg),
      source: 'carrier',
    };
  }
}

/** deliveryDate entries: RDD rescheduled, SDD scheduled (DEL is the actual delivery date). */
function estimated(pkg: Record<string, unknown>): string | undefined {
  const dates = Array.isArray(pkg.deliveryDate) ? pkg.deliveryDate.filter(isObject) : [];
  const d = dates.find((x) => x.type === 'RDD') ?? dates.find((x) => x.type === 'SDD');
  const m = typeof d?.date === 'string' ? /^(\d{4})(\d{2})(\d{2})$/.exec(d.date) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}
