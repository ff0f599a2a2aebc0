/**
 * Port Forwards: the view, the status-bar item and the commands (start, stop, restart, copy URL, open in browser).
 * The daemon does the forwarding; this only asks and renders.
 */
import * as vscode from 'vscode';
import { describeTarget, validateTarget } from '../../companion-daemon/src/forwards/resolve';
import * as P from '../../companion-daemon/src/protocol';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { ForwardItem, PortForwardsView } from './view';
import { showErrorMessage, showInformationMessage } from '../notify';

export function portForwardsFeature(ctx: Ctx): vscode.Disposable[] {
  const view = new PortForwardsView(ctx.daemon);
  const tree = vscode.window.createTreeView('kubeflow.portForwards', { treeDataProvider: view, showCollapseAll: false });
  const pick = async (item?: ForwardItem): Promise<P.ForwardInfo | undefined> => {
    if (item) return item.info;
    const list = await ctx.daemon.request(P.listForwards);
    if (list.length === 0) {
      void showInformationMessage('There are no Kubeflow port-forwards.');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(list.map((f) => ({ label: f.url, description: describeTarget(f.target), f })), { placeHolder: 'Port-forward' });
    return chosen?.f;
  };
  const guarded = (what: string, fn: (item?: ForwardItem) => Promise<unknown>) => async (item?: ForwardItem) => {
    try {
      await fn(item);
    } catch (err) {
      ctx.log.error(`${what}: ${describeError(err)}`);
      void showErrorMessage(`${what}: ${describeError(err)}`, 'Show Log').then((a) => a && ctx.log.show());
    }
  };

  return [
    view,
    tree,
    vscode.commands.registerCommand('kubeflow.portForwards.start', guarded('Cannot start the port-forward', async () => {
      const target = await askTarget();
      if (!target) return;
      const info = await ctx.daemon.request(P.startForward, { target });
      view.upsert(info);
      void showInformationMessage(`Forwarding ${info.url}`, 'Copy URL').then((a) => a && vscode.env.clipboard.writeText(info.url));
    })),
    vscode.commands.registerCommand('kubeflow.portForwards.stop', guarded('Cannot stop the port-forward', async (item) => {
      const f = await pick(item);
      if (!f) return;
      await ctx.daemon.request(P.stopForward, { id: f.id });
      view.remove(f.id);
    })),
    vscode.commands.registerCommand('kubeflow.portForwards.restart', guarded('Cannot restart the port-forward', async (item) => {
      const f = await pick(item);
      if (f) view.upsert(await ctx.daemon.request(P.restartForward, { id: f.id }));
    })),
    vscode.commands.registerCommand('kubeflow.portForwards.copyUrl', guarded('Cannot copy the URL', async (item) => {
      const f = await pick(item);
      if (!f) return;
      await vscode.env.clipboard.writeText(f.url);
      vscode.window.setStatusBarMessage(`Copied ${f.url}`, 3000);
    })),
    vscode.commands.registerCommand('kubeflow.portForwards.openInBrowser', guarded('Cannot open the forward', async (item) => {
      const f = await pick(item);
      if (!f) return;
      // asExternalUri maps 127.0.0.1 through the remote's tunnel where the window is remote (code-server, SSH).
      // A forward with a secret (the editor's own) lets a browser in through its login path (sets the cookie).
      await vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(P.browserUrl(f, new URL(f.url).pathname))));
    })),
    vscode.commands.registerCommand('kubeflow.portForwards.refresh', guarded('Cannot list the port-forwards', () => view.load())),
    vscode.commands.registerCommand('kubeflow.daemon.restart', guarded('Cannot restart the companion daemon', () => ctx.daemon.restart())),
  ];
}

/** Asks for a target as people write them: `notebook/NAME`, `pod/NAME:PORT`, `svc/NAME:PORT`. */
async function askTarget(): Promise<P.ForwardTarget | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Kubeflow: Start Port-Forward',
    prompt: 'notebook/NAME, pod/NAME:PORT or svc/NAME:PORT, optionally NAMESPACE/ in front (e.g. kubeflow/svc/ml-pipeline:8888)',
    placeHolder: 'svc/ml-pipeline:8888',
    validateInput: (v) => {
      const t = parseTarget(v);
      return typeof t === 'string' ? t : undefined;
    },
  });
  if (!text) return undefined;
  const t = parseTarget(text);
  return typeof t === 'string' ? undefined : t;
}

/** Parses `[ns/]kind/name[:port]`; returns the target or the problem. */
export function parseTarget(text: string): P.ForwardTarget | string {
  const m = /^(?:([a-z0-9-]+)\/)?(notebook|pod|svc|service)\/([a-z0-9.-]+)(?::([a-z0-9-]+))?$/.exec(text.trim());
  if (!m) return 'Write notebook/NAME, pod/NAME:PORT or svc/NAME:PORT';
  const namespace = m[1] ?? (config.namespace() || 'default');
  const port = m[4] === undefined ? undefined : /^\d+$/.test(m[4]) ? Number(m[4]) : m[4];
  const kind = m[2] === 'svc' ? 'service' : (m[2] as 'notebook' | 'pod' | 'service');
  const target = (kind === 'notebook'
    ? { kind, namespace, name: m[3], ...(port !== undefined ? { port } : {}) }
    : { kind, namespace, name: m[3], port: port ?? '' }) as P.ForwardTarget;
  return validateTarget(target) ?? target;
}
