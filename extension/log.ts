import * as vscode from 'vscode';

/**
 * The extension's single output channel ("Kubeflow"), with levels the user picks in the channel's own menu.
 * Everything that talks to a cluster logs here; tokens and secrets are never passed to it.
 */
export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('Kubeflow', { log: true });
}

/** The message of any thrown value, for logs and notifications. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
