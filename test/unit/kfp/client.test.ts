// The KFP client against the API's own specification: every request it builds is checked against the v2beta1
// swagger of KFP 2.17 and of 2.15 (Kubeflow 1.11) — path, method, query parameters and their types, the JSON body or
// the multipart upload — and every answer it reads comes from fixtures that validate against the 2.17 schemas.
import assert from 'node:assert/strict';
import { ApiError, type HttpRequest, type HttpResponse, type HttpTransport } from '../../../core/http/transport';
import { KfpClient, listAll } from '../../../core/kfp/client';
import { eq, filterParam, oneOf, substring, time } from '../../../core/kfp/filter';
import { KFP_SPECS, KfpSpec } from '../../support/kfp-swagger';
import { requireShared } from '../../support/shared';
import { EXPERIMENT, FAILED_RUN, HEALTHZ, NOT_FOUND, PIPELINE, RECURRING_RUN, RUN, VERSION } from './fixtures';

interface Exchange {
  req: HttpRequest;
  status: number;
  json: unknown;
}

/** A transport that answers from a script and records what was asked. */
function scripted(answer: (req: HttpRequest) => { status?: number; json?: unknown; text?: string }): { transport: HttpTransport; log: Exchange[] } {
  const log: Exchange[] = [];
  const transport: HttpTransport = async (req) => {
    const a = answer(req);
    const status = a.status ?? 200;
    log.push({ req, status, json: a.json });
    const res: HttpResponse = { status, headers: { 'content-type': 'application/json' }, text: a.text ?? (a.json === undefined ? '' : JSON.stringify(a.json)) };
    return res;
  };
  return { transport, log };
}

const ANSWERS: [RegExp, string, unknown][] = [
  [/^\/apis\/v2beta1\/healthz$/, 'GET', HEALTHZ],
  [/^\/apis\/v2beta1\/pipelines$/, 'GET', { pipelines: [PIPELINE], total_size: 3, next_page_token: 'eyJTb3J0QnlGaWVsZE5hbWUiOiJDcmVhdGVkQXRJblNlYyJ9' }],
  [/^\/apis\/v2beta1\/pipelines\/names\/[^/]+$/, 'GET', PIPELINE],
  [/^\/apis\/v2beta1\/pipelines\/upload$/, 'POST', PIPELINE],
  [/^\/apis\/v2beta1\/pipelines\/upload_version$/, 'POST', VERSION],
  [/^\/apis\/v2beta1\/pipelines\/[^/]+\/versions$/, 'GET', { pipeline_versions: [VERSION], total_size: 1 }],
  [/^\/apis\/v2beta1\/pipelines\/[^/]+\/versions\/[^/]+$/, 'GET', VERSION],
  [/^\/apis\/v2beta1\/pipelines\/[^/]+\/versions\/[^/]+$/, 'DELETE', {}],
  [/^\/apis\/v2beta1\/pipelines\/[^/]+$/, 'GET', PIPELINE],
  [/^\/apis\/v2beta1\/pipelines\/[^/]+$/, 'DELETE', {}],
  [/^\/apis\/v2beta1\/experiments$/, 'GET', { experiments: [EXPERIMENT], total_size: 1 }],
  [/^\/apis\/v2beta1\/experiments$/, 'POST', EXPERIMENT],
  [/^\/apis\/v2beta1\/experiments\/[^/]+$/, 'GET', EXPERIMENT],
  [/^\/apis\/v2beta1\/experiments\/[^/]+$/, 'DELETE', {}],
  [/^\/apis\/v2beta1\/experiments\/[^/]+:(un)?archive$/, 'POST', {}],
  [/^\/apis\/v2beta1\/runs$/, 'GET', { runs: [RUN, FAILED_RUN], total_size: 2 }],
  [/^\/apis\/v2beta1\/runs$/, 'POST', RUN],
  [/^\/apis\/v2beta1\/runs\/[^/]+$/, 'GET', RUN],
  [/^\/apis\/v2beta1\/runs\/[^/]+$/, 'DELETE', {}],
  [/^\/apis\/v2beta1\/runs\/[^/]+:(terminate|retry|archive|unarchive)$/, 'POST', {}],
  [/^\/apis\/v2beta1\/recurringruns$/, 'GET', { recurringRuns: [RECURRING_RUN], total_size: 1 }],
  [/^\/apis\/v2beta1\/recurringruns$/, 'POST', RECURRING_RUN],
  [/^\/apis\/v2beta1\/recurringruns\/[^/]+$/, 'GET', RECURRING_RUN],
  [/^\/apis\/v2beta1\/recurringruns\/[^/]+$/, 'DELETE', {}],
  [/^\/apis\/v2beta1\/recurringruns\/[^/]+:(enable|disable)$/, 'POST', {}],
];

function answer(req: HttpRequest): { json: unknown } {
  const hit = ANSWERS.find(([re, method]) => method === req.method && re.test(req.path));
  if (!hit) throw new Error(`no scripted answer for ${req.method} ${req.path}`);
  return { json: hit[2] };
}

const NS = 'kubeflow-user-example-com';

/** Drives every client operation once; returns what each gave back. */
async function exercise(client: KfpClient, o: { tags?: boolean } = { tags: true }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.healthz = await client.healthz();
  out.pipelines = await client.listPipelines({ pageSize: 50, sort: { field: 'created_at', desc: true }, filter: [substring('display_name', 'hello')] });
  out.shared = await client.listPipelines({ namespace: '' });
  out.byName = await client.getPipelineByName('hello world/ü');
  out.pipeline = await client.getPipeline(PIPELINE.pipeline_id);
  out.uploaded = await client.uploadPipeline({ fileName: 'hello_world.py', content: 'pipelineInfo: {name: hello-world}\n', name: 'hello-world', displayName: 'Hello world', description: 'from VS Code', ...(o.tags ? { tags: { source: 'vscode' } } : {}) });
  out.uploadedShared = await client.uploadPipeline({ fileName: 'p.json', content: new TextEncoder().encode('{}'), name: 'p', namespace: '' });
  out.version = await client.uploadPipelineVersion(PIPELINE.pipeline_id, { fileName: 'hello_world.yaml', content: 'x: 1\n', name: 'hello-world-v2', description: 'compiled from hello_world.py' });
  out.versions = await client.listPipelineVersions(PIPELINE.pipeline_id, { sort: 'created_at desc', pageSize: 5, pageToken: 'abc' });
  out.getVersion = await client.getPipelineVersion(PIPELINE.pipeline_id, VERSION.pipeline_version_id);
  await client.deletePipelineVersion(PIPELINE.pipeline_id, VERSION.pipeline_version_id);
  await client.deletePipeline(PIPELINE.pipeline_id);
  out.experiments = await client.listExperiments({ filter: [eq('storage_state', 'AVAILABLE')], sort: { field: 'last_run_created_at', desc: true } });
  out.found = await client.findExperiment('nightly');
  out.experiment = await client.createExperiment({ displayName: 'nightly', description: 'Nightly training' });
  out.getExperiment = await client.getExperiment(EXPERIMENT.experiment_id);
  await client.archiveExperiment(EXPERIMENT.experiment_id);
  await client.unarchiveExperiment(EXPERIMENT.experiment_id);
  await client.deleteExperiment(EXPERIMENT.experiment_id);
  out.runs = await client.listRuns({ filter: [oneOf('state', ['RUNNING', 'PENDING']), time('created_at', 'GREATER_THAN', Date.UTC(2026, 7, 1))], sort: { field: 'created_at', desc: true }, pageSize: 20 });
  out.expRuns = await client.listRuns({ experimentId: EXPERIMENT.experiment_id });
  out.run = await client.getRun(RUN.run_id);
  out.created = await client.createRun({
    displayName: 'hello-world 2026-08-27 09:20',
    description: 'from VS Code',
    experimentId: EXPERIMENT.experiment_id,
    pipelineVersion: { pipeline_id: PIPELINE.pipeline_id, pipeline_version_id: VERSION.pipeline_version_id },
    runtimeConfig: { parameters: { name: 'Kubeflow', times: 3, ratio: 0.5, loud: false, tags: ['a', 'b'], config: { retries: 3 } } },
    serviceAccount: 'default-editor',
  });
  out.inline = await client.createRun({ displayName: 'inline', pipelineSpec: VERSION.pipeline_spec });
  for (const op of ['terminateRun', 'retryRun', 'archiveRun', 'unarchiveRun', 'deleteRun'] as const) await client[op](RUN.run_id);
  out.recurring = await client.listRecurringRuns({ experimentId: EXPERIMENT.experiment_id });
  out.recurringNs = await client.listRecurringRuns();
  out.getRecurring = await client.getRecurringRun(RECURRING_RUN.recurring_run_id);
  out.createdRecurring = await client.createRecurringRun({
    displayName: 'nightly hello',
    experimentId: EXPERIMENT.experiment_id,
    pipelineVersion: { pipeline_id: PIPELINE.pipeline_id, pipeline_version_id: VERSION.pipeline_version_id },
    runtimeConfig: { parameters: { times: 1 } },
    trigger: { cron: { cron: '0 0 2 * * *', start_time: '2026-08-27T00:00:00Z' } },
    maxConcurrency: 2,
  });
  out.periodic = await client.createRecurringRun({ displayName: 'hourly', pipelineVersion: { pipeline_id: PIPELINE.pipeline_id }, trigger: { periodic: { interval_second: '3600' } }, enabled: false });
  await client.enableRecurringRun(RECURRING_RUN.recurring_run_id);
  await client.disableRecurringRun(RECURRING_RUN.recurring_run_id);
  await client.deleteRecurringRun(RECURRING_RUN.recurring_run_id);
  return out;
}

describe('KFP client against the v2beta1 swagger', function () {
  const specs: Partial<Record<keyof typeof KFP_SPECS, KfpSpec>> = {};
  before(function () {
    requireShared(this, 'kubeflow-specs', 'kfp-v2beta1', 'kfp_api_single_file.swagger.json');
    specs['2.17'] = new KfpSpec(KFP_SPECS['2.17']);
    requireShared('kubeflow-specs', 'kfp-v2beta1', 'compat-kfp-2.15.0');
    specs['2.15'] = new KfpSpec(KFP_SPECS['2.15']);
  });

  it('every fixture answer matches its operation\'s 200 schema (strict: no field the spec lacks)', function () {
    const spec = specs['2.17']!;
    for (const [re, method, json] of ANSWERS) {
      // An example path for the pattern: ids become `x1`, alternatives their first choice.
      const path = re.source.slice(1, -1).replace(/\[\^\/\]\+/g, 'x1').replace(/\((\w+)[^)]*\)\??/g, '$1').replace(/\\/g, '');
      assert.ok(re.test(path), `example ${path} for ${re}`);
      assert.deepEqual(spec.checkResponse({ method: method as HttpRequest['method'], path }, json), [], `${method} ${path}`);
    }
    assert.deepEqual(spec.checkError(NOT_FOUND), []);
  });

  it('the strict schemas catch a misspelt field, a wrong enum and an int64 sent as a number', function () {
    const spec = specs['2.17']!;
    assert.notDeepEqual(spec.checkResponse({ method: 'GET', path: '/apis/v2beta1/runs/x' }, { ...RUN, displayName: 'camel' }), []);
    assert.notDeepEqual(spec.checkResponse({ method: 'GET', path: '/apis/v2beta1/runs/x' }, { ...RUN, state: 'Running' }), []);
    assert.notDeepEqual(spec.checkResponse({ method: 'GET', path: '/apis/v2beta1/recurringruns/x' }, { ...RECURRING_RUN, max_concurrency: 1 }), []);
    assert.notDeepEqual(spec.checkRequest({ method: 'GET', path: '/apis/v2beta1/runs', query: { page_size: 'ten' } }), []);
    assert.notDeepEqual(spec.checkRequest({ method: 'POST', path: '/apis/v2beta1/pipelines/upload_version', query: { pipeline_id: 'x' }, body: { multipart: [{ name: 'uploadfile', filename: 'a.yaml', content: '' }] } }), []);
  });

  for (const version of ['2.17', '2.15'] as const) {
    it(`every request the client builds is valid for KFP ${version}`, async function () {
      const spec = specs[version]!;
      const { transport, log } = scripted(answer);
      // Tags came with 2.17; the editor does not send them.
      await exercise(new KfpClient(transport, { namespace: NS }), { tags: version === '2.17' });
      assert.ok(log.length >= 35, `exercised ${log.length} operations`);
      const problems = log.flatMap((x) => spec.checkRequest(x.req));
      assert.deepEqual(problems, []);
      const answers = log.flatMap((x) => specs['2.17']!.checkResponse(x.req, x.json));
      assert.deepEqual(answers, []);
    });
  }

  it('builds the requests a user\'s actions need: namespace, filters, sort, paging, the upload form', async () => {
    const { transport, log } = scripted(answer);
    const out = await exercise(new KfpClient(transport, { namespace: NS }));
    const find = (method: string, path: string | RegExp) => log.filter((x) => x.req.method === method && (typeof path === 'string' ? x.req.path === path : path.test(x.req.path)));

    const [list, shared] = find('GET', '/apis/v2beta1/pipelines');
    assert.equal(list!.req.query?.namespace, NS);
    assert.equal(list!.req.query?.sort_by, 'created_at desc');
    assert.equal(list!.req.query?.page_size, 50);
    assert.deepEqual(JSON.parse(String(list!.req.query?.filter)), { predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'hello' }] });
    assert.equal(shared!.req.query?.namespace, '', 'shared pipelines: the empty namespace');
    assert.deepEqual(out.pipelines, { items: [PIPELINE], totalSize: 3, nextPageToken: 'eyJTb3J0QnlGaWVsZE5hbWUiOiJDcmVhdGVkQXRJblNlYyJ9' });

    assert.equal(find('GET', /\/pipelines\/names\//)[0]!.req.path, '/apis/v2beta1/pipelines/names/hello%20world%2F%C3%BC', 'names are one encoded segment');

    const [upload, uploadShared] = find('POST', '/apis/v2beta1/pipelines/upload');
    assert.deepEqual(upload!.req.query, { name: 'hello-world', display_name: 'Hello world', description: 'from VS Code', namespace: NS, tags: '{"source":"vscode"}' });
    const part = (upload!.req.body as { multipart: { name: string; filename?: string; contentType?: string }[] }).multipart[0]!;
    assert.equal(part.name, 'uploadfile');
    assert.equal(part.filename, 'hello_world.py.yaml', 'the server needs a .yaml/.yml/.json file name');
    assert.equal(part.contentType, 'application/x-yaml');
    assert.equal(uploadShared!.req.query?.namespace, undefined, 'a shared pipeline is uploaded without a namespace');
    assert.equal((uploadShared!.req.body as { multipart: { contentType?: string }[] }).multipart[0]!.contentType, 'application/json');

    const version = find('POST', '/apis/v2beta1/pipelines/upload_version')[0]!;
    assert.equal(version.req.query?.pipelineid, PIPELINE.pipeline_id, 'upload_version takes `pipelineid`');

    assert.equal(find('DELETE', /\/pipelines\/[^/]+$/)[0]!.req.query?.cascade, true, 'deleting a pipeline removes its versions');

    const runs = find('GET', '/apis/v2beta1/runs');
    assert.equal(runs[0]!.req.query?.namespace, NS);
    assert.deepEqual(JSON.parse(String(runs[0]!.req.query?.filter)).predicates, [
      { key: 'state', operation: 'IN', string_values: { values: ['RUNNING', 'PENDING'] } },
      { key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2026-08-01T00:00:00Z' },
    ]);
    assert.equal(runs[1]!.req.query?.experiment_id, EXPERIMENT.experiment_id);
    assert.equal(runs[1]!.req.query?.namespace, undefined, 'with an experiment the namespace is implied');

    const created = find('POST', '/apis/v2beta1/runs')[0]!;
    assert.deepEqual((created.req.body as { json: { runtime_config: unknown } }).json.runtime_config, { parameters: { name: 'Kubeflow', times: 3, ratio: 0.5, loud: false, tags: ['a', 'b'], config: { retries: 3 } } });
    const inline = find('POST', '/apis/v2beta1/runs')[1]!;
    assert.deepEqual((inline.req.body as { json: Record<string, unknown> }).json.runtime_config, { parameters: {} }, 'a run always has a runtime config');

    assert.deepEqual((find('POST', '/apis/v2beta1/experiments')[0]!.req.body as { json: unknown }).json, { display_name: 'nightly', description: 'Nightly training', namespace: NS });
    assert.deepEqual(
      ['terminate', 'retry', 'archive', 'unarchive'].map((v) => find('POST', new RegExp(`/runs/${RUN.run_id}:${v}$`)).length),
      [1, 1, 1, 1],
    );

    const rr = find('POST', '/apis/v2beta1/recurringruns').map((x) => (x.req.body as { json: Record<string, unknown> }).json);
    assert.deepEqual(rr[0]!.trigger, { cron_schedule: { cron: '0 0 2 * * *', start_time: '2026-08-27T00:00:00Z' } });
    assert.equal(rr[0]!.max_concurrency, '2', 'int64 goes as a string');
    assert.equal(rr[1]!.mode, 'DISABLE');
    assert.deepEqual(rr[1]!.trigger, { periodic_schedule: { interval_second: '3600' } });
    assert.equal((out.recurring as { items: unknown[] }).items.length, 1, 'the camelCase recurringRuns key is read');
    assert.equal((out.healthz as { multi_user: boolean }).multi_user, true);
  });

  it('reads an empty list (`{}`), the snake_case recurring list, and follows page tokens', async () => {
    let calls = 0;
    const { transport } = scripted((req) => {
      if (req.path.endsWith('/experiments')) return { json: {} };
      if (req.path.endsWith('/recurringruns')) return { json: { recurring_runs: [RECURRING_RUN], total_size: 1 } };
      calls++;
      const token = req.query?.page_token;
      return { json: token ? { runs: [FAILED_RUN], total_size: 2 } : { runs: [RUN], total_size: 2, next_page_token: 'page2' } };
    });
    const client = new KfpClient(transport, { namespace: NS });
    assert.deepEqual(await client.listExperiments(), { items: [], totalSize: 0 });
    assert.equal((await client.listRecurringRuns()).items.length, 1);
    const all = await listAll((o) => client.listRuns(o));
    assert.deepEqual(all.map((r) => r.run_id), [RUN.run_id, FAILED_RUN.run_id]);
    assert.equal(calls, 2);
  });

  it('turns error answers into ApiError with the API\'s message; answers that are not JSON are named', async () => {
    const { transport } = scripted((req) => (req.path.includes('/names/') ? { status: 404, json: NOT_FOUND } : { status: 502, text: '<html>Bad Gateway</html>' }));
    const client = new KfpClient(transport, { namespace: NS });
    await assert.rejects(client.getPipelineByName('hello-world'), (err: unknown) => err instanceof ApiError && err.status === 404 && /Pipeline hello-world not found/.test(err.message));
    await assert.rejects(client.listRuns(), (err: unknown) => err instanceof ApiError && err.status === 502 && /Bad Gateway/.test(err.message));
    const ok = scripted(() => ({ text: 'not json' }));
    await assert.rejects(new KfpClient(ok.transport).getRun('x'), /not JSON/);
    assert.throws(() => new KfpClient(ok.transport).getRun(''), /empty id/);
  });

  it('a step log the server cannot read (its handler answers 200 with its error body) is an error with its message', async () => {
    const error = { error_message: 'BadRequestError: Failed to read logs for run r1: InternalServerError: Failed to read logs from pod p-1 due to error opening log stream: the server could not find the requested resource', error_details: 'BadRequestError: …' };
    const { transport } = scripted((req) => (req.path.endsWith('/nodes/gone/log') ? { json: error } : { text: '{"error_message": "a line the step printed"}\nHello\n' }));
    const client = new KfpClient(transport);
    await assert.rejects(client.readNodeLog('r1', 'gone'), (err: unknown) => err instanceof ApiError && err.status === 500 && err.message === error.error_message);
    assert.equal(await client.readNodeLog('r1', 'there'), '{"error_message": "a line the step printed"}\nHello\n', 'a log that only looks like one is the log');
  });

  it('filter helpers: nothing to filter → no parameter', () => {
    assert.equal(filterParam([]), undefined);
    assert.equal(filterParam(undefined), undefined);
  });
});
