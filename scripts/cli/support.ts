/** Small pieces the CLI commands share: the database they talk to and plain-text tables. */

/** MONGODB_URI, else the embedded stack's server (SORA_MONGO_PORT, default 27017), database `sora`. */
export function cliMongoUri(env: NodeJS.ProcessEnv = process.env): string {
  return env.MONGODB_URI ?? `mongodb://127.0.0.1:${env.SORA_MONGO_PORT ?? 27017}/sora`;
}

/** Run `fn` connected to the CLI's database; always disconnects. */
export async function withCliDatabase<T>(fn: () => Promise<T>): Promise<T> {
  // Imported here so that commands without a database do not load mongoose.
  const { connectMongo, disconnectMongo } = await import('../../models/connection.js');
  await connectMongo(cliMongoUri());
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
