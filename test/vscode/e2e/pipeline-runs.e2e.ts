// Pipeline runs in real VS Code (the packaged .vsix in code-server, chromium) against the sandbox's real KFP 2.17 stack
// (Service kubeflow/ml-pipeline:8888, reached through the companion daemon's port-forward; runs executed by the real
// Argo controller, driver and launcher, the component code in the rig venv): right-click a `.py` in the explorer →
// Submit Pipeline Run… → the parameter form (a wrong value is caught before anything is sent) → the run view shows
// the graph going Running → Succeeded; the Runs view and the end notification; a failing run (the failed step red,
// its log at the traceback), terminate from the run view, and a file that does not compile (the error at its line,
// nothing submitted). Screenshots: test-output/screenshots/pipeline-runs/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { venvBin } from '../../rigs/jupyter/index';
import { onlyPanes, pane, REPO, screenshotOnFailure, startSandboxSession, webviewWith, widenSideBar, type SandboxSession } from './support';

describe('pipeline runs (UI, packaged .vsix in code-server)', function () {
  this.timeout(300_000);
  let s: SandboxSession | undefined;
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-runs-ws-'));
  const page = () => s!.wb.page;
  const kfp = () => s!.sandbox.kfp;
  /** How many runs the server has. */
  const runCount = async () => (await (await fetch(`${kfp().url}/apis/v2beta1/runs?page_size=1`)).json() as { total_size?: number }).total_size ?? 0;
  const toast = (text: string | RegExp) => page().locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
  let firstRunName = '';

  const frameWith = (selector: string, timeout = 60_000) => webviewWith(s!.wb, selector, timeout);

  /** Closes an open context menu (Escape, else a click on the empty editor area). */
  async function closeMenu(): Promise<void> {
    const menu = page().locator('.context-view .monaco-menu');
    if (!(await menu.isVisible().catch(() => false))) return;
    await page().keyboard.press('Escape');
    if (await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false)) return;
    await page().mouse.click(page().viewportSize()!.width - 40, page().viewportSize()!.height / 2);
    await menu.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  }

  /** Right-clicks a file in the explorer and picks a menu entry (retried: the menu lacks the extension's entries until
   * its contributions are loaded, and headless menus drop a click now and then). */
  async function explorerMenu(file: string, entry: string, done: () => Promise<boolean>): Promise<void> {
    await closeMenu();
    await s!.wb.runCommand('View: Show Explorer');
    const item = page().locator('.explorer-folders-view .monaco-list-row', { hasText: file });
    await item.waitFor({ timeout: 30_000 });
    for (let attempt = 0; attempt < 12; attempt++) {
      await item.click({ button: 'right' });
      const e = page().locator('.context-view .action-label', { hasText: entry });
      if (!(await e.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false))) {
        await closeMenu();
        await page().waitForTimeout(1000);
        continue;
      }
      await e.hover();
      await e.click();
      if (await done()) return;
      await closeMenu();
    }
    throw new Error(`the explorer menu entry ${entry} on ${file} did nothing`);
  }

  async function closeEditors(): Promise<void> {
    await s!.wb.runCommand('View: Close All Editors');
    await page().waitForTimeout(300);
  }

  before(async function () {
    fs.copyFileSync(path.join(REPO, 'test/fixtures/pipelines/hello_world.py'), path.join(ws, 'hello_world.py'));
    fs.copyFileSync(path.join(REPO, 'test/fixtures/pipelines/steps.py'), path.join(ws, 'steps.py'));
    fs.copyFileSync(path.join(REPO, 'test/fixtures/pipelines/invalid/syntax_error.py'), path.join(ws, 'syntax_error.py'));
    s = await startSandboxSession({
      suite: 'pipeline-runs',
      folder: ws,
      viewport: { width: 1600, height: 1000 },
      settings: { 'kubeflow.pythonPath': venvBin('python'), 'editor.codeLens': true, 'kubeflow.pipelines.refreshInterval': 2 },
    });
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.wb);
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('right-click hello_world.py → Submit Pipeline Run… → the form: typed fields with defaults, a wrong value stops the submit', async () => {
    await explorerMenu('hello_world.py', 'Submit Pipeline Run…', async () => Boolean(await frameWith('#submit', 90_000).catch(() => undefined)));
    const form = await frameWith('#submit');
    // Connected: the sandbox's experiment is offered, and hello-world exists as an uploaded pipeline.
    await form.locator('#experiment').waitFor({ timeout: 60_000 });
    await form.locator('#target-version').waitFor({ timeout: 30_000 });
    assert.match(await form.locator('#target-version').innerText(), /New version of "hello-world"/);
    // The fields and the defaults the pipeline declares.
    assert.equal(await form.locator('#p-times input').inputValue(), '2');
    assert.equal(await form.locator('#p-name input').inputValue(), 'Kubeflow');
    assert.match(await form.locator('.param[data-type="STRUCT"]').innerText(), /config\s*dict \(JSON\)/);
    // A wrong integer and broken JSON: messages at the fields, Submit off.
    await form.locator('#p-times input').fill('three');
    await form.locator('#p-config textarea').fill('{"retries": 3');
    await form.locator('#p-times-error', { hasText: 'Enter a whole number' }).waitFor({ timeout: 10_000 });
    await form.locator('#p-config-error', { hasText: 'Not valid JSON' }).waitFor();
    assert.equal(await form.locator('#submit').getAttribute('disabled'), '');
    await s!.wb.screenshot('1-form-invalid');
    await form.locator('#p-times input').fill('3');
    await form.locator('#p-config textarea').fill('{"retries": 5}');
    await form.locator('#p-name input').fill('VS Code');
    await form.locator('#p-times-error:empty').waitFor({ state: 'attached' });
    firstRunName = `hello-world from the e2e ${Date.now() % 100000}`;
    await form.locator('#run-name input').fill(firstRunName);
    await page().waitForTimeout(300);
    assert.equal(await form.locator('#submit').getAttribute('disabled'), null, await form.locator('.status').innerText());
    await s!.wb.screenshot('2-form-filled');
  });

  it('submits; the run view shows the graph with the step running, then Succeeded; the notification says so', async () => {
    const form = await frameWith('#submit');
    await form.locator('#submit').click();
    const run = await frameWith('#run-state', 90_000);
    await run.locator('[data-id="t:say-hello"]').waitFor({ timeout: 30_000 });
    // While the step's driver and pod run, the node says so.
    await run.locator('[data-id="t:say-hello"].state-running, [data-id="t:say-hello"].state-pending').first().waitFor({ timeout: 30_000 });
    assert.match(await run.locator('#run-state').innerText(), /Running|Pending/);
    await s!.wb.screenshot('3-run-running');
    await run.locator('#run-state', { hasText: 'Succeeded' }).waitFor({ timeout: 180_000 });
    await run.locator('[data-id="t:say-hello"].state-succeeded').waitFor({ timeout: 10_000 });
    assert.match(await run.locator('.run-params summary').innerText(), /name=VS Code, .*times=3/);
    // The local file is the pipeline that ran.
    await run.locator('.banner.local.same', { hasText: 'hello_world.py is this run\'s pipeline' }).waitFor({ timeout: 30_000 });
    await run.locator('[data-id="t:say-hello"]').click();
    await run.locator('.details', { hasText: 'Open Logs' }).waitFor();
    assert.match(await run.locator('.details').innerText(), /Run\s+State\s+Succeeded/i);
    await s!.wb.runCommand('Notifications: Show Notifications');
    await toast(`Pipeline run ${firstRunName} succeeded`).waitFor({ timeout: 60_000 });
    await s!.wb.screenshot('4-run-succeeded');
    await s!.wb.runCommand('Notifications: Clear All Notifications');
    await page().keyboard.press('Escape');
  });

  it('the Runs view lists it under its experiment with state and duration; the status bar counted the end', async () => {
    await s!.wb.openViewContainer('Kubeflow');
    await widenSideBar(page(), 620);
    await onlyPanes(page(), ['Runs', 'Pipelines']);
    const row = pane(page(), 'Runs').locator('.monaco-list-row', { hasText: firstRunName });
    await row.waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /Succeeded · \d+s/);
    await pane(page(), 'Runs').locator('.monaco-list-row', { hasText: 'hello-world (sample run)' }).waitFor();
    await pane(page(), 'Runs').locator('.monaco-list-row', { hasText: /^sandbox/ }).waitFor();
    await pane(page(), 'Pipelines').locator('.monaco-list-row', { hasText: 'hello-world' }).first().waitFor({ timeout: 30_000 });
    await page().locator('.statusbar-item', { hasText: /Runs/ }).first().waitFor({ timeout: 10_000 });
    await page().mouse.move(1200, 900);
    await s!.wb.screenshot('5-runs-view');
    // An uploaded version opens as a graph (its spec as a read-only document beside it).
    await pane(page(), 'Pipelines').locator('.monaco-list-row', { hasText: 'hello-world' }).first().click();
    const version = pane(page(), 'Pipelines').locator('.monaco-list-row', { hasText: 'latest' }).first();
    await version.waitFor({ timeout: 30_000 });
    await version.click();
    const graph = await frameWith('#app:not(.run-view) [data-id="t:say-hello"]', 60_000);
    await page().locator('.tab', { hasText: 'Graph: hello-world.yaml' }).waitFor({ timeout: 30_000 });
    assert.equal(await graph.locator('#submit-run').isVisible(), false, 'an uploaded version is not a local file to submit');
    await s!.wb.screenshot('5a-version-graph');
  });

  it('the file shows "Submit run…" and "Re-run with last parameters" lenses; its graph panel offers Submit Run…', async () => {
    await closeEditors();
    await page().keyboard.press('Control+P');
    await page().locator('.quick-input-widget input').fill('hello_world.py');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'hello_world.py' }).first().waitFor({ timeout: 30_000 });
    await page().keyboard.press('Enter');
    await page().locator('.codelens-decoration a', { hasText: 'Submit run…' }).first().waitFor({ timeout: 60_000 });
    await page().locator('.codelens-decoration a', { hasText: 'Re-run with last parameters' }).first().waitFor({ timeout: 30_000 });
    assert.ok(await page().locator('.codelens-decoration a', { hasText: 'Show pipeline graph' }).count(), 'next to the graph lens');
    await s!.wb.screenshot('6a-codelenses');
    await page().locator('.codelens-decoration a', { hasText: 'Show pipeline graph' }).first().click();
    const graph = await frameWith('#submit-run:not([hidden])', 90_000);
    await graph.locator('#submit-run').click();
    const form = await frameWith('#submit', 60_000);
    await form.locator('#use-last').waitFor({ timeout: 30_000 });
    await form.locator('#use-last').click();
    await form.locator('#p-name input[value="VS Code"], #p-name input').first().waitFor();
    await page().waitForTimeout(300);
    assert.equal(await form.locator('#p-name input').inputValue(), 'VS Code', 'the last run\'s values');
    await form.locator('#cancel').click();
  });

  /** Submit Pipeline Run… on steps.py with these values; resolves with the run view. */
  async function submitSteps(values: { seconds: string; failWith: string }, name: string) {
    await explorerMenu('steps.py', 'Submit Pipeline Run…', async () => Boolean(await frameWith('#p-fail_with', 90_000).catch(() => undefined)));
    const form = await frameWith('#p-fail_with');
    await form.locator('#experiment').waitFor({ timeout: 60_000 });
    await form.locator('#p-seconds input').fill(values.seconds);
    await form.locator('#p-fail_with input').fill(values.failWith);
    await form.locator('#run-name input').fill(name);
    await form.locator('#p-seconds-error:empty').waitFor({ state: 'attached' });
    await page().waitForTimeout(300);
    await form.locator('#submit').click();
    return frameWith('#run-state', 90_000);
  }

  it('a failing run: the step turns red, the notification says it failed, and its log opens at the traceback', async () => {
    await closeEditors();
    const run = await submitSteps({ seconds: '1', failWith: 'the e2e told this step to fail' }, `steps failing ${Date.now() % 100000}`);
    await run.locator('#run-state', { hasText: 'Failed' }).waitFor({ timeout: 180_000 });
    await run.locator('[data-id="t:work"].state-failed').waitFor({ timeout: 30_000 });
    await s!.wb.runCommand('Notifications: Show Notifications');
    await toast(/Pipeline run steps failing \d+ failed/).waitFor({ timeout: 60_000 });
    await s!.wb.runCommand('Notifications: Clear All Notifications');
    await page().keyboard.press('Escape');
    await run.locator('[data-id="t:work"]').click();
    await run.locator('.details vscode-button', { hasText: 'Open Logs' }).click();
    await page().locator('.editor-instance .view-line', { hasText: 'Traceback (most recent call last)' }).first().waitFor({ timeout: 60_000 });
    await page().locator('.editor-instance .view-line', { hasText: 'RuntimeError: the e2e told this step to fail' }).first().waitFor({ timeout: 10_000 });
    await s!.wb.screenshot('6-failed-step-log');
  });

  it('terminates a running run from the run view (after a confirmation)', async () => {
    await closeEditors();
    const run = await submitSteps({ seconds: '600', failWith: '' }, `steps long ${Date.now() % 100000}`);
    await run.locator('[data-id="t:work"].state-running').waitFor({ timeout: 180_000 });
    await run.locator('.run-actions vscode-button', { hasText: 'Terminate' }).click();
    await page().locator('.monaco-dialog-box .monaco-button', { hasText: 'Terminate' }).click();
    await run.locator('#run-state', { hasText: /Canceling|Canceled/ }).waitFor({ timeout: 60_000 });
    // the server took it: a canceling run offers no second Terminate
    await run.locator('.run-actions vscode-button', { hasText: 'Terminate' }).waitFor({ state: 'detached', timeout: 30_000 });
    // the step is stopped (the pod player plays Argo's SIGTERM) and the run leaves Canceling: KFP 2.17 reports a
    // terminated run with its Workflow's final phase, FAILED, so the run view ends at Failed, with Retry offered
    await run.locator('#run-state', { hasText: /^\W*Failed$/ }).waitFor({ timeout: 240_000 });
    await run.locator('.run-actions vscode-button', { hasText: 'Retry' }).waitFor({ timeout: 30_000 });
    await s!.wb.screenshot('7-terminated');
  });

  it('a .py that does not compile: the error at its line, nothing submitted', async () => {
    await closeEditors();
    const before = await runCount();
    await s!.wb.runCommand('Notifications: Show Notifications');
    await explorerMenu('syntax_error.py', 'Submit Pipeline Run…', async () => toast(/cannot submit syntax_error\.py/).waitFor({ timeout: 60_000 }).then(() => true, () => false));
    assert.match(await toast(/cannot submit syntax_error\.py/).innerText(), /SyntaxError.*line 8|line 8/s);
    await s!.wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page().locator('.markers-panel .monaco-list-row', { hasText: 'SyntaxError' }).first();
    await problem.waitFor({ timeout: 30_000 });
    assert.match(await problem.innerText(), /\[Ln 8, Col 1\]/);
    assert.equal(await runCount(), before, 'nothing was submitted');
    await s!.wb.screenshot('8-compile-error');
  });

  it('the page raised no errors from the extension or its webviews', () => {
    assert.deepEqual(s!.wb.pageErrors.filter((e) => /kubeflow|pipeline-graph|run-form/i.test(e)), []);
  });
});
