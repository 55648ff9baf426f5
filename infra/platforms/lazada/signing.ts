/**
 * Lazada Open Platform signatures, both directions.
 *
 * API requests: open.lazada.com "Signature algorithm" (doc articleId 108068) and "Assemble HTTP
 * request" (articleId 108069):
 *   1. take every request parameter (system and business, query or form body) except `sign`,
 *      sorted by name (ASCII order);
 *   2. concatenate them as `{name}{value}`;
 *   3. put the API path in front (e.g. `/order/get`);
 *   4. HMAC-SHA256 keyed by the app secret over the UTF-8 bytes, as UPPERCASE hex;
 *   the system parameters are app_key, timestamp (milliseconds), sign_method=sha256 and, for a
 *   seller's calls, access_token. The documented example (app secret "helloworld", /order/get,
 *   access_token test, app_key 123456, order_id 1234, timestamp 1517820392000) gives
 *   4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A; test/lazada.test.ts checks it.
 *
 * Push (webhook): "Lazada Push Mechanism" (articleId 120168 / 119493): the `Authorization` request
 * header is HEX(HMAC-SHA256(app_key + raw body, app secret)). The docs give the formula and a
 * Java sample but no key/body/signature triple, so the test checks the formula written out by hand.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The string HMAC'd for an API request: path + sorted {name}{value}, `sign` and empty values left out. */
export function stringToSign(path: string, params: Record<string, string>): string {
  return (
    path +
    Object.keys(params)
      .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
      .sort()
      .map((k) => `${k}${params[k]}`)
      .join('')
  );
}

/** The `sign` parameter of an API request (uppercase hex). */
export function signRequest(appSecret: string, path: string, params: Record<string, string>): string {
  return createHmac('sha256', appSecret).update(stringToSign(path, params), 'utf8').digest('hex').toUpperCase();
}

/** The `Authorization` header Lazada sends with a push. */
export function pushSignature(rawBody: Buffer | string, appKey: string, appSecret: string): string {
  return createHmac('sha256', appSecret)
    .update(Buffer.concat([Buffer.from(appKey, 'utf8'), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8')]))
    .digest('hex');
}

/** Timing-safe check of a push's `Authorization` header (hex, either case) against the exact bytes received. */
export function checkPushSignature(
  rawBody: Buffer | undefined,
  header: string | undefined,
  appKey: string,
  appSecret: string,
): 'ok' | 'missing' | 'invalid' {
  if (!header) return 'missing';
  const hex = header.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex) || !rawBody) return 'invalid';
  const expected = Buffer.from(pushSignature(rawBody, appKey, appSecret), 'hex');
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'invalid';
}
