/**
 * Job logs in the editor: open the merged log of a job (or pod, or selector), filter by replica and by text (the
 * filtered document takes the tab's place, its title names the filter), jump to the first error or traceback, and
 * follow (keep the end in view).
 */
import * as vscode from 'vscode';
import type * as P from '../../companion-daemon/src/protocol';
import { validateSource } from '../../companion-daemon/src/logs/replicas';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { ERROR_LINE, LogDocuments, SCHEME, logUri, sourceOf } from './documents';
import { showErrorMessage, showInformationMessage } from '../notify';
import { textProblem } from './filter';

const JOB_KINDS: P.JobKind[] = ['PyTorchJob', 'TFJob', 'MPIJob', 'TrainJob', 'XGBoostJob', 'JAXJob', 'PaddleJob'];

export function logsFeature(ctx: Ctx): vscode.Disposable[] {
  const docs = new LogDocuments(ctx.daemon);
  const open = async (source: P.LogSource, label?: string): Promise<vscode.TextEditor> => {
    const doc = await vscode.workspace.openTextDocument(logUri(source, undefined, undefined, label));
    return vscode.window.showTextDocument(doc, { preview: false });
  };
  /** Shows `uri` in the tab of `from` (same column; the old tab closes): a filter changes what the tab shows. */
  const replace = async (from: vscode.TextEditor, uri: vscode.Uri): Promise<vscode.TextEditor> => {
    if (from.document.uri.toString() === uri.toString()) return from;
    const old = from.document.uri.toString();
    const tab = vscode.window.tabGroups.all.find((g) => g.viewColumn === from.viewColumn)?.tabs.find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === old);
    const shown = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { viewColumn: from.viewColumn, preview: false });
    if (tab) await vscode.window.tabGroups.close(tab, true);
    return shown;
  };
  const activeLog = (): vscode.TextEditor | undefined => {
    const e = vscode.window.activeTextEditor;
    if (e?.document.uri.scheme === SCHEME) return e;
    void showInformationMessage('Open a Kubeflow job log first (Kubeflow: Open Job Logs…).');
    return undefined;
  };

  return [
    docs,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    // Follow: while a log's editor is scrolled to the end, keep it there as lines arrive.
    docs.onDidChange((uri) => {
      if (!docs.following.has(uri.toString())) return;
      for (const e of vscode.window.visibleTextEditors) {
        if (e.document.uri.toString() === uri.toString()) {
          const last = e.document.lineCount - 1;
          e.revealRange(new vscode.Range(last, 0, last, 0), vscode.TextEditorRevealType.Default);
        }
      }
    }),
    // `label` names the tab instead of the source (a pipeline step's log: `<task> · <run name>`).
    vscode.commands.registerCommand('kubeflow.logs.open', async (source?: P.LogSource, label?: string) => {
      try {
        const s = source ?? (await askSource());
        if (!s) return;
        const problem = validateSource(s);
        if (problem) throw new Error(problem);
        await open(s, typeof label === 'string' ? label : undefined);
      } catch (err) {
        void showErrorMessage(`Cannot open the logs: ${describeError(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.logs.filterReplicas', async () => {
      const e = activeLog();
      if (!e) return;
      const { source, text, label } = sourceOf(e.document.uri);
      const all = docs.replicas(e.document.uri);
      const picked = await pickReplicas(all, `Show replicas of ${docs.title(e.document.uri)}`);
      if (!picked) return;
      await replace(e, logUri(source, picked.length === all.length ? undefined : picked, text, label));
    }),
    vscode.commands.registerCommand('kubeflow.logs.filterText', async () => {
      const e = activeLog();
      if (!e) return;
      const { source, replicas, text, label } = sourceOf(e.document.uri);
      const value = await vscode.window.showInputBox({
        title: `Show lines of ${docs.title(e.document.uri)} containing`,
        prompt: 'Text (any case), or /regular expression/flags. Empty shows every line.',
        value: text ?? '',
        validateInput: (v) => (v.trim() ? textProblem(v.trim()) : undefined),
      });
      if (value === undefined) return;
      await replace(e, logUri(source, replicas, value.trim() || undefined, label));
    }),
    vscode.commands.registerCommand('kubeflow.logs.jumpToError', () => {
      const e = activeLog();
      if (!e) return;
      for (let i = 0; i < e.document.lineCount; i++) {
        if (ERROR_LINE.test(e.document.lineAt(i).text)) {
          docs.following.delete(e.document.uri.toString());
          e.selection = new vscode.Selection(i, 0, i, e.document.lineAt(i).text.length);
          e.revealRange(new vscode.Range(i, 0, i, 0), vscode.TextEditorRevealType.AtTop);
          return;
        }
      }
      void showInformationMessage('No error or traceback in this log so far.');
    }),
    vscode.commands.registerCommand('kubeflow.logs.toggleFollow', () => {
      const e = activeLog();
      if (!e) return;
      const key = e.document.uri.toString();
      if (docs.following.has(key)) docs.following.delete(key);
      else {
        docs.following.add(key);
        const last = e.document.lineCount - 1;
        e.revealRange(new vscode.Range(last, 0, last, 0));
      }
      vscode.window.setStatusBarMessage(`Follow ${docs.following.has(key) ? 'on' : 'off'}`, 2000);
    }),
  ];
}

/**
 * Which replicas to show: nothing pre-checked; Enter takes the checked rows, or the highlighted one when none is
 * checked (type `worker-2`, Enter). "All replicas" clears the filter.
 */
function pickReplicas(all: string[], title: string): Promise<string[] | undefined> {
  const ALL = '$(list-flat) All replicas';
  const qp = vscode.window.createQuickPick();
  qp.title = title;
  qp.placeholder = 'Type to find a replica; Enter shows it (check several to see them together)';
  qp.canSelectMany = true;
  qp.items = [{ label: ALL, alwaysShow: true }, ...all.map((r) => ({ label: r }))];
  qp.selectedItems = [];
  return new Promise((resolve) => {
    let answer: string[] | undefined;
    qp.onDidAccept(() => {
      // Checked rows; else the highlighted one; else (a multi-select list may not report it) those the text matches.
      const text = qp.value.trim().toLowerCase();
      const rows = qp.selectedItems.length ? qp.selectedItems.map((r) => r.label) : qp.activeItems.length ? [qp.activeItems[0].label] : all.filter((r) => text && r.toLowerCase().includes(text));
      if (!rows.length) return;
      answer = rows.includes(ALL) ? all : rows;
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(answer);
      qp.dispose();
    });
    qp.show();
  });
}

async function askSource(): Promise<P.LogSource | undefined> {
  const kind = await vscode.window.showQuickPick([...JOB_KINDS, 'Pod'], { title: 'Kubeflow: Open Job Logs', placeHolder: 'What kind of resource?' });
  if (!kind) return undefined;
  const name = await vscode.window.showInputBox({ title: `${kind} name`, validateInput: (v) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : 'A Kubernetes name') });
  if (!name) return undefined;
  const namespace = await vscode.window.showInputBox({ title: 'Namespace', value: config.namespace() || 'default' });
  if (!namespace) return undefined;
  return kind === 'Pod' ? { kind: 'pod', namespace, name } : { kind: 'job', namespace, jobKind: kind as P.JobKind, name };
}
