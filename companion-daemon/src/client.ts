/**
 * Connecting to the daemon, for the extension and the CLI: attach to the running daemon of this kubeconfig set, or
 * start one (detached, so it outlives the caller) and attach. A daemon of another version is asked to stop and
 * replaced; its forwards and captures come back from the store. VS Code-free.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { daemonPaths, privateDirProblem, type DaemonPaths } from './paths';
import * as P from './protocol';
import { PACKAGE_VERSION } from './version';

export interface ConnectOptions {
  /** The kubeconfig path list the daemon serves (see resolveKubeconfigSet). */
  kubeconfig: string;
  /** Who connects, for the daemon's log. */
  client: string;
  /** The daemon bundle (dist/companion-daemon.js) to start when none runs. */
  daemonScript: string;
  /** The Node binary to run it with; in VS Code, the extension host's own (with ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  /** Extra environment for a started daemon. */
  env?: NodeJS.ProcessEnv;
  /** Start a daemon when none runs (default true). The CLI's `status` and `stop` pass false. */
  start?: boolean;
  /** The daemon version this client expects (default: its own package version). */
  expectVersion?: string;
  timeoutMs?: number;
}

export interface DaemonConnection {
  connection: MessageConnection;
  hello: P.HelloResult;
  paths: DaemonPaths;
  /** True when this call started the daemon. */
  started: boolean;
  dispose(): void;
}

export class DaemonNotRunning extends Error {}
/** The socket directory is not this user's private directory (see `privateDirProblem`). */
export class UnsafeRunDir extends Error {}

export async function connectDaemon(o: ConnectOptions): Promise<DaemonConnection> {
  const paths = daemonPaths(o.kubeconfig, o.env ?? process.env);
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  const expect = o.expectVersion ?? PACKAGE_VERSION;
  let started = false;
  let lastSpawn = 0;
  for (;;) {
    // Before every connection attempt: a directory another user made (or swapped for a link) is refused at once.
    const problem = privateDirProblem(paths.runDir);
    if (problem) throw new UnsafeRunDir(`The companion daemon's socket directory cannot be trusted: ${problem}`);
    const c = await tryConnect(paths.socket, o.client).catch(() => undefined);
    if (c) {
      const sameVersion = c.hello.protocolVersion === P.PROTOCOL_VERSION && c.hello.daemonVersion === expect;
      if (sameVersion || started || o.start === false) return { ...c, paths, started };
      // An older (or newer) daemon: ask it to stop; its state survives in the store.
      await c.connection.sendRequest(P.shutdown).catch(() => undefined);
      c.dispose();
      await waitGone(paths.socket, deadline);
    } else if (o.start === false) {
      throw new DaemonNotRunning(`No companion daemon runs for ${paths.kubeconfig}.`);
    }
    if (Date.now() > deadline) throw new Error(`The companion daemon did not answer on ${paths.socket} in time; see ${paths.logFile}.`);
    // Spawn again now and then: a replaced daemon may still hold the lock for a moment, and a spare one just exits.
    if (Date.now() - lastSpawn > 2000) {
      startDaemon(o, paths);
      lastSpawn = Date.now();
      started = true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startDaemon(o: ConnectOptions, paths: DaemonPaths): void {
  // Small young-generation semispaces keep the long-lived daemon's resident memory low after bursts of traffic;
  // --expose-gc is for one collection once a burst is over (memory.ts). Fixed malloc thresholds (glibc; ignored by
  // other allocators) hand freed buffers back to the system instead of keeping the heap at its high-water mark.
  const child = spawn(o.execPath ?? process.execPath, ['--max-semi-space-size=2', '--expose-gc', o.daemonScript, '--kubeconfig', paths.kubeconfig], {
    detached: true,
    stdio: 'ignore',
    env: { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072', ...process.env, ...o.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.unref();
}

async function tryConnect(socketPath: string, client: string): Promise<{ connection: MessageConnection; hello: P.HelloResult; dispose(): void }> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const connection = createMessageConnection(socket, socket);
  connection.listen();
  const dispose = (): void => {
    connection.dispose();
    socket.destroy();
  };
  try {
    const hello = await withTimeout(connection.sendRequest(P.hello, { protocolVersion: P.PROTOCOL_VERSION, client }), 5000);
    return { connection, hello, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

async function waitGone(socketPath: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(socketPath);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (!up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the daemon did not answer the handshake')), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
