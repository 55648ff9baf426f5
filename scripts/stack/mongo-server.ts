/**
 * The MongoDB-wire server: MONGODB_URI if set; else a `mongod` on PATH; else the bundled
 * mongo-java-server (H2 file store). The bundled server has no transactions, TTL or text indexes
 * and no change streams; sora-cs does not use them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { paths } from '../../infra/paths.js';
import { spawnService, waitForPort, type Service } from './process.js';

export interface MongoServer {
  uri: string;
  kind: 'external' | 'mongod' | 'mongo-java-server';
  /** The server process (none for an external server). */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * `sync` (default): a write is acknowledged once committed and fsynced (group commit), so it
 * survives kill -9. `lazy`: the H2 default, committed about once a second, no fsync; only for the
 * benchmark that measures the difference (bench/mongo-durability.ts).
 */
export type MongoDurability = 'sync' | 'lazy';

export function hasMongod(): boolean {
  return spawnSync('mongod', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startMongoJavaServer(
  port: number,
  dataFile: string | '-',
  logDir: string,
  db = 'sora',
  durability: MongoDurability = 'sync',
): Promise<MongoServer> {
  const service: Service = spawnService(
    'mongo-java-server',
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${paths.mongoClasses}:${paths.mongoLib}/*`,
      'SoraMongoServer',
      String(port),
      dataFile,
      ...(durability === 'lazy' ? ['lazy'] : []),
    ],
    logDir,
  );
  await waitForPort(service, '127.0.0.1', port, 60_000);
  return { uri: `mongodb://127.0.0.1:${port}/${db}`, kind: 'mongo-java-server', pid: service.child.pid, stop: () => service.stop() };
}

export async function startMongod(port: number, dataDir: string, logDir: string, db = 'sora'): Promise<MongoServer> {
  mkdirSync(dataDir, { recursive: true });
  const service = spawnService('mongod', 'mongod', ['--dbpath', dataDir, '--bind_ip', '127.0.0.1', '--port', String(port)], logDir);
  await waitForPort(service, '127.0.0.1', port, 60_000);
  return { uri: `mongodb://127.0.0.1:${port}/${db}`, kind: 'mongod', pid: service.child.pid, stop: () => service.stop() };
}

/** The embedded default, in the order the design gives; `externalUri`: config.mongo.uri (MONGODB_URI). */
export async function startDefaultMongo(port: number, logDir: string, externalUri?: string): Promise<MongoServer> {
  if (externalUri) return { uri: externalUri, kind: 'external', stop: async () => {} };
  if (hasMongod()) return startMongod(port, paths.mongodData, logDir);
  return startMongoJavaServer(port, paths.mongoData, logDir);
}
