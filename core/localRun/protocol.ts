// The local-run driver's protocol (`driver.py`, the callee, owns it): the request file it reads and the JSON lines it
// writes on stdout, one event per line. `runner.node.ts` is the only reader. Browser-safe types only.

/** What the driver reads from the request file (argv[4]). */
export interface DriverRequest {
  /** Pipeline (or component) arguments, typed as the run form sends them. An artifact input of `component` mode is an
   * `ArtifactOutput` of an earlier local run. */
  arguments: Record<string, unknown>;
  /** Where kfp.local writes task outputs (`kfp.local.init(pipeline_root=…)`). */
  pipelineRoot: string;
  /** `SubprocessRunner(use_venv=…)`: a fresh venv per task (packages_to_install installed there). */
  useVenv?: boolean;
}

/** argv[1]: a whole pipeline through kfp.local's orchestrator, or one component in the driver's own process. */
export type DriverMode = 'run' | 'component';

/** A task of the pipeline: the DAG tasks above it (sub-DAGs, conditions, loops), its name, the loop iteration. */
export interface TaskRef {
  path: string[];
  task: string;
  iteration?: number;
}

export interface ArtifactOutput {
  name: string;
  uri: string;
  /** The local file or folder (kfp.local: equal to the uri). */
  path?: string | null;
  /** `system.Dataset`, … */
  type: string;
  metadata: Record<string, unknown>;
}

export interface TaskOutputs {
  parameters: Record<string, unknown>;
  artifacts: Record<string, ArtifactOutput[]>;
}

export interface SourceLocation {
  /** Absolute path of the component's own file (not kfp's ephemeral copy). */
  file: string;
  /** 1-based. */
  line: number;
}

export interface TaskError {
  /** The exception line, e.g. `ValueError: cannot divide 6 by zero`. */
  message: string;
  /** The traceback, with frames of the ephemeral copy rewritten to the component's file and line. */
  traceback?: string;
  source?: SourceLocation;
  /** `ModuleNotFoundError: No module named 'x'`: the module. */
  missingModule?: string;
}

export type RunErrorKind = 'no-kfp' | 'import' | 'no-pipeline' | 'no-component' | 'failed';

export type DriverEvent = { at: number } & (
  | { type: 'hello'; kfp: string; python: string; pid: number }
  | { type: 'pipeline'; name: string; pipelineRoot: string }
  /** `inputs`: the task's resolved arguments (artifacts as `ArtifactOutput`), when kfp gave them. */
  | ({ type: 'taskStarted'; component: string; inputs?: Record<string, unknown> } & TaskRef)
  /** One line of the task's output (stdout and stderr of its process), as it is written. */
  | ({ type: 'log'; line: string } & TaskRef)
  | ({ type: 'taskFinished'; state: 'succeeded' | 'cached'; outputs: TaskOutputs } & TaskRef)
  | ({ type: 'taskFinished'; state: 'failed'; error: TaskError } & TaskRef)
  | { type: 'done'; state: 'succeeded'; outputs: TaskOutputs }
  | { type: 'done'; state: 'failed'; error: TaskError & { kind: RunErrorKind }; python?: string }
);
