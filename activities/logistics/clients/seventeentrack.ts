/**
 * 17TRACK Tracking API v2.2 (api.17track.net/en/doc?version=v2.2): the aggregator for every carrier
 * without a client of its own, and the fallback for those with one.
 * - header `17token: <key>`; JSON bodies are arrays of `{number, carrier?}` (≤ 40 a request).
 * - `POST /track/v2.2/register` `[{number, carrier} | {number, auto_detection: true}]`: a number must be
 *   registered (it costs quota) before 17TRACK tracks it.
 * - `POST /track/v2.2/gettrackinfo` `[{number, carrier?}]` answers `{code: 0, data: {accepted:
 *   [{number, carrier, track_info: {latest_status: {status, sub_status}, time_metrics:
 *   {estimated_delivery_date: {from, to}}, tracking: {providers: [{provider: {key, name},
 *   events: [{time_iso, time_utc, description, location, stage, sub_status, address: {country,
 *   city}}]}]}}}], rejected: [{number, error: {code, message}}]}}`.
 * - error codes: -18010001/-18010002/-18010004/-18010005 IP, key, account (refused);
 *   -18010003 internal error; -18010014 request limit; -18019901 already registered; -18019902 not
 *   registered; -18019903 carrier cannot be detected; -18019907 daily limit; -18019908 quota used
 *   up; -18019909 no tracking information yet; -18010010…13 bad request fields.
 * Flow: gettrackinfo; a -18019902 rejection registers the number (with the registry's 17TRACK
 * carrier key when known, auto-detection otherwise) and asks once more.
 */
import { BadResponseError, NotFoundError, RateLimitedError, ServerError, UnauthorizedError } from '../errors.js';
import { brief, joinUrl, send, type HttpResponse } from '../http.js';
import { CARRIERS, normalizeTrackingNumber } from '../carriers.js';
import {
  isoWithOffset,
  newestFirst,
  overallStatus,
  withCustoms,
  type TrackingEvent,
  type TrackingResult,
  type TrackingStatus,
} from '../tracking.js';
import { isObject, str, type ClientOptions, type TrackContext, type TrackingClient } from './types.js';

export const SEVENTEENTRACK_DEFAULT_BASE_URL = 'https://api.17track.net/track/v2.2';

export interface SeventeenTrackConfig extends ClientOptions {
  apiKey: string;
}

const AUTH = new Set([-18010001, -18010002, -18010004, -18010005]);
const RATE = new Set([-18010014, -18019907]);
const NOT_REGISTERED = -18019902;
const ALREADY_REGISTERED = -18019901;
const NO_CARRIER = new Set([-18019903, -18019910]);
const NO_INFO = -18019909;

const SUB: Record<string, TrackingStatus> = {
  InTransit_CustomsProcessing: 'customs_hold',
  InTransit_CustomsRequiringInformation: 'customs_hold',
  InTransit_CustomsReleased: 'customs_cleared',
  Exception_Returning: 'returned',
  Exception_Returned: 'returned',
};
const STAGE: Record<string, TrackingStatus> = {
  NotFound: 'info_received',
  InfoReceived: 'info_received',
  InTransit: 'in_transit',
  Expired: 'exception',
  AvailableForPickup: 'out_for_delivery',
  OutForDelivery: 'out_for_delivery',
  DeliveryFailure: 'exception',
  Delivered: 'delivered',
  Exception: 'exception',
};

export function seventeenTrackStatus(stage: string | undefined, subStatus: string | undefined, text: string): TrackingStatus {
  const base = (subStatus && SUB[subStatus]) || (stage && STAGE[stage]) || (subStatus && STAGE[subStatus.split('_')[0]!]) || 'in_transit';
  return withCustoms(base, text);
}

interface T17Event {
  time_iso?: string;
  time_utc?: string;
  description?: string;
  location?: string;
  stage?: string;
  sub_status?: string;
  address?: { country?: string; city?: string; state?: string };
}

export function map17TrackEvent(e: T17Event): TrackingEvent | undefined {
  const time = (e.time_iso && isoWithOffset(e.time_iso)) || (e.time_utc && isoWithOffset(e.time_utc, 'Z')) || undefined;
  if (!time) return undefined;
  const description = str(e.description) ?? '';
  const country = str(e.address?.country);
  return {
    time,
    location: {
      city: str(e.address?.city),
      country: country && /^[A-Z]{2}$/.test(country) ? country : undefined,
      text: str(e.location) ?? [str(e.address?.city), country].filter(Boolean).join(', '),
    },
    status: seventeenTrackStatus(str(e.stage), str(e.sub_status), description),
    description,
    carrierCode: str(e.sub_status) ?? str(e.stage),
  };
}

interface Outcome {
  accepted?: Record<string, unknown>;
  rejected?: { code?: number; message?: string };
}

export class SeventeenTrackClient implements TrackingClient {
  readonly id = '17track' as const;
  private readonly baseUrl: string;

  constructor(private readonly config: SeventeenTrackConfig) {
    this.baseUrl = config.baseUrl ?? SEVENTEENTRACK_DEFAULT_BASE_URL;
  }

  private async post(path: '/register' | '/gettrackinfo', items: Record<string, unknown>[]): Promise<HttpResponse> {
    const res = await send(
      '17track',
      {
        method: 'POST',
        url: joinUrl(this.baseUrl, path),
        headers: { '17token': this.config.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(items),
      },
      this.config,
    );
    if (res.status === 401 || res.status === 403)
      throw new UnauthorizedError('17track', `key refused (${res.status}): ${brief(res.body)}`, res.status);
    if (res.status !== 200 || !isObject(res.body))
      throw new BadResponseError('17track', `unexpected answer (${res.status}): ${brief(res.body)}`, res.status);
    const code = typeof res.body.code === 'number' ? res.body.code : 0;
    const data = isObject(res.body.data) ? res.body.data : undefined;
    const errors = data && Array.isArray(data.errors) ? data.errors.filter(isObject) : [];
    const errCode = typeof errors[0]?.code === 'number' ? errors[0].code : code;
    if (code !== 0 || errors.length) throwFor(errCode, str(errors[0]?.message) ?? brief(res.body));
    return res;
  }

  private outcome(res: HttpResponse, n: string): Outcome {
    const data = isObject(res.body) && isObject(res.body.data) ? res.body.data : {};
    const find = (list: unknown) =>
      Array.isArray(list)
        ? list.filter(isObject).find((x) => typeof x.number === 'string' && normalizeTrackingNumber(x.number) === n)
        : undefined;
    const accepted = find(data.accepted);
    const rejected = find(data.rejected);
    const err = rejected && isObject(rejected.error) ? rejected.error : undefined;
    return {
      accepted,
      rejected: rejected ? { code: typeof err?.code === 'number' ? err.code : undefined, message: str(err?.message) } : undefined,
    };
  }

  async track(trackingNumber: string, ctx: TrackContext): Promise<TrackingResult> {
    const n = normalizeTrackingNumber(trackingNumber);
    const item = ctx.aggregatorCode ? { number: n, carrier: ctx.aggregatorCode } : { number: n };
    let out = this.outcome(await this.post('/gettrackinfo', [item]), n);
    if (out.rejected?.code === NOT_REGISTERED) {
      const reg = this.outcome(await this.post('/register', [ctx.aggregatorCode ? item : { number: n, auto_detection: true }]), n);
      if (reg.rejected && reg.rejected.code !== ALREADY_REGISTERED) throwFor(reg.rejected.code, reg.rejected.message ?? 'register refused');
      out = this.outcome(await this.post('/gettrackinfo', [item]), n);
    }
    if (out.rejected) {
      if (out.rejected.code === NOT_REGISTERED)
        throw new NotFoundError('17track', 'registered; 17TRACK has no tracking information yet', 200);
      throwFor(out.rejected.code, out.rejected.message ?? 'rejected');
    }
    const info = out.accepted && isObject(out.accepted.track_info) ? out.accepted.track_info : undefined;
    if (!info) throw new NotFoundError('17track', '17TRACK has no tracking information yet', 200);
    const providers = isObject(info.tracking) && Array.isArray(info.tracking.providers) ? info.tracking.providers.filter(isObject) : [];
    const events = newestFirst(
      providers.flatMap((p) => ((p.events as T17Event[] | undefined) ?? []).map(map17TrackEvent).filter((e): e is TrackingEvent => !!e)),
    );
    const latest = isObject(info.latest_status) ? info.latest_status : undefined;
    if (events.length === 0 && (!latest || latest.status === 'NotFound'))
      throw new NotFoundError('17track', '17TRACK has no tracking information yet (it may still be fetching it)', 200);
    const summary = latest ? seventeenTrackStatus(str(latest.status), str(latest.sub_status), '') : undefined;
    const metrics =
      isObject(info.time_metrics) && isObject(info.time_metrics.estimated_delivery_date)
        ? info.time_metrics.estimated_delivery_date
        : undefined;
    const eta = str(metrics?.to) ?? str(metrics?.from);
    return {
      carrier: ctx.carrier === 'unknown' ? carrierFromProvider(providers, out.accepted) : ctx.carrier,
      trackingNumber: n,
      status: overallStatus(events, summary),
      events,
      estimatedDelivery: eta ? (isoWithOffset(eta) ?? eta) : undefined,
      source: 'aggregator',
    };
  }
}

/** When we did not know the carrier: the registry id whose 17TRACK key 17TRACK reports, else 'unknown'. */
function carrierFromProvider(providers: Record<string, unknown>[], accepted: Record<string, unknown> | undefined): string {
  const keys = new Set<number>();
  if (typeof accepted?.carrier === 'number') keys.add(accepted.carrier);
  for (const p of providers) if (isObject(p.provider) && typeof p.provider.key === 'number') keys.add(p.provider.key);
  for (const c of CARRIERS) {
    if (c.aggregatorCode !== undefined && keys.has(c.aggregatorCode)) return c.id;
    if (c.patterns.some((p) => p.aggregatorCode !== undefined && keys.has(p.aggregatorCode))) return c.id;
  }
  return 'unknown';
}

function throwFor(code: number | undefined, message: string): never {
  if (code !== undefined && AUTH.has(code)) throw new UnauthorizedError('17track', `${code} ${message}`);
  if (code !== undefined && RATE.has(code)) throw new RateLimitedError('17track', undefined, `${code} ${message}`, 200);
  if (code !== undefined && NO_CARRIER.has(code)) throw new NotFoundError('17track', `${code} carrier cannot be detected: ${message}`, 200);
  if (code === NO_INFO) throw new NotFoundError('17track', `${code} no tracking information yet`, 200);
  if (code === -18010003) throw new ServerError('17track', `${code} internal error: ${message}`, 200);
  throw new BadResponseError('17track', `${code ?? '?'} ${message}`, 200);
}
