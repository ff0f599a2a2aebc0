// The cluster-backed panels after "Developer: Reload Window" in real VS Code (packaged .vsix in code-server, the
// sandbox: KFP API and Model Registry stand-ins behind daemon port-forwards): the run view comes back following its
// run, the model details panel on its version, and the deploy form with a value typed but not deployed (issue 22.1).
// Screenshots: test-output/screenshots/panels-restore-cluster/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { onlyPanes, pane, screenshotOnFailure, startSandboxSession, webviewWith, widenSideBar, type SandboxSession } from './support';

describe('cluster panels come back after a window reload (UI, packaged .vsix in code-server)', function () {
  this.timeout(300_000);
  let s: SandboxSession | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-restore-cluster-ws-'));
  const page = () => s!.wb.page;
  const row = (view: string, text: string | RegExp): Locator => pane(page(), view).locator('.monaco-list-row', { hasText: text }).first();
  const command = async (label: string) => {
    await page().locator('.part.sidebar .composite.title').first().click();
    await s!.wb.runCommand(label);
  };

  const frameWith = (selector: string, timeout = 90_000) => webviewWith(s!.wb, selector, timeout);

  before(async () => {
    s = await startSandboxSession({ suite: 'panels-restore-cluster', folder, viewport: { width: 1600, height: 1000 } });
    assert.ok(s.sandbox.seededKfp && s.sandbox.seededRegistry, 'the sandbox has the KFP and Model Registry rigs (needs ../shared)');
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.wb);
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('opens the sample run, a model version\'s details and its deploy form with a changed field; reloads the window', async () => {
    await s!.wb.openViewContainer('Kubeflow');
    await widenSideBar(page(), 620);
    await onlyPanes(page(), ['Runs', 'Models']);
    const run = row('Runs', 'hello-world (sample run)');
    await run.waitFor({ timeout: 90_000 });
    await run.click();
    await frameWith('#app.run-view [data-id="t:say-hello"]');
    await page().locator('.tab', { hasText: 'Run: hello-world (sample run)' }).waitFor({ timeout: 30_000 });

    await row('Models', 'fraud-detector').click();
    const v3 = row('Models', /^v3/);
    await v3.waitFor({ timeout: 60_000 });
    await v3.hover();
    await v3.locator('.action-label[aria-label^="Show Model Details"]').click();
    const details = await frameWith('h1:has-text("fraud-detector · v3")');
    await details.locator('#deploy').click();
    const form = await frameWith('#f-storageUri');
    await form.locator('#yaml').filter({ hasText: 'name: fraud-detector-v3' }).waitFor({ timeout: 30_000 });
    await form.locator('#f-memory input').fill('3Gi');
    await form.locator('#yaml').filter({ hasText: 'memory: 3Gi' }).waitFor({ timeout: 10_000 });
    await s!.wb.screenshot('1-before-reload');

    const loaded = page().waitForEvent('load', { timeout: 120_000 });
    await command('Developer: Reload Window');
    await loaded;
    await page().waitForFunction(() => typeof (globalThis as unknown as { driver?: unknown }).driver === 'object', null, { timeout: 60_000 });
    await page().evaluate(() => (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored());
  });

  it('the deploy form is back with the value typed', async () => {
    await page().locator('.tab', { hasText: 'Deploy fraud-detector v3' }).first().click({ timeout: 60_000 });
    const form = await frameWith('#f-memory');
    await form.locator('#yaml').filter({ hasText: 'memory: 3Gi' }).waitFor({ timeout: 60_000 });
    assert.equal(await form.locator('#f-memory input').inputValue(), '3Gi');
    await s!.wb.screenshot('2-deploy-after-reload');
  });

  it('the model details panel is back on its version', async () => {
    await page().locator('.tab', { hasText: 'fraud-detector v3' }).filter({ hasNotText: 'Deploy' }).first().click({ timeout: 60_000 });
    await frameWith('h1:has-text("fraud-detector · v3")');
    await s!.wb.screenshot('3-details-after-reload');
  });

  it('the run view is back, following its run', async () => {
    await page().locator('.tab', { hasText: 'Run: hello-world (sample run)' }).first().click({ timeout: 60_000 });
    const g = await frameWith('#app.run-view [data-id="t:say-hello"]');
    await g.locator('.runbar:not([hidden])').waitFor({ timeout: 60_000 });
    await s!.wb.screenshot('4-run-after-reload');
  });

  it('raised no uncaught page errors from the extension or its webviews', () => {
    assert.deepEqual(s!.wb.pageErrors.filter((e) => /kubeflow|webview/i.test(e)), []);
  });
});
