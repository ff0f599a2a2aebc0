/**
 * The Notebooks view: the notebook servers of the profile namespace, v1 Notebooks and Notebooks 2.0 Workspaces
 * together, each with its kind, state (running, starting, pending with the reason, stopped/paused), image and
 * resources. Rendering only; the store watches, the commands act.
 */
import * as vscode from 'vscode';
import { escapeMd } from '../portForwards/view';
import { describeResources, shortImage, type NotebookServer } from './model';
import type { ServerStore } from './servers';

export class ServerItem extends vscode.TreeItem {
  constructor(readonly server: NotebookServer) {
    super(server.name, vscode.TreeItemCollapsibleState.None);
    const s = server;
    const ws = s.kind === 'Workspace';
    this.id = `${s.namespace}/${ws ? 'workspace/' : ''}${s.name}`;
    const phase = ws && s.phase === 'stopped' ? 'paused' : s.phase;
    this.description = [ws ? `Workspace · ${phase}` : phase, s.pendingRestart ? 'restart pending' : undefined, ws ? s.imageOption : shortImage(s.image).split('/').pop(), describeResources(s)].filter(Boolean).join(' · ');
    this.iconPath = phaseIcon(s);
    this.contextValue = `kubeflow.notebook.${s.phase}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(s.displayName ?? s.name)}**${s.displayName ? ` (${escapeMd(s.name)})` : ''} · ${escapeMd(s.namespace)}\n\n`);
    md.appendMarkdown(ws ? `Kind: Workspace (Notebooks 2.0) of WorkspaceKind ${escapeMd(s.workspaceKind ?? '?')}\n\n` : 'Kind: Notebook (Kubeflow Notebooks v1)\n\n');
    md.appendMarkdown(`State: ${escapeMd(phase)}${s.reason ? ` — ${escapeMd(s.reason)}` : ''}\n\n`);
    if (s.pendingRestart) md.appendMarkdown('Restart pending: its kind changed since the pod started; pause and resume it to apply the change\n\n');
    if (s.lastActivity) md.appendMarkdown(`Last activity: ${escapeMd(s.lastActivity)}\n\n`);
    if (s.jupyterProblem) md.appendMarkdown(`Notebooks cannot run on it: ${escapeMd(s.jupyterProblem)}\n\n`);
    md.appendMarkdown(`Image: ${s.imageOption && s.imageOption !== s.image ? `${escapeMd(s.imageOption)} ` : ''}\`${s.image.replace(/`/g, "'")}\`\n\n`);
    if (s.podOption) md.appendMarkdown(`Pod configuration: ${escapeMd(s.podOption)}\n\n`);
    const res = describeResources(s);
    if (res) md.appendMarkdown(`Resources: ${escapeMd(res)}${s.gpuResource ? ` (${escapeMd(s.gpuResource)})` : ''}\n\n`);
    if (s.volumes.length) md.appendMarkdown(`Volumes: ${s.volumes.map((v) => `${escapeMd(v)}${v === s.workspace ? (ws ? ' (home)' : ' (workspace)') : ''}`).join(', ')}\n\n`);
    if (s.stoppedAt) md.appendMarkdown(`${ws ? 'Paused' : 'Stopped'} at ${escapeMd(s.stoppedAt)}\n\n`);
    this.tooltip = md;
  }
}

class MessageItem extends vscode.TreeItem {
  constructor(message: string, icon: string) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon(icon);
    this.tooltip = message;
    this.contextValue = 'kubeflow.notebook.message';
  }
}

export class NotebooksView implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subs: vscode.Disposable[];
  tree: vscode.TreeView<vscode.TreeItem> | undefined;

  constructor(private readonly store: ServerStore) {
    this.subs = [store.onDidChange(() => this._onDidChangeTreeData.fire())];
  }

  getTreeItem(e: vscode.TreeItem): vscode.TreeItem {
    return e;
  }

  async getChildren(): Promise<vscode.TreeItem[]> {
    await this.store.ensure();
    if (this.tree) {
      this.tree.description = this.store.scope.namespace;
      // Like the other views: why nothing can be listed, in full, above the (empty) tree.
      this.tree.message = this.store.error ? `Cannot list notebook servers: ${this.store.error}` : undefined;
    }
    if (this.store.error) return this.tree ? [] : [new MessageItem(this.store.error, 'error')];
    // Empty: the view's welcome text offers to create one or pick another namespace.
    return this.store.list().map((s) => new ServerItem(s));
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this._onDidChangeTreeData.dispose();
  }
}

function phaseIcon(s: NotebookServer): vscode.ThemeIcon {
  switch (s.phase) {
    case 'running':
      return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'));
    case 'pending':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'starting':
    case 'stopping':
    case 'terminating':
      return new vscode.ThemeIcon('loading~spin');
    default:
      return new vscode.ThemeIcon('vm-outline');
  }
}
