/**
 * The languages a shop offers (a language-detection prior) and its default language (the pivot
 * target, activities/understanding/pivot.ts); read at most once a minute per shop.
 */
import mongoose from 'mongoose';
import { ShopModel } from '../../models/shop.js';

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; languages: string[]; defaultLanguage: string }>();

async function shopOf(shopId: string, now: number): Promise<{ languages: string[]; defaultLanguage: string }> {
  const hit = cache.get(shopId);
  if (hit && now - hit.at < TTL_MS) return hit;
  if (mongoose.connection.readyState !== 1) return { languages: [], defaultLanguage: 'en' };
  const shop = await ShopModel.findOne({ shopId }, { languages: 1, defaultLanguage: 1 }).lean();
  const entry = { at: now, languages: [...(shop?.languages ?? [])], defaultLanguage: shop?.defaultLanguage ?? 'en' };
  cache.set(shopId, entry);
  return entry;
}

/** shop.languages (empty = every language); empty without a database connection. */
export async function shopLanguages(shopId: string, now = Date.now()): Promise<string[]> {
  return (await shopOf(shopId, now)).languages;
}

/** shop.defaultLanguage ('en' for an unknown shop or without a database connection). */
export async function shopDefaultLanguage(shopId: string, now = Date.now()): Promise<string> {
  return (await shopOf(shopId, now)).defaultLanguage;
}
