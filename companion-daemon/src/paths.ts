/**
 * Where a daemon lives on disk. One daemon runs per OS user and kubeconfig set; its socket and state are keyed by
 * a hash of the kubeconfig set, so two windows with the same KUBECONFIG share one daemon.
 *
 *   socket  $XDG_RUNTIME_DIR/kubeflow-companion/<key>.sock   (else <tmpdir>/kubeflow-companion-<uid>/<key>.sock)
 *   state   $XDG_STATE_HOME/kubeflow-companion/<key>/        (else ~/.local/state/kubeflow-companion/<key>/)
 *
 * $KUBEFLOW_COMPANION_HOME, when set, holds both (`run/` and `state/`): tests use it to isolate daemons.
 * The socket directory is 0700 and must belong to the user; the socket itself is 0600.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DaemonPaths {
  /** The kubeconfig file list this daemon serves, as in $KUBECONFIG. */
  kubeconfig: string;
  key: string;
  runDir: string;
  socket: string;
  stateDir: string;
  pidFile: string;
  logFile: string;
}

/** The kubeconfig set: an explicit path list, else $KUBECONFIG, else ~/.kube/config. */
export function resolveKubeconfigSet(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = explicit?.trim() || env.KUBECONFIG?.trim() || path.join(os.homedir(), '.kube', 'config');
  return raw
    .split(path.delimiter)
    .filter(Boolean)
    .map((p) => path.resolve(p.replace(/^~(?=$|\/)/, os.homedir())))
    .join(path.delimiter);
}

export function daemonPaths(kubeconfig: string, env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const key = createHash('sha256').update(kubeconfig).digest('hex').slice(0, 12);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const home = env.KUBEFLOW_COMPANION_HOME;
  const runDir = home
    ? path.join(home, 'run')
    : env.XDG_RUNTIME_DIR
      ? path.join(env.XDG_RUNTIME_DIR, 'kubeflow-companion')
      : path.join(os.tmpdir(), `kubeflow-companion-${uid}`);
  const stateRoot = home
    ? path.join(home, 'state')
    : path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'kubeflow-companion');
  const stateDir = path.join(stateRoot, key);
  return {
    kubeconfig,
    key,
    runDir,
    socket: path.join(runDir, `${key}.sock`),
    stateDir,
    pidFile: path.join(runDir, `${key}.pid`),
    logFile: path.join(stateDir, 'daemon.log'),
  };
}

/**
 * Creates `dir` as 0700 if needed and checks that it belongs to this user and nobody else can enter it.
 * Throws when another user owns it: a socket there could be someone else's daemon.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (st.uid !== uid) {
    throw new Error(`${dir} belongs to uid ${st.uid}, not to this user (uid ${uid}); refusing to use it`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
