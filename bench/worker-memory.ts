/**
 * `npm run bench:memory`: resident memory of a worker-like process before the embedding model,
 * with it loaded, and after importing + indexing the 217-entry demo KB (in-memory
 * mongo-java-server on a free loopback port).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { Embedder } from '../activities/knowledge/embedder.js';
import { KbIndex } from '../activities/knowledge/kb-index.js';
import { connectMongo, disconnectMongo } from '../models/connection.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { installStack } from '../scripts/stack/install.js';
import { startMongoJavaServer } from '../scripts/stack/mongo-server.js';
import { freePort } from '../scripts/stack/process.js';

const mb = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`;

async function main(): Promise<void> {
  installStack({ temporal: false, mongoJavaServer: true, models: true });
  const mongo = await startMongoJavaServer(await freePort(), '-', mkdtempSync(path.join(os.tmpdir(), 'sora-mem-')), 'sora_mem');
  try {
    await connectMongo(mongo.uri);
    const before = mb();
    const embedder = new Embedder();
    await embedder.embed(['warm up']);
    const withModel = mb();
    await seedDemoShop('demo', { embedder });
    const index = await new KbIndex(embedder).forShop('demo');
    process.stdout.write(
      `worker RSS: ${before} before the model, ${withModel} with ${embedder.model}, ${mb()} after importing and indexing the demo KB (${index.entries} entries)\n`,
    );
    await disconnectMongo();
  } finally {
    await mongo.stop();
  }
}

void main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
