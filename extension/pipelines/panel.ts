// One graph panel per pipeline file (and pipeline function, for Python files): loads the model, sends it to the
// webview, reloads when the file is saved or changes on disk, and answers the webview's navigation requests.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PipelineModel } from '../../core/pipeline/model';
import type { FromGraph, ToGraph } from '../../webviews/pipeline-graph/protocol';
import type { Ctx } from '../ctx';
import { errorMessage } from '../log';
import { WebviewHost } from '../webviews/host';
import type { PipelineDiagnostics } from './diagnostics';
import { isPythonFile, loadPipeline } from './load';
import { revealLine, revealTask } from './source-nav';
import { showErrorMessage } from '../notify';

export interface GraphSummary {
  uri: string;
  pipeline: string;
  tasks: number;
  dags: number;
  errors: number;
  /** Set when nothing could be shown (e.g. the Python file did not compile). */
  failure?: string;
}

export class GraphPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, GraphPanel>();
  private readonly host: WebviewHost<FromGraph, ToGraph>;
  private readonly disposables: vscode.Disposable[] = [];
  private model: PipelineModel | undefined;
  private last: ToGraph | undefined;
  private version = 0;
  private loading: AbortController | undefined;
  /** The newest read; an older one that gets superseded answers with this one's result. */
  private latest: Promise<GraphSummary> | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  /** Opens (or reveals) the panel for a file and resolves when its model has been read. */
  static async show(ctx: Ctx, diagnostics: PipelineDiagnostics, uri: vscode.Uri, pipeline?: string): Promise<GraphSummary> {
    const key = `${uri.toString()}#${pipeline ?? ''}`;
    let panel = GraphPanel.panels.get(key);
    if (panel) {
      panel.host.panel.reveal(undefined, false);
      return panel.summary();
    }
    panel = new GraphPanel(ctx, diagnostics, uri, pipeline, key);
    GraphPanel.panels.set(key, panel);
    return panel.reload();
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly diagnostics: PipelineDiagnostics,
    private readonly uri: vscode.Uri,
    private readonly pipeline: string | undefined,
    private readonly key: string,
  ) {
    const name = path.basename(uri.fsPath || uri.path);
    this.host = new WebviewHost<FromGraph, ToGraph>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.pipelineGraph',
      title: `Graph: ${pipeline ?? name}`,
      script: 'pipeline-graph',
      column: vscode.ViewColumn.Beside,
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
    });
    this.disposables.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      // A reloaded page (hidden and shown again) starts empty: send it the latest model.
      this.host.onReady(() => {
        this.host.post({ type: 'canSubmit', value: uri.scheme === 'file' });
        if (!this.last) return;
        this.host.dropQueued('model');
        this.host.dropQueued('status');
        this.host.post(this.last);
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.toString() === this.uri.toString()) this.scheduleReload();
      }),
    );
    if (uri.scheme === 'file') {
      // Files rewritten outside the editor (e.g. `kfp dsl compile` in a terminal) update too.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
      this.disposables.push(watcher, watcher.onDidChange(() => this.scheduleReload()), watcher.onDidCreate(() => this.scheduleReload()));
    }
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), 150);
  }

  private summary(failure?: string): GraphSummary {
    const m = this.model;
    const tasks = m ? m.root.tasks.length + Object.values(m.dags).reduce((n, d) => n + d.tasks.length, 0) : 0;
    return {
      uri: this.uri.toString(),
      pipeline: m?.name ?? '',
      tasks,
      dags: m ? Object.keys(m.dags).length + 1 : 0,
      errors: m?.diagnostics.filter((d) => d.severity === 'error').length ?? 0,
      ...(failure ? { failure } : {}),
    };
  }

  reload(): Promise<GraphSummary> {
    const next = this.load();
    this.latest = next;
    return next;
  }

  private async load(): Promise<GraphSummary> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    const python = isPythonFile(this.uri);
    if (python) this.post({ type: 'status', state: 'compiling', message: `Compiling ${path.basename(this.uri.fsPath)} with kfp…` });
    const started = Date.now();
    try {
      const res = await loadPipeline(this.uri, this.pipeline, abort.signal, this.ctx.log);
      if (abort.signal.aborted) return (await this.latest) ?? this.summary();
      if (!res.ok) {
        if (python) this.diagnostics.setCompileError(this.uri, res.message, res.line);
        this.post({ type: 'status', state: 'error', message: res.message });
        return this.summary(res.message);
      }
      this.model = res.model;
      if (python) this.diagnostics.clear(this.uri);
      else this.diagnostics.set(this.uri, res.model.diagnostics);
      this.post({ type: 'model', model: res.model, source: res.source, version: this.version++ });
      this.ctx.log.info(`graph of ${this.uri.fsPath}: read in ${Date.now() - started} ms, ${res.model.diagnostics.length} problem(s)`);
      return this.summary();
    } catch (err) {
      const message = `Could not read the pipeline: ${errorMessage(err)}`;
      this.ctx.log.error(message);
      this.post({ type: 'status', state: 'error', message });
      return this.summary(message);
    } finally {
      if (this.loading === abort) this.loading = undefined;
    }
  }

  private post(msg: ToGraph): void {
    if (msg.type === 'model') {
      this.host.dropQueued('model');
      this.host.dropQueued('status');
      this.last = msg;
    }
    this.host.post(msg);
  }

  private async onMessage(m: FromGraph): Promise<void> {
    try {
      switch (m.type) {
        case 'openTask':
          if (this.model) await revealTask(this.uri, this.model, m.path, m.task, this.pipeline);
          break;
        case 'openLine':
          await revealLine(this.uri, m.line, m.character);
          break;
        case 'refresh':
          await this.reload();
          break;
        case 'submitRun':
          await vscode.commands.executeCommand('kubeflow.pipelines.submitRun', this.uri, this.pipeline);
          break;
        case 'rendered':
          this.ctx.log.info(`graph level ${m.level}: ${m.nodes} nodes, ${m.edges} edges; layout ${m.layoutMs} ms, drawn in ${m.renderMs} ms, painted ${m.sinceMessageMs} ms after the model arrived`);
          break;
      }
    } catch (err) {
      void showErrorMessage(`Kubeflow: ${errorMessage(err)}`);
    }
  }

  dispose(): void {
    if (GraphPanel.panels.get(this.key) !== this) return;
    GraphPanel.panels.delete(this.key);
    this.latest = undefined;
    this.loading?.abort();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const d of this.disposables) d.dispose();
  }
}
