// Messages between the run outputs panel (what runs produced: per task parameters, artifacts and their
// visualizations; or two or more runs compared) and the extension (extension/runs/outputsPanel.ts imports it with
// `import type`). Every string is cluster data (MLMD, the KFP API): the page sets it as text only.
import type { Comparison } from '../../core/mlmd/compare';
import type { RunOutputs } from '../../core/mlmd/outputs';
import type { Visualization } from '../../core/mlmd/visualize';

export interface ArtifactView {
  id: string;
  name: string;
  event: 'INPUT' | 'OUTPUT';
  type: string;
  uri: string;
  /** metadata as pretty JSON (KFP's keys taken off) */
  metadata: string;
  visualizations: Visualization[];
  /** A system.Model output: it can be registered in Model Registry. */
  registrable: boolean;
}

export interface TaskView {
  task: string;
  executionId: string;
  state: string;
  cached: boolean;
  executionType: string;
  inputs: Array<[string, string]>;
  outputs: Array<[string, string]>;
  artifacts: ArtifactView[];
}

export interface RunView {
  runId: string;
  name: string;
  pipelineRoot?: string;
  parameters: Array<[string, string]>;
  tasks: TaskView[];
  warnings: string[];
}

/** Extension → webview. */
export type ToOutputs =
  | { type: 'run'; run: RunView }
  | { type: 'compare'; comparison: Comparison }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type OutputsAction = 'refresh' | 'copyUri' | 'openArtifact' | 'download' | 'register';

/** Webview → extension. */
export type FromOutputs =
  | { type: 'ready' }
  | { type: 'action'; action: OutputsAction; /** the artifact id */ ref?: string };

export type { Comparison, RunOutputs, Visualization };
