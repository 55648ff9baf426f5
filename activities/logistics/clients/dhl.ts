/**
 * DHL Shipment Tracking – Unified API (developer.dhl.com, "Shipment Tracking - Unified", OpenAPI
 * dpdhl_tracking-unified-api 1.x): `GET /track/shipments?trackingNumber=…` with the `DHL-API-Key`
 * header; one API for DHL Express, eCommerce, Parcel and Freight numbers. The answer is
 * `{shipments: [{id, service, status, estimatedTimeOfDelivery, events: [{timestamp, location:
 * {address: {addressLocality, postalCode, countryCode}}, statusCode, status, description}]}]}`,
 * statusCode ∈ pre-transit | transit | delivered | failure | unknown. Errors are RFC 7807 problem
 * documents `{status, title, detail}`: 404 no shipment, 401 bad key, 429 over the quota.
 * The key is a plain API key (no OAuth), so a 401 is final.
 * Pagination: `offset`/`limit` page through shipments (a number can match several services);
 * we ask for the first 5 and take the one whose id is the number.
 */
import { BadResponseError, NotFoundError, UnauthorizedError } from '../errors.js';
import { brief, joinUrl, send } from '../http.js';
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

export const DHL_DEFAULT_BASE_URL = 'https://api-eu.dhl.com';

export interface DhlConfig extends ClientOptions {
  apiKey: string;
  /** Language of event descriptions (default en). */
  language?: string;
}

const CODES: Record<string, TrackingStatus> = {
  'pre-transit': 'info_received',
  transit: 'in_transit',
  delivered: 'delivered',
  failure: 'exception',
  unknown: 'in_transit',
};

interface DhlEvent {
  timestamp?: string;
  location?: { address?: { addressLocality?: string; postalCode?: string; countryCode?: string } };
  statusCode?: string;
  status?: string;
  description?: string;
}

export function dhlStatus(code: string | undefined, text: string): TrackingStatus {
  let base = (code && CODES[code]) || 'in_transit';
  if (base === 'in_transit' || base === 'exception' || base === 'info_received') base = statusFromText(text) ?? base;
  return withCustoms(base, text);
}

export function mapDhlEvent(e: DhlEvent): TrackingEvent | undefined {
  const time = e.timestamp ? isoWithOffset(e.timestamp) : undefined;
  if (!time) return undefined;
  const description = str(e.description) ?? str(e.status) ?? '';
  const a = e.location?.address;
  return {
    time,
    location: {
      city: str(a?.addressLocality),
      country: str(a?.countryCode),
      text: locationText(a?.addressLocality, a?.postalCode, a?.countryCode),
    },
    status: dhlStatus(e.statusCode, `${str(e.status) ?? ''} ${description}`),
    description,
    carrierCode: str(e.statusCode),
  };
}

export class DhlClient implements TrackingClient {
  readonly id = 'dhl' as const;
  private readonly baseUrl: string;

  constructor(private readonly config: DhlConfig) {
    this.baseUrl = config.baseUrl ?? DHL_DEFAULT_BASE_URL;
  }

  async track(trackingNumber: string, ctx: TrackContext): Promise<TrackingResult> {
    const n = normalizeTrackingNumber(trackingNumber);
    const q = new URLSearchParams({ trackingNumber: n, language: this.config.language ?? 'en', offset: '0', limit: '5' });
    const res = await send(
      'dhl',
      {
        method: 'GET',
        url: joinUrl(this.baseUrl, `/track/shipments?${q}`),
        headers: { 'DHL-API-Key': this.config.apiKey, accept: 'application/json' },
      },
      this.config,
    );
    const detail = isObject(res.body) ? (str(res.body.detail) ?? str(res.body.title)) : undefined;
    if (res.status === 404) throw new NotFoundError('dhl', detail ?? 'no shipment with this tracking number', 404);
    if (res.status === 401 || res.status === 403)
      throw new UnauthorizedError('dhl', `API key refused (${res.status}): ${detail ?? brief(res.body)}`, res.status);
    if (res.status !== 200 || !isObject(res.body) || !Array.isArray(res.body.shipments))
      throw new BadResponseError('dhl', `unexpected answer (${res.status}): ${brief(res.body)}`, res.status);
    const shipments = res.body.shipments.filter(isObject);
    const shipment = shipments.find((s) => typeof s.id === 'string' && normalizeTrackingNumber(s.id) === n) ?? shipments[0];
    if (!shipment) throw new NotFoundError('dhl', 'no shipment with this tracking number', 200);
    const events = newestFirst(((shipment.events as DhlEvent[] | undefined) ?? []).map(mapDhlEvent).filter((e): e is TrackingEvent => !!e));
    const st = isObject(shipment.status) ? (shipment.status as DhlEvent) : undefined;
    const summary = st ? dhlStatus(st.statusCode, `${str(st.status) ?? ''} ${str(st.description) ?? ''}`) : undefined;
    return {
      carrier: ctx.carrier,
      trackingNumber: n,
      status: overallStatus(events, summary),
      events,
      estimatedDelivery: str(shipment.estimatedTimeOfDelivery),
      source: 'carrier',
    };
  }
}
