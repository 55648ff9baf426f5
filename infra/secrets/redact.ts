/**
 * Redaction for logs and error messages: fields whose name says secret (token, secret, password,
 * apiKey, authorization, cookie, private/master key, creds…) lose their value, and secret-looking
 * pieces of text (Bearer tokens, `?access_token=…` / `app_secret=…` query parameters, `"apiKey": "…"`
 * in JSON, `Authorization: …` headers, PEM private keys) are masked. Key pairs (`{ public, private }`,
 * as in the Baileys login state) lose their private half. A plain `key` is not a secret
 * name (it is the message key in our log lines).
 */
export const REDACTED = '[redacted]';

const SECRET_NAME =
  /(?:token|secret|passw(?:or)?d|pass(?:phrase)?|api[-_]?key|authorization|cookie|private[-_]?key|master[-_]?key|access[-_]?key|signing[-_]?key|creds|credentials?|noisekey|identitykey|signedprekey|session[-_]?key)$/i;

/** A field name whose value is a secret (`accessToken`, `x-tts-access-token`, `SORA_MASTER_KEY`, `clientSecret` …). */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name.replace(/_/g, '-')) || /^(?:private|priv|sign)$/i.test(name);

const NAMES = String.raw`(?:[\w-]*(?:token|secret|passw(?:or)?d|api[-_]?key|apikey|authorization|cookie|private[-_]?key|master[-_]?key|access[-_]?key|sign))`;
const TEXT_RULES: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, `-----${REDACTED} PRIVATE KEY-----`],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // URL query parameters: ?access_token=…&app_secret=…
  [new RegExp(String.raw`([?&;]${NAMES}=)[^&\s"'#]+`, 'gi'), `$1${REDACTED}`],
  // JSON / JS object text: "apiKey": "…", refresh_token: '…'
  [new RegExp(String.raw`(["']?${NAMES}["']?\s*:\s*)(["'])(?:(?!\2)[^\\]|\\.)*\2`, 'gi'), `$1$2${REDACTED}$2`],
  // headers and key=value text: Authorization: …, x-tts-access-token=…, client_secret=…
  [new RegExp(String.raw`(\b${NAMES}\s*[:=]\s*)(?!\[redacted\])(?!["'])[^\s,;&"'}]+`, 'gi'), `$1${REDACTED}`],
];

/** Mask secret-looking parts of a text (an error message, a logged string). */
export function redactText(text: string): string {
  let out = text;
  for (const [re, by] of TEXT_RULES) out = out.replace(re, by);
  return out;
}

/**
 * A copy of `value` safe to log: secret-named fields replaced, strings masked (redactText), Errors
 * turned into `{ name, message, code? }` with the message masked (request configs inside errors
 * included: their headers are objects and go through the same rule).
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[…]';
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; config?: unknown; response?: unknown };
    return {
      name: e.name,
      message: redactText(e.message),
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.config !== undefined ? { config: redact(e.config, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Map) return redact(Object.fromEntries(value), depth);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) && v != null && v !== '' ? REDACTED : redact(v, depth + 1);
  return out;
}
