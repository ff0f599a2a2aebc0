/**
 * What a KFP v2 run produced, from its MLMD records (as @grpc/proto-loader decodes them: proto field names, int64 as strings,
 * enums as names): per task its input/output parameters and its input/output artifacts with type, URI and metadata.
 * The custom properties are the ones KFP's launcher writes (backend/src/v2/metadata/client.go: task_name, inputs,
 * outputs, parent_dag_id, pod_name, cached_execution_id; artifacts: display_name, store_session_info and the
 * artifact's own metadata, lists and structs wrapped as {list: …} / {struct: …} by converter.go). Pure; records that
 * are missing or partial give warnings, not errors.
 */
import { runMetrics } from './runMetrics';

export interface RawStructValue {
  null_value?: unknown; number_value?: number; string_value?: string; bool_value?: boolean;
  struct_value?: RawStruct; list_value?: { values?: RawStructValue[] }; kind?: string;
}
/** A proto map: loaded from a descriptor set, protobufjs gives its entries as a list of {key, value}. */
export type RawMap<T> = Record<string, T> | Array<{ key: string; value: T }>;
export interface RawStruct { fields?: RawMap<RawStructValue> }
export interface RawValue { int_value?: string | number; double_value?: number; string_value?: string; struct_value?: RawStruct; bool_value?: boolean; proto_value?: unknown; value?: string }
export interface RawContext { id: string; type_id?: string; name?: string; custom_properties?: RawMap<RawValue> }
export interface RawExecution {
  id: string; type_id: string; name?: string; last_known_state?: string;
  custom_properties?: RawMap<RawValue>; create_time_since_epoch?: string; last_update_time_since_epoch?: string;
}
export interface RawEvent { artifact_id: string; execution_id: string; type?: string; path?: { steps?: Array<{ key?: string; index?: number }> }; milliseconds_since_epoch?: string }
export interface RawArtifact {
  id: string; type_id: string; uri?: string; name?: string; state?: string;
  custom_properties?: RawMap<RawValue>; create_time_since_epoch?: string;
}
export interface RawArtifactType { id: string; name: string }
export interface RawRun { context: RawContext; executions: RawExecution[]; events: RawEvent[]; artifacts: RawArtifact[]; types: RawArtifactType[] }

export interface ArtifactRecord {
  id: string;
  /** The task's name for it (the event path: the output or input key). */
  name: string;
  event: 'INPUT' | 'OUTPUT';
  /** system.Dataset, system.Model, system.Metrics, system.ClassificationMetrics, system.HTML, … */
  type: string;
  uri: string;
  displayName: string;
  state?: string;
  /** The artifact's metadata (custom properties without display_name / store_session_info), as JSON values. */
  metadata: Record<string, unknown>;
  /** Where the store is (KFP's store_session_info: provider and params), when recorded. */
  storeSession?: { Provider?: string; Params?: Record<string, string> };
  created?: string;
}

export interface TaskOutputs {
  executionId: string;
  task: string;
  /** system.ContainerExecution, system.DAGExecution, system.ImporterExecution */
  executionType: string;
  /** MLMD's state: NEW, RUNNING, COMPLETE, FAILED, CACHED, CANCELED */
  state: string;
  cached: boolean;
  parentDagId?: string;
  iterationIndex?: number;
  podName?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  artifacts: ArtifactRecord[];
}

export interface RunOutputs {
  runId: string;
  pipelineRoot?: string;
  namespace?: string;
  /** Container and importer tasks first in creation order, then the DAGs (the root DAG has the run's parameters). */
  tasks: TaskOutputs[];
  /** The run's parameters as the root DAG recorded them. */
  parameters: Record<string, unknown>;
  warnings: string[];
}

const KFP_KEYS = new Set(['display_name', 'store_session_info']);

export function mapOf<T>(m: RawMap<T> | undefined): Record<string, T> {
  if (!m) return {};
  if (!Array.isArray(m)) return m;
  const out: Record<string, T> = {};
  for (const e of m) out[e.key] = e.value;
  return out;
}

/** protobuf Struct / Value (google.protobuf) → plain JSON. */
export function jsonOf(v: RawStructValue | undefined): unknown {
  if (!v) return null;
  if (v.struct_value) return structToJson(v.struct_value);
  if (v.list_value) return (v.list_value.values ?? []).map(jsonOf);
  if (v.string_value !== undefined) return v.string_value;
  if (v.number_value !== undefined) return v.number_value;
  if (v.bool_value !== undefined) return v.bool_value;
  return null;
}

export function structToJson(s: RawStruct | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mapOf(s?.fields))) out[k] = jsonOf(v);
  return out;
}

/** An MLMD Value → JSON; the {list}/{struct} wrappers KFP puts around lists and structs are taken off. */
export function mlmdValue(v: RawValue | undefined): unknown {
  if (!v) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.double_value !== undefined) return v.double_value;
  if (v.int_value !== undefined) return Number(v.int_value);
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.struct_value) {
    const j = structToJson(v.struct_value);
    const keys = Object.keys(j);
    if (keys.length === 1 && (keys[0] === 'list' || keys[0] === 'struct')) return j[keys[0]];
    return j;
  }
  return null;
}

const str = (v: RawValue | undefined): string | undefined => (v?.string_value !== undefined ? v.string_value : undefined);

export function runOutputs(runId: string, raw: RawRun | undefined): RunOutputs {
  const warnings: string[] = [];
  if (!raw) {
    return { runId, tasks: [], parameters: {}, warnings: [`MLMD has no records of run ${runId}: it has not started a task yet, or its tasks record metadata elsewhere.`] };
  }
  const typeNames = new Map(raw.types.map((t) => [t.id, t.name]));
  const artifacts = new Map(raw.artifacts.map((a) => [a.id, a]));
  const eventsOf = new Map<string, RawEvent[]>();
  for (const e of raw.events) {
    const list = eventsOf.get(e.execution_id) ?? [];
    list.push(e);
    eventsOf.set(e.execution_id, list);
  }
  let missing = 0;
  const tasks: TaskOutputs[] = [];
  for (const e of [...raw.executions].sort((a, b) => Number(a.id) - Number(b.id))) {
    const cp = mapOf(e.custom_properties);
    const arts: ArtifactRecord[] = [];
    for (const ev of eventsOf.get(e.id) ?? []) {
      if (ev.type !== 'INPUT' && ev.type !== 'OUTPUT') continue;
      const a = artifacts.get(ev.artifact_id);
      if (!a) { missing++; continue; }
      arts.push(artifactRecord(a, ev, typeNames.get(a.type_id) ?? `type ${a.type_id}`));
    }
    const state = e.last_known_state ?? 'UNKNOWN';
    const iteration = cp.iteration_index ? Number(mlmdValue(cp.iteration_index)) : undefined;
    const executionType = typeNames.get(e.type_id) ?? `type ${e.type_id}`;
    const root = executionType === 'system.DAGExecution' && !cp.parent_dag_id;
    tasks.push({
      executionId: e.id,
      task: str(cp.task_name) || str(cp.display_name) || (root ? 'root' : e.name || `execution ${e.id}`),
      executionType,
      state,
      cached: state === 'CACHED' || Boolean(str(cp.cached_execution_id)),
      ...(cp.parent_dag_id ? { parentDagId: String(mlmdValue(cp.parent_dag_id)) } : {}),
      ...(iteration !== undefined ? { iterationIndex: iteration } : {}),
      ...(str(cp.pod_name) ? { podName: str(cp.pod_name)! } : {}),
      inputs: cp.inputs ? (mlmdValue(cp.inputs) as Record<string, unknown>) : {},
      outputs: cp.outputs ? (mlmdValue(cp.outputs) as Record<string, unknown>) : {},
      artifacts: arts,
    });
  }
  if (missing) warnings.push(`${missing} artifact${missing === 1 ? '' : 's'} named by events are missing from MLMD (partial records).`);
  const root = tasks.find((t) => t.executionType === 'system.DAGExecution' && !t.parentDagId);
  const ordered = [...tasks.filter((t) => t.executionType !== 'system.DAGExecution'), ...tasks.filter((t) => t.executionType === 'system.DAGExecution')];
  const cp = mapOf(raw.context.custom_properties);
  return {
    runId,
    ...(str(cp.pipeline_root) ? { pipelineRoot: str(cp.pipeline_root)! } : {}),
    ...(str(cp.namespace) ? { namespace: str(cp.namespace)! } : {}),
    tasks: ordered,
    parameters: root?.inputs ?? {},
    warnings,
  };
}

function artifactRecord(a: RawArtifact, ev: RawEvent, type: string): ArtifactRecord {
  const cp = mapOf(a.custom_properties);
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cp)) if (!KFP_KEYS.has(k)) metadata[k] = mlmdValue(v);
  let storeSession: ArtifactRecord['storeSession'];
  const info = str(cp.store_session_info);
  if (info) {
    try { storeSession = JSON.parse(info) as ArtifactRecord['storeSession']; } catch { /* not JSON: ignored */ }
  }
  const name = ev.path?.steps?.[0]?.key ?? str(cp.display_name) ?? a.name ?? `artifact ${a.id}`;
  return {
    id: a.id, name, event: ev.type as 'INPUT' | 'OUTPUT', type, uri: a.uri ?? '',
    displayName: str(cp.display_name) ?? name,
    ...(a.state ? { state: a.state } : {}),
    metadata,
    ...(storeSession ? { storeSession } : {}),
    ...(a.create_time_since_epoch ? { created: new Date(Number(a.create_time_since_epoch)).toISOString() } : {}),
  };
}

/** The run's scalar metrics: every number of its system.Metrics outputs, as `task.metric` (KFP UI's naming). */
export function scalarMetrics(run: RunOutputs): Record<string, number> {
  return Object.fromEntries(runMetrics(run).map((m) => [`${m.task}.${m.name}`, m.value]));
}
