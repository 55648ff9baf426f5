/**
 * The carrier API clients against local HTTP servers that answer with the documented payload shapes
 * (test/fixtures/carriers/<carrier>/, see SOURCE.md there): normalized events, customs holds, not
 * found, expired tokens (refreshed once), 429 with Retry-After (retried), 5xx (retried, then an error).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DhlClient } from '../activities/logistics/clients/dhl.js';
import { FedexClient } from '../activities/logistics/clients/fedex.js';
import { SeventeenTrackClient } from '../activities/logistics/clients/seventeentrack.js';
import { mapUpsActivity, UpsClient } from '../activities/logistics/clients/ups.js';
import { UspsClient } from '../activities/logistics/clients/usps.js';
import { NotFoundError, RateLimitedError, ServerError, UnauthorizedError } from '../activities/logistics/errors.js';
import { TokenCache } from '../activities/logistics/http.js';
import { TRACKING_STATUSES, type TrackingResult } from '../activities/logistics/tracking.js';
import { FAST, fixture, startCarrierServer, type CarrierServer, type Handler, type RecordedRequest } from './kit/carrier-server.js';

const servers: CarrierServer[] = [];
async function serve(handler: Handler): Promise<CarrierServer> {
  const s = await startCarrierServer(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function expectNormalized(r: TrackingResult) {
  expect(r.events.length).toBeGreaterThan(0);
  for (const e of r.events) {
    expect(e.time).toMatch(ISO_WITH_ZONE);
    expect(TRACKING_STATUSES).toContain(e.status);
    expect(typeof e.location.text).toBe('string');
    expect(e.description.length).toBeGreaterThan(0);
  }
  const times = r.events.map((e) => Date.parse(e.time));
  expect(times).toEqual([...times].sort((a, b) => b - a)); // newest first
}

/** An OAuth server: the token endpoint hands out tok-1, tok-2, …; `live` says which ones the API accepts. */
function oauth(tokenPath: string, tokenBody: Record<string, unknown>) {
  const state = { issued: 0, live: new Set<string>() };
  const token = (): { status: number; body: unknown } => {
    state.issued++;
    const t = `tok-${state.issued}`;
    state.live.add(t);
    return { status: 200, body: { ...tokenBody, access_token: t } };
  };
  const authorized = (r: RecordedRequest) => state.live.has((r.headers.authorization ?? '').replace(/^Bearer /, ''));
  return { state, token, authorized, tokenPath };
}

const tooMany = { status: 429, headers: { 'retry-after': '0' }, body: { title: 'Too many requests' } };

describe('DHL Unified Shipment Tracking client', () => {
  const ok = fixture('dhl', 'shipment-customs-hold');
  const client = (url: string) => new DhlClient({ apiKey: 'dhl-key', baseUrl: url, ...FAST });

  it('normalizes events, keeps zone offsets and detects the customs hold', async () => {
    const s = await serve(() => ({ status: 200, body: ok }));
    const r = await client(s.url).track('7777777770', { carrier: 'dhl-express' });
    const req = s.requests[0]!;
    expect(req.path).toBe('/track/shipments');
    expect(req.query.get('trackingNumber')).toBe('7777777770');
    expect(req.headers['dhl-api-key']).toBe('dhl-key');
    expectNormalized(r);
    expect(r).toMatchObject({ carrier: 'dhl-express', trackingNumber: '7777777770', status: 'customs_hold', source: 'carrier' });
    expect(r.estimatedDelivery).toBe('2024-03-07T18:00:00-05:00');
    expect(r.events[0]).toMatchObject({
      time: '2024-03-05T09:12:00-05:00',
      status: 'customs_hold',
      description: 'Shipment is on hold. Customs status updated',
      location: { city: 'NEW YORK, NY - USA', country: 'US' },
      carrierCode: 'transit',
    });
    expect(r.events.map((e) => e.status)).toEqual(['customs_hold', 'in_transit', 'in_transit', 'in_transit', 'info_received']);
    expect(r.events[3]!.time).toBe('2024-03-02T18:05:00+08:00');
  });

  it('404 is NotFoundError', async () => {
    const s = await serve(() => ({ status: 404, body: fixture('dhl', 'not-found') }));
    await expect(client(s.url).track('7777777770', { carrier: 'dhl-express' })).rejects.toThrow(NotFoundError);
    expect(s.requests).toHaveLength(1);
  });

  it('401 is UnauthorizedError at once (an API key has nothing to refresh)', async () => {
    const s = await serve(() => ({ status: 401, body: fixture('dhl', 'unauthorized') }));
    await expect(client(s.url).track('7777777770', { carrier: 'dhl-express' })).rejects.toThrow(UnauthorizedError);
    expect(s.requests).toHaveLength(1);
  });

  it('429 with Retry-After is retried', async () => {
    const s = await serve((_r, nth) =>
      nth('/track/shipments') <= 2 ? { ...tooMany, body: fixture('dhl', 'too-many-requests') } : { status: 200, body: ok },
    );
    const r = await client(s.url).track('7777777770', { carrier: 'dhl-express' });
    expect(r.status).toBe('customs_hold');
    expect(s.requests).toHaveLength(3);
  });

  it('a 429 that outlasts the retries is RateLimitedError with the retry delay', async () => {
    const s = await serve(() => ({ status: 429, headers: { 'retry-after': '1' }, body: fixture('dhl', 'too-many-requests') }));
    const err = await client(s.url)
      .track('7777777770', { carrier: 'dhl-express' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(1000);
    expect(s.requests).toHaveLength(3); // 1 + 2 retries
  });

  it('5xx is retried, then ServerError', async () => {
    const s = await serve(() => ({ status: 503, body: { title: 'Service Unavailable' } }));
    await expect(client(s.url).track('7777777770', { carrier: 'dhl-express' })).rejects.toThrow(ServerError);
    expect(s.requests).toHaveLength(3);
  });

  it('a slow server is a timeout, retried, then ServerError', async () => {
    const s = await serve(async () => {
      await new Promise((r) => setTimeout(r, 400));
      return { status: 200, body: ok };
    });
    const slow = new DhlClient({ apiKey: 'k', baseUrl: s.url, ...FAST, timeoutMs: 100, retries: 1 });
    await expect(slow.track('7777777770', { carrier: 'dhl-express' })).rejects.toThrow(/timed out/);
    expect(s.requests).toHaveLength(2);
  });
});

describe('UPS Track API client', () => {
  const ok = fixture('ups', 'track-customs');
  function upsServer(track: Handler, o = oauth('/security/v1/oauth/token', fixture('ups', 'token') as Record<string, unknown>)) {
    return serve((r, nth) => (r.path === o.tokenPath ? o.token() : track(r, nth)));
  }
  const client = (url: string) => new UpsClient({ clientId: 'id', clientSecret: 'secret', baseUrl: url, ...FAST });

  it('gets a token with basic auth, tracks with transId/transactionSrc and normalizes the events', async () => {
    const o = oauth('/security/v1/oauth/token', fixture('ups', 'token') as Record<string, unknown>);
    const s = await upsServer(
      (r) => (o.authorized(r) ? { status: 200, body: ok } : { status: 401, body: fixture('ups', 'invalid-token') }),
      o,
    );
    const r = await client(s.url).track('1Z999AA10123456784', { carrier: 'ups' });
    const [tok] = s.hits('/security/v1/oauth/token');
    expect(tok!.method).toBe('POST');
    expect(tok!.headers.authorization).toBe(`Basic ${Buffer.from('id:secret').toString('base64')}`);
    expect(new URLSearchParams(tok!.body).get('grant_type')).toBe('client_credentials');
    const [track] = s.hits('/api/track/v1/details/1Z999AA10123456784');
    expect(track!.headers.authorization).toBe('Bearer tok-1');
    expect(track!.headers.transid).toMatch(/^[0-9a-f]{32}$/);
    expect(track!.headers.transactionsrc).toBe('sora-cs');
    expectNormalized(r);
    expect(r).toMatchObject({ carrier: 'ups', status: 'customs_hold', source: 'carrier', estimatedDelivery: '2024-03-11' });
    expect(r.events[0]).toMatchObject({
      time: '2024-03-08T09:15:00-04:00',
      status: 'customs_hold',
      carrierCode: 'WX',
      location: { city: 'LOUISVILLE', country: 'US', text: 'LOUISVILLE, KY, 40209, US' },
    });
    expect(r.events.map((e) => e.status)).toEqual(['customs_hold', 'in_transit', 'in_transit', 'in_transit', 'info_received']);
    expect(r.events.at(-1)!.time).toBe('2024-03-05T10:10:00+08:00');
  });

  it('reuses the cached token until it expires', async () => {
    const s = await upsServer(() => ({ status: 200, body: ok }));
    const c = client(s.url);
    await c.track('1Z999AA10123456784', { carrier: 'ups' });
    await c.track('1Z999AA10123456784', { carrier: 'ups' });
    expect(s.hits('/security/v1/oauth/token')).toHaveLength(1);
  });

  it('an expired token (401) is refreshed once and the call succeeds', async () => {
    const o = oauth('/security/v1/oauth/token', fixture('ups', 'token') as Record<string, unknown>);
    const s = await upsServer(
      (r) => (o.authorized(r) ? { status: 200, body: ok } : { status: 401, body: fixture('ups', 'invalid-token') }),
      o,
    );
    const c = client(s.url);
    await c.track('1Z999AA10123456784', { carrier: 'ups' });
    o.state.live.delete('tok-1'); // the carrier expires it before its expires_in
    const r = await c.track('1Z999AA10123456784', { carrier: 'ups' });
    expect(r.status).toBe('customs_hold');
    expect(s.hits('/security/v1/oauth/token')).toHaveLength(2);
    expect(s.hits('/api/track/v1/details/1Z999AA10123456784').map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('a token refused again after the refresh is UnauthorizedError (one refresh only)', async () => {
    const s = await upsServer(() => ({ status: 401, body: fixture('ups', 'invalid-token') }));
    await expect(client(s.url).track('1Z999AA10123456784', { carrier: 'ups' })).rejects.toThrow(UnauthorizedError);
    expect(s.hits('/security/v1/oauth/token')).toHaveLength(2);
    expect(s.hits('/api/track/v1/details/1Z999AA10123456784')).toHaveLength(2);
  });

  it('refused client credentials are UnauthorizedError', async () => {
    const s = await serve(() => ({ status: 401, body: { response: { errors: [{ code: '10401', message: 'ClientId is Invalid' }] } } }));
    await expect(client(s.url).track('1Z999AA10123456784', { carrier: 'ups' })).rejects.toThrow(UnauthorizedError);
  });

  it('TW0001 is NotFoundError', async () => {
    const s = await upsServer(() => ({ status: 404, body: fixture('ups', 'not-found') }));
    await expect(client(s.url).track('1Z999AA10123456784', { carrier: 'ups' })).rejects.toThrow(/Tracking Information Not Found/);
  });

  it('429 with Retry-After is retried (token fetched once)', async () => {
    const s = await upsServer((_r, nth) => (nth('/api/track/v1/details/1Z999AA10123456784') === 1 ? tooMany : { status: 200, body: ok }));
    await client(s.url).track('1Z999AA10123456784', { carrier: 'ups' });
    expect(s.hits('/api/track/v1/details/1Z999AA10123456784')).toHaveLength(2);
    expect(s.hits('/security/v1/oauth/token')).toHaveLength(1);
  });

  it('5xx is retried, then ServerError', async () => {
    const s = await upsServer(() => ({ status: 500, body: { response: { errors: [{ code: '9999', message: 'General failure' }] } } }));
    await expect(client(s.url).track('1Z999AA10123456784', { carrier: 'ups' })).rejects.toThrow(ServerError);
    expect(s.hits('/api/track/v1/details/1Z999AA10123456784')).toHaveLength(3);
  });

  it('"released by the customs agency" is customs_cleared', () => {
    expect(
      mapUpsActivity({
        date: '20210210',
        time: '071356',
        status: { type: 'X', code: 'SR', description: 'Your package was released by the customs agency.' },
      })?.status,
    ).toBe('customs_cleared');
  });
});

describe('FedEx Track API client', () => {
  const ok = fixture('fedex', 'track-customs');
  const client = (url: string) => new FedexClient({ clientId: 'id', clientSecret: 'secret', baseUrl: url, ...FAST });
  function fedexServer(track: Handler, o = oauth('/oauth/token', fixture('fedex', 'token') as Record<string, unknown>)) {
    return serve((r, nth) => (r.path === o.tokenPath ? o.token() : track(r, nth)));
  }

  it('posts the tracking request and maps scan events, clearance delay = customs hold', async () => {
    const s = await fedexServer(() => ({ status: 200, body: ok }));
    const r = await client(s.url).track('799531274483', { carrier: 'fedex' });
    const tok = new URLSearchParams(s.hits('/oauth/token')[0]!.body);
    expect([tok.get('grant_type'), tok.get('client_id'), tok.get('client_secret')]).toEqual(['client_credentials', 'id', 'secret']);
    const track = s.hits('/track/v1/trackingnumbers')[0]!;
    expect(track.method).toBe('POST');
    expect(JSON.parse(track.body)).toEqual({
      includeDetailedScans: true,
      trackingInfo: [{ trackingNumberInfo: { trackingNumber: '799531274483' } }],
    });
    expectNormalized(r);
    expect(r).toMatchObject({ status: 'customs_hold', estimatedDelivery: '2024-05-10T00:00:00-04:00', source: 'carrier' });
    expect(r.events[0]).toMatchObject({
      carrierCode: 'CD',
      status: 'customs_hold',
      description: 'Clearance delay - Import clearance instructions from the recipient are needed',
    });
    expect(r.events.map((e) => e.carrierCode)).toEqual(['CD', 'AR', 'DP', 'PU', 'OC']);
    expect(r.events.at(-1)!.status).toBe('info_received');
  });

  it('an unknown number (200 with TRACKING.TRACKINGNUMBER.NOTFOUND) is NotFoundError', async () => {
    const s = await fedexServer(() => ({ status: 200, body: fixture('fedex', 'not-found') }));
    await expect(client(s.url).track('477179081230', { carrier: 'fedex' })).rejects.toThrow(NotFoundError);
  });

  it('an expired token is refreshed once', async () => {
    const o = oauth('/oauth/token', fixture('fedex', 'token') as Record<string, unknown>);
    let first = true;
    const s = await fedexServer(() => {
      if (first) {
        first = false;
        return { status: 401, body: fixture('fedex', 'unauthorized') };
      }
      return { status: 200, body: ok };
    }, o);
    await client(s.url).track('799531274483', { carrier: 'fedex' });
    expect(s.hits('/oauth/token')).toHaveLength(2);
    expect(s.hits('/track/v1/trackingnumbers').map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('429 is retried with the Retry-After delay', async () => {
    const s = await fedexServer((_r, nth) =>
      nth('/track/v1/trackingnumbers') <= 2
        ? { status: 429, headers: { 'retry-after': '0' }, body: { errors: [{ code: 'TOO.MANY.REQUESTS' }] } }
        : { status: 200, body: ok },
    );
    await client(s.url).track('799531274483', { carrier: 'fedex' });
    expect(s.hits('/track/v1/trackingnumbers')).toHaveLength(3);
  });

  it('5xx is retried, then ServerError', async () => {
    const s = await fedexServer(() => ({ status: 502, body: 'Bad Gateway' }));
    await expect(client(s.url).track('799531274483', { carrier: 'fedex' })).rejects.toThrow(ServerError);
    expect(s.hits('/track/v1/trackingnumbers')).toHaveLength(3);
  });
});

describe('USPS Tracking v3 client', () => {
  const client = (url: string) => new UspsClient({ clientId: 'id', clientSecret: 'secret', baseUrl: url, ...FAST });
  function uspsServer(track: Handler, o = oauth('/oauth2/v3/token', fixture('usps', 'token') as Record<string, unknown>)) {
    return serve((r, nth) => (r.path === o.tokenPath ? o.token() : track(r, nth)));
  }

  it('international item held in customs: local times with GMTOffset, customs hold detected', async () => {
    const s = await uspsServer(() => ({ status: 200, body: fixture('usps', 'track-international') }));
    const r = await client(s.url).track('EA123456785US', { carrier: 'usps' });
    expect(JSON.parse(s.hits('/oauth2/v3/token')[0]!.body)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'id',
      client_secret: 'secret',
    });
    const track = s.hits('/tracking/v3/tracking/EA123456785US')[0]!;
    expect(track.query.get('expand')).toBe('DETAIL');
    expect(track.headers.authorization).toBe('Bearer tok-1');
    expectNormalized(r);
    expect(r.status).toBe('customs_hold');
    expect(r.events[0]).toMatchObject({
      time: '2024-06-10T08:23:00-06:00',
      status: 'customs_hold',
      location: { city: 'MEXICO CITY', text: 'MEXICO CITY, MEXICO' },
    });
    expect(r.events.map((e) => e.status)).toEqual([
      'customs_hold',
      'customs_hold',
      'in_transit',
      'in_transit',
      'in_transit',
      'info_received',
    ]);
  });

  it('domestic delivery', async () => {
    const s = await uspsServer(() => ({ status: 200, body: fixture('usps', 'track-domestic') }));
    const r = await client(s.url).track('9400111201080805483016', { carrier: 'usps' });
    expectNormalized(r);
    expect(r.status).toBe('delivered');
    expect(r.events.slice(0, 2).map((e) => [e.carrierCode, e.status])).toEqual([
      ['01', 'delivered'],
      ['OF', 'out_for_delivery'],
    ]);
    expect(r.events[0]!.location).toEqual({ city: 'HERNANDO', country: 'US', text: 'HERNANDO, FL, 34442' });
  });

  it('404 is NotFoundError', async () => {
    const s = await uspsServer(() => ({ status: 404, body: fixture('usps', 'not-found') }));
    await expect(client(s.url).track('9400111201080805483016', { carrier: 'usps' })).rejects.toThrow(/incorrect or the status update/);
  });

  it('an expired token is refreshed once; invalid_client is UnauthorizedError', async () => {
    const o = oauth('/oauth2/v3/token', fixture('usps', 'token') as Record<string, unknown>);
    const s = await uspsServer(
      (_r, nth) =>
        nth('/tracking/v3/tracking/9400111201080805483016') === 1
          ? { status: 401, body: fixture('usps', 'unauthorized') }
          : { status: 200, body: fixture('usps', 'track-domestic') },
      o,
    );
    await client(s.url).track('9400111201080805483016', { carrier: 'usps' });
    expect(s.hits('/oauth2/v3/token')).toHaveLength(2);

    const refused = await serve(() => ({ status: 401, body: fixture('usps', 'invalid-client') }));
    await expect(client(refused.url).track('9400111201080805483016', { carrier: 'usps' })).rejects.toThrow(/invalid_client/);
  });

  it('429 and 5xx are retried; 5xx that persists is ServerError', async () => {
    const s = await uspsServer((_r, nth) =>
      nth('/tracking/v3/tracking/9400111201080805483016') === 1 ? tooMany : { status: 200, body: fixture('usps', 'track-domestic') },
    );
    await client(s.url).track('9400111201080805483016', { carrier: 'usps' });
    expect(s.hits('/tracking/v3/tracking/9400111201080805483016')).toHaveLength(2);

    const down = await uspsServer(() => ({ status: 500, body: { error: { code: '500', message: 'Internal Server Error' } } }));
    await expect(client(down.url).track('9400111201080805483016', { carrier: 'usps' })).rejects.toThrow(ServerError);
    expect(down.hits('/tracking/v3/tracking/9400111201080805483016')).toHaveLength(3);
  });
});

describe('17TRACK v2.2 client (aggregator)', () => {
  const N = 'LX246813576CN';
  const client = (url: string) => new SeventeenTrackClient({ apiKey: 't17-key', baseUrl: url, ...FAST });

  it('registers an unknown number with the registry carrier key, then reads events from every provider', async () => {
    let registered = false;
    const s = await serve((r) => {
      if (r.path === '/register') {
        registered = true;
        return { status: 200, body: fixture('17track', 'register-accepted') };
      }
      return { status: 200, body: fixture('17track', registered ? 'gettrackinfo' : 'gettrackinfo-not-registered') };
    });
    const r = await client(s.url).track(N, { carrier: 'china-post', aggregatorCode: 3011 });
    expect(s.requests.map((q) => q.path)).toEqual(['/gettrackinfo', '/register', '/gettrackinfo']);
    for (const q of s.requests) expect(q.headers['17token']).toBe('t17-key');
    expect(JSON.parse(s.requests[1]!.body)).toEqual([{ number: N, carrier: 3011 }]);
    expectNormalized(r);
    expect(r).toMatchObject({
      carrier: 'china-post',
      source: 'aggregator',
      status: 'customs_hold',
      estimatedDelivery: '2024-07-12T00:00:00+07:00',
    });
    expect(r.events).toHaveLength(5);
    expect(r.events[0]).toMatchObject({
      time: '2024-07-03T10:15:00+07:00',
      status: 'customs_hold',
      location: { city: 'Bangkok', country: 'TH', text: 'BANGKOK' },
      carrierCode: 'InTransit_CustomsProcessing',
    });
    expect(r.events.at(-1)!.status).toBe('info_received');
  });

  it('without a carrier key it registers with auto_detection', async () => {
    let registered = false;
    const s = await serve((r) => {
      if (r.path === '/register') {
        registered = true;
        return { status: 200, body: fixture('17track', 'register-accepted') };
      }
      return { status: 200, body: fixture('17track', registered ? 'gettrackinfo' : 'gettrackinfo-not-registered') };
    });
    await client(s.url).track(N, { carrier: 'unknown' });
    expect(JSON.parse(s.hits('/register')[0]!.body)).toEqual([{ number: N, auto_detection: true }]);
    expect(JSON.parse(s.hits('/gettrackinfo')[0]!.body)).toEqual([{ number: N }]);
  });

  it('no information yet (-18019909) is NotFoundError', async () => {
    const s = await serve(() => ({ status: 200, body: fixture('17track', 'gettrackinfo-no-info') }));
    await expect(client(s.url).track(N, { carrier: 'china-post' })).rejects.toThrow(NotFoundError);
  });

  it('an invalid key (-18010002) is UnauthorizedError', async () => {
    const s = await serve(() => ({ status: 200, body: fixture('17track', 'invalid-key') }));
    await expect(client(s.url).track(N, { carrier: 'china-post' })).rejects.toThrow(UnauthorizedError);
  });

  it('429 is retried; 5xx that persists is ServerError after the retries', async () => {
    const s = await serve((_r, nth) => (nth('/gettrackinfo') <= 2 ? tooMany : { status: 200, body: fixture('17track', 'gettrackinfo') }));
    const r = await client(s.url).track(N, { carrier: 'china-post' });
    expect(r.status).toBe('customs_hold');
    expect(s.hits('/gettrackinfo')).toHaveLength(3);

    const down = await serve(() => ({ status: 503, body: 'unavailable' }));
    await expect(client(down.url).track(N, { carrier: 'china-post' })).rejects.toThrow(ServerError);
    expect(down.requests).toHaveLength(3);
  });
});

describe('OAuth token cache', () => {
  it('keeps a token until shortly before it expires, and shares one request between callers', async () => {
    let now = 0;
    let fetched = 0;
    const cache = new TokenCache(
      async () => {
        fetched++;
        return { accessToken: `t${fetched}`, expiresInS: 3600 };
      },
      60_000,
      () => now,
    );
    expect(await Promise.all([cache.get(), cache.get()])).toEqual(['t1', 't1']);
    now = 3_500_000; // 58 min 20 s: still inside the hour minus 60 s of skew
    expect(await cache.get()).toBe('t1');
    now = 3_541_000; // past 3600 s − 60 s
    expect(await cache.get()).toBe('t2');
    cache.invalidate('t2');
    expect(await cache.get()).toBe('t3');
    expect(fetched).toBe(3);
  });
});
