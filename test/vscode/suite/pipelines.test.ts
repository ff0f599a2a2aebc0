// Pipeline graphs inside a real VS Code extension host: the show-graph command on compiled and Python pipelines,
// diagnostics of broken files at the right line, CodeLenses on @dsl.pipeline, compile errors on the .py file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { GraphSummary } from '../../../extension/pipelines/panel';
import { requireShared } from '../../support/shared';
import { until } from './wait';

const ROOT = path.resolve(__dirname, '../../..');
const PIPELINES = path.join(ROOT, 'test/fixtures/pipelines');
// The rig's venv (test/rigs/jupyter/install.sh). code-server gives the extension host its own XDG_CACHE_HOME, so
// the cache is found from $KFVS_CACHE or the home directory here.
const VENV_PYTHON = path.join(process.env.KFVS_CACHE || path.join(os.homedir(), '.cache', 'kubeflow-vscode'), 'venv', 'bin', 'python');

suite('pipeline graphs (extension host)', function () {
  this.timeout(180_000);
  let tmp = '';
  let shared = '';

  suiteSetup(function () {
    shared = requireShared(this as unknown as Mocha.Context, 'fixtures', 'kfp-ir');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-graph-exthost-'));
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('kubeflow').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const copy = (from: string, name: string): vscode.Uri => {
    const to = path.join(tmp, name);
    fs.copyFileSync(from, to);
    return vscode.Uri.file(to);
  };

  test('"Show Pipeline Graph" on a compiled pipeline opens the graph and reports what it read', async () => {
    const uri = copy(path.join(shared, 'sdk-compiled/valid/failing/pipeline_with_exit_handler.yaml'), 'exit.yaml');
    const summary = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', uri);
    assert.deepEqual({ ...summary, uri: undefined }, { uri: undefined, pipeline: 'pipeline-with-exit-handler', tasks: 4, dags: 2, errors: 0 });
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Graph: exit.yaml (preview)');
    assert.ok(tab, 'the graph panel is open');
  });

  test('the next graph replaces the preview in its column; a kept graph stays and the next opens beside it in that column', async () => {
    const graphTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter((t) => t.label.startsWith('Graph: ')).map((t) => ({ label: t.label, column: g.viewColumn })));
    const a = copy(path.join(shared, 'sdk-compiled/valid/hello_world.yaml'), 'a.yaml');
    const b = copy(path.join(shared, 'sdk-compiled/valid/identity.yaml'), 'b.yaml');
    const c = copy(path.join(shared, 'sdk-compiled/valid/hello_world.yaml'), 'c.yaml');
    await vscode.commands.executeCommand('kubeflow.pipelines.showGraph', a);
    const groups = vscode.window.tabGroups.all.length;
    await vscode.commands.executeCommand('kubeflow.pipelines.showGraph', b);
    await until('b replaced the preview', () => graphTabs().some((t) => t.label === 'Graph: b.yaml (preview)') || undefined);
    assert.deepEqual(graphTabs().map((t) => t.label), ['Graph: b.yaml (preview)'], 'one graph tab: the preview shows b');
    assert.equal(vscode.window.tabGroups.all.length, groups, 'no new editor column');
    await vscode.commands.executeCommand('kubeflow.pipelines.keepGraph');
    await vscode.commands.executeCommand('kubeflow.pipelines.showGraph', c);
    const tabs = await until('c opened next to the kept graph', () => (graphTabs().length === 2 ? graphTabs() : undefined));
    assert.deepEqual(tabs.map((t) => t.label).sort(), ['Graph: b.yaml', 'Graph: c.yaml (preview)']);
    assert.equal(tabs[0]!.column, tabs[1]!.column, 'both graphs in one column');
    assert.equal(vscode.window.tabGroups.all.length, groups, 'still no new editor column');
  });

  test('a broken pipeline file gets diagnostics at the lines that are wrong', async () => {
    const uri = copy(path.join(shared, 'sdk-compiled/invalid/invalid_yaml.yaml'), 'broken.yaml');
    await vscode.window.showTextDocument(uri);
    const diags = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 2 ? d : undefined;
    });
    const unknown = diags.find((d) => d.code === 'unknown-field');
    assert.equal(unknown?.range.start.line, 2);
    assert.equal(unknown?.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diags.find((d) => d.code === 'unknown-component')?.range.start.line, 23);
    // Other YAML files are left alone.
    const other = vscode.Uri.file(path.join(tmp, 'config.yaml'));
    fs.writeFileSync(other.fsPath, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nextra: [\n');
    await vscode.window.showTextDocument(other);
    // Files are looked at in the order they open: once a broken pipeline opened after it has its diagnostics, the
    // ConfigMap has been looked at too, and it must have none.
    const after = copy(path.join(shared, 'sdk-compiled/invalid/invalid_yaml.yaml'), 'opened-after.yaml');
    await vscode.window.showTextDocument(after);
    await until('diagnostics of the pipeline opened after it', () => (vscode.languages.getDiagnostics(after).length ? true : undefined));
    assert.deepEqual(vscode.languages.getDiagnostics(other).filter((d) => d.source === 'Kubeflow'), []);
  });

  test('a compiled pipeline over 4 MB is not parsed on open/save; its graph still opens and checks it', async () => {
    const base = fs.readFileSync(path.join(shared, 'sdk-compiled/valid/essential/pipeline_with_after.yaml'), 'utf8');
    const uri = vscode.Uri.file(path.join(tmp, 'large.yaml'));
    fs.writeFileSync(uri.fsPath, base + `# ${'padding '.repeat(12)}\n`.repeat(48_000));
    await vscode.window.showTextDocument(uri);
    const note = await until('the large-file note', () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'large-file'), 60_000);
    assert.equal(note.severity, vscode.DiagnosticSeverity.Information);
    assert.match(note.message, /is 4\.\d MB: its problems are checked when you open its graph/);
    const summary = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', uri);
    assert.deepEqual({ ...summary, uri: undefined }, { uri: undefined, pipeline: 'pipeline-with-after', tasks: 3, dags: 1, errors: 0 });
    await until('the panel\'s own check replaced the note', () => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'large-file') ? undefined : true), 60_000);
  });

  test('CodeLenses on each @dsl.pipeline run the graph command for that function', async () => {
    const uri = copy(path.join(PIPELINES, 'training_pipeline.py'), 'training_pipeline.py');
    await vscode.window.showTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const ours = lenses.filter((l) => l.command?.command === 'kubeflow.pipelines.showGraph');
    assert.deepEqual(ours.map((l) => l.command?.arguments?.[1]), ['prepare', 'training_pipeline', 'second_pipeline']);
  });

  test('a Python pipeline compiles with kubeflow.pythonPath and kfp; a broken one gets the error on its line', async () => {
    assert.ok(fs.existsSync(VENV_PYTHON), `${VENV_PYTHON} missing: run test/rigs/jupyter/install.sh (scripts/setup.sh test does)`);
    await vscode.workspace.getConfiguration('kubeflow').update('pythonPath', VENV_PYTHON, vscode.ConfigurationTarget.Global);
    const uri = copy(path.join(PIPELINES, 'training_pipeline.py'), 'training_pipeline.py');
    const summary = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', uri, 'training_pipeline');
    assert.equal(summary.failure, undefined);
    assert.equal(summary.pipeline, 'training-with-loops');
    assert.equal(summary.tasks, 18);
    const bad = copy(path.join(PIPELINES, 'invalid/type_mismatch.py'), 'type_mismatch.py');
    const failed = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', bad);
    assert.match(failed.failure ?? '', /InconsistentTypeException/);
    const diag = vscode.languages.getDiagnostics(bad)[0];
    assert.equal(diag?.range.start.line, 16, 'line 17 of the file');
  });

  test('with no kubeflow.pythonPath and no kfp in python3 on PATH, the workspace\'s .venv that has kfp compiles the pipeline', async () => {
    assert.ok(fs.existsSync(VENV_PYTHON), `${VENV_PYTHON} missing: run test/rigs/jupyter/install.sh (scripts/setup.sh test does)`);
    await vscode.workspace.getConfiguration('kubeflow').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test window has a workspace folder');
    const venv = path.join(folder, '.venv');
    assert.ok(!fs.existsSync(venv), `${venv} exists already`);
    fs.symlinkSync(path.dirname(path.dirname(VENV_PYTHON)), venv);
    try {
      const uri = copy(path.join(PIPELINES, 'hello_world.py'), 'hello_world.py');
      const summary = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', uri, 'hello_world');
      assert.equal(summary.failure, undefined, `compiled (${summary.failure ?? ''})`);
      assert.equal(summary.pipeline, 'hello-world');
    } finally {
      fs.rmSync(venv, { force: true });
    }
  });

  test('"Install kfp into the Python Environment" pip-installs kfp into an environment without it; the pipeline then compiles there', async function () {
    this.timeout(600_000);
    const env = path.join(tmp, 'env');
    const made = spawnSync('python3', ['-m', 'venv', env], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const python = path.join(env, 'bin', 'python');
    await vscode.workspace.getConfiguration('kubeflow').update('pythonPath', python, vscode.ConfigurationTarget.Global);
    const uri = copy(path.join(PIPELINES, 'hello_world.py'), 'hello_again.py');
    const before = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', uri, 'hello_world');
    assert.match(before.failure ?? '', /kfp is not installed/);
    // The rig's pin, so the test installs what the rest of the suite compiles with.
    const pin = /^kfp==\S+$/m.exec(fs.readFileSync(path.join(ROOT, 'test/rigs/jupyter/requirements.txt'), 'utf8'))![0];
    const version = await vscode.commands.executeCommand<string | undefined>('kubeflow.pipelines.installKfp', python, pin);
    assert.equal(version, pin.split('==')[1]);
    const after = await vscode.commands.executeCommand<GraphSummary>('kubeflow.pipelines.showGraph', copy(path.join(PIPELINES, 'hello_world.py'), 'hello_after.py'), 'hello_world');
    assert.equal(after.failure, undefined, `compiled after the install (${after.failure ?? ''})`);
    assert.equal(after.pipeline, 'hello-world');
  });
});
