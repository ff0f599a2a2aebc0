/**
 * Notebook controllers for `.ipynb` files: one per Kubeflow notebook server of the namespace (and per server a
 * notebook is bound to). Picking one binds the notebook to the server (remembered per notebook in workspace state,
 * with the Jupyter clientId, session and the run in flight) and warms its kernel up; running cells goes through
 * `CellRun`; interrupt and restart act on the notebook's kernel. After a window reload the binding brings the same
 * controller back, the kernel is rejoined with the same clientId and a run that was in flight gets its output.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Kernel } from '@jupyterlab/services';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { errorMessage } from '../log';
import { offerStart, upperFirst } from './actions';
import { CellRun } from './execute';
import { JupyterError, chooseKernelSpec, type SessionRef } from './jupyter';
import { NotebookKernel, type ServerClients } from './kernel';
import { describeResources, shortImage, type NotebookServer } from './model';
import { noticeOutput } from './outputs';
import { refKind, serverKey, serverLabel, type ServerRef, type ServerStore } from './servers';
import { showErrorMessage, showWarningMessage } from '../notify';

export const NOTEBOOK_TYPE = 'jupyter-notebook';
const STATE_KEY = 'kubeflow.notebooks.bindings';

/** What a notebook remembers about its server and kernel. */
export interface Binding extends SessionRef {
  server: ServerRef;
  /** The run in flight, so a reloaded window can follow it. */
  running?: { msgId: string; cellIndex: number; source: string; startedAt: number; count?: number };
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** The notebook's path on the server's volume: its path in the workspace, or its file name. */
export function serverPath(uri: vscode.Uri): string {
  const rel = vscode.workspace.asRelativePath(uri, false);
  return (rel === uri.fsPath || rel === uri.path || path.isAbsolute(rel) ? path.posix.basename(uri.path) : rel).replace(/\\/g, '/');
}

/** The kernel spec a notebook names in its metadata, if any. */
function wantedKernel(nb: vscode.NotebookDocument): string | undefined {
  const m = nb.metadata as { metadata?: { kernelspec?: { name?: string } }; kernelspec?: { name?: string } };
  return m.metadata?.kernelspec?.name ?? m.kernelspec?.name;
}

export class KernelControllers implements vscode.Disposable {
  private controllers = new Map<string, { controller: vscode.NotebookController; server: ServerRef }>();
  private kernels = new Map<string, NotebookKernel>();
  private interrupted = new Set<string>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly store: ServerStore,
    private readonly clients: ServerClients,
  ) {
    this.subs.push(store.onDidChange(() => this.sync()));
  }

  /** A notebook was opened (or was open at activation): its bound server's controller comes back, preferred. */
  restore(nb: vscode.NotebookDocument): void {
    if (nb.notebookType !== NOTEBOOK_TYPE) return;
    const b = this.binding(nb);
    if (b) this.controllerFor(b.server).updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
  }

  /** One controller per server of the namespace; controllers of servers gone and bound to nothing are dropped. */
  sync(): void {
    const servers = this.store.list();
    for (const s of servers) this.describe(this.controllerFor(this.store.ref(s.name, s.kind)), s);
    const bound = new Set(Object.values(this.bindings()).map((b) => serverKey(b.server)));
    for (const [key, c] of this.controllers) {
      const live = servers.some((s) => serverKey(this.store.ref(s.name, s.kind)) === key);
      if (!live && !bound.has(key)) {
        c.controller.dispose();
        this.controllers.delete(key);
      } else if (!live && this.store.loaded && !this.store.error && c.server.namespace === this.store.scope.namespace) {
        c.controller.detail = 'not found in the namespace (deleted?)';
      }
    }
  }

  controllerFor(server: ServerRef): vscode.NotebookController {
    const key = serverKey(server);
    const have = this.controllers.get(key);
    if (have) return have.controller;
    const controller = vscode.notebooks.createNotebookController(`kubeflow:${key}`, NOTEBOOK_TYPE, server.name, (cells, nb) => this.execute(cells, nb, server));
    controller.description = `Kubeflow${server.kind === 'Workspace' ? ' Workspace' : ''} · ${server.namespace}`;
    controller.supportsExecutionOrder = true;
    controller.interruptHandler = (nb) => this.interrupt(nb);
    controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => void this.onSelected(notebook, server, selected));
    this.controllers.set(key, { controller, server });
    const s = server.namespace === this.store.scope.namespace ? this.store.get(server.name, refKind(server)) : undefined;
    if (s) this.describe(controller, s);
    return controller;
  }

  private describe(c: vscode.NotebookController, s: NotebookServer): void {
    const stopped = s.kind === 'Workspace' ? 'paused (picking it offers to resume it)' : 'stopped (picking it offers to start it)';
    c.detail = [s.phase === 'running' ? 'running' : s.phase === 'stopped' ? stopped : `${s.phase}${s.reason ? `: ${s.reason}` : ''}`, s.jupyterProblem, s.imageOption ?? shortImage(s.image), describeResources(s)].filter(Boolean).join(' · ');
  }

  /** The kernel of a notebook (created on demand; it connects on `ensure()`). */
  kernelOf(nb: vscode.NotebookDocument, server?: ServerRef): NotebookKernel | undefined {
    const key = nb.uri.toString();
    const k = this.kernels.get(key);
    if (k && (!server || serverKey(k.server) === serverKey(server))) return k;
    if (!server) return undefined;
    k?.dispose();
    const b = this.binding(nb);
    const ref: SessionRef = b && serverKey(b.server) === serverKey(server)
      ? { path: b.path, kernelName: b.kernelName, clientId: b.clientId, sessionId: b.sessionId, kernelId: b.kernelId }
      : { path: serverPath(nb.uri), kernelName: '', clientId: randomUUID() };
    const kernel = new NotebookKernel(server, ref, this.clients, this.ctx.log, (r) => void this.saveBinding(nb, { ...this.binding(nb), ...r, server }));
    this.kernels.set(key, kernel);
    return kernel;
  }

  /** A notebook closed: drop this window's connection (the kernel keeps running; reopening rejoins it). */
  release(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    const k = this.kernels.get(key);
    if (!k || k.runs.size > 0) return;
    k.dispose();
    this.kernels.delete(key);
  }

  private async onSelected(nb: vscode.NotebookDocument, server: ServerRef, selected: boolean): Promise<void> {
    const key = nb.uri.toString();
    if (!selected) {
      const k = this.kernels.get(key);
      if (k && serverKey(k.server) === serverKey(server)) {
        k.dispose();
        this.kernels.delete(key);
        await this.saveBinding(nb, undefined);
      }
      return;
    }
    const kernel = this.kernelOf(nb, server)!;
    const b = this.binding(nb);
    await this.saveBinding(nb, { ...kernel.ref, ...(b && serverKey(b.server) === serverKey(server) ? { running: b.running } : {}), server });
    if (b?.running && serverKey(b.server) === serverKey(server)) {
      await this.resume(nb, kernel, b.running);
      return;
    }
    // Warm up: forward, session and kernel start now, so the first cell does not wait for them.
    const s = await this.store.ensure().then(() => this.store.get(server.name, refKind(server)));
    if (s?.phase === 'running') void this.prepare(nb, kernel).catch((err: unknown) => this.ctx.log.warn(`notebooks: warming up ${server.name}: ${errorMessage(err)}`));
  }

  /** Ensures the kernel runs: server started (after asking), kernel spec chosen, session joined or started. */
  async prepare(nb: vscode.NotebookDocument, kernel: NotebookKernel, interactive = false): Promise<void> {
    await this.store.ensure();
    const s = this.store.get(kernel.server.name, refKind(kernel.server));
    const label = serverLabel({ name: kernel.server.name, kind: refKind(kernel.server) });
    if (!s && this.store.loaded && !this.store.error) throw new Error(`${upperFirst(label)} does not exist in namespace ${kernel.server.namespace}.`);
    // A Workspace whose kind has no Jupyter port (or no kind): said before anything is started or resumed.
    if (s?.jupyterProblem) throw new Error(`Workspace ${s.name} cannot run notebooks: ${s.jupyterProblem}`);
    if (s && s.phase !== 'running') {
      if (!interactive) throw new Error(`${upperFirst(label)} is ${s.phase === 'stopped' && s.kind === 'Workspace' ? 'paused' : s.phase}${s.reason ? `: ${s.reason}` : ''}.`);
      if (!(await offerStart(this.ctx.kube, this.store, s))) throw new vscode.CancellationError();
    }
    if (!kernel.ref.kernelName) {
      const { specs } = await this.clients.get(kernel.server);
      try {
        kernel.ref.kernelName = chooseKernelSpec(specs, wantedKernel(nb), kernel.server.name);
      } catch (err) {
        if (!interactive || !(err instanceof JupyterError)) throw err;
        const pick = await vscode.window.showQuickPick(Object.entries(specs.specs).map(([name, v]) => ({ label: v.display, description: name, name })), { title: `${err.message} Run this notebook on:`, ignoreFocusOut: true });
        if (!pick) throw err;
        kernel.ref.kernelName = pick.name;
      }
      await this.saveBinding(nb, { ...this.binding(nb), ...kernel.ref, server: kernel.server });
    }
    const hadKernel = kernel.ref.kernelId;
    const k = await kernel.ensure();
    if (hadKernel && hadKernel !== k.id) void showWarningMessage(`The previous kernel on ${kernel.server.name} is gone (the server restarted or culled it); started a new one. Variables from earlier runs are lost.`);
    await this.recordKernel(nb, kernel, k).catch((err: unknown) => this.ctx.log.warn(`notebooks: cannot record the kernel in ${nb.uri.fsPath}: ${errorMessage(err)}`));
  }

  /**
   * The notebook names its kernel as Jupyter front ends do (`metadata.kernelspec`, `metadata.language_info` from the
   * kernel's info reply), so JupyterLab and the Jupyter extension open the saved file on the same kernel. No edit when
   * it already does (a saved notebook reopens and saves unchanged).
   */
  private async recordKernel(nb: vscode.NotebookDocument, kernel: NotebookKernel, k: Kernel.IKernelConnection): Promise<void> {
    const name = kernel.ref.kernelName;
    const { specs } = await this.clients.get(kernel.server);
    const info = await k.info;
    const nbMeta = (nb.metadata as { metadata?: Record<string, unknown> }).metadata ?? {};
    const kernelspec = { display_name: specs.specs[name]?.display ?? name, language: specs.specs[name]?.language || info.language_info.name, name };
    const languageInfo = { ...info.language_info };
    if (isDeepStrictEqual(nbMeta.kernelspec, kernelspec) && isDeepStrictEqual(nbMeta.language_info, languageInfo)) return;
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...nb.metadata, metadata: { ...nbMeta, kernelspec, language_info: languageInfo } })]);
    await vscode.workspace.applyEdit(edit);
  }

  private async execute(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument, server: ServerRef): Promise<void> {
    const controller = this.controllerFor(server);
    const kernel = this.kernelOf(nb, server)!;
    this.interrupted.delete(nb.uri.toString());
    const runs = cells.map((cell) => new CellRun(controller.createNotebookCellExecution(cell), {
      onStarted: (msgId) => void this.saveBinding(nb, { ...this.binding(nb)!, ...kernel.ref, server, running: { msgId, cellIndex: cell.index, source: hash(cell.document.getText()), startedAt: Date.now() } }),
      onCount: (count) => {
        const b = this.binding(nb);
        if (b?.running) void this.saveBinding(nb, { ...b, running: { ...b.running, count } });
      },
      // A KeyboardInterrupt nobody asked for, and the kernel is lost right after: its server shut down with the pod.
      explainFailure: async (ename) => (ename === 'KeyboardInterrupt' && !this.interrupted.has(nb.uri.toString()) && (await kernel.lostWithin(3000))
        ? noticeOutput('ServerShutDown', `The kernel on ${server.name} stopped because its notebook server shut down (the pod was deleted or restarted). Its variables are lost; run the cell again to start a new kernel.`)
        : undefined),
    }));
    try {
      await this.prepare(nb, kernel, true);
    } catch (err) {
      const first = runs.shift()!;
      first.execution.start(Date.now());
      if (err instanceof vscode.CancellationError) first.skip();
      else await first.fail(err instanceof JupyterError ? 'JupyterError' : 'KubeflowError', errorMessage(err));
      runs.forEach((r) => r.skip());
      if (!(err instanceof vscode.CancellationError)) this.reportError(nb, kernel, err);
      return;
    }
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i];
      if (this.interrupted.has(nb.uri.toString())) {
        run.skip();
        continue;
      }
      let ok = false;
      try {
        const k = await kernel.ensure();
        kernel.runs.add(run);
        ok = await run.run(k);
      } catch (err) {
        run.execution.start(Date.now());
        await run.fail('KernelError', errorMessage(err));
      } finally {
        kernel.runs.delete(run);
        const b = this.binding(nb);
        if (b?.running) await this.saveBinding(nb, { ...b, running: undefined });
      }
      if (!ok) {
        runs.slice(i + 1).forEach((r) => r.skip());
        break;
      }
    }
  }

  /** Follows the run that was in flight when the window reloaded. */
  private async resume(nb: vscode.NotebookDocument, kernel: NotebookKernel, running: NonNullable<Binding['running']>): Promise<void> {
    const cell = nb.cellAt(running.cellIndex);
    const b = this.binding(nb)!;
    const target = cell && hash(cell.document.getText()) === running.source ? cell : nb.getCells().find((c) => hash(c.document.getText()) === running.source);
    if (!target) {
      await this.saveBinding(nb, { ...b, running: undefined });
      return;
    }
    const run = new CellRun(this.controllerFor(kernel.server).createNotebookCellExecution(target));
    kernel.runs.add(run);
    try {
      const k = await kernel.ensure();
      this.ctx.log.info(`notebooks: following run ${running.msgId} of cell ${target.index + 1} after a reload`);
      // The restored outputs belong to this run only if the restored execution count is this run's.
      const stale = running.count === undefined || target.executionSummary?.executionOrder !== running.count;
      const done = run.resume(k, running.msgId, running.startedAt, stale, running.count);
      // Nothing to replay and the kernel idle: the run ended while no window was connected.
      void k.info.then(() => setTimeout(() => {
        if (!run.ended && k.status === 'idle') void run.fail('RunFinished', 'The run finished while the window was reloading; the server did not keep its remaining output.');
      }, 3000));
      await done;
    } catch (err) {
      await run.fail('KernelError', errorMessage(err));
    } finally {
      kernel.runs.delete(run);
      await this.saveBinding(nb, { ...this.binding(nb)!, running: undefined });
    }
  }

  private async interrupt(nb: vscode.NotebookDocument): Promise<void> {
    this.interrupted.add(nb.uri.toString());
    const k = this.kernels.get(nb.uri.toString());
    try {
      await k?.interrupt();
    } catch (err) {
      void showErrorMessage(`Cannot interrupt the kernel: ${errorMessage(err)}`);
    }
  }

  async restart(nb: vscode.NotebookDocument): Promise<void> {
    const k = this.kernels.get(nb.uri.toString());
    if (!k) throw new Error('This notebook has no Kubeflow kernel. Pick a notebook server first.');
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Restarting the kernel on ${k.server.name}` }, () => k.restart());
  }

  private reportError(nb: vscode.NotebookDocument, kernel: NotebookKernel, err: unknown): void {
    this.ctx.log.error(`notebooks: ${nb.uri.fsPath} on ${kernel.server.name}: ${errorMessage(err)}`);
    const actions = err instanceof JupyterError && err.problem === 'auth' ? ['Enter Token…', 'Show Log'] : ['Show Log'];
    void showErrorMessage(errorMessage(err), ...actions).then(async (a) => {
      if (a === 'Show Log') this.ctx.log.show();
      if (a === 'Enter Token…') await vscode.commands.executeCommand('kubeflow.notebooks.setToken', kernel.server);
    });
  }

  // --- bindings in workspace state

  private bindings(): Record<string, Binding> {
    return this.ctx.extension.workspaceState.get<Record<string, Binding>>(STATE_KEY, {});
  }

  binding(nb: vscode.NotebookDocument): Binding | undefined {
    return this.bindings()[nb.uri.toString()];
  }

  private saveBinding(nb: vscode.NotebookDocument, b: Binding | undefined): Thenable<void> {
    const all = { ...this.bindings() };
    if (b) all[nb.uri.toString()] = b;
    else delete all[nb.uri.toString()];
    return this.ctx.extension.workspaceState.update(STATE_KEY, all);
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    for (const k of this.kernels.values()) k.dispose();
    for (const c of this.controllers.values()) c.controller.dispose();
  }
}
