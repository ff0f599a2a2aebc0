/**
 * When the Jupyter extension (`ms-toolsai.jupyter`) is installed, the notebook servers of the namespace also appear in
 * its kernel picker, through its server-collection API: each server resolves to the daemon forward's URL with the
 * XSRF cookie and header a token-less Kubeflow server needs. Without the extension nothing happens here and the
 * own controllers work alone. Typed against the documented API (`createJupyterServerCollection`), checked at run time.
 */
import * as vscode from 'vscode';
import * as P from '../../companion-daemon/src/protocol';
import type { Log } from '../log';
import { offerStart, upperFirst } from './actions';
import type { ServerForwards } from './forward';
import { requestHeaders, type ServerAuth } from './jupyter';
import type { Kube } from '../cluster/kube';
import { serverLabel, type ServerRef, type ServerStore } from './servers';

export const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';
const WORKSPACE_ID_PREFIX = 'workspace:';

interface JupyterServer {
  readonly id: string;
  readonly label: string;
  readonly connectionInformation?: { readonly baseUrl: vscode.Uri; readonly token?: string; readonly headers?: Record<string, string> };
}
interface JupyterServerProvider {
  onDidChangeServers?: vscode.Event<void>;
  provideJupyterServers(token: vscode.CancellationToken): vscode.ProviderResult<JupyterServer[]>;
  resolveJupyterServer(server: JupyterServer, token: vscode.CancellationToken): vscode.ProviderResult<JupyterServer>;
}
interface JupyterServerCollection {
  documentation?: vscode.Uri;
  dispose(): void;
}
interface JupyterApi {
  createJupyterServerCollection(id: string, label: string, provider: JupyterServerProvider): JupyterServerCollection;
}

function isJupyterApi(x: unknown): x is JupyterApi {
  return typeof (x as JupyterApi | undefined)?.createJupyterServerCollection === 'function';
}

/**
 * Registers the collection once the Jupyter extension is there (now, or when it gets installed). Call when a notebook
 * is open: activating the Jupyter extension is not free.
 */
export function contributeToJupyter(deps: { kube: Kube; store: ServerStore; forwards: ServerForwards; log: Log; auth: (s: ServerRef) => Promise<ServerAuth> }): vscode.Disposable {
  let collection: JupyterServerCollection | undefined;
  let trying = false;
  const changed = new vscode.EventEmitter<void>();
  const tryRegister = async (): Promise<void> => {
    const ext = vscode.extensions.getExtension(JUPYTER_EXTENSION_ID);
    if (!ext || collection || trying) return;
    trying = true;
    try {
      const api: unknown = ext.isActive ? ext.exports : await ext.activate();
      if (!isJupyterApi(api)) {
        deps.log.warn(`notebooks: ${JUPYTER_EXTENSION_ID} ${String(ext.packageJSON?.version)} has no createJupyterServerCollection; its kernel picker will not list Kubeflow servers`);
        return;
      }
      collection = api.createJupyterServerCollection('kubeflow-notebook-servers', 'Kubeflow Notebook Servers', {
        onDidChangeServers: changed.event,
        provideJupyterServers: async () => {
          await deps.store.ensure();
          return deps.store.list().map((s) => ({
            id: `${s.kind === 'Workspace' ? WORKSPACE_ID_PREFIX : ''}${deps.store.scope.contextName}/${s.namespace}/${s.name}`,
            label: `${s.name} (${s.kind === 'Workspace' ? `Workspace · ${s.phase === 'stopped' ? 'paused' : s.phase}` : s.phase} · ${s.namespace})`,
          }));
        },
        resolveJupyterServer: async (server, token) => {
          // ids: <context>/<namespace>/<name> (v1, as before Workspaces), workspace:<context>/<namespace>/<name>
          const name = server.id.split('/').pop()!;
          const kind = server.id.startsWith(WORKSPACE_ID_PREFIX) ? 'Workspace' : 'Notebook';
          const s = deps.store.get(name, kind);
          if (!s) throw new Error(`${upperFirst(serverLabel({ name, kind }))} no longer exists.`);
          if (s.jupyterProblem) throw new Error(`Workspace ${name} cannot run notebooks: ${s.jupyterProblem}`);
          if (s.phase !== 'running' && !(await offerStart(deps.kube, deps.store, s))) throw new vscode.CancellationError();
          if (token.isCancellationRequested) throw new vscode.CancellationError();
          const ref = deps.store.ref(name, kind);
          const info = await deps.forwards.ensure(ref);
          const auth = await deps.auth(ref);
          return { ...server, connectionInformation: { baseUrl: vscode.Uri.parse(info.url), ...(auth.token ? { token: auth.token } : {}), headers: requestHeaders({ headers: { ...auth.headers, ...P.forwardHeaders(info) } }) } };
        },
      });
      deps.log.info('notebooks: Kubeflow notebook servers are listed in the Jupyter extension\'s kernel picker');
    } catch (err) {
      deps.log.warn(`notebooks: cannot contribute to the Jupyter extension: ${(err as Error).message}`);
    } finally {
      trying = false;
    }
  };
  void tryRegister();
  const subs = [
    vscode.extensions.onDidChange(() => void tryRegister()),
    deps.store.onDidChange(() => changed.fire()),
  ];
  return new vscode.Disposable(() => {
    subs.forEach((s) => s.dispose());
    collection?.dispose();
    changed.dispose();
  });
}
