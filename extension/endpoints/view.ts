/**
 * The Endpoints view: the namespace's KServe InferenceServices with their state (and why they are not ready), URL,
 * model, the traffic split between the latest revision and the previous one while a canary runs, and the Model
 * Registry version each serves (a link back to it). Rendering only; `EndpointsModel` owns the data.
 */
import * as vscode from 'vscode';
import { describePhase, describeTraffic, rawCanaryMessage, type IsvcPhase, type IsvcSummary } from '../../core/kserve/state';
import { progressBar } from '../../core/training/progress';
import { escapeMd } from '../portForwards/view';
import { infoItem, ListTreeView, stateMessage, type InfoNode } from '../views/listTree';
import type { EndpointEntry, EndpointsModel } from './model';
import type { EndpointHealthStatus } from '../health/status';

export type EndpointsNode =
  | { type: 'isvc'; entry: EndpointEntry }
  | { type: 'traffic'; entry: EndpointEntry; which: 'latest' | 'previous' }
  | (InfoNode & { entry?: EndpointEntry });

export class EndpointsView extends ListTreeView<EndpointsNode> {
  constructor(
    private readonly model: EndpointsModel,
    private readonly health?: EndpointHealthStatus,
  ) {
    super('kubeflow.endpoints', model);
    if (health) {
      this.subs.push(
        health.onDidChange(() => this._onDidChangeTreeData.fire()),
        this.treeView.onDidChangeVisibility((e) => health.setVisible(e.visible)),
      );
      health.setVisible(this.treeView.visible);
    }
  }

  protected message(): string | undefined {
    const m = this.model;
    const state = stateMessage(m.state, {
      loading: 'Loading InferenceServices…',
      listing: 'InferenceServices',
      notInstalled: 'KServe is not installed in this cluster: it serves no serving.kserve.io/v1beta1 InferenceService. Install KServe to deploy models.',
    });
    if (state) return state;
    if (m.list().length === 0) return `No InferenceServices in namespace ${m.namespace}. Deploy a model version from the Models view.`;
    return undefined;
  }

  getChildren(node?: EndpointsNode): EndpointsNode[] {
    if (!node) {
      this.model.start();
      return this.model.state.kind === 'ready' ? this.model.list().map((entry) => ({ type: 'isvc', entry })) : [];
    }
    if (node.type !== 'isvc') return [];
    const e = node.entry;
    const s = e.summary;
    const out: EndpointsNode[] = [];
    if (!s.ready || s.phase === 'Failed') {
      s.reasons.forEach((r, i) => out.push({ type: 'info', id: `${s.uid}/reason/${i}`, label: r, tooltip: r, icon: new vscode.ThemeIcon(s.phase === 'Failed' ? 'error' : 'warning', new vscode.ThemeColor(s.phase === 'Failed' ? 'testing.iconFailed' : 'list.warningForeground')) }));
      if (!s.reasons.length && s.phase === 'Pending') out.push({ type: 'info', id: `${s.uid}/pending`, label: 'Waiting for KServe to report the predictor', icon: new vscode.ThemeIcon('watch') });
    }
    const health = this.health?.line(s.namespace, s.name);
    if (health) out.push({ type: 'info', id: `${s.uid}/health`, label: health.text, tooltip: health.tooltip, icon: new vscode.ThemeIcon('pulse'), command: { command: 'kubeflow.health.showEndpoint', title: 'Show Health', arguments: [node] }, entry: e });
    if (s.url) out.push({ type: 'info', id: `${s.uid}/url`, label: s.url, description: s.internalUrl && s.internalUrl !== s.url ? `in cluster ${s.internalUrl}` : undefined, tooltip: 'Copy the URL', icon: new vscode.ThemeIcon('link'), command: { command: 'kubeflow.endpoints.copyUrl', title: 'Copy URL', arguments: [node] }, contextValue: 'kubeflow.isvcUrl', entry: e });
    if (s.rawDeployment && s.standardCanaries.length) {
      // KServe ≥ 0.20 Standard-mode canaries: the stable predictor's Deployment and each canary's, with their shares.
      out.push({ type: 'info', id: `${s.uid}/raw`, label: 'RawDeployment', description: `Deployment ${s.name}-${s.predictorName ? `${s.predictorName}-` : ''}predictor · stable · ${s.traffic.previous?.percent ?? 0}% of traffic`, icon: new vscode.ThemeIcon('server-process') });
      for (const c of s.standardCanaries) out.push({ type: 'info', id: `${s.uid}/canary/${c.name}`, label: `Canary ${c.name}`, description: `Deployment ${s.name}-${c.name}-predictor · ${c.trafficPercent}% of traffic${c.ready ? '' : ' · not ready'}`, tooltip: c.storageUri, icon: new vscode.ThemeIcon('beaker') });
    } else if (s.rawDeployment) {
      out.push({ type: 'info', id: `${s.uid}/raw`, label: 'RawDeployment', description: `Deployment ${s.name}-${s.predictorName ? `${s.predictorName}-` : ''}predictor · an update rolls out`, tooltip: `${s.name} runs in RawDeployment mode (plain Deployments): an update rolls its pods out. On KServe 0.20 a canary runs in its own Deployment (Deploy with a canary share); before 0.20: ${rawCanaryMessage(s.name)}`, icon: new vscode.ThemeIcon('server-process') });
    } else if (s.traffic.latest && s.traffic.previous) {
      out.push({ type: 'traffic', entry: e, which: 'latest' }, { type: 'traffic', entry: e, which: 'previous' });
    } else if (s.latestReadyRevision) {
      out.push({ type: 'info', id: `${s.uid}/rev`, label: `Revision ${s.latestReadyRevision}`, description: s.traffic.latest ? `${s.traffic.latest.percent}% of traffic` : undefined, icon: new vscode.ThemeIcon('git-commit') });
    }
    const model = [s.modelFormat, s.runtime && `runtime ${s.runtime}`].filter(Boolean).join(' · ');
    if (model || s.storageUri) out.push({ type: 'info', id: `${s.uid}/model`, label: model || 'model', description: s.storageUri, tooltip: s.storageUri, icon: new vscode.ThemeIcon('file-binary') });
    if (s.registry) {
      const label = s.registry.modelName ? `Serves ${s.registry.modelName}${s.registry.versionName ? ` ${s.registry.versionName}` : ''}` : `Serves model version ${s.registry.modelVersionId ?? '?'}`;
      out.push({
        type: 'info', id: `${s.uid}/registry`, label, description: 'Model Registry', icon: new vscode.ThemeIcon('package'),
        command: { command: 'kubeflow.models.showVersion', title: 'Show Model Version', arguments: [{ registeredModelId: s.registry.registeredModelId, modelVersionId: s.registry.modelVersionId }] },
        tooltip: 'Show the registered version this endpoint serves', contextValue: 'kubeflow.isvcRegistry', entry: e,
      });
    }
    return out;
  }

  getTreeItem(node: EndpointsNode): vscode.TreeItem {
    switch (node.type) {
      case 'info':
        return infoItem(node, { idPrefix: 'info/', contextValue: 'kubeflow.endpointsInfo' });
      case 'traffic': {
        const s = node.entry.summary;
        const t = s.traffic[node.which]!;
        const item = new vscode.TreeItem(`${node.which === 'latest' ? 'Latest' : 'Previous'}  ${progressBar(t.percent)}`);
        item.id = `${s.uid}/traffic/${node.which}`;
        item.description = [t.revision, t.tag && `tag ${t.tag}`].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(node.which === 'latest' ? 'arrow-up' : 'history');
        item.tooltip = `${t.percent}% of the traffic goes to the ${node.which} revision${t.revision ? ` ${t.revision}` : ''}${t.url ? `\n${t.url}` : ''}`;
        item.contextValue = `kubeflow.isvcTraffic.${node.which}`;
        return item;
      }
      case 'isvc':
        return isvcItem(node.entry);
    }
  }
}

function isvcItem(e: EndpointEntry): vscode.TreeItem {
  const s = e.summary;
  const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `isvc/${s.uid}`;
  const traffic = describeTraffic(s.traffic);
  item.description = [s.ready && s.phase !== 'Updating' ? 'Ready' : describePhase(s), s.modelFormat, traffic && `canary ${traffic}`, s.gpus ? `${s.gpus} GPU${s.gpus === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
  item.iconPath = phaseIcon(s.phase);
  item.contextValue = `kubeflow.isvc.${s.phase}${s.canary ? '.canary' : ''}`;
  item.tooltip = tooltip(s);
  return item;
}

function tooltip(s: IsvcSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(s.name)}** — InferenceService in ${escapeMd(s.namespace)} (${escapeMd(s.deploymentMode)})\n\n`);
  md.appendMarkdown(`State: **${s.phase}**${s.modelState ? ` · model ${escapeMd(s.modelState)}` : ''}\n\n`);
  for (const r of s.reasons) md.appendMarkdown(`$(warning) ${escapeMd(r)}\n\n`);
  if (s.url) md.appendMarkdown(`URL: ${escapeMd(s.url)}\n\n`);
  if (s.storageUri) md.appendMarkdown(`Model: ${escapeMd([s.modelFormat, s.runtime].filter(Boolean).join(' on '))} from \`${s.storageUri.replace(/`/g, '')}\`\n\n`);
  const t = describeTraffic(s.traffic);
  if (t) md.appendMarkdown(`Traffic: ${escapeMd(t)}${s.canaryTrafficPercent !== undefined ? ` (canaryTrafficPercent ${s.canaryTrafficPercent})` : ''}\n\n`);
  if (s.latestReadyRevision) md.appendMarkdown(`Revisions: latest ready ${escapeMd(s.latestReadyRevision)}${s.previousRolledoutRevision ? `, previous ${escapeMd(s.previousRolledoutRevision)}` : ''}\n\n`);
  const replicas = [s.minReplicas !== undefined ? `min ${s.minReplicas}` : '', s.maxReplicas !== undefined ? `max ${s.maxReplicas}` : '', s.gpus ? `${s.gpus} GPU` : ''].filter(Boolean).join(' · ');
  if (replicas) md.appendMarkdown(`Replicas: ${escapeMd(replicas)}\n\n`);
  if (s.registry?.modelName) md.appendMarkdown(`Serves ${escapeMd(s.registry.modelName)} ${escapeMd(s.registry.versionName ?? '')} from the Model Registry\n\n`);
  return md;
}

export function phaseIcon(phase: IsvcPhase): vscode.ThemeIcon {
  switch (phase) {
    case 'Ready':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'Updating':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'Pending':
      return new vscode.ThemeIcon('watch');
    case 'NotReady':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'Failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  }
}
