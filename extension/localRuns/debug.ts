// *Debug Component…*: runs one `@dsl.component` in the driver's own process (the user's file, not kfp's ephemeral
// copy, so breakpoints in its body stop) under debugpy, with inputs from the run form or from a task of an earlier
// local run, and attaches VS Code's Python debugger (`type: debugpy`, extension ms-python.debugpy). Without that
// extension the component waits on a loopback port for any DAP client, and the message says what to install.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as vscode from 'vscode';
import { formSpec } from '../../core/kfp/params';
import { attachConfiguration, debugpyArgs, DEBUGPY_PROBE, noDebugpyMessage } from '../../core/localRun/debug';
import type { LocalRunRecord, LocalTaskRecord } from '../../core/localRun/record';
import { parsePipeline } from '../../core/pipeline/parse';
import { findComponentFunctions } from '../../core/pipeline/python-source';
import type { Ctx } from '../ctx';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';
import { resolvePython } from '../pipelines/python-env';
import { Presets } from '../runs/presets';
import { prepare, type Prepared } from '../runs/submit';
import { LocalRunForm } from './form';
import { PIPELINE_FILE } from './panel';
import type { LocalRunsStore } from './store';

export interface DebugOptions {
  /** A task of an earlier local run: its inputs are used. */
  fromRun?: string;
  taskPath?: string[];
  task?: string;
  /** Inputs given directly (tests): no form. */
  arguments?: Record<string, unknown>;
}

/** What a started debug run is (the command's result, for tests). */
export interface DebugStarted {
  runId: string;
  port: number;
  /** A VS Code debug session was started (the Python Debugger extension is there). */
  attached: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function hasDebugpy(python: string): Promise<boolean> {
  return new Promise((resolve) => execFile(python, DEBUGPY_PROBE, { timeout: 30_000, shell: false, windowsHide: true }, (err) => resolve(!err)));
}

/** The Python function of a task of a run's pipeline. */
function functionOfTask(dir: string, t: LocalTaskRecord): string | undefined {
  try {
    const model = parsePipeline(fs.readFileSync(path.join(dir, PIPELINE_FILE), 'utf8'));
    const comp = t.component ?? '';
    const executor = Object.values(model.dags).concat(model.root).flatMap((d) => d.tasks).find((x) => x.component === comp)?.executor;
    return executor ? model.executors[executor]?.pythonFunction : undefined;
  } catch {
    return undefined;
  }
}

/** The form of a component's inputs, from the compiled pipeline that uses it. */
function componentForm(p: Prepared, fn: string): Prepared | undefined {
  const model = parsePipeline(p.text);
  const execLabel = Object.entries(model.executors).find(([, e]) => e.pythonFunction === fn)?.[0];
  if (!execLabel) return undefined;
  const components = (p.spec.components ?? {}) as Record<string, { executorLabel?: string; inputDefinitions?: unknown }>;
  const comp = Object.entries(components).find(([, c]) => c.executorLabel === execLabel);
  if (!comp) return undefined;
  return { ...p, form: formSpec({ root: { inputDefinitions: comp[1].inputDefinitions ?? {} } }), name: fn };
}

export async function debugComponent(ctx: Ctx, store: LocalRunsStore, presets: Presets, uri: vscode.Uri | undefined, fn: string | undefined, o: DebugOptions = {}): Promise<DebugStarted | undefined> {
  let args = o.arguments;
  let file = uri;
  if (o.fromRun) {
    const run = store.get(o.fromRun);
    const dir = store.dirOf(o.fromRun);
    const inst = run && Object.values(run.tasks).filter((t) => t.task === o.task && JSON.stringify(t.path) === JSON.stringify(o.taskPath ?? t.path));
    const t = inst?.find((x) => x.state === 'failed') ?? inst?.[0];
    if (!run || !dir || !t) {
      void showInformationMessage(`${o.task ?? 'This task'} did not run in that local run: run the pipeline locally first, or use Debug Component… on its @dsl.component.`);
      return undefined;
    }
    file = vscode.Uri.file(run.file);
    fn ??= functionOfTask(dir, t);
    args ??= t.inputs ?? {};
  }
  if (!file || !/\.py$/i.test(file.path)) {
    void showInformationMessage('Debug Component runs a @dsl.component of a Python file: use the CodeLens above it, or a task of a local run.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void showInformationMessage('Restricted Mode: debugging a component runs the file\'s code. Trust this workspace first.');
    return undefined;
  }
  if (!fn) {
    const doc = await vscode.workspace.openTextDocument(file);
    const found = findComponentFunctions(doc.getText());
    fn = found.length === 1 ? found[0]!.name : (await vscode.window.showQuickPick(found.map((f) => f.name), { title: 'Which component?' }));
    if (!fn) return undefined;
  }
  const python = (await resolvePython(file, ctx.log)).path;
  if (!(await hasDebugpy(python))) {
    void showErrorMessage(`Kubeflow: cannot debug ${fn}. ${noDebugpyMessage(python)}`);
    return undefined;
  }
  const launch = async (a: Record<string, unknown>): Promise<DebugStarted> => {
    const port = await freePort();
    const run = store.start({ python, uri: file, function: fn, mode: 'component', arguments: a, pythonArgs: debugpyArgs(port) });
    const name = `Debug ${fn} (local)`;
    let attached = false;
    if (vscode.extensions.getExtension('ms-python.debugpy')) {
      attached = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(file), attachConfiguration(port, name) as vscode.DebugConfiguration);
    }
    if (!attached) {
      void showWarningMessage(`Kubeflow: ${fn} waits for a debugger on 127.0.0.1:${port}. Install the Python Debugger extension (ms-python.debugpy) to debug it in VS Code, or attach a DAP client to that port.`, 'Stop').then((pick) => {
        if (pick === 'Stop') store.running(run.record.id)?.cancel();
      });
    }
    return { runId: run.record.id, port, attached };
  };
  if (args) return launch(args);
  // Inputs: a task of an earlier local run of this file, or the form.
  const earlier = store.list().filter((r: LocalRunRecord) => r.file === file.fsPath).flatMap((r) => Object.values(r.tasks).filter((t) => t.inputs && functionOfTask(store.dirOf(r.id) ?? '', t) === fn).map((t) => ({ r, t })));
  if (earlier.length) {
    const pick = await vscode.window.showQuickPick(
      [{ label: 'Enter the inputs…', id: -1 }, ...earlier.slice(0, 20).map((e, i) => ({ label: `Inputs of ${e.t.task}${e.t.iteration !== undefined ? ` [${e.t.iteration}]` : ''} in the local run of ${new Date(e.r.started).toLocaleString()}`, description: e.t.state, id: i }))],
      { title: `Debug ${fn}: with which inputs?` },
    );
    if (!pick) return undefined;
    if (pick.id >= 0) return launch(earlier[pick.id]!.t.inputs!);
  }
  const p = await prepare(file, undefined, ctx.log, new AbortController().signal);
  const form = 'error' in p ? undefined : componentForm(p, fn);
  if (!form) {
    void showErrorMessage(`Kubeflow: cannot build the inputs form of ${fn}${'error' in p ? `: ${p.error}` : ': no pipeline of this file uses it'}. Run the pipeline locally once, then debug with that run's inputs.`);
    return undefined;
  }
  let started: DebugStarted | undefined;
  LocalRunForm.show(ctx, presets, { prepared: form, where: `in the debugger, with ${python}`, key: `debug:${Presets.key(file, fn)}`, title: 'Debug' }, async (parameters) => {
    started = await launch(parameters);
  });
  return started;
}
