// The view of a local run: the pipeline-graph webview with the run's overlay (the same as a cluster run's: states,
// loop iterations, times), updated as the driver reports; a task's log file (written as the task prints), its outputs
// (artifact files open in the editor), the failing line of its component; Stop, Re-run, Run Again, Debug Component.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { taskKey } from '../../core/kfp/runState';
import { buildLocalOverlay } from '../../core/localRun/overlay';
import type { LocalRunRecord } from '../../core/localRun/record';
import type { PipelineModel } from '../../core/pipeline/model';
import { parsePipeline } from '../../core/pipeline/parse';
import { packModel } from '../../core/pipeline/wire.node';
import type { FromGraph, ToGraph } from '../../webviews/pipeline-graph/protocol';
import type { Ctx } from '../ctx';
import { showErrorMessage, showInformationMessage } from '../notify';
import { revealTask } from '../pipelines/source-nav';
import { WebviewHost } from '../webviews/host';
import type { LocalRunsStore } from './store';

/** The pipeline IR a local run ran, kept in its folder (the graph of a later reopen does not depend on the file). */
export const PIPELINE_FILE = 'pipeline.yaml';

export interface LocalPanelActions {
  rerun(run: LocalRunRecord): Promise<void>;
  runAgain(run: LocalRunRecord): Promise<void>;
  debugTask(run: LocalRunRecord, taskPath: string[], task: string): Promise<void>;
}

export class LocalRunPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, LocalRunPanel>();
  private readonly host: WebviewHost<FromGraph, ToGraph>;
  private readonly subs: vscode.Disposable[] = [];
  private model: PipelineModel | undefined;
  private files = new Set<string>();

  static show(ctx: Ctx, store: LocalRunsStore, actions: LocalPanelActions, id: string): LocalRunPanel | undefined {
    const open = LocalRunPanel.panels.get(id);
    if (open) {
      open.host.panel.reveal(undefined, false);
      return open;
    }
    const run = store.get(id);
    const dir = store.dirOf(id);
    if (!run || !dir) {
      void showInformationMessage(`The local run ${id} is no longer there.`);
      return undefined;
    }
    const panel = new LocalRunPanel(ctx, store, actions, run, dir);
    LocalRunPanel.panels.set(id, panel);
    return panel;
  }

  /** The panel of a run, if open (tests, commands). */
  static of(id: string): LocalRunPanel | undefined {
    return LocalRunPanel.panels.get(id);
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly store: LocalRunsStore,
    private readonly actions: LocalPanelActions,
    private run: LocalRunRecord,
    private readonly dir: string,
  ) {
    this.host = new WebviewHost<FromGraph, ToGraph>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.localRunView',
      title: `Local: ${run.name ?? path.basename(run.file)}`,
      script: 'pipeline-graph',
      column: vscode.ViewColumn.Active,
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
    });
    this.subs.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      this.host.panel.onDidDispose(() => this.dispose()),
      store.onDidChange((r) => {
        if (r.id !== this.run.id) return;
        this.run = r;
        this.publish();
      }),
    );
    try {
      this.model = parsePipeline(fs.readFileSync(path.join(dir, PIPELINE_FILE), 'utf8'));
      const source = { label: `${path.basename(run.file)} · local run`, kind: 'python' } as const;
      void packModel(this.model).then(
        (packed) => this.host.post({ type: 'model', ...packed, source, version: 0 }),
        (err: Error) => this.host.post({ type: 'status', state: 'error', message: `The pipeline of this run cannot be shown: ${err.message}` }),
      );
    } catch (err) {
      this.host.post({ type: 'status', state: 'error', message: `The pipeline of this run cannot be read: ${(err as Error).message}` });
    }
    this.publish();
  }

  /** The overlay the page shows now (tests read it). */
  overlay() {
    return this.model ? buildLocalOverlay(this.model, this.run) : undefined;
  }

  private publish(): void {
    const o = this.overlay();
    if (!o) return;
    // Files the page may ask to open: this run's outputs and the failing lines' sources, nothing else.
    this.files = new Set(Object.values(o.tasks).flatMap((t) => [...(t.outputs ?? []).map((x) => x.artifact?.file), t.source?.file]).filter((f): f is string => Boolean(f)));
    this.host.panel.title = `Local: ${this.run.name ?? path.basename(this.run.file)}${o.live ? ' (running)' : ''}`;
    this.host.dropQueued('run');
    this.host.post({ type: 'run', run: o });
  }

  private async onMessage(m: FromGraph): Promise<void> {
    try {
      switch (m.type) {
        case 'openLogs': {
          const o = this.overlay()?.tasks[taskKey(m.path, m.task)];
          const log = m.node ?? o?.attempts[o.attempts.length - 1]?.node;
          if (!log || !o?.attempts.some((a) => a.node === log)) {
            void showInformationMessage(`${m.task} has not written a log in this run.`);
            return;
          }
          const file = path.join(this.dir, log);
          if (!fs.existsSync(file)) fs.writeFileSync(file, '');
          await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true, viewColumn: vscode.ViewColumn.Beside });
          break;
        }
        case 'openFile':
          if (!this.files.has(m.file)) return;
          await this.openFile(m.file, m.line);
          break;
        case 'openTask':
          if (this.model) await revealTask(vscode.Uri.file(this.run.file), this.model, m.path, m.task, this.run.function || undefined);
          break;
        case 'runAction':
          if (m.action === 'terminate') this.store.running(this.run.id)?.cancel();
          else if (m.action === 'retry') await this.actions.rerun(this.run);
          else if (m.action === 'clone') await this.actions.runAgain(this.run);
          break;
        case 'debugTask':
          await this.actions.debugTask(this.run, m.path, m.task);
          break;
        case 'refresh':
          this.publish();
          break;
        default:
          break;
      }
    } catch (err) {
      void showErrorMessage(`Kubeflow: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async openFile(file: string, line?: number): Promise<void> {
    const uri = vscode.Uri.file(file);
    if (fs.statSync(file).isDirectory()) {
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    }
    const pos = line ? new vscode.Position(line - 1, 0) : undefined;
    await vscode.commands.executeCommand('vscode.open', uri, { viewColumn: vscode.ViewColumn.One, ...(pos ? { selection: new vscode.Range(pos, pos) } : {}) });
    this.ctx.log.info(`opened ${file}`);
  }

  dispose(): void {
    if (LocalRunPanel.panels.get(this.run.id) !== this) return;
    LocalRunPanel.panels.delete(this.run.id);
    this.subs.forEach((s) => s.dispose());
  }
}
