// What runs produced, in real VS Code (the packaged .vsix in code-server, chromium): the sandbox's classifier pipeline
// ran for real on its KFP stack (learning rate 0.1), and a second run (0.05: other accuracy, prep taken from KFP's
// cache) runs here; their driver and launcher recorded the executions and artifacts in MLMD (the real ml-metadata
// library behind Service kubeflow/metadata-grpc-service, reached through the daemon's port-forward). Runs view →
// Show Run Outputs: per task parameters and artifacts, the metrics table, the confusion matrix heat map and the ROC
// curve; two runs selected → Compare Runs: the differing parameter and metric marked, both ROC curves, the task whose
// cache use differs; Choose Run Metric Columns → accuracy in each run's row (– for hello-world, which logs none), Sort
// Runs by accuracy ascending → the runs in that order, the runless-metric one last. Screenshots:
// test-output/screenshots/run-outputs/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { CLASSIFIER_RUN, createRun, SAMPLE_RUN } from '../../rigs/kfp-stack/seed';
import { onlyPanes, pane, screenshotOnFailure, startSandboxSession, widenSideBar, type SandboxSession } from './support';

const SECOND = 'classifier (lr 0.05)';

describe('run outputs and comparison (UI, packaged .vsix in code-server)', function () {
  // the whole sandbox (kube rig with controllers, Notebook controller, Model Registry, the real KFP stack, MLMD) starts first
  this.timeout(600_000);
  let s: SandboxSession | undefined;
  const page = () => s!.wb.page;
  // the workspace the folder artifact is downloaded into
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-outputs-ws-'));

  async function frameWith(selector: string, timeout = 60_000): Promise<FrameLocator> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const n = await page().locator('iframe.webview.ready').count();
      for (let i = n - 1; i >= 0; i--) {
        const f = s!.wb.webview(i);
        if (await f.locator(selector).count().catch(() => 0)) return f;
      }
      await page().waitForTimeout(300);
    }
    throw new Error(`no webview shows ${selector}`);
  }

  async function rowMenu(row: ReturnType<ReturnType<typeof page>['locator']>, entry: string, done: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 6; attempt++) {
      await row.click({ button: 'right' });
      const e = page().locator('.context-view .action-label', { hasText: entry });
      if (await e.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) {
        await e.hover();
        await e.click();
        if (await done()) return;
      }
      await page().keyboard.press('Escape');
      await page().waitForTimeout(500);
    }
    const toasts = await page().locator('.notifications-toasts .notification-list-item-message').allInnerTexts().catch(() => []);
    throw new Error(`the menu entry ${entry} did nothing${toasts.length ? `; notifications: ${toasts.join(' | ')}` : ''}`);
  }

  before(async function () {
    s = await startSandboxSession({
      suite: 'run-outputs',
      folder,
      viewport: { width: 1600, height: 1100 },
      prepare: async (sb) => {
        const id = await createRun(sb.kfp.url, { name: SECOND, experimentId: sb.seededKfp.experimentId, pipeline: sb.seededKfp.classifier, parameters: { learning_rate: 0.05 } });
        const done = await sb.pipelines.waitForRun(id);
        assert.equal(done.state, 'SUCCEEDED', JSON.stringify(done));
      },
    });
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.wb);
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('Show Run Outputs: per task parameters and artifacts, the metrics table, the confusion matrix heat map and the ROC curve', async () => {
    await s!.wb.openViewContainer('Kubeflow');
    await widenSideBar(page(), 520);
    await onlyPanes(page(), ['Runs']);
    const row = pane(page(), 'Runs').locator('.monaco-list-row', { hasText: CLASSIFIER_RUN });
    await row.waitFor({ timeout: 90_000 });
    let f: FrameLocator | undefined;
    await rowMenu(row, 'Show Run Outputs', async () => {
      f = await frameWith('section.task[data-task="train"]', 60_000).catch(() => undefined);
      return Boolean(f);
    });
    const train = f!.locator('section.task[data-task="train"]');
    await train.locator('.artifact[data-artifact] .type', { hasText: 'system.ClassificationMetrics' }).waitFor();
    const text = await train.innerText();
    assert.match(text, /learning_rate\s+0\.1/);
    // where KFP 2.17's launcher put it: <pipeline root>/<pipeline>/<run id>/<task>/<execution uuid>/<output>
    assert.match(text, new RegExp(`minio://mlpipeline/v2/artifacts/classifier/${s!.sandbox.seededKfp.classifier.runId}/train/[0-9a-f-]+/model`));
    assert.match(text, /accuracy\s+0\.9/);
    assert.equal(await train.locator('svg.heatmap rect.cell').count(), 9);
    assert.deepEqual(await train.locator('svg.heatmap text.value').allTextContents(), ['7', '3', '0', '0', '10', '0', '0', '0', '10']);
    assert.equal(await train.locator('svg.plot polyline.curve').count(), 1);
    await f!.locator('section.task[data-task="report"] .type', { hasText: 'system.HTML' }).waitFor();
    await train.locator('svg.heatmap').scrollIntoViewIfNeeded();
    await s!.wb.screenshot('1-run-outputs');
  });

  it('a folder artifact (the saved Model): Open picks one of its files into an editor; Download writes the folder into the workspace', async () => {
    const f = await frameWith('section.task[data-task="train"]');
    const model = f.locator('section.task[data-task="train"] .artifact', { has: f.locator('.type', { hasText: 'system.Model' }) });
    await model.locator('vscode-button, button', { hasText: /^Open$/ }).click();
    const rows = page().locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const title = page().locator('.quick-input-widget .quick-input-title', { hasText: 'model: a folder of 2 files' });
    const toast = page().locator('.notifications-toasts .notification-list-item');
    await Promise.race([title.waitFor({ timeout: 60_000 }), toast.first().waitFor({ timeout: 60_000 })]);
    assert.ok(await title.isVisible(), `no pick of the folder's files; the editor says: ${(await toast.allInnerTexts()).join(' | ')}`);
    // each file with its size, as the store lists it
    assert.deepEqual((await rows.allInnerTexts()).map((t) => /^(\S+?)\s*(\d+ B)$/.exec(t.trim())?.slice(1)).sort(), [['params.json', '35 B'], ['weights.txt', '19 B']]);
    await rows.filter({ hasText: 'params.json' }).click();
    const editor = page().locator('.editor-instance .view-lines', { hasText: 'learning_rate' });
    await editor.waitFor({ timeout: 30_000 });
    assert.match(await editor.innerText(), /"learning_rate":\s*0\.1,\s*"epochs":\s*3/);
    // a read-only document named after the file, not an unsaved one that asks to be saved when closed
    const tab = page().locator('.tabs-container .tab', { hasText: 'params.json' });
    await tab.waitFor({ timeout: 10_000 });
    assert.equal(await tab.evaluate((e) => e.classList.contains('dirty')), false);
    await s!.wb.screenshot('1a-folder-file-open');

    // back to the panel: Download… asks for the parent folder (the workspace by default) and writes model/ there
    await page().locator('.tab', { hasText: 'Outputs: ' }).click();
    const again = await frameWith('section.task[data-task="train"]');
    const modelAgain = again.locator('section.task[data-task="train"] .artifact', { has: again.locator('.type', { hasText: 'system.Model' }) });
    await modelAgain.locator('vscode-button, button', { hasText: /^Download/ }).click();
    // VS Code's simple file dialog, opened at the default: the workspace folder; the user takes it
    const input = page().locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    const deadlineInput = Date.now() + 30_000;
    while (!(await input.inputValue()).includes(path.basename(folder)) && Date.now() < deadlineInput) await page().waitForTimeout(200);
    assert.match(await input.inputValue(), new RegExp(`${path.basename(folder)}/?$`), 'the dialog starts at the workspace folder');
    await page().locator('.quick-input-widget .monaco-button', { hasText: 'Download here' }).click();
    const weights = path.join(folder, 'model', 'weights.txt');
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(weights) && fs.existsSync(path.join(folder, 'model', 'params.json'))) && Date.now() < deadline) await page().waitForTimeout(300);
    assert.equal(fs.readFileSync(weights, 'utf8'), 'weights for lr=0.1\n');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(folder, 'model', 'params.json'), 'utf8')), { learning_rate: 0.1, epochs: 3 });
    await s!.wb.screenshot('1b-folder-downloaded');
  });

  it('Compare Runs on two selected runs: the differing parameter and metric marked, both ROC curves, the task whose cache use differs', async () => {
    await s!.wb.runCommand('View: Close All Editors');
    const first = pane(page(), 'Runs').locator('.monaco-list-row', { hasText: CLASSIFIER_RUN });
    const second = pane(page(), 'Runs').locator('.monaco-list-row', { hasText: SECOND });
    await second.waitFor({ timeout: 60_000 });
    // multi-select: click one, Ctrl+click the other, then the context menu of the selection
    await first.click();
    await second.click({ modifiers: ['Control'] });
    await page().locator('.part.sidebar .monaco-list-row.selected', { hasText: SECOND }).waitFor({ timeout: 10_000 });
    assert.equal(await pane(page(), 'Runs').locator('.monaco-list-row.selected').count(), 2);
    let f: FrameLocator | undefined;
    await rowMenu(second, 'Compare Runs', async () => {
      f = await frameWith('h1', 20_000).catch(() => undefined);
      return Boolean(f && /Compare 2 runs/.test(await f.locator('h1').innerText()));
    });
    const text = await f!.locator('.outputs-app').innerText();
    assert.match(text, /≠ learning_rate\t0\.1\t0\.05/);
    assert.match(text, /≠ train\.accuracy/);
    // prep (and report, which reads only its Dataset) have the same inputs: the second run took them from KFP's cache
    assert.match(text, /≠ prep\tComplete\tCached/);
    assert.equal(await f!.locator('svg.plot polyline.curve').count(), 2);
    await s!.wb.screenshot('2-compare-runs');
  });

  it('metric columns: the chosen MLMD metric in each ended run\'s row, and Sort Runs by it ascending, the run without it last', async () => {
    await s!.wb.runCommand('View: Close All Editors');
    const runs = pane(page(), 'Runs');
    await s!.wb.runCommand('Kubeflow: Choose Run Metric Columns…');
    // a multi-pick of the metrics the listed runs logged: check accuracy only
    const accuracy = page().locator('.quick-input-list .monaco-list-row', { hasText: 'accuracy' });
    await accuracy.waitFor({ timeout: 90_000 });
    assert.equal(await page().locator('.quick-input-list .monaco-list-row', { hasText: 'loss' }).count(), 1, 'loss is offered too');
    await accuracy.click();
    await page().keyboard.press('Enter');
    // lr 0.1 → accuracy 0.9, lr 0.05 → 0.8 (the classifier's train step); hello-world logs no metrics
    await runs.locator('.monaco-list-row', { hasText: CLASSIFIER_RUN }).filter({ hasText: 'accuracy 0.9' }).waitFor({ timeout: 90_000 });
    await runs.locator('.monaco-list-row', { hasText: SECOND }).filter({ hasText: 'accuracy 0.8' }).waitFor({ timeout: 90_000 });
    await runs.locator('.monaco-list-row', { hasText: SAMPLE_RUN }).filter({ hasText: 'accuracy –' }).waitFor({ timeout: 90_000 });
    await s!.wb.runCommand('Kubeflow: Sort Runs by…');
    await page().locator('.quick-input-widget input').fill('accuracy ascending');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'accuracy ascending' }).first().waitFor({ timeout: 60_000 });
    await page().keyboard.press('Enter');
    await runs.locator('.pane-header', { hasText: 'sorted by accuracy ↑' }).waitFor({ timeout: 30_000 });
    const order = async () => {
      const texts = await runs.locator('.monaco-list-row').allInnerTexts();
      return [SECOND, CLASSIFIER_RUN, SAMPLE_RUN].map((n) => texts.findIndex((t) => t.includes(n)));
    };
    const deadline = Date.now() + 30_000;
    let seen = await order();
    while (!(seen[0]! >= 0 && seen[0]! < seen[1]! && seen[1]! < seen[2]!) && Date.now() < deadline) {
      await page().waitForTimeout(300);
      seen = await order();
    }
    assert.ok(seen[0]! >= 0 && seen[0]! < seen[1]! && seen[1]! < seen[2]!, `rows in order lr 0.05, lr 0.1, hello-world: ${JSON.stringify(seen)}`);
    await s!.wb.screenshot('3-metric-columns');
  });

  it('Show Lineage on a run: the Lineage view chains the run to its Model artifact, which is not registered yet', async () => {
    await s!.wb.runCommand('View: Close All Editors');
    await s!.wb.openViewContainer('Kubeflow');
    await widenSideBar(page(), 520);
    await onlyPanes(page(), ['Runs']);
    const first = pane(page(), 'Runs').locator('.monaco-list-row', { hasText: CLASSIFIER_RUN });
    await first.waitFor({ timeout: 90_000 });
    const lineage = () => pane(page(), 'Lineage').locator('.monaco-list-row');
    // the comparison left two runs selected, and Show Lineage is for one run: select this one alone
    await first.click();
    await rowMenu(first, 'Show Lineage', async () => lineage().filter({ hasText: 'train.model' }).waitFor({ timeout: 60_000 }).then(() => true, () => false));
    // label and description as the tree shows them (innerText runs them together: compared without spaces)
    const rows = (await lineage().allInnerTexts()).map((t) => t.replace(/\s+/g, ''));
    const expected = [`${CLASSIFIER_RUN} (${s!.sandbox.seededKfp.classifier.runId}) pipeline run`, 'train.model Model artifact', 'not registered'];
    assert.deepEqual(rows, expected.map((t) => t.replace(/\s+/g, '')));
    await s!.wb.screenshot('4-lineage');
  });

  it('the run view\'s Outputs button opens what that run produced', async () => {
    await s!.wb.runCommand('View: Close All Editors');
    const row = pane(page(), 'Runs').locator('.monaco-list-row', { hasText: CLASSIFIER_RUN });
    // a click on a run opens its run view
    await row.click();
    const view = await frameWith('#run-state');
    await view.locator('#run-state', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    await view.locator('.run-actions vscode-button', { hasText: 'Outputs' }).click();
    const f = await frameWith('section.task[data-task="train"] .artifact[data-artifact]');
    assert.match(await f.locator('section.task[data-task="train"]').innerText(), new RegExp(`classifier/${s!.sandbox.seededKfp.classifier.runId}/train/`), 'the outputs of the run shown in the view');
    await page().locator('.tab', { hasText: `Outputs: ${CLASSIFIER_RUN}` }).waitFor({ timeout: 10_000 });
    await s!.wb.screenshot('5-run-view-outputs');
  });
});
