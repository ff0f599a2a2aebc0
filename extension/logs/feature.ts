/**
 * Job logs in the editor: open the merged log of a job (or pod, or selector), filter by replica, jump to the first
 * error or traceback, and follow (keep the end in view).
 */
import * as vscode from 'vscode';
import type * as P from '../../companion-daemon/src/protocol';
import { validateSource } from '../../companion-daemon/src/logs/replicas';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { ERROR_LINE, LogDocuments, SCHEME, logUri, sourceOf } from './documents';
import { showErrorMessage, showInformationMessage } from '../notify';

const JOB_KINDS: P.JobKind[] = ['PyTorchJob', 'TFJob', 'MPIJob', 'TrainJob', 'XGBoostJob', 'JAXJob', 'PaddleJob'];

export function logsFeature(ctx: Ctx): vscode.Disposable[] {
  const docs = new LogDocuments(ctx.daemon);
  const open = async (source: P.LogSource, replicas?: string[]): Promise<vscode.TextEditor> => {
    const doc = await vscode.workspace.openTextDocument(logUri(source, replicas));
    return vscode.window.showTextDocument(doc, { preview: false });
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
    vscode.commands.registerCommand('kubeflow.logs.open', async (source?: P.LogSource) => {
      try {
        const s = source ?? (await askSource());
        if (!s) return;
        const problem = validateSource(s);
        if (problem) throw new Error(problem);
        await open(s);
      } catch (err) {
        void showErrorMessage(`Cannot open the logs: ${describeError(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.logs.filterReplicas', async () => {
      const e = activeLog();
      if (!e) return;
      const { source, replicas } = sourceOf(e.document.uri);
      const all = docs.replicas(e.document.uri);
      const picked = await vscode.window.showQuickPick(
        all.map((r) => ({ label: r, picked: !replicas || replicas.includes(r) })),
        { canPickMany: true, title: `Replicas of ${docs.title(e.document.uri)}` },
      );
      if (!picked) return;
      await open(source, picked.length === all.length ? undefined : picked.map((p) => p.label));
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

async function askSource(): Promise<P.LogSource | undefined> {
  const kind = await vscode.window.showQuickPick([...JOB_KINDS, 'Pod'], { title: 'Kubeflow: Open Job Logs', placeHolder: 'What kind of resource?' });
  if (!kind) return undefined;
  const name = await vscode.window.showInputBox({ title: `${kind} name`, validateInput: (v) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : 'A Kubernetes name') });
  if (!name) return undefined;
  const namespace = await vscode.window.showInputBox({ title: 'Namespace', value: config.namespace() || 'default' });
  if (!namespace) return undefined;
  return kind === 'Pod' ? { kind: 'pod', namespace, name } : { kind: 'job', namespace, jobKind: kind as P.JobKind, name };
}
