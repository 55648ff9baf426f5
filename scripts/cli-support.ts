/** Small pieces the CLI commands share: the database they talk to and plain-text tables. */
import type { Config } from '../infra/config/index.js';

/** MONGODB_URI, else the embedded stack's server (SORA_MONGO_PORT, default 27017), database `sora`. */
export function cliMongoUri(config: Pick<Config, 'mongo' | 'stack'>): string {
  return config.mongo.uri ?? `mongodb://127.0.0.1:${config.stack.mongoPort}/sora`;
}

/** Run `fn` connected to the CLI's database (cliMongoUri); always disconnects. */
export async function withCliDatabase<T>(config: Pick<Config, 'mongo' | 'stack'>, fn: () => Promise<T>): Promise<T> {
  // Imported here so that commands without a database do not load mongoose.
  const { connectMongo, disconnectMongo } = await import('../models/connection.js');
  await connectMongo(cliMongoUri(config));
  try {
    return await fn();
  } finally {
    await disconnectMongo();
  }
}

/** Left-aligned columns separated by two spaces, a dashed rule under the head; lines are right-trimmed. */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}
