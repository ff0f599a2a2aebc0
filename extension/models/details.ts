/**
 * The details panel of a registered model or a model version (webviews/model-details): read from the registry when
 * opened and on refresh, with the lineage recorded on the version and its artifacts and the InferenceServices that
 * serve it. The panel's buttons run the same commands as the Models view, with the ids as arguments.
 */
import * as vscode from 'vscode';
import { isModelArtifact } from '../../core/modelRegistry/client';
import { describeLineage, epochTime, lineageOf, splitProperties, type LineageStep } from '../../core/modelRegistry/properties';
import { servingRecords } from '../../core/modelRegistry/serving';
import type { Artifact, InferenceService, ModelVersion, RegisteredModel } from '../../core/modelRegistry/types';
import { describePhase, describeTraffic } from '../../core/kserve/state';
import type { DetailsData, FromDetails, LineageRow, ToDetails } from '../../webviews/model-details/protocol';
import type { Ctx } from '../ctx';
import type { EndpointsModel } from '../endpoints/model';
import { WebviewHost } from '../webviews/host';
import { describe, type ModelsModel } from './model';
import { showInformationMessage } from '../notify';

export interface DetailsTarget {
  registeredModelId: string;
  modelVersionId?: string;
}

const MAX_VERSIONS = 500;
/** Versions whose model artifact the model panel reads (format and URI columns). */
const ARTIFACT_LOOKUPS = 25;

export class DetailsPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, DetailsPanel>();
  private readonly host: WebviewHost<FromDetails, ToDetails>;
  private readonly subs: vscode.Disposable[] = [];
  private last: ToDetails | undefined;
  private loading = 0;
  private records: Array<InferenceService & { namespace: string }> = [];
  private recordsRead = 0;

  /** Opens or reveals the panel of a model or version. */
  static show(ctx: Ctx, models: ModelsModel, endpoints: EndpointsModel, target: DetailsTarget, revived?: vscode.WebviewPanel): DetailsPanel {
    const key = `${models.registry.id}#${target.registeredModelId}#${target.modelVersionId ?? ''}`;
    const open = DetailsPanel.panels.get(key);
    if (open) {
      revived?.dispose();
      open.host.panel.reveal(undefined, false);
      void open.load();
      return open;
    }
    const p = new DetailsPanel(ctx, models, endpoints, target, key, revived);
    DetailsPanel.panels.set(key, p);
    void p.load();
    return p;
  }

  /** Reloads every open panel of a model (after archive/restore, a new version). */
  static refreshModel(registeredModelId: string): void {
    for (const p of DetailsPanel.panels.values()) if (p.target.registeredModelId === registeredModelId) void p.load();
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly models: ModelsModel,
    private readonly endpoints: EndpointsModel,
    readonly target: DetailsTarget,
    private readonly key: string,
    revived?: vscode.WebviewPanel,
  ) {
    this.host = new WebviewHost<FromDetails, ToDetails>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.modelDetails',
      title: 'Model',
      script: 'model-details',
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
      ...(revived ? { revived } : {}),
    });
    // After a window reload the panel comes back with this (the registry in use then).
    this.host.setRestoreData({ registeredModelId: target.registeredModelId, ...(target.modelVersionId ? { modelVersionId: target.modelVersionId } : {}) } satisfies DetailsTarget);
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      // A (re)loaded page gets the latest data only: queued progress from before it would land after it.
      this.host.onReady(() => {
        if (!this.last) return;
        this.host.dropQueued('data');
        this.host.dropQueued('busy');
        this.host.post(this.last);
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
      endpoints.onDidChange(() => this.last?.type === 'data' && void this.updateDeployments()),
    );
    endpoints.start();
  }

  private post(m: ToDetails): void {
    if (m.type === 'data') this.last = m;
    this.host.post(m);
  }

  async load(): Promise<void> {
    const n = ++this.loading;
    this.host.post({ type: 'busy', message: 'Reading the registry…' });
    try {
      const data = await this.read();
      if (n !== this.loading) return;
      this.host.panel.title = data.version ? `${data.model.name} ${data.version.name}` : data.model.name;
      this.post({ type: 'data', data });
    } catch (err) {
      if (n !== this.loading) return;
      this.host.post({ type: 'error', message: `Cannot read ${this.target.modelVersionId ? 'the model version' : 'the model'} from ${this.models.registry.label}: ${describe(err)}` });
    }
  }

  private async read(): Promise<DetailsData> {
    const client = this.models.client();
    const model = await client.getRegisteredModel(this.target.registeredModelId);
    const mp = splitProperties(model.customProperties);
    const base: DetailsData = {
      kind: this.target.modelVersionId ? 'version' : 'model',
      registry: this.models.registry.label,
      model: { id: model.id, name: model.name, state: model.state ?? 'LIVE', owner: model.owner, description: model.description, created: epochTime(model.createTimeSinceEpoch), updated: epochTime(model.lastUpdateTimeSinceEpoch), labels: mp.labels, properties: mp.properties },
      versions: [],
      artifacts: [],
      lineage: [],
      deployments: [],
      deployable: false,
    };
    if (this.target.modelVersionId) {
      const [version, artifacts] = await Promise.all([
        client.getVersion(this.target.modelVersionId),
        client.all((o) => client.listVersionArtifacts(this.target.modelVersionId!, o), { pageSize: 100 }, 500),
      ]);
      const vp = splitProperties(version.customProperties);
      base.version = { id: version.id, name: version.name, state: version.state ?? 'LIVE', author: version.author, description: version.description, created: epochTime(version.createTimeSinceEpoch), updated: epochTime(version.lastUpdateTimeSinceEpoch), labels: vp.labels, properties: vp.properties };
      base.artifacts = artifacts.map(artifactRow);
      base.deployable = artifacts.some((a) => isModelArtifact(a) && !!a.uri);
      base.lineage = lineageRows(lineageOf(version, artifacts, model));
    } else {
      const versions = await client.all((o) => client.listVersions(model.id, o), { pageSize: 100, orderBy: 'CREATE_TIME', sortOrder: 'DESC' }, MAX_VERSIONS);
      const firstArtifacts = await Promise.all(versions.slice(0, ARTIFACT_LOOKUPS).map((v) => client.listVersionArtifacts(v.id, { artifactType: 'model-artifact', pageSize: 1 }).then((p) => p.items[0], () => undefined)));
      base.versions = versions.map((v, i) => versionRow(v, firstArtifacts[i]));
      base.lineage = lineageRows(lineageOf({ id: '', name: '', registeredModelId: model.id, customProperties: model.customProperties ?? {} } as ModelVersion, firstArtifacts.filter((a): a is Artifact => !!a), model));
    }
    await this.readRecords(model.id);
    base.deployments = this.deployments(model);
    return base;
  }

  /** The registry's own records of what serves this version or model (best effort: the cluster's view stands alone). */
  private async readRecords(registeredModelId: string): Promise<void> {
    this.recordsRead = Date.now();
    try {
      this.records = await servingRecords(this.models.client(), { registeredModelId, ...(this.target.modelVersionId ? { modelVersionId: this.target.modelVersionId } : {}) });
    } catch (err) {
      this.ctx.log.debug(`model details: the registry's inference service records: ${describe(err)}`);
    }
  }

  /** The cluster's InferenceServices that serve it, with the registry's record of each; records the cluster lacks. */
  private deployments(model: RegisteredModel): DetailsData['deployments'] {
    const recorded = (name: string, ns: string) => this.records.find((r) => r.name === name && r.namespace === ns);
    const rows = this.endpoints.list()
      .filter((e) => (this.target.modelVersionId ? e.summary.registry?.modelVersionId === this.target.modelVersionId : e.summary.registry?.registeredModelId === model.id))
      .map((e) => {
        const rec = recorded(e.summary.name, e.summary.namespace);
        const phase = describePhase(e.summary) + (rec ? ` · in the registry: ${rec.desiredState ?? 'DEPLOYED'}` : '');
        return { name: e.summary.name, namespace: e.summary.namespace, phase, ...(e.summary.url ? { url: e.summary.url } : {}), ...(describeTraffic(e.summary.traffic) ? { traffic: describeTraffic(e.summary.traffic)! } : {}) };
      });
    for (const r of this.records) {
      if (r.name && !rows.some((x) => x.name === r.name && x.namespace === r.namespace)) rows.push({ name: r.name, namespace: r.namespace, phase: `In the registry: ${r.desiredState ?? 'DEPLOYED'} (not in the cluster)` });
    }
    return rows;
  }

  private async updateDeployments(): Promise<void> {
    if (this.last?.type !== 'data') return;
    // a deploy in progress changes the services often: the registry is read again at most every 3 s
    if (Date.now() - this.recordsRead > 3000) await this.readRecords(this.last.data.model.id);
    if (this.last?.type !== 'data') return;
    const d = this.last.data;
    const next = this.deployments({ id: d.model.id, name: d.model.name });
    if (JSON.stringify(next) === JSON.stringify(d.deployments)) return;
    this.post({ type: 'data', data: { ...d, deployments: next } });
  }

  private async onMessage(m: FromDetails): Promise<void> {
    if (m.type !== 'action') return;
    const t = this.target;
    const arg = { registeredModelId: t.registeredModelId, ...(t.modelVersionId ? { modelVersionId: t.modelVersionId } : {}) };
    switch (m.action) {
      case 'refresh':
        return this.load();
      case 'deploy':
        await vscode.commands.executeCommand('kubeflow.models.deploy', arg);
        return;
      case 'copyUri':
        await vscode.commands.executeCommand('kubeflow.models.copyUri', arg);
        return;
      case 'archive':
      case 'restore':
        await vscode.commands.executeCommand(m.action === 'archive' ? 'kubeflow.models.archive' : 'kubeflow.models.restore', arg);
        return this.load();
      case 'registerVersion':
        await vscode.commands.executeCommand('kubeflow.models.registerVersion', arg);
        return this.load();
      case 'openVersion':
        if (m.ref) DetailsPanel.show(this.ctx, this.models, this.endpoints, { registeredModelId: t.registeredModelId, modelVersionId: m.ref });
        return;
      case 'openEndpoint':
        await vscode.commands.executeCommand('kubeflow.endpoints.reveal', m.ref);
        return;
      case 'openLineage':
        return openLineage(m.lineage, m.ref);
    }
  }

  dispose(): void {
    DetailsPanel.panels.delete(this.key);
    this.subs.forEach((s) => s.dispose());
  }
}

function artifactRow(a: Artifact): DetailsData['artifacts'][number] {
  const p = splitProperties(a.customProperties);
  const m = isModelArtifact(a) ? a : undefined;
  return {
    id: a.id,
    name: a.name || a.id,
    artifactType: a.artifactType,
    ...(a.state ? { state: a.state } : {}),
    ...(a.uri ? { uri: a.uri } : {}),
    ...(m && (m.modelFormatName || m.modelFormatVersion) ? { format: [m.modelFormatName, m.modelFormatVersion].filter(Boolean).join(' ') } : {}),
    ...(m && (m.storageKey || m.storagePath) ? { storage: [m.storageKey, m.storagePath].filter(Boolean).join(' · ') } : {}),
    ...(m?.serviceAccountName ? { serviceAccountName: m.serviceAccountName } : {}),
    ...(a.description ? { description: a.description } : {}),
    properties: p.properties,
  };
}

function versionRow(v: ModelVersion, a: Artifact | undefined): DetailsData['versions'][number] {
  const m = a && isModelArtifact(a) ? a : undefined;
  return {
    id: v.id,
    name: v.name,
    state: v.state ?? 'LIVE',
    ...(v.author ? { author: v.author } : {}),
    ...(epochTime(v.createTimeSinceEpoch) ? { created: epochTime(v.createTimeSinceEpoch)! } : {}),
    ...(m?.modelFormatName ? { format: m.modelFormatName } : {}),
    ...(m?.uri ? { uri: m.uri } : {}),
    labels: splitProperties(v.customProperties).labels,
  };
}

function lineageRows(steps: LineageStep[]): LineageRow[] {
  return steps.map((s) => ({
    text: describeLineage(s),
    ...(s.kind === 'pipelineRun' ? { action: 'openPipelineRun' as const, ref: JSON.stringify({ runId: s.runId, namespace: s.namespace }) } : {}),
    ...(s.kind === 'katibTrial' ? { action: 'openKatibTrial' as const, ref: JSON.stringify({ experiment: s.experiment, trial: s.trial, namespace: s.namespace }) } : {}),
  }));
}

/** A lineage link: the pipeline run in the Runs feature when it offers a command, else the id on the clipboard. */
async function openLineage(kind: LineageRow['action'], ref: string | undefined): Promise<void> {
  if (!ref) return;
  let o: { runId?: string; namespace?: string; experiment?: string; trial?: string };
  try {
    o = JSON.parse(ref) as typeof o;
  } catch {
    return;
  }
  const commands = await vscode.commands.getCommands(true);
  if (kind === 'openPipelineRun' && o.runId) {
    if (commands.includes('kubeflow.runs.open')) {
      await vscode.commands.executeCommand('kubeflow.runs.open', { runId: o.runId, namespace: o.namespace });
      return;
    }
    await vscode.env.clipboard.writeText(o.runId);
    void showInformationMessage(`Pipeline run id ${o.runId} copied.`);
  } else if (kind === 'openKatibTrial') {
    await vscode.commands.executeCommand('kubeflow.katib.focus');
    void showInformationMessage(`Trial ${o.trial} of experiment ${o.experiment}${o.namespace ? ` (namespace ${o.namespace})` : ''} is in the Experiments view.`);
  }
}
