// Kale notebooks (PyPI kubeflow-kale 2.x) in VS Code's own notebook editor: a cell status-bar item shows each cell's
// Kale role (step and the steps it follows, imports, functions, pipeline parameters/metrics, skip) and edits it; *Kale:
// Show Pipeline Graph* compiles the notebook with Kale's own compiler and opens the graph beside it, compiled again
// as tags change; errors go on the cell; *Run Locally* / *Submit Run* take Kale's output.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { cellOfError, describeCellTags, readCellTags, validStepName, writeCellTags, type CellRole, type CellTags } from '../../core/kale/tags';
import type { KaleCompileResult } from '../../core/kale/compile.node';
import type { Feature } from '../ctx';
import { showErrorMessage } from '../notify';
import { preferredPython } from '../pipelines/python-env';

/** Where VS Code's ipynb serializer keeps a cell's nbformat metadata. */
function cellTags(cell: vscode.NotebookCell): string[] {
  const md = cell.metadata as { metadata?: { tags?: unknown[] } };
  return (md.metadata?.tags ?? []).filter((t): t is string => typeof t === 'string');
}

function isKaleNotebook(nb: vscode.NotebookDocument): boolean {
  const md = nb.metadata as { metadata?: Record<string, unknown>; kubeflow_notebook?: unknown };
  return Boolean(md.kubeflow_notebook ?? md.metadata?.kubeflow_notebook) || nb.getCells().some((c) => cellTags(c).some((t) => /^(step|prev|block):|^(imports|functions|pipeline-parameters|pipeline-metrics|skip)$/.test(t)));
}

const ROLES: { role: CellRole; label: string; detail: string }[] = [
  { role: 'step', label: 'Pipeline step', detail: 'step:<name>, with the steps it runs after (prev:)' },
  { role: 'imports', label: 'Imports', detail: 'put at the top of every step' },
  { role: 'functions', label: 'Functions', detail: 'definitions every step gets' },
  { role: 'pipeline-parameters', label: 'Pipeline parameters', detail: 'assignments that become the pipeline\'s parameters' },
  { role: 'pipeline-metrics', label: 'Pipeline metrics', detail: 'variables reported as metrics' },
  { role: 'skip', label: 'Skip', detail: 'left out of the pipeline' },
  { role: 'none', label: 'No Kale tag', detail: 'part of the step above' },
];

export const kaleFeature: Feature = (ctx) => {
  const diagnostics = vscode.languages.createDiagnosticCollection('kubeflow-kale');
  const changed = new vscode.EventEmitter<void>();
  const followed = new Map<string, NodeJS.Timeout | undefined>();

  const kalePython = async (uri: vscode.Uri): Promise<string> => {
    const setting = vscode.workspace.getConfiguration('kubeflow', uri).get<string>('kale.pythonPath', '').trim();
    return setting || (await preferredPython(uri, ctx.log)).path;
  };

  /** Writes the notebook as the editor has it (tags edited but not saved) next to it, for Kale to read. */
  const snapshot = (nb: vscode.NotebookDocument): string => {
    const disk = JSON.parse(fs.readFileSync(nb.uri.fsPath, 'utf8')) as { metadata?: unknown; nbformat?: number; nbformat_minor?: number };
    const cells = nb.getCells().map((c) => ({
      cell_type: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markdown',
      metadata: { ...((c.metadata as { metadata?: object }).metadata ?? {}) },
      source: c.document.getText(),
      ...(c.kind === vscode.NotebookCellKind.Code ? { outputs: [], execution_count: null } : {}),
    }));
    const dir = path.join(path.dirname(nb.uri.fsPath), '.kale');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${path.basename(nb.uri.fsPath, '.ipynb')}.kfvs.ipynb`);
    fs.writeFileSync(file, JSON.stringify({ cells, metadata: disk.metadata ?? {}, nbformat: disk.nbformat ?? 4, nbformat_minor: disk.nbformat_minor ?? 5 }, null, 1));
    return file;
  };

  const compile = async (nb: vscode.NotebookDocument): Promise<KaleCompileResult> => {
    const { compileKaleNotebook, noKaleMessage } = await import('../../core/kale/compile.node');
    const python = await kalePython(nb.uri);
    const res = await compileKaleNotebook({ python, notebook: snapshot(nb), overrides: { output_path: '.' } });
    diagnostics.forEach((u) => {
      if (nb.getCells().some((c) => c.document.uri.toString() === u.toString())) diagnostics.delete(u);
    });
    if (!res.ok) {
      const message = res.kind === 'no-kale' ? noKaleMessage(python) : res.error;
      ctx.log.warn(`Kale compile of ${nb.uri.fsPath} failed: ${message}${res.detail ? `\n${res.detail}` : ''}`);
      const i = cellOfError(message, nb.getCells().map((c) => readCellTags(cellTags(c))));
      const cell = nb.getCells()[i ?? 0];
      if (cell) diagnostics.set(cell.document.uri, [Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `Kale: ${message}`, vscode.DiagnosticSeverity.Error), { source: 'Kale' })]);
      return { ...res, error: message };
    }
    ctx.log.info(`Kale compiled ${nb.uri.fsPath}: ${res.steps.map((s) => `${s.name}${s.prev.length ? ` ← ${s.prev.join(',')}` : ''}`).join('; ')} → ${res.yaml}`);
    return res;
  };

  const notebookOf = (arg?: unknown): vscode.NotebookDocument | undefined => {
    if (arg instanceof vscode.Uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === arg.toString());
    const a = arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined;
    if (a?.notebookEditor?.notebookUri) return notebookOf(a.notebookEditor.notebookUri);
    return vscode.window.activeNotebookEditor?.notebook;
  };

  const showGraph = async (arg?: unknown): Promise<KaleCompileResult | undefined> => {
    const nb = notebookOf(arg);
    if (!nb) return undefined;
    const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Kale: compiling the notebook…' }, () => compile(nb));
    if (!res.ok) {
      void showErrorMessage(`Kale: ${path.basename(nb.uri.fsPath)} does not compile: ${res.error}`);
      return res;
    }
    if (!followed.has(nb.uri.toString())) followed.set(nb.uri.toString(), undefined);
    await vscode.commands.executeCommand('kubeflow.pipelines.showGraph', vscode.Uri.file(res.yaml));
    return res;
  };

  const editCell = async (arg?: vscode.NotebookCell | { notebook?: vscode.Uri; index?: number }, preset?: CellTags): Promise<void> => {
    const cell = arg && 'document' in arg ? arg : arg && 'index' in arg && arg.notebook ? notebookOf(arg.notebook)?.cellAt(arg.index ?? 0) : vscode.window.activeNotebookEditor?.notebook.cellAt(vscode.window.activeNotebookEditor.selection.start);
    if (!cell) return;
    const now = readCellTags(cellTags(cell));
    let next: CellTags | undefined = preset;
    if (!next) {
      const pick = await vscode.window.showQuickPick(ROLES.map((r) => ({ ...r, description: r.role === now.role ? '(now)' : '' })), { title: `Kale: cell ${cell.index + 1} is…` });
      if (!pick) return;
      next = { ...now, role: pick.role, prev: pick.role === 'step' ? now.prev : [] };
      if (pick.role === 'step') {
        const name = await vscode.window.showInputBox({ title: 'Step name', value: now.step ?? `step_${cell.index + 1}`, validateInput: (v) => validStepName(v.trim()) });
        if (name === undefined) return;
        next.step = name.trim();
        const steps = [...new Set(cell.notebook.getCells().map((c) => readCellTags(cellTags(c)).step).filter((s): s is string => Boolean(s) && s !== next!.step))];
        const prev = await vscode.window.showQuickPick(steps.map((s) => ({ label: s, picked: now.prev.includes(s) })), { title: `Steps ${next.step} runs after`, canPickMany: true });
        if (prev === undefined) return;
        next.prev = prev.map((p) => p.label);
      }
    }
    const md = JSON.parse(JSON.stringify(cell.metadata ?? {})) as { metadata?: { tags?: string[] } };
    md.metadata = { ...(md.metadata ?? {}), tags: writeCellTags(next) };
    const edit = new vscode.WorkspaceEdit();
    edit.set(cell.notebook.uri, [vscode.NotebookEdit.updateCellMetadata(cell.index, md)]);
    await vscode.workspace.applyEdit(edit);
  };

  /** Compiles the notebook, then hands Kale's output on (or says why it does not compile). */
  const withCompiled = async (arg: unknown, then: (res: Extract<KaleCompileResult, { ok: true }>) => Thenable<unknown>): Promise<void> => {
    const nb = notebookOf(arg);
    const res = nb && (await compile(nb));
    if (!res) return;
    if (!res.ok) void showErrorMessage(`Kale: the notebook does not compile: ${res.error}`);
    else await then(res);
  };

  const statusBar: vscode.NotebookCellStatusBarItemProvider = {
    onDidChangeCellStatusBarItems: changed.event,
    provideCellStatusBarItems(cell) {
      if (cell.kind !== vscode.NotebookCellKind.Code || !isKaleNotebook(cell.notebook)) return [];
      const t = readCellTags(cellTags(cell));
      const item = new vscode.NotebookCellStatusBarItem(`$(type-hierarchy-sub) Kale: ${describeCellTags(t)}`, vscode.NotebookCellStatusBarAlignment.Left);
      item.tooltip = 'Kale cell tag: click to change the step and the steps it runs after';
      item.command = { command: 'kubeflow.kale.editCell', title: 'Edit Kale tags', arguments: [{ notebook: cell.notebook.uri, index: cell.index }] };
      return [item];
    },
  };

  return [
    diagnostics,
    changed,
    { dispose: () => followed.forEach((t) => t && clearTimeout(t)) },
    vscode.notebooks.registerNotebookCellStatusBarItemProvider('jupyter-notebook', statusBar),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (!e.cellChanges.some((c) => c.metadata) && !e.contentChanges.length) return;
      changed.fire();
      const key = e.notebook.uri.toString();
      if (!followed.has(key)) return;
      // The graph beside follows the tags.
      clearTimeout(followed.get(key));
      followed.set(key, setTimeout(() => {
        followed.set(key, undefined);
        void showGraph(e.notebook.uri);
      }, 800));
    }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => followed.delete(nb.uri.toString())),
    vscode.commands.registerCommand('kubeflow.kale.editCell', editCell),
    vscode.commands.registerCommand('kubeflow.kale.tagsOf', (uri: vscode.Uri) => notebookOf(uri)?.getCells().map((c) => readCellTags(cellTags(c)))),
    vscode.commands.registerCommand('kubeflow.kale.showGraph', showGraph),
    vscode.commands.registerCommand('kubeflow.kale.compile', async (arg?: unknown) => {
      const nb = notebookOf(arg);
      return nb ? compile(nb) : undefined;
    }),
    vscode.commands.registerCommand('kubeflow.kale.runLocally', (arg?: unknown) => withCompiled(arg, async (res) => vscode.commands.executeCommand('kubeflow.pipelines.runLocally', vscode.Uri.file(res.dsl), undefined, { python: await kalePython(vscode.Uri.file(res.dsl)) }))),
    vscode.commands.registerCommand('kubeflow.kale.submit', (arg?: unknown) => withCompiled(arg, (res) => vscode.commands.executeCommand('kubeflow.pipelines.submitRun', vscode.Uri.file(res.yaml)))),
  ];
};
