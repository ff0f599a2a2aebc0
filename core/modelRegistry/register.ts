/**
 * Registering a model version: what callers hand to `kubeflow.models.register` (a Katib plan, a pipeline run's output
 * artifact, or nothing and the editor asks), normalised to one `Registration`, checked, then sent:
 * find or create the registered model → create the version (or reuse one of that name that has no model artifact yet,
 * so a registration cut short can be finished) → attach the model artifact.
 */
import { ApiError } from '../http/transport';
import { ModelRegistryClient, isModelArtifact } from './client';
import type { CustomProperties, ModelArtifact, ModelArtifactCreate, ModelVersion, RegisteredModel } from './types';

/** Katib's "Register Best Trial's Model" plan (`core/katib/state.ts` `RegistrationPlan`), structurally. */
export interface PlanArgument {
  registeredModel: { name: string; description?: string };
  modelVersion: { name: string; author?: string; description?: string; customProperties?: CustomProperties };
  modelArtifact: { name?: string; uri: string; artifactType?: 'model-artifact'; customProperties?: CustomProperties; modelFormatName?: string; modelFormatVersion?: string };
}

/** A pipeline run's output artifact (what the Runs view hands over). */
export interface PipelineArtifactArgument {
  source: 'pipeline';
  runId: string;
  runName?: string;
  namespace?: string;
  pipelineName?: string;
  /** The output's name in the run (e.g. `model`). */
  artifactName: string;
  uri: string;
  modelFormatName?: string;
  modelFormatVersion?: string;
  /** Suggested names; the user confirms them. */
  modelName?: string;
  versionName?: string;
}

export type RegisterArgument = PlanArgument | PipelineArtifactArgument;

export interface Registration {
  model: { name: string; description?: string; owner?: string };
  version: { name: string; description?: string; author?: string; customProperties?: CustomProperties };
  artifact: ModelArtifactCreate;
}

export function isPlanArgument(a: unknown): a is PlanArgument {
  const o = a as PlanArgument | undefined;
  return !!o && typeof o === 'object' && typeof o.registeredModel?.name === 'string' && typeof o.modelVersion?.name === 'string' && typeof o.modelArtifact?.uri === 'string';
}

export function isPipelineArtifactArgument(a: unknown): a is PipelineArtifactArgument {
  const o = a as PipelineArtifactArgument | undefined;
  return !!o && typeof o === 'object' && o.source === 'pipeline' && typeof o.runId === 'string' && typeof o.uri === 'string';
}

export function fromPlan(p: PlanArgument): Registration {
  return {
    model: { name: p.registeredModel.name, ...(p.registeredModel.description ? { description: p.registeredModel.description } : {}) },
    version: {
      name: p.modelVersion.name,
      ...(p.modelVersion.description ? { description: p.modelVersion.description } : {}),
      ...(p.modelVersion.author ? { author: p.modelVersion.author } : {}),
      ...(p.modelVersion.customProperties ? { customProperties: p.modelVersion.customProperties } : {}),
    },
    artifact: {
      artifactType: 'model-artifact',
      ...(p.modelArtifact.name ? { name: p.modelArtifact.name } : {}),
      uri: p.modelArtifact.uri,
      ...(p.modelArtifact.customProperties ? { customProperties: p.modelArtifact.customProperties } : {}),
      ...(p.modelArtifact.modelFormatName ? { modelFormatName: p.modelArtifact.modelFormatName } : {}),
      ...(p.modelArtifact.modelFormatVersion ? { modelFormatVersion: p.modelArtifact.modelFormatVersion } : {}),
    },
  };
}

/** A pipeline output artifact → a registration whose artifact records the run (`modelSource*`), so lineage shows it. */
export function fromPipelineArtifact(a: PipelineArtifactArgument, names: { model: string; version: string; author?: string }): Registration {
  return {
    model: { name: names.model, ...(a.pipelineName ? { description: `Trained by pipeline ${a.pipelineName}` } : {}) },
    version: {
      name: names.version,
      description: `Output "${a.artifactName}" of pipeline run ${a.runName ?? a.runId}`,
      ...(names.author ? { author: names.author } : {}),
    },
    artifact: {
      artifactType: 'model-artifact',
      name: a.artifactName,
      uri: a.uri,
      ...(a.modelFormatName ? { modelFormatName: a.modelFormatName } : {}),
      ...(a.modelFormatVersion ? { modelFormatVersion: a.modelFormatVersion } : {}),
      modelSourceKind: 'kfp',
      modelSourceClass: 'pipelinerun',
      ...(a.namespace ? { modelSourceGroup: a.namespace } : {}),
      modelSourceId: a.runId,
      ...(a.runName ? { modelSourceName: a.runName } : {}),
    },
  };
}

/** Problems that stop a registration before anything is sent; empty when it can go. */
export function checkRegistration(r: Registration): string[] {
  const out: string[] = [];
  if (!r.model.name.trim()) out.push('The model needs a name.');
  if (!r.version.name.trim()) out.push('The version needs a name.');
  const uri = r.artifact.uri?.trim() ?? '';
  if (!uri) out.push('The model artifact needs a URI (where the model files are: s3://, gs://, pvc://, oci://, https://, hf://).');
  else if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(uri)) out.push(`"${uri}" is not a URI: it needs a scheme, e.g. s3://bucket/path/model.`);
  return out;
}

export interface Registered {
  model: RegisteredModel;
  version: ModelVersion;
  artifact: ModelArtifact;
  createdModel: boolean;
  /** A version of that name existed without a model artifact, and got this one. */
  completedVersion: boolean;
}

export class RegistrationConflict extends Error {
  constructor(
    message: string,
    readonly model: RegisteredModel,
    readonly version: ModelVersion,
  ) {
    super(message);
    this.name = 'RegistrationConflict';
  }
}

/** Sends a registration. Throws `RegistrationConflict` when the version already exists with a model artifact. */
export async function register(client: ModelRegistryClient, r: Registration, signal?: AbortSignal): Promise<Registered> {
  const problems = checkRegistration(r);
  if (problems.length) throw new Error(problems.join(' '));
  let model = await client.findRegisteredModel(r.model.name);
  let createdModel = false;
  if (!model) {
    model = await client.createRegisteredModel({ name: r.model.name, ...(r.model.description ? { description: r.model.description } : {}), ...(r.model.owner ? { owner: r.model.owner } : {}) });
    createdModel = true;
  }
  let version = createdModel ? undefined : await client.findVersion(model.id, r.version.name);
  let completedVersion = false;
  if (version) {
    const artifacts = await client.listVersionArtifacts(version.id, { artifactType: 'model-artifact', pageSize: 1, signal });
    if (artifacts.items.some(isModelArtifact)) {
      throw new RegistrationConflict(`Model ${model.name} already has a version ${version.name} (with its model artifact). Version names are unique per model: pick another name.`, model, version);
    }
    completedVersion = true;
  } else {
    try {
      version = await client.createVersion({ registeredModelId: model.id, ...r.version });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) throw new Error(`Model ${model.name} already has a version named ${r.version.name}: ${err.message}`);
      throw err;
    }
  }
  const artifact = await client.addVersionArtifact(version.id, { ...r.artifact, artifactType: 'model-artifact' });
  return { model, version, artifact, createdModel, completedVersion };
}

/** The next version name after the existing ones: `v3` after `v1`, `v2`; `2` after `1`; else `<n+1>`. */
export function nextVersionName(existing: string[]): string {
  let best: { prefix: string; n: number } | undefined;
  for (const name of existing) {
    const m = /^(.*?)(\d+)$/.exec(name.trim());
    if (!m) continue;
    const n = Number(m[2]);
    if (!best || n > best.n) best = { prefix: m[1]!, n };
  }
  if (best) return `${best.prefix}${best.n + 1}`;
  return existing.length ? String(existing.length + 1) : 'v1';
}
