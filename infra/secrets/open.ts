/**
 * The one place a process gets its master keys: SORA_MASTER_KEY when set (config.secrets.masterKeys,
 * first key current), else the key file under SORA_HOME (config.secrets.keyFile), created on first
 * start. Entry points call openSecretBox once and pass the box in.
 */
import { defaultConfig } from '../config/index.js';
import { SecretBox, SecretsError } from './box.js';
import { keyFileSource } from './key-file.js';
import { keyIdOf, parseMasterKeyList } from './keys.js';

export interface SecretsSettings {
  /** SORA_MASTER_KEY as given (one key, or several separated by commas; the first seals). */
  masterKey?: string;
  /** The key file used without SORA_MASTER_KEY ($SORA_HOME/master.key). */
  keyFile: string;
}

export function openSecretBox(s: SecretsSettings, o: { create?: boolean } = {}): SecretBox {
  if (s.masterKey) {
    const r = parseMasterKeyList(s.masterKey);
    if (!r.ok) throw new SecretsError(`SORA_MASTER_KEY ${r.message}`);
    const keys = new Map(r.keys.map((k) => [keyIdOf(k), k]));
    return new SecretBox({
      current: keyIdOf(r.keys[0]!),
      keys,
      source: r.keys.length > 1 ? `SORA_MASTER_KEY (${keys.size} keys)` : 'SORA_MASTER_KEY',
    });
  }
  return new SecretBox(keyFileSource(s.keyFile, { create: o.create ?? true }));
}

const opened = new Map<string, SecretBox>();
/**
 * The box for these settings, opened once per process: what a caller gets that does not pass one
 * (tests, library use), like defaultConfig(). The app, worker and CLI open theirs and pass it in.
 */
export function sharedSecretBox(s: SecretsSettings): SecretBox {
  const k = `${s.masterKey ? 'env' : 'file'}\0${s.masterKey ?? s.keyFile}`;
  let box = opened.get(k);
  if (!box) opened.set(k, (box = openSecretBox(s)));
  return box;
}

/** The box of the default configuration (no SORA_MASTER_KEY: the key file under the project's .sora), for callers that pass none. */
export const defaultSecretBox = (): SecretBox => sharedSecretBox(defaultConfig().secrets);
