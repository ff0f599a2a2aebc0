/**
 * One lineage chain: run → its Model artifacts → the registry versions registered from them → the InferenceServices
 * serving those versions. Built from what each part records: the run's outputs (MLMD or KFP's artifact API,
 * core/mlmd/outputs.ts), what registration writes on a version's model artifact (core/modelRegistry/register.ts:
 * `modelSourceId` = run id, name `<task>.<output>`, the artifact's URI; lineageOf reads the run back), and the deploy's
 * labels on a service (core/kserve/state.ts `registry.modelVersionId`). A link that is not there is a node that says
 * so ("not registered", "not deployed"). Pure.
 */
import type { IsvcSummary } from '../kserve/state';
import type { RunOutputs } from '../mlmd/outputs';
import { lineageOf } from '../modelRegistry/properties';
import type { Artifact, ModelArtifact, ModelVersion, RegisteredModel } from '../modelRegistry/types';

export interface RegistryVersion {
  model: RegisteredModel;
  version: ModelVersion;
  artifacts: Artifact[];
}

export type LineageNode =
  | { kind: 'run'; runId: string; label: string; children: LineageNode[] }
  | { kind: 'artifact'; task: string; name: string; uri: string; label: string; children: LineageNode[] }
  | { kind: 'version'; registeredModelId: string; versionId: string; label: string; children: LineageNode[] }
  | { kind: 'endpoint'; name: string; namespace: string; ready: boolean; label: string; children: LineageNode[] }
  | { kind: 'missing'; label: string; children: LineageNode[] };

/** What is known of a run by id (its name, and its outputs when they could be read). */
export type RunLookup = (runId: string) => { name?: string; outputs?: RunOutputs } | undefined;

const MODEL = 'system.Model';

const missing = (label: string): LineageNode => ({ kind: 'missing', label, children: [] });

/** Whether a registry version was registered from this run's artifact: the same URI, or the run and `<task>.<name>`. */
export function registeredFrom(v: RegistryVersion, runId: string, task: string, name: string, uri: string): boolean {
  const models = v.artifacts.filter((a): a is ModelArtifact => a.artifactType === 'model-artifact');
  if (uri && models.some((a) => a.uri === uri)) return true;
  const fromRun = lineageOf(v.version, v.artifacts, v.model).some((s) => s.kind === 'pipelineRun' && s.runId === runId);
  return fromRun && models.some((a) => a.name === `${task}.${name}`);
}

function endpointNodes(versionId: string, endpoints: IsvcSummary[]): LineageNode[] {
  const serving = endpoints.filter((e) => e.registry?.modelVersionId === versionId);
  return serving.length ? serving.map(endpointNode) : [missing('not deployed')];
}

function endpointNode(e: IsvcSummary): LineageNode {
  return { kind: 'endpoint', name: e.name, namespace: e.namespace, ready: e.ready, label: `${e.name} (${e.ready ? 'ready' : e.phase})`, children: [] };
}

export function versionNode(v: RegistryVersion, endpoints: IsvcSummary[]): LineageNode {
  return {
    kind: 'version',
    registeredModelId: v.model.id ?? v.version.registeredModelId,
    versionId: v.version.id ?? '',
    label: `${v.model.name} ${v.version.name}`,
    children: endpointNodes(v.version.id ?? '', endpoints),
  };
}

/** The chain from a run: each Model artifact it produced, the versions registered from it, their endpoints. */
/** `versions`: the registry's versions, or why they could not be read (each artifact then says so, not "not registered"). */
export function lineageFromRun(run: { id: string; name?: string }, outputs: RunOutputs, versions: RegistryVersion[] | { error: string }, endpoints: IsvcSummary[]): LineageNode {
  const seen = new Set<string>();
  const artifacts: LineageNode[] = [];
  for (const t of outputs.tasks) {
    for (const a of t.artifacts) {
      if (a.event !== 'OUTPUT' || a.type !== MODEL || seen.has(a.id)) continue;
      seen.add(a.id);
      const registered = 'error' in versions ? [] : versions.filter((v) => registeredFrom(v, run.id, t.task, a.name, a.uri));
      artifacts.push({
        kind: 'artifact', task: t.task, name: a.name, uri: a.uri, label: `${t.task}.${a.name}`,
        children: 'error' in versions ? [missing(`the Model Registry could not be read: ${versions.error}`)]
          : registered.length ? registered.map((v) => versionNode(v, endpoints)) : [missing('not registered')],
      });
    }
  }
  return { kind: 'run', runId: run.id, label: run.name ? `${run.name} (${run.id})` : run.id, children: artifacts.length ? artifacts : [missing('no Model artifacts')] };
}

/** The chain through a registry version: the run it came from (when recorded) down to its endpoints. */
export function lineageFromVersion(v: RegistryVersion, endpoints: IsvcSummary[], runOf: RunLookup): LineageNode {
  const step = lineageOf(v.version, v.artifacts, v.model).find((s) => s.kind === 'pipelineRun');
  if (!step || step.kind !== 'pipelineRun') return { kind: 'run', runId: '', label: 'no pipeline run recorded', children: [versionNode(v, endpoints)] };
  const run = runOf(step.runId);
  const name = run?.name ?? step.runName;
  if (run?.outputs) {
    const chain = lineageFromRun({ id: step.runId, ...(name ? { name } : {}) }, run.outputs, [v], endpoints);
    // only the artifact this version came from
    const own = chain.children.filter((c) => c.kind === 'artifact' && c.children.some((x) => x.kind === 'version'));
    if (own.length) return { ...chain, children: own };
  }
  return { kind: 'run', runId: step.runId, label: name ? `${name} (${step.runId})` : step.runId, children: [versionNode(v, endpoints)] };
}

/** The chain through an endpoint: the version it serves (when the deploy labelled it) and back to its run. */
export function lineageFromEndpoint(e: IsvcSummary, versionOf: (versionId: string) => RegistryVersion | undefined, runOf: RunLookup, endpoints: IsvcSummary[]): LineageNode {
  const id = e.registry?.modelVersionId;
  const v = id ? versionOf(id) : undefined;
  if (v) return lineageFromVersion(v, endpoints, runOf);
  return { kind: 'run', runId: '', label: id ? `model version ${id} is not in the registry` : 'not deployed from a registry version', children: [endpointNode(e)] };
}
