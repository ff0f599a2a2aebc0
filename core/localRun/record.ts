// A local run as kept in its folder's run.json (written by runner.node.ts, read by the view, the graph overlay and the
// compare). Browser-safe types.
import type { DriverMode, SourceLocation, TaskOutputs, TaskRef } from './protocol';

export type LocalRunState = 'running' | 'succeeded' | 'failed' | 'canceled';
export type LocalTaskState = 'running' | 'succeeded' | 'cached' | 'failed';

export interface LocalTaskRecord extends TaskRef {
  state: LocalTaskState;
  /** The component (`comp-…`) and its resolved arguments. */
  component?: string;
  inputs?: Record<string, unknown>;
  started: number;
  finished?: number;
  outputs?: TaskOutputs;
  error?: string;
  traceback?: string;
  source?: SourceLocation;
  missingModule?: string;
  /** The log file, relative to the run folder. */
  log: string;
}

export interface LocalRunRecord {
  id: string;
  mode: DriverMode;
  /** The `.py` file. */
  file: string;
  /** The @dsl.pipeline (or @dsl.component) function asked for; '' = the file's first. */
  function: string;
  /** The pipeline's name (its IR name), once the driver said it. */
  name?: string;
  /** The run's name from the form. */
  label?: string;
  python: string;
  kfp?: string;
  arguments: Record<string, unknown>;
  useVenv: boolean;
  state: LocalRunState;
  started: number;
  finished?: number;
  error?: string;
  errorKind?: string;
  errorSource?: SourceLocation;
  missingModule?: string;
  /** By `instanceKey()`. */
  tasks: Record<string, LocalTaskRecord>;
  outputs?: TaskOutputs;
}

/** The key of one task instance in `LocalRunRecord.tasks`: `taskKey(path, task)`, plus `#<iteration>` in a loop. */
export function instanceKey(t: TaskRef): string {
  return [...t.path, t.task].join('/') + (t.iteration !== undefined ? `#${t.iteration}` : '');
}

