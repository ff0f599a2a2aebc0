/**
 * Finding what an agent names: a training job of any served kind, a run by id or display name, a notebook server
 * with its pod and events, an InferenceService, a registered model version. Shared by the read and the mutating tools.
 */
import { ErrorCode } from '../../companion-daemon/src/protocol';
import { eq } from '../kfp/filter';
import type { KfpClient } from '../kfp/client';
import type { Run } from '../kfp/types';
import { ISVC_GROUP, ISVC_PLURAL, ISVC_VERSION, type InferenceServiceObject } from '../kserve/build';
import type { ModelRegistryClient } from '../modelRegistry/client';
import type { ModelArtifact, ModelVersion, RegisteredModel } from '../modelRegistry/types';
import { isModelArtifact } from '../modelRegistry/client';
import { DISCOVERY_GROUP_VERSIONS, pluralsOf, resolveKinds, type KindInfo } from '../training/kinds';
import type { JobObject, KubeEvent, Pod } from '../training/objects';
import { NOTEBOOKS, NOTEBOOK_LABEL, type EventResource, type NotebookResource, type PodResource } from '../../extension/notebooks/model';
import type { AgentBackend, KubeAccess } from './backend';
import { ToolInputError } from './text';

/** `/api/v1/namespaces/<ns>/<plural>[/<name>]` or `/apis/<group>/<version>/…`, every segment encoded. */
export function path(o: { group?: string; version: string; plural: string; namespace?: string; name?: string }): string {
  const base = o.group ? `/apis/${o.group}/${o.version}` : `/api/${o.version}`;
  const ns = o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : '';
  return `${base}${ns}/${o.plural}${o.name ? `/${encodeURIComponent(o.name)}` : ''}`;
}

export async function list<T>(kube: KubeAccess, p: string, query?: Record<string, string>): Promise<T[]> {
  return ((await kube.request<{ items?: T[] }>('GET', p, query ? { query } : {})).items ?? []) as T[];
}

export const isNotFound = (err: unknown): boolean => (err as { code?: number }).code === ErrorCode.NotFound || (err as { status?: number }).status === 404;

/** The training kinds the cluster serves (discovery), preferred version of each. */
export async function trainingKinds(kube: KubeAccess): Promise<KindInfo[]> {
  const discovery: Record<string, string[] | null> = {};
  await Promise.all(DISCOVERY_GROUP_VERSIONS.map(async (gv) => {
    try {
      discovery[gv] = pluralsOf(await kube.request('GET', `/apis/${gv}`));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      discovery[gv] = null;
    }
  }));
  return resolveKinds(discovery).installed;
}

export interface TrainingWorld {
  kinds: KindInfo[];
  jobs: Array<{ info: KindInfo; job: JobObject }>;
  pods: Pod[];
  events: KubeEvent[];
}

/** Every training job of the namespace with the training pods and the namespace's Warning events. */
export async function trainingWorld(kube: KubeAccess, namespace: string): Promise<TrainingWorld> {
  const kinds = await trainingKinds(kube);
  const jobs = (await Promise.all(kinds.map(async (info) => (await list<JobObject>(kube, path({ group: info.group, version: info.version, plural: info.plural, namespace }))).map((job) => ({ info, job: { ...job, kind: job.kind ?? info.kind } }))))).flat();
  const pods = jobs.length ? await trainingPods(kube, namespace) : [];
  const events = jobs.length ? await warnings(kube, namespace) : [];
  return { kinds, jobs, pods, events };
}

async function trainingPods(kube: KubeAccess, namespace: string): Promise<Pod[]> {
  const p = path({ version: 'v1', plural: 'pods', namespace });
  const [a, b] = await Promise.all([list<Pod>(kube, p, { labelSelector: 'training.kubeflow.org/job-name' }), list<Pod>(kube, p, { labelSelector: 'jobset.sigs.k8s.io/jobset-name' })]);
  return [...a, ...b];
}

export function warnings(kube: KubeAccess, namespace: string): Promise<KubeEvent[]> {
  return list<KubeEvent>(kube, path({ version: 'v1', plural: 'events', namespace }), { fieldSelector: 'type=Warning' });
}

export async function findJob(kube: KubeAccess, namespace: string, name: string): Promise<{ world: TrainingWorld; info: KindInfo; job: JobObject }> {
  const world = await trainingWorld(kube, namespace);
  if (!world.kinds.length) throw new ToolInputError('no training job kinds are served by this cluster (no Kubeflow Training Operator or Trainer CRDs)');
  const hit = world.jobs.find((j) => j.job.metadata.name === name);
  if (!hit) {
    const names = world.jobs.map((j) => j.job.metadata.name);
    throw new ToolInputError(`no training job named "${name}" in namespace ${namespace}${names.length ? `; there are: ${names.slice(0, 20).join(', ')}` : ' (it has none)'}`);
  }
  return { world, ...hit };
}

/** A run by id, else by display name (the newest of that name). */
export async function findRun(kfp: KfpClient, idOrName: string): Promise<Run> {
  if (/^[0-9a-f-]{16,}$/i.test(idOrName)) {
    try {
      return await kfp.getRun(idOrName);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const page = await kfp.listRuns({ filter: [eq('display_name', idOrName)], sort: { field: 'created_at', desc: true }, pageSize: 1 });
  const hit = page.items[0];
  if (!hit?.run_id) throw new ToolInputError(`no run with id or display name "${idOrName}" (list runs first: kubeflow_list with kind "runs")`);
  return kfp.getRun(hit.run_id);
}

export async function notebookWorld(kube: KubeAccess, namespace: string): Promise<{ notebooks: NotebookResource[]; pods: PodResource[]; events: EventResource[] }> {
  const notebooks = await list<NotebookResource>(kube, path({ ...NOTEBOOKS, namespace }));
  const pods = notebooks.length ? await list<PodResource>(kube, path({ version: 'v1', plural: 'pods', namespace }), { labelSelector: NOTEBOOK_LABEL }) : [];
  const events = notebooks.length ? await list<EventResource>(kube, path({ version: 'v1', plural: 'events', namespace })) : [];
  return { notebooks, pods, events };
}

export function isvcPath(namespace: string, name?: string): string {
  return path({ group: ISVC_GROUP, version: ISVC_VERSION, plural: ISVC_PLURAL, namespace, ...(name ? { name } : {}) });
}

export async function findEndpoint(kube: KubeAccess, namespace: string, name: string): Promise<InferenceServiceObject> {
  try {
    return await kube.request<InferenceServiceObject>('GET', isvcPath(namespace, name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const names = (await list<InferenceServiceObject>(kube, isvcPath(namespace)).catch(() => [])).map((o) => o.metadata?.name);
    throw new ToolInputError(`no InferenceService named "${name}" in namespace ${namespace}${names.length ? `; there are: ${names.join(', ')}` : ''}`);
  }
}

/** A model version by model and version name, with its model artifact. */
export async function findVersion(registry: ModelRegistryClient, model: string, version: string): Promise<{ model: RegisteredModel; version: ModelVersion; artifact?: ModelArtifact }> {
  const m = await registry.findRegisteredModel(model);
  if (!m) throw new ToolInputError(`no registered model named "${model}" (list them: kubeflow_list with kind "models")`);
  const v = await registry.findVersion(m.id!, version);
  if (!v) {
    const names = (await registry.listVersions(m.id!, { pageSize: 50 })).items.map((x) => x.name);
    throw new ToolInputError(`model "${model}" has no version "${version}"${names.length ? `; it has: ${names.join(', ')}` : ''}`);
  }
  const artifact = (await registry.listVersionArtifacts(v.id!, { pageSize: 50 })).items.find(isModelArtifact);
  return { model: m, version: v, ...(artifact ? { artifact } : {}) };
}

export const ns = (b: AgentBackend, input: { namespace?: string }): string => input.namespace || b.namespace;
