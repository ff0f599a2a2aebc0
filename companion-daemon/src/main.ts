/**
 * The companion daemon's process entry: `node companion-daemon.js [--kubeconfig <path list>] [--foreground]`.
 * Takes the per-user, per-kubeconfig-set lock, listens on the socket, and runs until told to stop or idle.
 */
import fs from 'node:fs';
import net from 'node:net';
import { fileLogger } from './log';
import { collectAfterBursts } from './memory';
import { daemonPaths, ensurePrivateDir, resolveKubeconfigSet, type DaemonPaths } from './paths';
import { Daemon } from './server';

/** How long the daemon waits, with nothing to do, before it exits (see Daemon.armIdleTimer). */
const IDLE_EXIT_MS = 10 * 60_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** True if a daemon answers on the socket. */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock (the pid file, created exclusively). False when another live daemon holds it. */
async function lock(paths: DaemonPaths): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(paths.pidFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(fs.readFileSync(paths.pidFile, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) return false;
    // A stale lock from a daemon that was killed: take it over.
    fs.rmSync(paths.pidFile, { force: true });
  }
  return false;
}

async function main(): Promise<void> {
  const paths = daemonPaths(resolveKubeconfigSet(arg('--kubeconfig')));
  ensurePrivateDir(paths.runDir);
  fs.mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const log = fileLogger(paths.logFile, process.argv.includes('--foreground'));
  if (!(await lock(paths))) {
    log(`another daemon holds ${paths.pidFile}; exiting`);
    return;
  }
  const release = (): void => {
    try {
      if (fs.readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) fs.rmSync(paths.pidFile);
    } catch {
      /* gone */
    }
  };
  process.on('exit', release);
  if (fs.existsSync(paths.socket)) {
    if (await answers(paths.socket)) {
      log('a daemon already answers on the socket; exiting');
      return;
    }
    fs.rmSync(paths.socket, { force: true });
  }
  const idle = Number(arg('--idle-exit-ms') ?? IDLE_EXIT_MS);
  const daemon = new Daemon({ paths, log, idleExitMs: idle });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => void daemon.close().then(() => process.exit(0)));
  }
  process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));
  await daemon.listen();
  collectAfterBursts();
}

main().catch((err: unknown) => {
  process.stderr.write(`kubeflow-companion daemon: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
