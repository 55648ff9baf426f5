/**
 * The one Temporal connection factory: client connections (gateway, schedules, activities that
 * start workflows) and worker connections are built here from the configuration's Temporal target
 * (address, namespace, TLS, API key, gRPC metadata; see infra/config/temporal.ts).
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalTarget } from '../config/index.js';

/** Connection options (shared by Connection and NativeConnection) for a target. */
export function connectionOptions(t: TemporalTarget): ConnectionOptions & NativeConnectionOptions {
  return {
    address: t.address,
    ...(t.tls !== undefined ? { tls: t.tls } : {}),
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
    ...(t.metadata ? { metadata: t.metadata } : {}),
  };
}

/**
 * A client on a lazy connection (the gateway starts even while Temporal is down; the first call
 * connects), or, with `{ lazy: false }`, on one connected now.
 */
export function temporalClient(t: TemporalTarget): { client: Client; connection: Connection };
export function temporalClient(t: TemporalTarget, o: { lazy: false }): Promise<{ client: Client; connection: Connection }>;
export function temporalClient(
  t: TemporalTarget,
  o: { lazy?: boolean } = {},
): { client: Client; connection: Connection } | Promise<{ client: Client; connection: Connection }> {
  const make = (connection: Connection) => ({ client: new Client({ connection, namespace: t.namespace }), connection });
  if (o.lazy === false) return Connection.connect(connectionOptions(t)).then(make);
  return make(Connection.lazy(connectionOptions(t)));
}

/** A worker's connection (loads @temporalio/worker only when called). */
export async function workerConnection(t: TemporalTarget): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(connectionOptions(t));
}
