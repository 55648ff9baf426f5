import { randomBytes } from 'node:crypto';
import { ShopModel } from './shop.js';

/**
 * The shop's web chat identity secret (Shop.webchatIdentitySecret): the store signs its customer ids
 * with it (HMAC-SHA256, hex) so the web chat can trust them. Every read and write of the field is
 * in this one function, so encryption at rest wraps here.
 *
 *   webchatIdentitySecret(shopId)               → the secret, or null (none set)
 *   webchatIdentitySecret(shopId, { rotate })   → sets a new random secret and returns it
 *
 * Returns undefined when the shop does not exist.
 */
export async function webchatIdentitySecret(shopId: string, o: { rotate?: boolean } = {}): Promise<string | null | undefined> {
  if (o.rotate) {
    const secret = randomBytes(32).toString('hex');
    const r = await ShopModel.updateOne({ shopId }, { $set: { webchatIdentitySecret: secret } });
    return r.matchedCount ? secret : undefined;
  }
  const shop = await ShopModel.findOne({ shopId }, { webchatIdentitySecret: 1 }).select('+webchatIdentitySecret').lean();
  if (!shop) return undefined;
  return (shop as { webchatIdentitySecret?: string | null }).webchatIdentitySecret ?? null;
}
