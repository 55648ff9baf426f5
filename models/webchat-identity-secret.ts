import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../infra/secrets/index.js';
import { sealedFields } from './sealed-fields.js';
import { ShopModel } from './shop.js';

/** The sealed field (models/sealed-fields.ts): sealed at rest with the process's SecretBox. */
export const SHOP_SECRETS = sealedFields('shops', ['webchatIdentitySecret'] as const);

/**
 * The shop's web chat identity secret (Shop.webchatIdentitySecret): the store signs its customer ids
 * with it (HMAC-SHA256, hex) so the web chat can trust them. Every read and write of the field is
 * in this one function; the value is sealed at rest with `box` (SHOP_SECRETS).
 *
 *   webchatIdentitySecret(shopId)               → the secret, or null (none set)
 *   webchatIdentitySecret(shopId, { rotate })   → sets a new random secret and returns it
 *
 * Returns undefined when the shop does not exist.
 */
export async function webchatIdentitySecret(
  shopId: string,
  box: SecretBox,
  o: { rotate?: boolean } = {},
): Promise<string | null | undefined> {
  if (o.rotate) {
    const secret = randomBytes(32).toString('hex');
    const r = await ShopModel.updateOne(
      { shopId },
      { $set: { webchatIdentitySecret: SHOP_SECRETS.sealValue(box, 'webchatIdentitySecret', secret) } },
    );
    return r.matchedCount ? secret : undefined;
  }
  const shop = await ShopModel.findOne({ shopId }, { webchatIdentitySecret: 1 }).select('+webchatIdentitySecret').lean();
  if (!shop) return undefined;
  const stored = (shop as { webchatIdentitySecret?: string | null }).webchatIdentitySecret;
  return stored ? SHOP_SECRETS.openValue(box, 'webchatIdentitySecret', stored) : null;
}
