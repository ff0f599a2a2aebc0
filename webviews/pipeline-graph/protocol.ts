// Messages between the pipeline graph panel and the extension. Browser-safe; the host imports it with `import type`.
import type { PipelineModel, PipelineSource } from '../../core/pipeline/model';

/** Extension → webview. */
export type ToGraph =
  /** A (re)read pipeline. `version` grows with every read of the same file; the view keeps its level and zoom. */
  | { type: 'model'; model: PipelineModel; source: PipelineSource; version: number }
  /** Work in progress or a failure that left no model (e.g. Python compile errors). */
  | { type: 'status'; state: 'compiling' | 'error' | 'idle'; message?: string }
  /** Select a task (e.g. from a command); the view opens its level. */
  | { type: 'reveal'; path: string[]; task: string };

/** Webview → extension. */
export type FromGraph =
  | { type: 'ready' }
  /** Jump to a task's source: its key in the IR file, or its `@dsl.component` function in a Python pipeline. */
  | { type: 'openTask'; path: string[]; task: string }
  /** Jump to a line of the file (diagnostics list). */
  | { type: 'openLine'; line: number; character: number }
  /** Compile / read the file again. */
  | { type: 'refresh' }
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
}
