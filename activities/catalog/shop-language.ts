/** The shop's default language, for the catalog fallback chain (t.ts) of activities that know the shop. */
import mongoose from 'mongoose';
import { ShopModel } from '../../models/shop.js';
import { supportedChain } from './languages.js';

/**
 * The shop's `defaultLanguage` when the buyer's language has no catalog (null or unsupported);
 * null otherwise, or without a database connection (pure callers, CLI). Reads only when needed.
 */
export async function shopDefaultLanguage(shopId: string, language: string | null | undefined): Promise<string | null> {
  if (supportedChain(language).length > 0) return null;
  if (mongoose.connection.readyState !== 1) return null;
  const shop = await ShopModel.findOne({ shopId }, { defaultLanguage: 1 }).lean();
  return shop?.defaultLanguage ?? null;
}
