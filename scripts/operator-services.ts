/**
 * The operator API's services (bots/operator.ts `OperatorServices`), wired by the entry point from
 * activities/, which bots/ may not import: the FAQ workbook import, the carrier key health, the
 * shop's conversation strategy and buyer data requests (export / forget).
 */
import type { OperatorServices } from '../bots/operator.js';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  abandonStagedImport,
  KbImportBusyError,
  KbUnknownShopError,
  stageKbImport,
  ACTIVE_STATUSES,
} from '../activities/knowledge/kb-import.js';
import { DEFAULT_KB_LIMITS, KbFileError, type KbLimits } from '../activities/knowledge/kb-limits.js';
import { KbValidationError } from '../activities/knowledge/kb-workbook.js';
import { KbImportModel } from '../models/kb-import.js';
import { kbImportWorkflowId, kbImportWorkflowType, type KbImportInput } from '../workflows/contract.js';
import { carrierKeyHealth } from '../activities/logistics/carrier-key-alerts.js';
import type { CarrierKeySettings } from '../activities/logistics/carrier-keys.js';
import type { EmbedderOptions } from '../activities/knowledge/embedder.js';
import { getShopStrategy, StrategyInputError, updateShopStrategy } from '../activities/conversations/shop-profile.js';
import { BuyerDataInputError, exportBuyerData, forgetBuyerData } from '../activities/privacy/buyer-data.js';
import type { BuyerDataOutcome } from '../bots/operator-buyers.js';
import type { ConversationStrategy } from '../workflows/contract.js';
import { validateReturnPolicy } from './return-policy-validator.js';

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
  settings: {
    carrierKeys?: CarrierKeySettings;
    embedding?: EmbedderOptions;
    /** The client buyer-data requests reach the buyer's conversation workflows with. */
    temporal?: Client;
    /** Where KB imports run (the `kbImport` workflow on `taskQueue`) and the workbook limits; without it uploads get 503. */
    kbImport?: Partial<KbLimits> & { client: Client; taskQueue: string };
  } = {},
): OperatorServices => ({
  ...kbImportServices(settings.kbImport),
  exportBuyer: (q) => outcome(() => exportBuyerData({ ...q, via: 'api' }, settings.temporal)),
  forgetBuyer: (q) =>
    outcome(() => {
      if (!settings.temporal) throw new Error('forgetting a buyer needs the Temporal client (operatorServices settings.temporal)');
      return forgetBuyerData({ ...q, via: 'api' }, settings.temporal);
    }),
  carrierKeyHealth: (q) => carrierKeyHealth({ ...q, settings: settings.carrierKeys }),
  validateReturnPolicy,
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

/** Problems listed in a 422 answer (the message counts them all). */
const MAX_PROBLEMS_SHOWN = 200;

function kbImportServices(
  o: (Partial<KbLimits> & { client: Client; taskQueue: string }) | undefined,
): Pick<OperatorServices, 'kbMaxUploadBytes' | 'startKbImport' | 'kbImportStatus' | 'cancelKbImport'> {
  const limits: KbLimits = {
    maxUploadBytes: o?.maxUploadBytes ?? DEFAULT_KB_LIMITS.maxUploadBytes,
    maxUnzippedBytes: o?.maxUnzippedBytes ?? DEFAULT_KB_LIMITS.maxUnzippedBytes,
    maxRows: o?.maxRows ?? DEFAULT_KB_LIMITS.maxRows,
    maxCellChars: o?.maxCellChars ?? DEFAULT_KB_LIMITS.maxCellChars,
  };
  return {
    kbMaxUploadBytes: limits.maxUploadBytes,
    async startKbImport(shopId, fileName, data) {
      if (!o) return { rejected: { status: 503, code: 'imports_unavailable', message: 'KB imports are not configured in this process' } };
      let staged;
      try {
        staged = await stageKbImport(shopId, fileName, data, { limits });
      } catch (e) {
        if (e instanceof KbValidationError)
          return { invalid: { message: e.message.split('\n')[0]!, problems: e.problems.slice(0, MAX_PROBLEMS_SHOWN) } };
        if (e instanceof KbFileError) return { rejected: { status: e.status, code: e.code, message: e.message } };
        if (e instanceof KbUnknownShopError) return { rejected: { status: 404, code: 'unknown_shop', message: e.message } };
        if (e instanceof KbImportBusyError) return { rejected: { status: 409, code: 'import_in_progress', message: e.message } };
        throw e;
      }
      const input: KbImportInput = { importId: staged.importId, shopId, entries: staged.entries };
      try {
        await o.client.workflow.start(kbImportWorkflowType, {
          taskQueue: o.taskQueue,
          workflowId: kbImportWorkflowId(staged.importId),
          args: [input],
        });
      } catch (e) {
        await abandonStagedImport(staged.importId, 'failed', `could not start the import workflow: ${String(e)}`);
        return {
          rejected: {
            status: 503,
            code: 'temporal_unavailable',
            message: 'the import could not be started (Temporal unreachable); nothing changed, retry later',
          },
        };
      }
      const { importId, entries, phrasings, warnings } = staged;
      return { started: { importId, entries, phrasings, warnings } };
    },
    async kbImportStatus(shopId, importId) {
      const rec = await KbImportModel.findOne({ shopId, importId }).lean();
      if (!rec) return null;
      return {
        importId,
        shopId,
        status: rec.status,
        entries: rec.entries,
        phrasings: rec.phrasings,
        progress: {
          embedded: rec.embedded,
          total: rec.phrasings,
          percent: rec.phrasings ? Math.floor((100 * rec.embedded) / rec.phrasings) : 0,
        },
        warnings: rec.warnings,
        ...(rec.cancelRequested && rec.status !== 'cancelled' && rec.status !== 'done' ? { cancelRequested: true } : {}),
        ...(rec.result ? { result: rec.result } : {}),
        ...(rec.error ? { error: rec.error } : {}),
        ...(rec.translation ? { translation: rec.translation } : {}),
        startedAt: rec.createdAt,
        ...(rec.finishedAt ? { finishedAt: rec.finishedAt } : {}),
      };
    },
    async cancelKbImport(shopId, importId) {
      const rec = await KbImportModel.findOne({ shopId, importId }).lean();
      if (!rec) return null;
      if (!(ACTIVE_STATUSES as readonly string[]).includes(rec.status)) return { status: rec.status, finished: true };
      if (rec.status === 'publishing') return { status: rec.status, finished: true };
      await KbImportModel.updateOne({ importId }, { $set: { cancelRequested: true } });
      try {
        await o!.client.workflow.getHandle(kbImportWorkflowId(importId)).cancel();
      } catch (e) {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
        await abandonStagedImport(importId, 'cancelled');
      }
      return { importId, status: 'cancelling' };
    },
  };
}
