/**
 * Port Forwards: the view, the status-bar item and the commands (start, stop, restart, copy URL, open in browser).
 * The daemon does the forwarding; this only asks and renders.
 */
import * as vscode from 'vscode';
import { describeTarget } from '../../companion-daemon/src/forwards/resolve';
import * as P from '../../companion-daemon/src/protocol';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { ignoreOwnPorts } from './ports';
import { pickTarget } from './targets';
import { ForwardItem, PortForwardsView } from './view';
import { showErrorMessage, showInformationMessage } from '../notify';

export function portForwardsFeature(ctx: Ctx): vscode.Disposable[] {
  const view = new PortForwardsView(ctx.daemon);
  // After a reload the Kubeflow views may stay closed: a daemon that runs already (with forwards) is joined now, so
  // the status bar counts its forwards. None is started here.
  void ctx.daemon.attachIfRunning().then((joined) => joined && ctx.log.info('joined the running companion daemon at start-up'));
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
    ignoreOwnPorts(view, ctx.log),
    vscode.commands.registerCommand('kubeflow.portForwards.start', guarded('Cannot start the port-forward', async () => {
      const before = await ctx.daemon.request(P.listForwards);
      const target = await pickTarget(ctx.kube, before);
      if (!target) return;
      const info = await ctx.daemon.request(P.startForward, { target });
      view.upsert(info);
      // The daemon answers a target it forwards already with that forward: say so, with its age.
      const reused = before.find((f) => f.id === info.id);
      const text = reused
        ? `Reusing the existing port-forward to ${describeTarget(info.target)} (started ${new Date(reused.createdAt).toLocaleTimeString()}): ${info.url}`
        : `Forwarding ${describeTarget(info.target)} at ${info.url}`;
      void showInformationMessage(text, 'Copy URL', 'Open in Browser').then(async (a) => {
        if (a === 'Copy URL') await vscode.env.clipboard.writeText(info.url);
        if (a === 'Open in Browser') await vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(P.browserUrl(info, new URL(info.url).pathname))));
      });
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
