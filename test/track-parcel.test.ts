/**
 * trackParcel: the carrier's own API when we hold working credentials, the aggregator (17TRACK)
 * otherwise — with fallbackReason saying why — against local servers for both.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTrackParcel } from '../activities/logistics/activity.js';
import { UnauthorizedError } from '../activities/logistics/errors.js';
import { ParcelTracker, trackParcel, type CarrierCredentials } from '../activities/logistics/track.js';
import { loadConfig } from '../infra/config/index.js';
import { FAST, fixture, startCarrierServer, type CarrierServer, type Handler, seventeenTrackEcho } from './kit/carrier-server.js';

const servers: CarrierServer[] = [];
async function serve(handler: Handler): Promise<CarrierServer> {
  const s = await startCarrierServer(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** 17TRACK stand-in: every number is registered and answers the fixture's events. */
function seventeenTrack() {
  return serve(seventeenTrackEcho);
}

/** UPS stand-in; `tokenStatus`/`trackStatus` let a test refuse the credentials. */
function ups(opts: { tokenStatus?: number; trackStatus?: number } = {}) {
  let n = 0;
  return serve((r) => {
    if (r.path === '/security/v1/oauth/token')
      return opts.tokenStatus
        ? { status: opts.tokenStatus, body: { response: { errors: [{ code: '10401', message: 'ClientId is Invalid' }] } } }
        : { status: 200, body: { ...(fixture('ups', 'token') as object), access_token: `tok-${++n}` } };
    if (opts.trackStatus) return { status: opts.trackStatus, body: fixture('ups', 'invalid-token') };
    return { status: 200, body: fixture('ups', 'track-customs') };
  });
}

const UPS_NUMBER = '1Z999AA10123456784';
const creds = (c: CarrierCredentials) => new ParcelTracker(c, FAST);

describe('trackParcel', () => {
  it('uses the carrier API when its credentials work', async () => {
    const [u, t17] = [await ups(), await seventeenTrack()];
    const r = await creds({
      ups: { clientId: 'a', clientSecret: 'b', baseUrl: u.url },
      seventeenTrack: { apiKey: 'k', baseUrl: t17.url },
    }).track(UPS_NUMBER);
    expect(r).toMatchObject({ carrier: 'ups', source: 'carrier', status: 'customs_hold' });
    expect(r.fallbackReason).toBeUndefined();
    expect(t17.requests).toHaveLength(0);
  });

  it('falls back to the aggregator when the carrier has no credentials, and says so', async () => {
    const t17 = await seventeenTrack();
    const r = await creds({ seventeenTrack: { apiKey: 'k', baseUrl: t17.url } }).track(UPS_NUMBER);
    expect(r).toMatchObject({ carrier: 'ups', source: 'aggregator', status: 'customs_hold' });
    expect(r.fallbackReason).toMatch(/no UPS API credentials \(SORA_UPS_CLIENT_ID/);
    expect(JSON.parse(t17.requests[0]!.body)).toEqual([{ number: UPS_NUMBER, carrier: 100002 }]);
  });

  it('falls back when the credentials are refused at the token endpoint', async () => {
    const [u, t17] = [await ups({ tokenStatus: 401 }), await seventeenTrack()];
    const r = await creds({
      ups: { clientId: 'a', clientSecret: 'b', baseUrl: u.url },
      seventeenTrack: { apiKey: 'k', baseUrl: t17.url },
    }).track(UPS_NUMBER);
    expect(r.source).toBe('aggregator');
    expect(r.fallbackReason).toMatch(/UPS credentials refused/);
  });

  it('falls back when the token stays refused after one refresh (expired credentials)', async () => {
    const [u, t17] = [await ups({ trackStatus: 401 }), await seventeenTrack()];
    const r = await creds({
      ups: { clientId: 'a', clientSecret: 'b', baseUrl: u.url },
      seventeenTrack: { apiKey: 'k', baseUrl: t17.url },
    }).track(UPS_NUMBER);
    expect(r.source).toBe('aggregator');
    expect(r.fallbackReason).toMatch(/UPS credentials refused .*after one refresh/);
    expect(u.hits('/security/v1/oauth/token')).toHaveLength(2);
  });

  it('falls back when the carrier has no record of the number', async () => {
    const fedex = await serve((r) =>
      r.path === '/oauth/token' ? { status: 200, body: fixture('fedex', 'token') } : { status: 200, body: fixture('fedex', 'not-found') },
    );
    const t17 = await seventeenTrack();
    const r = await creds({
      fedex: { clientId: 'a', clientSecret: 'b', baseUrl: fedex.url },
      seventeenTrack: { apiKey: 'k', baseUrl: t17.url },
    }).track('986578788855');
    expect(r).toMatchObject({ carrier: 'fedex', source: 'aggregator' });
    expect(r.fallbackReason).toMatch(/FEDEX has no record/);
  });

  it('sends aggregator carriers to 17TRACK directly, with no fallback reason', async () => {
    const t17 = await seventeenTrack();
    const r = await creds({ seventeenTrack: { apiKey: 'k', baseUrl: t17.url } }).track('rr123456785gb');
    expect(r).toMatchObject({ carrier: 'royal-mail', trackingNumber: 'RR123456785GB', source: 'aggregator' });
    expect(r.fallbackReason).toBeUndefined();
    expect(JSON.parse(t17.requests[0]!.body)).toEqual([{ number: 'RR123456785GB' }]);
  });

  it('a number whose check digit fails goes to 17TRACK for detection, and the carrier comes from its answer', async () => {
    const t17 = await seventeenTrack();
    const r = await creds({ seventeenTrack: { apiKey: 'k', baseUrl: t17.url } }).track('RR123456784CN');
    expect(r.fallbackReason).toMatch(/check digit fails/);
    expect(r.carrier).toBe('china-post'); // 17TRACK answered with carrier 3011
  });

  it('a carrier hint overrides detection', async () => {
    const dhl = await serve(() => ({ status: 200, body: fixture('dhl', 'shipment-customs-hold') }));
    const r = await creds({ dhl: { apiKey: 'k', baseUrl: dhl.url } }).track('7777777770', 'DHL');
    expect(r).toMatchObject({ carrier: 'dhl-express', source: 'carrier' });
    const r2 = await creds({ dhl: { apiKey: 'k', baseUrl: dhl.url } }).track('ABC12345', 'dhl-ecommerce');
    expect(r2.carrier).toBe('dhl-ecommerce');
    expect(dhl.requests[1]!.query.get('trackingNumber')).toBe('ABC12345');
  });

  it('with neither carrier nor aggregator credentials it fails with UnauthorizedError naming both', async () => {
    const err = await creds({})
      .track(UPS_NUMBER)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(String(err)).toMatch(/SORA_17TRACK_API_KEY.*no UPS API credentials/);
  });

  it('trackParcel keeps one token cache per set of credentials', async () => {
    const u = await ups();
    const input = { trackingNumber: UPS_NUMBER, credentials: { ups: { clientId: 'x', clientSecret: 'y', baseUrl: u.url } }, http: FAST };
    await trackParcel(input);
    await trackParcel(input);
    expect(u.hits('/security/v1/oauth/token')).toHaveLength(1);
    expect(u.hits(`/api/track/v1/details/${UPS_NUMBER}`)).toHaveLength(2);
  });

  it('reads credentials and base URLs from SORA_* variables', () => {
    expect(() => loadConfig({ SORA_FEDEX_CLIENT_ID: 'only-id' })).toThrow(
      /SORA_FEDEX_CLIENT_SECRET: is required with SORA_FEDEX_CLIENT_ID/,
    );
    expect(
      loadConfig({
        SORA_UPS_CLIENT_ID: 'id',
        SORA_UPS_CLIENT_SECRET: 'secret',
        SORA_UPS_BASE_URL: 'http://127.0.0.1:1',
        SORA_17TRACK_API_KEY: 'k',
      }).carriers.credentials,
    ).toEqual({
      dhl: undefined,
      ups: { clientId: 'id', clientSecret: 'secret', baseUrl: 'http://127.0.0.1:1' },
      fedex: undefined,
      usps: undefined,
      seventeenTrack: { apiKey: 'k', baseUrl: undefined },
    });
  });
});

describe('trackParcel activity', () => {
  it('not found is a non-retryable Temporal failure', async () => {
    const t17 = await serve(() => ({ status: 200, body: fixture('17track', 'gettrackinfo-no-info') }));
    const activity = makeTrackParcel({ seventeenTrack: { apiKey: 'k', baseUrl: t17.url } }, FAST);
    const err = await activity({ trackingNumber: 'LX246813576CN' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'NotFoundError', nonRetryable: true });
  });

  it("a long rate limit is retried by Temporal after the carrier's Retry-After", async () => {
    const t17 = await serve(() => ({ status: 429, headers: { 'retry-after': '45' }, body: 'slow down' }));
    const activity = makeTrackParcel({ seventeenTrack: { apiKey: 'k', baseUrl: t17.url } }, FAST);
    const err = await activity({ trackingNumber: 'LX246813576CN' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'RateLimitedError', nonRetryable: false, nextRetryDelay: 45_000 });
    expect(t17.requests).toHaveLength(1); // 45 s is over the in-client cap: no waiting here
  });
});
