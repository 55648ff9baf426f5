/**
 * A launcher process for test/stack-supervision.test.ts, built from the functions `npm start` uses:
 * reclaim what a dead launcher left (pid files in RUN_DIR), then the bundled MongoDB-wire server
 * and the Temporal dev server, supervised, on the given ports. Prints `READY {json}` when both
 * listen; SIGTERM stops both.
 *
 *   node --import tsx test/setup/stack-launcher.ts RUN_DIR DATA_DIR MONGO_PORT TEMPORAL_PORT [--no-parent-death]
 */
import path from 'node:path';
import { log } from '../../infra/log.js';
import { startMongoJavaServer } from '../../scripts/stack/mongo-server.js';
import { reclaimOrphans } from '../../scripts/stack/pid-file.js';
import { isPortOpen } from '../../scripts/stack/process.js';
import { startTemporalDevServer } from '../../scripts/stack/temporal-server.js';

const [runDir, dataDir, mongoPort, temporalPort, flag] = process.argv.slice(2) as [string, string, string, string, string?];
const supervise = { runDir, dieWithParent: flag !== '--no-parent-death' };
const logDir = path.join(dataDir, 'logs');

const reclaimed = await reclaimOrphans(runDir, log);
// As `npm start`: a port still held (by an orphan of a killed launcher) stops the start.
for (const port of [mongoPort, temporalPort]) if (await isPortOpen('127.0.0.1', Number(port))) throw new Error(`port ${port} is in use`);
const mongo = await startMongoJavaServer(Number(mongoPort), path.join(dataDir, 'sora.mv'), logDir, 'sora', 'sync', supervise);
const temporal = await startTemporalDevServer({
  port: Number(temporalPort),
  uiPort: 0,
  dbFile: path.join(dataDir, 'temporal.db'),
  logDir,
  supervise,
});
// Before READY: the test may send SIGTERM as soon as it reads it.
process.on('SIGTERM', () => {
  void Promise.all([mongo.stop(), temporal.stop()]).then(() => process.exit(0));
});
process.stdout.write(
  `READY ${JSON.stringify({ reclaimed: reclaimed.map((r) => r.child.pid), mongoPid: mongo.pid, temporalPid: temporal.service.child.pid })}\n`,
);
