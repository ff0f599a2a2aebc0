/**
 * Copying a notebook file between the local workspace and the server's volume through the Jupyter contents API, on
 * demand: upload puts the saved local file at the notebook's server path (folders created, overwrite confirmed);
 * download writes the server's copy over the local file (never over unsaved local edits) or next to it.
 */
import { ServerConnection } from '@jupyterlab/services';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { explain, type JupyterServerClient } from './jupyter';
import { siblingPath } from './sibling';
import { showInformationMessage, showWarningMessage } from '../notify';

export interface ContentModel {
  name: string;
  path: string;
  type: 'notebook' | 'file' | 'directory';
  last_modified?: string;
  content?: unknown;
}

const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');

async function call(client: JupyterServerClient, method: string, p: string, query = '', body?: unknown): Promise<Response> {
  const url = `${client.settings.baseUrl}api/contents/${encode(p)}${query}`;
  let res: Response;
  try {
    res = await ServerConnection.makeRequest(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, client.settings);
  } catch (err) {
    throw explain(err, client.label);
  }
  if (res.status >= 400 && res.status !== 404) throw explain(new ServerConnection.ResponseError(res, `${method} ${p}: ${res.status} ${res.statusText}`), client.label);
  return res;
}

/** The model of a path on the server, or undefined when it does not exist. */
export async function stat(client: JupyterServerClient, p: string, content = false): Promise<ContentModel | undefined> {
  const res = await call(client, 'GET', p, `?content=${content ? 1 : 0}`);
  return res.status === 404 ? undefined : ((await res.json()) as ContentModel);
}

/** Creates each missing folder of `dir` (Jupyter's PUT of a directory model). */
export async function ensureDir(client: JupyterServerClient, dir: string): Promise<void> {
  let cur = '';
  for (const part of dir.split('/').filter(Boolean)) {
    cur = cur ? `${cur}/${part}` : part;
    if (!(await stat(client, cur))) await call(client, 'PUT', cur, '', { type: 'directory' });
  }
}

export async function putNotebook(client: JupyterServerClient, p: string, nbJson: unknown): Promise<ContentModel> {
  await ensureDir(client, path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p));
  const res = await call(client, 'PUT', p, '', { type: 'notebook', format: 'json', content: nbJson });
  if (res.status >= 300) throw new Error(`${client.label}: saving ${p} answered ${res.status}`);
  return (await res.json()) as ContentModel;
}

export async function getNotebook(client: JupyterServerClient, p: string): Promise<unknown | undefined> {
  const res = await call(client, 'GET', p, '?type=notebook&content=1');
  if (res.status === 404) return undefined;
  return ((await res.json()) as ContentModel).content;
}

export async function listNotebooks(client: JupyterServerClient, dir: string): Promise<ContentModel[]> {
  const m = await stat(client, dir, true);
  return m?.type === 'directory' ? ((m.content as ContentModel[]) ?? []).filter((c) => c.type === 'notebook') : [];
}

/** Uploads the saved local notebook; asks before replacing a server copy. Resolves the server path, or undefined. */
export async function upload(client: JupyterServerClient, local: vscode.Uri, serverPath: string): Promise<string | undefined> {
  const doc = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === local.toString());
  if (doc?.isDirty) {
    const a = await showWarningMessage(`${path.basename(local.fsPath)} has unsaved changes. Save it and upload the saved file?`, { modal: true }, 'Save and Upload');
    if (a !== 'Save and Upload' || !(await doc.save())) return undefined;
  }
  const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(local))) as unknown;
  const existing = await stat(client, serverPath);
  if (existing) {
    const a = await showWarningMessage(`Replace ${serverPath} on ${client.label}?`, { modal: true, detail: `The server's copy was last modified ${existing.last_modified ?? 'at an unknown time'}.` }, 'Replace');
    if (a !== 'Replace') return undefined;
  }
  await putNotebook(client, serverPath, json);
  return serverPath;
}

/**
 * Downloads a notebook from the server: the one at the notebook's own server path (replacing the local file, which
 * must have no unsaved changes), or another one of that folder, saved next to the local file.
 */
export async function download(client: JupyterServerClient, local: vscode.Uri, serverPath: string): Promise<vscode.Uri | undefined> {
  const dir = path.posix.dirname(serverPath) === '.' ? '' : path.posix.dirname(serverPath);
  const choices = await listNotebooks(client, dir);
  if (choices.length === 0) {
    void showInformationMessage(`There is no notebook in ${dir || 'the home folder'} on ${client.label}.`);
    return undefined;
  }
  const pick = choices.length === 1 && choices[0].path === serverPath
    ? choices[0]
    : (await vscode.window.showQuickPick(choices.map((c) => ({ label: c.name, description: c.path === serverPath ? 'same path as this notebook (replaces the local file)' : `saved next to ${path.basename(local.fsPath)}`, detail: c.last_modified, c })), { title: `Download from ${client.label}` }))?.c;
  if (!pick) return undefined;
  // The name is the server's: a plain file name in the notebook's own folder, or nothing is written.
  const target = pick.path === serverPath ? local : local.with({ path: siblingPath(local.path, pick.name) });
  const open = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === target.toString());
  if (open?.isDirty) {
    void showWarningMessage(`${path.basename(target.fsPath)} has unsaved changes; save or revert them before downloading over it.`);
    return undefined;
  }
  const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
  if (exists) {
    const a = await showWarningMessage(`Replace the local ${path.basename(target.fsPath)} with the server's copy?`, { modal: true, detail: `${pick.path} on ${client.label}, modified ${pick.last_modified ?? '?'}` }, 'Replace');
    if (a !== 'Replace') return undefined;
  }
  const content = await getNotebook(client, pick.path);
  if (content === undefined) throw new Error(`${pick.path} disappeared from ${client.label}`);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(JSON.stringify(content, null, 1) + '\n'));
  // An open notebook shows the new content now, not when the file watcher gets to it.
  if (open && vscode.window.activeNotebookEditor?.notebook === open) await vscode.commands.executeCommand('workbench.action.files.revert');
  return target;
}
