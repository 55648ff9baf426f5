/**
 * Generated bad requests for the fuzz pass (fast-check): for every HTTP route of the gateway, bodies
 * of the wrong type, huge, deeply nested, invalid UTF-8, with the wrong content type or encoding;
 * missing, malformed or forged signatures and credentials; path parameters with odd characters.
 * Platform payloads that pass the signature check (signed with the right secret, to reach the
 * parsers) are a real template with one required field broken, so none of them is a valid event:
 * nothing may be written for any of them.
 */
import fc from 'fast-check';

export interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export type Signer = (body: string | Buffer) => Record<string, string>;

/** Path segments: ids with odd characters, broken percent-encodings, traversal, operators, huge. */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%FF',
    '%',
    '%E0%A4%A',
    '%C0%AF',
    '..',
    '%2e%2e',
    '%2F',
    '%00',
    'demo%00',
    'demo%20',
    '%24where',
    '%7B%22%24gt%22%3A%22%22%7D',
    '__proto__',
    'constructor',
    'conv%3Ademo%3Awebchat%3A',
    'x'.repeat(5000),
    '%F0%9F%92%A9',
    '%E2%80%AE',
  ),
  fc.string({ maxLength: 64 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,40}$/),
);

const huge = fc.integer({ min: 5_000, max: 1_500_000 }).map((n) => 'x'.repeat(n));
const deepJson = fc
  .tuple(fc.integer({ min: 200, max: 20_000 }), fc.boolean())
  .map(([d, arr]) => (arr ? '['.repeat(d) + ']'.repeat(d) : '{"a":'.repeat(d) + '1' + '}'.repeat(d)));
const invalidUtf8 = fc
  .tuple(
    fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
    fc.boolean(),
  )
  .map(([bad, inString]) => {
    const b = Buffer.from(bad);
    return inString
      ? Buffer.concat([Buffer.from('{"text":"'), b, Buffer.from('","buyerId":"'), b, Buffer.from('"}')])
      : Buffer.concat([b, Buffer.from('{}'), b]);
  });
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant([]),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constant({ $gt: '' }),
  fc.constant({ __proto__: { polluted: true } }),
);

/** Any body at all: JSON of any shape, garbage text, huge, deep, invalid UTF-8, empty. */
export const garbageBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"str"', '0', '{"__proto__":{"x":1}}', '\uFEFF{}') },
);

export const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'text/plain',
  'text/csv',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
  '*/*',
  'application/json, text/plain',
  '',
);

/** Extra headers that change how a body is read. */
const bodyHeaders = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { 'content-encoding': 'gzip' },
      { 'content-encoding': 'deflate' },
      { 'content-encoding': 'br' },
      { 'content-encoding': 'x-bogus' },
    ),
  },
);

/** Header values for credentials: absent, empty, malformed, wrong, huge, non-ASCII (latin1). */
export const badCredential = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer ',
    'Bearer wrong-token',
    'Basic YWRtaW46YWRtaW4=',
    'bearer x',
    'Bearer null',
    'Bearer undefined',
    'Token x',
  ),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 }),
  fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.integer({ min: 9_000, max: 20_000 }).map((n) => `Bearer ${'t'.repeat(n)}`),
);

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Delete a required field or give it a value of another type, somewhere along `paths`. */
export function broken(template: unknown, paths: string[][]): fc.Arbitrary<unknown> {
  return fc.constantFrom(...paths).chain((p) => {
    const copy = structuredClone(template) as Record<string, unknown>;
    let o: Record<string, unknown> = copy;
    for (const k of p.slice(0, -1)) o = o[k] as Record<string, unknown>;
    const last = p[p.length - 1]!;
    const original = o[last];
    return fc
      .option(
        wrongType.filter((v) => kind(v) !== kind(original)),
        { nil: undefined, freq: 4 },
      )
      .map((v) => {
        const out = structuredClone(copy);
        let t: Record<string, unknown> = out;
        for (const k of p.slice(0, -1)) t = t[k] as Record<string, unknown>;
        if (v === undefined) delete t[last];
        else t[last] = v;
        return out;
      });
  });
}

export interface RouteSpec {
  route: string;
  weight: number;
  arb: fc.Arbitrary<FuzzRequest>;
}

/** A request with a generated body and content type on `method path`, and the given extra headers. */
export function withBody(
  route: string,
  method: string,
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<string | Buffer>,
  headers: fc.Arbitrary<Record<string, string | undefined>> = fc.constant({}),
): fc.Arbitrary<FuzzRequest> {
  return fc.record({ path, body, ct: contentType, extra: bodyHeaders, headers }).map(({ path, body, ct, extra, headers: h }) => ({
    route,
    method,
    path,
    body,
    headers: clean({ ...(ct ? { 'content-type': ct } : {}), ...extra, ...h }),
  }));
}

export function clean(h: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined));
}
