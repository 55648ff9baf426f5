/** The Temporal CLI dev server (file-backed store, Web UI, search attributes registered). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { devServerSearchAttributeFlags } from '../../temporal.config.js';
import { paths } from '../../infra/paths.js';
import { spawnService, supervised, waitForPort, type Service, type Supervision } from './process.js';

export interface TemporalDevServerOptions {
  port: number;
  /** 0 = no UI (headless). */
  uiPort: number;
  /** File-backed store; ":memory:" keeps nothing. */
  dbFile: string;
  namespace?: string;
  logDir: string;
  /** For the launcher: pid file in runDir, restart with backoff when it exits on its own. */
  supervise?: Supervision;
  /** SQLite journal of the file-backed store (SORA_TEMPORAL_SQLITE; default `wal`). */
  sqlite?: 'wal' | 'wal-normal' | 'rollback';
}

/**
 * `--sqlite-pragma` flags for a journal mode. WAL: a commit appends to the log and fsyncs it once
 * (the rollback journal fsyncs the journal and the database on every commit), and readers do not
 * block the writer; `synchronous=full` keeps every commit durable.
 */
export function sqlitePragmaFlags(mode: 'wal' | 'wal-normal' | 'rollback'): string[] {
  if (mode === 'rollback') return [];
  return ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${mode === 'wal' ? 'full' : 'normal'}`];
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  service: Service;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(o: TemporalDevServerOptions): Promise<TemporalDevServer> {
  if (o.dbFile !== ':memory:') mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--namespace',
    o.namespace ?? 'default',
    '--log-level',
    'warn',
  ];
  if (o.dbFile !== ':memory:') args.push('--db-filename', o.dbFile, ...sqlitePragmaFlags(o.sqlite ?? 'wal'));
  if (o.uiPort > 0) args.push('--ui-ip', '127.0.0.1', '--ui-port', String(o.uiPort));
  else args.push('--headless');
  args.push(...devServerSearchAttributeFlags());
  const service = spawnService('temporal', paths.temporalBin, args, o.logDir, supervised(o.port, o.supervise));
  await waitForPort(service, '127.0.0.1', o.port, 90_000);
  return {
    address: `127.0.0.1:${o.port}`,
    uiUrl: o.uiPort > 0 ? `http://127.0.0.1:${o.uiPort}` : null,
    service,
    stop: () => service.stop(),
  };
}
