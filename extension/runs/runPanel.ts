// The run view: the pipeline-graph webview showing a run's pipeline with its task states, refreshed while the run is
// active; terminate / retry / clone; a task's logs; and, when the run came from a local file, whether that file still
// is the pipeline that ran. Also shows an uploaded pipeline version's graph (no run).
import * as vscode from 'vscode';
import { buildOverlay, type RunOverlay } from '../../core/kfp/overlay';
import { taskKey } from '../../core/kfp/runState';
import { diffSpecs } from '../../core/kfp/spec';
import { runSettled, SETTLE_READS } from '../../core/kfp/settled';
import { isTerminal, type Run } from '../../core/kfp/types';
import type { PipelineModel } from '../../core/pipeline/model';
import { parsePipeline } from '../../core/pipeline/parse';
import { packModel } from '../../core/pipeline/wire.node';
import type { FromGraph, RunAction, ToGraph } from '../../webviews/pipeline-graph/protocol';
import type { Ctx } from '../ctx';
import { WebviewHost } from '../webviews/host';
import type { PipelinesApi } from './api';
import { openStepLogs } from './logs';
import type { RunsModel } from './model';
import { pipelineSettings } from './settings';
import { prepare } from './submit';
import { showErrorMessage, showInformationMessage } from '../notify';

export interface LocalSource {
  uri: vscode.Uri;
  pipeline?: string;
}

export interface RunPanelDeps {
  ctx: Ctx;
  api: PipelinesApi;
  model: RunsModel;
  /** The local file a run was submitted from, if this workspace knows it. */
  localOf(runId: string): LocalSource | undefined;
}

/** What brings a run view back after a window reload. */
export interface RunRestore {
  runId: string;
  name: string;
}

export class RunPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, RunPanel>();
  private readonly host: WebviewHost<FromGraph, ToGraph>;
  private readonly subs: vscode.Disposable[] = [];
  private model: PipelineModel | undefined;
  private spec: Record<string, unknown> | undefined;
  private run: Run | undefined;
  private overlay: RunOverlay | undefined;
  private lastModel: ToGraph | undefined;
  private local: RunOverlay['local'];
  private timer: NodeJS.Timeout | undefined;
  /** The read before `run`, and how many reads were made after the final state (core/kfp/settled.ts). */
  private previous: Run | undefined;
  private settleReads = 0;
  private loading: Promise<void> | undefined;
  private disposed = false;

  /** Opens (or reveals) the view of a run. */
  static async show(deps: RunPanelDeps, runId: string, name?: string): Promise<RunPanel> {
    let panel = RunPanel.panels.get(runId);
    if (panel) {
      panel.host.panel.reveal(undefined, false);
      await panel.refresh();
      return panel;
    }
    panel = new RunPanel(deps, runId, name ?? runId);
    RunPanel.panels.set(runId, panel);
    await panel.refresh();
    return panel;
  }

  /** A run view VS Code restored after a window reload: it follows its run again. */
  static async revive(deps: RunPanelDeps, revived: vscode.WebviewPanel, data: RunRestore): Promise<void> {
    if (RunPanel.panels.has(data.runId)) {
      revived.dispose();
      return;
    }
    const panel = new RunPanel(deps, data.runId, data.name, revived);
    RunPanel.panels.set(data.runId, panel);
    await panel.refresh();
  }

  private constructor(
    private readonly deps: RunPanelDeps,
    private readonly runId: string,
    private name: string,
    revived?: vscode.WebviewPanel,
  ) {
    this.host = new WebviewHost<FromGraph, ToGraph>(deps.ctx.extension.extensionUri, {
      viewType: 'kubeflow.runView',
      title: `Run: ${name}`,
      script: 'pipeline-graph',
      column: vscode.ViewColumn.Active,
      iconPath: vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
      ...(revived ? { revived } : {}),
    });
    this.host.setRestoreData({ runId, name } satisfies RunRestore);
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      this.host.onReady(() => {
        // A reloaded page starts empty: the model, then the run.
        if (this.lastModel) {
          this.host.dropQueued('model');
          this.host.dropQueued('run');
          this.host.post(this.lastModel);
          if (this.overlay) this.host.post({ type: 'run', run: this.overlay });
        }
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        const local = this.deps.localOf(this.runId);
        if (local && d.uri.toString() === local.uri.toString()) void this.compareLocal(true);
      }),
    );
  }

  private refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { api, model, ctx } = this.deps;
    try {
      const client = await api.client();
      const run = await client.getRun(this.runId);
      if (this.disposed) return;
      this.run = run;
      model.noteState(run);
      if (!this.model) {
        let spec = run.pipeline_spec;
        const ref = run.pipeline_version_reference;
        if (!spec && ref?.pipeline_id && ref.pipeline_version_id) spec = (await client.getPipelineVersion(ref.pipeline_id, ref.pipeline_version_id)).pipeline_spec;
        if (!spec) throw new Error('the run has no pipeline spec, and no pipeline version to read it from');
        this.spec = spec;
        this.model = parsePipeline(JSON.stringify(spec));
        this.lastModel = { type: 'model', ...(await packModel(this.model)), source: { label: run.display_name ?? this.runId, kind: 'ir' }, version: 0 };
        if (this.disposed) return;
        this.host.dropQueued('model');
        this.host.post(this.lastModel);
        this.name = run.display_name ?? this.runId;
        this.host.panel.title = `Run: ${this.name}`;
        this.host.setRestoreData({ runId: this.runId, name: this.name } satisfies RunRestore);
        void this.compareLocal(false);
      }
      this.publish();
      const previous = this.previous;
      this.previous = run;
      if (!isTerminal(run.state)) {
        this.settleReads = 0;
        this.timer = setTimeout(() => void this.refresh(), pipelineSettings.refreshSeconds() * 1000);
      } else if (!runSettled(run, previous) && this.settleReads++ < SETTLE_READS) {
        // the final state can come a moment before its task states (core/kfp/settled.ts): read again soon
        this.timer = setTimeout(() => void this.refresh(), 1000);
      }
    } catch (err) {
      const message = `Cannot read run ${this.run?.display_name ?? this.runId}: ${api.explain(err)}`;
      ctx.log.warn(message);
      this.host.post({ type: 'status', state: 'error', message });
      // Keep trying while the run may still be going (a forward that came back, a server restart).
      if (!this.run || !isTerminal(this.run.state)) this.timer = setTimeout(() => void this.refresh(), Math.max(10, pipelineSettings.refreshSeconds() * 2) * 1000);
    }
  }

  private publish(): void {
    if (!this.model || !this.run) return;
    const ref = this.run.pipeline_version_reference;
    this.overlay = buildOverlay(this.model, this.run, {
      ...(this.deps.model.experimentName(this.run.experiment_id) ? { experiment: this.deps.model.experimentName(this.run.experiment_id)! } : {}),
      ...(this.model.name ? { pipeline: `pipeline ${this.model.name}${ref?.pipeline_version_id ? '' : ' (inline spec)'}` } : {}),
      ...(this.local ? { local: this.local } : {}),
    });
    this.host.dropQueued('run');
    this.host.post({ type: 'run', run: this.overlay });
  }

  /** Compiles / reads the local file and compares it with the run's pipeline. */
  private async compareLocal(republish: boolean): Promise<void> {
    const local = this.deps.localOf(this.runId);
    if (!local || !this.spec) return;
    const p = await prepare(local.uri, local.pipeline, this.deps.ctx.log, new AbortController().signal).catch((err: unknown) => ({ error: String(err) }));
    if ('error' in p) {
      this.local = { file: vscode.workspace.asRelativePath(local.uri, false), same: false, changes: [`it does not compile now: ${p.error}`] };
    } else {
      const d = diffSpecs(p.spec, this.spec);
      this.local = { file: p.label, same: d.same, changes: d.changes };
    }
    if (republish || this.overlay) this.publish();
  }

  private async onMessage(m: FromGraph): Promise<void> {
    const { api, ctx } = this.deps;
    try {
      switch (m.type) {
        case 'refresh':
          await this.refresh();
          break;
        case 'runAction':
          await this.action(m.action);
          break;
        case 'openLogs': {
          const o = this.overlay?.tasks[taskKey(m.path, m.task)];
          const attempt = m.node ? o?.attempts.find((a) => a.node === m.node) : o?.attempts[o.attempts.length - 1];
          const node = m.node ?? attempt?.node;
          if (!node) {
            void showInformationMessage(`${m.task} has not started a pod yet.`);
            return;
          }
          const info = await api.info();
          await openStepLogs(ctx, await api.client(), { runId: this.runId, runName: this.name, namespace: info.namespace ?? pipelineSettings.service().namespace, task: m.task, node, failed: attempt?.state === 'failed' });
          break;
        }
        case 'openTask':
        case 'openLine':
        case 'submitRun':
        case 'rendered':
          break;
      }
    } catch (err) {
      void showErrorMessage(`Kubeflow: ${api.explain(err)}`);
    }
  }

  private async action(a: RunAction): Promise<void> {
    const run = this.run;
    if (!run) return;
    switch (a) {
      case 'terminate':
        await vscode.commands.executeCommand('kubeflow.runs.terminate', { type: 'run', run });
        break;
      case 'retry':
        await vscode.commands.executeCommand('kubeflow.runs.retry', { type: 'run', run });
        break;
      case 'clone':
        await vscode.commands.executeCommand('kubeflow.runs.clone', { type: 'run', run });
        return;
      case 'outputs':
        await vscode.commands.executeCommand('kubeflow.runs.showOutputs', this.runId);
        return;
      case 'openLocal': {
        const local = this.deps.localOf(this.runId);
        if (local) await vscode.commands.executeCommand('kubeflow.pipelines.showGraph', local.uri, local.pipeline);
        return;
      }
    }
    await this.refresh();
  }

  /** Called when an action elsewhere changed the run. */
  static async refreshRun(runId: string): Promise<void> {
    await RunPanel.panels.get(runId)?.refresh();
  }

  dispose(): void {
    if (RunPanel.panels.get(this.runId) !== this) return;
    RunPanel.panels.delete(this.runId);
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.subs.forEach((s) => s.dispose());
  }
}
