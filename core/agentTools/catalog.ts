/**
 * The agent tools' names, descriptions and input schemas: one list for VS Code's `contributes.languageModelTools`
 * (package.json carries a copy, checked equal by test/unit/agent-tools.test.ts) and the MCP server's `tools/list`.
 * Every schema is closed (`additionalProperties: false`) so a misspelt field is an error the agent sees.
 */

export type ToolName =
  | 'kubeflow_list'
  | 'kubeflow_diagnose'
  | 'kubeflow_logs'
  | 'kubeflow_describe_pipeline'
  | 'kubeflow_compare_runs'
  | 'kubeflow_submit_run'
  | 'kubeflow_notebook_power'
  | 'kubeflow_deploy_model'
  | 'kubeflow_endpoint_traffic';

export interface ToolInfo {
  name: ToolName;
  /** Short title (VS Code's displayName, MCP's title). */
  title: string;
  /** What the model reads to decide when to call the tool. */
  description: string;
  inputSchema: Record<string, unknown>;
  /** Changes the cluster: asks the user first (VS Code confirmation; MCP `confirm: true`). */
  mutating: boolean;
}

const namespace = { type: 'string', description: "Kubernetes namespace; default: the editor's (or the CLI's) current namespace." };
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });

export const TOOLS: ToolInfo[] = [
  {
    name: 'kubeflow_list',
    title: 'List Kubeflow resources',
    description: 'List Kubeflow notebook servers, training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, JAXJob, TrainJob), pipeline runs, registered models (with versions) or KServe endpoints, each with its state. Plain text, one line per item.',
    inputSchema: obj({
      kind: { type: 'string', enum: ['notebooks', 'trainingJobs', 'runs', 'models', 'endpoints'], description: 'What to list.' },
      namespace,
      limit: { type: 'integer', minimum: 1, maximum: 200, description: 'At most this many items (default 50).' },
    }, ['kind']),
    mutating: false,
  },
  {
    name: 'kubeflow_diagnose',
    title: 'Why is it failing or pending',
    description: 'Explain why a pipeline run, training job, notebook server or KServe endpoint is failing or pending: the failing task or replica, its last log lines and traceback, scheduling events (no node with enough GPUs, quota), image pull errors, the conditions that hold an endpoint back.',
    inputSchema: obj({
      kind: { type: 'string', enum: ['run', 'trainingJob', 'notebook', 'endpoint'] },
      name: { type: 'string', minLength: 1, description: 'The resource name; for a run its id or display name.' },
      namespace,
    }, ['kind', 'name']),
    mutating: false,
  },
  {
    name: 'kubeflow_logs',
    title: 'Kubeflow logs',
    description: "Merged logs of a training job (every replica, each line tagged like [worker-2]), of one pipeline run step, or of a pod. Returns the last `tail` lines, optionally only those matching `grep`.",
    inputSchema: obj({
      kind: { type: 'string', enum: ['trainingJob', 'runStep', 'pod'] },
      name: { type: 'string', minLength: 1, description: 'Job name, run id or display name (runStep), or pod name.' },
      step: { type: 'string', description: 'runStep only: the task name in the pipeline.' },
      replica: { type: 'string', description: 'trainingJob only: one replica tag, e.g. worker-2.' },
      grep: { type: 'string', description: 'Only lines matching this regular expression (case-insensitive).' },
      tail: { type: 'integer', minimum: 1, maximum: 2000, description: 'Last N lines (default 100).' },
      namespace,
    }, ['kind', 'name']),
    mutating: false,
  },
  {
    name: 'kubeflow_describe_pipeline',
    title: 'Describe a Kubeflow pipeline',
    description: 'Describe a KFP v2 pipeline: its parameters (types, defaults), tasks per DAG with their dependencies, and the graph as Mermaid text. From a compiled pipeline file (.yaml/.json, or a .py the editor compiles) or from a run (id or display name).',
    inputSchema: obj({
      file: { type: 'string', description: 'Path of a pipeline file (absolute, or relative to the workspace).' },
      run: { type: 'string', description: 'A run id or display name: describe the pipeline it ran, with each task\'s state.' },
    }),
    mutating: false,
  },
  {
    name: 'kubeflow_compare_runs',
    title: 'Compare pipeline runs',
    description: 'Compare pipeline runs side by side: state, duration, pipeline version, every parameter (differences marked), failed tasks.',
    inputSchema: obj({
      runs: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 2, maxItems: 10, description: 'Run ids or display names.' },
    }, ['runs']),
    mutating: false,
  },
  {
    name: 'kubeflow_submit_run',
    title: 'Submit a pipeline run',
    description: 'Start a run of an uploaded pipeline (latest version unless one is named) with parameters, checked against the pipeline\'s parameter types first. Changes the cluster: the user confirms the exact request.',
    inputSchema: obj({
      pipeline: { type: 'string', minLength: 1, description: 'Uploaded pipeline name or id.' },
      version: { type: 'string', description: 'Pipeline version name or id (default: the latest).' },
      parameters: { type: 'object', description: 'Parameter values by name; parameters left out use the pipeline\'s defaults.' },
      experiment: { type: 'string', description: 'Experiment name (default: "Default").' },
      runName: { type: 'string', description: 'Display name of the run (default: "<pipeline> <time>").' },
    }, ['pipeline']),
    mutating: true,
  },
  {
    name: 'kubeflow_notebook_power',
    title: 'Start or stop a notebook server',
    description: 'Start or stop a Kubeflow notebook server (the kubeflow-resource-stopped annotation the notebook controller follows). Changes the cluster: the user confirms.',
    inputSchema: obj({
      name: { type: 'string', minLength: 1 },
      action: { type: 'string', enum: ['start', 'stop'] },
      namespace,
    }, ['name', 'action']),
    mutating: true,
  },
  {
    name: 'kubeflow_deploy_model',
    title: 'Deploy a model version to KServe',
    description: 'Deploy a Model Registry model version as a KServe InferenceService (format and storage URI from the version\'s model artifact). Onto an existing endpoint it rolls out as a canary with `canaryPercent` of the traffic. Changes the cluster: the user confirms the exact object or patch.',
    inputSchema: obj({
      model: { type: 'string', minLength: 1, description: 'Registered model name.' },
      version: { type: 'string', minLength: 1, description: 'Version name.' },
      endpoint: { type: 'string', description: 'InferenceService name (default: derived from model and version; an existing one is updated).' },
      canaryPercent: { type: 'integer', minimum: 0, maximum: 100, description: 'Updating an existing endpoint: the new revision\'s share of traffic (default 10).' },
      namespace,
    }, ['model', 'version']),
    mutating: true,
  },
  {
    name: 'kubeflow_endpoint_traffic',
    title: 'Promote or roll back a canary',
    description: 'Promote the canary revision of a KServe InferenceService to all traffic, or roll it back (all traffic to the previous revision). Changes the cluster: the user confirms the patch.',
    inputSchema: obj({
      endpoint: { type: 'string', minLength: 1, description: 'InferenceService name.' },
      action: { type: 'string', enum: ['promote', 'rollback'] },
      namespace,
    }, ['endpoint', 'action']),
    mutating: true,
  },
];

export function toolInfo(name: string): ToolInfo | undefined {
  return TOOLS.find((t) => t.name === name);
}
