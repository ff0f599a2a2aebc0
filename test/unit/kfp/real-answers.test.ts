// Answers the real KFP 2.17 API server gave (recorded by test/integration/kfp-client-real.test.ts into
// test/fixtures/kfp-real/): they fit both the 2.17 and the 2.15 swagger, and the editor reads them right: a run that
// has not finished (finished_at 1970-01-01) is live with no end time, the stored version's spec gives the run form's
// fields, a recurring run's int64 max_concurrency stays a string.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildOverlay } from '../../../core/kfp/overlay';
import { formSpec } from '../../../core/kfp/params';
import { apiTime, type PipelineVersion, type RecurringRun, type Run } from '../../../core/kfp/types';
import { parsePipeline } from '../../../core/pipeline/parse';
import { KFP_SPECS, KfpSpec } from '../../support/kfp-swagger';
import { requireShared } from '../../support/shared';

const DIR = path.resolve(__dirname, '../../fixtures/kfp-real');
const read = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as T;

describe('core/kfp on answers of the real KFP 2.17 API server', () => {
  const run = read<Run>('run-created');
  const version = read<PipelineVersion>('pipeline-version');
  const versions = read<{ pipeline_versions: PipelineVersion[]; total_size: number }>('pipeline-versions');
  const recurring = read<RecurringRun>('recurring-run');

  for (const v of ['2.17', '2.15'] as const) {
    it(`every recorded answer fits the KFP ${v} swagger`, function () {
      if (v === '2.15') requireShared('kubeflow-specs', 'kfp-v2beta1', 'compat-kfp-2.15.0');
      const spec = new KfpSpec(KFP_SPECS[v]);
      const problems = [
        ...spec.checkResponse({ method: 'GET', path: `/apis/v2beta1/runs/${run.run_id}` }, run),
        ...spec.checkResponse({ method: 'GET', path: `/apis/v2beta1/pipelines/${version.pipeline_id}/versions/${version.pipeline_version_id}` }, version),
        ...spec.checkResponse({ method: 'GET', path: `/apis/v2beta1/pipelines/${version.pipeline_id}/versions` }, versions),
        ...spec.checkResponse({ method: 'GET', path: `/apis/v2beta1/recurringruns/${recurring.recurring_run_id}` }, recurring),
      ];
      assert.deepEqual(problems, []);
    });
  }

  it('a run that has not finished: live, pending, its parameters as the form sent them, no end time', () => {
    assert.equal(run.finished_at, '1970-01-01T00:00:00Z', 'what the real server writes for "not yet"');
    assert.equal(apiTime(run.finished_at), undefined);
    const model = parsePipeline(JSON.stringify(version.pipeline_spec));
    const o = buildOverlay(model, run, { now: Date.parse('2026-12-07T01:40:00Z') });
    assert.equal(o.state, 'pending');
    assert.equal(o.live, true);
    assert.equal(o.finished, undefined);
    assert.equal(o.created, Date.parse(run.created_at!));
    assert.equal(o.canTerminate, true);
    assert.deepEqual(o.parameters, { config: '{"retries":3}', loud: 'false', name: 'Client', ratio: '0.5', tags: '["x","y"]', times: '3' });
    assert.deepEqual(o.tasks, {}, 'no task details before Argo ran anything');
  });

  it('the stored version\'s spec gives the run form the pipeline\'s parameters with their defaults', () => {
    const form = formSpec(version.pipeline_spec);
    assert.deepEqual(form.fields.map((f) => f.name).sort(), ['config', 'loud', 'name', 'ratio', 'tags', 'times']);
    assert.deepEqual(versions.pipeline_versions.map((x) => x.display_name).sort(), ['hello-world', 'hello-world-v2']);
    assert.equal(typeof versions.total_size, 'number');
  });

  it('a recurring run: the cron, ENABLED, max_concurrency as the int64 string the server sends', () => {
    assert.equal(recurring.status, 'ENABLED');
    assert.equal(recurring.trigger?.cron_schedule?.cron, '0 0 2 * * *');
    assert.equal(recurring.max_concurrency, '1');
  });
});
