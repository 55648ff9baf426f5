/**
 * The root-cause counters of a closed conversation in the daily rollup (models/daily-rollup.ts):
 * `rc.<cause>`, and by the dimensions of the order it discussed: `rcCountry.<CC>.<cause>`,
 * `rcCarrier.<carrier>.<cause>`, `rcSku.<sku>.<cause>`. Written at close
 * (activities/insights/record-outcome.ts) and moved by an agent's tag correction (bots/desk/reports.ts)
 * with the facts kept on the conversation (`rcCountry`, `rcCarrier`, `rcSkus`).
 */
import { fieldSafe } from './daily-rollup.js';

/** Facts of the conversation's order (its focus order) for the root-cause dimensions. */
export interface CauseFacts {
  country: string | null;
  carrier: string | null;
  skus: string[];
}

/** Counters of the root causes, by country, carrier and SKU (`unknown` / none when not known). */
export function causeCounters(tags: string[], facts: CauseFacts, sign = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tags) {
    const f = fieldSafe(t);
    out[`rc.${f}`] = sign;
    out[`rcCountry.${fieldSafe(facts.country ?? 'unknown')}.${f}`] = sign;
    out[`rcCarrier.${fieldSafe(facts.carrier ?? 'unknown')}.${f}`] = sign;
    for (const sku of facts.skus) out[`rcSku.${fieldSafe(sku)}.${f}`] = sign;
  }
  return out;
}

/** Stored on the conversation when it is counted, so a tag correction moves the same counters. */
export const causeFactsOf = (c: {
  rcCountry?: string | null;
  rcCarrier?: string | null;
  rcSkus?: string[] | null;
  country?: string | null;
}): CauseFacts => ({
  country: c.rcCountry ?? c.country ?? null,
  carrier: c.rcCarrier ?? null,
  skus: c.rcSkus ?? [],
});
