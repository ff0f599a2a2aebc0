/**
 * The Experiments view: Katib Experiments with objective, algorithm, trial counts and the current optimal trial;
 * under each, its trials best first with status, metrics and parameters. Rendering only; `KatibModel` owns the data.
 */
import * as vscode from 'vscode';
import type { Assignment, ExperimentSummary, Metric, TrialSummary } from '../../core/katib/state';
import { formatDuration } from '../../core/training/objects';
import { escapeMd } from '../portForwards/view';
import { infoItem, ListTreeView, stateMessage, type InfoNode } from '../views/listTree';
import type { ExperimentEntry, KatibModel } from './model';

export type KatibNode =
  | { type: 'experiment'; entry: ExperimentEntry }
  | { type: 'trials'; entry: ExperimentEntry }
  | { type: 'trial'; entry: ExperimentEntry; trial: TrialSummary }
  | { type: 'best'; entry: ExperimentEntry }
  | InfoNode;

export class ExperimentsView extends ListTreeView<KatibNode> {
  constructor(private readonly model: KatibModel) {
    super('kubeflow.katib', model);
  }

  protected message(): string | undefined {
    const m = this.model;
    const state = stateMessage(m.state, {
      loading: 'Loading experiments…',
      listing: 'Katib experiments',
      notInstalled: 'Katib is not installed in this cluster (no kubeflow.org/v1beta1 Experiment CRD).',
    });
    if (state) return state;
    if (m.problems.size) return [...m.problems].map(([k, v]) => `${k}: ${v}`).join(' · ');
    if (m.list().length === 0) return `No Katib experiments in namespace ${m.namespace}.`;
    return undefined;
  }

  getChildren(node?: KatibNode): KatibNode[] {
    if (!node) {
      this.model.start();
      return this.model.state.kind === 'ready' ? this.model.list().map((entry) => ({ type: 'experiment', entry })) : [];
    }
    if (node.type === 'experiment') {
      const s = node.entry.summary;
      const out: KatibNode[] = [
        { type: 'info', id: `${s.uid}/objective`, label: `${s.objective.type} ${s.objective.metric}`, description: [s.objective.goal !== undefined ? `goal ${s.objective.goal}` : '', s.objective.additional.length ? `also ${s.objective.additional.join(', ')}` : ''].filter(Boolean).join(' · '), icon: new vscode.ThemeIcon('target') },
        { type: 'info', id: `${s.uid}/algorithm`, label: `Algorithm: ${s.algorithm}`, description: [s.parallel ? `${s.parallel} in parallel` : '', s.maxTrials ? `max ${s.maxTrials} trials` : ''].filter(Boolean).join(' · '), icon: new vscode.ThemeIcon('symbol-method') },
      ];
      if (s.phase === 'Failed' && (s.reason || s.message)) out.push({ type: 'info', id: `${s.uid}/failed`, label: s.reason ?? 'Failed', description: s.message, icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')) });
      if (s.optimal) out.push({ type: 'best', entry: node.entry });
      out.push({ type: 'trials', entry: node.entry });
      return out;
    }
    if (node.type === 'trials') return node.entry.trials.map((t) => ({ type: 'trial', entry: node.entry, trial: t.summary }));
    return [];
  }

  getTreeItem(node: KatibNode): vscode.TreeItem {
    switch (node.type) {
      case 'info':
        return infoItem(node);
      case 'experiment':
        return experimentItem(node.entry);
      case 'best': {
        const s = node.entry.summary;
        const o = s.optimal!;
        const item = new vscode.TreeItem(`Best: ${o.trial}`);
        item.id = `${s.uid}/best`;
        item.description = `${params(o.parameters)} → ${metrics(o.metrics, s)}`;
        item.iconPath = new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow'));
        item.contextValue = 'kubeflow.katibBest';
        item.tooltip = optimalMarkdown(s);
        return item;
      }
      case 'trials': {
        const c = node.entry.summary.counts;
        const item = new vscode.TreeItem('Trials', node.entry.trials.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = `${node.entry.summary.uid}/trials`;
        item.description = counts(node.entry.summary, c.trials || node.entry.trials.length);
        item.iconPath = new vscode.ThemeIcon('list-tree');
        return item;
      }
      case 'trial':
        return trialItem(node.entry, node.trial);
    }
  }
}

function counts(s: ExperimentSummary, total: number): string {
  const c = s.counts;
  const parts = [`${total}${s.maxTrials ? `/${s.maxTrials}` : ''}`];
  if (c.succeeded) parts.push(`${c.succeeded} succeeded`);
  if (c.running) parts.push(`${c.running} running`);
  if (c.pending) parts.push(`${c.pending} pending`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.earlyStopped) parts.push(`${c.earlyStopped} early-stopped`);
  if (c.killed) parts.push(`${c.killed} killed`);
  if (c.metricsUnavailable) parts.push(`${c.metricsUnavailable} without metrics`);
  return parts.join(' · ');
}

function params(a: Assignment[]): string {
  return a.map((p) => `${p.name}=${p.value}`).join(', ');
}

function metrics(list: Metric[], s: ExperimentSummary): string {
  const objective = list.find((m) => m.name === s.objective.metric);
  const rest = list.filter((m) => m !== objective);
  return [objective, ...rest].filter((m): m is Metric => !!m).map((m) => `${m.name} ${m === objective && s.best !== undefined ? s.best : m.latest ?? m.max ?? m.min}`).join(', ');
}

function experimentItem(e: ExperimentEntry): vscode.TreeItem {
  const s = e.summary;
  const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = s.uid;
  const parts: string[] = [s.phase, `${s.counts.trials || e.trials.length}${s.maxTrials ? `/${s.maxTrials}` : ''} trials`];
  if (s.best !== undefined) parts.push(`best ${s.objective.metric} ${s.best}`);
  item.description = parts.join(' · ');
  item.iconPath = phaseIcon(s.phase);
  item.contextValue = `kubeflow.katibExperiment.${s.phase}${s.optimal ? '.best' : ''}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(s.name)}** — Katib Experiment in ${escapeMd(s.namespace)}\n\n`);
  md.appendMarkdown(`State: **${s.phase}**${s.reason ? ` — ${escapeMd(s.reason)}` : ''}${s.message ? `: ${escapeMd(s.message)}` : ''}\n\n`);
  md.appendMarkdown(`Objective: ${escapeMd(`${s.objective.type} ${s.objective.metric}`)}${s.objective.goal !== undefined ? ` (goal ${s.objective.goal})` : ''} · algorithm ${escapeMd(s.algorithm)}\n\n`);
  md.appendMarkdown(`Trials: ${escapeMd(counts(s, s.counts.trials || e.trials.length))}\n\n`);
  if (s.startedAt) md.appendMarkdown(`${s.finishedAt ? 'Ran' : 'Running for'} ${formatDuration((s.finishedAt ?? Date.now()) - s.startedAt)}\n\n`);
  if (s.optimal) md.appendMarkdown(optimalMarkdown(s).value);
  item.tooltip = md;
  return item;
}

function optimalMarkdown(s: ExperimentSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const o = s.optimal;
  if (!o) return md;
  md.appendMarkdown(`$(star-full) Best trial **${escapeMd(o.trial)}**\n\n`);
  for (const p of o.parameters) md.appendMarkdown(`- ${escapeMd(p.name)} = \`${p.value.replace(/`/g, '')}\`\n`);
  md.appendMarkdown('\n');
  for (const m of o.metrics) md.appendMarkdown(`- ${escapeMd(m.name)}: latest ${escapeMd(m.latest ?? '–')}, min ${escapeMd(m.min ?? '–')}, max ${escapeMd(m.max ?? '–')}\n`);
  return md;
}

function trialItem(e: ExperimentEntry, t: TrialSummary): vscode.TreeItem {
  const best = e.summary.optimal?.trial === t.name;
  const item = new vscode.TreeItem(t.name);
  item.id = `${e.summary.uid}/trial/${t.name}`;
  const parts: string[] = [t.phase];
  if (t.objective !== undefined) parts.push(`${e.summary.objective.metric} ${t.objective}`);
  if (t.parameters.length) parts.push(params(t.parameters));
  item.description = parts.join(' · ');
  item.iconPath = best ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow')) : trialIcon(t.phase);
  item.contextValue = `kubeflow.katibTrial.${t.phase}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(t.name)}** — ${t.phase}${t.reason ? ` (${escapeMd(t.reason)})` : ''}${best ? ' · best so far' : ''}\n\n`);
  if (t.message) md.appendMarkdown(`${escapeMd(t.message)}\n\n`);
  for (const p of t.parameters) md.appendMarkdown(`- ${escapeMd(p.name)} = \`${p.value.replace(/`/g, '')}\`\n`);
  md.appendMarkdown('\n');
  for (const m of t.metrics) md.appendMarkdown(`- ${escapeMd(m.name)}: latest ${escapeMd(m.latest ?? '–')}, min ${escapeMd(m.min ?? '–')}, max ${escapeMd(m.max ?? '–')}\n`);
  if (t.jobKind) md.appendMarkdown(`\nRuns as ${escapeMd(t.jobKind)} ${escapeMd(t.name)}`);
  item.tooltip = md;
  item.command = { command: 'kubeflow.katib.openTrialLogs', title: 'Open Trial Logs', arguments: [{ type: 'trial', entry: e, trial: t }] };
  return item;
}

function phaseIcon(phase: string): vscode.ThemeIcon {
  switch (phase) {
    case 'Running':
    case 'Restarting':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'Succeeded':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    default:
      return new vscode.ThemeIcon('watch');
  }
}

function trialIcon(phase: string): vscode.ThemeIcon {
  switch (phase) {
    case 'Succeeded':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'Failed':
    case 'MetricsUnavailable':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'Killed':
    case 'EarlyStopped':
      return new vscode.ThemeIcon('debug-stop');
    case 'Running':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    default:
      return new vscode.ThemeIcon('watch');
  }
}
