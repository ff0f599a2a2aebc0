// Local runs in real VS Code (the packaged .vsix in code-server, chromium, the rig venv's kfp): the "Run locally…"
// CodeLens opens the run form in local mode, "Run Locally" starts kfp.local, and the run's graph shows the task states,
// a failing task's error, traceback link and outputs; a Kale notebook's cell status bar and its graph beside.
// Screenshots: test-output/screenshots/local-runs/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { venvBin } from '../../rigs/jupyter/index';
import { kalePython } from '../../rigs/kale/index';
import { openWorkbench, packagedVsix, screenshotOnFailure, startCodeServer, type CodeServer, type Workbench } from './support';

const REPO = path.resolve(__dirname, '../../..');

describe('local runs (UI, packaged .vsix in code-server)', function () {
  this.timeout(420_000);
  let cs: CodeServer | undefined;
  let wb: Workbench | undefined;
  let ws = '';
  const page = () => wb!.page;

  async function frameWith(selector: string, timeout = 180_000): Promise<FrameLocator> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const n = await page().locator('iframe.webview.ready').count();
      for (let i = 0; i < n; i++) {
        const f = wb!.webview(i);
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
      await page().waitForTimeout(500);
    }
    throw new Error(`no webview shows ${selector}`);
  }

  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-local-ws-'));
    fs.copyFileSync(path.join(REPO, 'test/fixtures/pipelines/local/failing.py'), path.join(ws, 'failing.py'));
    fs.copyFileSync(path.join(REPO, 'test/fixtures/notebooks/kale/tagged.ipynb'), path.join(ws, 'tagged.ipynb'));
    cs = await startCodeServer({ vsix: [packagedVsix()], settings: { 'kubeflow.pythonPath': venvBin('python'), 'kubeflow.kale.pythonPath': kalePython(), 'editor.codeLens': true } });
    wb = await openWorkbench(cs, { suite: 'local-runs', folder: ws });
  });
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  after(async () => {
    await wb?.close();
    await cs?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('Run locally… → the form in local mode → the run graph: the failing task, its error and the line it failed at', async () => {
    await page().keyboard.press('Control+P');
    await page().locator('.quick-input-widget input').fill('failing.py');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'failing.py' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    const lens = page().locator('.contentWidgets .codelens-decoration a', { hasText: 'Run locally…' });
    await lens.first().waitFor({ timeout: 90_000 });
    await wb!.screenshot('0-codelens');
    await lens.first().click();
    const form = await frameWith('#submit');
    await form.locator('#submit', { hasText: 'Run Locally' }).waitFor({ timeout: 60_000 });
    assert.equal(await form.locator('#experiment').count(), 0, 'no experiment picker in a local run');
    await wb!.screenshot('1-local-form');
    await form.locator('#submit').click();
    const g = await frameWith('#run-state', 180_000);
    await g.locator('#run-state', { hasText: 'Failed' }).waitFor({ timeout: 180_000 });
    await g.locator('[data-id="t:divide"]').click();
    await g.locator('.details .run-error', { hasText: 'ValueError: cannot divide 6 by zero' }).waitFor({ timeout: 30_000 });
    assert.equal(await g.locator('#failing-line').textContent(), 'failing.py:10');
    assert.match(await g.locator('.runbar').innerText(), /Re-run/);
    await wb!.screenshot('2-failed-run-graph');
    await g.locator('#failing-line').click();
    await page().locator('.statusbar-item', { hasText: /Ln 10, Col 1/ }).first().waitFor({ timeout: 30_000 });
    await wb!.screenshot('3-at-the-failing-line');
  });

  it('a Kale notebook: each cell\'s step in its status bar; Kale: Show Pipeline Graph opens the steps beside it', async () => {
    await wb!.runCommand('View: Close All Editors');
    await page().keyboard.press('Control+P');
    await page().locator('.quick-input-widget input').fill('tagged.ipynb');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'tagged.ipynb' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().getByText('Kale: step double ← load').first().waitFor({ timeout: 90_000 });
    assert.ok(await page().getByText('Kale: imports').count());
    await wb!.screenshot('4-kale-cell-status');
    await wb!.runCommand('Kubeflow: Kale: Show Pipeline Graph of the Notebook');
    const g = await frameWith('[data-id="t:report-step"]', 240_000);
    assert.equal(await g.locator('[data-id="t:double-step"]').count(), 1);
    await wb!.screenshot('5-kale-graph-beside');
  });
});
