/**
 * The demo shop's stand-in carrier: a loopback HTTP server that speaks the 17TRACK v2.2 API shape
 * (POST /track/v2.2/gettrackinfo, /register) for the demo parcel of order 1234 (China Post
 * LX246813576CN to Thailand, held by customs in Bangkok). Its answer is 17TRACK's documented
 * payload (scripts/demo/demo-17track-gettrackinfo.json), with the dates moved so the last event was
 * about a day ago. `npm start` runs it when no real 17TRACK key is configured, so "where is my order
 * 1234?" answers from a carrier API through the real client, offline.
 */
import http from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export const DEMO_PARCEL = { orderNumber: '1234', carrier: 'china-post', trackingNumber: 'LX246813576CN' };
/** A parcel whose last event is a delivery exception (the rule that opens a carrier investigation ticket). */
export const DEMO_EXCEPTION_PARCEL = { carrier: 'china-post', trackingNumber: 'LX135792461CN' };
const FIXTURE = new URL('./demo-17track-gettrackinfo.json', import.meta.url);
const DAY = 86_400_000;

/** The documented payload with every date shifted by whole days so the newest event is < 1 day old. */
export function demoTrackInfo(now = new Date()): unknown {
  const raw = readFileSync(FIXTURE, 'utf8');
  const latest = Date.parse('2024-07-03T03:15:00Z');
  const shift = Math.floor((now.getTime() - latest) / DAY) * DAY;
  const moved = raw.replace(/\b(\d{4}-\d{2}-\d{2})(?=[T"])/g, (d) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + shift).toISOString().slice(0, 10),
  );
  return JSON.parse(moved);
}

/** The same documented payload for DEMO_EXCEPTION_PARCEL, its newest event a failed delivery (17TRACK stage Exception). */
export function demoExceptionTrackInfo(now = new Date()): unknown {
  const d = demoTrackInfo(now) as {
    data: { accepted: Array<{ number: string; track_info: Record<string, any> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const a = d.data.accepted[0]!;
  a.number = DEMO_EXCEPTION_PARCEL.trackingNumber;
  a.track_info.latest_status = { status: 'Exception', sub_status: 'Exception_Other', sub_status_descr: null };
  const newest = a.track_info.tracking.providers[0].events[0];
  Object.assign(newest, { description: 'Delivery failed: address not found', stage: 'Exception', sub_status: 'Exception_Other' });
  a.track_info.latest_event = newest;
  return d;
}

export interface DemoCarrier {
  /** Base URL to use as SORA_17TRACK_BASE_URL. */
  url: string;
  /** Requests served so far (tests count carrier calls). */
  readonly requests: number;
  /** The tracking numbers asked about, in order (tests check which parcels were tracked). */
  readonly numbers: readonly string[];
  stop(): Promise<void>;
}

export async function startDemoCarrier(port = 0): Promise<DemoCarrier> {
  let requests = 0;
  const numbers: string[] = [];
  const server = http.createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let items: { number?: string }[];
      try {
        items = JSON.parse(Buffer.concat(chunks).toString('utf8') || '[]') as { number?: string }[];
      } catch {
        items = [];
      }
      const number = items[0]?.number ?? '';
      if (number) numbers.push(number);
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/register')) {
        res.end(JSON.stringify({ code: 0, data: { accepted: [{ origin: 1, number, carrier: 3011 }], rejected: [] } }));
      } else if (req.url?.endsWith('/gettrackinfo') && number === DEMO_PARCEL.trackingNumber) {
        res.end(JSON.stringify(demoTrackInfo()));
      } else if (req.url?.endsWith('/gettrackinfo') && number === DEMO_EXCEPTION_PARCEL.trackingNumber) {
        res.end(JSON.stringify(demoExceptionTrackInfo()));
      } else if (req.url?.endsWith('/gettrackinfo')) {
        res.end(
          JSON.stringify({
            code: 0,
            data: { accepted: [], rejected: [{ number, error: { code: -18019902, message: 'The tracking number is not registered.' } }] },
          }),
        );
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${p}/track/v2.2`,
    get requests() {
      return requests;
    },
    numbers,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
