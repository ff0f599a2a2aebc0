// The editor's KFP client (core/kfp) against the real KFP 2.17 API server (test/rigs/kfp-stack) on the kube rig:
// what needs no run to execute (execution is the Argo rig's part): a pipeline compiled by the real kfp SDK uploaded
// and found again, a version whose stored spec equals the local file and gives the run form's fields, runs created
// from the form's values, listed with filters, archived, restored and deleted, recurring runs, and the server's own
// error messages (a duplicate name, a pipeline the server refuses, a run of a missing version) reaching the caller.
// Every request and answer is checked against the 2.17 swagger, as with the stand-in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, fetchTransport, type HttpTransport } from '../../core/http/transport';
import { ArtifactApiDetector, hasArtifactApi } from '../../core/kfp/artifacts';
import { KfpClient, listAll } from '../../core/kfp/client';
import { eq, substring } from '../../core/kfp/filter';
import { buildParameters, formSpec, initialValues } from '../../core/kfp/params';
import { specFromText } from '../../core/kfp/spec';
import { compilePipeline } from '../rigs/kfp/index';
import { uploadHelloWithVersion } from '../support/kfp-upload-check';
import { grantProfile, startKfpStack, type KfpStack } from '../rigs/kfp-stack/index';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { checkedTransport, KFP_SPECS, KfpSpec } from '../support/kfp-swagger';
import { until } from '../support/wait';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');
const RECORD = path.resolve(__dirname, '../fixtures/kfp-real');

describe('KFP client against the real KFP 2.17 API server', function () {
  this.timeout(300_000);
  let kube: KubeRig;
  let kfp: KfpStack;
  let client: KfpClient;
  let hello: string;
  const problems: string[] = [];
  let spec: KfpSpec;

  const checked = (inner: HttpTransport): HttpTransport => checkedTransport(() => spec, problems, inner);
  /** KFVS_RECORD_KFP_REAL=1 writes the real server's answer to test/fixtures/kfp-real/<name>.json (unit tests read them). */
  const record = (name: string, value: unknown) => {
    if (process.env.KFVS_RECORD_KFP_REAL !== '1') return;
    fs.mkdirSync(RECORD, { recursive: true });
    fs.writeFileSync(path.join(RECORD, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
  };

  before(async () => {
    spec = new KfpSpec(KFP_SPECS['2.17']);
    [kube, hello] = await Promise.all([
      startKubeRig({ crds: false }),
      compilePipeline(path.join(FIXTURES, 'hello_world.py'), path.join(OUT, 'client-real-hello_world.yaml')),
    ]);
    kfp = await startKfpStack(kube, { inCluster: false });
    client = new KfpClient(checked(fetchTransport(kfp.url)));
  });

  after(async () => {
    await kfp?.stop();
    await kube?.stop();
  });

  afterEach(() => {
    assert.deepEqual(problems.splice(0), [], 'requests and answers match the swagger');
  });

  it('uploads a compiled pipeline, finds it by name, adds a version; the version holds the local file\'s pipeline', async () => {
    const h = await client.healthz();
    assert.equal(h.multi_user, false);
    const { pipeline, version, duplicate } = await uploadHelloWithVersion(client, fs.readFileSync(hello, 'utf8'));
    // the upload endpoint answers {error_message, error_details}; its message is all it says (the name is in its log)
    assert.equal(duplicate.message, 'Failed to create a pipeline and a pipeline version', 'the server\'s own message, not the stack in error_details');
    record('pipeline-version', version);
    record('pipeline-versions', await (await fetch(`${kfp.url}/apis/v2beta1/pipelines/${pipeline.pipeline_id}/versions`)).json());
  });

  it('has no KFP artifact API (KEP 12147 is after 2.17): detected as absent, so run outputs stay on MLMD', async () => {
    // not through the swagger check: the route is not in the 2.17 swagger, which is the point
    const raw = fetchTransport(kfp.url);
    const res = await raw({ method: 'GET', path: '/apis/v2beta1/artifact_tasks', query: { page_size: 1 } });
    assert.equal(res.status, 404, res.text);
    assert.equal(await hasArtifactApi(raw), false);
    assert.equal(await new ArtifactApiDetector().detect(kfp.url, raw), false);
  });

  it('a pipeline the server refuses: its message reaches the caller', async () => {
    const bad = await client.uploadPipeline({ fileName: 'notes.yaml', content: 'hello: world\n', name: 'not-a-pipeline' }).then(() => undefined, (e: unknown) => e);
    assert.ok(bad instanceof ApiError && bad.status === 400, String(bad));
    assert.equal(bad.message, 'unknown template format');
    await assert.rejects(client.getPipelineByName('not-a-pipeline'), (e: unknown) => e instanceof ApiError && e.status === 404, 'nothing was stored');
  });

  it('runs from the form\'s values: created in the experiment, listed with filters and pages, archived, restored, deleted', async () => {
    const exp = await client.createExperiment({ displayName: 'client-test', description: 'runs of the client test' });
    assert.equal((await client.findExperiment('client-test'))?.experiment_id, exp.experiment_id);
    const p = await client.getPipelineByName('hello-world');
    const version = (await client.listPipelineVersions(p.pipeline_id!, { sort: { field: 'created_at', desc: true }, pageSize: 1 })).items[0]!;
    const form = formSpec(specFromText(fs.readFileSync(hello, 'utf8')));
    const built = buildParameters(form.fields, initialValues(form.fields, { name: 'Client', times: '3', tags: '["x", "y"]' }));
    assert.ok(built.ok);
    const created = await client.createRun({ displayName: 'hello from the client', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id!, pipeline_version_id: version.pipeline_version_id! }, runtimeConfig: { parameters: built.parameters } });
    assert.ok(created.run_id);
    const got = await client.getRun(created.run_id!);
    record('run-created', got);
    assert.deepEqual(got.runtime_config?.parameters, built.parameters);
    assert.equal(got.experiment_id, exp.experiment_id);
    // the server keeps created_at in whole seconds: the second run is created in a later second than the first
    const firstAt = Date.parse(got.created_at!);
    await until('the next second of the server\'s clock', 5_000, () => Date.now() >= firstAt + 1_000, 50);
    const second = await client.createRun({ displayName: 'hello again', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: built.parameters } });

    const runs = await listAll((o) => client.listRuns({ ...o, experimentId: exp.experiment_id! }), { pageSize: 1, sort: { field: 'created_at', desc: true } });
    assert.deepEqual(runs.map((r) => r.display_name), ['hello again', 'hello from the client'], 'paged one by one, newest first');
    const filtered = await client.listRuns({ filter: [substring('display_name', 'again')] });
    assert.deepEqual(filtered.items.map((r) => r.run_id), [second.run_id]);

    await client.archiveRun(second.run_id!);
    assert.equal((await client.getRun(second.run_id!)).storage_state, 'ARCHIVED');
    assert.ok(!(await client.listRuns({ filter: [eq('storage_state', 'AVAILABLE')] })).items.some((x) => x.run_id === second.run_id));
    await client.unarchiveRun(second.run_id!);
    await client.deleteRun(second.run_id!);
    await assert.rejects(client.getRun(second.run_id!), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  it('a run of a version that does not exist: the server\'s message', async () => {
    const p = await client.getPipelineByName('hello-world');
    const err = await client.createRun({ displayName: 'nowhere', pipelineVersion: { pipeline_id: p.pipeline_id!, pipeline_version_id: '00000000-0000-0000-0000-000000000000' } }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApiError && err.status >= 400, String(err));
    assert.ok(err.message.length > 10 && !/^\s*[{[]/.test(err.message), `a readable message from the server: ${err.message}`);
  });

  it('recurring runs with a cron: created enabled, listed, disabled, refused beyond max concurrency, deleted', async () => {
    const exp = await client.createExperiment({ displayName: 'nightly' });
    const p = await client.getPipelineByName('hello-world');
    const rr = await client.createRecurringRun({ displayName: 'nightly hello', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { times: 1 } }, trigger: { cron: { cron: '0 0 2 * * *' } } });
    assert.equal(rr.status, 'ENABLED');
    record('recurring-run', await client.getRecurringRun(rr.recurring_run_id!));
    const listed = await client.listRecurringRuns({ experimentId: exp.experiment_id! });
    assert.deepEqual(listed.items.map((x) => x.trigger?.cron_schedule?.cron), ['0 0 2 * * *']);
    await client.disableRecurringRun(rr.recurring_run_id!);
    await until('the recurring run to be disabled', 30_000, async () => (await client.getRecurringRun(rr.recurring_run_id!)).status === 'DISABLED');
    const bad = await client.createRecurringRun({ displayName: 'bad', pipelineVersion: { pipeline_id: p.pipeline_id! }, trigger: { cron: { cron: '0 0 2 * * *' } }, maxConcurrency: 20 }).then(() => undefined, (e: unknown) => e);
    assert.ok(bad instanceof ApiError && /concurrency/i.test(bad.message), String(bad));
    await client.deleteRecurringRun(rr.recurring_run_id!);
    await client.archiveExperiment(exp.experiment_id!);
    assert.equal((await client.getExperiment(exp.experiment_id!)).storage_state, 'ARCHIVED');
  });
});

describe('KFP client against the real KFP 2.17 API server in multi-user mode', function () {
  this.timeout(300_000);
  let kube: KubeRig;
  let kfp: KfpStack;
  let hello: string;
  const problems: string[] = [];
  const spec = new KfpSpec(KFP_SPECS['2.17']);
  const as = (user?: string) => new KfpClient(checkedTransport(() => spec, problems,
    fetchTransport(kfp.url, (): Record<string, string> => (user ? { 'kubeflow-userid': user } : {}))), { namespace: kube.namespace });

  before(async () => {
    [kube, hello] = await Promise.all([
      startKubeRig({ crds: false }),
      compilePipeline(path.join(FIXTURES, 'hello_world.py'), path.join(OUT, 'client-real-mu-hello_world.yaml')),
    ]);
    kfp = await startKfpStack(kube, { multiUser: true, inCluster: false });
    await grantProfile(kube, kube.namespace, 'user@example.com');
  });

  after(async () => {
    await kfp?.stop();
    await kube?.stop();
  });

  afterEach(() => {
    assert.deepEqual(problems.splice(0), [], 'requests and answers match the swagger');
  });

  it('the profile namespace on experiments, runs and private pipelines; its Workflow in that namespace', async () => {
    const user = as('user@example.com');
    const ns = kube.namespace;
    assert.equal((await user.healthz()).multi_user, true);
    const exp = await user.createExperiment({ displayName: 'mine' });
    assert.equal(exp.namespace, ns);
    const p = await user.uploadPipeline({ fileName: 'hello_world.yaml', content: fs.readFileSync(hello, 'utf8'), name: 'hello-private' });
    assert.equal(p.namespace, ns, 'uploaded as a private pipeline of the profile');
    assert.deepEqual((await user.listPipelines()).items.map((x) => x.name), ['hello-private']);
    const run = await user.createRun({ displayName: 'mine', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { name: 'Mine' } } });
    assert.deepEqual((await user.listRuns()).items.map((r) => r.run_id), [run.run_id], 'listed by the profile namespace');
    await until('the run\'s Workflow in the profile namespace', 60_000, async () => {
      const list = JSON.parse(await kube.kubectl(['-n', ns, 'get', 'workflows.argoproj.io', '-l', `pipeline/runid=${run.run_id}`, '-o', 'json'])) as { items: unknown[] };
      return list.items.length === 1;
    }, 300);
  });

  it('no identity: the server\'s 401 message; another user: its 403 message naming the user', async () => {
    const anonymous = await as().listRuns().then(() => undefined, (e: unknown) => e);
    assert.ok(anonymous instanceof ApiError && anonymous.status === 401, String(anonymous));
    assert.match(anonymous.message, /no user identity header/);
    const other = await as('other@example.com').listExperiments().then(() => undefined, (e: unknown) => e);
    assert.ok(other instanceof ApiError && other.status === 403, String(other));
    assert.match(other.message, /User 'other@example\.com' is not authorized/);
  });
});
