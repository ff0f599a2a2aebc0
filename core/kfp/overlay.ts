// What the run view draws over the pipeline graph: the run's state, times, parameters and error, and per task its
// state (loop iterations folded, with counts), times, error and the pods that ran it (per iteration and retry),
// whose logs can be opened. Plain data for the webview. Browser-safe.
import type { PipelineModel } from '../pipeline/model';
import { describeCounts, mapTaskDetails, STATE_LABELS, toTaskState, type TaskState } from './runState';
import { apiTime, isTerminal, type Run } from './types';

export interface AttemptOverlay {
  /** Node id / pod name: what the logs are opened by. */
  node: string;
  /** "iteration 2 · attempt 1 · failed". */
  label: string;
  state: TaskState;
}

export interface TaskOverlay {
  state: TaskState;
  /** The state, or "3 iterations: 2 succeeded · 1 running". */
  label: string;
  started?: number;
  finished?: number;
  error?: string;
  attempts: AttemptOverlay[];
  /** Loop tasks: how many iterations ran. */
  iterations?: number;
  /** Local runs: what the task produced (per iteration in a loop). */
  outputs?: OutputOverlay[];
  /** Local runs: the failing line of the component's own source, and the traceback. */
  source?: { file: string; line: number };
  traceback?: string;
}

/** A task output of a local run: a parameter's value, or an artifact and its local file. */
export interface OutputOverlay {
  name: string;
  iteration?: number;
  /** A parameter's value as JSON text. */
  value?: string;
  artifact?: { uri: string; type: string; file?: string; metadata?: string };
}

export interface RunOverlay {
  runId: string;
  name: string;
  state: TaskState;
  /** The API's state, e.g. CANCELING. */
  apiState: string;
  created?: number;
  finished?: number;
  experiment?: string;
  pipeline?: string;
  /** Parameter name → value as sent (JSON text for lists and dicts). */
  parameters: Record<string, string>;
  error?: string;
  /** By `taskKey(path, task)`. */
  tasks: Record<string, TaskOverlay>;
  /** The local file compared with the run's pipeline. */
  local?: { file: string; same: boolean; changes: string[] };
  /** Still refreshing. */
  live: boolean;
  canTerminate: boolean;
  canRetry: boolean;
  storage?: string;
  /** When this was read (ms). */
  readAt: number;
  /** A run of kfp.local on this machine (`core/localRun/overlay.ts`): Stop, Run Again, Re-run; logs are files. */
  kind?: 'local';
}

export function buildOverlay(model: PipelineModel, run: Run, o: { experiment?: string; pipeline?: string; local?: RunOverlay['local']; now?: number } = {}): RunOverlay {
  const mapped = mapTaskDetails(model, run.run_details?.task_details ?? []);
  const tasks: Record<string, TaskOverlay> = {};
  for (const [key, t] of Object.entries(mapped.tasks)) {
    const many = t.instances.length > 1;
    const attempts: AttemptOverlay[] = [];
    for (const inst of t.instances) {
      inst.attempts.forEach((a, i) => {
        const parts = [many && inst.iteration !== undefined ? `iteration ${inst.iteration}` : '', inst.attempts.length > 1 ? `attempt ${i + 1}` : '', STATE_LABELS[a.state].toLowerCase()].filter(Boolean);
        attempts.push({ node: a.node, label: parts.join(' · '), state: a.state });
      });
    }
    tasks[key] = {
      state: t.state,
      label: describeCounts(t),
      ...(t.started ? { started: t.started } : {}),
      ...(t.finished ? { finished: t.finished } : {}),
      ...(t.error ? { error: t.error } : {}),
      attempts,
    };
  }
  // A loop's node says how many iterations ran (the most instances any task of its body has).
  for (const [key, t] of Object.entries(tasks)) {
    const inner = Object.entries(mapped.tasks).filter(([k]) => k.startsWith(`${key}/`) && !k.slice(key.length + 1).includes('/'));
    const n = Math.max(0, ...inner.map(([, r]) => new Set(r.instances.map((i) => i.iteration)).size));
    const isLoop = inner.some(([, r]) => r.instances.some((i) => i.iteration !== undefined));
    if (isLoop && n > 0) {
      t.iterations = n;
      t.label = `${STATE_LABELS[t.state]} · ${n} iteration${n === 1 ? '' : 's'}`;
    }
  }
  const state = toTaskState(run.state);
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.runtime_config?.parameters ?? {})) parameters[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const created = apiTime(run.created_at);
  const finished = apiTime(run.finished_at);
  const live = !isTerminal(run.state);
  return {
    runId: run.run_id ?? '',
    name: run.display_name ?? run.run_id ?? '',
    state,
    apiState: run.state ?? 'RUNTIME_STATE_UNSPECIFIED',
    ...(created ? { created } : {}),
    ...(finished && !live ? { finished } : {}),
    ...(o.experiment ? { experiment: o.experiment } : {}),
    ...(o.pipeline ? { pipeline: o.pipeline } : {}),
    parameters,
    ...(run.error?.message ? { error: run.error.message } : {}),
    tasks,
    ...(o.local ? { local: o.local } : {}),
    live,
    canTerminate: run.state === 'RUNNING' || run.state === 'PENDING' || run.state === 'PAUSED',
    canRetry: run.state === 'FAILED' || run.state === 'CANCELED',
    ...(run.storage_state ? { storage: run.storage_state } : {}),
    readAt: o.now ?? Date.now(),
  };
}
