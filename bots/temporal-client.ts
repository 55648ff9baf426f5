/** The Temporal client used by the gateway (lazy: the gateway starts even while Temporal is down). */
import type { Client, Connection } from '@temporalio/client';
import type { TemporalTarget } from '../infra/config/index.js';
import { temporalClient } from '../infra/temporal/connection.js';

export function createTemporalClient(settings: TemporalTarget): { client: Client; connection: Connection } {
  return temporalClient(settings);
}
