/**
 * Secret fields of the models, sealed at rest with the process's SecretBox (infra/secrets): one
 * declaration per collection lists its secret fields, and the model's read/write functions call
 * `seal`/`open` with the box their caller passed in. Sealed values are strings
 * (`sora:s1:<key id>:…`), so the schema keeps its String fields; a value written before sealing
 * existed still opens (as is) until `sora secrets migrate` (or the app at start) seals it.
 *
 * Making one more field secret: add it to its collection's `sealedFields(...)` list (or declare a new
 * list and add it to SEALED_COLLECTIONS in sealed-collections.ts), and go through `seal`/`open` where
 * the field is written and read. Rotation, migration and status pick it up from the list.
 */
import type { SecretBox } from '../infra/secrets/index.js';

type Secretish = string | null | undefined;

export interface SealedFields<F extends string> {
  /** The MongoDB collection (the context sealed values are bound to: `collection.field`). */
  collection: string;
  fields: readonly F[];
  context(field: F): string;
  /** A copy of `doc` with its secret fields sealed (absent and null ones as they are). */
  seal<T extends Partial<Record<F, Secretish>>>(box: SecretBox, doc: T): T;
  /** A copy of `doc` with its secret fields opened. */
  open<T extends Partial<Record<F, Secretish>>>(box: SecretBox, doc: T): T;
  sealValue(box: SecretBox, field: F, plain: string): string;
  openValue(box: SecretBox, field: F, stored: string): string;
}

export function sealedFields<F extends string>(collection: string, fields: readonly F[]): SealedFields<F> {
  const context = (f: F) => `${collection}.${f}`;
  const map = <T extends Partial<Record<F, Secretish>>>(doc: T, fn: (v: string, f: F) => string): T => {
    const out = { ...doc };
    for (const f of fields) {
      const v = doc[f];
      if (typeof v === 'string') (out as Record<F, Secretish>)[f] = fn(v, f);
    }
    return out;
  };
  return {
    collection,
    fields,
    context,
    seal: (box, doc) => map(doc, (v, f) => box.seal(v, context(f))),
    open: (box, doc) => map(doc, (v, f) => box.open(v, context(f))),
    sealValue: (box, f, plain) => box.seal(plain, context(f)),
    openValue: (box, f, stored) => box.open(stored, context(f)),
  };
}
