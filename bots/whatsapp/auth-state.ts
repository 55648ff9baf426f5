/**
 * Baileys auth state in MongoDB: the equivalent of Baileys' `useMultiFileAuthState`, one document per
 * file it would write (creds, and each Signal key by type and id), so the session survives a restart
 * or a move of the gateway and several shops keep several sessions side by side.
 *
 * Values are stored as JSON text written with BufferJSON.replacer and read with BufferJSON.reviver,
 * exactly as the file store does (Buffers/Uint8Arrays become {type:'Buffer', data: base64}).
 * `keys.set` with a null value deletes the key. `clear()` forgets the whole session (after a logout).
 * Each value is sealed at rest with the SecretBox passed in (models/whatsapp-auth.ts
 * WHATSAPP_AUTH_SECRETS, infra/secrets); a value stored before sealing existed still reads.
 */
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import type { AnyBulkWriteOperation } from 'mongoose';
import { WHATSAPP_AUTH_SECRETS, WhatsappAuthModel } from '../../models/whatsapp-auth.js';
import type { SecretBox } from '../../infra/secrets/index.js';

const CREDS = { kind: 'creds', keyId: 'creds' } as const;

export interface MongoAuthState {
  state: AuthenticationState;
  /** Write the current creds (call on every `creds.update`). Writes are serialized. */
  saveCreds(): Promise<void>;
  /** Delete this shop's whole session (creds and keys). */
  clear(): Promise<void>;
}

/** Load (or start) the session of `shopId`; `secrets` seals and opens the stored values. */
export async function useMongoAuthState(shopId: string, secrets: SecretBox): Promise<MongoAuthState> {
  const encode = (v: unknown): string => WHATSAPP_AUTH_SECRETS.sealValue(secrets, 'value', JSON.stringify(v, BufferJSON.replacer));
  const decode = (s: string): unknown => JSON.parse(WHATSAPP_AUTH_SECRETS.openValue(secrets, 'value', s), BufferJSON.reviver);

  const stored = await WhatsappAuthModel.findOne({ shopId, ...CREDS }, { value: 1 }).lean();
  const creds: AuthenticationCreds = stored ? (decode(stored.value) as AuthenticationCreds) : initAuthCreds();

  let writes: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = writes.catch(() => undefined).then(fn);
    writes = p;
    return p;
  };

  return {
    state: {
      creds,
      keys: {
        async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
          const out: { [id: string]: SignalDataTypeMap[T] } = {};
          if (ids.length === 0) return out;
          const docs = await WhatsappAuthModel.find({ shopId, kind: type, keyId: { $in: ids } }, { keyId: 1, value: 1 }).lean();
          for (const d of docs) {
            let v = decode(d.value);
            if (type === 'app-state-sync-key' && v) v = proto.Message.AppStateSyncKeyData.fromObject(v as Record<string, unknown>);
            out[d.keyId] = v as SignalDataTypeMap[T];
          }
          return out;
        },
        async set(data) {
          const ops: AnyBulkWriteOperation[] = [];
          for (const [kind, byId] of Object.entries(data)) {
            for (const [keyId, value] of Object.entries(byId ?? {})) {
              const filter = { shopId, kind, keyId };
              ops.push(
                value ? { updateOne: { filter, update: { $set: { value: encode(value) } }, upsert: true } } : { deleteOne: { filter } },
              );
            }
          }
          if (ops.length) await serialized(() => WhatsappAuthModel.bulkWrite(ops, { ordered: true }));
        },
      },
    },
    saveCreds: () =>
      serialized(async () => {
        await WhatsappAuthModel.updateOne({ shopId, ...CREDS }, { $set: { value: encode(creds) } }, { upsert: true });
      }),
    clear: () =>
      serialized(async () => {
        await WhatsappAuthModel.deleteMany({ shopId });
      }),
  };
}
