/**
 * The key file: the master keys of an installation that does not set SORA_MASTER_KEY, kept in
 * `$SORA_HOME/master.key` (JSON: the current key id and the keys, base64). Created on first start
 * with mode 0600 in a 0700 folder; a file that group or others may read is refused. A rotation adds
 * a key and makes it current, then removes the old one once every record is re-sealed
 * (scripts/cli/secrets.ts); each write replaces the file atomically (temporary file + rename).
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SecretsError, type KeyRing, type KeyRingSource } from './box.js';
import { keyIdOf, newMasterKey, parseMasterKey } from './keys.js';

interface KeyFileJson {
  version: 1;
  current: string;
  keys: { id: string; key: string; createdAt: string }[];
}

export interface KeyFileState {
  current: string;
  keys: { id: string; key: Buffer; createdAt: string }[];
}

const checkMode = (file: string) => {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw new SecretsError(
      `the master key file ${file} has mode 0${mode.toString(8)}: group or others can read it; ` +
        `restrict it with "chmod 600 ${file}" (and check who could have copied it)`,
    );
};

export function readKeyFile(file: string): KeyFileState {
  checkMode(file);
  let json: KeyFileJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as KeyFileJson;
  } catch (e) {
    throw new SecretsError(`the master key file ${file} is not readable JSON (${e instanceof Error ? e.name : 'error'})`);
  }
  if (json?.version !== 1 || !Array.isArray(json.keys) || typeof json.current !== 'string')
    throw new SecretsError(`the master key file ${file} is not a sora-cs key file (version 1)`);
  const keys = json.keys.map((k, i) => {
    const r = parseMasterKey(String(k.key ?? ''));
    if (!r.ok) throw new SecretsError(`the master key file ${file}: key ${i + 1} ${r.message}`);
    if (keyIdOf(r.key) !== k.id) throw new SecretsError(`the master key file ${file}: key ${i + 1} does not match its id ${k.id}`);
    return { id: k.id, key: r.key, createdAt: String(k.createdAt ?? '') };
  });
  if (!keys.some((k) => k.id === json.current))
    throw new SecretsError(`the master key file ${file} names current key ${json.current}, which it does not hold`);
  return { current: json.current, keys };
}

/** Replace the file atomically, mode 0600. */
export function writeKeyFile(file: string, s: KeyFileState): void {
  const json: KeyFileJson = {
    version: 1,
    current: s.current,
    keys: s.keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), createdAt: k.createdAt })),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeExclusive(tmp, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(tmp, file);
}

function writeExclusive(file: string, text: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600); // whatever the umask
}

/** The key file's keys, creating the file with a new key when there is none. */
export function loadOrCreateKeyFile(file: string, o: { create: boolean }): { state: KeyFileState; created: boolean } {
  try {
    return { state: readKeyFile(file), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!o.create)
    throw new SecretsError(`no master key: SORA_MASTER_KEY is unset and ${file} does not exist (the app creates it on first start)`);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = newMasterKey();
  const state: KeyFileState = { current: keyIdOf(key), keys: [{ id: keyIdOf(key), key, createdAt: new Date().toISOString() }] };
  try {
    writeExclusive(
      file,
      `${JSON.stringify({ version: 1, current: state.current, keys: [{ id: state.current, key: key.toString('base64'), createdAt: state.keys[0]!.createdAt }] }, null, 2)}\n`,
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { state: readKeyFile(file), created: false }; // another process made it first
    throw e;
  }
  return { state, created: true };
}

export const ringOf = (s: KeyFileState, source: string): KeyRing => ({
  current: s.current,
  keys: new Map(s.keys.map((k) => [k.id, k.key])),
  source,
});

/** The key file as a box's source: re-read when its modification time or size changes. */
export function keyFileSource(file: string, o: { create: boolean } = { create: true }): KeyRingSource {
  let seen = '';
  const stamp = () => {
    try {
      const st = statSync(file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return 'missing';
    }
  };
  return {
    load() {
      const { state, created } = loadOrCreateKeyFile(file, o);
      seen = stamp();
      return { ...ringOf(state, `the key file ${file}`), created };
    },
    changed: () => stamp() !== seen,
  };
}
