// Health in the editor, as a user meets it: the packaged extension in code-server against the sandbox, with the real
// Prometheus (test/rigs/prometheus) exposed as Service monitoring/prometheus-k8s, scraping test-side exporters that
// emit NVIDIA DCGM series for the sandbox PyTorchJob's pods (its workers nearly idle). The extension finds Prometheus
// in the cluster on its own and reaches it through a daemon port-forward: Show GPU Use on the job shows utilization
// per replica, GPU-hours and the idle hint; a Prometheus query that breaks says so in the panel.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { startExporters, type Exporters } from '../../rigs/prometheus/exporters';
import { startPrometheus, type PrometheusRig } from '../../rigs/prometheus/index';
import { setStatus, v1Conditions } from '../../rigs/training';
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

  before(async () => {
    session = await startSandboxSession({
      suite: 'health', folder, viewport: { width: 1600, height: 1000 },
      prepare: async ({ rig, namespace: ns, job }) => {
        await setStatus(rig, 'pytorchjob', ns, job, { conditions: v1Conditions('PyTorchJob', job, 'Running'), startTime: new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
        // the master computes; the three workers wait on their input pipeline (DCGM names them by pod)
        const util: Record<string, number> = { 'master-0': 46, 'worker-0': 9, 'worker-1': 11, 'worker-2': 7 };
        exp = await startExporters({ gpus: Object.entries(util).map(([r, u]) => ({ namespace: ns, pod: `${job}-${r}`, gpu: 0, util: u, memoryMiB: 18_000 + u * 100, labels: r === 'worker-2' ? 'exported' : 'plain' })) });
        prom = await startPrometheus({ targets: [exp.target], kube: rig });
        await prom.waitForSeries('DCGM_FI_DEV_GPU_UTIL');
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
    await ddp.click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: 'Show GPU Use' }).first();
    await item.hover();
    await item.click();
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
});
