/**
 * Training jobs in the editor: the Training Jobs view, submit a job YAML (dry run first, diagnostics at the line),
 * new jobs from templates, the merged logs of a job / role / replica (through the logs feature's documents), and a
 * notification when a watched job ends.
 */
import * as vscode from 'vscode';
import YAML from 'yaml';
import type * as P from '../../companion-daemon/src/protocol';
import { formatDuration } from '../../core/training/objects';
import { failedReplicas } from '../../core/training/state';
import { apiPath } from '../cluster/kube';
import { config } from '../config';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { logUri, SCHEME, sourceOf } from '../logs/documents';
import { describe } from '../views/watchedList';
import { TrainingModel, type JobEntry } from './model';
import { newTrainingJob } from './newJob';
import { registerReadOnlyDocuments, showReadOnly } from './readonly';
import { JobProgress, jobSource } from './progress';
import { Submitter } from './submit';
import { TrainingJobsView, type TrainingNode } from './view';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

/** Opens the merged log of a job, or of some of its replicas; optionally at the first error or traceback. */
export async function openJobLogs(source: P.LogSource, o: { replicas?: string[]; atError?: boolean } = {}): Promise<void> {
  try {
    if (o.replicas?.length) {
      const doc = await vscode.workspace.openTextDocument(logUri(source, o.replicas));
      await vscode.window.showTextDocument(doc, { preview: false });
    } else {
      await vscode.commands.executeCommand('kubeflow.logs.open', source);
    }
    if (o.atError) await vscode.commands.executeCommand('kubeflow.logs.jumpToError');
  } catch (err) {
    void showErrorMessage(`Cannot open the logs: ${describeError(err)}`);
  }
}

export function trainingFeature(ctx: Ctx): vscode.Disposable[] {
  const model = new TrainingModel(ctx.kube, ctx.log);
  const progress = new JobProgress(ctx.daemon);
  const view = new TrainingJobsView(model, progress);
  const submitter = new Submitter(ctx.kube, ctx.log);

  const pickJob = async (): Promise<JobEntry | undefined> => {
    model.start();
    const jobs = model.jobs();
    if (jobs.length === 0) {
      void showInformationMessage(`No training jobs in ${model.namespace || 'the namespace'} yet.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(jobs.map((entry) => ({ label: entry.summary.name, description: `${entry.summary.kind} · ${entry.summary.phase}`, entry })), { title: 'Training job' });
    return pick?.entry;
  };
  const entryOf = async (node?: TrainingNode): Promise<JobEntry | undefined> => (node && node.type !== 'info' ? node.entry : pickJob());

  const notifyEnd = async (e: JobEntry): Promise<void> => {
    const s = e.summary;
    const took = s.startedAt && s.finishedAt ? ` in ${formatDuration(s.finishedAt - s.startedAt)}` : '';
    if (s.phase === 'Succeeded') {
      const a = await showInformationMessage(`${s.kind} ${s.name} succeeded${took}.`, 'Open Logs');
      if (a) await openJobLogs(jobSource(s));
      return;
    }
    const failed = failedReplicas(s);
    const why = [s.reason, s.message].filter(Boolean).join(': ') || 'no reason given';
    const a = await showErrorMessage(`${s.kind} ${s.name} failed${took}: ${why}${failed.length ? ` — failed replicas: ${failed.join(', ')}` : ''}`, 'Show First Error', 'Open Logs');
    if (a) await openJobLogs(jobSource(s), { atError: a === 'Show First Error' });
  };

  return [
    ...registerReadOnlyDocuments(),
    model,
    progress,
    view,
    submitter,
    model.onDidEnd((e) => void notifyEnd(e)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (config.connectionKeys.some((k) => e.affectsConfiguration(k)) && model.state.kind !== 'idle') model.restart();
    }),
    vscode.commands.registerCommand('kubeflow.training.refresh', () => model.restart()),
    vscode.commands.registerCommand('kubeflow.training.new', () => newTrainingJob(model)),
    vscode.commands.registerCommand('kubeflow.training.submit', async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) {
        void showInformationMessage('Open or select a job YAML to submit.');
        return;
      }
      try {
        const doc = await vscode.workspace.openTextDocument(target);
        const created = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Submitting ${vscode.workspace.asRelativePath(target)}…` }, () => submitter.submit(doc));
        if (!created?.length) return;
        model.start();
        const first = created[0]!;
        const jobLike = created.find((c) => ['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'JAXJob', 'PaddleJob', 'TrainJob'].includes(c.kind));
        const actions = jobLike ? ['Open Logs', 'Show Training Jobs'] : created.some((c) => c.kind === 'Experiment') ? ['Show Experiments'] : [];
        const a = await showInformationMessage(`Submitted ${created.map((c) => `${c.kind} ${c.name}`).join(', ')} to ${first.namespace || 'the cluster'}.`, ...actions);
        if (a === 'Open Logs' && jobLike) await openJobLogs(jobSource({ kind: jobLike.kind as never, name: jobLike.name, namespace: jobLike.namespace }));
        if (a === 'Show Training Jobs') await vscode.commands.executeCommand('kubeflow.trainingJobs.focus');
        if (a === 'Show Experiments') await vscode.commands.executeCommand('kubeflow.katib.focus');
      } catch (err) {
        void showErrorMessage(`Cannot submit: ${describeError(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.training.openLogs', async (node?: TrainingNode) => {
      const entry = await entryOf(node);
      if (!entry) return;
      const source = jobSource(entry.summary);
      if (node?.type === 'role') await openJobLogs(source, { replicas: node.role.replicas.map((r) => r.tag) });
      else if (node?.type === 'replica') await openJobLogs(source, { replicas: [node.replica.tag] });
      else await openJobLogs(source);
    }),
    vscode.commands.registerCommand('kubeflow.training.openLogsAtError', async (node?: TrainingNode) => {
      const entry = await entryOf(node);
      if (entry) await openJobLogs(jobSource(entry.summary), { atError: true });
    }),
    vscode.commands.registerCommand('kubeflow.training.filterLogsByRole', async () => {
      const e = vscode.window.activeTextEditor;
      if (e?.document.uri.scheme !== SCHEME) {
        void showInformationMessage('Open a Kubeflow job log first.');
        return;
      }
      const { source, replicas } = sourceOf(e.document.uri);
      const tags = new Set<string>();
      for (let i = 0; i < Math.min(e.document.lineCount, 20_000); i++) {
        const m = /^\[([^\]]+?)\s*\]/.exec(e.document.lineAt(i).text);
        if (m) tags.add(m[1]!);
      }
      const roleOf = (t: string) => t.replace(/-\d+(-\d+)?$/, '');
      const roles = [...new Set([...tags].map(roleOf))].sort();
      const picked = await vscode.window.showQuickPick(
        roles.map((r) => ({ label: r, description: [...tags].filter((t) => roleOf(t) === r).join(', '), picked: !replicas || replicas.some((x) => roleOf(x) === r) })),
        { canPickMany: true, title: 'Show the replicas of these roles' },
      );
      if (!picked) return;
      const chosen = [...tags].filter((t) => picked.some((p) => p.label === roleOf(t)));
      await openJobLogs(source, { replicas: picked.length === roles.length ? [] : chosen });
    }),
    vscode.commands.registerCommand('kubeflow.training.showYaml', async (node?: TrainingNode) => {
      const entry = await entryOf(node);
      if (!entry) return;
      try {
        const { info, summary } = entry;
        const o = await ctx.kube.get(apiPath({ group: info.group, version: info.version, plural: info.plural, namespace: summary.namespace, name: summary.name }));
        const { managedFields: _m, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
        await showReadOnly(`${summary.name}.${summary.kind.toLowerCase()}.yaml`, YAML.stringify({ ...o, metadata }));
      } catch (err) {
        void showErrorMessage(`Cannot read the job: ${describe(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.training.delete', async (node?: TrainingNode) => {
      const entry = await entryOf(node);
      if (!entry) return;
      const { info, summary } = entry;
      const ok = await showWarningMessage(`Delete ${summary.kind} ${summary.name} in ${summary.namespace}? Its pods go too.`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
      try {
        await ctx.kube.request('DELETE', apiPath({ group: info.group, version: info.version, plural: info.plural, namespace: summary.namespace, name: summary.name }), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
      } catch (err) {
        void showErrorMessage(`Cannot delete ${summary.name}: ${describe(err)}`);
      }
    }),
  ];
}
