// KFP's own artifact records (the MLMD removal, KEP 12147, unreleased after 2.17): whether a server has them,
// detected, not assumed, and what a run produced read from them in the same `RunOutputs` shape MLMD gives.
// The API is kubeflow/pipelines master backend/api/v2beta1/artifact.proto, `service ArtifactService`:
//   ListArtifacts      GET /apis/v2beta1/artifacts            → {artifacts, total_size, next_page_token}
//   GetArtifact        GET /apis/v2beta1/artifacts/{artifact_id} → Artifact
//   ListArtifactTasks  GET /apis/v2beta1/artifact_tasks       (task_ids, run_ids, artifact_ids, type, page_*)
//                                                              → {artifact_tasks, total_size, next_page_token}
// (message ArtifactTask {id, artifact_id, run_id, task_id, type: IOType, producer: IOProducer, key};
// message Artifact {artifact_id, name, description, type: ArtifactType, uri, metadata, number_value, created_at,
// namespace}). A 2.17 server has no such route: grpc-gateway answers 404 "Not Found". Browser-safe.
import { ApiError, requestJson, type HttpTransport } from '../http/transport';
import type { ArtifactRecord, RunOutputs, TaskOutputs } from '../mlmd/outputs';
import { API } from './client';

/** artifact.proto `enum IOType`, as grpc-gateway writes enums (by name). */
export type IOType =
  | 'UNSPECIFIED' | 'COMPONENT_DEFAULT_INPUT' | 'TASK_OUTPUT_INPUT' | 'COMPONENT_INPUT' | 'RUNTIME_VALUE_INPUT'
  | 'COLLECTED_INPUTS' | 'ITERATOR_INPUT' | 'ITERATOR_INPUT_RAW' | 'ITERATOR_OUTPUT' | 'OUTPUT' | 'ONE_OF_OUTPUT'
  | 'TASK_FINAL_STATUS_OUTPUT';

/** artifact.proto `enum Artifact.ArtifactType`. */
export type ArtifactType =
  | 'TYPE_UNSPECIFIED' | 'Artifact' | 'Model' | 'Dataset' | 'HTML' | 'Markdown' | 'Metric' | 'ClassificationMetric'
  | 'SlicedClassificationMetric';

export interface KfpArtifactTask {
  id?: string;
  artifact_id?: string;
  run_id?: string;
  task_id?: string;
  type?: IOType;
  producer?: { task_name?: string; iteration?: string | number };
  key?: string;
}

export interface KfpArtifact {
  artifact_id?: string;
  name?: string;
  description?: string;
  type?: ArtifactType;
  uri?: string;
  metadata?: Record<string, unknown>;
  number_value?: number;
  /** google.protobuf.Timestamp as RFC 3339 text. */
  created_at?: string;
  namespace?: string;
}

const OUTPUT_TYPES = new Set<IOType>(['OUTPUT', 'ITERATOR_OUTPUT', 'ONE_OF_OUTPUT', 'TASK_FINAL_STATUS_OUTPUT']);

/** The SDK's schema titles, which MLMD records and the rest of the editor keys on. */
const SCHEMA_TITLES: Partial<Record<ArtifactType, string>> = {
  Artifact: 'system.Artifact',
  Model: 'system.Model',
  Dataset: 'system.Dataset',
  HTML: 'system.HTML',
  Markdown: 'system.Markdown',
  Metric: 'system.Metrics',
  ClassificationMetric: 'system.ClassificationMetrics',
  SlicedClassificationMetric: 'system.SlicedClassificationMetrics',
};

/** Statuses that say the route is not there: the gateway's 404, a proxy's 405, a server's 501 Unimplemented. */
const ABSENT = new Set([404, 405, 501]);

/**
 * Whether this server has KFP's artifact API: `GET /apis/v2beta1/artifact_tasks?page_size=1`. An answer (also an
 * empty list, or another 4xx such as 400/401/403: the route is there) says present; 404/405/501 say absent; other errors (unreachable, 5xx)
 * are thrown, so the caller asks again next time instead of caching a guess.
 */
export async function hasArtifactApi(transport: HttpTransport, signal?: AbortSignal): Promise<boolean> {
  try {
    await requestJson(transport, { method: 'GET', path: `${API}/artifact_tasks`, query: { page_size: 1 }, ...(signal ? { signal } : {}) });
    return true;
  } catch (err) {
    if (err instanceof ApiError && ABSENT.has(err.status)) return false;
    // any other 4xx (400 a missing filter or namespace, 401/403): the route is there and judged the request
    if (err instanceof ApiError && err.status >= 400 && err.status < 500) return true;
    throw err;
  }
}

/** The probe's answer per server (the key names the connection, e.g. its URL); a failed probe is not kept. */
export class ArtifactApiDetector {
  private readonly known = new Map<string, Promise<boolean>>();

  constructor(private readonly probe: (transport: HttpTransport) => Promise<boolean> = hasArtifactApi) {}

  detect(server: string, transport: HttpTransport): Promise<boolean> {
    let p = this.known.get(server);
    if (!p) {
      p = this.probe(transport).catch((err: unknown) => {
        this.known.delete(server);
        throw err;
      });
      this.known.set(server, p);
    }
    return p;
  }

  forget(server?: string): void {
    if (server === undefined) this.known.clear();
    else this.known.delete(server);
  }
}

/** Reads a run's artifact links and artifacts from the artifact API (every page of links, each artifact once). */
export async function readRunArtifacts(transport: HttpTransport, runId: string, signal?: AbortSignal): Promise<{ links: KfpArtifactTask[]; artifacts: KfpArtifact[] }> {
  const links: KfpArtifactTask[] = [];
  let token: string | undefined;
  do {
    const page = await requestJson<{ artifact_tasks?: KfpArtifactTask[]; next_page_token?: string } | undefined>(transport, {
      method: 'GET', path: `${API}/artifact_tasks`, query: { run_ids: [runId], page_size: 200, page_token: token }, ...(signal ? { signal } : {}),
    });
    links.push(...(page?.artifact_tasks ?? []));
    token = page?.next_page_token || undefined;
  } while (token && links.length < 10_000);
  const ids = [...new Set(links.map((l) => l.artifact_id).filter((id): id is string => !!id))];
  const artifacts = await Promise.all(ids.map((id) => requestJson<KfpArtifact>(transport, { method: 'GET', path: `${API}/artifacts/${encodeURIComponent(id)}`, ...(signal ? { signal } : {}) })));
  return { links, artifacts };
}

/**
 * What a run produced, from the artifact API's records, as `RunOutputs` (the MLMD reader's shape, so the outputs panel
 * shows either). A task is named by its outputs' `producer.task_name`, else by `taskNames`, else by its id. The API
 * keeps no task state or parameters here: state is left '' and parameters empty. Pure.
 */
export function runOutputsFromArtifacts(runId: string, links: KfpArtifactTask[], artifacts: KfpArtifact[], taskNames: Record<string, string> = {}): RunOutputs {
  const byId = new Map(artifacts.map((a) => [a.artifact_id ?? '', a]));
  const tasks = new Map<string, TaskOutputs>();
  const warnings: string[] = [];
  let namespace: string | undefined;
  for (const link of links) {
    const taskId = link.task_id ?? '';
    const out = OUTPUT_TYPES.has(link.type ?? 'UNSPECIFIED');
    let task = tasks.get(taskId);
    if (!task) {
      task = { executionId: taskId, task: taskNames[taskId] ?? taskId, executionType: '', state: '', cached: false, inputs: {}, outputs: {}, artifacts: [] };
      tasks.set(taskId, task);
    }
    if (out && link.producer?.task_name && !taskNames[taskId]) task.task = link.producer.task_name;
    const a = byId.get(link.artifact_id ?? '');
    if (!a) {
      warnings.push(`task ${task.task}: artifact ${link.artifact_id ?? '(no id)'} of ${link.key ?? 'a link'} is not in the artifact API`);
      continue;
    }
    namespace ??= a.namespace || undefined;
    task.artifacts.push(record(link, a, out));
  }
  if (!links.length) warnings.push(`the KFP artifact API has no records of run ${runId}`);
  return { runId, ...(namespace ? { namespace } : {}), tasks: [...tasks.values()], parameters: {}, warnings };
}

function record(link: KfpArtifactTask, a: KfpArtifact, out: boolean): ArtifactRecord {
  const metadata = { ...(a.metadata ?? {}) };
  // metrics are one artifact per value: the name is the key, number_value the value (artifact.proto)
  if (a.number_value !== undefined && a.name && !(a.name in metadata)) metadata[a.name] = a.number_value;
  return {
    id: a.artifact_id ?? '',
    name: link.key ?? a.name ?? '',
    event: out ? 'OUTPUT' : 'INPUT',
    type: SCHEMA_TITLES[a.type ?? 'TYPE_UNSPECIFIED'] ?? `system.${a.type ?? 'Artifact'}`,
    uri: a.uri ?? '',
    displayName: a.name ?? link.key ?? '',
    metadata,
    ...(a.created_at ? { created: a.created_at } : {}),
  };
}
