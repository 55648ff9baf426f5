/** The languages a shop offers, as a language-detection prior; read at most once a minute per shop. */
import mongoose from 'mongoose';
import { ShopModel } from '../../models/shop.js';

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; languages: string[] }>();

/** shop.languages (empty = every language); empty without a database connection. */
export async function shopLanguages(shopId: string, now = Date.now()): Promise<string[]> {
  const hit = cache.get(shopId);
  if (hit && now - hit.at < TTL_MS) return hit.languages;
  if (mongoose.connection.readyState !== 1) return [];
  const shop = await ShopModel.findOne({ shopId }, { languages: 1 }).lean();
  const languages = [...(shop?.languages ?? [])];
  cache.set(shopId, { at: now, languages });
  return languages;
}
