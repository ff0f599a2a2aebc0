// Health in the editor, as a user meets it: the packaged extension in code-server against the sandbox, with the real
// Prometheus (test/rigs/prometheus) exposed as Service monitoring/prometheus-k8s, scraping test-side exporters that
// emit NVIDIA DCGM series for the sandbox PyTorchJob's pods (its workers nearly idle). The extension finds Prometheus
// in the cluster on its own and reaches it through a daemon port-forward: Show GPU Use on the job shows utilization
// per replica, GPU-hours and the idle hint; a Prometheus query that breaks says so in the panel.
// Endpoints: `fraud` runs a 10% canary in Serverless mode, which cannot run here (no Knative): the real KServe
// controller rejects the mode once (TerminalError, no requeue) and the test then writes the status KServe writes for
// a Serverless canary (revisions 00001 at 90%, 00002 at 10%) on the status subresource — a TEST-SIDE stand-in named in
// test/rigs/README.md. The exporters emit Knative series where the canary revision breaches the SLO: the view says so
// at once with Roll Back, the panel shows the gate's verdict, Promote is refused (canaryGate = refuse) and Roll Back
// patches the service. `iris` is a real RawDeployment endpoint whose predictor pod the model-server series name.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { startExporters, type Exporters } from '../../rigs/prometheus/exporters';
import { startPrometheus, type PrometheusRig } from '../../rigs/prometheus/index';
import { setStatus, v1Conditions } from '../../rigs/training';
import { until } from '../../support/wait';
import { onlyPanes, pane, screenshotOnFailure, startSandboxSession, widenSideBar, type SandboxSession, type Workbench } from './support';

describe('health from Prometheus in the editor (UI)', function () {
  this.timeout(240_000);
  let session: SandboxSession | undefined;
  let wb: Workbench;
  let exp: Exporters | undefined;
  let prom: PrometheusRig | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-health-ws-'));
  const row = (view: string, text: string | RegExp): Locator => pane(wb.page, view).locator('.monaco-list-row', { hasText: text }).first();
  const webviewWith = async (selector: string, text: RegExp, timeoutMs = 90_000): Promise<FrameLocator> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const n = await wb.page.locator('iframe.webview.ready').count();
      for (let i = n - 1; i >= 0; i--) {
        const f = wb.webview(i);
        const el = f.locator(selector).first();
        if ((await el.isVisible().catch(() => false)) && text.test(await el.innerText().catch(() => ''))) return f;
      }
      await wb.page.waitForTimeout(500);
    }
    throw new Error(`no webview shows ${selector} with ${String(text)}`);
  };

  /** Changes a workspace setting the way editing .vscode/settings.json does (VS Code watches the file). */
  const setWorkspaceSetting = (key: string, value: unknown): void => {
    const file = path.join(folder, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const now = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(file, JSON.stringify({ ...now, [key]: value }, null, 2));
  };

  let kubectl: (args: string[]) => Promise<string>;
  let namespace = '';
  const STABLE = 'fraud-predictor-00001';
  const CANARY = 'fraud-predictor-00002';
  const isvc = (name: string, mode: string, extra: object = {}, annotations: Record<string, string> = {}) => ({
    apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService',
    metadata: { name, namespace, annotations: { 'serving.kserve.io/deploymentMode': mode, ...annotations } },
    spec: { predictor: { model: { modelFormat: { name: 'sklearn' }, storageUri: `s3://models/${name}/v2`, resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } } }, ...extra } },
  });

  before(async () => {
    session = await startSandboxSession({
      suite: 'health', folder, viewport: { width: 1600, height: 1000 },
      // a 30 s rate window: rates of series a minute old are whole
      settings: { 'kubeflow.health.canaryGate': 'refuse', 'kubeflow.health.window': '30s', 'kubeflow.health.prices': { cpuHour: 0.05, gpuHour: 2.5, currency: 'USD' } },
      prepare: async ({ rig, namespace: ns, job }) => {
        namespace = ns;
        kubectl = (args) => rig.kubectl(['-n', ns, ...args]);
        await setStatus(rig, 'pytorchjob', ns, job, { conditions: v1Conditions('PyTorchJob', job, 'Running'), startTime: new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
        // the master computes; the three workers wait on their input pipeline (DCGM names them by pod)
        const util: Record<string, number> = { 'master-0': 46, 'worker-0': 9, 'worker-1': 11, 'worker-2': 7 };
        exp = await startExporters({
          gpus: Object.entries(util).map(([r, u]) => ({ namespace: ns, pod: `${job}-${r}`, gpu: 0, util: u, memoryMiB: 18_000 + u * 100, labels: r === 'worker-2' ? 'exported' : 'plain' })),
          // the canary answers one request in five with a 503, in 420 ms: over the SLO below
          revisions: [
            { namespace: ns, revision: STABLE, rps: 40, errorRatio: 0.005, latencyMs: 120 },
            { namespace: ns, revision: CANARY, rps: 10, errorRatio: 0.2, latencyMs: 420 },
          ],
        });
        prom = await startPrometheus({ targets: [exp.target], kube: rig });
        await rig.apply([
          isvc('fraud', 'Serverless', { canaryTrafficPercent: 10 }, { 'kubeflow-vscode/slo': JSON.stringify({ availability: 0.99, latencyP95Ms: 300 }) }),
          isvc('iris', 'RawDeployment'),
        ]);
        // KServe rejects Serverless without Knative once (it writes the mode and stops); then the status a Serverless canary has
        await until('KServe to have looked at fraud', 90_000, async () => (await kubectl(['get', 'inferenceservice', 'fraud', '-o', 'jsonpath={.status.deploymentMode}'])).trim() !== '', 500);
        const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const c = (type: string) => ({ type, status: 'True', lastTransitionTime: t });
        await setStatus(rig, 'inferenceservice', ns, 'fraud', {
          observedGeneration: 1, deploymentMode: 'Serverless', url: `http://fraud.${ns}.example.com`, address: { url: `http://fraud.${ns}.svc.cluster.local` },
          conditions: [c('IngressReady'), c('PredictorReady'), c('Ready')],
          components: { predictor: {
            latestCreatedRevision: CANARY, latestReadyRevision: CANARY, previousRolledoutRevision: STABLE,
            traffic: [{ revisionName: CANARY, percent: 10, latestRevision: true, tag: 'latest' }, { revisionName: STABLE, percent: 90, latestRevision: false, tag: 'prev' }],
          } },
          modelStatus: { transitionStatus: 'UpToDate', states: { activeModelState: 'Loaded', targetModelState: 'Loaded' } },
        });
        // one pod per revision, as Knative runs them (kwok runs them): what the cost per inference counts
        await rig.apply([STABLE, CANARY].map((rev) => ({
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name: `${rev}-deployment-7d4b9-x2k4q`, namespace: ns, labels: { 'serving.kserve.io/inferenceservice': 'fraud', component: 'predictor', 'serving.knative.dev/revision': rev, app: rev } },
          spec: { containers: [
            { name: 'kserve-container', image: 'kserve/sklearnserver:v0.20.0', resources: { requests: { cpu: '2', memory: '2Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '2', memory: '2Gi', 'nvidia.com/gpu': '1' } } },
            { name: 'queue-proxy', image: 'gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.19.0', resources: { requests: { cpu: '25m' } } },
          ] },
        })));
        // the RawDeployment endpoint's pod, made by the real controller, is what the model server's series name
        const pod = await until('the iris predictor pod', 120_000, async () => (await kubectl(['get', 'pods', '-l', 'serving.kserve.io/inferenceservice=iris', '-o', 'jsonpath={.items[0].metadata.name}']).catch(() => '')).trim() || undefined, 1000);
        exp.state.raw = [{ namespace: ns, pod, rps: 5, latencyMs: 30 }];
        await prom.waitForSeries('DCGM_FI_DEV_GPU_UTIL');
        await prom.waitForSeries('rate(revision_app_request_count[10s]) > 0');
      },
    });
    wb = session.wb;
  });
  afterEach(async function () {
    await screenshotOnFailure(this, wb);
  });
  after(async () => {
    await session?.stop();
    await prom?.stop();
    await exp?.stop();
  });

  it("shows a training job's GPU use per replica, GPU-hours and the idle hint", async () => {
    const page = wb.page;
    await wb.openViewContainer('Kubeflow');
    await widenSideBar(page, 560);
    await onlyPanes(page, ['Training Jobs']);
    await wb.runCommand('Focus on Training Jobs View');
    const ddp = row('Training Jobs', 'mnist-ddp');
    await ddp.waitFor({ timeout: 60_000 });
    await contextAction(ddp, 'Show GPU Use');
    const f = await webviewWith('section.gpu', /GPUs idle: \d+% mean utilization/);
    const text = await f.locator('section.gpu').innerText();
    assert.match(text, /4 GPUs on 4 replicas: \d+% mean utilization, [\d.]+ GPU-hours so far/);
    assert.match(text, /mnist-ddp-worker-2\s+1 GPU · 7% mean/, 'the replica DCGM labels exported_pod is read too');
    assert.match(await f.locator('h1').innerText(), /mnist-ddp — GPU use/);
    await page.mouse.move(1200, 900);
    await wb.screenshot('job-gpu-idle');
  });

  it('says in the panel when Prometheus refuses the query, and shows the data again once it is fixed', async () => {
    setWorkspaceSetting('kubeflow.health.queries', { '*': { gpuUtil: 'avg by (pod, gpu) (DCGM_FI_DEV_GPU_UTIL{namespace="$namespace", pod=~"$pod"' } });
    const f = await webviewWith('section.gpu', /Prometheus refused the query \(bad_data\)/);
    await wb.screenshot('job-gpu-bad-query');
    setWorkspaceSetting('kubeflow.health.queries', {});
    await f.locator('section.gpu', { hasText: /GPUs idle/ }).waitFor({ timeout: 60_000 });
  });

  /** Right-click on a tree row, then the context-menu entry, as a user picks it; returns the entry. */
  const contextAction = async (row: Locator, label: string): Promise<Locator> => {
    await row.click({ button: 'right' });
    const item = wb.page.locator('.context-view .action-label', { hasText: label }).first();
    await item.hover();
    await item.click();
    return item;
  };
  const toast = (text: string | RegExp): Locator => wb.page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
  const spec = async (name: string): Promise<string> => (await kubectl(['get', 'inferenceservice', name, '-o', 'jsonpath={.spec.predictor.canaryTrafficPercent}'])).trim();

  it('says at once that the canary breaches its SLO, shows the gate in the panel, refuses Promote and rolls back', async () => {
    const page = wb.page;
    await wb.runCommand('View: Close All Editors');
    await onlyPanes(page, ['Endpoints']);
    await wb.runCommand('Focus on Endpoints View');
    const fraud = row('Endpoints', /^fraud/);
    await fraud.waitFor({ timeout: 60_000 });
    // the health line of both revisions, and the breach said at once, with Roll Back
    if ((await fraud.getAttribute('aria-expanded')) !== 'true') await fraud.click();
    const line = row('Endpoints', /\| {2}canary \d+ ms · 20\.\d% errors/);
    await line.waitFor({ timeout: 120_000 });
    assert.match(await line.innerText(), /1\d\d ms · 0\.\d% errors · \d+(\.\d+)? req\/s {2}\| {2}canary 4\d\d ms · 20\.\d% errors · \d+(\.\d+)? req\/s/);
    // said when the view first read it (maybe while the tests above ran): in the notification center by now
    await wb.runCommand('Notifications: Show Notifications');
    const breach = toast(`Canary ${CANARY} of fraud breaches its SLO`);
    await breach.waitFor({ timeout: 60_000 });
    assert.match(await breach.innerText(), /availability 8\d\.\d% is under the SLO's 99\.0%; P95 latency 4\d\d ms is over the SLO's 300 ms/);
    assert.ok(await breach.locator('.monaco-button', { hasText: 'Roll Back' }).count(), 'Roll Back is offered with the breach');
    await page.mouse.move(1200, 900);
    await wb.screenshot('endpoint-canary-breach');
    await wb.runCommand('Notifications: Hide Notifications');

    // the panel: both revisions side by side, the gate's verdict, Roll Back but no Promote
    await contextAction(fraud, 'Show Health');
    const f = await webviewWith('section.gate', /breaches the SLO/);
    assert.equal(await f.locator('section.gate').getAttribute('data-verdict'), 'breach');
    assert.equal(await f.locator('section.gate vscode-button', { hasText: 'Promote Canary' }).count(), 0, 'refuse: the panel offers no Promote');
    assert.equal(await f.locator('section.gate vscode-button', { hasText: 'Roll Back' }).count(), 1);
    assert.match(await f.locator('table.slis thead').innerText(), /default \(fraud-predictor-00001\)\s+canary 10% \(fraud-predictor-00002\)/);
    // beside the SLIs: each revision's GPU pod at 2.5 USD/h over its requests (the canary takes a quarter of the default's)
    await f.locator('tr[data-sli="costPerInference"]', { hasText: /\d\.\d+ USD \/ 1k\s*\d\.\d+ USD \/ 1k/ }).waitFor({ timeout: 60_000 });
    await wb.screenshot('endpoint-canary-gate');

    // Promote from the view: refused, with Roll Back offered at once
    await wb.runCommand('Focus on Endpoints View');
    const promote = await contextAction(fraud, 'Promote Canary');
    await promote.waitFor({ state: 'hidden', timeout: 10_000 });
    const refused = toast(/Not promoted/);
    await until('Promote to be refused', 90_000, async () => {
      if (await refused.isVisible()) return true;
      // a toast may have gone to the notification center
      if (!(await page.locator('.notifications-center.visible').count())) await wb.runCommand('Notifications: Show Notifications');
      assert.equal(await spec('fraud'), '10', 'the canary was promoted');
      return false;
    }, 500);
    assert.match(await refused.innerText(), /Canary fraud-predictor-00002 breaches the SLO: availability .* is under the SLO's 99\.0%.*canaryGate is "refuse"/s);
    await wb.screenshot('endpoint-canary-refused');
    assert.equal(await spec('fraud'), '10', 'the canary was not promoted');
    await refused.locator('.monaco-button', { hasText: 'Roll Back' }).click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'Send all traffic of fraud back to the previous revision' });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: /^Roll Back$/ }).click();
    await until('the canary to be rolled back to 0%', 60_000, async () => (await spec('fraud')) === '0', 500);
  });

  it("shows the RawDeployment endpoint's health line in the tree, from its predictor pod's model server", async () => {
    const iris = row('Endpoints', /^iris/);
    await iris.waitFor({ timeout: 60_000 });
    if ((await iris.getAttribute('aria-expanded')) !== 'true') await iris.click();
    // 30 ms requests: P95 in the (25, 50] ms bucket; no error rate (the model server counts no failures)
    const line = row('Endpoints', /\b4\d ms · \d\.\d\d req\/s/);
    await line.waitFor({ timeout: 150_000 });
    await wb.screenshot('endpoint-raw-health-line');
    // its panel reads it as RawDeployment (KServe 0.20 writes the mode as Standard): the pod's SLIs and its cost
    // the health line itself opens the panel (a click, its own command with the endpoint)
    await line.click();
    const f = await webviewWith('header .subtitle', /^RawDeployment · namespace /);
    await f.locator('tr[data-sli="latencyP95"]', { hasText: /4\d ms/ }).waitFor({ timeout: 60_000 });
    // two CPUs at 0.05 USD/h over 5 req/s
    assert.match(await f.locator('tr[data-sli="costPerInference"]').innerText(), /0\.00\d+ USD \/ 1k/);
    await wb.screenshot('endpoint-raw-health');
  });
});
