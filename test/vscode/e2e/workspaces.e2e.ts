// Kubeflow Notebooks 2.0 as a user meets it: the packaged extension in code-server against the sandbox, where the real
// Workspace controller runs the sample WorkspaceKinds, a running Workspace `sandbox-ws` (its pod forwarded to a real
// Jupyter under /workspace/connect/...) and a paused `paused-ws`, beside the v1 Notebooks. The Notebooks view shows
// both kinds together; a local .ipynb runs on the Workspace; picking the paused one asks to resume it; a Workspace
// whose kind is missing says so. Screenshots: test-output/screenshots/workspaces/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import type { Sandbox } from '../../rigs/sandbox';
import { screenshotOnFailure, startSandboxSession, type SandboxSession, type Workbench } from './support';

const notebook = (source: string) => JSON.stringify({
  cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } }, nbformat: 4, nbformat_minor: 5,
});

describe('notebooks 2.0: workspaces in the Notebooks view and as kernels (UI)', function () {
  this.timeout(300_000);
  let session: SandboxSession | undefined;
  let sandbox: Sandbox | undefined;
  let wb: Workbench | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-ws-'));
  const page = () => wb!.page;
  const view = () => page().locator('.part.sidebar .pane', { has: page().locator('.pane-header', { hasText: /Notebooks/i }) });

  /** Text in a cell output webview frame. */
  async function output(text: string, timeout = 90_000): Promise<string> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const frames = page().frames().filter((f: Frame) => f !== page().mainFrame());
      for (const f of frames) {
        const t = await f.locator(`text=${text}`).first().innerText({ timeout: 100 }).catch(() => null);
        if (t) return t;
      }
      await page().waitForTimeout(300);
    }
    throw new Error(`no cell output shows ${text}`);
  }
  async function openNotebook(file: string): Promise<void> {
    await page().keyboard.press('Escape');
    await page().keyboard.press('Control+P');
    await page().locator('.quick-input-widget input').fill(file);
    await page().locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().locator('.tab.active', { hasText: file }).waitFor({ timeout: 30_000 });
    await page().locator('.notebook-toolbar-container:visible', { hasText: 'Select Notebook Server…' }).first().waitFor({ timeout: 60_000 });
  }
  async function pick(name: string): Promise<void> {
    await wb!.runCommand('Kubeflow: Select Notebook Server…');
    const item = page().locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await item.waitFor({ timeout: 30_000 });
    await item.click();
  }
  /** Runs the notebook like a user: the Run All button of the visible notebook's toolbar (the palette lists "Notebook:
   *  Run All" only while a notebook editor has the focus, which a notification or the kernel picker can take). */
  async function runAll(): Promise<void> {
    const button = page().locator('.notebook-toolbar-container:visible .action-item:not(.disabled) .action-label[aria-label^="Run All"]').first();
    await button.waitFor({ timeout: 30_000 });
    await button.click();
  }

  before(async () => {
    session = await startSandboxSession({
      suite: 'workspaces', folder, viewport: { width: 1500, height: 1000 },
      prepare: async () => {
        fs.writeFileSync(path.join(folder, 'ws.ipynb'), notebook('print("workspace says", 6 * 7)'));
        fs.writeFileSync(path.join(folder, 'paused.ipynb'), notebook('print("resumed workspace answered", 6 * 7)'));
        fs.writeFileSync(path.join(folder, 'nokind.ipynb'), notebook('print("never runs")'));
      },
    });
    ({ sandbox, wb } = session);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  after(async () => {
    await session?.stop();
  });

  it('the Notebooks view shows v1 Notebooks and v2 Workspaces together, each with its kind and state', async () => {
    await wb!.openViewContainer('Kubeflow');
    await view().locator('.monaco-list-row', { hasText: /sandbox-ws.*Workspace · running/ }).first().waitFor({ timeout: 90_000 });
    await view().locator('.monaco-list-row', { hasText: /paused-ws.*Workspace · paused/ }).first().waitFor({ timeout: 30_000 });
    await view().locator('.monaco-list-row', { hasText: /sandbox-nb.*running/ }).first().waitFor({ timeout: 30_000 });
    const text = (await view().locator('.monaco-list-rows').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /sandbox-ws\s*Workspace · running · jupyter-scipy:v1\.10\.0 · 100m CPU · 128Mi/);
    assert.match(text, /sandbox-nb\s*running · jupyter-scipy:v1\.9\.0/);
    const row = view().locator('.monaco-list-row', { hasText: 'sandbox-ws' }).first();
    const hover = page().locator('.monaco-hover', { hasText: 'WorkspaceKind jupyterlab' }).first();
    for (let i = 0; i < 10 && !(await hover.isVisible()); i++) {
      await page().mouse.move(700, 500);
      await row.hover();
      await hover.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    const tip = await hover.innerText();
    assert.match(tip, /Sandbox Workspace/);
    assert.match(tip, /Pod configuration: Tiny CPU/);
    await wb!.screenshot('1-view-notebooks-and-workspaces');
    await page().mouse.move(700, 500);
  });

  it('a local notebook runs on the Workspace\'s Jupyter (its pod by label, the kind\'s port, the connect path)', async () => {
    await openNotebook('ws.ipynb');
    await pick('sandbox-ws');
    await page().locator('.notebook-toolbar-container:visible', { hasText: 'sandbox-ws' }).first().waitFor({ timeout: 30_000 });
    await runAll();
    // The kernel runs in the Jupyter behind the pod; the server answered under the workspace's base path.
    await output('workspace says 42');
    await wb!.screenshot('2-cell-ran-on-workspace');
  });

  it('picking a paused Workspace asks to resume it, waits, then runs the cell', async () => {
    await openNotebook('paused.ipynb');
    await pick('paused-ws');
    await page().locator('.monaco-dialog-box', { hasText: 'Workspace paused-ws is paused. Resume it?' }).waitFor({ timeout: 30_000 });
    await wb!.screenshot('3-offer-to-resume');
    await page().locator('.monaco-dialog-box .dialog-buttons a, .monaco-dialog-box .dialog-buttons button', { hasText: 'Resume' }).first().click();
    await page().locator('.notebook-toolbar-container:visible', { hasText: 'paused-ws' }).first().waitFor({ timeout: 150_000 });
    await view().locator('.monaco-list-row', { hasText: /paused-ws.*Workspace · running/ }).first().waitFor({ timeout: 60_000 });
    const spec = JSON.parse(await sandbox!.rig.kubectl(['-n', sandbox!.namespace, 'get', 'workspace', 'paused-ws', '-o', 'jsonpath={.spec}'])) as { paused: boolean };
    assert.equal(spec.paused, false);
    await runAll();
    await output('resumed workspace answered 42');
    await wb!.screenshot('4-resumed-and-ran');
  });

  it('a Workspace whose kind is missing shows why it waits, and picking it as kernel says so', async () => {
    await wb!.openViewContainer('Kubeflow');
    await sandbox!.rig.apply([{
      apiVersion: 'kubeflow.org/v1beta1', kind: 'Workspace', metadata: { name: 'ws-nokind', namespace: sandbox!.namespace },
      spec: { paused: false, kind: 'no-such-kind', podTemplate: { volumes: {}, options: { imageConfig: 'x', podConfig: 'y' } } },
    }]);
    await view().locator('.monaco-list-row', { hasText: /ws-nokind.*Workspace · pending/ }).first().waitFor({ timeout: 60_000 });
    await openNotebook('nokind.ipynb');
    await pick('ws-nokind');
    // The error notification (as a toast, or in the notification center when the workbench keeps it there).
    const said = /Workspace ws-nokind cannot run notebooks: Its WorkspaceKind no-such-kind does not exist/;
    const toast = page().locator('.notifications-toasts', { hasText: said }).first();
    if (!(await toast.waitFor({ timeout: 10_000 }).then(() => true, () => false))) {
      await wb!.runCommand('Notifications: Show Notifications');
      await page().locator('.notifications-center', { hasText: said }).first().waitFor({ timeout: 20_000 });
    }
    await wb!.screenshot('5-missing-kind');
    // Nothing lost: the notebook is still open and unchanged on disk.
    assert.match(fs.readFileSync(path.join(folder, 'nokind.ipynb'), 'utf8'), /never runs/);
    await wb!.runCommand('Notifications: Hide Notifications').catch(() => undefined);
  });

  it('creates a Workspace from a WorkspaceKind: options by display name, the YAML shown before it is applied', async () => {
    await wb!.openViewContainer('Kubeflow');
    const input = page().locator('.quick-input-widget input');
    const step = async (title: RegExp, answer?: string) => {
      await page().locator('.quick-input-widget', { hasText: title }).first().waitFor({ timeout: 30_000 });
      if (answer !== undefined) await input.fill(answer);
      await page().waitForTimeout(300);
      await page().keyboard.press('Enter');
    };
    await wb!.runCommand('Kubeflow: Create Notebook Server…');
    await step(/Create in kubeflow-user/, 'Workspace');
    await step(/Create Workspace in kubeflow-user \(1\/6\)/, 'JupyterLab');
    await step(/\(2\/6\)/, 'ws-new');
    // the image options by display name, the default first, a retired one saying where it redirects
    await page().locator('.quick-input-widget', { hasText: /\(3\/6\)/ }).first().waitFor({ timeout: 30_000 });
    await page().locator('.quick-input-list .monaco-list-row', { hasText: /redirects to jupyter-scipy:v1\.10\.0/ }).first().waitFor({ timeout: 10_000 });
    assert.match(await page().locator('.quick-input-list .monaco-list-row').first().innerText(), /jupyter-scipy:v1\.10\.0[\s\S]*default/);
    await wb!.screenshot('6-create-image-options');
    await step(/\(3\/6\)/);
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'Big GPU' }).first().waitFor({ timeout: 10_000 });
    await step(/\(4\/6\)/, 'Tiny CPU');
    await step(/\(5\/6\)/, 'No home volume');
    await step(/\(6\/6\)/);
    // the YAML is open beside, and nothing exists until "Create"
    const dialog = page().locator('.monaco-dialog-box', { hasText: 'Create Workspace ws-new in kubeflow-user as shown?' });
    await dialog.waitFor({ timeout: 30_000 });
    await page().locator('.monaco-editor', { hasText: 'kind: Workspace' }).first().waitFor({ timeout: 10_000 });
    const before = await sandbox!.rig.kubectl(['-n', sandbox!.namespace, 'get', 'workspaces', '-o', 'name']);
    assert.ok(!before.includes('ws-new'), 'created before Create was clicked');
    await wb!.screenshot('7-create-yaml-before-apply');
    await page().locator('.monaco-dialog-box .dialog-buttons a, .monaco-dialog-box .dialog-buttons button', { hasText: 'Create' }).first().click();
    await view().locator('.monaco-list-row', { hasText: /ws-new.*Workspace · running/ }).first().waitFor({ timeout: 120_000 });
    const made = JSON.parse(await sandbox!.rig.kubectl(['-n', sandbox!.namespace, 'get', 'workspace', 'ws-new', '-o', 'jsonpath={.spec}'])) as { kind: string; podTemplate: { options: Record<string, string> } };
    assert.deepEqual([made.kind, made.podTemplate.options.imageConfig, made.podTemplate.options.podConfig], ['jupyterlab', 'jupyter-scipy:v1.10.0', 'tiny_cpu']);
    await page().mouse.move(700, 500);
    await wb!.screenshot('8-created-workspace-running');
  });

  it('pausing a Workspace from the view leaves it paused, with no pod', async () => {
    const item = view().locator('.monaco-list-row', { hasText: 'paused-ws' }).first();
    await item.hover();
    await item.locator('.action-label[aria-label^="Stop Notebook Server"]').first().click();
    // a notebook runs on it: the question names it
    const dialog = page().locator('.monaco-dialog-box', { hasText: '1 open notebook(s) run on it' });
    await dialog.waitFor({ timeout: 30_000 });
    await page().locator('.monaco-dialog-box .dialog-buttons a, .monaco-dialog-box .dialog-buttons button', { hasText: 'Pause' }).first().click();
    await view().locator('.monaco-list-row', { hasText: /paused-ws.*Workspace · paused/ }).first().waitFor({ timeout: 90_000 });
    const pods = await sandbox!.rig.kubectl(['-n', sandbox!.namespace, 'get', 'pods', '-l', 'notebooks.kubeflow.org/workspace-name=paused-ws', '-o', 'name']);
    assert.equal(pods.trim(), '');
    await page().mouse.move(700, 500);
    await wb!.screenshot('9-paused-from-view');
  });
});
