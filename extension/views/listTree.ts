/**
 * Shared pieces of the tree views over a watched list (`WatchedList`): the view that starts the list when shown and
 * redraws with a message line on each change, the message for the list's state, and the item of an info line.
 * Each view keeps its own items.
 */
import * as vscode from 'vscode';
import type { ListState } from './watchedList';

export abstract class ListTreeView<N> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  protected readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly treeView: vscode.TreeView<N>;
  protected readonly subs: vscode.Disposable[] = [];

  constructor(viewId: string, list: { start(): void; onDidChange: vscode.Event<void> }) {
    this.treeView = vscode.window.createTreeView(viewId, { treeDataProvider: this, showCollapseAll: true });
    this.subs.push(
      this.treeView,
      this.treeView.onDidChangeVisibility((e) => e.visible && list.start()),
      list.onDidChange(() => {
        this.treeView.message = this.message();
        this._onDidChangeTreeData.fire();
      }),
    );
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this._onDidChangeTreeData.dispose();
  }

  /** The line above the tree: why it is empty or incomplete; undefined when the items say it all. */
  protected abstract message(): string | undefined;
  abstract getChildren(node?: N): vscode.ProviderResult<N[]>;
  abstract getTreeItem(node: N): vscode.TreeItem;
}

/** The message line while the list is not ready (loading, failed, not installed); undefined once ready. */
export function stateMessage(state: ListState, text: { loading: string; listing: string; notInstalled?: string }): string | undefined {
  switch (state.kind) {
    case 'idle':
    case 'loading':
      return text.loading;
    case 'error':
      return `Cannot list ${text.listing}: ${state.message}`;
    case 'not-installed':
      return text.notInstalled;
  }
  return undefined;
}

export interface InfoNode {
  type: 'info';
  id: string;
  label: string;
  description?: string;
  tooltip?: string | vscode.MarkdownString;
  icon: vscode.ThemeIcon;
  command?: vscode.Command;
  contextValue?: string;
}

/** The item of an info line; `idPrefix` keeps the view's item ids apart from its other items. */
export function infoItem(node: Omit<InfoNode, 'type'>, opts: { idPrefix?: string; contextValue?: string } = {}): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = `${opts.idPrefix ?? ''}${node.id}`;
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.iconPath = node.icon;
  item.command = node.command;
  item.contextValue = node.contextValue ?? opts.contextValue;
  return item;
}
