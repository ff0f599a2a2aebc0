// The Runs view: the namespace's runs grouped by experiment (state icon, state, chosen metric columns, duration,
// when), sorted within each group (created, duration or a metric), recurring runs with their schedule, the view's
// filter and sort in its description. Rendering only; `RunsModel` owns the runs, `RunMetricsCache` their metrics.
// Strings from the server go into tooltips escaped.
import * as vscode from 'vscode';
import { showValue } from '../../core/mlmd/compare';
import { DEFAULT_SORT, describeSort, metricsLine, sortRuns, type RunMetric, type RunSort } from '../../core/mlmd/runMetrics';
import { formatDuration, STATE_LABELS, toTaskState, type TaskState } from '../../core/kfp/runState';
import { apiTime, isTerminal, type Experiment, type RecurringRun, type Run } from '../../core/kfp/types';
import { escapeMd } from '../portForwards/view';
import { infoItem } from '../views/listTree';
import type { PipelinesApi } from './api';
import type { RunsModel } from './model';
import type { RunMetricsCache } from './runMetrics';

const COLUMNS_KEY = 'kubeflow.runs.metricColumns';
const SORT_KEY = 'kubeflow.runs.sort';

export type RunsNode =
  | { type: 'experiment'; experiment: Experiment; runs: Run[] }
  | { type: 'run'; run: Run }
  | { type: 'recurringGroup'; items: RecurringRun[] }
  | { type: 'recurring'; rr: RecurringRun }
  | { type: 'info'; id: string; label: string; description?: string; icon: vscode.ThemeIcon; tooltip?: string };

export class RunsView implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly treeView: vscode.TreeView<RunsNode>;
  private readonly subs: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;
  /** The chosen metric columns and sort, remembered per workspace. */
  columns: string[];
  sort: RunSort;

  constructor(
    private readonly model: RunsModel,
    private readonly api: PipelinesApi,
    private readonly metrics: RunMetricsCache,
    private readonly memento: vscode.Memento,
  ) {
    this.columns = memento.get<string[]>(COLUMNS_KEY, []);
    this.sort = memento.get<RunSort>(SORT_KEY, DEFAULT_SORT);
    this.treeView = vscode.window.createTreeView('kubeflow.runs', { treeDataProvider: this, showCollapseAll: true, canSelectMany: true });
    this.subs.push(
      this.treeView,
      this._onDidChangeTreeData,
      this.treeView.onDidChangeVisibility((e) => {
        model.setVisible(e.visible);
        this.tick();
      }),
      model.onDidChange(() => this.refresh()),
      metrics.onDidChange(() => this._onDidChangeTreeData.fire()),
    );
  }

  async setColumns(columns: string[]): Promise<void> {
    this.columns = columns;
    await this.memento.update(COLUMNS_KEY, columns);
    this.refresh();
  }

  async setSort(sort: RunSort): Promise<void> {
    this.sort = sort;
    await this.memento.update(SORT_KEY, sort);
    this.refresh();
  }

  /** Rows show or sort by metrics: the runs' metrics are read. */
  private get wantsMetrics(): boolean {
    return this.columns.length > 0 || this.sort.by === 'metric';
  }

  refresh(): void {
    this.treeView.message = this.message();
    const f = this.model.filter;
    const parts = [f.states?.length ? f.states.map((s) => STATE_LABELS[toTaskState(s)]).join('/') : '', f.text ? `"${f.text}"` : '', f.archived ? 'archived' : ''].filter(Boolean);
    const sorted = describeSort(this.sort);
    this.treeView.description = [parts.length ? `filtered: ${parts.join(' · ')}` : '', sorted ? `sorted ${sorted}` : ''].filter(Boolean).join(' · ') || undefined;
    void vscode.commands.executeCommand('setContext', 'kubeflow.runs.filtered', parts.length > 0);
    this._onDidChangeTreeData.fire();
    this.tick();
  }

  /** Durations of active runs move: redraw every 10 s while the view shows one. */
  private tick(): void {
    const live = this.treeView.visible && this.model.runs.some((r) => !isTerminal(r.state));
    if (live && !this.ticker) this.ticker = setInterval(() => this._onDidChangeTreeData.fire(), 10_000);
    if (!live && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private message(): string | undefined {
    const s = this.model.state;
    if (s.kind === 'idle' || s.kind === 'loading') return `Reading runs from ${this.api.where()}…`;
    if (s.kind === 'error') return `Cannot list runs: ${s.message}`;
    if (this.model.runs.length === 0 && this.model.experiments.length === 0 && this.model.recurring.length === 0) {
      return this.model.filter.states?.length || this.model.filter.text ? 'No runs match the filter.' : undefined;
    }
    return undefined;
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      // VS Code asks when the view is shown: the first read starts here, not at activation.
      if (this.model.state.kind === 'idle') this.model.setVisible(true);
      if (this.model.state.kind !== 'ready') return [];
      const byExp = new Map<string, Run[]>();
      for (const r of this.model.runs) {
        const k = r.experiment_id ?? '';
        byExp.set(k, [...(byExp.get(k) ?? []), r]);
      }
      const filtering = Boolean(this.model.filter.states?.length || this.model.filter.text);
      const exps = [...this.model.experiments];
      // Runs whose experiment is not listed (archived experiment, other page): under a group of their own.
      for (const id of byExp.keys()) if (id && !exps.some((e) => e.experiment_id === id)) exps.push({ experiment_id: id, display_name: id });
      const out: RunsNode[] = exps
        .map((experiment) => ({ type: 'experiment' as const, experiment, runs: byExp.get(experiment.experiment_id ?? '') ?? [] }))
        .filter((n) => !filtering || n.runs.length > 0)
        .sort((a, b) => latest(b.runs) - latest(a.runs) || (a.experiment.display_name ?? '').localeCompare(b.experiment.display_name ?? ''));
      if (this.model.recurring.length && !filtering) out.push({ type: 'recurringGroup', items: this.model.recurring });
      if (this.metrics.error && this.wantsMetrics) {
        out.unshift({ type: 'info', id: 'metrics-error', label: 'Cannot read run metrics from ML Metadata', description: this.metrics.error, tooltip: `${this.metrics.error}\n\nRefresh the view to try again.`, icon: new vscode.ThemeIcon('warning') });
      }
      if (this.model.truncated) out.push({ type: 'info', id: 'truncated', label: 'Showing the newest 200 runs', description: 'filter to see older ones', icon: new vscode.ThemeIcon('info') });
      return out;
    }
    if (node.type === 'experiment') {
      if (!node.runs.length) return [{ type: 'info', id: `${node.experiment.experiment_id}/empty`, label: 'No runs', icon: new vscode.ThemeIcon('circle-slash') }];
      // the group's runs are on screen: their metrics are read now (ended runs only, once each)
      if (this.wantsMetrics) this.metrics.want(node.runs);
      const now = Date.now();
      return sortRuns(node.runs, this.sort, (r) => ({ created: apiTime(r.created_at), duration: runMs(r, now), metrics: this.metrics.get(r.run_id) }))
        .map((run) => ({ type: 'run', run }));
    }
    if (node.type === 'recurringGroup') return node.items.map((rr) => ({ type: 'recurring', rr }));
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.type) {
      case 'experiment': {
        const e = node.experiment;
        const active = node.runs.filter((r) => !isTerminal(r.state)).length;
        const item = new vscode.TreeItem(e.display_name ?? e.experiment_id ?? '', node.runs.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `exp/${e.experiment_id}`;
        item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}${active ? ` · ${active} active` : ''}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'kubeflow.experiment';
        const md = new vscode.MarkdownString(`**${escapeMd(e.display_name ?? '')}**${e.description ? `\n\n${escapeMd(e.description)}` : ''}${e.namespace ? `\n\nNamespace: ${escapeMd(e.namespace)}` : ''}`);
        item.tooltip = md;
        return item;
      }
      case 'run':
        return runItem(node.run, this.model.experimentName(node.run.experiment_id), this.metrics.get(node.run.run_id), this.columns);
      case 'recurringGroup': {
        const item = new vscode.TreeItem('Recurring runs', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'recurring';
        item.description = `${node.items.length} · ${node.items.filter((r) => r.status === 'ENABLED').length} enabled`;
        item.iconPath = new vscode.ThemeIcon('history');
        return item;
      }
      case 'recurring':
        return recurringItem(node.rr, this.model.experimentName(node.rr.experiment_id));
      case 'info':
        return infoItem(node);
    }
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.subs.forEach((s) => s.dispose());
  }
}

function latest(runs: Run[]): number {
  return Math.max(0, ...runs.map((r) => apiTime(r.created_at) ?? 0));
}

/** How long the run ran (so far), in ms. */
function runMs(run: Run, now = Date.now()): number | undefined {
  const start = apiTime(run.created_at);
  if (!start) return undefined;
  const end = isTerminal(run.state) ? apiTime(run.finished_at) : now;
  return end ? end - start : undefined;
}

export function runDuration(run: Run, now = Date.now()): string | undefined {
  const ms = runMs(run, now);
  return ms === undefined ? undefined : formatDuration(ms);
}

function when(ms: number | undefined): string {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

function runItem(run: Run, experiment: string | undefined, metrics: RunMetric[] | undefined, columns: string[]): vscode.TreeItem {
  const state = toTaskState(run.state);
  const item = new vscode.TreeItem(run.display_name ?? run.run_id ?? '', vscode.TreeItemCollapsibleState.None);
  item.id = `run/${run.run_id}`;
  const dur = runDuration(run);
  // the chosen metrics once read (an ended run's), `–` where the run has none
  const shown = metrics && columns.length ? metricsLine(metrics, columns) : '';
  item.description = [STATE_LABELS[state] + (run.state === 'CANCELING' ? '…' : ''), shown, dur, when(apiTime(run.created_at))].filter(Boolean).join(' · ');
  item.iconPath = stateIcon(state);
  item.contextValue = `kubeflow.run.${run.state ?? 'UNKNOWN'}${run.storage_state === 'ARCHIVED' ? '.archived' : ''}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(run.display_name ?? '')}** — ${STATE_LABELS[state]}${dur ? ` after ${dur}` : ''}\n\n`);
  if (experiment) md.appendMarkdown(`Experiment: ${escapeMd(experiment)}\n\n`);
  if (run.error?.message) md.appendMarkdown(`$(error) ${escapeMd(run.error.message)}\n\n`);
  const params = Object.entries(run.runtime_config?.parameters ?? {});
  if (params.length) md.appendMarkdown(`Parameters: ${params.map(([k, v]) => `${escapeMd(k)}=\`${JSON.stringify(v).replace(/`/g, "'").slice(0, 60)}\``).join(', ')}\n\n`);
  if (metrics?.length) md.appendMarkdown(`Metrics: ${metrics.map((m) => `${escapeMd(`${m.task}/${m.name}`)} ${showValue(m.value)}`).join(', ')}\n\n`);
  md.appendMarkdown(`Run ID \`${(run.run_id ?? '').replace(/`/g, '')}\``);
  item.tooltip = md;
  item.command = { command: 'kubeflow.runs.open', title: 'Open Run', arguments: [{ type: 'run', run }] };
  return item;
}

function recurringItem(rr: RecurringRun, experiment: string | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(rr.display_name ?? rr.recurring_run_id ?? '', vscode.TreeItemCollapsibleState.None);
  item.id = `rr/${rr.recurring_run_id}`;
  const sched = schedule(rr);
  const enabled = rr.status === 'ENABLED' || (rr.status === undefined && rr.mode === 'ENABLE');
  item.description = [sched, enabled ? 'enabled' : 'disabled', experiment].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(enabled ? 'watch' : 'debug-pause', enabled ? undefined : new vscode.ThemeColor('disabledForeground'));
  item.contextValue = `kubeflow.recurringRun.${enabled ? 'enabled' : 'disabled'}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(rr.display_name ?? '')}** — ${escapeMd(sched)}\n\n`);
  if (rr.trigger?.cron_schedule?.cron) md.appendMarkdown(`Cron (seconds first): \`${rr.trigger.cron_schedule.cron.replace(/`/g, '')}\`\n\n`);
  md.appendMarkdown(`Max concurrency ${escapeMd(rr.max_concurrency ?? '1')}${rr.no_catchup ? ' · no catch-up' : ''}`);
  if (rr.error?.message) md.appendMarkdown(`\n\n$(error) ${escapeMd(rr.error.message)}`);
  item.tooltip = md;
  return item;
}

/** `cron 0 0 2 * * *` or `every 1h`. */
export function schedule(rr: RecurringRun): string {
  const cron = rr.trigger?.cron_schedule?.cron;
  if (cron) return `cron ${cron}`;
  const every = Number(rr.trigger?.periodic_schedule?.interval_second ?? 0);
  return every > 0 ? `every ${formatDuration(every * 1000).replace(/ 0s$/, '').replace(/ 0m$/, '')}` : 'no schedule';
}

export function stateIcon(state: TaskState): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'pending':
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.blue'));
    case 'succeeded':
    case 'cached':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'canceling':
      return new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('disabledForeground'));
    case 'canceled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
    case 'skipped':
      return new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('disabledForeground'));
    default:
      return new vscode.ThemeIcon('question');
  }
}
