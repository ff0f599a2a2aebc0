// The Pipelines view: pipelines uploaded to Kubeflow Pipelines (the profile's own, then shared ones) and, under each,
// its versions newest first. A version opens as a graph; "Create Run…" opens the run form for it.
import * as vscode from 'vscode';
import { describeStats, pipelineStats } from '../../core/health/pipelineStats';
import { listAll } from '../../core/kfp/client';
import { apiTime, type Pipeline, type PipelineVersion } from '../../core/kfp/types';
import type { Log } from '../log';
import { escapeMd } from '../portForwards/view';
import type { PipelinesApi } from './api';

export type PipelineNode =
  | { type: 'pipeline'; pipeline: Pipeline; shared: boolean }
  | { type: 'version'; pipeline: Pipeline; version: PipelineVersion; latest: boolean }
  | { type: 'info'; id: string; label: string; icon: vscode.ThemeIcon };

export class PipelinesView implements vscode.TreeDataProvider<PipelineNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<PipelineNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly treeView: vscode.TreeView<PipelineNode>;
  private pipelines: { pipeline: Pipeline; shared: boolean }[] | undefined;
  private error: string | undefined;
  private loading: Promise<void> | undefined;
  private readonly versions = new Map<string, PipelineVersion[]>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly api: PipelinesApi,
    private readonly log: Log,
  ) {
    this.treeView = vscode.window.createTreeView('kubeflow.pipelines', { treeDataProvider: this, showCollapseAll: true });
    this.subs.push(
      this.treeView,
      this._onDidChangeTreeData,
      this.treeView.onDidChangeVisibility((e) => {
        if (e.visible && !this.pipelines) void this.refresh();
      }),
      api.onDidChange(() => {
        this.pipelines = undefined;
        this.versions.clear();
        if (this.treeView.visible) void this.refresh();
      }),
    );
  }

  refresh(): Promise<void> {
    this.loading ??= this.read().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(): Promise<void> {
    this.treeView.message = `Reading pipelines from ${this.api.where()}…`;
    try {
      const client = await this.api.client();
      const own = await listAll((o) => client.listPipelines(o), { sort: { field: 'created_at', desc: true } }, 1000);
      const shared = client.namespace ? await listAll((o) => client.listPipelines({ ...o, namespace: '' }), { sort: { field: 'created_at', desc: true } }, 1000).catch(() => [] as Pipeline[]) : [];
      const ownIds = new Set(own.map((p) => p.pipeline_id));
      this.pipelines = [...own.map((pipeline) => ({ pipeline, shared: false })), ...shared.filter((p) => !ownIds.has(p.pipeline_id)).map((pipeline) => ({ pipeline, shared: true }))];
      this.versions.clear();
      this.error = undefined;
    } catch (err) {
      this.error = this.api.explain(err);
      this.log.warn(`pipelines view: ${this.error}`);
    }
    this.treeView.message = this.error ? `Cannot list pipelines: ${this.error}` : this.pipelines?.length ? undefined : 'No pipelines uploaded yet. Right-click a pipeline file (.py or compiled .yaml) → Submit Pipeline Run…';
    this._onDidChangeTreeData.fire(undefined);
  }

  async getChildren(node?: PipelineNode): Promise<PipelineNode[]> {
    if (!node) {
      if (!this.pipelines && !this.error) await this.refresh();
      return (this.pipelines ?? []).map((p) => ({ type: 'pipeline', ...p }));
    }
    if (node.type !== 'pipeline' || !node.pipeline.pipeline_id) return [];
    const id = node.pipeline.pipeline_id;
    let versions = this.versions.get(id);
    if (!versions) {
      try {
        const client = await this.api.client();
        versions = await listAll((o) => client.listPipelineVersions(id, o), { sort: { field: 'created_at', desc: true } }, 500);
        this.versions.set(id, versions);
      } catch (err) {
        return [{ type: 'info', id: `${id}/error`, label: `Cannot list versions: ${this.api.explain(err)}`, icon: new vscode.ThemeIcon('error') }];
      }
    }
    return versions.map((version, i) => ({ type: 'version', pipeline: node.pipeline, version, latest: i === 0 }));
  }

  getTreeItem(node: PipelineNode): vscode.TreeItem {
    switch (node.type) {
      case 'pipeline': {
        const p = node.pipeline;
        const item = new vscode.TreeItem(p.display_name || p.name || p.pipeline_id || '', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `p/${p.pipeline_id}`;
        item.description = [node.shared ? 'shared' : '', when(apiTime(p.created_at))].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon('type-hierarchy');
        item.contextValue = 'kubeflow.kfpPipeline';
        item.tooltip = new vscode.MarkdownString(`**${escapeMd(p.display_name || p.name || '')}**${p.description ? `\n\n${escapeMd(p.description)}` : ''}\n\n${node.shared ? 'Shared with every namespace' : `Namespace ${escapeMd(p.namespace ?? '')}`}`);
        return item;
      }
      case 'version': {
        const v = node.version;
        const item = new vscode.TreeItem(v.display_name || v.name || v.pipeline_version_id || '', vscode.TreeItemCollapsibleState.None);
        item.id = `v/${v.pipeline_version_id}`;
        item.description = [node.latest ? 'latest' : '', when(apiTime(v.created_at))].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(node.latest ? 'tag' : 'history');
        item.contextValue = 'kubeflow.kfpVersion';
        item.tooltip = new vscode.MarkdownString(`**${escapeMd(v.display_name || v.name || '')}**${v.description ? `\n\n${escapeMd(v.description)}` : ''}\n\nVersion ID \`${(v.pipeline_version_id ?? '').replace(/`/g, '')}\``);
        item.command = { command: 'kubeflow.pipelines.openVersion', title: 'Show Graph', arguments: [node] };
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label);
        item.id = node.id;
        item.iconPath = node.icon;
        return item;
      }
    }
  }

  /**
   * A pipeline's tooltip also says how its runs went over the last week (completion rate, duration P50/P95), read
   * from the KFP API when the user hovers it (the newest 500 runs of the namespace at most).
   */
  async resolveTreeItem(item: vscode.TreeItem, node: PipelineNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (node.type !== 'pipeline' || !(item.tooltip instanceof vscode.MarkdownString)) return item;
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const client = await this.api.client();
      const since = Date.now() - STATS_DAYS * 86_400_000;
      const runs = await listAll((o) => client.listRuns({ ...o, signal: abort.signal }), { sort: { field: 'created_at', desc: true } }, 500);
      const mine = runs.filter((r) => r.pipeline_version_reference?.pipeline_id === node.pipeline.pipeline_id);
      item.tooltip.appendMarkdown(`\n\n${escapeMd(describeStats(pipelineStats(mine, since), `${STATS_DAYS} days`))}`);
    } catch (err) {
      item.tooltip.appendMarkdown(`\n\n_Run statistics unavailable: ${escapeMd(this.api.explain(err))}_`);
    } finally {
      sub.dispose();
    }
    return item;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}

const STATS_DAYS = 7;

function when(ms: number | undefined): string {
  return ms ? new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : '';
}
