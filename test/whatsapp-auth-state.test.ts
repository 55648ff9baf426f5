/** Baileys auth state in MongoDB (bots/whatsapp/auth-state.ts) against the real MongoDB-wire server. */
import { BufferJSON, proto } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMongoAuthState } from '../bots/whatsapp/auth-state.js';
import { disconnectMongo } from '../models/connection.js';
import { WhatsappAuthModel } from '../models/whatsapp-auth.js';
import { testSecrets, useFreshDatabase } from './setup/helpers.js';

const json = (v: unknown) => JSON.stringify(v, BufferJSON.replacer);
const secrets = testSecrets();

describe('useMongoAuthState', () => {
  beforeAll(() => useFreshDatabase('sora_wa_auth'));
  afterAll(() => disconnectMongo());

  it('starts an unlinked session with fresh credentials when nothing is stored', async () => {
    const a = await useMongoAuthState('fresh', secrets);
    expect(a.state.creds.registered).toBe(false);
    expect(a.state.creds.me).toBeUndefined();
    expect(a.state.creds.noiseKey.public).toHaveLength(32);
    expect(await WhatsappAuthModel.countDocuments({ shopId: 'fresh' })).toBe(0); // nothing written before the first creds.update
  });

  it('round-trips the credentials with their Buffers, and a new instance (restarted gateway) reads them back', async () => {
    const a = await useMongoAuthState('shop-a', secrets);
    a.state.creds.me = { id: '15551234567:7@s.whatsapp.net', name: 'Shop A' };
    a.state.creds.registered = true;
    a.state.creds.routingInfo = Buffer.from([8, 8, 8, 5]);
    await a.saveCreds();

    const b = await useMongoAuthState('shop-a', secrets);
    expect(json(b.state.creds)).toBe(json(a.state.creds));
    expect(Buffer.isBuffer(b.state.creds.noiseKey.private)).toBe(true);
    expect(Buffer.compare(Buffer.from(b.state.creds.noiseKey.private), Buffer.from(a.state.creds.noiseKey.private))).toBe(0);
    expect(Buffer.from(b.state.creds.signedPreKey.signature).equals(Buffer.from(a.state.creds.signedPreKey.signature))).toBe(true);
    expect(b.state.creds.routingInfo).toEqual(Buffer.from([8, 8, 8, 5]));
    expect(b.state.creds.me).toEqual({ id: '15551234567:7@s.whatsapp.net', name: 'Shop A' });

    // Stored as BufferJSON text (Buffers as base64), sealed (infra/secrets), one document for the creds.
    const doc = await WhatsappAuthModel.findOne({ shopId: 'shop-a', kind: 'creds' }).lean();
    expect(doc!.value).toMatch(/^sora:s1:/);
    expect(JSON.parse(secrets.open(doc!.value, 'whatsapp_auth.value')).routingInfo).toEqual({
      type: 'Buffer',
      data: Buffer.from([8, 8, 8, 5]).toString('base64'),
    });
  });

  it('keys by type and id: Buffers intact, app-state-sync-key revived as its proto, missing ids absent, null deletes', async () => {
    const a = await useMongoAuthState('shop-a', secrets);
    const preKey = { public: Buffer.from('a'.repeat(32)), private: Buffer.from('b'.repeat(32)) };
    const session = new Uint8Array([1, 2, 3, 250]);
    const syncKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from('secret-key-data'), timestamp: 1732527000 });
    await a.state.keys.set({
      'pre-key': { '1': preKey, '2': preKey },
      session: { '15551230001.0': session },
      'app-state-sync-key': { AAAAAF6D: syncKey },
    });

    const b = await useMongoAuthState('shop-a', secrets);
    const pre = await b.state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(pre).sort()).toEqual(['1', '2']);
    expect(Buffer.isBuffer(pre['1']!.public) && pre['1']!.public.equals(preKey.public)).toBe(true);
    expect(Buffer.from((await b.state.keys.get('session', ['15551230001.0']))['15551230001.0']!)).toEqual(Buffer.from(session));
    const sk = (await b.state.keys.get('app-state-sync-key', ['AAAAAF6D'])).AAAAAF6D!;
    expect(sk).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(sk.keyData!).toString()).toBe('secret-key-data');

    await b.state.keys.set({ 'pre-key': { '1': null } });
    expect(Object.keys(await a.state.keys.get('pre-key', ['1', '2']))).toEqual(['2']);
    expect(await WhatsappAuthModel.countDocuments({ shopId: 'shop-a', kind: 'pre-key' })).toBe(1);
  });

  it('keeps shops apart, and clear() forgets one shop’s whole session', async () => {
    const a = await useMongoAuthState('shop-a', secrets);
    const other = await useMongoAuthState('shop-b', secrets);
    await other.saveCreds();
    await other.state.keys.set({ 'pre-key': { '1': { public: Buffer.from('x'), private: Buffer.from('y') } } });
    expect(await other.state.keys.get('pre-key', ['2'])).toEqual({}); // shop-a's key 2 is not shop-b's

    await a.clear();
    expect(await WhatsappAuthModel.countDocuments({ shopId: 'shop-a' })).toBe(0);
    expect(await WhatsappAuthModel.countDocuments({ shopId: 'shop-b' })).toBe(2);
    const again = await useMongoAuthState('shop-a', secrets);
    expect(again.state.creds.registered).toBe(false);
    expect(json(again.state.creds.noiseKey)).not.toBe(json(a.state.creds.noiseKey));
  });

  it('serializes writes: the last creds written win', async () => {
    const a = await useMongoAuthState('shop-c', secrets);
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      a.state.creds.nextPreKeyId = i;
      saves.push(a.saveCreds());
    }
    await Promise.all(saves);
    expect((await useMongoAuthState('shop-c', secrets)).state.creds.nextPreKeyId).toBe(9);
  });
});
