// Pipeline runs: "Submit Pipeline Run…" on `.py` / compiled `.yaml` files (explorer, editor, graph panel, CodeLens),
// the parameter form, the Runs and Pipelines views and their actions, the run view, and the notification and
// status-bar counter when a followed run ends. Registration only; nothing talks to the server until a view is
// shown or a command runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import YAML from 'yaml';
import type { Run } from '../../core/kfp/types';
import { findPipelineFunctions } from '../../core/pipeline/python-source';
import type { Feature } from '../ctx';
import { errorMessage } from '../log';
import { showReadOnly } from '../training/readonly';
import { PipelinesApi } from './api';
import { SubmitCodeLens } from './codelens';
import { RunFormPanel, type FormHooks, type FormRestore } from './form';
import { registerPanelSerializer } from '../webviews/host';
import { RunsModel } from './model';
import { PipelinesView, type PipelineNode } from './pipelinesView';
import { Presets } from './presets';
import { RunPanel, type LocalSource, type RunPanelDeps, type RunRestore } from './runPanel';
import { MetadataApi } from './metadata';
import { RunOutputsPanel } from './outputsPanel';
import { askCredentials, pipelineSettings } from './settings';
import { RunStatusBar } from './status';
import { prepare, preparedFromSpec, presetKey, submit, SubmitError, type Prepared, type Submitted } from './submit';
import { RunMetricsCache } from './runMetrics';
import { runDuration, RunsView, type RunsNode } from './view';
import { describeSort, metricColumns, type RunSort } from '../../core/mlmd/runMetrics';
import { isTerminal } from '../../core/kfp/types';
import { showErrorMessage, showInformationMessage, showWarningMessage } from '../notify';

const RUN_FILES_KEY = 'kubeflow.runFiles';
const PIPELINE_FILE = /\.(py|ya?ml|json)$/i;

export const runsFeature: Feature = (ctx) => {
  const api = new PipelinesApi(ctx);
  const presets = new Presets(ctx.extension.workspaceState);
  const model = new RunsModel(api, ctx.extension.workspaceState, ctx.log);
  const metadata = new MetadataApi(ctx, api);
  const runMetrics = new RunMetricsCache(metadata, (err) => api.explain(err), ctx.log);
  const runsView = new RunsView(model, api, runMetrics, ctx.extension.workspaceState);
  const pipelinesView = new PipelinesView(api, ctx.log);
  const status = new RunStatusBar(model);
  const codeLens = new SubmitCodeLens(presets);

  // Which local file a run was submitted from (for "the local file differs" in the run view).
  const runFiles = (): Record<string, { file: string; pipeline?: string }> => ctx.extension.workspaceState.get(RUN_FILES_KEY, {});
  const rememberFile = async (runId: string, p: Prepared): Promise<void> => {
    if (!p.uri) return;
    const all = Object.entries(runFiles()).slice(-199);
    await ctx.extension.workspaceState.update(RUN_FILES_KEY, Object.fromEntries([...all, [runId, { file: p.uri.toString(), ...(p.pipeline ? { pipeline: p.pipeline } : {}) }]]));
  };
  const localOf = (runId: string): LocalSource | undefined => {
    const f = runFiles()[runId];
    return f ? { uri: vscode.Uri.parse(f.file), ...(f.pipeline ? { pipeline: f.pipeline } : {}) } : undefined;
  };
  const deps: RunPanelDeps = { ctx, api, model, localOf };

  /** What runs produced (one run) or how they compare (several): clicked / selected in the Runs view, else picked. */
  const showOutputs = async (compare: boolean, node?: RunsNode | string, selected?: RunsNode[]): Promise<void> => {
    let runs = (selected?.length ? selected : node ? [node] : []).map(runOf).filter((r): r is Run => Boolean(r?.run_id));
    if (compare ? runs.length < 2 : runs.length < 1) {
      const picks = await vscode.window.showQuickPick(model.runs.filter((r) => r.run_id).map((r) => ({ label: r.display_name ?? r.run_id!, description: `${r.state ?? ''} ${r.run_id}`, run: r })), {
        title: compare ? 'Compare which runs? (two or more)' : 'Show the outputs of which run?', canPickMany: compare, matchOnDescription: true,
      });
      if (!picks) return;
      runs = (Array.isArray(picks) ? picks : [picks]).map((p) => p.run);
      if (compare && runs.length < 2) {
        void showInformationMessage('Pick two or more runs to compare.');
        return;
      }
    }
    try {
      await RunOutputsPanel.show({ ctx, api, metadata }, runs.map((r) => ({ id: r.run_id!, ...(r.display_name ? { name: r.display_name } : {}) })));
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot show run outputs: ${api.explain(err)}`);
    }
  };

  const openRun = async (runId: string, name?: string): Promise<void> => {
    try {
      await RunPanel.show(deps, runId, name);
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot open the run: ${api.explain(err)}`);
    }
  };

  const hooks: FormHooks = {
    submitted: (s: Submitted, p: Prepared) => void afterSubmit(s, p),
  };
  const afterSubmit = async (s: Submitted, p: Prepared): Promise<void> => {
    const runId = s.run.run_id!;
    await rememberFile(runId, p);
    model.follow(s.run);
    codeLens.refresh();
    void model.refresh();
    if (s.created.some((c) => c.startsWith('pipeline') || c.startsWith('version'))) void pipelinesView.refresh();
    vscode.window.setStatusBarMessage(`$(check) Run ${s.run.display_name ?? runId} submitted to experiment ${s.experimentName}`, 8000);
    await openRun(runId, s.run.display_name);
  };

  /** Reads (compiles) a file for submitting; says why not when it cannot. */
  const prepareFile = async (uri: vscode.Uri, pipeline: string | undefined): Promise<Prepared | undefined> => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    // Python is compiled from disk: unsaved edits would not be in the run.
    if (open?.isDirty && uri.scheme === 'file') await open.save();
    const label = path.basename(uri.fsPath || uri.path);
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: /\.py$/i.test(label) ? `Compiling ${label} with kfp…` : `Reading ${label}…`, cancellable: true },
      (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return prepare(uri, pipeline, ctx.log, abort.signal);
      },
    );
    if ('error' in res) {
      const a = await showErrorMessage(`Kubeflow: cannot submit ${label}: ${res.error}`, 'Show Problems');
      if (a) await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    }
    return res;
  };

  const submitRun = async (arg?: vscode.Uri, pipeline?: string): Promise<void> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || !PIPELINE_FILE.test(uri.path)) {
      void showInformationMessage('Open or select a pipeline file first: a Python file with @dsl.pipeline, or a compiled pipeline (.yaml).');
      return;
    }
    try {
      const fn = await pickPipelineFunction(uri, pipeline);
      if (fn === null) return;
      const p = await prepareFile(uri, fn);
      if (p) RunFormPanel.show(ctx, api, presets, p, hooks);
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot submit: ${errorMessage(err)}`);
    }
  };

  /** Submits again with the values, experiment and pipeline of the file's last submit (no form). */
  const rerun = async (arg?: vscode.Uri, pipeline?: string): Promise<void> => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) return;
    const fn = await pickPipelineFunction(uri, pipeline);
    if (fn === null) return;
    const p = await prepareFile(uri, fn);
    if (!p) return;
    const last = presets.get(presetKey(p)).last;
    if (!last) {
      RunFormPanel.show(ctx, api, presets, p, hooks);
      return;
    }
    const stamp = new Date().toLocaleString([], { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    try {
      const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Re-running ${p.name}`, cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const [client, cleanup] = await Promise.all([api.cancellableClient(abort.signal), api.client()]);
        return submit(
          client,
          p,
          {
            values: last.values,
            runName: `${p.name} ${stamp}`,
            description: last.runName ? `Re-run of ${last.runName}` : '',
            experiment: last.experimentId ? { id: last.experimentId } : { create: last.experimentName ?? 'Default' },
            target: last.pipelineId ? { kind: 'version', pipelineId: last.pipelineId } : { kind: 'pipeline', name: p.name },
            serviceAccount: pipelineSettings.serviceAccount(),
          },
          (step) => progress.report({ message: step }),
          ctx.log,
          cleanup,
        );
      });
      await presets.setLast(presetKey(p), { ...last, ...(done.run.run_id ? { runId: done.run.run_id } : {}), runName: done.run.display_name ?? '', at: Date.now() });
      await afterSubmit(done, p);
    } catch (err) {
      const message = err instanceof SubmitError ? err.message : `Nothing was submitted: ${api.explain(err)}`;
      const a = await showErrorMessage(`Kubeflow: ${message}`, 'Open the Form');
      if (a) RunFormPanel.show(ctx, api, presets, p, hooks, last.values);
    }
  };

  /** The metric column names of the listed ended runs, read from MLMD first (in the Runs view's progress bar). */
  const listedMetrics = async (): Promise<{ ended: number; found: string[] }> => {
    const ended = model.runs.filter((r) => isTerminal(r.state));
    await vscode.window.withProgress({ location: { viewId: 'kubeflow.runs' }, title: 'Reading run metrics from ML Metadata…' }, () => runMetrics.read(ended));
    return { ended: ended.length, found: metricColumns(ended.map((r) => runMetrics.get(r.run_id) ?? [])) };
  };

  /** The run of a view node, or of a run id (the listed run when the Runs view has it: its name for titles). */
  const runOf = (node?: RunsNode | string): Run | undefined => (typeof node === 'string' ? model.runs.find((r) => r.run_id === node) ?? { run_id: node } : node?.type === 'run' ? node.run : undefined);

  /** Runs an action on a run with a message on failure; refreshes the views after. */
  const runAction = async (node: RunsNode | string | undefined, what: string, fn: (run: Run) => Promise<unknown>): Promise<void> => {
    const run = runOf(node);
    if (!run?.run_id) return;
    try {
      await fn(run);
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot ${what} run ${run.display_name ?? run.run_id}: ${api.explain(err)}`);
    }
    void model.refresh();
    void RunPanel.refreshRun(run.run_id);
  };

  /** The run's pipeline as a run form (clone): its version, or its inline spec, with its parameters. */
  const cloneRun = async (node?: RunsNode | string): Promise<void> => {
    const r = runOf(node);
    if (!r?.run_id) return;
    try {
      const client = await api.client();
      const run = await client.getRun(r.run_id);
      const ref = run.pipeline_version_reference;
      let p: Prepared;
      if (ref?.pipeline_id && ref.pipeline_version_id) {
        const v = await client.getPipelineVersion(ref.pipeline_id, ref.pipeline_version_id);
        if (!v.pipeline_spec) throw new Error('its pipeline version has no spec');
        p = preparedFromSpec(v.pipeline_spec, { fixed: { pipelineId: ref.pipeline_id, versionId: ref.pipeline_version_id, versionName: v.display_name || v.name || ref.pipeline_version_id }, label: `clone of ${run.display_name ?? run.run_id}` });
      } else if (run.pipeline_spec) {
        p = preparedFromSpec(run.pipeline_spec, { label: `clone of ${run.display_name ?? run.run_id}` });
      } else {
        throw new Error('it has neither a pipeline version nor a pipeline spec');
      }
      RunFormPanel.show(ctx, api, presets, p, hooks, run.runtime_config?.parameters);
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot clone the run: ${api.explain(err)}`);
    }
  };

  const notifyEnd = async (run: Run): Promise<void> => {
    status.ended(run);
    const name = run.display_name ?? run.run_id ?? 'run';
    const dur = runDuration(run);
    const took = dur ? ` in ${dur}` : '';
    if (run.state === 'SUCCEEDED') {
      const a = await showInformationMessage(`Pipeline run ${name} succeeded${took}.`, 'Open Run');
      if (a) await openRun(run.run_id!, name);
      return;
    }
    const why = run.error?.message ? `: ${run.error.message}` : '.';
    const verb = run.state === 'CANCELED' ? 'was canceled' : run.state === 'SKIPPED' ? 'was skipped' : 'failed';
    const a = await showErrorMessage(`Pipeline run ${name} ${verb}${dur ? ` after ${dur}` : ''}${why}`, 'Open Run', ...(run.state === 'FAILED' || run.state === 'CANCELED' ? ['Retry'] : []));
    if (a === 'Open Run') await openRun(run.run_id!, name);
    if (a === 'Retry') await vscode.commands.executeCommand('kubeflow.runs.retry', run.run_id);
  };

  const recurringAction = async (node: RunsNode | undefined, verb: 'enable' | 'disable' | 'delete'): Promise<void> => {
    if (node?.type !== 'recurring' || !node.rr.recurring_run_id) return;
    const id = node.rr.recurring_run_id;
    const name = node.rr.display_name ?? id;
    if (verb === 'delete' && !(await confirm(`Delete recurring run ${name}? Runs it started stay.`, 'Delete'))) return;
    try {
      const client = await api.client();
      await (verb === 'enable' ? client.enableRecurringRun(id) : verb === 'disable' ? client.disableRecurringRun(id) : client.deleteRecurringRun(id));
    } catch (err) {
      void showErrorMessage(`Kubeflow: cannot ${verb} recurring run ${name}: ${api.explain(err)}`);
    }
    await model.refresh();
  };

  const confirm = async (message: string, action: string): Promise<boolean> => (await showWarningMessage(message, { modal: true }, action)) === action;

  const versionSpec = async (node: PipelineNode): Promise<{ spec: Record<string, unknown>; pipelineId: string; versionId: string; name: string } | undefined> => {
    const client = await api.client();
    let pipelineId: string | undefined;
    let versionId: string | undefined;
    if (node.type === 'version') {
      pipelineId = node.version.pipeline_id ?? node.pipeline.pipeline_id;
      versionId = node.version.pipeline_version_id;
    } else if (node.type === 'pipeline') {
      pipelineId = node.pipeline.pipeline_id;
      versionId = pipelineId ? (await client.listPipelineVersions(pipelineId, { sort: { field: 'created_at', desc: true }, pageSize: 1 })).items[0]?.pipeline_version_id : undefined;
    }
    if (!pipelineId || !versionId) return undefined;
    const v = await client.getPipelineVersion(pipelineId, versionId);
    if (!v.pipeline_spec) throw new Error(`version ${v.name ?? versionId} has no pipeline spec`);
    return { spec: v.pipeline_spec, pipelineId, versionId, name: v.display_name || v.name || versionId };
  };

  return [
    registerPanelSerializer<RunRestore>('kubeflow.runView', (panel, data) => RunPanel.revive(deps, panel, data), ctx.log),
    registerPanelSerializer<FormRestore>('kubeflow.runForm', async (panel, data) => {
      const p = data.kind === 'spec' ? preparedFromSpec(data.spec, { ...(data.fixed ? { fixed: data.fixed } : {}), label: data.label }) : await prepareFile(vscode.Uri.parse(data.uri), data.pipeline);
      if (!p) {
        panel.dispose();
        return;
      }
      RunFormPanel.revive(ctx, api, presets, p, hooks, panel);
    }, ctx.log),
    api,
    metadata,
    runMetrics,
    model,
    runsView,
    pipelinesView,
    status,
    model.onDidEnd((run) => void notifyEnd(run)),
    vscode.languages.registerCodeLensProvider([{ language: 'python', scheme: 'file' }, { language: 'yaml', scheme: 'file' }, { language: 'json', scheme: 'file' }], codeLens),
    vscode.commands.registerCommand('kubeflow.pipelines.submitRun', submitRun),
    vscode.commands.registerCommand('kubeflow.pipelines.rerun', rerun),
    vscode.commands.registerCommand('kubeflow.pipelines.setCredentials', async () => {
      if (await askCredentials(api.creds)) api.reset();
    }),
    vscode.commands.registerCommand('kubeflow.pipelines.refresh', () => pipelinesView.refresh()),
    vscode.commands.registerCommand('kubeflow.pipelines.openVersion', async (node?: PipelineNode) => {
      if (!node) return;
      try {
        const v = await versionSpec(node);
        if (!v) return;
        const { pipeline_spec: spec, platform_spec: platform } = v.spec as { pipeline_spec?: unknown; platform_spec?: unknown };
        const text = spec ? `${YAML.stringify(spec)}---\n${YAML.stringify(platform ?? {})}` : YAML.stringify(v.spec);
        const editor = await showReadOnly(`${v.name}.yaml`, `# PIPELINE DEFINITION (uploaded version ${v.name})\n${text}`);
        await vscode.commands.executeCommand('kubeflow.pipelines.showGraph', editor.document.uri);
      } catch (err) {
        void showErrorMessage(`Kubeflow: cannot show the version: ${api.explain(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.pipelines.createRun', async (node?: PipelineNode) => {
      if (!node) return;
      try {
        const v = await versionSpec(node);
        if (!v) return;
        RunFormPanel.show(ctx, api, presets, preparedFromSpec(v.spec, { fixed: { pipelineId: v.pipelineId, versionId: v.versionId, versionName: v.name }, label: `version ${v.name}` }), hooks);
      } catch (err) {
        void showErrorMessage(`Kubeflow: cannot open the run form: ${api.explain(err)}`);
      }
    }),
    vscode.commands.registerCommand('kubeflow.pipelines.deletePipeline', async (node?: PipelineNode) => {
      if (node?.type !== 'pipeline' || !node.pipeline.pipeline_id) return;
      const name = node.pipeline.display_name || node.pipeline.name || node.pipeline.pipeline_id;
      if (!(await confirm(`Delete pipeline ${name} and all its versions? Runs made from it stay.`, 'Delete'))) return;
      try {
        await (await api.client()).deletePipeline(node.pipeline.pipeline_id, true);
      } catch (err) {
        void showErrorMessage(`Kubeflow: cannot delete pipeline ${name}: ${api.explain(err)}`);
      }
      await pipelinesView.refresh();
    }),
    vscode.commands.registerCommand('kubeflow.pipelines.deleteVersion', async (node?: PipelineNode) => {
      if (node?.type !== 'version' || !node.version.pipeline_version_id) return;
      const pid = node.version.pipeline_id ?? node.pipeline.pipeline_id;
      const name = node.version.display_name || node.version.name || node.version.pipeline_version_id;
      if (!pid || !(await confirm(`Delete version ${name} of pipeline ${node.pipeline.display_name || node.pipeline.name}?`, 'Delete'))) return;
      try {
        await (await api.client()).deletePipelineVersion(pid, node.version.pipeline_version_id);
      } catch (err) {
        void showErrorMessage(`Kubeflow: cannot delete version ${name}: ${api.explain(err)}`);
      }
      await pipelinesView.refresh();
    }),
    vscode.commands.registerCommand('kubeflow.runs.refresh', () => {
      runMetrics.retry();
      return model.refresh();
    }),
    vscode.commands.registerCommand('kubeflow.runs.chooseMetricColumns', async () => {
      const { ended, found } = await listedMetrics();
      if (runMetrics.error) {
        void showErrorMessage(`Kubeflow: cannot read run metrics from ML Metadata: ${runMetrics.error}`);
        return;
      }
      const names = [...new Set([...found, ...runsView.columns])];
      if (!names.length) {
        void showInformationMessage(`None of the ${ended} ended runs listed logged scalar metrics (a system.Metrics output).`);
        return;
      }
      const picks = await vscode.window.showQuickPick(names.map((label) => ({ label, picked: runsView.columns.includes(label), ...(found.includes(label) ? {} : { description: 'not in the listed runs' }) })), {
        canPickMany: true, title: 'Run metric columns', placeHolder: 'The metrics shown beside each run (none = no columns)',
      });
      if (picks) await runsView.setColumns(picks.map((p) => p.label));
    }),
    vscode.commands.registerCommand('kubeflow.runs.sortBy', async () => {
      const columns = [...new Set([...runsView.columns, ...(await listedMetrics()).found])];
      const sorts: RunSort[] = [{ by: 'created' }, { by: 'duration' }, ...columns.flatMap((column) => [{ by: 'metric' as const, column, desc: true }, { by: 'metric' as const, column, desc: false }])];
      const label = (s: RunSort): string => s.by === 'created' ? 'Created (newest first)' : s.by === 'duration' ? 'Duration (longest first)' : `${s.column} ${s.desc ? 'descending' : 'ascending'}`;
      const pick = await vscode.window.showQuickPick(sorts.map((sort) => ({ label: label(sort), sort, ...(describeSort(sort) === describeSort(runsView.sort) ? { description: 'current' } : {}) })), {
        title: 'Sort runs (within each experiment)', placeHolder: runMetrics.error ? `Metrics unavailable: ${runMetrics.error}` : 'Runs without the metric come last',
      });
      if (pick) await runsView.setSort(pick.sort);
    }),
    vscode.commands.registerCommand('kubeflow.runs.filter', async () => {
      const f = model.filter;
      const states = [
        { label: 'Running', states: ['RUNNING', 'PENDING', 'CANCELING'] as const },
        { label: 'Succeeded', states: ['SUCCEEDED'] as const },
        { label: 'Failed', states: ['FAILED'] as const },
        { label: 'Canceled', states: ['CANCELED'] as const },
        { label: 'Skipped', states: ['SKIPPED'] as const },
      ];
      const items: (vscode.QuickPickItem & { states?: readonly string[]; archived?: boolean })[] = [
        { label: 'State', kind: vscode.QuickPickItemKind.Separator },
        ...states.map((s) => ({ label: s.label, states: s.states, picked: s.states.some((x) => f.states?.includes(x)) })),
        { label: 'Other', kind: vscode.QuickPickItemKind.Separator },
        { label: 'Archived runs instead', archived: true, picked: f.archived === true },
      ];
      const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Filter runs', placeHolder: 'Pick states (none = all), then a name' });
      if (!picked) return;
      const text = await vscode.window.showInputBox({ title: 'Filter runs: name contains', value: f.text ?? '', prompt: 'Leave empty for any name' });
      if (text === undefined) return;
      model.setFilter({
        ...(text.trim() ? { text: text.trim() } : {}),
        states: picked.flatMap((p) => (p.states ?? []) as Run['state'][]).filter((s): s is NonNullable<Run['state']> => Boolean(s)),
        archived: picked.some((p) => p.archived),
      });
    }),
    vscode.commands.registerCommand('kubeflow.runs.clearFilter', () => model.setFilter({})),
    vscode.commands.registerCommand('kubeflow.runs.open', async (node?: RunsNode | string) => {
      const run = runOf(node);
      if (run?.run_id) await openRun(run.run_id, run.display_name);
    }),
    // what a run produced, for the Lineage view (extension/lineage): internal, not in the palette
    vscode.commands.registerCommand('kubeflow.runs.readOutputs', (runId: string) => metadata.runOutputs(runId)),
    vscode.commands.registerCommand('kubeflow.runs.showOutputs', (node?: RunsNode | string, selected?: RunsNode[]) => showOutputs(false, node, selected?.length === 1 ? selected : undefined)),
    vscode.commands.registerCommand('kubeflow.runs.compare', (node?: RunsNode | string, selected?: RunsNode[]) => showOutputs(true, node, selected)),
    vscode.commands.registerCommand('kubeflow.runs.terminate', async (node?: RunsNode | string) => {
      const run = runOf(node);
      if (!run || !(await confirm(`Terminate run ${run.display_name ?? run.run_id}? Its running steps are stopped.`, 'Terminate'))) return;
      await runAction(node, 'terminate', async (r) => (await api.client()).terminateRun(r.run_id!));
    }),
    vscode.commands.registerCommand('kubeflow.runs.retry', (node?: RunsNode | string) =>
      runAction(node, 'retry', async (r) => {
        const client = await api.client();
        await client.retryRun(r.run_id!);
        model.follow(await client.getRun(r.run_id!));
      }),
    ),
    vscode.commands.registerCommand('kubeflow.runs.clone', cloneRun),
    vscode.commands.registerCommand('kubeflow.runs.rerun', (node?: RunsNode | string) =>
      runAction(node, 're-run', async (r) => {
        const client = await api.client();
        const run = await client.getRun(r.run_id!);
        const ref = run.pipeline_version_reference;
        const created = await client.createRun({
          displayName: `${run.display_name ?? 'run'} (re-run)`,
          description: `Re-run of ${run.display_name ?? run.run_id} with the same parameters`,
          ...(run.experiment_id ? { experimentId: run.experiment_id } : {}),
          ...(ref?.pipeline_id ? { pipelineVersion: ref } : run.pipeline_spec ? { pipelineSpec: run.pipeline_spec } : {}),
          runtimeConfig: run.runtime_config ?? { parameters: {} },
          ...(run.service_account ? { serviceAccount: run.service_account } : {}),
        });
        model.follow(created);
        const local = localOf(run.run_id!);
        if (local && created.run_id) await ctx.extension.workspaceState.update(RUN_FILES_KEY, { ...runFiles(), [created.run_id]: { file: local.uri.toString(), ...(local.pipeline ? { pipeline: local.pipeline } : {}) } });
        if (created.run_id) await openRun(created.run_id, created.display_name);
      }),
    ),
    vscode.commands.registerCommand('kubeflow.runs.archive', (node?: RunsNode | string) => runAction(node, 'archive', async (r) => (await api.client()).archiveRun(r.run_id!))),
    vscode.commands.registerCommand('kubeflow.runs.unarchive', (node?: RunsNode | string) => runAction(node, 'restore', async (r) => (await api.client()).unarchiveRun(r.run_id!))),
    vscode.commands.registerCommand('kubeflow.runs.delete', async (node?: RunsNode | string) => {
      const run = runOf(node);
      if (!run || !(await confirm(`Delete run ${run.display_name ?? run.run_id}? This cannot be undone (archive keeps it).`, 'Delete'))) return;
      await runAction(node, 'delete', async (r) => (await api.client()).deleteRun(r.run_id!));
    }),
    vscode.commands.registerCommand('kubeflow.runs.copyId', async (node?: RunsNode | string) => {
      const run = runOf(node);
      if (run?.run_id) await vscode.env.clipboard.writeText(run.run_id);
    }),
    vscode.commands.registerCommand('kubeflow.runs.showEnded', async () => {
      status.clear();
      await vscode.commands.executeCommand('kubeflow.runs.focus');
    }),
    vscode.commands.registerCommand('kubeflow.recurringRuns.enable', (node?: RunsNode) => recurringAction(node, 'enable')),
    vscode.commands.registerCommand('kubeflow.recurringRuns.disable', (node?: RunsNode) => recurringAction(node, 'disable')),
    vscode.commands.registerCommand('kubeflow.recurringRuns.delete', (node?: RunsNode) => recurringAction(node, 'delete')),
  ];
};

/**
 * Which `@dsl.pipeline` of a Python file: undefined when it defines one (or is not Python), so the file has one set of
 * presets whoever asks; the given one when it defines several; else the user picks (null: backed out).
 */
async function pickPipelineFunction(uri: vscode.Uri, given?: unknown): Promise<string | undefined | null> {
  if (!/\.py$/i.test(uri.path)) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  const found = findPipelineFunctions(doc.getText());
  if (found.length <= 1) return undefined;
  if (typeof given === 'string' && found.some((f) => f.name === given)) return given;
  const pick = await vscode.window.showQuickPick(found.map((f) => ({ label: f.name, description: `line ${f.line + 1}` })), { title: 'Submit which pipeline?', placeHolder: `${path.basename(uri.fsPath)} defines ${found.length} pipelines` });
  return pick ? pick.label : null;
}
