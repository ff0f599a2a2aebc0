/**
 * Local server processes of the rigs (PostgreSQL, Model Registry, the object store, the KFP backend): each in its own
 * process group with stdout+stderr appended to a log file, stopped by signal to the group (SIGKILL after 10 s), and
 * killed when the test process exits.
 *
 *   const p = startProc('/path/postgres', ['-D', dir], `${runDir}/postgres.log`, ids);
 *   await stopProc(p);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Proc { child: ChildProcess; exited: Promise<void>; log: string }

const live = new Set<Proc>();
let exitHook = false;

export function startProc(cmd: string, args: string[], logFile: string, opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], ...opts });
  fs.closeSync(fd);
  child.unref();
  const exited = new Promise<void>((resolve) => { child.on('exit', () => resolve()); child.on('error', () => resolve()); });
  const p: Proc = { child, exited, log: logFile };
  live.add(p);
  void exited.then(() => live.delete(p));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const q of live) if (q.child.pid) { try { process.kill(-q.child.pid, 'SIGKILL'); } catch { /* gone */ } }
    });
  }
  return p;
}

export async function stopProc(p: Proc | undefined, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (!p?.child.pid || p.child.exitCode !== null || p.child.signalCode !== null) return;
  try { process.kill(-p.child.pid, signal); } catch { return; }
  const t = setTimeout(() => { try { process.kill(-p.child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
  await p.exited;
  clearTimeout(t);
}

/** The last `n` lines of a log file ('' when unreadable). */
export function tail(file: string, n = 30): string {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

/** Throws with the log's tail when the process has exited. */
export function assertRunning(p: Proc, name: string): void {
  if (p.child.exitCode !== null || p.child.signalCode !== null) {
    throw new Error(`${name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${tail(p.log)}`);
  }
}

/** `wait`, or a rejection with the log's tail as soon as one of `procs` exits first. */
export async function whileRunning<T>(procs: Record<string, Proc>, wait: Promise<T>): Promise<T> {
  let settled = false;
  const died = Object.entries(procs).map(([name, p]) => p.exited.then(() => {
    if (!settled) throw new Error(`${name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${tail(p.log)}`);
    return undefined as never;
  }));
  try {
    return await Promise.race([wait, ...died]);
  } finally {
    settled = true;
  }
}
