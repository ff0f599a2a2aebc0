// The run outputs panel: what one run produced, per task, from MLMD (parameters, artifacts with type, URI and
// metadata, their visualizations), or two or more runs compared. Copies an artifact's URI, registers a Model
// artifact in Model Registry (the registry's own register command, with the run, task and URI of the real artifact).
import * as vscode from 'vscode';
import { compareRuns, type ComparedRun } from '../../core/mlmd/compare';
import type { ArtifactRecord, RunOutputs } from '../../core/mlmd/outputs';
import { toRunView } from '../../core/mlmd/runView';
import type { PipelineArtifactArgument } from '../../core/modelRegistry/register';
import type { FromOutputs, ToOutputs } from '../../webviews/run-outputs/protocol';
import type { Ctx } from '../ctx';
import { errorMessage } from '../log';
import { showErrorMessage, showInformationMessage } from '../notify';
import { ArtifactStore } from './artifactStore';
import { pipelineSettings } from './settings';
import { WebviewHost } from '../webviews/host';
import type { PipelinesApi } from './api';
import type { MetadataApi } from './metadata';

const VIEW_TYPES: ReadonlyArray<ToOutputs['type']> = ['run', 'compare', 'busy', 'error'];

export interface OutputsDeps {
  ctx: Ctx;
  api: PipelinesApi;
  metadata: MetadataApi;
}

interface Loaded { id: string; name: string; pipeline?: string; namespace?: string; parameters?: Record<string, unknown>; outputs: RunOutputs }

export class RunOutputsPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, RunOutputsPanel>();
  private readonly host: WebviewHost<FromOutputs, ToOutputs>;
  private readonly subs: vscode.Disposable[] = [];
  private loaded: Loaded[] = [];
  /** What the page shows now (each message sets the whole page). */
  private shown: ToOutputs | undefined;
  private readonly store: ArtifactStore;

  /** One run: its outputs; two or more: the comparison. */
  static async show(deps: OutputsDeps, runs: Array<{ id: string; name?: string }>): Promise<RunOutputsPanel> {
    const key = runs.map((r) => r.id).sort().join(',');
    let panel = RunOutputsPanel.panels.get(key);
    if (!panel) {
      panel = new RunOutputsPanel(deps, runs, key);
      RunOutputsPanel.panels.set(key, panel);
    } else {
      panel.host.panel.reveal(undefined, false);
    }
    await panel.load();
    return panel;
  }

  private constructor(private readonly deps: OutputsDeps, private readonly runs: Array<{ id: string; name?: string }>, private readonly key: string) {
    this.store = new ArtifactStore(deps.ctx);
    const title = runs.length === 1 ? `Outputs: ${runs[0]!.name ?? runs[0]!.id}` : `Compare ${runs.length} runs`;
    this.host = new WebviewHost<FromOutputs, ToOutputs>(deps.ctx.extension.extensionUri, {
      viewType: 'kubeflow.runOutputs',
      title,
      script: 'run-outputs',
      iconPath: vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
    });
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      // A hidden panel's page is gone (no retainContextWhenHidden): shown again, it starts empty, so it gets what it showed.
      this.host.onReady(() => {
        if (!this.shown) return;
        for (const t of VIEW_TYPES) this.host.dropQueued(t);
        this.host.post(this.shown);
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Sends what the whole page shows (the run, the comparison, an error or the busy line), kept for a reload. */
  private show(message: ToOutputs): void {
    this.shown = message;
    this.host.post(message);
  }

  /** The webview's host, for tests: what it was last sent. */
  get panel(): vscode.WebviewPanel {
    return this.host.panel;
  }

  private async load(): Promise<void> {
    this.show({ type: 'busy', message: `Reading ${this.runs.length === 1 ? 'the run\'s' : `${this.runs.length} runs'`} records from ML Metadata…` });
    try {
      this.loaded = await Promise.all(this.runs.map((r) => this.loadRun(r)));
      if (this.host.closed) return;
      this.host.dropQueued('run');
      this.host.dropQueued('compare');
      if (this.loaded.length === 1) {
        const l = this.loaded[0]!;
        this.show({ type: 'run', run: toRunView(l.outputs, l.name, l.parameters) });
      } else {
        const runs: ComparedRun[] = this.loaded.map((l) => ({ id: l.id, name: l.name, parameters: l.parameters ?? l.outputs.parameters, outputs: l.outputs }));
        this.show({ type: 'compare', comparison: compareRuns(runs) });
      }
    } catch (err) {
      const message = `Cannot read what the run produced: ${this.deps.api.explain(err)}`;
      this.deps.ctx.log.warn(message);
      this.show({ type: 'error', message });
    }
  }

  /** MLMD's records; the KFP API's run for its name and parameters when the server answers (else MLMD's). */
  private async loadRun(r: { id: string; name?: string }): Promise<Loaded> {
    const [outputs, run] = await Promise.all([
      this.deps.metadata.runOutputs(r.id),
      this.deps.api.client().then((c) => c.getRun(r.id)).catch((err: unknown) => {
        this.deps.ctx.log.info(`run outputs: the KFP API did not give run ${r.id} (${errorMessage(err)}); using MLMD's records only`);
        return undefined;
      }),
    ]);
    const params = run?.runtime_config?.parameters as Record<string, unknown> | undefined;
    return {
      id: r.id, name: run?.display_name ?? r.name ?? r.id, outputs,
      ...(params && Object.keys(params).length ? { parameters: params } : {}),
      ...(outputs.namespace ? { namespace: outputs.namespace } : {}),
    };
  }

  private artifact(id: string | undefined): { run: Loaded; task: string; artifact: ArtifactRecord } | undefined {
    for (const run of this.loaded) {
      for (const t of run.outputs.tasks) {
        const artifact = t.artifacts.find((a) => a.id === id && a.event === 'OUTPUT') ?? t.artifacts.find((a) => a.id === id);
        if (artifact) return { run, task: t.task, artifact };
      }
    }
    return undefined;
  }

  private async onMessage(m: FromOutputs): Promise<void> {
    if (m.type !== 'action') return;
    if (m.action === 'refresh') return this.load();
    const found = this.artifact(m.ref);
    if (!found) return;
    const { run, task, artifact } = found;
    switch (m.action) {
      case 'copyUri':
        await vscode.env.clipboard.writeText(artifact.uri);
        vscode.window.setStatusBarMessage(`$(copy) Copied ${artifact.uri}`, 5000);
        return;
      case 'register': {
        const framework = typeof artifact.metadata.framework === 'string' ? artifact.metadata.framework : undefined;
        const arg: PipelineArtifactArgument = {
          source: 'pipeline', runId: run.id, runName: run.name, artifactName: `${task}.${artifact.name}`, uri: artifact.uri,
          ...(run.namespace ? { namespace: run.namespace } : {}),
          ...(framework ? { modelFormatName: framework } : {}),
          modelName: artifact.displayName !== artifact.name ? artifact.displayName : run.name,
        };
        await vscode.commands.executeCommand('kubeflow.models.register', arg);
        return;
      }
      case 'openArtifact':
      case 'download':
        try {
          const ns = run.namespace ?? pipelineSettings.service().namespace;
          if (m.action === 'openArtifact') {
            await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${artifact.uri}…` }, () => this.store.open(artifact, ns));
          } else {
            const saved = await this.store.download(artifact, ns);
            if (saved) void showInformationMessage(`Saved ${artifact.uri} to ${vscode.workspace.asRelativePath(saved)}.`);
          }
        } catch (err) {
          void showErrorMessage(`Kubeflow: cannot read ${artifact.name} of task ${task}: ${errorMessage(err)}`);
        }
        return;
    }
  }

  dispose(): void {
    RunOutputsPanel.panels.delete(this.key);
    this.subs.forEach((s) => s.dispose());
  }
}
