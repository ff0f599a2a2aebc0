/**
 * The Kernel Variables view: the variables of the active notebook's kernel on a Kubeflow notebook server (name, type,
 * shape or length, shortened value), asked from the live kernel with one silent request (`core/notebooks/variables`)
 * after each cell run, when another notebook becomes active, and on refresh. Only a kernel this window is connected
 * to is asked, none is started for it, and nothing is asked while the view is hidden; a busy kernel answers after its
 * running cell (the last list stays meanwhile), and one that does not answer within 10 s leaves the list as it was.
 */
import * as vscode from 'vscode';
import { askVariables, describeVariable, type KernelVariable } from '../../core/notebooks/variables';
import type { Log } from '../log';
import { NOTEBOOK_TYPE, type KernelControllers } from './controller';

const WAIT_MS = 10_000;
/** Cell runs that end together (Run All) refresh once. */
const SETTLE_MS = 300;

class VariableItem extends vscode.TreeItem {
  constructor(v: KernelVariable) {
    super(v.name, vscode.TreeItemCollapsibleState.None);
    this.id = v.name;
    this.description = `${describeVariable(v)} = ${v.value}`;
    // A plain-string tooltip: never rendered as Markdown, so kernel-provided text stays text.
    this.tooltip = `${v.name}: ${describeVariable(v)}\n${v.value}`;
    this.iconPath = new vscode.ThemeIcon('symbol-variable');
    this.contextValue = 'kubeflow.kernelVariable';
  }
}

class MessageItem extends vscode.TreeItem {
  constructor(message: string, icon: string) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon(icon);
    this.tooltip = message;
  }
}

export class KernelVariablesView implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subs: vscode.Disposable[] = [];
  private items: vscode.TreeItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private asking = 0;
  readonly tree: vscode.TreeView<vscode.TreeItem>;

  constructor(private readonly controllers: KernelControllers, private readonly log: Log) {
    this.tree = vscode.window.createTreeView('kubeflow.kernelVariables', { treeDataProvider: this, showCollapseAll: false });
    this.subs.push(
      this.tree,
      this.tree.onDidChangeVisibility((e) => e.visible && this.refreshSoon()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.refreshSoon()),
      // A cell run ended (its execution summary got an end time): the kernel's variables may have changed.
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.notebook === vscode.window.activeNotebookEditor?.notebook && e.cellChanges.some((c) => c.executionSummary?.timing?.endTime)) this.refreshSoon();
      }),
    );
  }

  getTreeItem(e: vscode.TreeItem): vscode.TreeItem {
    return e;
  }

  getChildren(): vscode.TreeItem[] {
    return this.items;
  }

  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), SETTLE_MS);
  }

  /** Asks the active notebook's kernel for its variables and shows them. */
  async refresh(): Promise<void> {
    if (!this.tree.visible) return;
    const nb = vscode.window.activeNotebookEditor?.notebook;
    const kernel = nb?.notebookType === NOTEBOOK_TYPE ? this.controllers.kernelOf(nb)?.connection : undefined;
    if (!kernel || kernel.status === 'dead') {
      this.show([], undefined); // the view's welcome text says what to do
      return;
    }
    const n = ++this.asking;
    try {
      const vars = await askVariables(kernel, WAIT_MS);
      if (n !== this.asking) return;
      if (!vars) {
        this.tree.message = 'The kernel is busy: the list is from its last answer.';
        return;
      }
      this.show(vars.length ? vars.map((v) => new VariableItem(v)) : [new MessageItem('No variables yet.', 'info')], undefined);
    } catch (err) {
      if (n !== this.asking) return;
      this.log.warn(`notebooks: kernel variables: ${(err as Error).message}`);
      this.show([new MessageItem(`Cannot list the kernel's variables: ${(err as Error).message}`, 'warning')], undefined);
    }
  }

  private show(items: vscode.TreeItem[], message: string | undefined): void {
    this.items = items;
    this.tree.message = message;
    this._onDidChangeTreeData.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subs.forEach((s) => s.dispose());
    this._onDidChangeTreeData.dispose();
  }
}
