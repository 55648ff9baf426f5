/**
 * MongoDB operations per message: `serverStatus.opcounters` (mongod's, and the bundled
 * mongo-java-server's since scripts/mongo-server/SoraMongoServer.java counts them) read through
 * the admin command before and after a step.
 */
import mongoose from 'mongoose';

export const OP_KINDS = ['insert', 'query', 'update', 'delete', 'getmore', 'command'] as const;
export type OpCounters = Record<(typeof OP_KINDS)[number], number>;

/** b − a for every counter, plus the total; the reads of the counters themselves (`reads` serverStatus commands) are taken off. */
export function diffOps(a: OpCounters, b: OpCounters, reads = 1): OpCounters & { total: number } {
  const d = Object.fromEntries(OP_KINDS.map((k) => [k, Math.max(0, Number(b[k] ?? 0) - Number(a[k] ?? 0))])) as OpCounters;
  d.command = Math.max(0, d.command - reads);
  return { ...d, total: OP_KINDS.reduce((n, k) => n + d[k], 0) };
}

/** The opcounters of serverStatus, or null when the server does not report them. */
export function parseOpCounters(status: unknown): OpCounters | null {
  const c = (status as { opcounters?: Record<string, unknown> } | null)?.opcounters;
  if (!c) return null;
  return Object.fromEntries(OP_KINDS.map((k) => [k, Number(c[k] ?? 0)])) as OpCounters;
}

export class OpCounterReader {
  private conn?: mongoose.Connection;
  constructor(private readonly uri: string) {}

  async read(): Promise<OpCounters | null> {
    try {
      this.conn ??= await mongoose.createConnection(this.uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
      return parseOpCounters(await this.conn.db!.admin().command({ serverStatus: 1 }));
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
  }
}
