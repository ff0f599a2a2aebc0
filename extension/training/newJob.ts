/**
 * "Kubeflow: New Training Job…": pick a template, name the job, and get a YAML file in the workspace (or an
 * untitled document without one) ready to edit and submit. MPIJob uses the API version the cluster serves.
 */
import * as vscode from 'vscode';
import { defaultName, TEMPLATES } from '../../core/training/templates';
import type { TrainingModel } from './model';

export async function newTrainingJob(model: TrainingModel): Promise<vscode.TextEditor | undefined> {
  const pick = await vscode.window.showQuickPick(
    TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t, ...(model.missing.includes(t.kind as never) ? { description: 'not installed in this cluster' } : {}) })),
    { title: 'Kubeflow: New Training Job', placeHolder: 'Which kind of job?', matchOnDetail: true },
  );
  if (!pick) return undefined;
  const name = await vscode.window.showInputBox({
    title: `${pick.template.kind} name`,
    value: defaultName(pick.template.id),
    validateInput: (v) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) && v.length <= 63 ? undefined : 'Lower-case letters, digits and dashes, at most 63 characters'),
  });
  if (!name) return undefined;
  const mpi = model.installed.find((k) => k.kind === 'MPIJob');
  const text = pick.template.render({ name, ...(mpi ? { mpiApiVersion: `${mpi.group}/${mpi.version}` } : {}) });
  const folder = vscode.workspace.workspaceFolders?.[0];
  let doc: vscode.TextDocument;
  if (folder) {
    const uri = await freeUri(folder.uri, name);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    doc = await vscode.workspace.openTextDocument(uri);
  } else {
    doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
  }
  return vscode.window.showTextDocument(doc, { preview: false });
}

async function freeUri(dir: vscode.Uri, name: string): Promise<vscode.Uri> {
  for (let i = 0; ; i++) {
    const uri = vscode.Uri.joinPath(dir, `${name}${i ? `-${i}` : ''}.yaml`);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      return uri;
    }
  }
}
