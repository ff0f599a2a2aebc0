import * as vscode from 'vscode';

/**
 * The view ids the manifest contributes. Views that have no provider of their own yet get an empty tree, so the
 * view shows its welcome text instead of "no data provider".
 */
export const VIEW_IDS = [
  'kubeflow.notebooks',
  'kubeflow.pipelines',
  'kubeflow.runs',
  'kubeflow.trainingJobs',
  'kubeflow.portForwards',
] as const;
export type ViewId = (typeof VIEW_IDS)[number];

class EmptyTree implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

export function registerPlaceholderViews(ids: readonly ViewId[]): vscode.Disposable[] {
  return ids.map((id) => vscode.window.registerTreeDataProvider(id, new EmptyTree()));
}
