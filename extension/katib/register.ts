/**
 * "Register Best Trial's Model": finds where the trial wrote its model and hands a registration plan to the Model
 * Registry flow. That flow is not built yet, so unless a `kubeflow.models.register` command exists, this shows the
 * plan (what would be sent) and says plainly that nothing was registered.
 */
import * as vscode from 'vscode';
import { modelArtifactOf, registrationPlan, summarizeTrial, type RegistrationPlan } from '../../core/katib/state';
import type { JobObject } from '../../core/training/objects';
import { apiPath, type Kube } from '../cluster/kube';
import { describe } from '../views/watchedList';
import { showReadOnly } from '../training/readonly';
import { KATIB, type ExperimentEntry } from './model';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

/** The command a Model Registry feature registers to take over; it receives the plan. */
export const MODEL_REGISTRY_COMMAND = 'kubeflow.models.register';

export async function registerTrialModel(kube: Kube, entry: ExperimentEntry, trialName?: string): Promise<RegistrationPlan | undefined> {
  const exp = entry.summary;
  const name = trialName ?? exp.optimal?.trial;
  if (!name) {
    void showInformationMessage(`Experiment ${exp.name} has no best trial yet: no trial has reported ${exp.objective.metric}.`);
    return undefined;
  }
  let trial: JobObject | undefined = entry.trials.find((t) => t.summary.name === name)?.object;
  if (!trial) {
    try {
      trial = await kube.get<JobObject>(apiPath({ ...KATIB, plural: 'trials', namespace: exp.namespace, name }));
    } catch (err) {
      void showErrorMessage(`Cannot read trial ${name}: ${describe(err)}`);
      return undefined;
    }
  }
  const artifact = modelArtifactOf(trial);
  if (!artifact) {
    void showWarningMessage(
      `Trial ${name} records no model artifact, so there is nothing to register. The editor looks for an annotation kubeflow.org/model-uri on the trial or its job, ` +
        'an env var MODEL_URI or MODEL_DIR, or an argument --model-dir=<uri> / --model-uri=<uri> in its containers (Katib fills ${trialSpec.Name} in the trial template).',
      { modal: true },
    );
    return undefined;
  }
  const plan = registrationPlan(exp, summarizeTrial(trial, entry.object), artifact);
  const commands = await vscode.commands.getCommands(true);
  if (commands.includes(MODEL_REGISTRY_COMMAND)) {
    await vscode.commands.executeCommand(MODEL_REGISTRY_COMMAND, plan);
    return plan;
  }
  await showReadOnly(`${plan.modelVersion.name}.registration-plan.jsonc`, planText(plan));
  const a = await showWarningMessage(
    `Nothing was registered: the Model Registry is not configured in this extension yet. The editor shows what registering ${artifact.uri} as ${plan.registeredModel.name} version ${plan.modelVersion.name} would send.`,
    'Copy Plan as JSON',
  );
  if (a) await vscode.env.clipboard.writeText(JSON.stringify(plan, null, 2));
  return plan;
}

export function planText(plan: RegistrationPlan): string {
  return [
    '// What "Register Best Trial\'s Model" would send to the Kubeflow Model Registry (REST v1alpha3):',
    '//   POST /api/model_registry/v1alpha3/registered_models               ← registeredModel',
    '//   POST /api/model_registry/v1alpha3/registered_models/{id}/versions ← modelVersion',
    '//   POST /api/model_registry/v1alpha3/model_versions/{id}/artifacts   ← modelArtifact',
    '// NOTHING WAS REGISTERED: the Model Registry is not configured in this extension yet.',
    JSON.stringify(plan, null, 2),
    '',
  ].join('\n');
}
