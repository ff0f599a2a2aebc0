import * as vscode from 'vscode';
import type { Ctx, Feature } from './ctx';
import { createLog, errorMessage } from './log';
import { VIEW_IDS, registerPlaceholderViews } from './views/placeholder';

/** Features in registration order. Each owns one area (see ARCHITECTURE.md) and only registers at activation. */
const features: Feature[] = [
  (ctx) => [
    vscode.commands.registerCommand('kubeflow.showLog', () => ctx.log.show(true)),
    vscode.commands.registerCommand('kubeflow.refreshAll', () => undefined),
    vscode.commands.registerCommand('kubeflow.selectContext', () => undefined),
    vscode.commands.registerCommand('kubeflow.selectNamespace', () => undefined),
  ],
];

/** Views that no feature fills yet; they show their welcome text. */
const placeholderViews = VIEW_IDS;

/** The public API other extensions and the test suite read. */
export interface KubeflowApi {
  /** How long `activate()` took, in milliseconds. */
  readonly activationMs: number;
}

/**
 * Activation only registers things: no cluster call, no daemon start, no file I/O. Work starts when the user opens
 * a view or runs a command.
 */
export function activate(context: vscode.ExtensionContext): KubeflowApi {
  const started = performance.now();
  const log = createLog();
  context.subscriptions.push(log);
  const ctx: Ctx = { extension: context, log };
  try {
    context.subscriptions.push(...registerPlaceholderViews(placeholderViews));
    for (const feature of features) context.subscriptions.push(...feature(ctx));
  } catch (err) {
    // VS Code does not show a notification when an extension fails to activate, so do it here.
    void vscode.window.showErrorMessage(`Kubeflow failed to start: ${errorMessage(err)}`);
    throw err;
  }
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs };
}

export function deactivate(): void {}
