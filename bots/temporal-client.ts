/** The Temporal client used by the gateway (lazy: the gateway starts even while Temporal is down). */
import { Client, Connection } from '@temporalio/client';
import { temporalConnection } from '../temporal.config.js';

export function createTemporalClient(settings = temporalConnection()): { client: Client; connection: Connection } {
  const connection = Connection.lazy({
    address: settings.address,
    tls: settings.tls,
    apiKey: settings.apiKey,
  });
  const client = new Client({ connection, namespace: settings.namespace });
  return { client, connection };
}
