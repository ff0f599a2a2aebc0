/**
 * The Training Jobs view: one item per job (kind, derived state, replicas running/desired, GPUs, duration, progress),
 * under it why it waits or failed, a progress bar, and its roles with per-replica phase and restarts. Rendering
 * only; `TrainingModel` owns the data. Cluster strings in tooltips are escaped.
 */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/training/objects';
import { describeProgress, progressBar, type Progress } from '../../core/training/progress';
import { describeJob, failedReplicas, type JobPhase, type JobSummary, type ReplicaState, type RoleSummary } from '../../core/training/state';
import { escapeMd } from '../portForwards/view';
import { infoItem, stateMessage } from '../views/listTree';
import type { JobEntry, TrainingModel } from './model';
import type { JobProgress } from './progress';

export type TrainingNode =
  | { type: 'job'; entry: JobEntry }
  | { type: 'role'; entry: JobEntry; role: RoleSummary }
  | { type: 'replica'; entry: JobEntry; replica: ReplicaState }
  | { type: 'info'; id: string; label: string; description?: string; tooltip?: string; icon: vscode.ThemeIcon };

export class TrainingJobsView implements vscode.TreeDataProvider<TrainingNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly treeView: vscode.TreeView<TrainingNode>;
  private readonly subs: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly model: TrainingModel,
    private readonly progress: JobProgress,
  ) {
    this.treeView = vscode.window.createTreeView('kubeflow.trainingJobs', { treeDataProvider: this, showCollapseAll: true });
    this.subs.push(
      this.treeView,
      this.treeView.onDidChangeVisibility((e) => {
        if (e.visible) this.model.start();
        this.tick();
      }),
      model.onDidChange(() => {
        if (this.treeView.visible) this.progress.track(model.jobs().map((j) => j.summary));
        this.refresh();
      }),
      progress.onDidChange(() => this.refresh()),
    );
  }

  refresh(): void {
    this.treeView.message = this.message();
    this._onDidChangeTreeData.fire();
    this.tick();
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.subs.forEach((s) => s.dispose());
    this._onDidChangeTreeData.dispose();
  }

  /** Durations of running jobs move: redraw every 15 s while the view shows one. */
  private tick(): void {
    const live = this.treeView.visible && this.model.jobs().some((j) => !j.summary.terminal);
    if (live && !this.ticker) this.ticker = setInterval(() => this._onDidChangeTreeData.fire(), 15_000);
    if (!live && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private message(): string | undefined {
    const m = this.model;
    const state = stateMessage(m.state, { loading: 'Loading training jobs…', listing: 'training jobs' });
    if (state) return state;
    if (m.installed.length === 0) {
      return `No training CRDs are installed in this cluster: neither the training-operator (kubeflow.org/v1 PyTorchJob, TFJob…), mpi-operator (kubeflow.org/v2beta1 MPIJob) nor Kubeflow Trainer (trainer.kubeflow.org TrainJob).`;
    }
    const problems = [...m.problems.entries()].map(([k, v]) => `${k}: ${v}`);
    if (problems.length) return problems.join(' · ');
    if (m.jobs().length === 0) return `No training jobs in namespace ${m.namespace}.`;
    return undefined;
  }

  getChildren(node?: TrainingNode): TrainingNode[] {
    if (!node) {
      this.model.start();
      if (this.model.state.kind !== 'ready') return [];
      const items: TrainingNode[] = this.model.jobs().map((entry) => ({ type: 'job', entry }));
      if (this.model.installed.length && this.model.missing.length) {
        items.push({
          type: 'info', id: 'missing', label: `Not installed: ${this.model.missing.join(', ')}`, icon: new vscode.ThemeIcon('info'),
          tooltip: `The cluster serves ${this.model.installed.map((k) => `${k.kind} (${k.group}/${k.version})`).join(', ')}; the CRDs of the others are not installed.`,
        });
      }
      return items;
    }
    if (node.type === 'job') return this.jobChildren(node.entry);
    if (node.type === 'role') return node.role.replicas.map((replica) => ({ type: 'replica', entry: node.entry, replica }));
    return [];
  }

  getParent(node: TrainingNode): TrainingNode | undefined {
    if (node.type === 'role') return { type: 'job', entry: node.entry };
    if (node.type === 'replica') {
      const role = node.entry.summary.roles.find((r) => r.replicas.includes(node.replica));
      return role ? { type: 'role', entry: node.entry, role } : { type: 'job', entry: node.entry };
    }
    return undefined;
  }

  private jobChildren(entry: JobEntry): TrainingNode[] {
    const s = entry.summary;
    const out: TrainingNode[] = [];
    const uid = s.uid;
    const p = this.progressOf(s);
    if (p?.percent !== undefined || p?.epoch !== undefined || p?.step !== undefined) {
      out.push({ type: 'info', id: `${uid}/progress`, label: p.percent !== undefined ? progressBar(p.percent) : 'Progress', description: describeProgress(p), icon: new vscode.ThemeIcon('graph-line') });
    }
    if (s.phase === 'Failed') {
      const failed = failedReplicas(s);
      out.push({
        type: 'info', id: `${uid}/failed`, label: s.reason ?? 'Failed', description: [s.message, failed.length ? `failed: ${failed.join(', ')}` : ''].filter(Boolean).join(' · '),
        tooltip: [s.reason, s.message, ...failed].filter(Boolean).join('\n'), icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
      });
    }
    s.pending.forEach((r, i) => out.push({
      type: 'info', id: `${uid}/pending/${i}`, label: r.message, description: r.pods.length ? r.pods.join(', ') : undefined, tooltip: r.detail ?? r.message,
      icon: new vscode.ThemeIcon(r.kind === 'waiting' ? 'watch' : 'warning', r.kind === 'waiting' ? undefined : new vscode.ThemeColor('list.warningForeground')),
    }));
    for (const role of s.roles) out.push({ type: 'role', entry, role });
    return out;
  }

  private progressOf(s: JobSummary): Progress | undefined {
    const p = this.progress.get(s.uid);
    if (s.progressPercent !== undefined) return { ...(p ?? { metrics: {} }), percent: s.progressPercent };
    return p;
  }

  getTreeItem(node: TrainingNode): vscode.TreeItem {
    switch (node.type) {
      case 'info':
        return infoItem(node, { contextValue: 'kubeflow.trainingInfo' });
      case 'job':
        return this.jobItem(node.entry);
      case 'role':
        return roleItem(node.entry, node.role);
      case 'replica':
        return replicaItem(node.entry, node.replica);
    }
  }

  private jobItem(entry: JobEntry): vscode.TreeItem {
    const s = entry.summary;
    const now = Date.now();
    const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = s.uid;
    const p = this.progressOf(s);
    const pct = p?.percent !== undefined && !s.terminal ? ` · ${Math.round(p.percent)}%` : '';
    item.description = `${s.kind} · ${describeJob(s, now)}${pct}`;
    item.iconPath = phaseIcon(s.phase, s.pending.length > 0);
    item.contextValue = `kubeflow.trainingJob.${s.phase}`;
    item.tooltip = jobTooltip(entry, p, now);
    return item;
  }
}

function roleItem(entry: JobEntry, r: RoleSummary): vscode.TreeItem {
  const item = new vscode.TreeItem(r.role, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${entry.summary.uid}/role/${r.role}`;
  const counts = [`${r.running}/${r.desired ?? r.replicas.length} running`];
  if (r.pending) counts.push(`${r.pending} pending`);
  if (r.succeeded) counts.push(`${r.succeeded} succeeded`);
  if (r.failed) counts.push(`${r.failed} failed`);
  item.description = counts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(r.failed ? 'error' : 'server-process', r.failed ? new vscode.ThemeColor('testing.iconFailed') : undefined);
  item.contextValue = 'kubeflow.trainingRole';
  item.tooltip = `${r.role}: ${counts.join(', ')}`;
  return item;
}

function replicaItem(entry: JobEntry, x: ReplicaState): vscode.TreeItem {
  const item = new vscode.TreeItem(x.tag, vscode.TreeItemCollapsibleState.None);
  item.id = `${entry.summary.uid}/replica/${x.pod}`;
  const parts = [x.phase];
  if (x.reason) parts.push(x.reason);
  if (x.exitCode !== undefined) parts.push(`exit ${x.exitCode}`);
  if (x.restarts) parts.push(`${x.restarts} restart${x.restarts === 1 ? '' : 's'}`);
  if (x.node) parts.push(x.node);
  item.description = parts.join(' · ');
  item.iconPath = podIcon(x.phase);
  item.contextValue = 'kubeflow.trainingReplica';
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(x.tag)}** — pod \`${x.pod.replace(/`/g, '')}\`\n\n${escapeMd(parts.join(' · '))}`);
  item.tooltip = md;
  item.command = { command: 'kubeflow.training.openLogs', title: 'Open Logs', arguments: [{ type: 'replica', entry, replica: x }] };
  return item;
}

function jobTooltip(entry: JobEntry, p: Progress | undefined, now: number): vscode.MarkdownString {
  const s = entry.summary;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(s.name)}** — ${escapeMd(s.kind)} (${escapeMd(`${entry.info.group}/${entry.info.version}`)}) in ${escapeMd(s.namespace)}\n\n`);
  md.appendMarkdown(`State: **${s.phase}**${s.reason ? ` — ${escapeMd(s.reason)}` : ''}${s.message ? `: ${escapeMd(s.message)}` : ''}\n\n`);
  const roles = s.roles.map((r) => `${escapeMd(r.role)} ${r.running}/${r.desired ?? r.replicas.length}${r.failed ? ` (${r.failed} failed)` : ''}`).join(', ');
  if (roles) md.appendMarkdown(`Replicas: ${roles}${s.restarts ? ` · ${s.restarts} restarts` : ''}\n\n`);
  if (s.gpus !== undefined) md.appendMarkdown(`GPUs requested: ${s.gpus}\n\n`);
  const times: string[] = [];
  if (s.createdAt) times.push(`age ${formatDuration(now - s.createdAt)}`);
  if (s.startedAt) times.push(`${s.finishedAt ? 'ran' : 'running for'} ${formatDuration((s.finishedAt ?? now) - s.startedAt)}`);
  if (times.length) md.appendMarkdown(`${times.join(' · ')}\n\n`);
  if (p) md.appendMarkdown(`Progress: ${p.percent !== undefined ? `${Math.round(p.percent)}% · ` : ''}${escapeMd(describeProgress(p))}\n\n`);
  for (const r of s.pending) md.appendMarkdown(`$(warning) ${escapeMd(r.message)}${r.pods.length ? ` (${escapeMd(r.pods.join(', '))})` : ''}\n\n`);
  return md;
}

export function phaseIcon(phase: JobPhase, waitingWithReason = false): vscode.ThemeIcon {
  switch (phase) {
    case 'Running':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'Restarting':
      return new vscode.ThemeIcon('debug-restart', new vscode.ThemeColor('list.warningForeground'));
    case 'Succeeded':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'Suspended':
      return new vscode.ThemeIcon('debug-pause');
    case 'Pending':
      return waitingWithReason ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('watch');
  }
}

function podIcon(phase: string): vscode.ThemeIcon {
  switch (phase) {
    case 'Running':
      return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.blue'));
    case 'Succeeded':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'Pending':
      return new vscode.ThemeIcon('watch');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}
