// The "Submit Pipeline Run" panel: one per pipeline file (and function). Fills the form from the pipeline, the
// file's last submit and its presets, asks the server for the experiments and the uploaded pipeline of that name,
// and runs the submit when the form says so. The run view opens when the run exists.
import * as vscode from 'vscode';
import { applicableValues, initialValues } from '../../core/kfp/params';
import { apiTime } from '../../core/kfp/types';
import { listAll } from '../../core/kfp/client';
import { eq } from '../../core/kfp/filter';
import type { ExperimentChoice, FromForm, SubmitRequest, ToForm } from '../../webviews/run-form/protocol';
import type { Ctx } from '../ctx';
import { WebviewHost } from '../webviews/host';
import { showErrorMessage } from '../notify';
import type { PipelinesApi } from './api';
import type { Presets } from './presets';
import { pipelineSettings } from './settings';
import { findUploaded, presetKey, submit, SubmitError, type Prepared, type Submitted } from './submit';

export interface FormHooks {
  /** A run was created: open its view, follow it. */
  submitted(s: Submitted, p: Prepared): void;
}

/** What brings a run form back after a window reload: its file (read again), or the uploaded/inline spec it runs. The
 * values typed so far come back from the page's own state. */
export type FormRestore =
  | { kind: 'file'; uri: string; pipeline?: string }
  | { kind: 'spec'; spec: Record<string, unknown>; fixed?: Prepared['fixed']; label: string };

export class RunFormPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, RunFormPanel>();
  private readonly host: WebviewHost<FromForm, ToForm>;
  private readonly subs: vscode.Disposable[] = [];
  private readonly key: string;
  /** The submit under way: cancelled from the form or its notification. */
  private busy: AbortController | undefined;
  /** What a reloaded page (hidden, then shown again) needs: the last init and connection messages. */
  private lastInit: ToForm | undefined;
  private lastConnection: ToForm | undefined;
  private pageLoads = 0;

  static show(ctx: Ctx, api: PipelinesApi, presets: Presets, p: Prepared, hooks: FormHooks, initial?: Record<string, unknown>): RunFormPanel {
    const key = presetKey(p);
    const open = RunFormPanel.panels.get(key);
    if (open) {
      open.host.panel.reveal();
      open.prepared = p;
      open.sendInit(initial);
      return open;
    }
    const panel = new RunFormPanel(ctx, api, presets, p, hooks, key);
    RunFormPanel.panels.set(key, panel);
    panel.sendInit(initial);
    void panel.connect();
    return panel;
  }

  /** A form VS Code restored after a window reload (its pipeline read again by the caller). */
  static revive(ctx: Ctx, api: PipelinesApi, presets: Presets, p: Prepared, hooks: FormHooks, revived: vscode.WebviewPanel): void {
    const key = presetKey(p);
    if (RunFormPanel.panels.has(key)) {
      revived.dispose();
      return;
    }
    const panel = new RunFormPanel(ctx, api, presets, p, hooks, key, revived);
    RunFormPanel.panels.set(key, panel);
    panel.sendInit();
    void panel.connect();
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly api: PipelinesApi,
    private readonly presets: Presets,
    private prepared: Prepared,
    private readonly hooks: FormHooks,
    key: string,
    revived?: vscode.WebviewPanel,
  ) {
    this.key = key;
    this.host = new WebviewHost<FromForm, ToForm>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.runForm',
      title: `Run ${prepared.name}`,
      script: 'run-form',
      column: vscode.ViewColumn.Beside,
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
      ...(revived ? { revived } : {}),
    });
    this.host.setRestoreData(
      (prepared.uri
        ? { kind: 'file', uri: prepared.uri.toString(), ...(prepared.pipeline ? { pipeline: prepared.pipeline } : {}) }
        : { kind: 'spec', spec: prepared.spec, ...(prepared.fixed ? { fixed: prepared.fixed } : {}), label: prepared.label }) satisfies FormRestore,
    );
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      this.host.onReady(() => {
        // The first load gets the queued messages; a reload gets the latest state again (its values come back from
        // the page's own saved state).
        if (this.pageLoads++ === 0) return;
        for (const m of [this.lastInit, this.lastConnection]) if (m) this.host.post(m);
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
    );
  }

  private postPresets(): void {
    const presets = Object.keys(this.presets.get(this.key).presets).sort();
    if (this.lastInit?.type === 'init') this.lastInit.presets = presets;
    this.host.post({ type: 'presets', presets });
  }

  private send(m: ToForm): void {
    if (m.type === 'init') this.lastInit = m;
    if (m.type === 'connection') this.lastConnection = m;
    this.host.post(m);
  }

  private sendInit(initial?: Record<string, unknown>): void {
    const p = this.prepared;
    const stored = this.presets.get(this.key);
    const fields = p.form.fields;
    const values = initialValues(fields, initial ? applicableValues(fields, initial) : undefined);
    const now = new Date();
    const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
    this.host.dropQueued('init');
    this.send({
      type: 'init',
      file: p.label,
      pipeline: p.name,
      form: p.form,
      values,
      presets: Object.keys(stored.presets).sort(),
      ...(stored.last ? { last: { at: stored.last.at, ...(stored.last.runName ? { runName: stored.last.runName } : {}) } } : {}),
      runName: `${p.name} ${stamp}`,
      serviceAccount: pipelineSettings.serviceAccount(),
      where: this.api.where(),
    });
  }

  /** Experiments and the uploaded pipeline of this name, for the form's pickers. */
  private async connect(): Promise<void> {
    this.send({ type: 'connection', state: 'loading' });
    try {
      const client = await this.api.client();
      const info = await this.api.info();
      const p = this.prepared;
      const [experiments, uploaded] = await Promise.all([
        listAll((o) => client.listExperiments(o), { filter: [eq('storage_state', 'AVAILABLE')], sort: { field: 'created_at', desc: true } }, 500),
        p.fixed || p.inline ? Promise.resolve(undefined) : findUploaded(client, p),
      ]);
      const choices: ExperimentChoice[] = experiments
        .filter((e) => e.experiment_id)
        .map((e) => ({ id: e.experiment_id!, name: e.display_name ?? e.experiment_id!, ...(e.description ? { description: e.description } : {}), ...(apiTime(e.last_run_created_at) ? { lastRunAt: apiTime(e.last_run_created_at)! } : {}) }))
        .sort((a, b) => (b.lastRunAt ?? 0) - (a.lastRunAt ?? 0));
      const last = this.presets.get(this.key).last;
      const experiment = choices.find((c) => c.id === last?.experimentId)?.id ?? choices.find((c) => c.name === 'Default')?.id ?? choices[0]?.id;
      this.send({
        type: 'connection',
        state: 'ready',
        experiments: choices,
        ...(experiment ? { experiment } : {}),
        pipelineName: p.name,
        ...(p.fixed ? { pipeline: { id: p.fixed.pipelineId, name: p.name, versions: 1, fixed: { versionId: p.fixed.versionId, versionName: p.fixed.versionName } } } : {}),
        ...(p.inline ? { inline: true } : {}),
        ...(uploaded
          ? { pipeline: { id: uploaded.id, name: uploaded.name, versions: uploaded.versions, unchanged: uploaded.unchanged, ...(uploaded.latest?.name ? { latestVersion: uploaded.latest.name } : {}) } }
          : {}),
        ...(info.namespace ? { namespace: info.namespace } : {}),
        ...(info.version ? { version: info.version } : {}),
      });
    } catch (err) {
      this.send({ type: 'connection', state: 'error', message: `Cannot reach Kubeflow Pipelines: ${this.api.explain(err)}` });
    }
  }

  private async onMessage(m: FromForm): Promise<void> {
    switch (m.type) {
      case 'submit':
        await this.submit(m.request);
        break;
      case 'retryConnection':
        this.api.reset();
        await this.connect();
        break;
      case 'cancel':
        this.host.panel.dispose();
        break;
      case 'cancelSubmit':
        this.busy?.abort();
        break;
      case 'loadPreset': {
        const v = this.presets.get(this.key).presets[m.name];
        if (v) this.host.post({ type: 'values', values: applicableValues(this.prepared.form.fields, v), from: `preset "${m.name}"` });
        break;
      }
      case 'savePreset':
        await this.presets.save(this.key, m.name, m.values);
        this.postPresets();
        break;
      case 'deletePreset':
        await this.presets.remove(this.key, m.name);
        this.postPresets();
        break;
      case 'useLast': {
        const last = this.presets.get(this.key).last;
        if (last) this.host.post({ type: 'values', values: applicableValues(this.prepared.form.fields, last.values), from: 'the last run' });
        break;
      }
    }
  }

  /**
   * Runs the submit with a cancellable progress notification (the form may be closed meanwhile: the outcome is then
   * a notification). Every request has the transport's timeout, so a stalled forward ends with a message.
   */
  private async submit(req: SubmitRequest): Promise<void> {
    if (this.busy) return;
    const abort = new AbortController();
    this.busy = abort;
    const p = this.prepared;
    const step = (progress: vscode.Progress<{ message?: string }>) => (s: string) => {
      progress.report({ message: s });
      this.host.post({ type: 'submitting', step: s });
    };
    try {
      const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Submitting ${p.name}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        step(progress)('Connecting to Kubeflow Pipelines…');
        const [client, cleanup] = await Promise.all([this.api.cancellableClient(abort.signal), this.api.client()]);
        return submit(client, p, req, step(progress), this.ctx.log, cleanup);
      });
      await this.presets.setLast(this.key, {
        values: req.values,
        experimentId: done.experimentId,
        experimentName: done.experimentName,
        ...(done.pipelineId ? { pipelineId: done.pipelineId } : {}),
        pipelineName: p.name,
        ...(done.run.run_id ? { runId: done.run.run_id } : {}),
        runName: done.run.display_name ?? req.runName,
        at: Date.now(),
      });
      this.host.post({ type: 'done', runId: done.run.run_id ?? '', runName: done.run.display_name ?? req.runName });
      this.hooks.submitted(done, p);
      this.host.panel.dispose();
    } catch (err) {
      const message = err instanceof SubmitError ? err.message : `Nothing was submitted: ${this.api.explain(err)}`;
      this.ctx.log.warn(`submit of ${p.label} failed: ${message}`);
      if (this.host.closed) void showErrorMessage(`Kubeflow: the run of ${p.name} was not submitted. ${message}`);
      else this.host.post({ type: 'failed', message, ...(err instanceof SubmitError && err.errors ? { errors: err.errors } : {}) });
    } finally {
      this.busy = undefined;
    }
  }

  dispose(): void {
    if (RunFormPanel.panels.get(this.key) !== this) return;
    RunFormPanel.panels.delete(this.key);
    this.subs.forEach((s) => s.dispose());
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
