/**
 * After each test file: terminate every workflow still running on the shared Temporal dev server, and
 * drop every database of the shared MongoDB-wire server.
 * Files run one after another against the same server and the same task queue; a conversation a
 * file leaves open would otherwise fire its timers (silence nudge, idle close) during a later file,
 * and that file's worker would run them against its own database. The MongoDB-wire server keeps its
 * databases in its JVM heap: the files' databases (demo months of ~20,000 documents among them) would
 * otherwise pile up until it runs out of memory.
 */
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import { afterAll, inject } from 'vitest';

afterAll(async () => {
  const conn = await mongoose.createConnection(inject('mongoUri'), { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const { databases } = await conn.db!.admin().listDatabases();
    for (const d of databases)
      if (!['admin', 'local', 'config'].includes(d.name)) await freeDatabase(conn.useDb(d.name, { useCache: false }));
  } finally {
    await conn.close();
  }
}, 60_000);

/**
 * Drop the database; the bundled server sometimes refuses (`Expected [H2UniqueIndex…] to be empty`),
 * then each collection is dropped, else emptied. Cleanup only: a refusal never fails the file.
 */
async function freeDatabase(db: mongoose.Connection): Promise<void> {
  try {
    await db.dropDatabase();
    return;
  } catch {
    // collection by collection below
  }
  for (const c of await db.db!.listCollections({}, { nameOnly: true }).toArray()) {
    const coll = db.db!.collection(c.name);
    await coll.drop().catch(() => coll.deleteMany({}).catch(() => undefined));
  }
}

afterAll(async () => {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    const client = new Client({ connection });
    const running = client.workflow.list({ query: 'ExecutionStatus = "Running"' });
    const ends: Promise<unknown>[] = [];
    for await (const wf of running)
      ends.push(
        client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .terminate('test file finished')
          .catch(() => undefined),
      );
    await Promise.all(ends);
  } finally {
    await connection.close();
  }
});
