// Training jobs and Katib in the editor, as a user meets them: the packaged extension in code-server against the
// sandbox cluster (real apiserver + kwok), where the test plays the operators (test/rigs/training.ts). The Training
// Jobs view with a PyTorchJob (master + 3 workers, one failing), a TrainJob reporting tqdm progress and a GPU job no
// node can take; the failure notification; the merged, replica-tagged log at the traceback and filtered by role; the
// Experiments view with the best trial, its logs and its model registered in the Model Registry; submitting YAML: dry-run errors at
// their line, then a job from the "New Training Job" template.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sandbox } from '../../rigs/sandbox';
import { experimentStatus, katibExperiment, pytorchJobWithPods, setStatus, trainJobWithPods, unschedulableJob, v1Conditions, type TrialPlan } from '../../rigs/training';
import { onlyPanes, pane, REPO, screenshotOnFailure, startSandboxSession, widenSideBar, type SandboxSession, type Workbench } from './support';

/** A PyTorchJob with two fields of the wrong type: `suspend: maybe` (line 7) and `replicas: three` (line 18). */
const BAD_JOB = fs.readFileSync(path.join(REPO, 'test/fixtures/training/bad-pytorchjob.yaml'), 'utf8');

const TRIALS: TrialPlan[] = [
  { name: 'mnist-hpo-a1', phase: 'Succeeded', lr: '0.0100', accuracy: '0.9120' },
  { name: 'mnist-hpo-b2', phase: 'Succeeded', lr: '0.0480', accuracy: '0.9810' },
  { name: 'mnist-hpo-c3', phase: 'Failed', lr: '0.0910' },
  { name: 'mnist-hpo-d4', phase: 'Running', lr: '0.0270' },
];

describe('training jobs and Katib in the editor (UI)', function () {
  this.timeout(240_000);
  let session: SandboxSession | undefined;
  let sandbox: Sandbox | undefined;
  let wb: Workbench | undefined;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-e2e-training-ws-'));
  const row = (view: string, text: string | RegExp) => pane(wb!.page, view).locator('.monaco-list-row', { hasText: text }).first();
  // Notifications: a toast, or the same item in the notification center (opened first where the test waits for one,
  // since a headless window may not raise toasts).
  const toast = (text: string | RegExp) => wb!.page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
  const clearNotifications = async () => {
    await wb!.runCommand('Notifications: Clear All Notifications');
    await wb!.page.keyboard.press('Escape');
  };
  const showNotifications = async () => {
    if (!(await wb!.page.locator('.notifications-center.visible').isVisible().catch(() => false))) await wb!.runCommand('Notifications: Show Notifications');
  };
  /** Waits for a notification, reopening the notification center meanwhile (a toast can hide before it is seen). */
  const notification = async (text: string | RegExp, timeout = 60_000) => {
    const deadline = Date.now() + timeout;
    while (!(await toast(text).isVisible().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`no notification ${String(text)} within ${timeout} ms`);
      await showNotifications();
      await wb!.page.waitForTimeout(500);
    }
    return toast(text);
  };
  const editorText = () => wb!.page.locator('.editor-instance .view-lines').filter({ visible: true }).first();

  before(async () => {
    session = await startSandboxSession({
      suite: 'training', folder, viewport: { width: 1600, height: 1000 },
      prepare: async ({ rig, namespace: ns, job }) => {
        // The operator has seen mnist-ddp start (its worker-2 fails on its own, in kwok).
        await setStatus(rig, 'pytorchjob', ns, job, { conditions: v1Conditions('PyTorchJob', job, 'Running'), startTime: new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
        const bar = (p: number) => `${String(p).padStart(3)}%|${'█'.repeat(p / 10)}${' '.repeat(10 - p / 10)}| ${p * 10}/1000 [0${Math.floor(p / 20)}:00<03:00, 2.50it/s, loss=${(2 - p / 60).toFixed(3)}]`;
        await trainJobWithPods(rig, ns, 'llm-finetune', [{ lines: ['Loading checkpoint shards: done', bar(10), bar(30), bar(60)] }, { lines: ['rank 1 joined', bar(60)] }], 4);
        await unschedulableJob(rig, ns, 'bert-large', 16);
        await katibExperiment(rig, ns, 'mnist-hpo', TRIALS);
        // The best trial's job ran and logged its metrics (Katib's StdOut collector reads these lines).
        await pytorchJobWithPods(rig, ns, 'mnist-hpo-b2', [{ type: 'master', index: 0, complete: true, lines: ['lr=0.0480', 'Epoch 1/2 loss=0.210 accuracy=0.9620', 'Epoch 2/2 loss=0.081 accuracy=0.9810'] }], { gpusPerReplica: 0 });
        await setStatus(rig, 'pytorchjob', ns, 'mnist-hpo-b2', { conditions: v1Conditions('PyTorchJob', 'mnist-hpo-b2', 'Succeeded'), startTime: new Date(Date.now() - 300_000).toISOString().replace(/\.\d+Z$/, 'Z'), completionTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') });
        fs.writeFileSync(path.join(folder, 'bad-job.yaml'), BAD_JOB);
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

  it('lists the namespace\'s training jobs with state, replicas, GPUs, progress and why one waits', async () => {
    const page = wb!.page;
    await wb!.openViewContainer('Kubeflow');
    await widenSideBar(page, 680);
    await onlyPanes(page, ['Training Jobs']);
    await wb!.runCommand('Focus on Training Jobs View');
    const ddp = row('Training Jobs', 'mnist-ddp');
    await ddp.waitFor({ timeout: 60_000 });
    assert.match(await ddp.innerText(), /PyTorchJob · Running · 3\/4 · 4 GPUs/);
    await ddp.click();
    await row('Training Jobs', /^Worker/).waitFor({ timeout: 30_000 });
    assert.match(await row('Training Jobs', /^Worker/).innerText(), /2\/3 running · 1 failed/);
    // mnist-ddp logs "epoch 3 step 300 loss …": no total, so progress without a percentage.
    await row('Training Jobs', /epoch 3 · step 300 · loss 0\.7667/).waitFor({ timeout: 60_000 });

    const llm = row('Training Jobs', 'llm-finetune');
    await llm.waitFor({ timeout: 30_000 });
    assert.match(await llm.innerText(), /TrainJob · Running · 2\/2 · 8 GPUs/);
    await llm.click();
    await row('Training Jobs', '▰▰▰▰▰▰▱▱▱▱ 60%').waitFor({ timeout: 60_000 });
    await row('Training Jobs', /llm-finetune.*· 60%/).waitFor({ timeout: 30_000 });

    const bert = row('Training Jobs', 'bert-large');
    assert.match(await bert.innerText(), /PyTorchJob · Pending · 0\/1 · 16 GPUs/);
    await bert.click();
    await row('Training Jobs', 'Unschedulable: insufficient nvidia.com/gpu (0/2 nodes are available)').waitFor({ timeout: 30_000 });
    await row('Training Jobs', 'Not installed: MPIJob').count().then((n) => assert.equal(n, 0, 'every kind is installed in the sandbox'));
    await page.mouse.move(1200, 900);
    await wb!.screenshot('training-jobs-view');
  });

  it('notifies when a job fails, with the operator\'s reason and the replica that failed', async () => {
    const { rig, namespace: ns, job } = sandbox!;
    await showNotifications();
    await setStatus(rig, 'pytorchjob', ns, job, { conditions: v1Conditions('PyTorchJob', job, 'Failed'), completionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    const t = toast('PyTorchJob mnist-ddp failed');
    await t.waitFor({ timeout: 60_000 });
    const text = await t.innerText();
    assert.match(text, /PyTorchJobFailed: PyTorchJob mnist-ddp is failed because 1 Worker replica\(s\) failed/);
    assert.match(text, /failed replicas: worker-2 \(Error, exit 1\)/);
    await row('Training Jobs', /mnist-ddp.*Failed/).waitFor({ timeout: 30_000 });
    await wb!.screenshot('job-failed-notification');
    await t.locator('.monaco-button', { hasText: 'Show First Error' }).click();
    await wb!.page.locator('.editor-instance .view-line', { hasText: 'Traceback (most recent call last)' }).first().waitFor({ timeout: 60_000 });
    const content = await editorText().innerText();
    for (const tag of ['master-0', 'worker-0', 'worker-1', 'worker-2']) assert.ok(content.includes(`[${tag}`), `${tag} in the merged log:\n${content}`);
    // The traceback's first line is selected (the status bar counts the selected characters).
    await wb!.page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+ \(\d+ selected\)/ }).first().waitFor({ timeout: 10_000 });
    await clearNotifications();
    await wb!.screenshot('merged-logs-first-error');
  });

  it('opens the log of one role from the view (workers only)', async () => {
    const worker = row('Training Jobs', /^Worker/);
    await worker.hover();
    await worker.locator('.action-label[aria-label="Open Training Job Logs"]').click();
    // The editor widget is shared by the two log tabs: wait until it shows the filtered document.
    let content = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      content = await editorText().innerText().catch(() => '');
      if (content.includes('[worker-0') && content.includes('[worker-2') && !content.includes('[master-0')) break;
      await wb!.page.waitForTimeout(250);
    }
    assert.ok(!content.includes('[master-0') && content.includes('[worker-0'), `only workers:\n${content}`);
    await wb!.page.mouse.move(1200, 900);
    await wb!.screenshot('merged-logs-workers');
  });

  it('shows Katib experiments with the best trial; a trial\'s logs; registers the best trial\'s model in the Model Registry', async () => {
    const page = wb!.page;
    await onlyPanes(page, ['Experiments']);
    await wb!.runCommand('Focus on Experiments View');
    const exp = row('Experiments', 'mnist-hpo');
    await exp.waitFor({ timeout: 60_000 });
    assert.match(await exp.innerText(), /Running · 4\/4 trials · best accuracy 0\.981/);
    await exp.click();
    await row('Experiments', 'Best: mnist-hpo-b2').waitFor({ timeout: 30_000 });
    assert.match(await row('Experiments', 'Best: mnist-hpo-b2').innerText(), /lr=0\.0480 → accuracy 0\.981/);
    assert.match(await row('Experiments', /^Trials/).innerText(), /4\/4 · 2 succeeded · 1 running · 1 failed/);
    const trials = await pane(page, 'Experiments').locator('.monaco-list-row', { hasText: /^mnist-hpo-/ }).allInnerTexts();
    assert.deepEqual(trials.map((t) => /^mnist-hpo-[a-z0-9]+/.exec(t)?.[0]), ['mnist-hpo-b2', 'mnist-hpo-a1', 'mnist-hpo-d4', 'mnist-hpo-c3'], 'best first');
    await row('Experiments', 'maximize accuracy').waitFor();
    await page.mouse.move(1200, 900);
    await wb!.screenshot('katib-experiments');

    await row('Experiments', /^mnist-hpo-b2/).click();
    await page.locator('.editor-instance .view-line', { hasText: 'accuracy=0.9810' }).first().waitFor({ timeout: 60_000 });

    const best = row('Experiments', 'Best: mnist-hpo-b2');
    await showNotifications();
    await best.hover();
    await best.locator('.action-label[aria-label^="Register Best Trial"]').click();
    // The plan goes to the sandbox's Model Registry (kubeflow.models.register): confirmed, the version is registered.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), /Register s3:\/\/models\/mnist-hpo\/mnist-hpo-b2 as mnist-hpo version mnist-hpo-b2 in the Model Registry/);
    await wb!.screenshot('katib-register-best-model');
    await dialog.locator('.monaco-button', { hasText: /^Register$/ }).click();
    await notification('Registered mnist-hpo version mnist-hpo-b2');
    await clearNotifications();

    // katib-controller marks the experiment done once its last trial ends.
    await showNotifications();
    const done = TRIALS.map((t) => (t.phase === 'Running' ? { ...t, phase: 'Succeeded' as const, accuracy: '0.9500' } : t));
    await setStatus(sandbox!.rig, 'trial', sandbox!.namespace, 'mnist-hpo-d4', { conditions: [{ type: 'Succeeded', status: 'True', reason: 'TrialSucceeded', message: 'Trial has succeeded', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }], observation: { metrics: [{ name: 'accuracy', min: '0.90', max: '0.9500', latest: '0.9500' }] } });
    await setStatus(sandbox!.rig, 'experiment', sandbox!.namespace, 'mnist-hpo', experimentStatus(done, 'Succeeded'));
    const finished = await notification('Experiment mnist-hpo finished (ExperimentMaxTrialsReached)');
    assert.match(await finished.innerText(), /Best trial mnist-hpo-b2: accuracy 0\.981 \(lr=0\.0480\)/);
    await row('Experiments', /mnist-hpo.*Succeeded · 4\/4 trials/).waitFor({ timeout: 30_000 });
    await clearNotifications();
  });

  it('submits YAML: dry-run errors at their line; a job from the template is created and listed', async () => {
    const page = wb!.page;
    await wb!.runCommand('View: Close All Editors');
    await wb!.runCommand('Go to File');
    await page.locator('.quick-input-widget input').fill('bad-job.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'bad-job.yaml' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-line', { hasText: 'suspend: maybe' }).first().waitFor({ timeout: 30_000 });
    await clearNotifications();
    await showNotifications();
    await wb!.runCommand('Kubeflow: Submit Training Job');
    const rejected = toast('bad-job.yaml was rejected by the dry run');
    await rejected.waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await rejected.locator('.monaco-button', { hasText: 'Show Problems' }).click();
    const problems = page.locator('.markers-panel .monaco-list-row');
    await problems.filter({ hasText: 'Ln 7' }).first().waitFor({ timeout: 30_000 });
    const all = (await problems.allInnerTexts()).join('\n');
    assert.match(all, /suspend in body must be of type boolean[\s\S]*Ln 7/);
    assert.match(all, /replicas in body must be of type integer[\s\S]*Ln 18/);
    await wb!.screenshot('submit-dry-run-diagnostics');

    await wb!.runCommand('Kubeflow: New Training Job…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'PyTorchJob — distributed data parallel' }).first().click();
    await page.locator('.quick-input-widget input').fill('resnet-ddp');
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-line', { hasText: 'name: resnet-ddp' }).first().waitFor({ timeout: 30_000 });
    assert.ok(fs.existsSync(path.join(folder, 'resnet-ddp.yaml')), 'the template is written into the workspace');
    await showNotifications();
    await wb!.runCommand('Kubeflow: Submit Training Job');
    await toast('Submitted PyTorchJob resnet-ddp to kubeflow-user').waitFor({ timeout: 60_000 });
    await onlyPanes(page, ['Training Jobs']);
    await wb!.runCommand('Focus on Training Jobs View');
    const created = row('Training Jobs', 'resnet-ddp');
    await created.waitFor({ timeout: 60_000 });
    assert.match(await created.innerText(), /PyTorchJob · Pending · 0\/4 · 4 GPUs/);
    await page.mouse.move(1200, 900);
    await wb!.screenshot('submitted-from-template');
  });

  it('raised no uncaught page errors from the extension', () => {
    assert.deepEqual(wb!.pageErrors.filter((e) => /kubeflow/i.test(e)), []);
  });
});
