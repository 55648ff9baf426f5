/**
 * `sora secrets …`: the master key that seals the secrets stored in MongoDB (README "Secrets at rest").
 *
 *   status [--json]          where the key comes from, its id, and the stored secrets per key id
 *                            (plaintext ones too); never a key or a secret
 *   migrate                  seal the secrets still stored in plaintext (the app also does it at start)
 *   rotate-key [--settle 2s] key file: add a new key and make it current, re-seal every secret under it
 *                            (progress on stderr), check, then remove the old key. Safe to run again after
 *                            a crash: a key file with several keys is an unfinished rotation, resumed.
 *                            SORA_MASTER_KEY=NEW,OLD: re-seal everything under NEW (then drop OLD yourself).
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../infra/config/index.js';
import {
  keyIdOf,
  loadOrCreateKeyFile,
  newMasterKey,
  openSecretBox,
  SecretBox,
  SecretsError,
  writeKeyFile,
  type KeyFileState,
} from '../../infra/secrets/index.js';
import { cliConfig, cliMongoUri, fail, textTable } from './support.js';

export interface SecretsIo {
  out: (s: string) => void;
  err: (s: string) => void;
  config: Pick<Config, 'mongo' | 'stack' | 'secrets'>;
}

type Db = typeof import('../../models/sealed-collections.js');

async function withDb<T>(config: SecretsIo['config'], fn: (db: Db) => Promise<T>): Promise<T> {
  const { connectMongo, disconnectMongo } = await import('../../models/connection.js');
  const db = await import('../../models/sealed-collections.js');
  await connectMongo(cliMongoUri(config));
  try {
    return await fn(db);
  } finally {
    await disconnectMongo();
  }
}

const parseSettle = (raw: string | undefined): number => {
  if (raw === undefined) return 2000;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw.trim());
  if (!m) throw new SecretsError(`--settle "${raw}" is not a duration (e.g. 2s or 500ms)`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
};

/** Refuse before changing anything when some secret is sealed with a key `box` does not hold. */
async function checkKnownKeys(db: Db, box: SecretBox): Promise<void> {
  const unknown = new Set<string>();
  for (const c of await db.countSecrets()) for (const kid of Object.keys(c.byKey)) if (!box.has(kid)) unknown.add(kid);
  if (unknown.size)
    throw new SecretsError(
      `secrets are sealed with master key ${[...unknown].join(', ')}, which ${box.keySource} does not hold (it has ${box.keyIds.join(', ')}); ` +
        'nothing was changed. Restore that key (SORA_MASTER_KEY=CURRENT,OLD or the key file from your backup) and run again',
    );
}

function progress(io: SecretsIo) {
  return (p: { collection: string; done: number; total: number }) => {
    if (p.total > 0) io.err(`  ${p.collection}: ${p.done}/${p.total} records`);
  };
}

/** Re-seal everything not under the current key, then check; returns how many were re-sealed. */
async function resealAll(db: Db, box: SecretBox, io: SecretsIo): Promise<number> {
  let total = 0;
  for (let pass = 1; pass <= 5; pass++) {
    const r = await db.resealSecrets(box, { only: 'stale', progress: progress(io) });
    total += r.resealed;
    const left = (await db.countSecrets()).reduce(
      (n, c) => n + c.plaintext + Object.entries(c.byKey).reduce((m, [kid, k]) => m + (kid === box.currentKeyId ? 0 : k), 0),
      0,
    );
    if (left === 0) return total;
    io.err(`  ${left} secret(s) were written meanwhile under another key; pass ${pass + 1}`);
  }
  throw new SecretsError('secrets keep being written under an old key (a process that did not pick up the new key?); run rotate-key again');
}

async function rotateKey(io: SecretsIo, settleMs: number): Promise<void> {
  const { config } = io;
  if (config.secrets.masterKey) {
    const box = openSecretBox(config.secrets);
    if (box.keyIds.length < 2)
      throw new SecretsError(
        'SORA_MASTER_KEY holds one key, and the new one must live where SORA_MASTER_KEY comes from (your secret store): ' +
          'generate 32 random bytes (e.g. `openssl rand -base64 32`), restart every process with SORA_MASTER_KEY=NEW,OLD, ' +
          'run `sora secrets rotate-key` again, then set SORA_MASTER_KEY=NEW',
      );
    await withDb(config, async (db) => {
      await checkKnownKeys(db, box);
      io.err(`re-sealing every secret under ${box.currentKeyId} (the first key of SORA_MASTER_KEY)`);
      const n = await resealAll(db, box, io);
      io.out(
        `re-sealed ${n} secret(s); every secret is sealed with ${box.currentKeyId}. Now set SORA_MASTER_KEY to the first key only and restart\n`,
      );
    });
    return;
  }
  const file = config.secrets.keyFile;
  let state: KeyFileState = loadOrCreateKeyFile(file, { create: true }).state;
  const source = `the key file ${file}`;
  await withDb(config, async (db) => {
    const before = new SecretBox({ current: state.current, keys: new Map(state.keys.map((k) => [k.id, k.key])), source });
    await checkKnownKeys(db, before);
    if (state.keys.length === 1) {
      const key = newMasterKey();
      const id = keyIdOf(key);
      const old = state.current;
      state = { current: id, keys: [{ id, key, createdAt: new Date().toISOString() }, ...state.keys] };
      writeKeyFile(file, state);
      io.err(`new master key ${id} is current; the old key ${old} stays readable until every secret is re-sealed`);
      if (settleMs > 0) {
        io.err(`waiting ${settleMs} ms for running processes to pick up the new key`);
        await new Promise((r) => setTimeout(r, settleMs));
      }
    } else {
      io.err(
        `resuming an unfinished rotation to key ${state.current} (still readable: ${state.keys
          .filter((k) => k.id !== state.current)
          .map((k) => k.id)
          .join(', ')})`,
      );
    }
    const box = new SecretBox({ current: state.current, keys: new Map(state.keys.map((k) => [k.id, k.key])), source });
    const n = await resealAll(db, box, io);
    const retired = state.keys.filter((k) => k.id !== state.current).map((k) => k.id);
    writeKeyFile(file, { current: state.current, keys: state.keys.filter((k) => k.id === state.current) });
    io.out(`re-sealed ${n} secret(s) under ${state.current}; retired key ${retired.join(', ')}. Back up ${file} now\n`);
  });
}

export async function runSecretsCommand(args: string[], io: SecretsIo): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, settle: { type: 'string' } } });
  if (sub === 'status') {
    const box = openSecretBox(io.config.secrets, { create: false });
    let keys: { source: string; current: string | null; held: string[]; error?: string };
    try {
      keys = { source: box.keySource, current: box.currentKeyId, held: box.keyIds };
    } catch (e) {
      if (!(e instanceof SecretsError)) throw e;
      keys = {
        source: io.config.secrets.masterKey ? 'SORA_MASTER_KEY' : io.config.secrets.keyFile,
        current: null,
        held: [],
        error: e.message,
      };
    }
    const counts = await withDb(io.config, (db) => db.countSecrets());
    if (values.json) {
      io.out(`${JSON.stringify({ masterKey: keys, secrets: counts })}\n`);
      return;
    }
    io.out(
      keys.error
        ? `master key: ${keys.error}\n`
        : `master key ${keys.current} from ${keys.source}${keys.held.length > 1 ? ` (also holds ${keys.held.filter((k) => k !== keys.current).join(', ')}: a rotation is unfinished)` : ''}\n`,
    );
    const rows = counts.flatMap((c) => [
      ...Object.entries(c.byKey).map(([kid, n]) => [
        `${c.collection}.${c.field}`,
        `${kid}${kid === keys.current ? ' (current)' : keys.held.includes(kid) ? '' : ' (NOT HELD)'}`,
        String(n),
      ]),
      ...(c.plaintext ? [[`${c.collection}.${c.field}`, 'plaintext (run: sora secrets migrate)', String(c.plaintext)]] : []),
    ]);
    io.out(rows.length ? textTable(['field', 'sealed with', 'records'], rows) : 'no secrets stored yet\n');
    return;
  }
  if (sub === 'migrate') {
    const box = openSecretBox(io.config.secrets);
    await withDb(io.config, async (db) => {
      await checkKnownKeys(db, box);
      const r = await db.resealSecrets(box, { only: 'plaintext', progress: progress(io) });
      io.out(
        `sealed ${r.resealed} plaintext secret(s) with key ${box.currentKeyId}${r.skipped ? ` (${r.skipped} changed meanwhile; run again)` : ''}\n`,
      );
    });
    return;
  }
  if (sub === 'rotate-key') {
    await rotateKey(io, parseSettle(values.settle));
    return;
  }
  throw new SecretsError(`unknown secrets command "${sub ?? ''}" (status, migrate, rotate-key)`);
}

export async function run(args: string[]): Promise<void> {
  if (!args[0]) fail('secrets needs a command: status, migrate or rotate-key');
  await runSecretsCommand(args, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(`${s}\n`), config: cliConfig() });
}
