/**
 * Notebooks: cluster kernels for local notebooks. Registers the Notebooks view, the commands, kernel
 * controllers for `.ipynb` files, completions and hover from the live kernel in their cells, and the Kernel Variables view. Nothing talks to the cluster until the view is shown, a command runs or a Jupyter
 * notebook is open (then the namespace's servers are listed so they appear in the kernel picker).
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { registerNotebookCommands, tokenKey } from './commands';
import { KernelControllers, NOTEBOOK_TYPE } from './controller';
import { ServerForwards } from './forward';
import type { ServerAuth } from './jupyter';
import { contributeToJupyter } from './jupyterExtension';
import { registerKernelIntelligence } from './intellisense';
import { ServerClients } from './kernel';
import { ServerStore, type ServerRef } from './servers';
import { KernelVariablesView } from './variables';
import { NotebooksView } from './view';

export function notebooksFeature(ctx: Ctx): vscode.Disposable[] {
  const store = new ServerStore(ctx.kube, ctx.log);
  const forwards = new ServerForwards(ctx.daemon, (ref) => {
    const s = ref.namespace === store.scope.namespace ? store.get(ref.name, 'Workspace') : undefined;
    return s?.jupyter ?? (s?.jupyterProblem ? { problem: s.jupyterProblem } : undefined);
  });
  const auth = async (s: ServerRef): Promise<ServerAuth> => {
    const token = await ctx.extension.secrets.get(tokenKey(s));
    return token ? { token } : {};
  };
  const clients = new ServerClients(forwards, auth);
  const controllers = new KernelControllers(ctx, store, clients);
  const view = new NotebooksView(store);
  const tree = vscode.window.createTreeView('kubeflow.notebooks', { treeDataProvider: view, showCollapseAll: false });
  view.tree = tree;
  const variables = new KernelVariablesView(controllers, ctx.log);

  let jupyter: vscode.Disposable | undefined;
  const onNotebook = (nb: vscode.NotebookDocument): void => {
    if (nb.notebookType !== NOTEBOOK_TYPE) return;
    controllers.restore(nb);
    // The servers become controllers, so the kernel picker lists them.
    void store.ensure();
    jupyter ??= contributeToJupyter({ kube: ctx.kube, store, forwards, log: ctx.log, auth });
  };
  // Notebooks already open (the window was reloaded, or the extension activated because one opened).
  setTimeout(() => vscode.workspace.notebookDocuments.forEach(onNotebook), 0);

  return [
    store,
    forwards,
    clients,
    controllers,
    view,
    tree,
    vscode.workspace.onDidOpenNotebookDocument(onNotebook),
    vscode.workspace.onDidCloseNotebookDocument((nb) => controllers.release(nb)),
    ...registerNotebookCommands({ ctx, store, forwards, clients, controllers }),
    ...registerKernelIntelligence(controllers),
    variables,
    vscode.commands.registerCommand('kubeflow.notebooks.refreshVariables', () => variables.refresh()),
    new vscode.Disposable(() => jupyter?.dispose()),
  ];
}
