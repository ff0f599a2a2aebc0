// Local runs: *Run Locally…* (CodeLens on `@dsl.pipeline`, the graph's button, the explorer, the palette) runs a
// Python pipeline with kfp.local in the Python the product resolves (python-env.ts), after the run form; the Local
// Runs view lists the kept runs; a failing component's line gets a diagnostic; *Debug Component…* (debug.ts).
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LocalRunRecord } from '../../core/localRun/record';
import type { Feature } from '../ctx';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';
import { describeChoice, resolvePython } from '../pipelines/python-env';
import { Presets } from '../runs/presets';
import { prepare, type Prepared } from '../runs/submit';
import { LocalRunForm } from './form';
import { LocalRunPanel, PIPELINE_FILE, type LocalPanelActions } from './panel';
import { LocalRunsStore } from './store';
import type { DebugOptions } from './debug';
import { ComponentCodeLens } from './codelens';
import { LocalRunsView, type LocalRunNode } from './view';

/** `kubeflow.pipelines.runLocally(uri, pipeline, { arguments })`: with arguments, no form (Re-run, tests). */
export interface RunLocallyOptions {
  arguments?: Record<string, unknown>;
  /** Open the run's graph (default true). */
  show?: boolean;
  /** The Python that runs it instead of the resolved one (Kale's, whose steps import Kale). */
  python?: string;
}

export const localRunsFeature: Feature = (ctx) => {
  const store = new LocalRunsStore(ctx);
  const view = new LocalRunsView(store);
  const presets = new Presets(ctx.extension.workspaceState);
  const diagnostics = vscode.languages.createDiagnosticCollection('kubeflow-local-runs');

  const compile = async (uri: vscode.Uri, pipeline: string | undefined, pythonOverride?: string): Promise<{ prepared: Prepared; python: string; where: string } | undefined> => {
    if (!/\.py$/i.test(uri.path) || uri.scheme !== 'file') {
      void showInformationMessage('Run Locally runs a Python pipeline file (a .py with @dsl.pipeline) with kfp.local; a compiled YAML runs on a cluster (Submit Run…).');
      return undefined;
    }
    const prepared = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Compiling ${path.basename(uri.fsPath)}…` }, () => prepare(uri, pipeline, ctx.log, new AbortController().signal));
    if ('error' in prepared) {
      void showErrorMessage(`Kubeflow: cannot run ${path.basename(uri.fsPath)} locally: ${prepared.error}`);
      return undefined;
    }
    if (pythonOverride) return { prepared, python: pythonOverride, where: `on this machine with ${pythonOverride}` };
    const python = await resolvePython(uri, ctx.log);
    return { prepared, python: python.path, where: `on this machine with ${describeChoice(python)}` };
  };

  const start = (c: { prepared: Prepared; python: string }, args: Record<string, unknown>, show = true, label?: string): LocalRunRecord => {
    const uri = c.prepared.uri!;
    // A new run of a file replaces the failing-line diagnostics of its earlier runs.
    for (const r of store.list()) if (r.file === uri.fsPath) clearDiagnosticsOf(r);
    const run = store.start({ python: c.python, uri, ...(c.prepared.pipeline ? { function: c.prepared.pipeline } : {}), arguments: args, ...(label ? { label } : {}) });
    fs.writeFileSync(path.join(run.dir, PIPELINE_FILE), c.prepared.text);
    if (show) LocalRunPanel.show(ctx, store, actions, run.record.id);
    return run.record;
  };

  const runLocally = async (arg?: vscode.Uri, pipeline?: string, options?: RunLocallyOptions): Promise<string | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void showInformationMessage('Open a Python pipeline (.py with @dsl.pipeline) first.');
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      void showInformationMessage('Restricted Mode: a local run runs the file\'s code. Trust this workspace to run it locally.');
      return undefined;
    }
    const c = await compile(uri, typeof pipeline === 'string' ? pipeline : undefined, options?.python);
    if (!c) return undefined;
    if (options?.arguments) return start(c, options.arguments, options.show !== false).id;
    LocalRunForm.show(ctx, presets, { prepared: c.prepared, where: c.where, key: `local:${Presets.key(uri, c.prepared.pipeline)}` }, async (parameters, runName) => {
      start(c, parameters, true, runName);
    });
    return undefined;
  };

  const actions: LocalPanelActions = {
    rerun: async (r) => {
      await runLocally(vscode.Uri.file(r.file), r.function || undefined, { arguments: r.arguments });
    },
    runAgain: async (r) => {
      const uri = vscode.Uri.file(r.file);
      const c = await compile(uri, r.function || undefined);
      if (!c) return;
      LocalRunForm.show(ctx, presets, { prepared: c.prepared, where: c.where, key: `local:${Presets.key(uri, c.prepared.pipeline)}`, initial: r.arguments }, async (parameters, runName) => {
        start(c, parameters, true, runName);
      });
    },
    debugTask: async (r, taskPath, task) => {
      await vscode.commands.executeCommand('kubeflow.localRuns.debugComponent', vscode.Uri.file(r.file), undefined, { fromRun: r.id, taskPath, task });
    },
  };

  const diagnosed = new Map<string, string[]>();
  const clearDiagnosticsOf = (r: LocalRunRecord) => {
    for (const f of diagnosed.get(r.id) ?? []) diagnostics.delete(vscode.Uri.file(f));
    diagnosed.delete(r.id);
  };
  const diagnose = (r: LocalRunRecord) => {
    if (r.state !== 'failed') return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const t of Object.values(r.tasks)) {
      if (t.state !== 'failed' || !t.source) continue;
      const line = Math.max(0, t.source.line - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), `Local run: task ${t.task}${t.iteration !== undefined ? ` (iteration ${t.iteration})` : ''} failed here: ${t.error ?? 'error'}`, vscode.DiagnosticSeverity.Error);
      d.source = 'Kubeflow local run';
      d.code = { value: 'open the run', target: vscode.Uri.file(path.join(store.dirOf(r.id) ?? '', 'run.json')) };
      byFile.set(t.source.file, [...(byFile.get(t.source.file) ?? []), d]);
    }
    for (const [f, ds] of byFile) diagnostics.set(vscode.Uri.file(f), [...(diagnostics.get(vscode.Uri.file(f)) ?? []), ...ds]);
    if (byFile.size) diagnosed.set(r.id, [...byFile.keys()]);
  };
  const notified = new Set<string>();

  const runOf = (n: LocalRunNode | undefined): LocalRunRecord | undefined => (n && 'run' in n ? n.run : undefined);

  return [
    store,
    view,
    diagnostics,
    store.onDidChange((r) => {
      if (r.state === 'running' || notified.has(r.id)) return;
      notified.add(r.id);
      diagnose(r);
      if (!LocalRunPanel.of(r.id)) {
        const label = `${r.name ?? path.basename(r.file)} (local)`;
        if (r.state === 'succeeded') void showInformationMessage(`Kubeflow: ${label} succeeded.`);
        else if (r.state === 'failed') void showErrorMessage(`Kubeflow: ${label} failed. ${r.error ?? ''}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.pipelines.runLocally', runLocally),
    vscode.commands.registerCommand('kubeflow.localRuns.refresh', () => view.refresh()),
    vscode.commands.registerCommand('kubeflow.localRuns.debugComponent', async (uri?: vscode.Uri, fn?: string, o?: DebugOptions) => {
      const { debugComponent } = await import('./debug');
      try {
        return await debugComponent(ctx, store, presets, uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri, typeof fn === 'string' ? fn : undefined, o ?? {});
      } catch (err) {
        void showErrorMessage(`Kubeflow: cannot debug the component: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, new ComponentCodeLens()),
    vscode.commands.registerCommand('kubeflow.localRuns.open', (n?: LocalRunNode | string) => {
      const id = typeof n === 'string' ? n : runOf(n)?.id;
      if (id) LocalRunPanel.show(ctx, store, actions, id);
    }),
    vscode.commands.registerCommand('kubeflow.localRuns.openTaskLog', async (n?: LocalRunNode) => {
      if (n?.type !== 'task') return;
      const file = path.join(store.dirOf(n.run.id) ?? '', n.task.log);
      if (!fs.existsSync(file)) {
        void showInformationMessage(`${n.task.task} wrote no log in this run.`);
        return;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    }),
    vscode.commands.registerCommand('kubeflow.localRuns.stop', (n?: LocalRunNode) => {
      const r = runOf(n);
      if (r) store.running(r.id)?.cancel();
    }),
    vscode.commands.registerCommand('kubeflow.localRuns.rerun', async (n?: LocalRunNode) => {
      const r = runOf(n);
      if (r) await actions.rerun(r);
    }),
    vscode.commands.registerCommand('kubeflow.localRuns.runAgain', async (n?: LocalRunNode) => {
      const r = runOf(n);
      if (r) await actions.runAgain(r);
    }),
    vscode.commands.registerCommand('kubeflow.localRuns.delete', async (n?: LocalRunNode, many?: LocalRunNode[]) => {
      const runs = (many?.length ? many : n ? [n] : []).map(runOf).filter((r): r is LocalRunRecord => Boolean(r) && r!.state !== 'running');
      if (!runs.length) return;
      const ok = await showWarningMessage(`Delete ${runs.length === 1 ? 'this local run' : `${runs.length} local runs`} with their logs and outputs?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
      for (const r of runs) {
        const dir = store.dirOf(r.id);
        clearDiagnosticsOf(r);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      }
      view.refresh();
    }),
    vscode.commands.registerCommand('kubeflow.localRuns.compare', async (n?: LocalRunNode, many?: LocalRunNode[]) => {
      const runs = (many ?? (n ? [n] : [])).map(runOf).filter((r): r is LocalRunRecord => Boolean(r));
      if (runs.length !== 2) {
        void showInformationMessage('Select two local runs (Ctrl+click) to compare them.');
        return;
      }
      const { compareLocalRuns } = await import('../../core/localRun/compare');
      const doc = await vscode.workspace.openTextDocument({ content: compareLocalRuns(runs[0]!, runs[1]!), language: 'markdown' });
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  ];
};
