// The "Run Locally" form: the run form's page (`webviews/run-form`, `local: true`) with the pipeline's parameters,
// presets and the last local run's values; no connection, experiment or upload. Its submit starts the local run.
import * as vscode from 'vscode';
import { applicableValues, buildParameters, initialValues } from '../../core/kfp/params';
import type { FromForm, ToForm } from '../../webviews/run-form/protocol';
import type { Ctx } from '../ctx';
import { showErrorMessage } from '../notify';
import type { Presets } from '../runs/presets';
import type { Prepared } from '../runs/submit';
import { WebviewHost } from '../webviews/host';

export interface LocalFormTarget {
  prepared: Prepared;
  /** The Python that runs it, as the form says. */
  where: string;
  /** Preset key (`local:` + the file's run-form key). */
  key: string;
  /** Values to start with (Run Again from a run). */
  initial?: Record<string, unknown>;
  /** Mode label: "Run" for a pipeline, "Debug" for one component. */
  title?: string;
}

export class LocalRunForm implements vscode.Disposable {
  private static readonly panels = new Map<string, LocalRunForm>();
  private readonly host: WebviewHost<FromForm, ToForm>;
  private readonly subs: vscode.Disposable[] = [];

  static show(ctx: Ctx, presets: Presets, target: LocalFormTarget, start: (parameters: Record<string, unknown>, runName: string) => Promise<void>): LocalRunForm {
    const open = LocalRunForm.panels.get(target.key);
    if (open) {
      open.target = target;
      open.start = start;
      open.host.panel.reveal();
      open.sendInit();
      return open;
    }
    const panel = new LocalRunForm(ctx, presets, target, start);
    LocalRunForm.panels.set(target.key, panel);
    panel.sendInit();
    return panel;
  }

  private constructor(
    ctx: Ctx,
    private readonly presets: Presets,
    private target: LocalFormTarget,
    private start: (parameters: Record<string, unknown>, runName: string) => Promise<void>,
  ) {
    this.host = new WebviewHost<FromForm, ToForm>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.localRunForm',
      title: `${target.title ?? 'Run'} ${target.prepared.name} locally`,
      script: 'run-form',
      column: vscode.ViewColumn.Beside,
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
    });
    this.subs.push(this.host, this.host.onMessage((m) => void this.onMessage(m)), this.host.panel.onDidDispose(() => this.dispose()));
  }

  private sendInit(): void {
    const p = this.target.prepared;
    const stored = this.presets.get(this.target.key);
    const fields = p.form.fields;
    const values = initialValues(fields, stored.last ? applicableValues(fields, stored.last.values) : undefined, this.target.initial ? applicableValues(fields, this.target.initial) : undefined);
    this.host.dropQueued('init');
    this.host.post({
      type: 'init',
      file: p.label,
      pipeline: p.name,
      form: p.form,
      values,
      presets: Object.keys(stored.presets).sort(),
      ...(stored.last ? { last: { at: stored.last.at } } : {}),
      runName: `${p.name} (local)`,
      serviceAccount: '',
      where: this.target.where,
      local: true,
    });
  }

  private async onMessage(m: FromForm): Promise<void> {
    const key = this.target.key;
    const fields = this.target.prepared.form.fields;
    switch (m.type) {
      case 'runLocally': {
        const built = buildParameters(fields, m.values);
        if (!built.ok) {
          this.host.post({ type: 'failed', message: 'Some values are not valid.', errors: built.errors });
          return;
        }
        try {
          await this.presets.setLast(key, { values: m.values, at: Date.now() });
          await this.start(built.parameters, m.runName);
          this.host.panel.dispose();
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (this.host.closed) void showErrorMessage(`Kubeflow: the local run did not start. ${message}`);
          else this.host.post({ type: 'failed', message });
        }
        break;
      }
      case 'cancel':
      case 'cancelSubmit':
        this.host.panel.dispose();
        break;
      case 'loadPreset': {
        const v = this.presets.get(key).presets[m.name];
        if (v) this.host.post({ type: 'values', values: applicableValues(fields, v), from: `preset "${m.name}"` });
        break;
      }
      case 'savePreset':
        await this.presets.save(key, m.name, m.values);
        this.host.post({ type: 'presets', presets: Object.keys(this.presets.get(key).presets).sort() });
        break;
      case 'deletePreset':
        await this.presets.remove(key, m.name);
        this.host.post({ type: 'presets', presets: Object.keys(this.presets.get(key).presets).sort() });
        break;
      case 'useLast': {
        const last = this.presets.get(key).last;
        if (last) this.host.post({ type: 'values', values: applicableValues(fields, last.values), from: 'the last local run' });
        break;
      }
      case 'ready':
      case 'submit':
      case 'retryConnection':
        break;
    }
  }

  dispose(): void {
    if (LocalRunForm.panels.get(this.target.key) !== this) return;
    LocalRunForm.panels.delete(this.target.key);
    this.subs.forEach((s) => s.dispose());
  }
}
