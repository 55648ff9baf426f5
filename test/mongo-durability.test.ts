/**
 * The bundled MongoDB-wire server keeps every write it acknowledged, even when killed with SIGKILL
 * (README "Reliability"). A server of its own on a free port with a file store: eight concurrent
 * writers insert documents and increment a counter with { w: 1, j: true }; once 150 inserts are
 * acknowledged the server gets kill -9 while writes are in flight. Restarted on the same file,
 * every acknowledged insert is there and the counter is at least the number of acknowledged
 * increments. (Before the fix the H2 store committed about once a second without fsync, and the
 * writes of the last second vanished.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, expect, it } from 'vitest';
import { startMongoJavaServer, type MongoServer } from '../scripts/stack/mongo-server.js';
import { freePort } from '../scripts/stack/process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-durability-'));
const servers: MongoServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(port: number): Promise<MongoServer> {
  const server = await startMongoJavaServer(port, path.join(dir, 'data', 'sora.mv'), dir, 'durability');
  servers.push(server);
  return server;
}

it('every write acknowledged with j:true is still there after kill -9 and a restart', async () => {
  const port = await freePort();
  const server = await start(port);
  const conn = await mongoose.createConnection(server.uri, { serverSelectionTimeoutMS: 3000, retryWrites: false }).asPromise();
  const docs = conn.db!.collection<{ _id: number | string; text?: string; n?: number }>('acks');
  const ackedInserts: number[] = [];
  let ackedIncrements = 0;
  let next = 0;
  let killed = false;
  const j = { writeConcern: { w: 1, j: true } } as const;
  const writer = async () => {
    while (!killed) {
      const id = next++;
      try {
        await docs.insertOne({ _id: id, text: `message ${id} `.repeat(20) }, j);
        ackedInserts.push(id);
        await docs.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }, { upsert: true, ...j });
        ackedIncrements++;
      } catch {
        return; // the server is gone
      }
    }
  };
  const writers = Array.from({ length: 8 }, writer);
  while (ackedInserts.length < 150) await new Promise((r) => setTimeout(r, 5));
  process.kill(server.pid!, 'SIGKILL');
  killed = true;
  await Promise.all(writers);
  await conn.close(true);
  expect(ackedInserts.length).toBeGreaterThanOrEqual(150);

  const again = await start(port);
  const conn2 = await mongoose.createConnection(again.uri).asPromise();
  try {
    const col = conn2.db!.collection<{ _id: number | string; n?: number }>('acks');
    const present = new Set((await col.find({ _id: { $ne: 'counter' } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    const lost = ackedInserts.filter((id) => !present.has(id));
    expect(lost, `${lost.length} of ${ackedInserts.length} acknowledged inserts lost`).toEqual([]);
    const counter = await col.findOne({ _id: 'counter' });
    expect(counter?.n ?? 0).toBeGreaterThanOrEqual(ackedIncrements);
  } finally {
    await conn2.close();
  }
});
