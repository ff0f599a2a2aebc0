// Messages between the "Submit Pipeline Run" form and the extension. Browser-safe; the host imports it with
// `import type`. The form checks values as the user types (core/kfp/params); the extension checks again.
import type { FormSpec, FormValues } from '../../core/kfp/params';

export interface ExperimentChoice {
  id: string;
  name: string;
  description?: string;
  /** When its last run was created (ms). */
  lastRunAt?: number;
}

/** The uploaded pipeline this file goes to when it has the same name. */
export interface PipelineMatch {
  id: string;
  name: string;
  versions: number;
  latestVersion?: string;
  /** The latest version holds exactly this file's pipeline: it is reused, nothing is uploaded. */
  unchanged?: boolean;
  /** Clone / run of an uploaded version: that version runs, nothing is uploaded. */
  fixed?: { versionId: string; versionName: string };
}

export type ExperimentTarget = { id: string } | { create: string };
export type PipelineTarget =
  | { kind: 'version'; pipelineId: string }
  | { kind: 'pipeline'; name: string }
  /** An uploaded version as it is. */
  | { kind: 'existing'; pipelineId: string; versionId: string }
  /** The pipeline spec inline in the run (a clone of a run that had no stored version). */
  | { kind: 'inline' };

export interface SubmitRequest {
  values: FormValues;
  runName: string;
  description: string;
  experiment: ExperimentTarget;
  target: PipelineTarget;
  serviceAccount: string;
}

/** Extension → form. */
export type ToForm =
  | {
      type: 'init';
      /** The file, as the workspace names it. */
      file: string;
      pipeline: string;
      form: FormSpec;
      values: FormValues;
      presets: string[];
      /** The last submit from this file. */
      last?: { at: number; runName?: string };
      runName: string;
      serviceAccount: string;
      /** Where requests go (the forward or the URL); for a local run, the Python that runs it. */
      where: string;
      /** A local run (kfp.local): no connection, experiment or upload; the form posts `runLocally`. */
      local?: boolean;
    }
  | { type: 'connection'; state: 'loading' }
  | { type: 'connection'; state: 'error'; message: string }
  | {
      type: 'connection';
      state: 'ready';
      experiments: ExperimentChoice[];
      /** The experiment picked last time from this file, else the namespace's newest. */
      experiment?: string;
      /** The pipeline name this file uploads as, and the uploaded pipeline of that name if there is one. */
      pipelineName: string;
      pipeline?: PipelineMatch;
      /** The run carries the pipeline spec itself (no upload). */
      inline?: boolean;
      namespace?: string;
      version?: string;
    }
  /** New values for the fields (a preset, the last run's). */
  | { type: 'values'; values: FormValues; from: string }
  | { type: 'presets'; presets: string[] }
  | { type: 'submitting'; step: string }
  /** Nothing was created (or what was created was removed again); `errors` are per field. */
  | { type: 'failed'; message: string; errors?: Record<string, string> }
  | { type: 'done'; runId: string; runName: string };

/** Form → extension. */
export type FromForm =
  | { type: 'ready' }
  | { type: 'submit'; request: SubmitRequest }
  /** A local form's submit: run on this machine with these values. */
  | { type: 'runLocally'; values: FormValues; runName: string }
  | { type: 'loadPreset'; name: string }
  | { type: 'savePreset'; name: string; values: FormValues }
  | { type: 'deletePreset'; name: string }
  | { type: 'useLast' }
  | { type: 'retryConnection' }
  /** Closes the form (a submit under way goes on, with its notification). */
  | { type: 'cancel' }
  /** Stops the submit under way (what it created is removed again). */
  | { type: 'cancelSubmit' };
