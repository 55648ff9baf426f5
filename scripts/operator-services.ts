/**
 * The operator API's services (bots/operator.ts `OperatorServices`), wired by the entry point from
 * activities/, which bots/ may not import: the FAQ workbook import, the carrier key health, the
 * shop's conversation strategy and buyer data requests (export / forget).
 */
import type { OperatorServices } from '../bots/operator.js';
import { importKb } from '../activities/knowledge/kb-import.js';
import { KbValidationError } from '../activities/knowledge/kb-workbook.js';
import { carrierKeyHealth } from '../activities/logistics/carrier-key-alerts.js';
import type { CarrierKeySettings } from '../activities/logistics/carrier-keys.js';
import { sharedEmbedder, type EmbedderOptions } from '../activities/knowledge/embedder.js';
import { getShopStrategy, StrategyInputError, updateShopStrategy } from '../activities/conversations/shop-profile.js';
import { BuyerDataInputError, exportBuyerData, forgetBuyerData } from '../activities/privacy/buyer-data.js';
import type { Client } from '@temporalio/client';
import type { BuyerDataOutcome } from '../bots/operator-buyers.js';
import type { ConversationStrategy } from '../workflows/contract.js';

/** A buyer-data request's outcome for the API: bad input and unknown shop/buyer as errors, the rest thrown. */
async function outcome<T>(fn: () => Promise<T>): Promise<BuyerDataOutcome<T>> {
  try {
    return { ok: await fn() };
  } catch (e) {
    if (e instanceof BuyerDataInputError) return { error: e.code, message: e.message };
    throw e;
  }
}

/**
 * `strategyDefaults`: what a shop's conversation strategy falls back to (from the conversation config);
 * `settings`: the carrier key warning window and the embedding model a KB upload is embedded with;
 * `temporal`: the client buyer-data requests reach the buyer's conversation workflows with.
 */
export const operatorServices = (
  strategyDefaults: ConversationStrategy,
  settings: { carrierKeys?: CarrierKeySettings; embedding?: EmbedderOptions; temporal?: Client } = {},
): OperatorServices => ({
  async importKb(shopId, fileName, data) {
    try {
      return { imported: await importKb(shopId, fileName, { data, embedder: sharedEmbedder(settings.embedding) }) };
    } catch (e) {
      if (e instanceof KbValidationError) return { invalid: { message: e.message.split('\n')[0]!, problems: e.problems } };
      throw e;
    }
  },
  exportBuyer: (q) => outcome(() => exportBuyerData({ ...q, via: 'api' }, settings.temporal)),
  forgetBuyer: (q) =>
    outcome(() => {
      if (!settings.temporal) throw new Error('forgetting a buyer needs the Temporal client (operatorServices settings.temporal)');
      return forgetBuyerData({ ...q, via: 'api' }, settings.temporal);
    }),
  carrierKeyHealth: (q) => carrierKeyHealth({ ...q, settings: settings.carrierKeys }),
  async shopStrategy(shopId, change) {
    try {
      return {
        view:
          change === undefined
            ? await getShopStrategy(shopId, strategyDefaults)
            : await updateShopStrategy(shopId, change, strategyDefaults),
      };
    } catch (e) {
      if (e instanceof StrategyInputError)
        return { problems: e.problems, unknownShop: e.problems.length === 1 && e.problems[0]!.startsWith('no shop') };
      throw e;
    }
  },
});
