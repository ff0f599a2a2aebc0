// One graph panel per pipeline file (and pipeline function, for Python files): loads the model, sends it to the
// webview, reloads when the file is saved or changes on disk, and answers the webview's navigation requests.
// Like the Markdown preview, the newest graph opens in a preview panel that the next graph replaces (in the same
// editor column); "Keep Graph Open" pins it. Panels come back after a window reload (`revive`).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { firstLevelLayout } from '../../core/pipeline/first-layout';
import { packModel } from '../../core/pipeline/wire.node';
import { oversizedLevel } from '../../core/pipeline/layer';
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

/** What brings a graph panel back after a window reload. */
export interface GraphRestore {
  uri: string;
  pipeline?: string;
  pinned: boolean;
}

export class GraphPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, GraphPanel>();
  private readonly host: WebviewHost<FromGraph, ToGraph>;
  private readonly disposables: vscode.Disposable[] = [];
  /** The file's own subscriptions (file watcher); replaced when a preview panel shows another file. */
  private fileSubs: vscode.Disposable[] = [];
  private model: PipelineModel | undefined;
  /** The latest model message and the layout message sent with it: a reloaded page gets both again. */
  private last: Extract<ToGraph, { type: 'model' }> | undefined;
  private lastLayout: Extract<ToGraph, { type: 'layout' }> | undefined;
  private version = 0;
  private loading: AbortController | undefined;
  /** The newest read; an older one that gets superseded answers with this one's result. */
  private latest: Promise<GraphSummary> | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  /**
   * Opens (or reveals) the panel for a file and resolves when its model has been read. A file without a panel
   * replaces the preview panel's (unless it is pinned), else opens next to the other graphs, not in a new column.
   */
  static async show(ctx: Ctx, diagnostics: PipelineDiagnostics, uri: vscode.Uri, pipeline?: string): Promise<GraphSummary> {
    const key = GraphPanel.keyOf(uri, pipeline);
    const open = GraphPanel.panels.get(key);
    if (open) {
      open.host.panel.reveal(undefined, false);
      return open.summary();
    }
    const preview = [...GraphPanel.panels.values()].find((p) => !p.pinned);
    if (preview) {
      preview.retarget(uri, pipeline);
      preview.host.panel.reveal(undefined, false);
      return preview.reload();
    }
    const column = [...GraphPanel.panels.values()].map((p) => p.host.panel.viewColumn).find((c) => c !== undefined);
    const panel = new GraphPanel(ctx, diagnostics, uri, pipeline, false, column ?? vscode.ViewColumn.Beside);
    return panel.reload();
  }

  /** A panel VS Code restored after a window reload. */
  static revive(ctx: Ctx, diagnostics: PipelineDiagnostics, revived: vscode.WebviewPanel, data: GraphRestore): Promise<GraphSummary> {
    const uri = vscode.Uri.parse(data.uri);
    const existing = GraphPanel.panels.get(GraphPanel.keyOf(uri, data.pipeline));
    if (existing) {
      revived.dispose();
      return Promise.resolve(existing.summary());
    }
    // Only one preview: a second unpinned one (an older layout) is kept as pinned.
    const pinned = data.pinned || [...GraphPanel.panels.values()].some((p) => !p.pinned);
    return new GraphPanel(ctx, diagnostics, uri, data.pipeline, pinned, undefined, revived).reload();
  }

  /** Pins the active graph panel (or the preview): the next graph opens in a panel of its own. */
  static keepActive(): boolean {
    const panels = [...GraphPanel.panels.values()];
    const p = panels.find((x) => x.host.panel.active && !x.pinned) ?? panels.find((x) => !x.pinned);
    if (!p) return false;
    p.pinned = true;
    p.updateTitle();
    p.saveRestore();
    return true;
  }

  private static keyOf(uri: vscode.Uri, pipeline: string | undefined): string {
    return `${uri.toString()}#${pipeline ?? ''}`;
  }

  private key: string;

  private constructor(
    private readonly ctx: Ctx,
    private readonly diagnostics: PipelineDiagnostics,
    private uri: vscode.Uri,
    private pipeline: string | undefined,
    private pinned: boolean,
    column: vscode.ViewColumn | undefined,
    revived?: vscode.WebviewPanel,
  ) {
    this.key = GraphPanel.keyOf(uri, pipeline);
    GraphPanel.panels.set(this.key, this);
    this.host = new WebviewHost<FromGraph, ToGraph>(ctx.extension.extensionUri, {
      viewType: 'kubeflow.pipelineGraph',
      title: this.title(),
      script: 'pipeline-graph',
      ...(column !== undefined ? { column } : {}),
      iconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'kubeflow.svg'),
      ...(revived ? { revived } : {}),
    });
    this.disposables.push(
      this.host,
      this.host.onMessage((m) => void this.onMessage(m)),
      // A reloaded page (hidden and shown again) starts empty: send it the latest model.
      this.host.onReady(() => {
        this.host.post({ type: 'canSubmit', value: this.uri.scheme === 'file', local: this.uri.scheme === 'file' && /\.py$/i.test(this.uri.path) });
        if (!this.last) return;
        this.host.dropQueued('layout');
        this.host.dropQueued('model');
        this.host.dropQueued('status');
        if (this.lastLayout?.version === this.last.version) this.host.post(this.lastLayout);
        this.host.post(this.last);
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.toString() === this.uri.toString()) this.scheduleReload();
      }),
    );
    this.watchFile();
    this.saveRestore();
  }

  private title(): string {
    const name = this.pipeline ?? path.basename(this.uri.fsPath || this.uri.path);
    return this.pinned ? `Graph: ${name}` : `Graph: ${name} (preview)`;
  }

  private updateTitle(): void {
    this.host.panel.title = this.title();
  }

  /** Only a file on disk can be read again after a reload (an uploaded version's read-only copy is gone then). */
  private saveRestore(): void {
    this.host.setRestoreData(this.uri.scheme === 'file' ? ({ uri: this.uri.toString(), ...(this.pipeline ? { pipeline: this.pipeline } : {}), pinned: this.pinned } satisfies GraphRestore) : undefined);
  }

  /** Files rewritten outside the editor (e.g. `kfp dsl compile` in a terminal) update too. */
  private watchFile(): void {
    this.fileSubs.forEach((d) => d.dispose());
    this.fileSubs = [];
    if (this.uri.scheme !== 'file') return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(this.uri.fsPath)), path.basename(this.uri.fsPath)));
    this.fileSubs.push(watcher, watcher.onDidChange(() => this.scheduleReload()), watcher.onDidCreate(() => this.scheduleReload()));
  }

  /** The preview panel shows another file. */
  private retarget(uri: vscode.Uri, pipeline: string | undefined): void {
    GraphPanel.panels.delete(this.key);
    if (this.uri.toString() !== uri.toString() && isPythonFile(this.uri)) this.diagnostics.clear(this.uri);
    this.uri = uri;
    this.pipeline = pipeline;
    this.key = GraphPanel.keyOf(uri, pipeline);
    GraphPanel.panels.set(this.key, this);
    this.model = undefined;
    this.last = undefined;
    this.lastLayout = undefined;
    this.updateTitle();
    this.watchFile();
    this.saveRestore();
    this.host.post({ type: 'canSubmit', value: uri.scheme === 'file', local: uri.scheme === 'file' && /\.py$/i.test(uri.path) });
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
      const parsed = Date.now();
      if (abort.signal.aborted) return (await this.latest) ?? this.summary();
      if (!res.ok) {
        if (python) this.diagnostics.setCompileError(this.uri, res.message, res.line);
        this.post({ type: 'status', state: 'error', message: res.message });
        return this.summary(res.message);
      }
      if (python) this.diagnostics.clear(this.uri);
      else this.diagnostics.set(this.uri, res.model.diagnostics);
      const tooBig = oversizedLevel(res.model);
      if (tooBig) {
        this.model = undefined;
        this.post({ type: 'status', state: 'error', message: tooBig });
        return this.summary(tooBig);
      }
      this.model = res.model;
      const version = this.version++;
      const layout = firstLevelLayout(res.model);
      const packed = await packModel(res.model);
      if (abort.signal.aborted) return (await this.latest) ?? this.summary();
      if (layout) this.post({ type: 'layout', version, layout });
      this.post({ type: 'model', ...packed, source: res.source, version });
      this.ctx.log.info(`graph of ${this.uri.fsPath}: read in ${Date.now() - started} ms (${python ? 'compiled' : 'read'} and parsed in ${parsed - started} ms), ${res.model.diagnostics.length} problem(s)`);
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
    if (msg.type === 'layout') {
      this.host.dropQueued('layout');
      this.lastLayout = msg;
    }
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
        case 'runLocally':
          await vscode.commands.executeCommand('kubeflow.pipelines.runLocally', this.uri, this.pipeline);
          break;
        case 'openFile':
        case 'debugTask':
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
    for (const d of [...this.disposables, ...this.fileSubs]) d.dispose();
  }
}
