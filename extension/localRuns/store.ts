// The local runs of this window: where they are kept (setting `kubeflow.localRuns.folder`, default
// `.kubeflow/local-runs` in the pipeline file's workspace folder; the extension's storage outside a workspace), the runs
// under way, starting one with the resolved Python, and the change event the view, the panels and the diagnostics
// follow.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DriverMode } from '../../core/localRun/protocol';
import { listLocalRuns, startLocalRun, type LocalRun, type LocalRunRecord } from '../../core/localRun/runner.node';
import type { Ctx } from '../ctx';

export const DEFAULT_FOLDER = '.kubeflow/local-runs';

export interface StartRequest {
  python: string;
  uri: vscode.Uri;
  function?: string;
  mode?: DriverMode;
  arguments: Record<string, unknown>;
  label?: string;
  pythonArgs?: string[];
}

export class LocalRunsStore implements vscode.Disposable {
  private readonly live = new Map<string, LocalRun>();
  private readonly changed = new vscode.EventEmitter<LocalRunRecord>();
  /** A run changed (a task started or ended, the run ended); also fired for a new run. */
  readonly onDidChange = this.changed.event;
  private readonly folders = new Map<string, string>();

  constructor(private readonly ctx: Ctx) {}

  driverPath(): string {
    return vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'localRun', 'driver.py').fsPath;
  }

  /** The runs folder for a pipeline file (or the first workspace folder's). */
  runsDir(uri?: vscode.Uri): string {
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
    const setting = vscode.workspace.getConfiguration('kubeflow', uri).get<string>('localRuns.folder', DEFAULT_FOLDER).trim() || DEFAULT_FOLDER;
    if (path.isAbsolute(setting)) return setting;
    if (folder?.uri.scheme === 'file') return path.join(folder.uri.fsPath, setting);
    return path.join(this.ctx.extension.globalStorageUri.fsPath, 'local-runs');
  }

  /** Every runs folder this window knows: the workspace folders' and those runs were started in. */
  private allDirs(): string[] {
    const dirs = new Set<string>(this.folders.values());
    for (const f of vscode.workspace.workspaceFolders ?? []) dirs.add(this.runsDir(f.uri));
    if (!vscode.workspace.workspaceFolders?.length) dirs.add(this.runsDir());
    return [...dirs];
  }

  list(): LocalRunRecord[] {
    const ids = new Set(this.live.keys());
    const out = this.allDirs().flatMap((d) => listLocalRuns(d, ids));
    // A live run's record in memory is newer than its run.json.
    return out.map((r) => this.live.get(r.id)?.record ?? r).sort((a, b) => b.started - a.started);
  }

  get(id: string): LocalRunRecord | undefined {
    return this.live.get(id)?.record ?? this.list().find((r) => r.id === id);
  }

  /** The folder of a run. */
  dirOf(id: string): string | undefined {
    const live = this.live.get(id);
    if (live) return live.dir;
    return this.folders.get(id) ?? this.allDirs().map((d) => path.join(d, id)).find((d) => fs.existsSync(path.join(d, 'run.json')));
  }

  running(id: string): LocalRun | undefined {
    return this.live.get(id);
  }

  start(req: StartRequest): LocalRun {
    const useVenv = vscode.workspace.getConfiguration('kubeflow', req.uri).get<boolean>('localRuns.useVenv', false);
    const run = startLocalRun({
      python: req.python,
      file: req.uri.fsPath,
      ...(req.function ? { function: req.function } : {}),
      mode: req.mode ?? 'run',
      arguments: req.arguments,
      ...(req.label ? { label: req.label } : {}),
      useVenv,
      runsDir: this.runsDir(req.uri),
      driver: this.driverPath(),
      ...(req.pythonArgs ? { pythonArgs: req.pythonArgs } : {}),
    });
    const id = run.record.id;
    this.live.set(id, run);
    this.folders.set(id, run.dir);
    this.ctx.log.info(`local run ${id}: ${req.uri.fsPath}${req.function ? ` (${req.function})` : ''} with ${req.python}${useVenv ? ', a venv per task' : ''}`);
    let timer: NodeJS.Timeout | undefined;
    run.on('change', (r) => {
      // Coalesced: a loop of many tasks changes the record often.
      timer ??= setTimeout(() => {
        timer = undefined;
        this.changed.fire(r);
      }, 150);
    });
    void run.done.then((r) => {
      clearTimeout(timer);
      this.live.delete(id);
      this.ctx.log.info(`local run ${id} ${r.state}${r.error ? `: ${r.error}` : ''}`);
      this.changed.fire(r);
    });
    this.changed.fire(run.record);
    return run;
  }

  dispose(): void {
    for (const r of this.live.values()) r.cancel();
    this.changed.dispose();
  }
}
