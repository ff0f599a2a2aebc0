// The foundation inside a real VS Code extension host: activation, the public API, the Kubeflow views and the
// registered commands. Runs in code-server's Node extension host (test/rigs/vscode/run-ext-tests.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { KubeflowApi } from '../../../extension/main';

const EXTENSION_ID = 'kubeflow-vscode.kubeflow-vscode';
const VIEWS = [
  'kubeflow.notebooks',
  'kubeflow.kernelVariables',
  'kubeflow.pipelines',
  'kubeflow.runs',
  'kubeflow.localRuns',
  'kubeflow.trainingJobs',
  'kubeflow.katib',
  'kubeflow.models',
  'kubeflow.endpoints',
  'kubeflow.lineage',
  'kubeflow.portForwards',
];

interface Manifest {
  contributes: {
    viewsContainers: { activitybar: Array<{ id: string; title: string }> };
    views: Record<string, Array<{ id: string; name: string }>>;
    commands: Array<{ command: string; title: string }>;
  };
}

function extension(): vscode.Extension<KubeflowApi> {
  const ext = vscode.extensions.getExtension<KubeflowApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

suite('foundation (extension host)', () => {
  test('the extension activates and its API reports activationMs', async () => {
    const ext = extension();
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0, `activationMs = ${api.activationMs}`);
    // `npm run bench` reads the figure from here (scripts/bench/foundation.bench.ts).
    if (process.env.KFVS_BENCH_ACTIVATION_FILE) fs.writeFileSync(process.env.KFVS_BENCH_ACTIVATION_FILE, String(api.activationMs));
  });

  test('runs in a Node extension host of a VS Code that satisfies engines.vscode', () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major! > 1 || (major === 1 && minor! >= 139), `VS Code ${vscode.version} is older than engines ^1.139.0`);
    assert.equal(typeof process.versions.node, 'string');
    // In code-server the extension runs on the remote (workspace) host; in desktop VS Code there is only the UI host.
    assert.equal(extension().extensionKind, vscode.env.remoteName ? vscode.ExtensionKind.Workspace : vscode.ExtensionKind.UI);
  });

  test('contributes the Kubeflow activity-bar container with its views', () => {
    const manifest = extension().packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => [c.id, c.title]), [['kubeflow', 'Kubeflow']]);
    assert.deepEqual(manifest.contributes.views.kubeflow!.map((v) => v.id), VIEWS);
  });

  test('every Kubeflow view can be focused', async () => {
    await extension().activate();
    // `<view>.focus` exists only for a view the workbench knows, and rejects when the view cannot be shown.
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(VIEWS.filter((id) => !registered.has(`${id}.focus`)), []);
    for (const id of VIEWS) {
      await assert.doesNotReject(Promise.resolve(vscode.commands.executeCommand(`${id}.focus`)), `focusing ${id}`);
    }
  });

  test('every kubeflow.* command of package.json is registered', async () => {
    await extension().activate();
    const contributed = (extension().packageJSON as Manifest).contributes.commands.map((c) => c.command)
      .filter((c) => c.startsWith('kubeflow.'));
    assert.ok(contributed.length >= 4, `only ${contributed.length} commands contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('Kubeflow: Show Log shows the Kubeflow output channel', async () => {
    const shown = () => vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'output' && /\.Kubeflow(\.log)?$/.test(e.document.uri.path));
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('kubeflow.showLog');
    const deadline = Date.now() + 20_000;
    while (!shown()) {
      if (Date.now() > deadline) throw new Error(`the Kubeflow output channel is not shown; visible: ${vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
