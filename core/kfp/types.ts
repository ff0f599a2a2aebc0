// The Kubeflow Pipelines v2beta1 REST API as the server speaks it (`../shared/kubeflow-specs/kfp-v2beta1/`): proto
// field names (snake_case), unset fields left out, int64 as strings, times as RFC 3339, enums as strings. Only what
// the editor reads or sends is typed; the unit tests check every request and fixture against the swagger schemas.
// Browser-safe: no Node or VS Code imports.

export type RuntimeState =
  | 'RUNTIME_STATE_UNSPECIFIED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'SKIPPED'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED'
  | 'PAUSED';

export type StorageState = 'STORAGE_STATE_UNSPECIFIED' | 'AVAILABLE' | 'ARCHIVED';

/** `google.rpc.Status`: the error of a run or task, and the body of an error answer. */
export interface RpcStatus {
  code?: number;
  message?: string;
  details?: { '@type'?: string; [k: string]: unknown }[];
}

export interface Pipeline {
  pipeline_id?: string;
  display_name?: string;
  name?: string;
  description?: string;
  created_at?: string;
  /** Empty: shared by every namespace (multi-user mode). */
  namespace?: string;
  error?: RpcStatus;
  tags?: Record<string, string>;
}

export interface PipelineVersion {
  pipeline_id?: string;
  pipeline_version_id?: string;
  display_name?: string;
  name?: string;
  description?: string;
  created_at?: string;
  package_url?: { pipeline_url?: string };
  code_source_url?: string;
  /** The IR as a Struct: the PipelineSpec, or `{pipeline_spec, platform_spec}` when there is a platform spec. */
  pipeline_spec?: Record<string, unknown>;
  error?: RpcStatus;
  tags?: Record<string, string>;
}

export interface Experiment {
  experiment_id?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  storage_state?: StorageState;
  last_run_created_at?: string;
}

export interface PipelineVersionReference {
  pipeline_id?: string;
  /** Absent: the pipeline's latest version. */
  pipeline_version_id?: string;
}

export interface RuntimeConfig {
  /** Parameter name → JSON value of the IR's parameter type. */
  parameters?: Record<string, unknown>;
  pipeline_root?: string;
}

export interface RuntimeStatus {
  update_time?: string;
  state?: RuntimeState;
  error?: RpcStatus;
}

export interface PipelineTaskDetail {
  run_id?: string;
  task_id?: string;
  display_name?: string;
  create_time?: string;
  start_time?: string;
  end_time?: string;
  executor_detail?: { main_job?: string; pre_caching_check_job?: string; failed_main_jobs?: string[]; failed_pre_caching_check_jobs?: string[] };
  state?: RuntimeState;
  /** ML Metadata execution id (int64 as a string); "0" or absent when the server took the task from the workflow. */
  execution_id?: string;
  error?: RpcStatus;
  inputs?: Record<string, { artifact_ids?: string[] }>;
  outputs?: Record<string, { artifact_ids?: string[] }>;
  parent_task_id?: string;
  state_history?: RuntimeStatus[];
  /** The orchestrator's node id (Argo node), which is also the pod name of pod nodes. */
  pod_name?: string;
  child_tasks?: { task_id?: string; pod_name?: string }[];
}

export interface RunDetails {
  pipeline_context_id?: string;
  pipeline_run_context_id?: string;
  task_details?: PipelineTaskDetail[];
}

export interface Run {
  experiment_id?: string;
  run_id?: string;
  display_name?: string;
  storage_state?: StorageState;
  description?: string;
  pipeline_version_id?: string;
  pipeline_spec?: Record<string, unknown>;
  pipeline_version_reference?: PipelineVersionReference;
  runtime_config?: RuntimeConfig;
  service_account?: string;
  created_at?: string;
  scheduled_at?: string;
  finished_at?: string;
  state?: RuntimeState;
  error?: RpcStatus;
  run_details?: RunDetails;
  recurring_run_id?: string;
  state_history?: RuntimeStatus[];
}

export interface CronSchedule {
  start_time?: string;
  end_time?: string;
  /** Six fields, seconds first (robfig/cron), e.g. `0 0 2 * * *`. */
  cron?: string;
}

export interface PeriodicSchedule {
  start_time?: string;
  end_time?: string;
  interval_second?: string;
}

export interface RecurringRun {
  recurring_run_id?: string;
  display_name?: string;
  description?: string;
  pipeline_version_id?: string;
  pipeline_spec?: Record<string, unknown>;
  pipeline_version_reference?: PipelineVersionReference;
  runtime_config?: RuntimeConfig;
  service_account?: string;
  max_concurrency?: string;
  trigger?: { cron_schedule?: CronSchedule; periodic_schedule?: PeriodicSchedule };
  mode?: 'MODE_UNSPECIFIED' | 'ENABLE' | 'DISABLE';
  created_at?: string;
  updated_at?: string;
  status?: 'STATUS_UNSPECIFIED' | 'ENABLED' | 'DISABLED';
  error?: RpcStatus;
  no_catchup?: boolean;
  namespace?: string;
  experiment_id?: string;
}

export interface Healthz {
  multi_user?: boolean;
  pipeline_store?: string;
  /** Served by the server (main.go) though the swagger leaves them out. */
  commit_sha?: string;
  tag_name?: string;
}

export type PredicateOperation =
  | 'EQUALS'
  | 'NOT_EQUALS'
  | 'GREATER_THAN'
  | 'GREATER_THAN_EQUALS'
  | 'LESS_THAN'
  | 'LESS_THAN_EQUALS'
  | 'IN'
  | 'IS_SUBSTRING';

/** One condition of a list filter. Exactly one value field is set. */
export interface Predicate {
  operation: PredicateOperation;
  key: string;
  string_value?: string;
  int_value?: number;
  long_value?: string;
  timestamp_value?: string;
  string_values?: { values: string[] };
  int_values?: { values: number[] };
  long_values?: { values: string[] };
}

/** Predicates are AND-ed. Sent as the URL-encoded JSON `filter` query parameter. */
export interface Filter {
  predicates: Predicate[];
}

/** A page of a list answer, with the server's key names normalised. */
export interface Page<T> {
  items: T[];
  /** How many match in all (the server's `total_size`). */
  totalSize: number;
  /** Absent on the last page. */
  nextPageToken?: string;
}

export const TERMINAL_STATES: readonly RuntimeState[] = ['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED'];

export function isTerminal(state: RuntimeState | undefined): boolean {
  return state !== undefined && TERMINAL_STATES.includes(state);
}

/** RFC 3339 time → ms since the epoch; undefined for unset times (the server writes `1970-01-01T00:00:00Z`). */
export function apiTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
