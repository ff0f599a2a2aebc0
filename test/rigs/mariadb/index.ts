/**
 * MariaDB rig: Debian's MariaDB (the MySQL the KFP API server's storage layer is written for), one fresh server per
 * start from the data dir test/rigs/mariadb/install.sh initialised, on a free port of 127.0.0.1, grant tables off (the
 * rig's clients connect as root without a password). Why not PostgreSQL for KFP: test/rigs/README.md.
 *
 *   const db = await startMariaDb();
 *   db.port, db.user   // root, no password
 *   await db.stop();
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../jupyter/index';
import { repoRoot } from '../kube/index';
import { until } from '../../support/wait';
import { startProc, stopProc, tail, whileRunning, type Proc } from '../processes';

export interface MariaDbRig {
  host: '127.0.0.1';
  port: number;
  user: 'root';
  version: string;
  stop(): Promise<void>;
  logs(): string;
}

const run = promisify(execFile);

/** The rig's cache dir (install.sh prints it; it returns at once when done). */
async function mariaDbRigDir(): Promise<string> {
  try {
    const { stdout } = await run('bash', [path.join(repoRoot, 'test/rigs/mariadb/install.sh')]);
    return stdout.trim().split('\n').pop()!;
  } catch (e) {
    throw new Error(`the MariaDB rig is not ready: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

/** A TCP connect that gets MariaDB's greeting packet (protocol version 10) back. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (v: boolean) => { s.destroy(); resolve(v); };
    s.once('data', (d: Buffer) => done(d.length > 4 && d[4] === 10));
    s.once('error', () => done(false));
    s.setTimeout(2000, () => done(false));
  });
}

export async function startMariaDb(): Promise<MariaDbRig> {
  const rigDir = await mariaDbRigDir();
  const version = path.basename(rigDir);
  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kfvs-mariadb-'));
  const data = path.join(runDir, 'data');
  const logFile = path.join(runDir, 'mariadb.log');
  let proc: Proc | undefined;
  const cleanup = async () => { await stopProc(proc, 'SIGTERM'); await fsp.rm(runDir, { recursive: true, force: true }); };
  try {
    await run('cp', ['-a', path.join(rigDir, 'datadir-template'), data]);
    const port = await freePort();
    const mariadbd = fs.existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
    proc = startProc(mariadbd, ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1',
      `--socket=${path.join(runDir, 'mysqld.sock')}`, `--pid-file=${path.join(runDir, 'mysqld.pid')}`, `--user=${os.userInfo().username}`,
      '--skip-grant-tables', '--skip-name-resolve', '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0',
      '--innodb-buffer-pool-size=64M', '--max-connections=200', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
      '--log-error=' + logFile], logFile);
    await whileRunning({ mariadbd: proc }, until('MariaDB to accept connections', 60_000, () => greets(port), 100));
    return { host: '127.0.0.1', port, user: 'root', version, stop: cleanup, logs: () => `--- mariadb\n${tail(logFile)}` };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    await cleanup();
    throw new Error(`MariaDB did not start: ${why}`);
  }
}
