import * as vscode from 'vscode';
import { agentToolsFeature } from './agentTools/feature';
import type { Ctx, Feature } from './ctx';
import { clusterFeature } from './cluster/feature';
import { Kube } from './cluster/kube';
import { DaemonClient } from './daemon/client';
import { editorAidsFeature } from './editorAids/feature';
import { createLog, errorMessage } from './log';
import { katibFeature } from './katib/feature';
import { logsFeature } from './logs/feature';
import { servingFeature } from './models/serving';
import { notebooksFeature } from './notebooks/feature';
import { pipelinesFeature } from './pipelines/feature';
import { portForwardsFeature } from './portForwards/feature';
import { runsFeature } from './runs/feature';
import { trainingFeature } from './training/feature';
import { VIEW_IDS, registerPlaceholderViews, type ViewId } from './views/placeholder';
import { showErrorMessage } from './notify';

/** Features in registration order. Each owns one area (see ARCHITECTURE.md) and only registers at activation. */
const features: Feature[] = [
  (ctx) => [vscode.commands.registerCommand('kubeflow.showLog', () => ctx.log.show(true))],
  clusterFeature,
  pipelinesFeature,
  runsFeature,
  portForwardsFeature,
  logsFeature,
  notebooksFeature,
  trainingFeature,
  katibFeature,
  servingFeature,
  editorAidsFeature,
  agentToolsFeature,
];

/** Views that no feature fills yet; they show their welcome text. */
const filled: ViewId[] = ['kubeflow.notebooks', 'kubeflow.pipelines', 'kubeflow.runs', 'kubeflow.portForwards', 'kubeflow.trainingJobs'];
const placeholderViews = VIEW_IDS.filter((v) => !filled.includes(v));

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
  // The daemon client connects (and starts the daemon) on first use, not here.
  const daemon = new DaemonClient(context, log);
  context.subscriptions.push(daemon);
  const ctx: Ctx = { extension: context, log, daemon, kube: new Kube(daemon) };
  try {
    context.subscriptions.push(...registerPlaceholderViews(placeholderViews));
    for (const feature of features) context.subscriptions.push(...feature(ctx));
  } catch (err) {
    // VS Code does not show a notification when an extension fails to activate, so do it here.
    void showErrorMessage(`Kubeflow failed to start: ${errorMessage(err)}`);
    throw err;
  }
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs };
}

export function deactivate(): void {}
