/**
 * Master keys: 32 random bytes for AES-256-GCM. A key's id is derived from the key itself (first 8
 * bytes of HMAC-SHA256(key, "sora-cs master key id"), 16 hex digits), so a sealed record names the
 * key that opens it without revealing anything about it, and the same key has the same id whether it
 * comes from SORA_MASTER_KEY or from the key file.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;

export const keyIdOf = (key: Buffer): string => createHmac('sha256', key).update('sora-cs master key id').digest('hex').slice(0, 16);

export const newMasterKey = (): Buffer => randomBytes(KEY_BYTES);

/**
 * One key written as 64 hex digits or base64 (standard or URL-safe, padding optional). The error
 * never repeats the value.
 */
export function parseMasterKey(raw: string): { ok: true; key: Buffer } | { ok: false; message: string } {
  const s = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(s)) key = Buffer.from(s, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) key = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key) return { ok: false, message: 'is neither hex nor base64' };
  if (key.length !== KEY_BYTES)
    return {
      ok: false,
      message: `decodes to ${key.length} bytes; a master key is ${KEY_BYTES} bytes (64 hex digits or 44 base64 characters)`,
    };
  return { ok: true, key };
}

/** SORA_MASTER_KEY: one key, or several separated by commas (the first seals, all open: a rotation in progress). */
export function parseMasterKeyList(raw: string): { ok: true; keys: Buffer[] } | { ok: false; message: string } {
  const parts = raw.split(',').map((p) => p.trim());
  const keys: Buffer[] = [];
  for (const [i, p] of parts.entries()) {
    const r = parseMasterKey(p);
    if (!r.ok) return { ok: false, message: parts.length > 1 ? `key ${i + 1} of ${parts.length} ${r.message}` : r.message };
    keys.push(r.key);
  }
  return { ok: true, keys };
}
