// The agent tools as VS Code's language-model tools, inside a real extension host on the sandbox cluster: each
// tool is called through `vscode.lm.invokeTool` (as agent mode does) and its text checked; the schemas VS Code
// holds are the catalog's; bad input comes back as words.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { TOOLS } from '../../../core/agentTools/catalog';
import { startSandbox, type Sandbox } from '../../rigs/sandbox';

const ROOT = path.resolve(__dirname, '../../..');

async function invoke(name: string, input: object): Promise<string> {
  const r = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

suite('agent tools (extension host, sandbox)', function () {
  this.timeout(480_000); // the sandbox runs its seeded pipelines for real before it is ready
  let sandbox: Sandbox;

  suiteSetup(async () => {
    // code-server gives the extension host its own XDG_CACHE_HOME; the rigs are installed under the user's.
    process.env.KFVS_CACHE ||= path.join(os.homedir(), '.cache', 'kubeflow-vscode');
    sandbox = await startSandbox();
    const cfg = vscode.workspace.getConfiguration('kubeflow');
    await cfg.update('kubeconfig', sandbox.rig.kubeconfigPath, vscode.ConfigurationTarget.Global);
    await cfg.update('namespace', sandbox.namespace, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    const cfg = vscode.workspace.getConfiguration('kubeflow');
    if (sandbox) spawnSync(process.execPath, [path.join(ROOT, 'dist/companion-cli.js'), 'stop', '--kubeconfig', sandbox.rig.kubeconfigPath], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    await cfg.update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await cfg.update('namespace', undefined, vscode.ConfigurationTarget.Global);
    await sandbox?.stop();
  });

  test('VS Code lists the nine Kubeflow tools with the catalog\'s schemas', () => {
    const ours = vscode.lm.tools.filter((t) => t.name.startsWith('kubeflow_'));
    assert.deepEqual(ours.map((t) => t.name).sort(), TOOLS.map((t) => t.name).sort());
    for (const t of TOOLS) assert.deepEqual(ours.find((x) => x.name === t.name)?.inputSchema, t.inputSchema);
  });

  test('list, diagnose and logs answer with the state and the failing replica', async () => {
    const nbs = await invoke('kubeflow_list', { kind: 'notebooks' });
    assert.match(nbs, /sandbox-nb\s+running/);
    assert.match(nbs, /stopped-nb\s+stopped/);
    const d = await until('the traceback of worker-2', 90_000, async () => {
      const t = await invoke('kubeflow_diagnose', { kind: 'trainingJob', name: 'mnist-ddp' });
      return t.includes('torch.OutOfMemoryError') ? t : undefined;
    });
    assert.match(d, /Failed replica worker-2/);
    const logs = await invoke('kubeflow_logs', { kind: 'trainingJob', name: 'mnist-ddp', grep: 'epoch 1 ', tail: 10 });
    assert.equal(logs.split('\n').filter((l) => /^\[(master|worker)-\d\] epoch 1 step 100/.test(l)).length, 4, logs);
  });

  test('runs, pipelines and models through the extension\'s own KFP and Model Registry clients', async () => {
    const runs = await invoke('kubeflow_list', { kind: 'runs' });
    assert.match(runs, /hello-world \(sample run\)\s+SUCCEEDED/);
    const desc = await invoke('kubeflow_describe_pipeline', { run: sandbox.seededKfp!.runId });
    assert.match(desc, /Parameters:/);
    assert.match(desc, /Graph \(Mermaid\):/);
    const models = await invoke('kubeflow_list', { kind: 'models' });
    assert.match(models, /fraud-detector \(LIVE\)/);
  });

  test('submit a run, compare it, deploy a model version and ask for its canary through invokeTool', async () => {
    const sub = await invoke('kubeflow_submit_run', { pipeline: 'hello-world', parameters: { name: 'Exthost', times: 3 }, runName: 'exthost run' });
    assert.match(sub, /^Submitted run "exthost run"/);
    assert.match(sub, /"times": 3/);
    const cmp = await invoke('kubeflow_compare_runs', { runs: [sandbox.seededKfp!.runId, 'exthost run'] });
    assert.match(cmp, /\* name\s+Sandbox\s+Exthost/);
    const dep = await invoke('kubeflow_deploy_model', { model: 'sentiment-bert', version: '1.0.0', endpoint: 'sentiment' });
    assert.match(dep, /^Created InferenceService .*sentiment/);
    assert.match(dep, /"storageUri": "pvc:\/\/sentiment-models\/bert-base\/1\.0\.0"/);
    // Its PVC does not exist in the sandbox, so it does not get Ready; KServe 0.20 reports it in its Standard
    // (RawDeployment) mode at once, where canaries exist but this service has none: the tool says there is nothing
    // to roll back.
    const noCanary = await until('KServe to report on sentiment', 90_000, async () => {
      const t = await invoke('kubeflow_endpoint_traffic', { endpoint: 'sentiment', action: 'rollback' });
      return /has no canary: its stable predictor takes all the traffic/.test(t) ? t : undefined;
    });
    assert.match(noCanary, /Nothing to roll back/);
  });

  test('a mutating tool applies only through its confirmed plan; bad input is a clear error', async () => {
    const started = await invoke('kubeflow_notebook_power', { name: 'stopped-nb', action: 'start' });
    assert.match(started, /^Started notebook server .*stopped-nb/);
    assert.match(started, /"kubeflow-resource-stopped": null/);
    const again = await invoke('kubeflow_notebook_power', { name: 'no-such-nb', action: 'stop' });
    assert.match(again, /^Error: no notebook server named "no-such-nb"/);
    const bad = await invoke('kubeflow_list', { kind: 'notebooks', namespace: 42 }).catch((err: Error) => `rejected: ${err.message}`);
    assert.match(bad, /`namespace` must be string|namespace/);
    assert.doesNotMatch(bad, /\n\s+at /);
  });
});
