/**
 * The Lineage view (`kubeflow.lineage`): one chain of core/lineage/chain.ts as a tree, run → Model artifacts →
 * registered versions → InferenceServices. A tree view rather than a webview: the chain is a hierarchy of a handful
 * of nodes, each opening something the editor already has (run panel, run outputs, model details, the endpoint),
 * and a tree gets keyboard navigation, theming and no webview CSP to keep. Missing links are plain nodes.
 */
import * as vscode from 'vscode';
import type { LineageNode } from '../../core/lineage/chain';

interface Shown {
  node: LineageNode;
  /** The run of the chain, for the artifact nodes (their outputs open with it). */
  runId: string;
}

export class LineageView implements vscode.TreeDataProvider<Shown>, vscode.Disposable {
  private root: LineageNode | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly tree: vscode.TreeView<Shown>;

  constructor() {
    this.tree = vscode.window.createTreeView('kubeflow.lineage', { treeDataProvider: this, showCollapseAll: true });
  }

  async show(root: LineageNode): Promise<void> {
    this.root = root;
    this.tree.message = undefined;
    this.changed.fire();
    await vscode.commands.executeCommand('kubeflow.lineage.focus');
  }

  getChildren(parent?: Shown): Shown[] {
    if (!this.root) return [];
    if (!parent) return [{ node: this.root, runId: this.root.kind === 'run' ? this.root.runId : '' }];
    return parent.node.children.map((node) => ({ node, runId: parent.runId }));
  }

  getTreeItem({ node, runId }: Shown): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.contextValue = `kubeflow.lineage.${node.kind}`;
    switch (node.kind) {
      case 'run':
        item.iconPath = new vscode.ThemeIcon('play-circle');
        item.description = 'pipeline run';
        if (node.runId) item.command = { command: 'kubeflow.runs.open', title: 'Open Run', arguments: [node.runId] };
        break;
      case 'artifact':
        item.iconPath = new vscode.ThemeIcon('package');
        item.description = 'Model artifact';
        item.tooltip = node.uri;
        if (runId) item.command = { command: 'kubeflow.runs.showOutputs', title: 'Show Run Outputs', arguments: [runId] };
        break;
      case 'version':
        item.iconPath = new vscode.ThemeIcon('versions');
        item.description = 'registered version';
        item.command = { command: 'kubeflow.models.showVersion', title: 'Show Version', arguments: [{ registeredModelId: node.registeredModelId, modelVersionId: node.versionId }] };
        break;
      case 'endpoint':
        item.iconPath = new vscode.ThemeIcon(node.ready ? 'pass' : 'circle-outline');
        item.description = `InferenceService in ${node.namespace}`;
        item.command = { command: 'kubeflow.endpoints.reveal', title: 'Show Endpoint', arguments: [{ name: node.name, namespace: node.namespace }] };
        break;
      case 'missing':
        item.iconPath = new vscode.ThemeIcon('circle-slash');
        break;
    }
    return item;
  }

  dispose(): void {
    this.tree.dispose();
    this.changed.dispose();
  }
}
