/**
 * "Show Lineage" on a run (Runs view), a model version (Models view) and an endpoint (Endpoints view): reads what the
 * chain needs (the run's outputs through `kubeflow.runs.readOutputs`, the registry's versions and their artifacts,
 * the watched InferenceServices), builds it with core/lineage/chain.ts and shows it in the Lineage view.
 */
import * as vscode from 'vscode';
import { lineageFromEndpoint, lineageFromRun, lineageFromVersion, type LineageNode, type RegistryVersion } from '../../core/lineage/chain';
import type { RunOutputs } from '../../core/mlmd/outputs';
import type { ModelRegistryClient } from '../../core/modelRegistry/client';
import { lineageOf } from '../../core/modelRegistry/properties';
import type { Ctx } from '../ctx';
import type { EndpointsModel } from '../endpoints/model';
import { showErrorMessage } from '../notify';
import { describe } from '../views/watchedList';
import { LineageView } from './view';

/** What the commands get: a view node of the Runs, Models or Endpoints view, or ids. */
type RunArg = { type: 'run'; run: { run_id?: string; display_name?: string } } | string;
type VersionArg = { type: 'version'; model: { id: string }; version: { id: string } } | { registeredModelId?: string; modelVersionId: string };
type EndpointArg = { type: 'isvc'; entry: { summary: { name: string; namespace: string } } } | { name: string; namespace?: string };

const MAX_VERSIONS = 500;

export function lineageFeature(ctx: Ctx, endpoints: EndpointsModel, registry: () => ModelRegistryClient): vscode.Disposable[] {
  const view = new LineageView();

  const readOutputs = async (runId: string): Promise<RunOutputs | undefined> => {
    try {
      return await vscode.commands.executeCommand<RunOutputs | undefined>('kubeflow.runs.readOutputs', runId);
    } catch (err) {
      ctx.log.warn(`lineage: cannot read the outputs of run ${runId}: ${describe(err)}`);
      return undefined;
    }
  };

  const withArtifacts = async (c: ModelRegistryClient, versionId: string): Promise<RegistryVersion> => {
    const version = await c.getVersion(versionId);
    const [model, artifacts] = await Promise.all([c.getRegisteredModel(version.registeredModelId), c.listVersionArtifacts(versionId, { pageSize: 100 })]);
    return { model, version, artifacts: artifacts.items };
  };

  const allVersions = async (c: ModelRegistryClient): Promise<RegistryVersion[]> => {
    const page = await c.listAllVersions({ pageSize: MAX_VERSIONS });
    return Promise.all(page.items.map((v) => withArtifacts(c, v.id)));
  };

  const run = async (title: string, build: () => Promise<LineageNode>): Promise<void> => {
    try {
      await endpoints.whenLoaded(15_000);
      const root = await vscode.window.withProgress({ location: { viewId: 'kubeflow.lineage' }, title }, build);
      await view.show(root);
    } catch (err) {
      void showErrorMessage(`Cannot show the lineage: ${describe(err)}`);
    }
  };

  const services = () => endpoints.list().map((e) => e.summary);

  return [
    view,
    vscode.commands.registerCommand('kubeflow.runs.showLineage', (arg?: RunArg) => {
      const runId = typeof arg === 'string' ? arg : arg?.run.run_id;
      if (!runId) return;
      const name = typeof arg === 'string' ? undefined : arg?.run.display_name;
      return run(`Lineage of run ${name ?? runId}…`, async () => {
        const outputs = await readOutputs(runId);
        if (!outputs) return { kind: 'run', runId, label: name ?? runId, children: [{ kind: 'missing', label: 'its outputs could not be read (see the Kubeflow log)', children: [] }] };
        const versions = await allVersions(registry()).catch((err: unknown) => {
          ctx.log.warn(`lineage: cannot read the Model Registry: ${describe(err)}`);
          return { error: describe(err) };
        });
        return lineageFromRun({ id: runId, ...(name ? { name } : {}) }, outputs, versions, services());
      });
    }),
    vscode.commands.registerCommand('kubeflow.models.showLineage', (arg?: VersionArg) => {
      const versionId = arg && 'type' in arg ? arg.version.id : arg?.modelVersionId;
      if (!versionId) return;
      return run('Lineage of the model version…', async () => {
        const v = await withArtifacts(registry(), versionId);
        const runs = await runOutputsOf(v);
        return lineageFromVersion(v, services(), (id) => runs.get(id));
      });
    }),
    vscode.commands.registerCommand('kubeflow.endpoints.showLineage', (arg?: EndpointArg) => {
      const ref = arg && 'type' in arg ? arg.entry.summary : arg;
      const e = ref && endpoints.find(ref.name, ref.namespace);
      if (!e) return;
      return run(`Lineage of ${e.summary.name}…`, async () => {
        const id = e.summary.registry?.modelVersionId;
        const v = id ? await withArtifacts(registry(), id).catch(() => undefined) : undefined;
        const runs = v ? await runOutputsOf(v) : new Map<string, { outputs?: RunOutputs }>();
        return lineageFromEndpoint(e.summary, () => v, (rid) => runs.get(rid), services());
      });
    }),
  ];

  /** The outputs of the runs a version records, by run id. */
  async function runOutputsOf(v: RegistryVersion): Promise<Map<string, { outputs?: RunOutputs }>> {
    const out = new Map<string, { outputs?: RunOutputs }>();
    for (const s of lineageOf(v.version, v.artifacts, v.model)) {
      if (s.kind !== 'pipelineRun' || out.has(s.runId)) continue;
      const outputs = await readOutputs(s.runId);
      out.set(s.runId, outputs ? { outputs } : {});
    }
    return out;
  }
}
