/**
 * The operator API's services (bots/operator.ts `OperatorServices`), wired by the entry point from
 * activities/, which bots/ may not import: the FAQ workbook import and the carrier key health.
 */
import type { OperatorServices } from '../bots/operator.js';
import { importKb } from '../activities/knowledge/kb-import.js';
import { KbValidationError } from '../activities/knowledge/kb-workbook.js';
import { carrierKeyHealth } from '../activities/logistics/carrier-key-alerts.js';

export const operatorServices: OperatorServices = {
  async importKb(shopId, fileName, data) {
    try {
      return { imported: await importKb(shopId, fileName, { data }) };
    } catch (e) {
      if (e instanceof KbValidationError) return { invalid: { message: e.message.split('\n')[0]!, problems: e.problems } };
      throw e;
    }
  },
  carrierKeyHealth: (q) => carrierKeyHealth(q),
};
