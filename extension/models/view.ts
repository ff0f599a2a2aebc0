/**
 * The Models view: registered models of the selected Model Registry → their versions → the versions' artifacts, with
 * state, owner/author, labels, format and URI; "Load more" where the registry has more pages; the filter and the
 * registry in the view's description; why the registry cannot be read in the view's message. Rendering only;
 * `ModelsModel` owns the data. Registry strings in tooltips are escaped.
 */
import * as vscode from 'vscode';
import { isModelArtifact } from '../../core/modelRegistry/client';
import { age, epochTime, splitProperties } from '../../core/modelRegistry/properties';
import type { Artifact, ModelVersion, RegisteredModel } from '../../core/modelRegistry/types';
import { escapeMd } from '../portForwards/view';
import { infoItem } from '../views/listTree';
import type { ModelsModel } from './model';

export type ModelsNode =
  | { type: 'model'; model: RegisteredModel }
  | { type: 'version'; model: RegisteredModel; version: ModelVersion }
  | { type: 'artifact'; model: RegisteredModel; version: ModelVersion; artifact: Artifact }
  | { type: 'more'; modelId?: string }
  | { type: 'info'; id: string; label: string; description?: string; tooltip?: string; icon: vscode.ThemeIcon; command?: vscode.Command; contextValue?: string };

export class ModelsView implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly treeView: vscode.TreeView<ModelsNode>;
  private readonly subs: vscode.Disposable[] = [];
  /** The node objects handed out for models, so one model's subtree can be refreshed. */
  private modelNodes = new Map<string, ModelsNode>();
  private versionNodes = new Map<string, ModelsNode>();

  constructor(private readonly model: ModelsModel) {
    this.treeView = vscode.window.createTreeView('kubeflow.models', { treeDataProvider: this, showCollapseAll: true });
    this.subs.push(
      this.treeView,
      this.treeView.onDidChangeVisibility((e) => e.visible && model.start()),
      model.onDidChange((what) => {
        this.decorate();
        const node = what?.modelId ? this.modelNodes.get(what.modelId) : what?.versionId ? this.versionNodes.get(what.versionId) : undefined;
        this._onDidChangeTreeData.fire(node);
      }),
    );
    this.decorate();
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this._onDidChangeTreeData.dispose();
  }

  private decorate(): void {
    const m = this.model;
    this.treeView.description = [m.registry.label, m.filterText()].filter(Boolean).join(' · ');
    this.treeView.message = this.message();
    void vscode.commands.executeCommand('setContext', 'kubeflow.models.filtered', !!m.filterText());
  }

  private message(): string | undefined {
    const m = this.model;
    switch (m.state.kind) {
      case 'idle':
      case 'loading':
        return `Loading models from ${m.registry.label}…`;
      case 'error':
        return m.state.unreachable ? m.state.message : `The Model Registry answered with an error: ${m.state.message}`;
    }
    if (m.models.items.length === 0) return m.filterText() ? `No model matches ${m.filterText()}.` : `No registered models in ${m.registry.label} yet.`;
    return undefined;
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      this.model.start();
      const m = this.model;
      if (m.state.kind === 'error') {
        return [
          { type: 'info', id: 'select', label: 'Select Model Registry…', icon: new vscode.ThemeIcon('database'), command: { command: 'kubeflow.models.selectRegistry', title: 'Select Model Registry' } },
          { type: 'info', id: 'settings', label: 'Open Model Registry Settings', icon: new vscode.ThemeIcon('settings-gear'), command: { command: 'workbench.action.openSettings', title: 'Open Settings', arguments: ['kubeflow.modelRegistry'] } },
          { type: 'info', id: 'retry', label: 'Retry', icon: new vscode.ThemeIcon('refresh'), command: { command: 'kubeflow.models.refresh', title: 'Retry' } },
        ];
      }
      if (m.state.kind !== 'ready') return [];
      this.modelNodes.clear();
      const out: ModelsNode[] = m.models.items.map((model) => {
        const n: ModelsNode = { type: 'model', model };
        this.modelNodes.set(model.id, n);
        return n;
      });
      if (m.models.next) out.push({ type: 'more' });
      return out;
    }
    if (node.type === 'model') {
      const page = await this.model.versionsOf(node.model.id);
      const out: ModelsNode[] = page.items.map((version) => {
        const n: ModelsNode = { type: 'version', model: node.model, version };
        this.versionNodes.set(version.id, n);
        return n;
      });
      if (page.error) out.push({ type: 'info', id: `${node.model.id}/error`, label: 'Cannot list the versions', description: page.error, tooltip: page.error, icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')) });
      else if (out.length === 0) out.push({ type: 'info', id: `${node.model.id}/none`, label: 'No versions yet', icon: new vscode.ThemeIcon('info'), command: { command: 'kubeflow.models.registerVersion', title: 'Register New Version', arguments: [node] } });
      if (page.next) out.push({ type: 'more', modelId: node.model.id });
      return out;
    }
    if (node.type === 'version') {
      const page = await this.model.artifactsOf(node.version.id);
      const out: ModelsNode[] = page.items.map((artifact) => ({ type: 'artifact', model: node.model, version: node.version, artifact }));
      if (page.error) out.push({ type: 'info', id: `${node.version.id}/error`, label: 'Cannot list the artifacts', description: page.error, tooltip: page.error, icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')) });
      else if (!page.items.some(isModelArtifact)) {
        out.push({
          type: 'info', id: `${node.version.id}/noartifact`, label: 'No model artifact', description: 'nothing to deploy',
          tooltip: `Version ${node.version.name} records no model artifact (no URI of the model files), so it cannot be deployed. Register it again with the artifact's URI.`,
          icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
        });
      }
      return out;
    }
    return [];
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.type === 'version') return this.modelNodes.get(node.model.id);
    if (node.type === 'artifact') return this.versionNodes.get(node.version.id);
    return undefined;
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.type) {
      case 'info':
        return infoItem(node, { idPrefix: 'info/', contextValue: 'kubeflow.modelsInfo' });
      case 'more': {
        const item = new vscode.TreeItem('Load more…');
        item.id = `more/${node.modelId ?? ''}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'kubeflow.models.loadMore', title: 'Load More', arguments: [node] };
        item.contextValue = 'kubeflow.modelsMore';
        return item;
      }
      case 'model':
        return modelItem(node.model);
      case 'version':
        return versionItem(node.model, node.version);
      case 'artifact':
        return artifactItem(node.version, node.artifact);
    }
  }
}

function labelsOf(p: RegisteredModel['customProperties']): string[] {
  return splitProperties(p).labels;
}

function modelItem(m: RegisteredModel): vscode.TreeItem {
  const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `model/${m.id}`;
  const archived = m.state === 'ARCHIVED';
  const labels = labelsOf(m.customProperties);
  item.description = [archived ? 'archived' : '', m.owner, `updated ${age(m.lastUpdateTimeSinceEpoch) ?? '?'}`, labels.join(', ')].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(archived ? 'archive' : 'package', archived ? new vscode.ThemeColor('disabledForeground') : undefined);
  item.contextValue = `kubeflow.model.${archived ? 'ARCHIVED' : 'LIVE'}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(m.name)}**${archived ? ' — archived' : ''}\n\n`);
  if (m.description) md.appendMarkdown(`${escapeMd(m.description)}\n\n`);
  if (m.owner) md.appendMarkdown(`Owner: ${escapeMd(m.owner)}\n\n`);
  if (labels.length) md.appendMarkdown(`Labels: ${labels.map(escapeMd).join(', ')}\n\n`);
  appendProps(md, m.customProperties);
  md.appendMarkdown(`Created ${escapeMd(epochTime(m.createTimeSinceEpoch) ?? '?')} · updated ${escapeMd(epochTime(m.lastUpdateTimeSinceEpoch) ?? '?')} · id ${escapeMd(m.id)}`);
  item.tooltip = md;
  return item;
}

function versionItem(m: RegisteredModel, v: ModelVersion): vscode.TreeItem {
  const item = new vscode.TreeItem(v.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `version/${v.id}`;
  const archived = v.state === 'ARCHIVED';
  const labels = labelsOf(v.customProperties);
  item.description = [archived ? 'archived' : '', v.author, age(v.createTimeSinceEpoch), labels.join(', ')].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(archived ? 'archive' : 'versions', archived ? new vscode.ThemeColor('disabledForeground') : undefined);
  item.contextValue = `kubeflow.modelVersion.${archived ? 'ARCHIVED' : 'LIVE'}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(m.name)}** version **${escapeMd(v.name)}**${archived ? ' — archived' : ''}\n\n`);
  if (v.description) md.appendMarkdown(`${escapeMd(v.description)}\n\n`);
  if (v.author) md.appendMarkdown(`Author: ${escapeMd(v.author)}\n\n`);
  if (labels.length) md.appendMarkdown(`Labels: ${labels.map(escapeMd).join(', ')}\n\n`);
  appendProps(md, v.customProperties);
  md.appendMarkdown(`Created ${escapeMd(epochTime(v.createTimeSinceEpoch) ?? '?')} · id ${escapeMd(v.id)}`);
  item.tooltip = md;
  return item;
}

function artifactItem(v: ModelVersion, a: Artifact): vscode.TreeItem {
  const uri = a.uri ?? '';
  const model = isModelArtifact(a);
  const label = a.name || uri.split('/').filter(Boolean).pop() || a.id;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `artifact/${v.id}/${a.id}`;
  const format = model ? [a.modelFormatName, a.modelFormatVersion].filter(Boolean).join(' ') : a.artifactType;
  item.description = [format, uri].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(model ? 'file-binary' : a.artifactType === 'doc-artifact' ? 'book' : a.artifactType === 'dataset-artifact' ? 'database' : 'symbol-numeric');
  item.contextValue = model ? 'kubeflow.modelArtifact' : 'kubeflow.artifact';
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(label)}** — ${escapeMd(a.artifactType)}${a.state ? ` · ${escapeMd(a.state)}` : ''}\n\n`);
  if (uri) md.appendMarkdown(`URI: \`${uri.replace(/`/g, '')}\`\n\n`);
  if (model) {
    if (format) md.appendMarkdown(`Format: ${escapeMd(format)}\n\n`);
    if (a.storageKey || a.storagePath) md.appendMarkdown(`Storage: ${escapeMd([a.storageKey, a.storagePath].filter(Boolean).join(' · '))}\n\n`);
    if (a.serviceAccountName) md.appendMarkdown(`Service account: ${escapeMd(a.serviceAccountName)}\n\n`);
  }
  if (a.description) md.appendMarkdown(`${escapeMd(a.description)}\n\n`);
  appendProps(md, a.customProperties);
  item.tooltip = md;
  return item;
}

function appendProps(md: vscode.MarkdownString, p: RegisteredModel['customProperties']): void {
  const { properties } = splitProperties(p);
  if (!properties.length) return;
  md.appendMarkdown(properties.slice(0, 12).map((x) => `- ${escapeMd(x.key)}: ${escapeMd(x.value)}`).join('\n'));
  if (properties.length > 12) md.appendMarkdown(`\n- … ${properties.length - 12} more`);
  md.appendMarkdown('\n\n');
}
