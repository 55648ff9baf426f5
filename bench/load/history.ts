/**
 * Workflow history events per buyer message: the histories of a sample of a step's conversations
 * (current run), their event counts over the buyer messages those conversations got.
 */
import type { Client, Connection } from '@temporalio/client';
import type { TemporalTarget } from '../../infra/config/index.js';
import { temporalClient } from '../../infra/temporal/connection.js';
import type { BuyerRun } from './buyers.js';

export class HistoryCounter {
  private readonly t: { client: Client; connection: Connection };
  constructor(target: TemporalTarget) {
    this.t = temporalClient(target);
  }

  /** Events per buyer message over up to `sample` conversations (null when none could be read). */
  async eventsPerMessage(buyers: BuyerRun[], sample = 20): Promise<number | null> {
    const picked = buyers.filter((b) => b.workflowId && b.sent > 0);
    const step = Math.max(1, Math.floor(picked.length / sample));
    let events = 0;
    let messages = 0;
    for (let i = 0; i < picked.length && i / step < sample; i += step) {
      const b = picked[i]!;
      try {
        // Bounded: a Temporal address that does not answer (attached to a stack without TEMPORAL_ADDRESS) must not hang the bench.
        const h = await Promise.race([
          this.t.client.workflow.getHandle(b.workflowId).fetchHistory(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('history read timed out')), 10_000).unref()),
        ]);
        events += h.events?.length ?? 0;
        messages += b.sent;
      } catch (e) {
        // not readable (another namespace, gone, no server): left out of the sample
        if (e instanceof Error && e.message === 'history read timed out') return null;
      }
    }
    return messages ? events / messages : null;
  }

  async close(): Promise<void> {
    await this.t.connection.close().catch(() => undefined);
  }
}
