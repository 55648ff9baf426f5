/**
 * Small zod helpers for channel settings (see channels.ts): required secrets with a message naming
 * the variable and the channel, and platform-account → shop maps.
 */
import { z } from 'zod';

/** A required, non-empty string; the message names the variable and the channel that needs it. */
export function requiredEnv(name: string, channel: string, hint?: string) {
  const message = `${name} is required when ${channel} is enabled${hint ? ` (${hint})` : ''}`;
  return z.string({ required_error: message, invalid_type_error: message }).trim().min(1, message);
}

/** An optional string; empty counts as unset. */
export function optionalEnv() {
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined));
}

export interface ShopMapEntry {
  /** The platform's account id (WhatsApp phone_number_id, TikTok shop_id). */
  platformId: string;
  /** Our shop id. */
  shopId: string;
  /** Anything after a second ':' (e.g. the TikTok shop_cipher). */
  extra?: string;
}

const ID = /^[\w.@-]+$/;

/**
 * Parses `platformId:shopId[:extra],…` (`shape` names the parts for messages, e.g.
 * "phoneNumberId:shopId"). Returns the entries and the problems found. Empty or unset: no entries.
 */
export function parseShopMap(raw: string | undefined, shape: string, allowExtra = false): { entries: ShopMapEntry[]; problems: string[] } {
  const entries: ShopMapEntry[] = [];
  const problems: string[] = [];
  if (!raw?.trim()) return { entries, problems };
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const bits = item.split(':');
    const [platformId, shopId, extra] = bits.map((b) => b.trim());
    if (!platformId || !shopId || bits.length > (allowExtra ? 3 : 2) || !ID.test(platformId) || !ID.test(shopId)) {
      problems.push(`"${item}" is not of the form ${shape}`);
      continue;
    }
    if (seen.has(platformId)) {
      problems.push(`"${platformId}" is listed twice`);
      continue;
    }
    seen.add(platformId);
    entries.push({ platformId, shopId, ...(extra ? { extra } : {}) });
  }
  return { entries, problems };
}

/** An optional `platformId:shopId,…` variable, parsed; each malformed item is its own issue. */
export function shopMapEnv(shape: string, allowExtra = false) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const { entries, problems } = parseShopMap(raw, shape, allowExtra);
      for (const p of problems) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p });
      return entries;
    });
}
