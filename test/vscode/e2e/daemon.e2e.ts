// The companion daemon from the editor, as a user meets it: the packaged extension in code-server against the
// sandbox cluster (real apiserver + kwok + a real Jupyter server behind a Notebook's pod). Start a forward to the
// notebook from the command palette, see it ready in the Port Forwards view, fetch Jupyter through it; open the merged
// logs of a PyTorchJob, jump to the failing worker's traceback.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '../../rigs/sandbox';
import { freePort, onlyPanes, reloadWindow, screenshotOnFailure, startSandboxSession, type SandboxSession, type Workbench } from './support';

/** Every line of VS Code's logs of this server (remote agent, extension hosts) that matches `re`. */
function logLines(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.log')) continue;
    for (const line of fs.readFileSync(path.join(e.parentPath, e.name), 'utf8').split('\n')) if (re.test(line)) out.push(line);
  }
  return out;
}

describe('companion daemon in the editor (UI)', function () {
  this.timeout(240_000);
  let session: SandboxSession | undefined;
  let sandbox: Sandbox | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    session = await startSandboxSession({ suite: 'daemon' });
    ({ sandbox, wb } = session);
  });
  /** A notification with `text`: as a toast, or in the center (a toast may hide before it is seen). */
  async function notification(text: string): Promise<void> {
    const page = wb!.page;
    const item = page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
    const deadline = Date.now() + 30_000;
    while (!(await item.isVisible().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`no notification says: ${text}`);
      if (!(await page.locator('.notifications-center.visible').isVisible().catch(() => false))) await wb!.runCommand('Notifications: Show Notifications');
      await page.waitForTimeout(300);
    }
    await wb!.runCommand('Notifications: Clear All Notifications');
    await page.keyboard.press('Escape');
  }
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  let listener: ChildProcess | undefined;
  after(async () => {
    listener?.kill();
    await session?.stop();
  });

  it('starts a port-forward to a notebook from the palette and shows it ready in the Port Forwards view', async () => {
    const page = wb!.page;
    await wb!.openViewContainer('Kubeflow');
    // The Runs, Pipelines and Models views reach their APIs through forwards of their own: show Port Forwards only.
    await onlyPanes(page, ['Port Forwards']);
    await wb!.runCommand('Kubeflow: Start Port-Forward…');
    const input = page.locator('.quick-input-widget input');
    await input.fill(`${sandbox!.namespace}/notebook/${sandbox!.notebook}`);
    await input.press('Enter');
    // The notebook also has a row in the Notebooks view: look inside the Port Forwards pane only.
    const pane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Port Forwards' }) });
    const row = pane.locator('.monaco-list-row', { hasText: sandbox!.notebook });
    await row.first().waitFor({ timeout: 60_000 });
    // The pane also lists the API views' own forwards: wait for this row to be ready.
    await row.filter({ hasText: 'ready' }).first().waitFor({ timeout: 60_000 });
    const text = await row.first().innerText();
    const port = Number(/(\d{4,5}) · ready/.exec(text)?.[1]);
    assert.ok(port > 0, `the row shows the local port: ${text}`);
    // Jupyter answers through the forward, under the notebook's Kubeflow base URL.
    const res = await fetch(`http://127.0.0.1:${port}/notebook/${sandbox!.namespace}/${sandbox!.notebook}/api/status`);
    assert.equal(res.status, 200);
    assert.ok('started' in ((await res.json()) as object));
    // The status bar counts every forward the view lists.
    const listed = await pane.locator('.monaco-list-row').count();
    await page.locator('.statusbar-item', { hasText: new RegExp(`^\\D*${listed}$`) }).first().waitFor({ timeout: 10_000 });
    await wb!.runCommand('Focus on Port Forwards View');
    await row.first().hover();
    await wb!.screenshot('port-forward-ready');
  });

  it('Start Port-Forward… lists notebook servers, services and pods; picking a forwarded one says the forward is reused', async () => {
    const page = wb!.page;
    await wb!.runCommand('Kubeflow: Start Port-Forward…');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    // The notebook server forwarded by the test before: marked, and picking it reuses that forward.
    const nbRow = rows.filter({ hasText: 'already forwarded at' }).filter({ hasText: sandbox!.notebook });
    await nbRow.first().waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: `${sandbox!.notebook}-0:8888` }).first().waitFor({ timeout: 30_000 });
    assert.ok(await rows.filter({ hasText: 'stopped-nb' }).count(), 'the stopped server is listed too');
    await wb!.screenshot('port-forward-pick-list');
    await nbRow.first().click();
    await notification(`Reusing the existing port-forward to notebook ${sandbox!.notebook} in ${sandbox!.namespace}`);
    await wb!.screenshot('port-forward-reused');
    // A pod's container port from the list starts a new forward, and a typed target still works.
    await wb!.runCommand('Kubeflow: Start Port-Forward…');
    await rows.filter({ hasText: `${sandbox!.notebook}-0:8888` }).first().click();
    await notification(`Forwarding pod ${sandbox!.notebook}-0 in ${sandbox!.namespace}`);
    const pane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Port Forwards' }) });
    await pane.locator('.monaco-list-row', { hasText: `${sandbox!.notebook}-0` }).filter({ hasText: 'ready' }).first().waitFor({ timeout: 60_000 });
  });

  it('opens the merged, replica-tagged logs of a PyTorchJob and jumps to the failing worker\'s traceback', async () => {
    const page = wb!.page;
    await wb!.runCommand('Kubeflow: Open Job Logs…');
    const input = page.locator('.quick-input-widget input');
    await input.fill('PyTorchJob');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'PyTorchJob' }).first().click();
    await input.fill(sandbox!.job);
    await input.press('Enter');
    // Each step is a new input box: type into the namespace one only once it shows.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Namespace' }).waitFor({ timeout: 10_000 });
    await input.fill(sandbox!.namespace);
    await input.press('Enter');
    const editor = page.locator('.editor-instance .view-lines');
    await editor.locator('text=[worker-2').first().waitFor({ timeout: 60_000 });
    const content = await editor.innerText();
    for (const tag of ['master-0', 'worker-0', 'worker-1', 'worker-2']) assert.ok(content.includes(`[${tag}`), `${tag} in the merged log:\n${content}`);
    await wb!.screenshot('merged-logs');
    await wb!.runCommand('Kubeflow: Jump to First Error in Log');
    await page.locator('.editor-instance .view-line', { hasText: 'Traceback (most recent call last)' }).first().waitFor({ timeout: 10_000 });
    await wb!.screenshot('jump-to-error');
  });

  it('filters the log: a replica picked with Enter, then text; the filtered log takes the tab\'s place and names the filter', async () => {
    const page = wb!.page;
    const tabs = page.locator('.tabs-container .tab', { hasText: sandbox!.job });
    await tabs.first().waitFor({ timeout: 10_000 });
    assert.equal(await tabs.count(), 1, 'one log tab');
    await wb!.runCommand('Kubeflow: Filter Log by Replica…');
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'worker-2' }).first().waitFor({ timeout: 10_000 });
    // Nothing is pre-checked: typing the replica and Enter shows it.
    assert.equal(await page.locator('.quick-input-widget .quick-input-list .monaco-list-row[aria-checked="true"]').count(), 0, 'no replica pre-checked');
    await input.fill('worker-2');
    await wb!.screenshot('log-filter-replica');
    await input.press('Enter');
    const filtered = page.locator('.tabs-container .tab.active', { hasText: `${sandbox!.job} (worker-2)` });
    await filtered.waitFor({ timeout: 30_000 });
    const editor = page.locator('.editor-instance .view-lines');
    await editor.locator('text=CUDA out of memory').first().waitFor({ timeout: 30_000 });
    const text = await editor.innerText();
    assert.ok(!/\[(master-0|worker-0|worker-1)/.test(text), `only worker-2:\n${text}`);
    assert.equal(await tabs.count(), 1, 'the filtered log replaced the tab');
    await wb!.runCommand('Kubeflow: Filter Log by Text…');
    await input.fill('/loss [01]\\./');
    await input.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: `${sandbox!.job} (worker-2 · “∕loss [01]∕.∕”)` }).waitFor({ timeout: 30_000 });
    await editor.locator('text=epoch 2').first().waitFor({ timeout: 30_000 });
    const lines = (await editor.innerText()).replace(/\u00a0/g, ' ').split('\n').filter((l) => l.trim());
    // epoch 1 has loss 2.3000: only epochs 2 and 3 (loss 1.15, 0.7667) of worker-2 are left.
    assert.deepEqual(lines.map((l) => /epoch (\d)/.exec(l)?.[1]), ['2', '3'], lines.join('\n'));
    assert.equal(await tabs.count(), 1);
    await wb!.screenshot('log-filter-text');
  });

  it('VS Code\'s Ports view does not auto-forward the daemon\'s local ports, while a port another program opens is', async function () {
    this.timeout(360_000);
    const page = wb!.page;
    const forwards = await page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Port Forwards' }) }).locator('.monaco-list-row').allInnerTexts();
    const ours = forwards.map((t) => Number(/(\d{4,5}) · /.exec(t)?.[1])).filter((n) => n > 0);
    assert.ok(ours.length >= 2, `the daemon forwards ports: ${forwards.join(' | ')}`);
    // Another program opens a port now (ports open when the window started are never auto-forwarded): VS Code's
    // port finder sees it and forwards it, so the finder does run in this window and would forward ours too.
    const port = await freePort();
    listener = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
    await wb!.runCommand('Ports: Focus on Ports View');
    const ports = page.locator('.part.panel');
    // The finder scans /proc again after 20× its last scan's duration (at least 2 s): under CI load a scan takes seconds,
    // so the next one can be a minute or more away.
    // Seen twice in CI on a full sandbox: no rescan within 240 s at all. The daemon's ports are then still checked below
    // over that whole window, and the run says that the finder never proved itself in this window.
    const finderSeen = await ports.locator('.monaco-list-row, .monaco-table-tr', { hasText: String(port) }).first().waitFor({ timeout: 240_000 }).then(() => true, () => false);
    if (!finderSeen) console.warn(`      (VS Code's port finder did not pick up the control port ${port} within 240 s: its rescan interval grows with the scan time)`);
    // The daemon's forwards were opened long before that port (test 1 on): the finder has seen them many times.
    const rows = (await ports.locator('.monaco-list-row, .monaco-table-tr').allInnerTexts()).join('\n');
    for (const p of ours) assert.ok(!new RegExp(`\\b${p}\\b`).test(rows), `the daemon's port ${p} is not in the Ports view:\n${rows}`);
    assert.ok(!(await page.locator('.notification-list-item', { hasText: /automatically forwarded|is available/ }).filter({ hasText: new RegExp(ours.join('|')) }).count()), 'no notification about the daemon\'s ports');
    await wb!.screenshot('ports-view-without-daemon-ports');
    // The port-attributes provider was registered as VS Code wants it (a port range or a command pattern).
    assert.deepEqual(logLines(session!.cs.logsDir, /must specify either a portRange or a commandPattern/), []);
  });

  it('after a reload with the side bar hidden, the extension joins the running daemon: the status bar counts its forwards', async () => {
    const page = wb!.page;
    const count = (await page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Port Forwards' }) }).locator('.monaco-list-row').count());
    assert.ok(count > 0);
    // Leave the Explorer as the side bar's view, then hide the side bar: after the reload no Kubeflow view is shown.
    await wb!.runCommand('View: Show Explorer');
    await wb!.runCommand('View: Close Primary Side Bar');
    await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: 10_000 });
    await reloadWindow(wb!);
    await page.locator('.statusbar-item', { hasText: new RegExp(`^\\D*${count}$`) }).first().waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.part.sidebar').isVisible(), false, 'the side bar stays hidden');
    assert.equal(await page.locator('.pane-header', { hasText: 'Port Forwards' }).count(), 0, 'no Kubeflow view was opened');
    await wb!.screenshot('reload-status-bar-forwards');
  });
});
