/**
 * Where a daemon lives on disk. One daemon runs per OS user and kubeconfig set; its socket and state are keyed by
 * a hash of the kubeconfig set, so two windows with the same KUBECONFIG share one daemon.
 *
 *   socket  $XDG_RUNTIME_DIR/kubeflow-companion/<key>.sock   (else <tmpdir>/kubeflow-companion-<uid>/<key>.sock)
 *   state   $XDG_STATE_HOME/kubeflow-companion/<key>/        (else ~/.local/state/kubeflow-companion/<key>/)
 *
 * $KUBEFLOW_COMPANION_HOME, when set, holds both (`run/` and `state/`): tests use it to isolate daemons.
 * The socket directory is 0700, a real directory (not a link) and must belong to the user; the socket itself is
 * 0600. Clients check the directory before they connect (`privateDirProblem`).
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
      : path.join(env.TMPDIR || os.tmpdir(), `kubeflow-companion-${uid}`);
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
 * Why `dir` cannot hold this user's daemon socket, or undefined when it can (or does not exist yet). Checked with
 * `lstat`, so a symbolic link is refused, not followed: the directory must be a real one, belong to this user and
 * let nobody else in (0700). Otherwise another local user created it first (the `/tmp` fallback has a predictable
 * name) and a socket in it could be their program posing as the daemon.
 */
export function privateDirProblem(dir: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot check ${dir}: ${(err as Error).message}`;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  const fix = `Remove it (it is not yours to trust) or set XDG_RUNTIME_DIR to a private directory.`;
  if (st.isSymbolicLink()) return `${dir} is a symbolic link, not the companion daemon's own directory. ${fix}`;
  if (!st.isDirectory()) return `${dir} is not a directory. ${fix}`;
  if (st.uid !== uid) return `${dir} belongs to another user (uid ${st.uid}, you are uid ${uid}): a daemon socket there could be theirs. ${fix}`;
  if ((st.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}, must be 700). ${fix}`;
  return undefined;
}

/**
 * Creates `dir` as 0700 if needed and checks it with `privateDirProblem` (a loose mode on our own directory is
 * tightened). Throws when it cannot be trusted.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  if (st.isDirectory() && st.uid === uid && (st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  const problem = privateDirProblem(dir);
  if (problem) throw new Error(`refusing to use the socket directory: ${problem}`);
}
