// Jupyter rig: a real jupyter_server 2.x started the way Kubeflow notebook images start it (no token, no password,
// allow_origin '*', base_url = the notebook's NB_PREFIX), on a free port of 127.0.0.1, with kernels running the venv
// python of test/rigs/jupyter/install.sh.
//
//   const jup = await startJupyter({ baseUrl: '/notebook/kubeflow-user/my-nb' });
//   ... ServerConnection.makeSettings({ baseUrl: jup.url, ... })   // see xsrfHeaders() for the token-less XSRF rule
//   await jup.stop();
//
// Token-less servers reject POST/PATCH/DELETE without XSRF: send `Cookie: _xsrf=X` with `X-XSRFToken: X` (any X).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where the rigs cache large things (same rule as scripts/setup.sh). */
export function kfvsCache(): string {
  return process.env.KFVS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kubeflow-vscode');
}

/** The venv of test/rigs/jupyter/install.sh (jupyter_server, ipykernel, kfp). */
export function venvDir(): string {
  return path.join(kfvsCache(), 'venv');
}

/** Absolute path of an executable in the venv; throws a helpful error when the venv is not installed. */
export function venvBin(name = 'python'): string {
  const p = path.join(venvDir(), 'bin', name);
  if (!fs.existsSync(p)) throw new Error(`${p} not found: run test/rigs/jupyter/install.sh (scripts/setup.sh test does)`);
  return p;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Headers that satisfy tornado's double-submit XSRF check on a token-less server (for fetch or a ws upgrade). */
export function xsrfHeaders(value = randomBytes(16).toString('hex')): { Cookie: string; 'X-XSRFToken': string } {
  return { Cookie: `_xsrf=${value}`, 'X-XSRFToken': value };
}

export interface JupyterOptions {
  /** The Kubeflow notebook prefix, e.g. '/notebook/<namespace>/<name>'. Default '/'. */
  baseUrl?: string;
  /** Notebook root directory; default a new temporary directory (removed by stop()). */
  rootDir?: string;
  /** Milliseconds to wait for /api/status. Default 60 s. */
  timeoutMs?: number;
  /** Extra command-line arguments for jupyter_server. */
  args?: string[];
  /** Start with this token instead of none (a server that asks for authentication); the rig's own calls send it. */
  token?: string;
}

export interface JupyterServer {
  port: number;
  /** http://127.0.0.1:<port><baseUrl>, ending with '/'. */
  url: string;
  /** The base URL path, starting and ending with '/'. */
  baseUrl: string;
  rootDir: string;
  pid: number;
  /** The server's stdout+stderr so far (last 256 KB). */
  log(): string;
  /** Shuts the server down (its kernels too) and removes the temporary root dir it created. Idempotent. */
  stop(): Promise<void>;
}

function normalizeBase(b: string | undefined): string {
  const trimmed = (b ?? '/').replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

/**
 * `python -c WATCHDOG <server args>` runs jupyter_server like `python -m jupyter_server`, plus a thread that sends the
 * server SIGTERM (which shuts its kernels down) when stdin reaches EOF, i.e. when the Node process that started it is
 * gone, even after a SIGKILL. Kernels run in sessions of their own, so a process-group kill alone would leave them.
 */
const WATCHDOG = [
  'import os, signal, sys, threading, time',
  'def _watch():',
  '    try:',
  '        while sys.stdin.buffer.read(4096): pass',
  '    except Exception: pass',
  '    os.kill(os.getpid(), signal.SIGTERM)',
  '    time.sleep(15)',
  '    os._exit(1)',
  'threading.Thread(target=_watch, daemon=True).start()',
  "sys.argv[0] = 'jupyter-server'",
  'from jupyter_server.serverapp import main',
  'sys.exit(main())',
].join('\n');

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

export async function startJupyter(opts: JupyterOptions = {}): Promise<JupyterServer> {
  const python = venvBin('python');
  const baseUrl = normalizeBase(opts.baseUrl);
  const ownRoot = !opts.rootDir;
  const rootDir = opts.rootDir ? path.resolve(opts.rootDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-jupyter-root-'));
  fs.mkdirSync(rootDir, { recursive: true });
  // Config, runtime and IPython dirs of its own, so nothing from ~/.jupyter leaks in and nothing is written there.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-jupyter-home-'));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const auth: Record<string, string> = opts.token ? { Authorization: `token ${opts.token}` } : {};

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [
      '-c', WATCHDOG,
      '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
      `--ServerApp.token=${opts.token ?? ''}`, '--ServerApp.password=', "--ServerApp.allow_origin=*",
      `--ServerApp.base_url=${baseUrl}`, `--ServerApp.root_dir=${rootDir}`,
      // JupyterLab at the server's root, as Kubeflow's notebook images start it.
      '--ServerApp.open_browser=False', '--ServerApp.default_url=/lab', '--allow-root',
      ...(opts.args ?? []),
    ];
    const child = spawn(python, args, {
      cwd: rootDir,
      detached: true, // own process group: stop() can kill the server and anything it left behind
      // stdin stays open as a lifeline: when this process dies, however it dies, the watchdog stops the server.
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JUPYTER_CONFIG_DIR: path.join(home, 'config'),
        JUPYTER_DATA_DIR: path.join(home, 'data'),
        JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
        JUPYTER_PLATFORM_DIRS: '1',
        IPYTHONDIR: path.join(home, 'ipython'),
        PYTHONUNBUFFERED: '1',
      },
    });
    let out = '';
    const collect = (b: Buffer) => { out = (out + b.toString()).slice(-256 * 1024); };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    // A forgotten stop() must not keep the test process alive; when it exits, the watchdog sees EOF.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as net.Socket | null)?.unref();
    const url = `http://127.0.0.1:${port}${baseUrl}`;

    const deadline = Date.now() + timeoutMs;
    let up = false;
    while (Date.now() < deadline && !exited(child)) {
      try {
        const r = await fetch(`${url}api/status`, { signal: AbortSignal.timeout(2000), headers: auth });
        if (r.ok) { up = true; break; }
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 150));
    }
    if (up) {
      let stopped: Promise<void> | undefined;
      const stop = () => (stopped ??= (async () => {
        // A clean shutdown first: jupyter_server stops its kernels (which run in their own sessions).
        try {
          await fetch(`${url}api/shutdown`, { method: 'POST', headers: { ...xsrfHeaders(), ...auth }, signal: AbortSignal.timeout(3000) });
        } catch { /* the server may close the connection while shutting down */ }
        if (!(await waitExit(child, 8000))) {
          killGroup(child, 'SIGTERM');
          if (!(await waitExit(child, 3000))) { killGroup(child, 'SIGKILL'); await waitExit(child, 2000); }
        }
        killGroup(child, 'SIGKILL'); // anything left in the group
        child.stdin?.destroy();
        fs.rmSync(home, { recursive: true, force: true });
        if (ownRoot) fs.rmSync(rootDir, { recursive: true, force: true });
      })());
      return { port, url, baseUrl, rootDir, pid: child.pid!, log: () => out, stop };
    }
    killGroup(child, 'SIGKILL');
    await waitExit(child, 2000);
    lastError = new Error(`jupyter_server did not answer ${url}api/status within ${timeoutMs} ms` +
      `${exited(child) ? ` (exited with ${child.exitCode ?? child.signalCode})` : ''}\n--- server log ---\n${out.slice(-4000)}`);
    // Only a lost race for the port is worth another try.
    if (!/already in use|Address already/i.test(out)) break;
  }
  fs.rmSync(home, { recursive: true, force: true });
  if (ownRoot) fs.rmSync(rootDir, { recursive: true, force: true });
  throw lastError ?? new Error('jupyter_server did not start');
}
