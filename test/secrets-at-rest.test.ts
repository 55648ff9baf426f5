/**
 * Secrets at rest (infra/secrets, README "Secrets at rest"): carrier keys, TikTok tokens and the
 * Baileys login state are sealed in MongoDB (the raw documents, read with the native driver, hold
 * none of them) and read back through the normal paths; the key file is created 0600 and a readable
 * one refused; a wrong key is a clear error; `sora secrets rotate-key` re-seals everything, resumes
 * after a crash, and old-key records stay readable throughout; logs redact secrets.
 */
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BufferJSON } from '@whiskeysockets/baileys';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialsForShop, listCarrierKeys, setCarrierKey } from '../activities/logistics/carrier-keys.js';
import { useMongoAuthState } from '../bots/whatsapp/auth-state.js';
import { ConfigError, loadConfig, type Config } from '../infra/config/index.js';
import { formatLogLine, log } from '../infra/log.js';
import {
  keyIdOf,
  newMasterKey,
  openSecretBox,
  readKeyFile,
  SecretsError,
  sealedKeyId,
  writeKeyFile,
  type SecretBox,
} from '../infra/secrets/index.js';
import { connectMongo, disconnectMongo } from '../models/connection.js';
import { countSecrets, prepareSecrets, resealSecrets, SEALED_COLLECTIONS } from '../models/sealed-collections.js';
import { ShopModel } from '../models/shop.js';
import { createTiktokTokenStore } from '../models/tiktok-token.js';
import { runSecretsCommand } from '../scripts/cli/secrets.js';
import { testSecrets, useFreshDatabase } from './setup/helpers.js';

const PLAIN = {
  dhl: 'DHL-PLAINTEXT-KEY-7f3a9c',
  upsId: 'UPS-CLIENT-ID-plain-51d2',
  upsSecret: 'UPS-CLIENT-SECRET-plain-0b8e',
  access: 'TTP_access_plaintext_4c1d7e',
  refresh: 'TTP_refresh_plaintext_93ab55',
};
const FUTURE = new Date(Date.now() + 30 * 86_400_000);

let uri: string;
const tmp = () => mkdtempSync(path.join(tmpdir(), 'sora-secrets-'));

/** Every document of every collection, as the JSON the database would hand anyone who can read it. */
async function rawDump(): Promise<string> {
  const db = mongoose.connection.db!;
  const out: unknown[] = [];
  for (const c of await db.listCollections().toArray()) out.push(await db.collection(c.name).find({}).toArray());
  return JSON.stringify(out);
}

/** Store one of each secret through the app's own write paths. */
async function storeAll(box: SecretBox, shopId: string) {
  await ShopModel.updateOne({ shopId }, { $setOnInsert: { shopId, name: shopId } }, { upsert: true });
  await setCarrierKey({ shopId, carrier: 'dhl', apiKey: PLAIN.dhl, expiresAt: FUTURE, secrets: box });
  await setCarrierKey({ shopId, carrier: 'ups', clientId: PLAIN.upsId, clientSecret: PLAIN.upsSecret, expiresAt: FUTURE, secrets: box });
  await createTiktokTokenStore(box).saveAuthorized(`seller-${shopId}`, {
    accessToken: PLAIN.access,
    accessTokenExpiresAt: FUTURE,
    refreshToken: PLAIN.refresh,
    refreshTokenExpiresAt: null,
    sellerName: 'Seller',
    shops: [{ id: `tt-${shopId}` }],
  });
  const wa = await useMongoAuthState(shopId, box);
  wa.state.creds.registered = true;
  wa.state.creds.me = { id: '15551234567:3@s.whatsapp.net', name: 'Shop' };
  await wa.saveCreds();
  await wa.state.keys.set({ 'pre-key': { '7': { public: Buffer.alloc(32, 7), private: Buffer.alloc(32, 8) } } });
  return { noisePrivate: Buffer.from(wa.state.creds.noiseKey.private).toString('base64'), creds: wa.state.creds };
}

/** Read everything back through the normal read paths and check it. */
async function readAll(box: SecretBox, shopId: string, noisePrivate: string) {
  const creds = await credentialsForShop(shopId, { secrets: box });
  expect(creds.dhl?.apiKey).toBe(PLAIN.dhl);
  expect(creds.ups).toMatchObject({ clientId: PLAIN.upsId, clientSecret: PLAIN.upsSecret });
  const token = await createTiktokTokenStore(box).findByShop(`tt-${shopId}`);
  expect(token).toMatchObject({ accessToken: PLAIN.access, refreshToken: PLAIN.refresh });
  const wa = await useMongoAuthState(shopId, box);
  expect(wa.state.creds.registered).toBe(true);
  expect(Buffer.from(wa.state.creds.noiseKey.private).toString('base64')).toBe(noisePrivate);
  const keys = await wa.state.keys.get('pre-key', ['7']);
  expect(Buffer.from(keys['7']!.private)).toEqual(Buffer.alloc(32, 8));
}

beforeAll(async () => {
  uri = await useFreshDatabase('sora_secrets_at_rest');
});
afterAll(() => disconnectMongo());

describe('secrets at rest', () => {
  const box = testSecrets();

  it('stores carrier keys, TikTok tokens and the Baileys login state sealed: the raw documents hold none of them', async () => {
    const { noisePrivate } = await storeAll(box, 'shop-a');
    const raw = await rawDump();
    for (const p of [...Object.values(PLAIN), noisePrivate, Buffer.alloc(32, 8).toString('base64')]) expect(raw).not.toContain(p);
    expect(raw).not.toContain('"registered":true');
    expect(raw).toMatch(/sora:s1:[0-9a-f]{16}:/);
    // The normal read paths give them back, and listings still carry the fingerprint, not the key.
    await readAll(box, 'shop-a', noisePrivate);
    const listed = JSON.stringify(await listCarrierKeys({ shopId: 'shop-a', secrets: box }));
    expect(listed).toMatch(/"fingerprint":"[0-9a-f]{8}"/);
    expect(listed).not.toContain(PLAIN.dhl);
  });

  it('reads records stored in plaintext by an older version, and migrate (or the app at start) seals them', async () => {
    const db = mongoose.connection.db!;
    await db.collection('tiktoktokens').insertOne({
      openId: 'legacy',
      accessToken: 'LEGACY-ACCESS-plain',
      refreshToken: 'LEGACY-REFRESH-plain',
      accessTokenExpiresAt: FUTURE,
      shops: [{ id: 'tt-legacy' }],
    });
    await db
      .collection('carriercredentials')
      .insertOne({ shopId: 'legacy', carrier: 'dhl', apiKey: 'LEGACY-DHL-plain', expiresAt: FUTURE });
    expect(await rawDump()).toContain('LEGACY-ACCESS-plain'); // the grep does see plaintext
    expect((await createTiktokTokenStore(box).findBySeller('legacy'))?.accessToken).toBe('LEGACY-ACCESS-plain');
    expect((await listCarrierKeys({ shopId: 'legacy' }))[0]!.fingerprint).toMatch(/^[0-9a-f]{8}$/);

    expect(await prepareSecrets(box)).toEqual({ sealed: 3 });
    const raw = await rawDump();
    expect(raw).not.toContain('LEGACY-ACCESS-plain');
    expect(raw).not.toContain('LEGACY-DHL-plain');
    expect((await createTiktokTokenStore(box).findBySeller('legacy'))?.refreshToken).toBe('LEGACY-REFRESH-plain');
    expect((await credentialsForShop('legacy', { secrets: box })).dhl?.apiKey).toBe('LEGACY-DHL-plain');
    expect(await prepareSecrets(box)).toEqual({ sealed: 0 });
  });

  it('a wrong master key is a clear error naming the key ids, not garbage; so is a value moved to another field', async () => {
    const wrong = testSecrets('another installation');
    const read = credentialsForShop('shop-a', { secrets: wrong });
    await expect(read).rejects.toThrow(SecretsError);
    await expect(read).rejects.toThrow(
      new RegExp(`sealed with master key ${box.currentKeyId}, which this process does not have \\(it has ${wrong.currentKeyId}`),
    );
    await expect(prepareSecrets(wrong)).rejects.toThrow(/secret\(s\) in MongoDB are sealed with master key .*does not have/);
    const sealed = box.seal('x', 'tiktoktokens.accessToken');
    expect(() => box.open(sealed, 'carriercredentials.apiKey')).toThrow(/could not decrypt carriercredentials.apiKey/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(() => box.open(tampered, 'tiktoktokens.accessToken')).toThrow(/altered/);
  });

  it('SORA_MASTER_KEY: hex or base64, 32 bytes, validated without echoing the value', () => {
    const key = newMasterKey();
    const hex = loadConfig({ SORA_MASTER_KEY: key.toString('hex') }).secrets;
    const b64 = loadConfig({ SORA_MASTER_KEY: key.toString('base64') }).secrets;
    expect(openSecretBox(hex).currentKeyId).toBe(keyIdOf(key));
    expect(openSecretBox(b64).currentKeyId).toBe(keyIdOf(key));
    expect(openSecretBox(hex).keySource).toBe('SORA_MASTER_KEY');
    let err: unknown;
    try {
      loadConfig({ SORA_MASTER_KEY: 'c2hvcnQtc2VjcmV0LXZhbHVl' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/SORA_MASTER_KEY: decodes to 18 bytes; a master key is 32 bytes/);
    expect(String(err)).not.toContain('c2hvcnQtc2VjcmV0LXZhbHVl');
  });

  it('the key file is created 0600 on first use; a file group or others can read is refused', () => {
    const dir = tmp();
    const keyFile = path.join(dir, 'home', 'master.key');
    const first = openSecretBox({ keyFile });
    expect(first.ready()).toEqual({ created: true });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(openSecretBox({ keyFile }).ready()).toEqual({ created: false });
    expect(openSecretBox({ keyFile }).currentKeyId).toBe(first.currentKeyId);
    chmodSync(keyFile, 0o644);
    expect(() => openSecretBox({ keyFile }).ready()).toThrow(/has mode 0644: group or others can read it; restrict it with "chmod 600/);
  });

  it('rotate-key re-seals every secret under a new key, resumes after a crash, and old-key records stay readable', async () => {
    await useFreshDatabase('sora_secrets_rotation');
    const keyFile = path.join(tmp(), 'master.key');
    const config: Pick<Config, 'mongo' | 'stack' | 'secrets'> = {
      mongo: { uri },
      stack: loadConfig({}).stack,
      secrets: { keyFile },
    };
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      try {
        await runSecretsCommand(args, { out: (s) => out.push(s), err: (s) => err.push(s), config });
      } finally {
        await connectMongo(uri); // the command disconnects when done
      }
      return { out: out.join(''), err: err.join('\n') };
    };
    const k1box = openSecretBox({ keyFile });
    const running = openSecretBox({ keyFile }); // a process that started before the rotation
    const { noisePrivate } = await storeAll(k1box, 'shop-r');
    const k1 = k1box.currentKeyId;
    await readAll(running, 'shop-r', noisePrivate);

    // A rotation that crashed half-way: the new key was added and made current, one collection re-sealed.
    const before = readKeyFile(keyFile);
    const key2 = newMasterKey();
    const k2 = keyIdOf(key2);
    writeKeyFile(keyFile, { current: k2, keys: [{ id: k2, key: key2, createdAt: new Date().toISOString() }, ...before.keys] });
    const mid = openSecretBox({ keyFile });
    await resealSecrets(mid, { only: 'stale', collections: SEALED_COLLECTIONS.slice(0, 1) });
    const mixed = await countSecrets();
    expect(mixed.find((c) => c.field === 'apiKey')!.byKey).toEqual({ [k2]: 1 });
    expect(mixed.find((c) => c.field === 'accessToken')!.byKey).toEqual({ [k1]: 1 });
    await readAll(openSecretBox({ keyFile }), 'shop-r', noisePrivate); // both keys readable mid-rotation
    await readAll(running, 'shop-r', noisePrivate); // the running process picks up the new key when it meets it
    expect((await cli('status')).out).toMatch(
      new RegExp(`master key ${k2} from the key file .*also holds ${k1}: a rotation is unfinished`),
    );

    // Run again: it resumes, re-seals the rest, retires the old key.
    const resumed = await cli('rotate-key', '--settle', '0');
    expect(resumed.err).toContain(`resuming an unfinished rotation to key ${k2} (still readable: ${k1})`);
    expect(resumed.err).toMatch(/tiktoktokens: 1\/1 records/);
    expect(resumed.err).toMatch(/whatsapp_auth: 2\/2 records/);
    expect(resumed.out).toMatch(new RegExp(`re-sealed \\d+ secret\\(s\\) under ${k2}; retired key ${k1}`));
    for (const c of await countSecrets()) expect(Object.keys(c.byKey).filter((k) => k !== k2)).toEqual([]);
    expect(readKeyFile(keyFile).keys.map((k) => k.id)).toEqual([k2]);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await readAll(openSecretBox({ keyFile }), 'shop-r', noisePrivate);
    await readAll(running, 'shop-r', noisePrivate);

    // A normal rotation from a single key: a fresh key, everything under it, progress on stderr.
    const again = await cli('rotate-key', '--settle', '0');
    const k3 = readKeyFile(keyFile).current;
    expect(k3).not.toBe(k2);
    expect(again.err).toContain(`new master key ${k3} is current; the old key ${k2} stays readable`);
    expect(again.err).toMatch(/carriercredentials: 2\/2 records/);
    expect(again.out).toMatch(new RegExp(`re-sealed 7 secret\\(s\\) under ${k3}; retired key ${k2}`));
    await readAll(running, 'shop-r', noisePrivate);
    const raw = await rawDump();
    for (const p of Object.values(PLAIN)) expect(raw).not.toContain(p);
    expect(raw.match(/sora:s1:([0-9a-f]{16}):/g)!.every((m) => sealedKeyId(`${m}x`) === k3)).toBe(true);

    // status: where the key comes from and the counts per key id, never the key.
    const status = await cli('status');
    expect(status.out).toContain(`master key ${k3} from the key file ${keyFile}`);
    expect(status.out).toMatch(new RegExp(`carriercredentials.apiKey\\s+${k3} \\(current\\)\\s+1`));
    expect(status.out).toMatch(new RegExp(`whatsapp_auth.value\\s+${k3} \\(current\\)\\s+2`));
    const keyText = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].key as string;
    expect(status.out).not.toContain(keyText);
    expect(JSON.stringify(JSON.parse((await cli('status', '--json')).out))).not.toContain(keyText);
  });
});

describe('logs never carry secrets', () => {
  it('masks secret-named fields, Bearer tokens, secret query parameters and JSON in error messages', () => {
    const err = new Error(
      'GET https://auth.tiktok-shops.com/api/v2/token/refresh?app_key=ak&app_secret=APPSECRET123&refresh_token=RT-998877 failed: ' +
        '{"headers":{"Authorization":"Bearer eyJhbGciOi.J9.sig","x-tts-access-token":"TTP_header_tok"},"apiKey":"DHLKEY-in-json"}',
    );
    const line = formatLogLine('tiktok token refresh failed Authorization: Bearer abcdef123456', {
      openId: 'seller-1',
      key: 'conv:demo:webchat:b1',
      accessToken: 'TTP_field_token',
      config: { headers: { 'DHL-API-Key': 'DHL-header-key', authorization: 'Basic dXNlcjpwYXNz' }, url: 'https://x/track' },
      clientSecret: 'cs-value',
      error: err,
    });
    for (const s of [
      'APPSECRET123',
      'RT-998877',
      'eyJhbGciOi',
      'TTP_header_tok',
      'DHLKEY-in-json',
      'abcdef123456',
      'TTP_field_token',
      'DHL-header-key',
      'dXNlcjpwYXNz',
      'cs-value',
    ])
      expect(line).not.toContain(s);
    expect(line).toContain('openId="seller-1"');
    expect(line).toContain('key="conv:demo:webchat:b1"'); // a conversation key is not a secret
    expect(line).toContain('app_key=ak');
    expect(line).toContain('[redacted]');
  });

  it('masks Baileys key material logged as objects', () => {
    const line = formatLogLine('baileys', {
      creds: { me: 'x' },
      signedPreKey: { keyId: 1 },
      pair: { public: 'PUB', private: 'PRIVATE-HALF' },
    });
    expect(line).not.toContain('PRIVATE-HALF');
    expect(line).not.toContain('"me"');
    expect(line).toContain('PUB');
  });

  it('log() writes the redacted line', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      log('carrier call failed', { apiKey: PLAIN.dhl, password: 'hunter2', shopId: 'demo' });
      const written = String(write.mock.calls.at(-1)?.[0]);
      expect(written).toContain('shopId="demo"');
      expect(written).not.toContain(PLAIN.dhl);
      expect(written).not.toContain('hunter2');
    } finally {
      write.mockRestore();
    }
  });

  it('Baileys values are BufferJSON text before sealing (what the sealed value holds)', () => {
    // Guards the format auth-state.ts seals: a Buffer in the creds becomes base64 inside the JSON.
    expect(JSON.stringify({ b: Buffer.from([1, 2]) }, BufferJSON.replacer)).toBe('{"b":{"type":"Buffer","data":"AQI="}}');
  });
});
