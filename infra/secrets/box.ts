/**
 * Sealing secrets at rest: AES-256-GCM under a master key (node:crypto), one fresh 96-bit IV per
 * value. A sealed value is one string, so it fits any String field:
 *
 *   sora:s1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>
 *
 * The version (`s1`) and the key id are part of the authenticated data, with a context naming the
 * field (`carriercredentials.apiKey`), so a value copied into another field does not open. A value
 * without the prefix is a record written before sealing existed: `open` returns it as it is (and
 * `sora secrets migrate`, or the app at start, seals it).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEALED_PREFIX = 'sora:s1:';
const IV = 12;
const TAG = 16;

/** Something wrong with the key or a sealed value; the message names the key ids, never a key or a secret. */
export class SecretsError extends Error {
  override name = 'SecretsError';
}

/** The keys a process holds: `current` seals, all of them open. */
export interface KeyRing {
  current: string;
  keys: Map<string, Buffer>;
  /** Where the keys come from, for messages: `SORA_MASTER_KEY` or the key file's path. */
  source: string;
  /** The key file was created by this load (first start). */
  created?: boolean;
}

/** Where a box gets its keys again when they may have changed (the key file, rewritten by a rotation). */
export interface KeyRingSource {
  load(): KeyRing;
  /** True when load() may now return something else (the file changed). */
  changed(): boolean;
}

export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(SEALED_PREFIX);

/** The key id a sealed value names; null for a plaintext value. */
export function sealedKeyId(v: string): string | null {
  if (!isSealed(v)) return null;
  const end = v.indexOf(':', SEALED_PREFIX.length);
  return end > 0 ? v.slice(SEALED_PREFIX.length, end) : null;
}

/**
 * A process's keys and what it does with them. Given a source (the key file), the keys are loaded
 * on first use, so a process that never meets a secret never creates the key file.
 */
export class SecretBox {
  private loaded: KeyRing | undefined;
  private lastCheck = 0;
  private readonly source: KeyRingSource | undefined;

  constructor(
    ring: KeyRing | KeyRingSource,
    /** How often (ms) seal() looks whether the key source changed; a rotation switches running processes to the new key. */
    private readonly recheckMs = 1000,
  ) {
    if ('load' in ring) this.source = ring;
    else this.loaded = ring;
  }

  private get ring(): KeyRing {
    if (!this.loaded) {
      this.loaded = this.source!.load();
      this.lastCheck = Date.now();
    }
    return this.loaded;
  }

  /** Load the keys now (creating the key file on first start) rather than on first use; throws SecretsError. */
  ready(): { created: boolean } {
    return { created: this.ring.created === true };
  }

  get currentKeyId(): string {
    return this.ring.current;
  }
  get keyIds(): string[] {
    return [...this.ring.keys.keys()];
  }
  get keySource(): string {
    return this.ring.source;
  }
  has(keyId: string): boolean {
    return this.ring.keys.has(keyId);
  }

  /** Re-read the key source if it changed (a rotation by another process). */
  refresh(force = false): void {
    if (!this.source) return;
    const now = Date.now();
    if (!force && now - this.lastCheck < this.recheckMs) return;
    this.lastCheck = now;
    if (force || !this.loaded || this.source.changed()) this.loaded = this.source.load();
  }

  seal(plaintext: string, context: string): string {
    this.refresh();
    const kid = this.ring.current;
    const iv = randomBytes(IV);
    const c = createCipheriv('aes-256-gcm', this.ring.keys.get(kid)!, iv);
    c.setAAD(aad(kid, context));
    const body = Buffer.concat([iv, c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
    return `${SEALED_PREFIX}${kid}:${body.toString('base64url')}`;
  }

  /** The plaintext of a sealed value (a plaintext value is returned as is). */
  open(stored: string, context: string): string {
    if (!isSealed(stored)) return stored;
    const kid = sealedKeyId(stored);
    if (!kid) throw new SecretsError(`the sealed ${context} value is malformed (no key id)`);
    if (!this.ring.keys.has(kid)) this.refresh(true);
    const key = this.ring.keys.get(kid);
    if (!key)
      throw new SecretsError(
        `${context} is sealed with master key ${kid}, which this process does not have (it has ${this.keyIds.join(', ')} from ${this.ring.source}); ` +
          'start with the key that sealed it (SORA_MASTER_KEY or the key file under SORA_HOME), or restore that key from your backup',
      );
    const body = Buffer.from(stored.slice(SEALED_PREFIX.length + kid.length + 1), 'base64url');
    if (body.length < IV + TAG) throw new SecretsError(`the sealed ${context} value is truncated`);
    try {
      const d = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV));
      d.setAAD(aad(kid, context));
      d.setAuthTag(body.subarray(body.length - TAG));
      return Buffer.concat([d.update(body.subarray(IV, body.length - TAG)), d.final()]).toString('utf8');
    } catch {
      throw new SecretsError(`could not decrypt ${context} with master key ${kid}: the record was altered or belongs to another field`);
    }
  }

  /** `open` for optional fields. */
  openOptional(stored: string | null | undefined, context: string): string | null | undefined {
    return typeof stored === 'string' ? this.open(stored, context) : stored;
  }
  sealOptional(plain: string | null | undefined, context: string): string | null | undefined {
    return typeof plain === 'string' ? this.seal(plain, context) : plain;
  }
}

const aad = (kid: string, context: string) => Buffer.from(`${SEALED_PREFIX}${kid}:${context}`, 'utf8');
