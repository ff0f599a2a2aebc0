// The Local Runs view: the runs kept under the workspace, newest first, each with its state and parameters; under a
// run, its tasks (iterations apart) with their state, a click opens the task's log. Context: open, stop, re-run,
// run again, compare two, delete.
import * as vscode from 'vscode';
import type { LocalRunRecord, LocalTaskRecord } from '../../core/localRun/record';
import type { LocalRunsStore } from './store';

export type LocalRunNode = { type: 'run'; run: LocalRunRecord } | { type: 'task'; run: LocalRunRecord; task: LocalTaskRecord };

const ICONS: Record<string, [string, string?]> = {
  running: ['sync~spin'],
  succeeded: ['pass', 'testing.iconPassed'],
  cached: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  canceled: ['circle-slash'],
};

function icon(state: string): vscode.ThemeIcon {
  const [id, color] = ICONS[state] ?? ['circle-outline'];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export function describeArguments(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

export class LocalRunsView implements vscode.TreeDataProvider<LocalRunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<LocalRunNode>;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly store: LocalRunsStore) {
    this.treeView = vscode.window.createTreeView('kubeflow.localRuns', { treeDataProvider: this, canSelectMany: true, showCollapseAll: true });
    this.subs.push(this.treeView, this.changed, store.onDidChange(() => this.changed.fire(undefined)));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: LocalRunNode): LocalRunNode[] {
    if (!node) return this.store.list().map((run) => ({ type: 'run', run }));
    if (node.type === 'run') {
      return Object.values(node.run.tasks)
        .sort((a, b) => a.started - b.started)
        .map((task) => ({ type: 'task', run: node.run, task }));
    }
    return [];
  }

  getTreeItem(node: LocalRunNode): vscode.TreeItem {
    if (node.type === 'run') {
      const r = node.run;
      const item = new vscode.TreeItem(`${r.label ?? r.name ?? (r.function || 'pipeline')} · ${new Date(r.started).toLocaleString()}`, Object.keys(r.tasks).length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.id = `local-run:${r.id}`;
      item.description = [r.state, describeArguments(r.arguments)].filter(Boolean).join(' · ');
      item.tooltip = [`${vscode.workspace.asRelativePath(r.file, false)} with ${r.python}`, `State: ${r.state}`, r.error ? `Error: ${r.error}` : '', `Parameters: ${describeArguments(r.arguments) || 'defaults'}`, `Folder: ${this.store.dirOf(r.id) ?? ''}`].filter(Boolean).join('\n');
      item.iconPath = icon(r.state);
      item.contextValue = r.state === 'running' ? 'localRun.running' : 'localRun.done';
      item.command = { command: 'kubeflow.localRuns.open', title: 'Open', arguments: [node] };
      return item;
    }
    const t = node.task;
    const item = new vscode.TreeItem(`${t.task}${t.iteration !== undefined ? ` [${t.iteration}]` : ''}`, vscode.TreeItemCollapsibleState.None);
    item.id = `local-run:${node.run.id}:${[...t.path, t.task].join('/')}#${t.iteration ?? ''}`;
    const outs = t.outputs ? Object.entries(t.outputs.parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') : '';
    item.description = [t.state, outs].filter(Boolean).join(' · ');
    item.tooltip = [[...t.path, t.task].join(' › '), t.error ?? ''].filter(Boolean).join('\n');
    item.iconPath = icon(t.state);
    item.contextValue = 'localRun.task';
    item.command = { command: 'kubeflow.localRuns.openTaskLog', title: 'Open Log', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}
