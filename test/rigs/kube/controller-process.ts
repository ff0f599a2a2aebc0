// A Kubeflow controller binary run against a kube rig (the notebook and workspaces controller rigs): its own process
// group, its log under the rig's run dir, started once its log says its informers are synced, killed by stop() and
// on process exit.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeRig } from './index';

export interface ControllerProcess {
  logFile: string;
  logTail(lines?: number): string;
  stop(): void;
}

export async function startControllerProcess(rig: KubeRig, o: {
  /** For the log file name and messages, e.g. 'notebook controller'. */
  name: string;
  bin: string;
  args: string[];
  env?: Record<string, string>;
  /** Matches the log line that says it is ready (e.g. controller-runtime's "Starting workers"), or a list of them. */
  ready: RegExp[];
  timeoutMs?: number;
}): Promise<ControllerProcess> {
  const logFile = path.join(rig.runDir, 'logs', `${o.name.replace(/\s+/g, '-')}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(o.bin, o.args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: rig.runDir, KUBECONFIG: rig.kubeconfigPath, ...o.env },
    cwd: rig.runDir,
  });
  fs.closeSync(fd);
  child.unref();
  let exited: string | undefined;
  child.on('exit', (code, signal) => { exited = `exit code ${code} signal ${signal}`; });
  const read = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  const tail = (n = 30) => read().split('\n').slice(-n).join('\n');
  const kill = () => { if (child.pid && exited === undefined) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', kill);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  while (!o.ready.every((re) => re.test(read()))) {
    if (exited !== undefined) throw new Error(`${o.name} exited (${exited}) while starting:\n${tail()}`);
    if (Date.now() > deadline) { kill(); throw new Error(`${o.name} did not start within ${timeoutMs / 1000} s:\n${tail()}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    logFile,
    logTail: tail,
    stop() {
      process.removeListener('exit', kill);
      kill();
    },
  };
}
