// Sample data for the sandbox (`npm start -- --sandbox`) and e2e tests, put through the real KFP API and really run
// (cluster.ts): the hello_world fixture pipeline (compiled with the rig's kfp SDK) uploaded as `hello-world`, the
// classifier fixture as `classifier`, an experiment `sandbox`, a finished run of hello-world and one of the classifier
// (learning rate 0.1: its tasks log a Dataset, a Model, Metrics, ClassificationMetrics and HTML/Markdown to MLMD and
// the S3 store through the real driver and launcher), so the Runs, Experiments and run outputs views have something
// to show.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../kube/index';
import { compilePipeline } from '../kfp/index';
import type { KfpCluster } from './cluster';

export interface SeededPipeline {
  pipelineId: string;
  versionId: string;
  /** The compiled IR that was uploaded. */
  irFile: string;
}

export interface SeededKfp extends SeededPipeline {
  experimentId: string;
  /** hello-world (sample run), SUCCEEDED. */
  runId: string;
  classifier: SeededPipeline & { runId: string };
  /** How long seeding took (ms), most of it the two runs executing. */
  seedMs: number;
}

export const SAMPLE_RUN = 'hello-world (sample run)';
export const CLASSIFIER_RUN = 'classifier (lr 0.1)';

async function call<T>(url: string, method: string, p: string, body?: unknown): Promise<T> {
  const form = body instanceof FormData;
  const res = await fetch(`${url}/apis/v2beta1${p}`, {
    method,
    headers: body === undefined || form ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`KFP seed: ${method} ${p} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface SampleIr { hello: string; classifier: string }

/** Compiles the two sample pipelines with the rig's kfp SDK (needs no server: start it beside the stack). */
export async function compileSamples(): Promise<SampleIr> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kfp-seed-'));
  const compile = (fixture: string) => compilePipeline(path.join(repoRoot, 'test', 'fixtures', 'pipelines', `${fixture}.py`), path.join(dir, `${fixture}.yaml`));
  const [hello, classifier] = await Promise.all([compile('hello_world'), compile('classifier')]);
  return { hello, classifier };
}

async function upload(url: string, irFile: string, name: string, description: string): Promise<SeededPipeline> {
  const form = new FormData();
  form.append('uploadfile', new Blob([fs.readFileSync(irFile)]), path.basename(irFile));
  const pipeline = await call<{ pipeline_id: string }>(url, 'POST', `/pipelines/upload?name=${encodeURIComponent(name)}&description=${encodeURIComponent(description)}`, form);
  const versions = await call<{ pipeline_versions: Array<{ pipeline_version_id: string }> }>(url, 'GET', `/pipelines/${pipeline.pipeline_id}/versions`);
  return { pipelineId: pipeline.pipeline_id, versionId: versions.pipeline_versions[0]!.pipeline_version_id, irFile };
}

/** Creates a run of an uploaded pipeline version; resolves with its id (not waiting for it). */
export async function createRun(url: string, o: { name: string; experimentId: string; pipeline: SeededPipeline; parameters: Record<string, unknown> }): Promise<string> {
  const run = await call<{ run_id: string }>(url, 'POST', '/runs', {
    display_name: o.name,
    experiment_id: o.experimentId,
    pipeline_version_reference: { pipeline_id: o.pipeline.pipelineId, pipeline_version_id: o.pipeline.versionId },
    runtime_config: { parameters: o.parameters },
  });
  return run.run_id;
}

/**
 * Uploads the compiled samples (compileSamples(), or compiled here), creates the experiment and runs both samples
 * side by side; resolves once both SUCCEEDED.
 */
export async function seedKfp(pipelines: KfpCluster, compiled?: Promise<SampleIr>): Promise<SeededKfp> {
  const url = pipelines.kfp.url;
  const t0 = performance.now();
  const ir = await (compiled ?? compileSamples());
  const [hello, classifier, experiment] = await Promise.all([
    upload(url, ir.hello, 'hello-world', 'Says hello with typed parameters.'),
    upload(url, ir.classifier, 'classifier', 'Trains a 3-class classifier and reports its metrics.'),
    call<{ experiment_id: string }>(url, 'POST', '/experiments', { display_name: 'sandbox', description: 'Runs of the sandbox' }),
  ]);
  const experimentId = experiment.experiment_id;
  const [runId, classifierRunId] = await Promise.all([
    createRun(url, { name: SAMPLE_RUN, experimentId, pipeline: hello, parameters: { name: 'Sandbox', times: 1 } }),
    createRun(url, { name: CLASSIFIER_RUN, experimentId, pipeline: classifier, parameters: { learning_rate: 0.1 } }),
  ]);
  for (const [id, name] of [[runId, SAMPLE_RUN], [classifierRunId, CLASSIFIER_RUN]] as const) {
    const done = await pipelines.waitForRun(id);
    if (done.state !== 'SUCCEEDED') throw new Error(`KFP seed: the run "${name}" ended ${done.state}: ${done.error?.message ?? ''}`);
  }
  return { ...hello, experimentId, runId, classifier: { ...classifier, runId: classifierRunId }, seedMs: performance.now() - t0 };
}
