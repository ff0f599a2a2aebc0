// Submitting a pipeline file: read it (a `.py` is compiled with the user's kfp first; compile errors go to the
// editor at their line), then — once the form is filled — create the experiment if asked, upload the pipeline or
// a new version (or reuse the latest version when it is this very pipeline), and create the run. A failure after
// something was created removes it again, so nothing is left submitted by half.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ApiError, CancelledError } from '../../core/http/transport';
import type { KfpClient } from '../../core/kfp/client';
import { buildParameters, formSpec, type FormSpec } from '../../core/kfp/params';
import { diffSpecs, specFromText, specName } from '../../core/kfp/spec';
import type { PipelineVersion, Run } from '../../core/kfp/types';
import type { SubmitRequest } from '../../webviews/run-form/protocol';
import type { Log } from '../log';
import { pipelineDiagnostics } from '../pipelines/diagnostics';
import { isPythonFile, loadPipeline } from '../pipelines/load';
import { Presets } from './presets';

export interface Prepared {
  /** The local file; absent for a clone or a run of an uploaded version. */
  uri?: vscode.Uri;
  /** The `@dsl.pipeline` function, for Python files that define several. */
  pipeline?: string;
  /** Runs this uploaded version as it is (clone, "Create Run" in the Pipelines view). */
  fixed?: { pipelineId: string; versionId: string; versionName: string };
  /** Sends the spec with the run (clone of a run that had no stored version). */
  inline?: boolean;
  /** The IR text that is uploaded. */
  text: string;
  spec: Record<string, unknown>;
  form: FormSpec;
  /** `pipelineInfo.name`: the name it is uploaded as. */
  name: string;
  /** The file name sent with the upload. */
  uploadName: string;
  label: string;
}

/** Reads (and compiles) the file. Undefined when it failed; the user has been told where. */
export async function prepare(uri: vscode.Uri, pipeline: string | undefined, log: Log, signal: AbortSignal): Promise<Prepared | { error: string }> {
  const res = await loadPipeline(uri, pipeline, signal, log);
  const diagnostics = pipelineDiagnostics();
  if (!res.ok) {
    if (isPythonFile(uri)) diagnostics.setCompileError(uri, res.message, res.line);
    // The diagnostic has the whole message (with the source line Python quotes); the notification its last line.
    const last = res.message.trim().split('\n').filter((l) => l.trim()).pop() ?? res.message;
    return { error: res.line ? `${last.trim()} (line ${res.line})` : last.trim() };
  }
  if (isPythonFile(uri)) diagnostics.clear(uri);
  const errors = res.model.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    if (!isPythonFile(uri)) diagnostics.set(uri, res.model.diagnostics);
    return { error: `The pipeline has ${errors.length} problem${errors.length === 1 ? '' : 's'} (see the Problems view), e.g. line ${errors[0]!.range.start.line + 1}: ${errors[0]!.message}` };
  }
  let spec: Record<string, unknown>;
  try {
    spec = specFromText(res.text);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const name = specName(spec) || path.basename(uri.fsPath || uri.path).replace(/\.\w+$/, '');
  const base = path.basename(uri.fsPath || uri.path);
  return {
    uri,
    ...(pipeline ? { pipeline } : {}),
    text: res.text,
    spec,
    form: formSpec(spec),
    name,
    uploadName: isPythonFile(uri) ? `${name}.yaml` : base,
    label: vscode.workspace.asRelativePath(uri, false),
  };
}

/** Where the form remembers values for this pipeline: the file (and function), or the uploaded pipeline's name. */
export function presetKey(p: Prepared): string {
  return p.uri ? Presets.key(p.uri, p.pipeline) : `kfp:${p.name}`;
}

/** A run form for an uploaded version or a past run's pipeline, without a local file. */
export function preparedFromSpec(spec: Record<string, unknown>, o: { fixed?: Prepared['fixed']; label: string }): Prepared {
  const name = specName(spec) || o.label;
  return { ...(o.fixed ? { fixed: o.fixed } : { inline: true }), text: JSON.stringify(spec), spec, form: formSpec(spec), name, uploadName: `${name}.json`, label: o.label };
}

/** The uploaded pipeline of this name, its newest version, and whether that version is this file's pipeline. */
export async function findUploaded(client: KfpClient, p: Prepared): Promise<{ id: string; name: string; versions: number; latest?: PipelineVersion; unchanged: boolean } | undefined> {
  let pipelineId: string | undefined;
  try {
    pipelineId = (await client.getPipelineByName(p.name)).pipeline_id;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
  if (!pipelineId) return undefined;
  const page = await client.listPipelineVersions(pipelineId, { sort: { field: 'created_at', desc: true }, pageSize: 1 });
  const first = page.items[0];
  const latest = first?.pipeline_version_id ? await client.getPipelineVersion(pipelineId, first.pipeline_version_id) : undefined;
  const unchanged = Boolean(latest?.pipeline_spec && diffSpecs(p.spec, latest.pipeline_spec).same);
  return { id: pipelineId, name: p.name, versions: page.totalSize, ...(latest ? { latest } : {}), unchanged };
}

export class SubmitError extends Error {
  constructor(message: string, readonly errors?: Record<string, string>) {
    super(message);
  }
}

export interface Submitted {
  run: Run;
  experimentId: string;
  experimentName: string;
  pipelineId?: string;
  versionId?: string;
  /** What was created on the way, for the message. */
  created: string[];
}

/**
 * Runs the submit steps; `step` reports progress. Throws `SubmitError` with what was undone. `cleanup` removes what
 * was created when a step failed or was cancelled (a client that the cancel does not abort).
 */
export async function submit(client: KfpClient, p: Prepared, req: SubmitRequest, step: (s: string) => void, log: Log, cleanup: KfpClient = client): Promise<Submitted> {
  const built = buildParameters(p.form.fields, req.values);
  if (!built.ok) throw new SubmitError('Some parameters are not valid: nothing was submitted.', built.errors);
  const undo: { what: string; run: () => Promise<void> }[] = [];
  const created: string[] = [];
  try {
    let experimentId: string;
    let experimentName: string;
    if ('create' in req.experiment) {
      step(`Creating experiment ${req.experiment.create}…`);
      const existing = await client.findExperiment(req.experiment.create);
      const e = existing ?? (await client.createExperiment({ displayName: req.experiment.create }));
      if (!e.experiment_id) throw new Error('the server created the experiment without an id');
      experimentId = e.experiment_id;
      experimentName = e.display_name ?? req.experiment.create;
      if (!existing) {
        created.push(`experiment ${experimentName}`);
        undo.push({ what: `experiment ${experimentName}`, run: () => cleanup.deleteExperiment(experimentId) });
      }
    } else {
      experimentId = req.experiment.id;
      experimentName = (await client.getExperiment(experimentId)).display_name ?? experimentId;
    }

    let pipelineId: string | undefined;
    let versionId: string | undefined;
    if (req.target.kind === 'inline') {
      pipelineId = undefined;
    } else if (req.target.kind === 'existing') {
      pipelineId = req.target.pipelineId;
      versionId = req.target.versionId;
    } else if (req.target.kind === 'version') {
      const pid = req.target.pipelineId;
      pipelineId = pid;
      const latest = (await client.listPipelineVersions(pid, { sort: { field: 'created_at', desc: true }, pageSize: 1 })).items[0];
      const full = latest?.pipeline_version_id ? await client.getPipelineVersion(pid, latest.pipeline_version_id) : undefined;
      if (full?.pipeline_version_id && full.pipeline_spec && diffSpecs(p.spec, full.pipeline_spec).same) {
        versionId = full.pipeline_version_id;
        log.info(`submit: the latest version ${full.name ?? versionId} of ${p.name} is this pipeline; reusing it`);
      } else {
        step(`Uploading a new version of ${p.name}…`);
        const v = await uploadVersion(client, pid, p);
        const vid = v.pipeline_version_id;
        versionId = vid;
        created.push(`version ${v.name ?? vid}`);
        if (vid) undo.push({ what: `pipeline version ${v.name ?? vid}`, run: () => cleanup.deletePipelineVersion(pid, vid) });
      }
    } else {
      const name = req.target.name;
      step(`Uploading pipeline ${name}…`);
      const clash = await client.getPipelineByName(name).then(() => true, (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return false;
        throw err;
      });
      if (clash) throw new SubmitError(`A pipeline named "${name}" exists already: upload a new version of it, or choose another name.`);
      const created_ = await client.uploadPipeline({ fileName: p.uploadName, content: p.text, name, displayName: name, description: describeUpload(p) });
      const pid = created_.pipeline_id;
      if (!pid) throw new Error('the server created the pipeline without an id');
      pipelineId = pid;
      created.push(`pipeline ${name}`);
      undo.push({ what: `pipeline ${name}`, run: () => cleanup.deletePipeline(pid, true) });
      versionId = (await client.listPipelineVersions(pid, { pageSize: 1 })).items[0]?.pipeline_version_id;
    }
    if (req.target.kind !== 'inline' && (!pipelineId || !versionId)) throw new Error('the pipeline has no version to run');

    step(`Starting run ${req.runName}…`);
    const run = await client.createRun({
      displayName: req.runName,
      ...(req.description ? { description: req.description } : {}),
      experimentId,
      ...(pipelineId && versionId ? { pipelineVersion: { pipeline_id: pipelineId, pipeline_version_id: versionId } } : { pipelineSpec: p.spec }),
      runtimeConfig: { parameters: built.parameters },
      ...(req.serviceAccount ? { serviceAccount: req.serviceAccount } : {}),
    });
    if (!run.run_id) throw new Error('the server created the run without an id');
    log.info(`submitted run ${run.run_id} (${req.runName}) of ${p.label} in experiment ${experimentName}${created.length ? `; created ${created.join(', ')}` : ''}`);
    return { run, experimentId, experimentName, ...(pipelineId ? { pipelineId } : {}), ...(versionId ? { versionId } : {}), created };
  } catch (err) {
    const undone: string[] = [];
    const left: string[] = [];
    for (const u of undo.reverse()) {
      try {
        await u.run();
        undone.push(u.what);
      } catch (e) {
        log.warn(`submit: could not remove ${u.what}: ${(e as Error).message}`);
        left.push(u.what);
      }
    }
    const why = err instanceof SubmitError ? err.message : err instanceof CancelledError ? 'Cancelled: nothing was submitted.' : `Nothing was submitted: ${(err as Error).message}`;
    const tail = [undone.length ? `Removed what was created on the way (${undone.join(', ')}).` : '', left.length ? `Could not remove ${left.join(', ')}: delete it in the Pipelines view.` : ''].filter(Boolean).join(' ');
    throw new SubmitError(tail ? `${why} ${tail}` : why, err instanceof SubmitError ? err.errors : undefined);
  }
}

function describeUpload(p: Prepared): string {
  return `From ${p.label}${p.pipeline ? ` (${p.pipeline})` : ''}, uploaded from VS Code`;
}

/** A new version, named `<pipeline>-<UTC time>`; another suffix when the name is taken. */
async function uploadVersion(client: KfpClient, pipelineId: string, p: Prepared): Promise<PipelineVersion> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-').toLowerCase();
  for (let i = 1; ; i++) {
    const name = `${p.name}-${stamp}${i > 1 ? `-${i}` : ''}`;
    try {
      return await client.uploadPipelineVersion(pipelineId, { fileName: p.uploadName, content: p.text, name, displayName: name, description: describeUpload(p) });
    } catch (err) {
      if (i < 4 && err instanceof ApiError && (err.status === 409 || /already exist/i.test(err.message))) continue;
      throw err;
    }
  }
}
