// The stand-in's records (what the real server keeps in MySQL) and their API form (server/api_converter.go).
// API objects follow the server's marshaler (protojson, UseProtoNames, EmitUnpopulated=false): empty strings, zero
// numbers, false and empty lists are left out, enums are names, int64 are strings, and timestamps are always written
// when the message has them, so an unset one reads "1970-01-01T00:00:00Z" (finished_at of a running run, end_time
// of a running task, last_run_created_at of an experiment without runs).
import type { Workflow } from './engine';
import type { Listable } from './listing';
import type { ParsedPipeline } from './ir';

export type StorageState = 'AVAILABLE' | 'ARCHIVED';
export type RuntimeState = 'RUNTIME_STATE_UNSPECIFIED' | 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'PAUSED';

export interface PipelineRec {
  id: string;
  name: string;
  displayName: string;
  description: string;
  namespace: string;
  createdAt: number;
  tags?: Record<string, string>;
}

export interface VersionRec {
  id: string;
  pipelineId: string;
  name: string;
  displayName: string;
  description: string;
  createdAt: number;
  parsed: ParsedPipeline;
  packageUrl?: string;
  codeSourceUrl?: string;
  tags?: Record<string, string>;
}

export interface ExperimentRec {
  id: string;
  displayName: string;
  description: string;
  namespace: string;
  createdAt: number;
  storageState: StorageState;
  lastRunCreatedAt: number;
}

export interface RuntimeConfig {
  parameters?: Record<string, unknown>;
  pipeline_root?: string;
}

export interface RunRec {
  id: string;
  displayName: string;
  description: string;
  experimentId: string;
  namespace: string;
  storageState: StorageState;
  pipelineRef?: { pipelineId: string; versionId: string };
  inlineSpec?: Record<string, unknown>;
  parsed: ParsedPipeline;
  runtimeConfig: RuntimeConfig;
  serviceAccount: string;
  createdAt: number;
  scheduledAt: number;
  finishedAt: number;
  state: RuntimeState;
  stateHistory: Array<{ state: RuntimeState; time: number }>;
  error?: { code: number; message: string };
  recurringRunId?: string;
  workflow?: Workflow;
}

export interface RecurringRunRec {
  id: string;
  displayName: string;
  description: string;
  experimentId: string;
  namespace: string;
  pipelineRef?: { pipelineId: string; versionId: string };
  inlineSpec?: Record<string, unknown>;
  runtimeConfig: RuntimeConfig;
  serviceAccount: string;
  maxConcurrency: string;
  trigger: Record<string, unknown>;
  enabled: boolean;
  noCatchup: boolean;
  createdAt: number;
  updatedAt: number;
}

export const ts = (sec: number): string => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');

/** Drop unpopulated fields (protojson EmitUnpopulated=false) of one message level. */
function msg(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === '' || v === 0 || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 && k !== 'pipeline_spec') continue;
    out[k] = v;
  }
  return out;
}

export function apiPipeline(p: PipelineRec): Record<string, unknown> {
  return msg({
    pipeline_id: p.id, display_name: p.displayName, name: p.name, description: p.description,
    created_at: ts(p.createdAt), namespace: p.namespace, tags: p.tags,
  });
}

export function apiVersion(v: VersionRec): Record<string, unknown> {
  return msg({
    pipeline_id: v.pipelineId, pipeline_version_id: v.id, display_name: v.displayName, name: v.name, description: v.description,
    created_at: ts(v.createdAt), package_url: v.packageUrl ? { pipeline_url: v.packageUrl } : undefined,
    code_source_url: v.codeSourceUrl, pipeline_spec: v.parsed.apiSpec, tags: v.tags,
  });
}

export function apiExperiment(e: ExperimentRec): Record<string, unknown> {
  return msg({
    experiment_id: e.id, display_name: e.displayName, description: e.description, created_at: ts(e.createdAt),
    namespace: e.namespace, storage_state: e.storageState, last_run_created_at: ts(e.lastRunCreatedAt),
  });
}

function apiRuntimeConfig(c: RuntimeConfig): Record<string, unknown> | undefined {
  const out = msg({ parameters: c.parameters && Object.keys(c.parameters).length ? c.parameters : undefined, pipeline_root: c.pipeline_root });
  return Object.keys(out).length ? out : undefined;
}

export function apiRun(r: RunRec, taskDetails?: Array<Record<string, unknown>>): Record<string, unknown> {
  return msg({
    experiment_id: r.experimentId,
    run_id: r.id,
    display_name: r.displayName,
    storage_state: r.storageState,
    description: r.description,
    pipeline_version_reference: r.pipelineRef ? msg({ pipeline_id: r.pipelineRef.pipelineId, pipeline_version_id: r.pipelineRef.versionId }) : undefined,
    pipeline_spec: r.pipelineRef ? undefined : r.inlineSpec,
    runtime_config: apiRuntimeConfig(r.runtimeConfig),
    service_account: r.serviceAccount,
    created_at: ts(r.createdAt),
    scheduled_at: ts(r.scheduledAt),
    finished_at: ts(r.finishedAt),
    state: r.state,
    error: r.error,
    run_details: taskDetails ? msg({ task_details: taskDetails }) : undefined,
    recurring_run_id: r.recurringRunId,
    state_history: r.stateHistory.map((h) => ({ update_time: ts(h.time), state: h.state })),
  });
}

export function apiRecurringRun(j: RecurringRunRec): Record<string, unknown> {
  return msg({
    recurring_run_id: j.id,
    display_name: j.displayName,
    description: j.description,
    pipeline_version_reference: j.pipelineRef ? msg({ pipeline_id: j.pipelineRef.pipelineId, pipeline_version_id: j.pipelineRef.versionId }) : undefined,
    pipeline_spec: j.pipelineRef ? undefined : j.inlineSpec,
    runtime_config: apiRuntimeConfig(j.runtimeConfig),
    service_account: j.serviceAccount,
    max_concurrency: j.maxConcurrency,
    trigger: j.trigger,
    mode: j.enabled ? 'ENABLE' : 'DISABLE',
    created_at: ts(j.createdAt),
    updated_at: ts(j.updatedAt),
    status: j.enabled ? 'ENABLED' : 'DISABLED',
    no_catchup: j.noCatchup,
    namespace: j.namespace,
    experiment_id: j.experimentId,
  });
}

// ------------------------------------------------------------------------------------------------
// sort_by / filter fields per type (the server's APIToModelFieldMap)

export const PIPELINES: Listable<PipelineRec> = {
  typeName: '*model.Pipeline',
  id: (p) => p.id,
  fields: {
    pipeline_id: (p) => p.id, id: (p) => p.id, name: (p) => p.name, display_name: (p) => p.displayName,
    description: (p) => p.description, created_at: (p) => p.createdAt, namespace: (p) => p.namespace,
  },
  timestampFields: ['created_at'],
};

export const VERSIONS: Listable<VersionRec> = {
  typeName: '*model.PipelineVersion',
  id: (v) => v.id,
  fields: {
    pipeline_version_id: (v) => v.id, id: (v) => v.id, name: (v) => v.name, display_name: (v) => v.displayName,
    description: (v) => v.description, created_at: (v) => v.createdAt, pipeline_id: (v) => v.pipelineId,
  },
  timestampFields: ['created_at'],
};

export const EXPERIMENTS: Listable<ExperimentRec> = {
  typeName: '*model.Experiment',
  id: (e) => e.id,
  fields: {
    experiment_id: (e) => e.id, id: (e) => e.id, name: (e) => e.displayName, display_name: (e) => e.displayName,
    description: (e) => e.description, created_at: (e) => e.createdAt, namespace: (e) => e.namespace,
    storage_state: (e) => e.storageState, last_run_created_at: (e) => e.lastRunCreatedAt,
  },
  timestampFields: ['created_at', 'last_run_created_at'],
};

export const RUNS: Listable<RunRec> = {
  typeName: '*model.Run',
  id: (r) => r.id,
  fields: {
    run_id: (r) => r.id, id: (r) => r.id, name: (r) => r.displayName, display_name: (r) => r.displayName,
    description: (r) => r.description, created_at: (r) => r.createdAt, scheduled_at: (r) => r.scheduledAt,
    finished_at: (r) => r.finishedAt, state: (r) => r.state, status: (r) => r.state, storage_state: (r) => r.storageState,
    experiment_id: (r) => r.experimentId, namespace: (r) => r.namespace, recurring_run_id: (r) => r.recurringRunId,
    pipeline_version_id: (r) => r.pipelineRef?.versionId,
  },
  timestampFields: ['created_at', 'scheduled_at', 'finished_at'],
};

export const RECURRING_RUNS: Listable<RecurringRunRec> = {
  typeName: '*model.Job',
  id: (j) => j.id,
  fields: {
    recurring_run_id: (j) => j.id, id: (j) => j.id, name: (j) => j.displayName, display_name: (j) => j.displayName,
    description: (j) => j.description, created_at: (j) => j.createdAt, updated_at: (j) => j.updatedAt,
    experiment_id: (j) => j.experimentId, namespace: (j) => j.namespace, status: (j) => (j.enabled ? 'ENABLED' : 'DISABLED'),
  },
  timestampFields: ['created_at', 'updated_at'],
};
