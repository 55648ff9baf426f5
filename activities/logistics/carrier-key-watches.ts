/**
 * startCarrierKeyWatches: the audit's one Temporal-client call — start a `carrierKeyExpiryWatch`
 * per key and expiry, id `carrier-key-watch:{shop}:{carrier}:{expiresAt}` with REJECT_DUPLICATE,
 * so a second audit (or a retry) finds the watch and starts nothing. Separate workflows rather
 * than abandoned children: the watch outlives the audit by days and reports to nobody.
 */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { defaultConfig, type TemporalTarget } from '../../infra/config/index.js';
import { temporalClient } from '../../infra/temporal/connection.js';
import type { DueCarrierKey } from './carrier-key-alerts.js';
import { workflowTypes } from '../../temporal.config.js';

export function carrierKeyWatchId(k: DueCarrierKey): string {
  return `carrier-key-watch:${k.shopId}:${k.carrier}:${new Date(k.expiresAt).toISOString()}`;
}

export interface StartWatchesResult {
  started: string[];
  alreadyWatched: string[];
}

/** `client`: the app's Temporal client; without one, the first call connects to `temporal` (config.temporal). */
export function makeStartCarrierKeyWatches(client?: Client, temporal: TemporalTarget = defaultConfig().temporal) {
  let lazy: Promise<Client> | undefined;
  const getClient = () => {
    if (client) return Promise.resolve(client);
    lazy ??= temporalClient(temporal, { lazy: false }).then((c) => c.client);
    return lazy;
  };
  return async function startCarrierKeyWatches(input: { keys: DueCarrierKey[]; warnHours: number }): Promise<StartWatchesResult> {
    const c = await getClient();
    const taskQueue = Context.current().info.taskQueue;
    const out: StartWatchesResult = { started: [], alreadyWatched: [] };
    for (const k of input.keys) {
      const workflowId = carrierKeyWatchId(k);
      try {
        await c.workflow.start(workflowTypes.carrierKeyExpiryWatch, {
          workflowId,
          taskQueue,
          args: [{ shopId: k.shopId, carrier: k.carrier, expiresAt: k.expiresAt, warnHours: input.warnHours }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        out.started.push(workflowId);
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        out.alreadyWatched.push(workflowId);
      }
    }
    return out;
  };
}
