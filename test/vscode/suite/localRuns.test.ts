// Local runs inside a real VS Code extension host, with the rig venv's kfp and debugpy: the CodeLenses, Run Locally
// of a failing pipeline (the run kept in the runs folder, a diagnostic at the failing line of the component, the run's
// graph tab), and Debug Component: the component waits under debugpy and a DAP client stops at a breakpoint in its body
// (code-server cannot install the Python Debugger extension here: no marketplace, see README).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as vscode from 'vscode';
import type { DebugStarted } from '../../../extension/localRuns/debug';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/pipelines/local');
const VENV_PYTHON = path.join(process.env.KFVS_CACHE || path.join(os.homedir(), '.cache', 'kubeflow-vscode'), 'venv', 'bin', 'python');

async function until<T>(what: string, fn: () => T | undefined | false, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1] === `0100007F:${hex}` && f[3] === '0A';
  });
}

interface RunJson { state: string; tasks: Record<string, { state: string; source?: { line: number } }> }

suite('local runs (extension host)', function () {
  this.timeout(240_000);
  let tmp = '';
  let runs = '';
  let file = '';

  suiteSetup(async () => {
    assert.ok(fs.existsSync(VENV_PYTHON), `${VENV_PYTHON} missing: run test/rigs/jupyter/install.sh (scripts/setup.sh test does)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-local-exthost-'));
    runs = path.join(tmp, 'runs');
    file = path.join(tmp, 'failing.py');
    fs.copyFileSync(path.join(FIXTURES, 'failing.py'), file);
    await vscode.workspace.getConfiguration('kubeflow').update('pythonPath', VENV_PYTHON, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('kubeflow').update('localRuns.folder', runs, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('kubeflow').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('kubeflow').update('localRuns.folder', undefined, vscode.ConfigurationTarget.Global);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('CodeLenses: Run locally above each @dsl.pipeline, Debug component above each @dsl.component', async () => {
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const of = (cmd: string) => lenses.filter((l) => l.command?.command === cmd).map((l) => [l.range.start.line, l.command?.arguments?.[1]]);
    assert.deepEqual(of('kubeflow.pipelines.runLocally'), [[19, 'failing'], [24, 'missing_package']]);
    assert.deepEqual(of('kubeflow.localRuns.debugComponent'), [[4, 'divide'], [13, 'needs_package']]);
  });

  test('Run Locally of a failing pipeline: kept in the runs folder, a diagnostic at the failing line, the run view open', async () => {
    const uri = vscode.Uri.file(file);
    const id = await vscode.commands.executeCommand<string>('kubeflow.pipelines.runLocally', uri, 'failing', { arguments: { b: 0 } });
    assert.ok(id, 'a run started');
    const runJson = path.join(runs, id, 'run.json');
    const rec = await until('the run ended', () => {
      const r = fs.existsSync(runJson) ? (JSON.parse(fs.readFileSync(runJson, 'utf8')) as RunJson) : undefined;
      return r && r.state !== 'running' ? r : undefined;
    });
    assert.equal(rec.state, 'failed');
    assert.equal(rec.tasks.divide?.source?.line, 10);
    const diag = await until('the failing-line diagnostic', () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'Kubeflow local run'), 20_000);
    assert.equal(diag.range.start.line, 9, 'line 10 of the file');
    assert.match(diag.message, /task divide failed here: ValueError: cannot divide 6 by zero/);
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith('Local: failing'));
    assert.ok(tab, `the run view is open: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')}`);
  });

  test('Debug Component: the component waits under debugpy; a breakpoint in its body stops with the given inputs', async () => {
    const uri = vscode.Uri.file(file);
    const started = await vscode.commands.executeCommand<DebugStarted>('kubeflow.localRuns.debugComponent', uri, 'divide', { arguments: { a: 8, b: 4 } });
    assert.ok(started?.port, 'a debug run started');
    assert.equal(started.attached, false, 'no Python Debugger extension in this code-server: it waits for a DAP client');
    await until('debugpy listens', () => listening(started.port), 60_000);
    const dc = new DebugClient('unused', '', 'debugpy');
    dc.defaultTimeout = 60_000;
    await dc.start(started.port);
    try {
      await dc.initializeRequest({ adapterID: 'debugpy', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      const attached = dc.attachRequest({ justMyCode: true } as never);
      await dc.waitForEvent('initialized');
      await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: 8 }] });
      await dc.configurationDoneRequest();
      await attached;
      const stopped = await dc.waitForEvent('stopped');
      const frame = (await dc.stackTraceRequest({ threadId: stopped.body.threadId as number })).body.stackFrames[0]!;
      assert.deepEqual([frame.name, frame.line, frame.source?.path], ['divide', 8, file]);
      await dc.continueRequest({ threadId: stopped.body.threadId as number });
    } finally {
      await dc.stop().catch(() => undefined);
    }
    const runJson = path.join(runs, started.runId, 'run.json');
    const rec = await until('the debug run ended', () => {
      const r = JSON.parse(fs.readFileSync(runJson, 'utf8')) as RunJson & { outputs?: { parameters: Record<string, unknown> } };
      return r.state !== 'running' ? r : undefined;
    });
    assert.equal(rec.state, 'succeeded');
    assert.equal(rec.outputs?.parameters.Output, 2);
  });
});
