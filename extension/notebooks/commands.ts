/**
 * The Notebooks commands: the view's actions (create, start, stop, delete, open in browser, refresh), "Select Notebook
 * Server…" for the open notebook (starting a stopped server after asking), restart kernel, upload/download of the
 * notebook file, and the token of a server that asks for one.
 */
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { createServer, deleteServer, offerStart, startServer, stopServer, waitRunning } from './actions';
import { createWorkspace } from './createWorkspace';
import { download, upload } from './contents';
import { NOTEBOOK_TYPE, serverPath, type KernelControllers } from './controller';
import type { ServerForwards } from './forward';
import type { ServerClients } from './kernel';
import { describeResources, shortImage, type NotebookServer } from './model';
import { serverKey, serverLabel, type ServerKind, type ServerRef, type ServerStore } from './servers';
import type { ServerItem } from './view';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

export const EXTENSION_ID = 'kubeflow-vscode.kubeflow-vscode';

export interface NotebookDeps {
  ctx: Ctx;
  store: ServerStore;
  forwards: ServerForwards;
  clients: ServerClients;
  controllers: KernelControllers;
}

export function tokenKey(s: ServerRef): string {
  return `kubeflow.notebooks.token/${serverKey(s)}`;
}

export function registerNotebookCommands(d: NotebookDeps): vscode.Disposable[] {
  const { ctx, store } = d;
  const guarded = <A extends unknown[]>(what: string, fn: (...args: A) => Promise<unknown>) => async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof vscode.CancellationError) return undefined;
      ctx.log.error(`${what}: ${describeError(err)}`);
      void showErrorMessage(`${what}: ${describeError(err)}`, 'Show Log').then((a) => a && ctx.log.show());
      return undefined;
    }
  };
  /** The server of a view item, else one picked from the namespace's servers (optionally filtered). */
  const serverOf = async (item: ServerItem | undefined, filter: (s: NotebookServer) => boolean, placeHolder: string): Promise<NotebookServer | undefined> => {
    if (item?.server) return item.server;
    return pickServer(store, placeHolder, filter);
  };
  const activeNotebook = (arg?: unknown): vscode.NotebookDocument | undefined => {
    if (arg instanceof vscode.Uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === arg.toString());
    const a = arg as { notebookEditor?: { notebookUri?: vscode.Uri }; uri?: vscode.Uri } | undefined;
    const uri = a?.notebookEditor?.notebookUri ?? a?.uri;
    if (uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString());
    const nb = vscode.window.activeNotebookEditor?.notebook;
    return nb?.notebookType === NOTEBOOK_TYPE ? nb : undefined;
  };
  const needNotebook = (arg?: unknown): vscode.NotebookDocument => {
    const nb = activeNotebook(arg);
    if (!nb) throw new Error('Open a Jupyter notebook (.ipynb) first.');
    return nb;
  };
  /** The running server a notebook's file goes to: its bound one, else a picked one. */
  const fileServer = async (nb: vscode.NotebookDocument): Promise<ServerRef | undefined> => {
    const b = d.controllers.binding(nb);
    if (b) return b.server;
    const s = await pickServer(store, 'Notebook server', (x) => x.phase === 'running');
    return s && store.ref(s.name, s.kind);
  };

  return [
    vscode.commands.registerCommand('kubeflow.notebooks.refresh', guarded('Cannot list notebook servers', async () => store.restart())),
    vscode.commands.registerCommand('kubeflow.notebooks.create', guarded('Cannot create the notebook server', async () => {
      const kind = await pickNewKind(store);
      if (!kind) return;
      const name = kind === 'Workspace' ? await createWorkspace(ctx.kube, store) : await createServer(ctx.kube, store);
      if (!name) return;
      ctx.log.info(`notebooks: created ${kind} ${name}`);
      void showInformationMessage(`Creating ${serverLabel({ name, kind })}…`, 'Wait Until Running').then((a) => a && waitRunning(store, { name, kind }));
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.start', guarded('Cannot start the notebook server', async (item?: ServerItem) => {
      const s = await serverOf(item, (x) => x.phase === 'stopped' || x.phase === 'stopping', 'Notebook server to start');
      if (!s) return;
      await startServer(ctx.kube, store, s);
      await waitRunning(store, s);
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.stop', guarded('Cannot stop the notebook server', async (item?: ServerItem) => {
      const s = await serverOf(item, (x) => x.phase !== 'stopped' && x.phase !== 'terminating', 'Notebook server to stop');
      if (!s) return;
      const key = serverKey(store.ref(s.name, s.kind));
      const kernels = vscode.workspace.notebookDocuments.filter((nb) => { const b = d.controllers.binding(nb); return b && serverKey(b.server) === key; }).length;
      const verb = s.kind === 'Workspace' ? 'Pause' : 'Stop';
      if (kernels > 0) {
        const a = await showWarningMessage(`${verb} ${s.name}? ${kernels} open notebook(s) run on it; their kernels and variables are lost.`, { modal: true }, verb);
        if (a !== verb) return;
      }
      await stopServer(ctx.kube, store, s);
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.delete', guarded('Cannot delete the notebook server', async (item?: ServerItem) => {
      const s = await serverOf(item, () => true, 'Notebook server to delete');
      if (s && (await deleteServer(ctx.kube, s))) ctx.log.info(`notebooks: deleted ${s.name}`);
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.openInBrowser', guarded('Cannot open the notebook server', async (item?: ServerItem) => {
      const s = await serverOf(item, () => true, 'Notebook server to open');
      if (!s || !(await offerStart(ctx.kube, store, s))) return;
      const info = await d.forwards.ensure(store.ref(s.name, s.kind));
      await vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(P.browserUrl(info, `${new URL(info.url).pathname}lab`))));
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.selectServer', guarded('Cannot use the notebook server', async (arg?: unknown) => {
      const nb = needNotebook(arg);
      const s = await pickServer(store, `Run ${nb.uri.path.split('/').pop()} on`, () => true, true);
      if (!s) return;
      if (s.jupyterProblem) throw new Error(`Workspace ${s.name} cannot run notebooks: ${s.jupyterProblem}`);
      if (s.phase !== 'running' && !(await offerStart(ctx.kube, store, s))) return;
      const controller = d.controllers.controllerFor(store.ref(s.name, s.kind));
      const editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === nb) ?? (await vscode.window.showNotebookDocument(nb));
      await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: controller.id, extension: EXTENSION_ID });
      return controller.id;
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.restartKernel', guarded('Cannot restart the kernel', async (arg?: unknown) => {
      const nb = needNotebook(arg);
      const a = await showWarningMessage('Restart the kernel? Its variables are lost.', { modal: true }, 'Restart');
      if (a !== 'Restart') return;
      await d.controllers.restart(nb);
      // The server answered the restart: the kernel is new and idle.
      vscode.window.setStatusBarMessage('$(debug-restart) Kernel restarted', 10_000);
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.upload', guarded('Cannot upload the notebook', async (arg?: unknown) => {
      const nb = needNotebook(arg);
      if (nb.isUntitled) throw new Error('Save the notebook to a file first.');
      const server = await fileServer(nb);
      if (!server) return;
      const { client } = await d.clients.get(server);
      const p = await upload(client, nb.uri, serverPath(nb.uri));
      if (p) void showInformationMessage(`Uploaded to ${p} on ${server.name}.`);
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.download', guarded('Cannot download the notebook', async (arg?: unknown) => {
      const nb = needNotebook(arg);
      if (nb.isUntitled) throw new Error('Save the notebook to a file first.');
      const server = await fileServer(nb);
      if (!server) return;
      const { client } = await d.clients.get(server);
      const to = await download(client, nb.uri, serverPath(nb.uri));
      if (to && to.toString() !== nb.uri.toString()) await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(to));
    })),
    vscode.commands.registerCommand('kubeflow.notebooks.setToken', guarded('Cannot set the token', async (arg?: ServerRef | ServerItem) => {
      const ref = arg && 'contextName' in arg ? arg : arg && 'server' in arg ? store.ref(arg.server.name, arg.server.kind) : await pickServer(store, 'Server that asks for a token', () => true).then((s) => s && store.ref(s.name, s.kind));
      if (!ref) return;
      const token = await vscode.window.showInputBox({ title: `Token of notebook server ${ref.name}`, prompt: 'The Jupyter token (empty to remove it). Kept in VS Code\'s secret storage.', password: true, ignoreFocusOut: true });
      if (token === undefined) return;
      if (token) await ctx.extension.secrets.store(tokenKey(ref), token);
      else await ctx.extension.secrets.delete(tokenKey(ref));
      d.clients.reset(ref);
    })),
  ];
}

/** A quick pick of the namespace's servers with their state; says so when there are none (and offers to create). */
export async function pickServer(store: ServerStore, placeHolder: string, filter: (s: NotebookServer) => boolean, offerCreate = false): Promise<NotebookServer | undefined> {
  await store.ensure();
  if (store.error) throw new Error(store.error);
  const all = store.list().filter(filter);
  const ns = store.scope.namespace;
  if (all.length === 0) {
    const actions = offerCreate ? ['Create Notebook Server…', 'Select Namespace…'] : ['Select Namespace…'];
    const a = await showWarningMessage(`There is no notebook server${store.list().length ? ' that fits' : ''} in namespace ${ns}.`, ...actions);
    if (a === 'Create Notebook Server…') await vscode.commands.executeCommand('kubeflow.notebooks.create');
    if (a === 'Select Namespace…') await vscode.commands.executeCommand('kubeflow.selectNamespace');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(all.map((s) => ({
    label: s.name,
    description: [s.kind === 'Workspace' ? `Workspace (${s.workspaceKind ?? '?'})` : undefined, s.phase === 'stopped' && s.kind === 'Workspace' ? 'paused' : s.phase, s.imageOption ?? shortImage(s.image).split('/').pop()].filter(Boolean).join(' · '),
    detail: [describeResources(s), s.reason, s.jupyterProblem].filter(Boolean).join(' — ') || undefined,
    s,
  })), { title: `Notebook servers in ${ns}`, placeHolder, matchOnDescription: true });
  return pick?.s;
}

/** What "Create" makes: a v1 Notebook, a Notebooks 2.0 Workspace, or (when the cluster serves both) the person's pick. */
async function pickNewKind(store: ServerStore): Promise<ServerKind | undefined> {
  await store.ensure();
  const { notebooks, workspaces } = store.apis;
  if (!workspaces) return 'Notebook';
  if (!notebooks) return 'Workspace';
  const pick = await vscode.window.showQuickPick([
    { label: 'Workspace', description: 'Kubeflow Notebooks 2.0, from a WorkspaceKind', make: 'Workspace' as const },
    { label: 'Notebook server', description: 'Kubeflow Notebooks v1', make: 'Notebook' as const },
  ], { title: `Create in ${store.scope.namespace}`, placeHolder: 'What to create', ignoreFocusOut: true });
  return pick?.make;
}
