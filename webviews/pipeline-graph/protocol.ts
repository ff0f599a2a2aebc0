// Messages between the pipeline graph panel and the extension. Browser-safe; the host imports it with `import type`.
import type { RunOverlay } from '../../core/kfp/overlay';
import type { LevelLayout } from '../../core/pipeline/first-layout';
import type { PipelineSource } from '../../core/pipeline/model';
import type { PackedModel } from '../../core/pipeline/wire';

/** Extension → webview. */
export type ToGraph =
  /** A (re)read pipeline. `version` grows with every read of the same file; the view keeps its level and zoom.
   * `model`: the PipelineModel as UTF-8 JSON (core/pipeline/wire.ts), gzipped past 1 MB (`gzip`), which VS Code
   * carries as a binary buffer. */
  | ({ type: 'model'; source: PipelineSource; version: number } & PackedModel)
  /** The top level's layout for the model of the same `version`, sent just before it: made by the extension host and
   * packed in typed arrays (core/pipeline/first-layout.ts; none past FIRST_LAYOUT_MAX_NODES nodes). A message of its
   * own because VS Code revives typed arrays with a JSON.parse reviver over the whole message in the workbench: over
   * the model too it costs 2–3× the plain parse (111,782 tasks: 1.9 s vs 0.7 s). */
  | { type: 'layout'; version: number; layout: LevelLayout }
  /** Work in progress or a failure that left no model (e.g. Python compile errors). */
  | { type: 'status'; state: 'compiling' | 'error' | 'idle'; message?: string }
  /** Select a task (e.g. from a command); the view opens its level. */
  | { type: 'reveal'; path: string[]; task: string }
  /** Run view: the run's state over the graph (sent again on every refresh). The panel is then a run view. */
  | { type: 'run'; run: RunOverlay }
  /** File view: whether "Submit Run" is offered (a pipeline file the extension can submit), and "Run Locally" (a
   * Python pipeline kfp.local can run). */
  | { type: 'canSubmit'; value: boolean; local?: boolean };

/** The run view's actions. */
export type RunAction = 'terminate' | 'retry' | 'clone' | 'openLocal' | 'outputs';

/** Webview → extension. */
export type FromGraph =
  | { type: 'ready' }
  /** Jump to a task's source: its key in the IR file, or its `@dsl.component` function in a Python pipeline. */
  | { type: 'openTask'; path: string[]; task: string }
  /** Jump to a line of the file (diagnostics list). */
  | { type: 'openLine'; line: number; character: number }
  /** Compile / read the file again (a run view: read the run again). */
  | { type: 'refresh' }
  /** File view: open the run form for this pipeline. */
  | { type: 'submitRun' }
  /** File view: the local run form (kfp.local on this machine). */
  | { type: 'runLocally' }
  /** Local run view: open an output's file or the failing line of a component (a file the overlay named). */
  | { type: 'openFile'; file: string; line?: number }
  /** Local run view: debug one task's component with this run's inputs. */
  | { type: 'debugTask'; path: string[]; task: string }
  /** Run view actions. `openLocal`: the graph of the local file the run came from; `outputs`: the run's outputs panel. */
  | { type: 'runAction'; action: RunAction }
  /** Run view: the log of the pod that ran a task (`node`), or of the task's latest attempt. */
  | { type: 'openLogs'; path: string[]; task: string; node?: string }
  /** Timing of a drawn level, for the log and the benchmark. */
  | { type: 'rendered'; level: string; nodes: number; edges: number; layoutMs: number; renderMs: number; sinceMessageMs: number; sinceStartMs: number };

/** What the webview keeps across reloads (VS Code webview state). */
export interface GraphViewState {
  path: string[];
  selected?: string;
  artifacts: boolean;
  io: boolean;
  /** The details pane is shown. */
  details: boolean;
  /** The file (source label) `path` and `view` belong to. */
  file?: string;
  /** Pan and zoom, kept across page reloads and window reloads. */
  view?: { x: number; y: number; k: number };
}
