/**
 * The MongoDB-wire server: MONGODB_URI if set; else a `mongod` on PATH; else the bundled
 * mongo-java-server (H2 file store). The bundled server has no transactions, TTL or text indexes
 * and no change streams; sora-cs does not use them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { paths } from '../../infra/paths.js';
import { spawnService, supervised, waitForPort, type Service, type Supervision } from './process.js';

export interface MongoServer {
  uri: string;
  kind: 'external' | 'mongod' | 'mongo-java-server';
  /** The server process (none for an external server); a new one after a restart. */
  readonly pid?: number;
  stop(): Promise<void>;
}

/**
 * `sync` (default): a write is acknowledged once committed and fsynced (group commit), so it
 * survives kill -9. `lazy`: the H2 default, committed about once a second, no fsync; only for the
 * benchmark that measures the difference (bench/mongo-durability.ts).
 */
export type MongoDurability = 'sync' | 'lazy';

function running(service: Service, uri: string, kind: MongoServer['kind']): MongoServer {
  return {
    uri,
    kind,
    get pid() {
      return service.child.pid;
    },
    stop: () => service.stop(),
  };
}

export function hasMongod(): boolean {
  return spawnSync('mongod', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startMongoJavaServer(
  port: number,
  dataFile: string | '-',
  logDir: string,
  db = 'sora',
  durability: MongoDurability = 'sync',
  supervise?: Supervision,
  /** JVM heap; an in-memory store ('-') keeps every database in it (the test server: more). */
  heapMb = 512,
): Promise<MongoServer> {
  const service: Service = spawnService(
    'mongo-java-server',
    'java',
    [
      `-Xmx${heapMb}m`,
      '-cp',
      `${paths.mongoClasses}:${paths.mongoLib}/*`,
      'SoraMongoServer',
      String(port),
      dataFile,
      ...(durability === 'lazy' ? ['lazy'] : []),
    ],
    logDir,
    supervised(port, supervise),
  );
  await waitForPort(service, '127.0.0.1', port, 60_000);
  return running(service, `mongodb://127.0.0.1:${port}/${db}`, 'mongo-java-server');
}

export async function startMongod(
  port: number,
  dataDir: string,
  logDir: string,
  db = 'sora',
  supervise?: Supervision,
): Promise<MongoServer> {
  mkdirSync(dataDir, { recursive: true });
  const args = ['--dbpath', dataDir, '--bind_ip', '127.0.0.1', '--port', String(port)];
  const service = spawnService('mongod', 'mongod', args, logDir, supervised(port, supervise));
  await waitForPort(service, '127.0.0.1', port, 60_000);
  return running(service, `mongodb://127.0.0.1:${port}/${db}`, 'mongod');
}

/** The embedded default, in the order the design gives; `externalUri`: config.mongo.uri (MONGODB_URI). */
export async function startDefaultMongo(port: number, logDir: string, externalUri?: string, supervise?: Supervision): Promise<MongoServer> {
  if (externalUri) return { uri: externalUri, kind: 'external', stop: async () => {} };
  if (hasMongod()) return startMongod(port, paths.mongodData, logDir, 'sora', supervise);
  return startMongoJavaServer(port, paths.mongoData, logDir, 'sora', 'sync', supervise);
}
