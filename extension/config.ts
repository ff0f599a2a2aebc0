import * as vscode from 'vscode';

/** Typed access to the `kubeflow.*` settings. Each getter reads the live value. */
export const config = {
  section: 'kubeflow',
  get(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(this.section);
  },
  kubeconfig(): string {
    return this.get().get<string>('kubeconfig', '').trim();
  },
  context(): string {
    return this.get().get<string>('context', '').trim();
  },
  namespace(): string {
    return this.get().get<string>('namespace', '').trim();
  },
  /** Settings whose change means the cluster connection must be rebuilt. */
  connectionKeys: ['kubeflow.kubeconfig', 'kubeflow.context', 'kubeflow.namespace'],
};
