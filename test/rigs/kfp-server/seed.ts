// Sample data for the KFP stand-in, for the sandbox (`npm start -- --sandbox`) and e2e tests: the hello_world
// fixture pipeline (compiled with the rig's kfp SDK) uploaded as `hello-world`, an experiment `sandbox`, and one run
// of it that has finished (SUCCEEDED), so the Runs and Experiments views have something to show.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../kube/index';
import { compilePipeline } from '../kfp/index';
import type { KfpServer } from './index';

export interface SeededKfp {
  pipelineId: string;
  versionId: string;
  experimentId: string;
  runId: string;
  /** The compiled IR that was uploaded. */
  irFile: string;
}

async function call<T>(kfp: KfpServer, method: string, p: string, body?: unknown | FormData): Promise<T> {
  const form = body instanceof FormData;
  const res = await fetch(`${kfp.url}/apis/v2beta1${p}`, {
    method,
    headers: body === undefined || form ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  const json = await res.json() as T;
  if (res.status !== 200) throw new Error(`KFP stand-in seed: ${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function seedKfp(kfp: KfpServer): Promise<SeededKfp> {
  const irFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kfp-seed-')), 'hello_world.yaml');
  await compilePipeline(path.join(repoRoot, 'test', 'fixtures', 'pipelines', 'hello_world.py'), irFile);
  const form = new FormData();
  form.append('uploadfile', new Blob([fs.readFileSync(irFile)]), 'hello_world.yaml');
  const pipeline = await call<{ pipeline_id: string }>(kfp, 'POST', '/pipelines/upload?name=hello-world&description=' + encodeURIComponent('Says hello with typed parameters.'), form);
  const versions = await call<{ pipeline_versions: Array<{ pipeline_version_id: string }> }>(kfp, 'GET', `/pipelines/${pipeline.pipeline_id}/versions`);
  const experiment = await call<{ experiment_id: string }>(kfp, 'POST', '/experiments', { display_name: 'sandbox', description: 'Runs of the sandbox' });
  const run = await call<{ run_id: string }>(kfp, 'POST', '/runs', {
    display_name: 'hello-world (sample run)',
    experiment_id: experiment.experiment_id,
    pipeline_version_reference: { pipeline_id: pipeline.pipeline_id, pipeline_version_id: versions.pipeline_versions[0]!.pipeline_version_id },
    runtime_config: { parameters: { name: 'Sandbox', times: 1 } },
  });
  await kfp.waitForRun(run.run_id, ['SUCCEEDED', 'FAILED'], 60_000);
  return { pipelineId: pipeline.pipeline_id, versionId: versions.pipeline_versions[0]!.pipeline_version_id, experimentId: experiment.experiment_id, runId: run.run_id, irFile };
}
