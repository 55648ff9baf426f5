/**
 * Every collection with sealed fields, for the commands that go over all of them: status (how many
 * values per key id, how many still plaintext), migrate (seal plaintext values) and rotate-key
 * (re-seal every value under the current key). Add a collection here when it gets secret fields
 * (models/sealed-fields.ts).
 *
 * A value is rewritten only if it is still the one read (compare-and-set on the stored string), so a
 * concurrent write by a running process wins; run again, or rely on the verification pass of rotate-key.
 */
import type { Model } from 'mongoose';
import { isSealed, sealedKeyId, type SecretBox } from '../infra/secrets/index.js';
import { CARRIER_SECRETS, CarrierCredentialModel } from './carrier-credential.js';
import type { SealedFields } from './sealed-fields.js';
import { TIKTOK_SECRETS, TiktokTokenModel } from './tiktok-token.js';
import { WHATSAPP_AUTH_SECRETS, WhatsappAuthModel } from './whatsapp-auth.js';
import { ShopModel } from './shop.js';
import { SHOP_SECRETS } from './webchat-identity-secret.js';
import { LAZADA_SECRETS, LazadaTokenModel } from './lazada-token.js';

export interface SealedCollection {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  spec: SealedFields<string>;
}

export const SEALED_COLLECTIONS: SealedCollection[] = [
  { model: CarrierCredentialModel, spec: CARRIER_SECRETS },
  { model: TiktokTokenModel, spec: TIKTOK_SECRETS },
  { model: WhatsappAuthModel, spec: WHATSAPP_AUTH_SECRETS },
  { model: ShopModel, spec: SHOP_SECRETS },
  { model: LazadaTokenModel, spec: LAZADA_SECRETS },
];

/** Per collection and field: values per key id, and plaintext values. */
export interface SecretsCount {
  collection: string;
  field: string;
  byKey: Record<string, number>;
  plaintext: number;
}

export async function countSecrets(collections: SealedCollection[] = SEALED_COLLECTIONS): Promise<SecretsCount[]> {
  const out: SecretsCount[] = [];
  for (const { model, spec } of collections) {
    const counts = new Map(
      spec.fields.map((f) => [f, { collection: spec.collection, field: f, byKey: {} as Record<string, number>, plaintext: 0 }]),
    );
    const projection = Object.fromEntries(spec.fields.map((f) => [f, 1]));
    for await (const d of model.collection.find({}, { projection })) {
      for (const f of spec.fields) {
        const v = (d as Record<string, unknown>)[f];
        if (typeof v !== 'string') continue;
        const c = counts.get(f)!;
        const kid = sealedKeyId(v);
        if (kid) c.byKey[kid] = (c.byKey[kid] ?? 0) + 1;
        else c.plaintext += 1;
      }
    }
    out.push(...counts.values());
  }
  return out;
}

export interface ResealProgress {
  collection: string;
  field?: string;
  done: number;
  total: number;
}

export interface ResealResult {
  /** Values rewritten under the current key. */
  resealed: number;
  /** Values a concurrent write changed before we could rewrite them (left as that write made them). */
  skipped: number;
}

/**
 * Rewrite values under `box`'s current key: plaintext ones (`only: 'plaintext'`, the migration), or
 * every value not already under the current key (`only: 'stale'`, a rotation). Old-key values are
 * opened with the keys the box holds, so the old key must still be there.
 */
export async function resealSecrets(
  box: SecretBox,
  o: { only: 'plaintext' | 'stale'; progress?: (p: ResealProgress) => void; collections?: SealedCollection[] },
): Promise<ResealResult> {
  const current = box.currentKeyId;
  const needs = (v: unknown): v is string => typeof v === 'string' && (o.only === 'plaintext' ? !isSealed(v) : sealedKeyId(v) !== current);
  const result: ResealResult = { resealed: 0, skipped: 0 };
  for (const { model, spec } of o.collections ?? SEALED_COLLECTIONS) {
    const total = await model.collection.countDocuments({});
    let done = 0;
    o.progress?.({ collection: spec.collection, done, total });
    const projection = Object.fromEntries(spec.fields.map((f) => [f, 1]));
    for await (const d of model.collection.find({}, { projection })) {
      const doc = d as Record<string, unknown>;
      for (const f of spec.fields) {
        const v = doc[f];
        if (!needs(v)) continue;
        const sealed = spec.sealValue(box, f, spec.openValue(box, f, v));
        const r = await model.collection.updateOne({ _id: doc._id as never, [f]: v }, { $set: { [f]: sealed } });
        if (r.modifiedCount === 1) result.resealed += 1;
        else result.skipped += 1;
      }
      done += 1;
      if (done % 500 === 0 || done === total) o.progress?.({ collection: spec.collection, done, total });
    }
  }
  return result;
}

/**
 * At start: seal what is still plaintext, and refuse to run when values are sealed with a key this
 * process does not have (a wrong SORA_MASTER_KEY or a lost key file would otherwise surface later, as
 * a failed send or login). Returns what it sealed.
 */
export async function prepareSecrets(box: SecretBox): Promise<{ sealed: number }> {
  const counts = await countSecrets();
  const unknown = new Map<string, number>();
  for (const c of counts) for (const [kid, n] of Object.entries(c.byKey)) if (!box.has(kid)) unknown.set(kid, (unknown.get(kid) ?? 0) + n);
  if (unknown.size)
    throw new Error(
      `${[...unknown.values()].reduce((a, b) => a + b, 0)} secret(s) in MongoDB are sealed with master key ${[...unknown.keys()].join(', ')}, ` +
        `which this process does not have (it has ${box.keyIds.join(', ')} from ${box.keySource}). ` +
        'Start with the key that sealed them: SORA_MASTER_KEY, or the key file under SORA_HOME restored from your backup',
    );
  if (!counts.some((c) => c.plaintext > 0)) return { sealed: 0 };
  const r = await resealSecrets(box, { only: 'plaintext' });
  return { sealed: r.resealed };
}
