/**
 * The agent tools that change the cluster. Each one is planned first: `plan` reads what it needs (and dry-runs where
 * the API can), and returns the exact request as text plus an `apply` that sends that same request and nothing
 * else. VS Code shows `summary` in its confirmation; the MCP server returns it unapplied unless the call confirms.
 */
import { applicableValues, buildParameters, formSpec } from '../kfp/params';
import type { Pipeline, PipelineVersion } from '../kfp/types';
import { buildInferenceService, checkDeploySpec, serviceName, specOf, updatePatch, type DeploySpec, type InferenceServiceObject } from '../kserve/build';
import { canaryUpdatePatch, promoteCanaryPatch, rollbackCanaryPatch, standardCanarySupported } from '../kserve/canary';
import { guessFormat, kserveFormat, kserveFormatVersion } from '../kserve/formats';
import { rawCanaryMessage, summarizeInferenceService } from '../kserve/state';
import { NOTEBOOKS, STOPPED_ANNOTATION, startPatch, stopPatch, type NotebookResource } from '../../extension/notebooks/model';
import type { AgentBackend } from './backend';
import { findEndpoint, findVersion, isNotFound, isvcPath, ns, path } from './lookup';
import { ToolInputError } from './text';

export interface Plan {
  /** Exactly what `apply` sends, for the user to confirm. */
  summary: string;
  /** Sends it; resolves to what happened. Absent: nothing to do (already in that state). */
  apply?: () => Promise<string>;
}

type Input = Record<string, unknown> & { namespace?: string };
const json = (v: unknown): string => JSON.stringify(v, null, 2);
const MERGE = 'application/merge-patch+json';
const FIELD_MANAGER = { fieldManager: 'kubeflow-vscode' };

// --- submit a run

async function pipelineOf(b: AgentBackend, ref: string): Promise<Pipeline> {
  const kfp = await b.kfp();
  try {
    return await kfp.getPipelineByName(ref);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    return await kfp.getPipeline(ref);
  } catch (err) {
    if (!isNotFound(err) && (err as { status?: number }).status !== 400) throw err;
  }
  const names = (await kfp.listPipelines({ pageSize: 50 })).items.map((p) => p.display_name ?? p.name);
  throw new ToolInputError(`no uploaded pipeline named "${ref}"${names.length ? `; there are: ${names.join(', ')}` : ''}`);
}

export async function planSubmitRun(b: AgentBackend, input: Input): Promise<Plan> {
  const kfp = await b.kfp();
  const pipeline = await pipelineOf(b, String(input.pipeline));
  const versions = (await kfp.listPipelineVersions(pipeline.pipeline_id!, { pageSize: 100, sort: { field: 'created_at', desc: true } })).items;
  const wanted = typeof input.version === 'string' && input.version ? input.version : undefined;
  const version: PipelineVersion | undefined = wanted ? versions.find((v) => v.pipeline_version_id === wanted || v.display_name === wanted || v.name === wanted) : versions[0];
  if (!version) throw new ToolInputError(wanted ? `pipeline "${pipeline.display_name}" has no version "${wanted}"; it has: ${versions.map((v) => v.display_name).join(', ')}` : `pipeline "${pipeline.display_name}" has no version`);
  const full = version.pipeline_spec ? version : await kfp.getPipelineVersion(pipeline.pipeline_id!, version.pipeline_version_id!);
  const fields = formSpec(full.pipeline_spec).fields;
  const given = (input.parameters ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !fields.some((f) => f.name === k));
  if (unknown.length) throw new ToolInputError(`the pipeline has no parameter ${unknown.map((k) => `"${k}"`).join(', ')}; its parameters: ${fields.map((f) => `${f.name} (${f.type}${f.optional ? ', optional' : ''})`).join(', ') || 'none'}`);
  const built = buildParameters(fields, applicableValues(fields, given));
  if (!built.ok) throw new ToolInputError(`parameters rejected: ${Object.entries(built.errors).map(([k, e]) => `${k}: ${e}`).join('; ')}`);
  const experimentName = typeof input.experiment === 'string' && input.experiment ? input.experiment : 'Default';
  const experiment = await kfp.findExperiment(experimentName);
  const displayName = typeof input.runName === 'string' && input.runName ? input.runName : `${pipeline.display_name} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
  const request = {
    display_name: displayName,
    experiment: experiment ? `${experimentName} (${experiment.experiment_id})` : `${experimentName} (created first)`,
    pipeline_version_reference: { pipeline: pipeline.display_name, pipeline_id: pipeline.pipeline_id, version: version.display_name, pipeline_version_id: version.pipeline_version_id },
    parameters: built.parameters,
  };
  return {
    summary: `Create a KFP run (POST /apis/v2beta1/runs${experiment ? '' : ', after POST /apis/v2beta1/experiments'}):\n${json(request)}`,
    apply: async () => {
      const exp = experiment ?? (await kfp.createExperiment({ displayName: experimentName }));
      const run = await kfp.createRun({ displayName, experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: pipeline.pipeline_id!, pipeline_version_id: version.pipeline_version_id! }, runtimeConfig: { parameters: built.parameters } });
      return `Submitted run "${run.display_name}" (${run.run_id}) in experiment ${experimentName}: ${run.state ?? 'PENDING'}. Follow it with kubeflow_diagnose (kind "run").`;
    },
  };
}

// --- start / stop a notebook server

export async function planNotebookPower(b: AgentBackend, input: Input): Promise<Plan> {
  const namespace = ns(b, input);
  const name = String(input.name);
  const p = path({ ...NOTEBOOKS, namespace, name });
  let nb: NotebookResource;
  try {
    nb = await b.kube.request<NotebookResource>('GET', p);
  } catch (err) {
    if (isNotFound(err)) throw new ToolInputError(`no notebook server named "${name}" in namespace ${namespace} (list them: kubeflow_list with kind "notebooks")`);
    throw err;
  }
  const stopped = nb.metadata.annotations?.[STOPPED_ANNOTATION] !== undefined;
  const start = input.action === 'start';
  if (start === !stopped) return { summary: `Notebook server ${namespace}/${name} is already ${stopped ? 'stopped' : 'started'}: nothing to change.` };
  const patch = start ? startPatch() : stopPatch();
  return {
    summary: `${start ? 'Start' : 'Stop'} notebook server ${namespace}/${name}: merge patch on notebooks.kubeflow.org/${name}:\n${json(patch)}`,
    apply: async () => {
      await b.kube.request('PATCH', p, { body: patch, contentType: MERGE, query: FIELD_MANAGER });
      return `${start ? 'Started' : 'Stopped'} notebook server ${namespace}/${name}${start ? ' (the pod takes a moment; kubeflow_diagnose with kind "notebook" tells when it is ready)' : ''}.`;
    },
  };
}

// --- deploy a model version

export async function planDeployModel(b: AgentBackend, input: Input): Promise<Plan> {
  const namespace = ns(b, input);
  const registry = await b.registry();
  const { model, version, artifact } = await findVersion(registry, String(input.model), String(input.version));
  if (!artifact?.uri) throw new ToolInputError(`version "${version.name}" of "${model.name}" has no model artifact with a URI: register one first`);
  const modelFormat = kserveFormat(artifact.modelFormatName) ?? guessFormat(artifact.uri);
  if (!modelFormat) throw new ToolInputError(`cannot tell the model format of ${artifact.uri} (the artifact has no modelFormatName)`);
  const name = typeof input.endpoint === 'string' && input.endpoint ? input.endpoint : serviceName(model.name, version.name);
  let existing: InferenceServiceObject | undefined;
  try {
    existing = await b.kube.request<InferenceServiceObject>('GET', isvcPath(namespace, name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const link = { registeredModelId: model.id, modelVersionId: version.id, modelName: model.name, versionName: version.name };
  // RawDeployment before KServe 0.20 has no canary: an update there is a rolling one. 0.20 runs a Standard-mode
  // canary in its own Deployment (probed with a strict dry run).
  const standard = !!existing && summarizeInferenceService(existing).rawDeployment && await standardCanarySupported(b.kube, isvcPath(namespace, name));
  const raw = !!existing && summarizeInferenceService(existing).rawDeployment && !standard;
  const canary = raw ? (typeof input.canaryPercent === 'number' ? input.canaryPercent : undefined) : typeof input.canaryPercent === 'number' ? input.canaryPercent : 10;
  const spec: DeploySpec = {
    ...(existing ? specOf(existing) : { cpu: '1', memory: '2Gi', minReplicas: 1 }),
    name, namespace, modelFormat, storageUri: artifact.uri,
    ...(kserveFormatVersion(artifact.modelFormatVersion) ? { modelFormatVersion: kserveFormatVersion(artifact.modelFormatVersion) } : {}),
    ...(existing && canary !== undefined ? { canaryTrafficPercent: canary } : {}),
    registry: link,
  };
  const problems = checkDeploySpec(spec, !!existing, raw);
  if (problems.length) throw new ToolInputError(problems.map((p) => `${p.field}: ${p.message}${p.suggestion ? ` (try ${p.suggestion})` : ''}`).join('; '));
  const standardCanary = standard && spec.canaryTrafficPercent !== undefined && spec.canaryTrafficPercent < 100;
  const body = existing ? (standardCanary ? canaryUpdatePatch(existing, spec) : updatePatch(existing, spec)) : buildInferenceService(spec);
  const send = (dryRun: boolean) => existing
    ? b.kube.request('PATCH', isvcPath(namespace, name), { body, contentType: MERGE, query: { ...FIELD_MANAGER, ...(dryRun ? { dryRun: 'All' } : {}), fieldValidation: 'Strict' } })
    : b.kube.request('POST', isvcPath(namespace), { body, query: { ...FIELD_MANAGER, ...(dryRun ? { dryRun: 'All' } : {}), fieldValidation: 'Strict' } });
  // The API server checks it now (no side effect), so the user confirms something that will be accepted.
  try {
    await send(true);
  } catch (err) {
    throw new ToolInputError(`the cluster refuses this InferenceService (dry run): ${(err as Error).message}`);
  }
  const what = raw
    ? `Roll ${model.name} ${version.name} onto the existing InferenceService ${namespace}/${name}, which runs in RawDeployment mode: a rolling update replaces its pods (no canary) (merge patch):`
    : standardCanary
    ? `Roll ${model.name} ${version.name} onto the existing InferenceService ${namespace}/${name} as a Standard-mode canary (its own Deployment) with ${spec.canaryTrafficPercent}% of the traffic (merge patch):`
    : existing
    ? `Roll ${model.name} ${version.name} onto the existing InferenceService ${namespace}/${name} as a canary with ${spec.canaryTrafficPercent}% of the traffic (merge patch):`
    : `Create InferenceService ${namespace}/${name} serving ${model.name} ${version.name}:`;
  return {
    summary: `${what}\n${json(body)}`,
    apply: async () => {
      await send(false);
      return `${existing ? 'Updated' : 'Created'} InferenceService ${namespace}/${name} (${model.name} ${version.name}, ${artifact.uri}). kubeflow_diagnose with kind "endpoint" tells when it is ready.`;
    },
  };
}

// --- promote / roll back a canary

export async function planEndpointTraffic(b: AgentBackend, input: Input): Promise<Plan> {
  const namespace = ns(b, input);
  const name = String(input.endpoint);
  const o = await findEndpoint(b.kube, namespace, name);
  const s = summarizeInferenceService(o);
  const promote = input.action === 'promote';
  const std = s.standardCanaries[0];
  if (s.rawDeployment && !std) {
    if (!(await standardCanarySupported(b.kube, isvcPath(namespace, name)))) return { summary: rawCanaryMessage(`InferenceService ${namespace}/${name}`) };
    return { summary: `InferenceService ${namespace}/${name} has no canary: its stable predictor takes all the traffic. Nothing to ${promote ? 'promote' : 'roll back'}.` };
  }
  if (!s.canary && s.canaryTrafficPercent === undefined) return { summary: `InferenceService ${namespace}/${name} has no canary: all traffic goes to its latest ready revision. Nothing to ${promote ? 'promote' : 'roll back'}.` };
  const patch = std ? (promote ? promoteCanaryPatch(o, std.name) : rollbackCanaryPatch(o, std.name)) : { spec: { predictor: { canaryTrafficPercent: promote ? null : 0 } } };
  const effect = std
    ? promote ? `the canary ${std.name} becomes the stable predictor, its Deployment keeps serving` : `the canary ${std.name} and its Deployment go, the stable predictor takes all traffic`
    : promote ? 'the latest revision takes all traffic' : 'all traffic to the previous revision';
  return {
    summary: `${promote ? 'Promote the canary of' : 'Roll back'} InferenceService ${namespace}/${name} (${effect}), merge patch:\n${json(patch)}`,
    apply: async () => {
      await b.kube.request('PATCH', isvcPath(namespace, name), { body: patch, contentType: MERGE, query: FIELD_MANAGER });
      return `${promote ? 'Promoted' : 'Rolled back'} ${namespace}/${name}.`;
    },
  };
}
