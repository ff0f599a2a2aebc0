// The graph model of a compiled KFP v2 pipeline (PipelineSpec IR). Plain, JSON-serialisable data: the parser builds
// it, the webview draws it, the CLI exports it. Browser-safe: no Node or VS Code imports.

/** Zero-based line and character, like VS Code's `Position`. */
export interface Pos {
  line: number;
  character: number;
}

export interface Range {
  start: Pos;
  end: Pos;
}

export type Severity = 'error' | 'warning' | 'info';

/** A parse error or spec violation, at the place in the file that causes it. */
export interface PipelineDiagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** Stable identifier of the check, e.g. `yaml-syntax`, `unknown-component`. */
  code: string;
}

/** How a task runs. `sub-dag` tasks point at a component with its own DAG. */
export type TaskKind = 'container' | 'importer' | 'resolver' | 'custom-job' | 'sub-dag' | 'unknown';

/** What a sub-DAG task stands for in the DSL. */
export type DagRole = 'loop' | 'condition' | 'branches' | 'exit-handler' | 'pipeline';

/** A parameter or artifact declared by a component (its inputs or outputs). */
export interface IoDef {
  name: string;
  kind: 'parameter' | 'artifact';
  /** `parameterType` (STRING, LIST, …) or the artifact's `schemaTitle` (system.Dataset, …). */
  type: string;
  isList?: boolean;
  optional?: boolean;
  defaultValue?: unknown;
  description?: string;
}

/** Where a task input's value comes from. */
export type InputSource =
  | { from: 'task'; task: string; output: string }
  | { from: 'input'; input: string }
  | { from: 'constant'; value: unknown }
  | { from: 'final-status'; task: string }
  | { from: 'none' };

export interface TaskInput {
  name: string;
  kind: 'parameter' | 'artifact';
  /** The type the component declares for this input, when it declares it. */
  type?: string;
  source: InputSource;
  /** `parameterExpressionSelector`, e.g. `parseJson(string_value)["B_b"]`. */
  selector?: string;
}

export interface IteratorModel {
  kind: 'parameter' | 'artifact';
  /** The loop variable, e.g. `pipelinechannel--loop_parameter-loop-item`. */
  itemInput: string;
  /** The literal item list (`items.raw`), as written. */
  raw?: string;
  /** Number of items when the list is literal. */
  count?: number;
  /** The DAG input the items come from (`items.inputParameter` / `items.inputArtifact`). */
  input?: string;
  /** `iteratorPolicy.parallelismLimit`. */
  parallelism?: number;
}

export interface RetryModel {
  maxRetryCount?: number;
  backoffDuration?: string;
  backoffFactor?: number;
  backoffMaxDuration?: string;
}

export interface TaskModel {
  /** The task key in `dag.tasks`; unique within its DAG. */
  id: string;
  /** `taskInfo.name`: the display name (differs from the key after `.set_display_name()`). */
  name: string;
  kind: TaskKind;
  /** `componentRef.name`. */
  component: string;
  /** `executorLabel` of the component, for executor tasks. */
  executor?: string;
  /** Component name of the DAG this task opens, for sub-DAG tasks. */
  subDag?: string;
  role?: DagRole;
  inputs: TaskInput[];
  outputs: IoDef[];
  /** `dependentTasks`, as written. */
  dependentTasks: string[];
  /** `triggerPolicy.condition`, as written. */
  condition?: string;
  /** `triggerPolicy.strategy`, e.g. `ALL_UPSTREAM_TASKS_COMPLETED`. */
  strategy?: string;
  iterator?: IteratorModel;
  retry?: RetryModel;
  /** `cachingOptions.enableCache`; absent when the file says nothing. */
  caching?: boolean;
  /** The task's key in the file. */
  range: Range;
}

/** One named value passed along an edge: `output` of the producer feeds `input` of the consumer. */
export interface Link {
  output: string;
  input: string;
}

/**
 * A dependency between two tasks of one DAG. `data` when a parameter or artifact flows (the names are listed),
 * `control` when the consumer only waits for the producer (`dependentTasks`, `.after()`, exit handlers).
 */
export interface EdgeModel {
  from: string;
  to: string;
  kind: 'data' | 'control';
  parameters: Link[];
  artifacts: Link[];
  /** The consumer reads the producer's final status (`dsl.PipelineTaskFinalStatus`). */
  finalStatus?: boolean;
  /** The consumer runs even when the producer fails (`ALL_UPSTREAM_TASKS_COMPLETED`): exit tasks, `ignore_upstream_failure`. */
  always?: boolean;
}

/** A DAG output: the inner task outputs it selects (several for `dsl.OneOf` / `dsl.Collected`). */
export interface DagOutput extends IoDef {
  sources: { task: string; output: string }[];
  /** `valueFromOneof`: exactly one branch produces it. */
  oneOf?: boolean;
}

export interface DagModel {
  /** The component name; `root` for the pipeline itself. */
  id: string;
  inputs: IoDef[];
  outputs: DagOutput[];
  tasks: TaskModel[];
  edges: EdgeModel[];
  /** The component's key in the file (the `root:` key for the root). */
  range?: Range;
}

export interface ContainerModel {
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  resources?: Record<string, unknown>;
}

export interface ImporterModel {
  artifactUri?: unknown;
  typeSchema?: string;
  metadata?: unknown;
  reimport?: boolean;
}

export interface ExecutorModel {
  label: string;
  kind: 'container' | 'importer' | 'resolver' | 'custom-job' | 'unknown';
  container?: ContainerModel;
  importer?: ImporterModel;
  /** Anything else the executor holds (resolver, customJob), as written. */
  other?: unknown;
  /** The Python function a lightweight component runs (`--function_to_execute`). */
  pythonFunction?: string;
  /** Kubernetes platform settings for this executor (PlatformSpec document). */
  platform?: Record<string, unknown>;
  range?: Range;
}

export interface PipelineModel {
  /** `pipelineInfo.name`; empty when missing. */
  name: string;
  displayName?: string;
  description?: string;
  schemaVersion?: string;
  sdkVersion?: string;
  defaultPipelineRoot?: string;
  root: DagModel;
  /** Every component that has a DAG, by component name (conditions, loops, exit handlers, nested pipelines). */
  dags: Record<string, DagModel>;
  executors: Record<string, ExecutorModel>;
  /** The PlatformSpec's pipeline-wide Kubernetes settings (`pipelineConfig`), when present. */
  platformConfig?: unknown;
  hasPlatformSpec: boolean;
  diagnostics: PipelineDiagnostic[];
}

/** Where the pipeline came from, for the view's title and for jumping back to code. */
export interface PipelineSource {
  /** File name shown in titles. */
  label: string;
  kind: 'ir' | 'python';
}
