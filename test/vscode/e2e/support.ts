// Shared helpers for the UI e2e files (test/vscode/e2e/*.e2e.ts, mocha + tsx on the system Node).
// A new e2e file: start a code-server with the packaged extension, open the workbench, drive it, take screenshots:
//
//   describe('my feature (UI)', function () {
//     this.timeout(180_000);
//     let cs: CodeServer | undefined; let wb: Workbench | undefined;
//     before(async () => { cs = await startCodeServer({ vsix: [await packagedVsix()] }); wb = await openWorkbench(cs, { suite: 'my-feature' }); });
//     afterEach(async function () { await screenshotOnFailure(this, wb); });
//     after(async () => { await wb?.close(); await cs?.stop(); });
//     it('...', async () => { await wb!.openViewContainer('Kubeflow'); ... await wb!.screenshot('state'); });
//   });
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../rigs/sandbox';
import { openWorkbench, REPO, startCodeServer, type CodeServer, type Workbench } from '../../rigs/vscode/codeserver';

export * from '../../rigs/vscode/codeserver';

let vsix: string | undefined;

/**
 * The extension packaged as CI ships it (`npm run package`: production esbuild + vsce), built once per mocha run.
 * KFVS_VSIX=<file> uses a ready .vsix instead. Note: packaging rewrites dist/ with the production build;
 * test/rigs/vscode/run-all.mjs rebuilds the development bundles afterwards.
 */
export function packagedVsix(): string {
  if (vsix) return vsix;
  if (process.env.KFVS_VSIX) return (vsix = path.resolve(process.env.KFVS_VSIX));
  const out = path.join(REPO, 'dist/kubeflow-vscode.vsix');
  fs.rmSync(out, { force: true });
  const r = spawnSync('npm', ['run', 'package', '--silent'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`npm run package failed (exit ${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  return (vsix = out);
}

/** The file names in a zip (a .vsix), read from its central directory. */
export function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** In an afterEach: saves failed-<test title>.png when the test failed. */
export async function screenshotOnFailure(ctx: Mocha.Context, wb: Workbench | undefined): Promise<void> {
  const t = ctx.currentTest;
  if (wb && t && t.state === 'failed') {
    const file = await wb.screenshot(`failed-${t.title}`).catch(() => undefined);
    if (file) console.log(`      screenshot of the failure: ${path.relative(REPO, file)}`);
  }
}

/** A code-server with the packaged extension, a fresh workspace folder and the workbench open: what UI tests of editor features (no cluster) start with. */
export interface WorkbenchSession {
  cs: CodeServer;
  wb: Workbench;
  /** The workspace folder (a new temporary directory, removed by stop()). */
  ws: string;
  stop(): Promise<void>;
}

/**
 * Makes the workspace folder with `files` (name → text, or `{ copy: path }`), then starts code-server with the
 * packaged extension and `settings`, and opens the workbench on the folder.
 */
export async function startWorkbenchSession(o: { suite: string; files?: Record<string, string | { copy: string }>; settings?: Record<string, unknown>; viewport?: { width: number; height: number } }): Promise<WorkbenchSession> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `kfvs-${o.suite}-ws-`));
  for (const [name, content] of Object.entries(o.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(path.join(ws, name), content);
    else fs.copyFileSync(content.copy, path.join(ws, name));
  }
  let cs: CodeServer | undefined;
  let wb: Workbench | undefined;
  const stop = async (): Promise<void> => {
    await wb?.close();
    await cs?.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  };
  try {
    cs = await startCodeServer({ vsix: [packagedVsix()], ...(o.settings ? { settings: o.settings } : {}) });
    wb = await openWorkbench(cs, { suite: o.suite, folder: ws, ...(o.viewport ? { viewport: o.viewport } : {}) });
    return { cs, wb, ws, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Opens a workspace file through Quick Open and waits until its tab is the active one. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
}

/** The shown webview that has `selector` (the newest first), polled until `timeout`. */
export async function webviewWith(wb: Workbench, selector: string, timeout = 60_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const n = await wb.page.locator('iframe.webview.ready').count();
    for (let i = n - 1; i >= 0; i--) {
      const f = wb.webview(i);
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    await wb.page.waitForTimeout(300);
  }
  throw new Error(`no webview shows ${selector}`);
}

/** A code-server with the packaged extension on the sandbox cluster, and the workbench open: what UI tests of cluster features start with. */
export interface SandboxSession {
  sandbox: Sandbox;
  cs: CodeServer;
  wb: Workbench;
  /** Stops the window, code-server, the companion daemon the extension started, and the sandbox. */
  stop(): Promise<void>;
}

/**
 * Starts the sandbox (kube rig, notebook, job; `prepare` adds what the suite needs before the window opens), then a
 * code-server pointed at it with its own companion daemon home, then the workbench.
 */
export async function startSandboxSession(o: { suite: string; folder?: string; viewport?: { width: number; height: number }; settings?: Record<string, unknown>; prepare?: (s: Sandbox) => Promise<void> }): Promise<SandboxSession> {
  const vsix = packagedVsix();
  const sandbox = await startSandbox();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `kfvs-e2e-${o.suite}-`));
  let cs: CodeServer | undefined;
  const stop = async (wb?: Workbench): Promise<void> => {
    await wb?.close().catch(() => undefined);
    await cs?.stop();
    // The daemon outlives editor windows by design; stop it here.
    spawnSync(process.execPath, [path.join(REPO, 'dist/companion-cli.js'), 'stop', '--kubeconfig', sandbox.rig.kubeconfigPath], { env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    delete process.env.KUBEFLOW_COMPANION_HOME;
    await sandbox.stop();
  };
  try {
    await o.prepare?.(sandbox);
    // The daemon the extension starts keeps its socket and state here, away from the user's own.
    process.env.KUBEFLOW_COMPANION_HOME = home;
    cs = await startCodeServer({ vsix: [vsix], settings: { 'kubeflow.kubeconfig': sandbox.rig.kubeconfigPath, 'kubeflow.namespace': sandbox.namespace, ...o.settings } });
    const wb = await openWorkbench(cs, { suite: o.suite, ...(o.folder ? { folder: o.folder } : {}), viewport: o.viewport ?? { width: 1400, height: 900 } });
    return { sandbox, cs, wb, stop: () => stop(wb) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** "Developer: Reload Window", then waits until the reloaded workbench has restored its views and editors. */
export async function reloadWindow(wb: Workbench): Promise<void> {
  const page = wb.page;
  const loaded = page.waitForEvent('load', { timeout: 120_000 });
  await wb.runCommand('Developer: Reload Window');
  await loaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => typeof (globalThis as unknown as { driver?: unknown }).driver === 'object', null, { timeout: 60_000 });
  await page.evaluate(() => (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored());
}

/** The side-bar pane whose header title is `title`. */
export function pane(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .split-view-view', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`) }) });
}

/** Expands the panes named `keep` and collapses the others, so the screenshots show what matters. */
export async function onlyPanes(page: Page, keep: string[]): Promise<void> {
  for (const h of await page.locator('.part.sidebar .pane-header').all()) {
    const title = ((await h.locator('h3.title').textContent()) ?? '').trim();
    const expanded = (await h.getAttribute('aria-expanded')) === 'true';
    if (keep.includes(title) !== expanded) await h.locator('h3.title').click();
  }
}

/** Drags the side bar's edge so that item descriptions fit. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const x = box.x + box.width + 1;
  await page.mouse.move(x, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
}
