/**
 * Read-only documents the training and Katib features show (a job's YAML, a registration plan): a content provider
 * for `kubeflow-view:` URIs, so closing them never asks to save. The file name in the path sets the language.
 */
import * as vscode from 'vscode';

export const VIEW_SCHEME = 'kubeflow-view';
const contents = new Map<string, string>();
const changed = new vscode.EventEmitter<vscode.Uri>();

export function registerReadOnlyDocuments(): vscode.Disposable[] {
  return [
    changed,
    vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => contents.get(uri.toString()) ?? '' }),
    vscode.workspace.onDidCloseTextDocument((d) => d.uri.scheme === VIEW_SCHEME && contents.delete(d.uri.toString())),
  ];
}

/** Shows `content` as a read-only document named `fileName` (`mnist.yaml`, `plan.jsonc`). */
export async function showReadOnly(fileName: string, content: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.from({ scheme: VIEW_SCHEME, path: `/${fileName.replace(/[^\w.-]+/g, '_')}` });
  contents.set(uri.toString(), content);
  changed.fire(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: true });
}
