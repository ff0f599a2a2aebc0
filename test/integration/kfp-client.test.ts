// The editor's KFP client (core/kfp) against the KFP API stand-in on the kube rig (test/rigs/kfp-server), the way the
// extension uses it: a pipeline compiled by the real kfp SDK uploaded and found again, a version whose spec equals the
// local file, the run form's parameters, runs that succeed, fail, are retried and terminated, their task states on
// the graph (loops, branches, cached steps), step logs from the API server, paging and filters, archive and delete,
// recurring runs, and the server's error messages. Every request and answer is also checked against the swagger.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, fetchTransport, type HttpTransport } from '../../core/http/transport';
import { KfpClient, listAll } from '../../core/kfp/client';
import { eq, substring } from '../../core/kfp/filter';
import { buildParameters, formSpec, initialValues } from '../../core/kfp/params';
import { mapTaskDetails } from '../../core/kfp/runState';
import { specFromText } from '../../core/kfp/spec';
import { isTerminal, type Run } from '../../core/kfp/types';
import { parsePipeline } from '../../core/pipeline/parse';
import { compilePipeline } from '../rigs/kfp/index';
import { uploadHelloWithVersion } from '../support/kfp-upload-check';
import { startKfpServer, type KfpServer } from '../rigs/kfp-server/index';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { checkedTransport, KFP_SPECS, KfpSpec } from '../support/kfp-swagger';
import { until } from '../support/wait';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');

describe('KFP client against the KFP API stand-in', function () {
  this.timeout(240_000);
  let kube: KubeRig;
  let kfp: KfpServer;
  let client: KfpClient;
  let hello: string;
  let control: string;
  const problems: string[] = [];
  let spec: KfpSpec;

  /** The transport the extension would use, with every exchange checked against the swagger. */
  const checked = (inner: HttpTransport): HttpTransport => checkedTransport(() => spec, problems, inner);

  const waitEnd = (id: string): Promise<Run> => until(`run ${id} to end`, 60_000, async () => {
    const r = await client.getRun(id);
    return isTerminal(r.state) ? r : undefined;
  }, 200);

  before(async () => {
    spec = new KfpSpec(KFP_SPECS['2.17']);
    [kube, hello, control] = await Promise.all([
      startKubeRig({ crds: false }),
      compilePipeline(path.join(FIXTURES, 'hello_world.py'), path.join(OUT, 'client-hello_world.yaml')),
      compilePipeline(path.join(FIXTURES, 'control_flow.py'), path.join(OUT, 'client-control_flow.yaml')),
    ]);
    kfp = await startKfpServer({ kube, stepDelayMs: 400, driverDelayMs: 50, pendingDelayMs: 150 });
    client = new KfpClient(checked(fetchTransport(kfp.url)));
  });

  after(async () => {
    await kfp?.stop();
    await kube?.stop();
  });

  afterEach(() => {
    assert.deepEqual(problems.splice(0), [], 'requests and answers match the swagger');
    assert.deepEqual(kfp.violations(), [], 'the stand-in saw nothing outside the spec');
  });

  it('uploads a compiled pipeline, finds it by name, adds a version; the version holds the local file\'s pipeline', async () => {
    assert.deepEqual(await client.healthz(), { multi_user: false, pipeline_store: 'database', ...(await client.healthz()) });
    const { duplicate } = await uploadHelloWithVersion(client, fs.readFileSync(hello, 'utf8'));
    assert.ok(duplicate.message.length > 10, `the server's message: ${duplicate.message}`);
  });

  it('a run from the form\'s values succeeds; its tasks map onto the graph; the step log comes from the API; a repeat is cached', async () => {
    const exp = await client.createExperiment({ displayName: 'client-test', description: 'runs of the client test' });
    assert.equal((await client.findExperiment('client-test'))?.experiment_id, exp.experiment_id);
    const p = await client.getPipelineByName('hello-world');
    const version = (await client.listPipelineVersions(p.pipeline_id!, { sort: { field: 'created_at', desc: true }, pageSize: 1 })).items[0]!;
    const localSpec = specFromText(fs.readFileSync(hello, 'utf8'));
    const form = formSpec(localSpec);
    const built = buildParameters(form.fields, initialValues(form.fields, { name: 'Client', times: '3', tags: '["x", "y"]' }));
    assert.ok(built.ok);
    const created = await client.createRun({ displayName: 'hello from the client', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id!, pipeline_version_id: version.pipeline_version_id! }, runtimeConfig: { parameters: built.parameters } });
    assert.equal(created.state, 'PENDING');
    const run = await waitEnd(created.run_id!);
    assert.equal(run.state, 'SUCCEEDED');
    assert.deepEqual(run.runtime_config?.parameters, built.parameters);

    const model = parsePipeline(fs.readFileSync(hello, 'utf8'));
    const { tasks, unplaced } = mapTaskDetails(model, run.run_details?.task_details ?? []);
    assert.deepEqual(Object.keys(tasks), ['say-hello']);
    assert.deepEqual(unplaced, []);
    const say = tasks['say-hello']!;
    assert.equal(say.state, 'succeeded');
    assert.ok(say.started && say.finished && say.finished >= say.started);
    assert.equal(say.instances[0]!.attempts.length, 1);
    const log = await client.readNodeLog(run.run_id!, say.instances[0]!.attempts[0]!.node);
    assert.match(log, /name = "Client"/);

    const again = await waitEnd((await client.createRun({ displayName: 'hello again', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: built.parameters } })).run_id!);
    assert.equal(mapTaskDetails(model, again.run_details?.task_details ?? []).tasks['say-hello']?.state, 'cached', 'same inputs: the step took the cached result');

    const runs = await listAll((o) => client.listRuns({ ...o, experimentId: exp.experiment_id! }), { pageSize: 1, sort: { field: 'created_at', desc: true } });
    assert.deepEqual(runs.map((r) => r.display_name), ['hello again', 'hello from the client'], 'paged one by one, newest first');
    const filtered = await client.listRuns({ filter: [substring('display_name', 'again'), eq('state', 'SUCCEEDED')] });
    assert.deepEqual(filtered.items.map((r) => r.run_id), [again.run_id]);
  });

  it('a failing step fails the run (task state failed); retry succeeds; terminate stops a long run', async () => {
    const p = await client.getPipelineByName('hello-world');
    kfp.setFailTasks(['say-hello']);
    const failed = await waitEnd((await client.createRun({ displayName: 'failing', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { name: 'Fail' } } })).run_id!);
    assert.equal(failed.state, 'FAILED');
    const model = parsePipeline(fs.readFileSync(hello, 'utf8'));
    assert.equal(mapTaskDetails(model, failed.run_details?.task_details ?? []).tasks['say-hello']?.state, 'failed');
    const log = await client.readNodeLog(failed.run_id!, mapTaskDetails(model, failed.run_details?.task_details ?? []).tasks['say-hello']!.instances[0]!.attempts[0]!.node);
    assert.match(log, /Traceback/);
    kfp.setFailTasks([]);
    await client.retryRun(failed.run_id!);
    assert.equal((await waitEnd(failed.run_id!)).state, 'SUCCEEDED');

    const long = await client.createRun({ displayName: 'long', description: 'rig:delay=30000', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { name: 'Long' } } });
    await until('the long run to run', 20_000, async () => (await client.getRun(long.run_id!)).state === 'RUNNING');
    await client.terminateRun(long.run_id!);
    assert.ok(['CANCELING', 'CANCELED', 'FAILED'].includes((await client.getRun(long.run_id!)).state ?? ''), 'terminate takes at once');
    assert.ok(isTerminal((await waitEnd(long.run_id!)).state));
  });

  it('control flow: loop iterations, the branch taken and those skipped land on the graph\'s tasks', async () => {
    const p = await client.uploadPipeline({ fileName: 'control_flow.yaml', content: fs.readFileSync(control, 'utf8'), name: 'control-flow' });
    const run = await waitEnd((await client.createRun({ displayName: 'control flow', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { n: 2 } } })).run_id!);
    assert.equal(run.state, 'SUCCEEDED');
    const model = parsePipeline(fs.readFileSync(control, 'utf8'));
    const { tasks, unplaced } = mapTaskDetails(model, run.run_details?.task_details ?? []);
    assert.deepEqual(unplaced.map((id) => run.run_details?.task_details?.find((t) => t.task_id === id || t.pod_name === id)?.display_name ?? id), []);
    const loopBody = Object.entries(tasks).filter(([k]) => /^(.*\/)?for-loop-2\/train$/.test(k));
    assert.equal(loopBody.length, 1, `the loop body task: ${Object.keys(tasks).join(', ')}`);
    const train = loopBody[0]![1];
    const iterations = (run.run_details?.task_details ?? []).filter((t) => t.display_name === 'train').length;
    assert.ok(iterations >= 2, `${iterations} iterations`);
    assert.deepEqual(train.instances.map((i) => i.iteration), [...Array(iterations).keys()], 'one instance per iteration, in order');
    assert.equal(train.state, 'succeeded');
    const cond = (id: string) => Object.entries(tasks).find(([k]) => k.endsWith(id))?.[1].state;
    assert.deepEqual([cond('condition-4'), cond('condition-5'), cond('condition-6')], ['succeeded', 'skipped', 'skipped']);
    for (const [key, t] of Object.entries(tasks)) {
      // Every task key names a task of the model at that path.
      const parts = key.split('/');
      let dag = model.root;
      for (const id of parts.slice(0, -1)) dag = model.dags[dag.tasks.find((x) => x.id === id)!.subDag!]!;
      assert.ok(dag.tasks.some((x) => x.id === t.task), key);
    }
  });

  it('archive, restore and delete a run; experiments; recurring runs with a cron', async () => {
    const exp = await client.createExperiment({ displayName: 'nightly' });
    const p = await client.getPipelineByName('hello-world');
    const r = (await client.listRuns({ filter: [eq('display_name', 'failing')] })).items[0]!;
    await client.archiveRun(r.run_id!);
    assert.equal((await client.getRun(r.run_id!)).storage_state, 'ARCHIVED');
    assert.ok(!(await client.listRuns({ filter: [eq('storage_state', 'AVAILABLE')] })).items.some((x) => x.run_id === r.run_id));
    await client.unarchiveRun(r.run_id!);
    await client.deleteRun(r.run_id!);
    await assert.rejects(client.getRun(r.run_id!), (e: unknown) => e instanceof ApiError && e.status === 404);

    const rr = await client.createRecurringRun({ displayName: 'nightly hello', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { times: 1 } }, trigger: { cron: { cron: '0 0 2 * * *' } } });
    assert.equal(rr.status, 'ENABLED');
    const listed = await client.listRecurringRuns({ experimentId: exp.experiment_id! });
    assert.deepEqual(listed.items.map((x) => x.trigger?.cron_schedule?.cron), ['0 0 2 * * *']);
    await client.disableRecurringRun(rr.recurring_run_id!);
    assert.equal((await client.getRecurringRun(rr.recurring_run_id!)).status, 'DISABLED');
    const bad = await client.createRecurringRun({ displayName: 'bad', pipelineVersion: { pipeline_id: p.pipeline_id! }, trigger: { cron: { cron: '0 0 2 * * *' } }, maxConcurrency: 20 }).then(() => undefined, (e: unknown) => e);
    assert.ok(bad instanceof ApiError && /Max concurrency/.test(bad.message), String(bad));
    await client.deleteRecurringRun(rr.recurring_run_id!);
    await client.archiveExperiment(exp.experiment_id!);
    assert.equal((await client.getExperiment(exp.experiment_id!)).storage_state, 'ARCHIVED');
  });

  it('multi-user: the profile namespace on experiments, runs and private pipelines; no identity → the server\'s 401 message', async () => {
    const mu = await startKfpServer({ kube, multiUser: true, inCluster: false, stepDelayMs: 100, driverDelayMs: 20, pendingDelayMs: 50 });
    try {
      const ns = kube.namespace;
      const user = new KfpClient(checked(fetchTransport(mu.url, () => ({ 'kubeflow-userid': 'user@example.com' }))), { namespace: ns });
      assert.equal((await user.healthz()).multi_user, true);
      const exp = await user.createExperiment({ displayName: 'mine' });
      assert.equal(exp.namespace, ns);
      const p = await user.uploadPipeline({ fileName: 'hello_world.yaml', content: fs.readFileSync(hello, 'utf8'), name: 'hello-private' });
      assert.equal(p.namespace, ns, 'uploaded as a private pipeline of the profile');
      assert.deepEqual((await user.listPipelines()).items.map((x) => x.name), ['hello-private']);
      const run = await user.createRun({ displayName: 'mine', experimentId: exp.experiment_id!, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { name: 'Mine' } } });
      assert.deepEqual((await user.listRuns()).items.map((r) => r.run_id), [run.run_id], 'listed by the profile namespace');
      const anonymous = new KfpClient(fetchTransport(mu.url), { namespace: ns });
      const err = await anonymous.listRuns().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ApiError && err.status === 401 && err.message.length > 5, String(err));
      assert.deepEqual(mu.violations(), []);
    } finally {
      await mu.stop();
    }
  });
});
