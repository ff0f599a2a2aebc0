// Models and endpoints in the editor, as a user meets them: the packaged extension in code-server against the sandbox
// cluster (real apiserver + kwok, the real KServe CRD) with the real Model Registry v0.3.8 behind Service
// kubeflow/model-registry-service (seeded: fraud-detector v1–v3 with KFP lineage, sentiment-bert, an archived
// legacy-churn, image-classifier whose version has no artifact) and the real KServe v0.20 controller in RawDeployment
// mode (test/rigs/kserve/) writing the status. Browse and search the registry, open a version's details with its
// lineage, deploy it (a bad storage URI caught with its fix, the YAML previewed, the dry run, the apply, the
// conditions up to Ready, the registry's own record of it), roll the next version on (a KServe 0.20 Standard-mode
// canary beside the stable predictor, promoted from the Endpoints view), send a test request through a forward, open
// the predictor logs; a registry that is not installed says so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { SEED_KFP_RUN_ID } from '../../rigs/model-registry/index';
import { onlyPanes, pane, screenshotOnFailure, startSandboxSession, widenSideBar, type SandboxSession, type Workbench } from './support';
import { until } from '../../support/wait';

describe('models and endpoints in the editor (UI)', function () {
  this.timeout(240_000);
  let session: SandboxSession | undefined;
  let wb: Workbench;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-models-ws-'));
  const page = () => wb.page;
  const row = (view: string, text: string | RegExp): Locator => pane(page(), view).locator('.monaco-list-row', { hasText: text }).first();
  const toast = (text: string | RegExp) => page().locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
  const showNotifications = async () => {
    if (!(await page().locator('.notifications-center.visible').isVisible().catch(() => false))) await command('Notifications: Show Notifications');
  };
  const clearNotifications = async () => {
    await command('Notifications: Clear All Notifications');
    await page().keyboard.press('Escape');
  };
  /** The shown webview that has `selector`. */
  const webviewWith = async (selector: string, timeoutMs = 60_000): Promise<FrameLocator> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const n = await page().locator('iframe.webview.ready').count();
      for (let i = n - 1; i >= 0; i--) {
        const f = wb.webview(i);
        if (await f.locator(selector).first().isVisible().catch(() => false)) return f;
      }
      await page().waitForTimeout(250);
    }
    throw new Error(`no webview shows ${selector}`);
  };
  const inline = async (r: Locator, label: string) => {
    await r.hover();
    await r.locator(`.action-label[aria-label^="${label}"]`).click();
  };
  const contextMenu = async (r: Locator, item: string) => {
    await r.click({ button: 'right' });
    const entry = page().locator('.context-view .action-label', { hasText: item }).first();
    await entry.hover();
    await entry.click();
    // Now and then a click does not reach the menu item in headless chromium; the hovered item takes Enter.
    await page().waitForTimeout(300);
    if (await page().locator('.context-view .monaco-menu').isVisible().catch(() => false)) await page().keyboard.press('Enter');
  };
  /** Runs a command from the workbench, not from inside a webview (F1 pressed in a webview's frame now and then opens
   *  the palette just to lose it to the frame again). */
  const command = async (label: string) => {
    await page().locator('.part.sidebar .composite.title').first().click();
    await wb.runCommand(label);
  };
  const quickInput = async (text: string) => {
    const input = page().locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill(text);
    await page().keyboard.press('Enter');
  };

  before(async function () {
    // The sandbox (now with the real KServe controller) and code-server: slow on a loaded machine.
    this.timeout(480_000);
    fs.mkdirSync(path.join(folder, 'requests'));
    fs.writeFileSync(path.join(folder, 'requests', 'fraud-request.json'), JSON.stringify({ instances: [[0.1, 12.5, 3, 0], [0.9, 1800, 1, 1]] }, null, 2));
    session = await startSandboxSession({ suite: 'models', folder, viewport: { width: 1600, height: 1000 } });
    wb = session.wb;
    assert.ok(session.sandbox.seededRegistry, 'the sandbox has the real Model Registry, seeded');
  });
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  after(async () => {
    await session?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('browses the registry: models → versions → artifacts; archived models hidden; a version without artifact says so', async () => {
    await wb.openViewContainer('Kubeflow');
    await widenSideBar(page(), 640);
    await onlyPanes(page(), ['Models']);
    await command('Focus on Models View');
    const fraud = row('Models', 'fraud-detector');
    await fraud.waitFor({ timeout: 60_000 });
    const names = await pane(page(), 'Models').locator('.monaco-list-row .label-name').allInnerTexts();
    assert.deepEqual([...names].sort(), ['fraud-detector', 'image-classifier', 'sentiment-bert'], 'LIVE models only');
    assert.match(await row('Models', 'sentiment-bert').innerText(), /nlp, production/);
    await fraud.click();
    await row('Models', /^v3/).waitFor({ timeout: 30_000 });
    const versions = (await pane(page(), 'Models').locator('.monaco-list-row .label-name').allInnerTexts()).filter((n) => /^v\d$/.test(n));
    assert.deepEqual(versions, ['v3', 'v2', 'v1'], 'newest first');
    assert.match(await row('Models', /^v3/).innerText(), /pipeline-runner/, 'the author');
    await row('Models', /^v3/).click();
    const artifact = row('Models', 'model.onnx');
    await artifact.waitFor({ timeout: 30_000 });
    assert.match(await artifact.innerText(), /onnx.*s3:\/\/ml-models\/fraud-detector\/v3\/model\.onnx/s);
    await row('Models', 'image-classifier').click();
    await row('Models', /^0\.1\.0/).click();
    await row('Models', 'No model artifact').waitFor({ timeout: 30_000 });
    assert.match(await row('Models', 'No model artifact').innerText(), /nothing to deploy/);
    await page().mouse.move(1200, 900);
    await wb.screenshot('models-view');
  });

  it('searches models by name; the filter shows in the view', async () => {
    await command('Kubeflow: Search Models…');
    await quickInput('BERT');
    await row('Models', 'sentiment-bert').waitFor({ timeout: 30_000 });
    const deadline = Date.now() + 20_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      names = await pane(page(), 'Models').locator('.monaco-list-row .label-name').allInnerTexts();
      if (names.length === 1) break;
      await page().waitForTimeout(200);
    }
    assert.deepEqual(names, ['sentiment-bert']);
    assert.match(await pane(page(), 'Models').locator('.pane-header').innerText(), /name contains "BERT"/i);
    await wb.screenshot('models-search');
    await command('Kubeflow: Clear Model Filter');
    await row('Models', 'fraud-detector').waitFor({ timeout: 30_000 });
  });

  it('opens a version\'s details: description, artifacts, lineage back to the pipeline run', async () => {
    await row('Models', 'fraud-detector').click();
    const v3 = row('Models', /^v3/);
    await v3.waitFor({ timeout: 30_000 });
    await inline(v3, 'Show Model Details');
    const details = await webviewWith('h1:has-text("fraud-detector · v3")');
    await details.locator('.state-live').first().waitFor();
    await details.locator('vscode-panel-tab', { hasText: 'Lineage' }).click();
    const lineage = details.locator('ol.lineage li').first();
    await lineage.waitFor({ timeout: 10_000 });
    assert.equal((await lineage.innerText()).trim(), `Pipeline run fraud-training-nightly-2026-11-26 (${SEED_KFP_RUN_ID}) of fraud-training in kubeflow-user`);
    await wb.screenshot('version-details-lineage');
    await details.locator('vscode-panel-tab', { hasText: 'Artifacts' }).click();
    await details.locator('vscode-data-grid-cell', { hasText: 's3://ml-models/fraud-detector/v3/model.onnx' }).first().waitFor({ timeout: 10_000 });
    await wb.screenshot('version-details-artifacts');
  });

  it('deploys the version: a bad storage URI is caught with its fix, the YAML is previewed, it reaches Ready', async () => {
    const details = await webviewWith('h1:has-text("fraud-detector · v3")');
    await details.locator('#deploy').click();
    const form = await webviewWith('#f-storageUri');
    const yaml = form.locator('#yaml');
    await yaml.filter({ hasText: 'storageUri: s3://ml-models/fraud-detector/v3/model.onnx' }).waitFor({ timeout: 30_000 });
    const y = await yaml.innerText();
    assert.match(y, /name: fraud-detector-v3/);
    assert.match(y, /modelFormat:\s+name: onnx/);
    assert.match(y, /modelregistry\.kubeflow\.org\/model-version-id: "4"/);
    // A MinIO URI from a pipeline: KServe cannot read it; the form says why and offers the s3:// one.
    await form.locator('#f-storageUri input').fill('minio://ml-models/fraud-detector/v3/model.onnx');
    const problem = form.locator('#p-storageUri');
    await problem.filter({ hasText: 'MinIO speaks S3' }).waitFor({ timeout: 10_000 });
    assert.ok(await form.locator('#deploy[disabled]').count(), 'Deploy is disabled while the form has a problem');
    await wb.screenshot('deploy-form-bad-uri');
    await problem.locator('vscode-link', { hasText: 'Use s3://ml-models/fraud-detector/v3/model.onnx' }).click();
    // The fix clears the problem (the empty slot stays in the page, so wait for it attached, not visible).
    await form.locator('#p-storageUri', { hasNotText: 'MinIO speaks S3' }).waitFor({ state: 'attached', timeout: 10_000 });
    await yaml.filter({ hasText: 'storageUri: s3://ml-models/fraud-detector/v3/model.onnx' }).waitFor({ timeout: 10_000 });
    await form.locator('#f-gpus input').fill('1');
    await yaml.filter({ hasText: 'nvidia.com/gpu: "1"' }).waitFor({ timeout: 10_000 });
    await wb.screenshot('deploy-form');
    // Storage credentials and no service account: Deploy waits until the credentials warning is acknowledged.
    await form.locator('#warnings li', { hasText: 'no service account is set' }).waitFor({ timeout: 10_000 });
    assert.ok(await form.locator('#deploy[disabled]').count(), 'Deploy is disabled until the warning is acknowledged');
    await form.locator('#ack-warnings').click();
    await showNotifications();
    await form.locator('#deploy:not([disabled])').click();
    await form.locator('#ready').waitFor({ timeout: 90_000 });
    assert.match(await form.locator('#ready').innerText(), /URL: http:\/\/fraud-detector-v3-kubeflow-user\.example\.com/);
    assert.ok(await form.locator('#deploy[disabled]').count(), 'Deploy is disabled once deployed, until a field changes');
    await form.locator('table.conditions td', { hasText: 'PredictorReady' }).first().waitFor();
    await toast('InferenceService fraud-detector-v3 is Ready').waitFor({ timeout: 30_000 });
    await wb.screenshot('deploy-ready');
    await clearNotifications();
  });

  it('the registry records the deployment as serving the version, and the details panel reads it back', async () => {
    const sb = session!.sandbox;
    const v3 = sb.seededRegistry.versions['fraud-detector']!.v3!;
    // the real server's own records (inference_services), read past the extension
    const record = await until('the registry\'s record of fraud-detector-v3', 60_000, async () => {
      const list = (await (await fetch(`${sb.modelRegistry.apiBase}/inference_services`)).json()) as { items: Array<{ name?: string; modelVersionId?: string; desiredState?: string; servingEnvironmentId: string }> };
      return list.items.find((i) => i.name === 'fraud-detector-v3');
    }, 500);
    assert.deepEqual([record.modelVersionId, record.desiredState, record.servingEnvironmentId], [v3, 'DEPLOYED', sb.seededRegistry.servingEnvironment]);
    // the details panel is behind the deploy form: show it again from the view
    await onlyPanes(page(), ['Models']);
    await command('Focus on Models View');
    const v3row = row('Models', /^v3/);
    await v3row.waitFor({ timeout: 30_000 });
    await inline(v3row, 'Show Model Details');
    const details = await webviewWith('h1:has-text("fraud-detector · v3")');
    await details.locator('vscode-panel-tab', { hasText: 'Deployments' }).click();
    await details.locator('vscode-data-grid-cell', { hasText: /Ready.*in the registry: DEPLOYED/ }).first().waitFor({ timeout: 60_000 });
    // the seed's record of an earlier service that the cluster does not run
    await details.locator('vscode-data-grid-cell', { hasText: 'In the registry: DEPLOYED (not in the cluster)' }).first().waitFor({ timeout: 10_000 });
    await wb.screenshot('version-details-deployments');
  });

  it('lists the endpoint as Ready with its URL and the registry version it serves', async () => {
    await onlyPanes(page(), ['Endpoints']);
    await command('Focus on Endpoints View');
    const isvc = row('Endpoints', 'fraud-detector-v3');
    await isvc.waitFor({ timeout: 60_000 });
    assert.match(await isvc.innerText(), /Ready · onnx · 1 GPU/);
    await isvc.click();
    await row('Endpoints', 'http://fraud-detector-v3-kubeflow-user.example.com').waitFor({ timeout: 30_000 });
    await row('Endpoints', /^RawDeployment.*Deployment fraud-detector-v3-predictor/).waitFor({ timeout: 30_000 });
    await row('Endpoints', 'Serves fraud-detector v3').waitFor({ timeout: 30_000 });
    await page().mouse.move(1200, 900);
    await wb.screenshot('endpoints-ready');
  });

  it('rolls the next version onto the endpoint as a KServe 0.20 Standard-mode canary, then promotes it', async () => {
    await onlyPanes(page(), ['Models', 'Endpoints']);
    await command('Focus on Models View');
    const v2 = row('Models', /^v2/);
    await v2.waitFor({ timeout: 30_000 });
    await inline(v2, 'Deploy to KServe');
    const form = await webviewWith('h1:has-text("Deploy fraud-detector v2")');
    // The model already has an endpoint here, in Standard (RawDeployment) mode; KServe 0.20's CRD has spec.canary
    // (the form's strict dry run says so): the new version is offered as a canary with 10%.
    await form.locator('#changes li', { hasText: 'Standard-mode canary (KServe 0.20): the new version runs in its own Deployment and gets 10% of the traffic' }).waitFor({ timeout: 30_000 });
    assert.match(await form.locator('#changes').innerText(), /Storage URI: s3:\/\/ml-models\/fraud-detector\/v3\/model\.onnx → s3:\/\/ml-models\/fraud-detector\/v2\/model\.joblib/);
    assert.match(await form.locator('#yaml').innerText(), /canary:[\s\S]*name: v2[\s\S]*trafficPercent: 10/);
    await form.locator('#f-modelFormat').click();
    await form.locator('vscode-option', { hasText: 'scikit-learn (sklearn)' }).click();
    await form.locator('#yaml').filter({ hasText: 'name: sklearn' }).waitFor({ timeout: 10_000 });
    await wb.screenshot('deploy-update-form');
    await form.locator('#ack-warnings').click();
    await form.locator('#deploy:not([disabled])', { hasText: 'Update fraud-detector-v3' }).click();
    await form.locator('#ready').waitFor({ timeout: 120_000 });
    await clearNotifications();

    await command('Focus on Endpoints View');
    const isvc = row('Endpoints', 'fraud-detector-v3');
    await isvc.filter({ hasText: /canary 10% latest \/ 90% previous/ }).waitFor({ timeout: 60_000 });
    await row('Endpoints', /^Canary v2/).waitFor({ timeout: 60_000 });
    await page().mouse.move(1200, 900);
    await wb.screenshot('endpoints-standard-canary');

    // Promote: the stable predictor takes the canary's name and model; its Deployment serves on.
    await contextMenu(isvc, 'Promote Canary');
    await isvc.filter({ hasText: /Ready · sklearn/ }).waitFor({ timeout: 120_000 });
    await row('Endpoints', /^RawDeployment.*Deployment fraud-detector-v3-v2-predictor/).waitFor({ timeout: 120_000 });
    await row('Endpoints', 'Serves fraud-detector v2').waitFor({ timeout: 30_000 });
    await page().mouse.move(1200, 900);
    await wb.screenshot('endpoints-updated');
    await clearNotifications();
  });

  it('sends a test request through a forward (body from a file, answer in an editor); opens the predictor logs', async () => {
    const isvc = row('Endpoints', 'fraud-detector-v3');
    await inline(isvc, 'Send Test Request');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'fraud-request.json' }).first().click();
    const pathInput = page().locator('.quick-input-widget input');
    const deadline = Date.now() + 30_000;
    while ((await pathInput.inputValue().catch(() => '')) !== '/v1/models/fraud-detector-v3:predict' && Date.now() < deadline) await page().waitForTimeout(200);
    assert.equal(await pathInput.inputValue(), '/v1/models/fraud-detector-v3:predict', 'the v1 path (the body has "instances")');
    await pathInput.press('Enter');
    const response = page().locator('.editor-instance .view-line', { hasText: '"predictions"' }).first();
    await response.waitFor({ timeout: 60_000 });
    // Monaco renders spaces as no-break spaces.
    const text = (await page().locator('.editor-instance .view-lines').filter({ visible: true }).first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /POST \/v1\/models\/fraud-detector-v3:predict → 200 in \d+ ms/);
    // the canary v2 promoted above is the stable predictor now: its Deployment is {isvc}-v2-predictor
    const pod = /, pod (fraud-detector-v3-v2-predictor-[a-z0-9]+-[a-z0-9]+)/.exec(text)?.[1];
    assert.ok(pod, `a pod of the predictor's Deployment answered: ${text}`);
    await wb.screenshot('test-request-response');
    const sent = session!.sandbox.kserve.requests.at(-1);
    assert.deepEqual(sent?.body, { instances: [[0.1, 12.5, 3, 0], [0.9, 1800, 1, 1]] });
    assert.equal(sent?.pod, pod, 'the model server of that pod got the body');

    await inline(isvc, 'Open Predictor Logs');
    await page().locator('.editor-instance .view-line', { hasText: 'Uvicorn running on http://0.0.0.0:8080' }).first().waitFor({ timeout: 60_000 });
    await wb.screenshot('predictor-logs');
  });

  it('registers a new version from an artifact URI; the model\'s details list it; archive and restore', async () => {
    await command('View: Close All Editors');
    await onlyPanes(page(), ['Models']);
    await command('Focus on Models View');
    const fraud = row('Models', /^fraud-detector/);
    await fraud.waitFor({ timeout: 30_000 });
    await showNotifications();
    await inline(fraud, 'Register New Model Version');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'Artifact URI' }).first().click();
    // A URI KServe could not read is a warning (it can still be registered); not a URI at all is an error.
    const input = page().locator('.quick-input-widget input');
    await input.fill('/tmp/model.joblib');
    await page().locator('.quick-input-message', { hasText: 'local path' }).waitFor({ timeout: 10_000 });
    await input.fill('minio://ml-models/fraud-detector/v4/model.joblib');
    await page().locator('.quick-input-message', { hasText: 'KServe could not deploy it' }).waitFor({ timeout: 10_000 });
    await input.fill('s3://ml-models/fraud-detector/v4/model.joblib');
    await page().keyboard.press('Enter');
    // Version name: the next one after v1..v3.
    const deadline = Date.now() + 20_000;
    while ((await input.inputValue().catch(() => '')) !== 'v4' && Date.now() < deadline) await page().waitForTimeout(200);
    assert.equal(await input.inputValue(), 'v4');
    await page().keyboard.press('Enter');
    // The format guessed from the file name comes first.
    const first = page().locator('.quick-input-list .monaco-list-row').first();
    await first.filter({ hasText: 'sklearn' }).waitFor({ timeout: 10_000 });
    await page().keyboard.press('Enter');
    await quickInput('Retrained on November data');
    await toast('Registered fraud-detector version v4').waitFor({ timeout: 30_000 });
    await row('Models', /^v4/).waitFor({ timeout: 30_000 });
    await wb.screenshot('registered-new-version');
    await clearNotifications();

    await inline(fraud, 'Show Model Details');
    const details = await webviewWith('h1:has-text("fraud-detector")');
    await details.locator('vscode-panel-tab', { hasText: 'Versions (4)' }).click();
    await details.locator('vscode-data-grid-cell', { hasText: 's3://ml-models/fraud-detector/v4/model.joblib' }).first().waitFor({ timeout: 10_000 });
    await wb.screenshot('model-details-versions');

    const v1 = row('Models', /^v1/);
    await contextMenu(v1, 'Archive');
    const dialog = page().locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.locator('.monaco-button', { hasText: /^Archive$/ }).click();
    await row('Models', /^v1.*archived/).waitFor({ timeout: 30_000 });
    await contextMenu(row('Models', /^v1/), 'Restore');
    await row('Models', /^v1/).filter({ hasNotText: 'archived' }).waitFor({ timeout: 30_000 });
  });

  it('a registry that is not installed where the settings point: the view says so and how to fix it', async () => {
    await command('View: Close All Editors');
    await onlyPanes(page(), ['Models']);
    // The picker offers the Services labelled component=model-registry it finds in the cluster.
    await command('Kubeflow: Select Model Registry…');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: 'found in the cluster' }).first().waitFor({ timeout: 30_000 });
    const items = await page().locator('.quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(items.some((t) => /Kubeflow Model Registry/.test(t)), `the labelled Service is offered by its displayName: ${items.join(' | ')}`);
    await page().keyboard.press('Escape');
    const setNamespace = async (value: string) => {
      await command('Preferences: Open Settings (UI)');
      await page().locator('.settings-editor .search-container').waitFor({ timeout: 30_000 });
      await page().keyboard.type('kubeflow.modelRegistry.namespace');
      const input = page().locator('.settings-editor .setting-item-contents', { hasText: 'Namespace of the Kubeflow Model Registry Service' }).locator('input').first();
      await input.waitFor({ timeout: 30_000 });
      await input.fill(value);
      await input.press('Tab');
      await page().waitForTimeout(500);
      await command('View: Close All Editors');
    };
    await setNamespace('ml-platform');
    await command('Focus on Models View');
    const message = pane(page(), 'Models').locator('.message', { hasText: 'was not found' });
    await message.waitFor({ timeout: 60_000 });
    assert.match(await message.innerText(), /service model-registry-service in namespace ml-platform was not found\. Is it installed in this cluster\?.*kubeflow\.modelRegistry\.namespace/s);
    await row('Models', 'Select Model Registry…').waitFor();
    await page().mouse.move(1200, 900);
    await wb.screenshot('registry-not-installed');
    await setNamespace('kubeflow');
    await command('Focus on Models View');
    await row('Models', 'fraud-detector').waitFor({ timeout: 60_000 });
  });

  it('a registry whose database refuses: the view names the database, not a missing model', async () => {
    await onlyPanes(page(), ['Models']);
    await command('Focus on Models View');
    await row('Models', 'fraud-detector').waitFor({ timeout: 60_000 });
    await session!.sandbox.modelRegistry.stopDatabase();
    await command('Kubeflow: Refresh Models');
    const message = pane(page(), 'Models').locator('.message', { hasText: 'cannot use its database' });
    await message.waitFor({ timeout: 60_000 });
    assert.match(await message.innerText(), /The Model Registry cannot use its database, so it cannot answer \(its health check: .*connection refused\)/s);
    await page().mouse.move(1200, 900);
    await wb.screenshot('registry-database-refuses');
  });

  it('raised no uncaught page errors from the extension or its webviews', () => {
    assert.deepEqual(wb.pageErrors.filter((e) => /kubeflow|webview/i.test(e)), []);
  });
});
