/**
 * Katib in the editor: the Experiments view, a trial's logs (its job has the trial's name), "register best trial's
 * model" (hands over to the Model Registry flow), and a notification when a watched experiment ends.
 */
import * as vscode from 'vscode';
import YAML from 'yaml';
import type * as P from '../../companion-daemon/src/protocol';
import type { TrialSummary } from '../../core/katib/state';
import { apiPath } from '../cluster/kube';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { openJobLogs } from '../training/feature';
import { describe } from '../views/watchedList';
import { showReadOnly } from '../training/readonly';
import { KATIB, KatibModel, type ExperimentEntry } from './model';
import { registerTrialModel } from './register';
import { ExperimentsView, type KatibNode } from './view';
import { showErrorMessage, showInformationMessage } from '../notify';

const JOB_KINDS = ['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'JAXJob', 'PaddleJob', 'TrainJob'];

/** The log source of a trial's job: a Kubeflow training job by kind, a batch Job by its `job-name` pod label. */
export function trialLogSource(t: TrialSummary): P.LogSource | undefined {
  const context = config.context();
  const base = { ...(context ? { context } : {}), namespace: t.namespace };
  if (t.jobKind && JOB_KINDS.includes(t.jobKind)) return { kind: 'job', ...base, jobKind: t.jobKind as P.JobKind, name: t.name };
  if (t.jobKind === 'Job') return { kind: 'selector', ...base, selector: `job-name=${t.name}` };
  return undefined;
}

export function katibFeature(ctx: Ctx): vscode.Disposable[] {
  const model = new KatibModel(ctx.kube, ctx.log);
  const view = new ExperimentsView(model);

  const pickExperiment = async (): Promise<ExperimentEntry | undefined> => {
    model.start();
    const list = model.list();
    if (!list.length) {
      void showInformationMessage('No Katib experiments loaded. Open the Experiments view first.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(list.map((entry) => ({ label: entry.summary.name, description: entry.summary.phase, entry })), { title: 'Katib experiment' }))?.entry;
  };

  const notifyEnd = async (e: ExperimentEntry): Promise<void> => {
    const s = e.summary;
    const best = s.optimal ? ` Best trial ${s.optimal.trial}: ${s.objective.metric} ${s.best ?? '?'} (${s.optimal.parameters.map((p) => `${p.name}=${p.value}`).join(', ')}).` : '';
    if (s.phase === 'Succeeded') {
      const a = await showInformationMessage(`Experiment ${s.name} finished${s.reason ? ` (${s.reason})` : ''}.${best}`, 'Show Experiments', ...(s.optimal ? ['Register Best Model'] : []));
      if (a === 'Show Experiments') await vscode.commands.executeCommand('kubeflow.katib.focus');
      if (a === 'Register Best Model') await registerTrialModel(ctx.kube, e);
      return;
    }
    const a = await showErrorMessage(`Experiment ${s.name} failed: ${[s.reason, s.message].filter(Boolean).join(': ') || 'no reason given'}.${best}`, 'Show Experiments');
    if (a) await vscode.commands.executeCommand('kubeflow.katib.focus');
  };

  return [
    model,
    view,
    model.onDidEnd((e) => void notifyEnd(e)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (config.connectionKeys.some((k) => e.affectsConfiguration(k)) && model.state.kind !== 'idle') model.restart();
    }),
    vscode.commands.registerCommand('kubeflow.katib.refresh', () => model.restart()),
    vscode.commands.registerCommand('kubeflow.katib.openTrialLogs', async (node?: KatibNode) => {
      let trial: TrialSummary | undefined;
      if (node?.type === 'trial') trial = node.trial;
      else {
        const entry = node && node.type !== 'info' ? node.entry : await pickExperiment();
        if (!entry) return;
        const best = node?.type === 'best' ? entry.summary.optimal?.trial : undefined;
        trial = best ? entry.trials.find((t) => t.summary.name === best)?.summary
          : (await vscode.window.showQuickPick(entry.trials.map((t) => ({ label: t.summary.name, description: t.summary.phase, t })), { title: `Trials of ${entry.summary.name}` }))?.t.summary;
      }
      if (!trial) return;
      const source = trialLogSource(trial);
      if (!source) {
        void showInformationMessage(`Trial ${trial.name} runs a ${trial.jobKind ?? 'job of unknown kind'}: the editor opens the logs of Kubeflow training jobs and batch Jobs.`);
        return;
      }
      await openJobLogs(source, { atError: trial.phase === 'Failed' });
    }),
    vscode.commands.registerCommand('kubeflow.katib.registerBestModel', async (node?: KatibNode) => {
      const entry = node && node.type !== 'info' ? node.entry : await pickExperiment();
      if (!entry) return;
      await registerTrialModel(ctx.kube, entry, node?.type === 'trial' ? node.trial.name : undefined);
    }),
    vscode.commands.registerCommand('kubeflow.katib.showYaml', async (node?: KatibNode) => {
      const entry = node && node.type !== 'info' ? node.entry : await pickExperiment();
      if (!entry) return;
      const isTrial = node?.type === 'trial';
      try {
        const o = await ctx.kube.get(apiPath({ ...KATIB, plural: isTrial ? 'trials' : 'experiments', namespace: entry.summary.namespace, name: isTrial ? node.trial.name : entry.summary.name }));
        const { managedFields: _m, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
        await showReadOnly(`${o.metadata.name}.${isTrial ? 'trial' : 'experiment'}.yaml`, YAML.stringify({ ...o, metadata }));
      } catch (err) {
        void showErrorMessage(`Cannot read it: ${describe(err)}`);
      }
    }),
  ];
}
