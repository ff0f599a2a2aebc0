// The editor's KFP client (core/kfp) against the real KFP 2.17 cluster (test/rigs/kfp-stack/cluster.ts: API server,
// persistence agent, ScheduledWorkflow controller, Argo v4 + pod player, MLMD, S3 store) on the kube rig: a pipeline
// compiled by the real kfp SDK uploaded and found again, a version whose stored spec equals the local file and gives
// the run form's fields, runs created from the form's values, listed with filters, archived, restored and deleted;
// runs that execute: their tasks placed on the graph (loops, branches, cached steps), step logs, a failing step,
// retry, terminate; recurring runs; the server's own error messages (a duplicate name, a pipeline the
// server refuses, a run of a missing version, parameters it cannot start a run with, a retry of a run that did not
// fail) and an unreachable server reaching the caller. Every request and answer is checked against the 2.17 swagger.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ApiError, fetchTransport, UnreachableError, type HttpTransport } from '../../core/http/transport';
import { ArtifactApiDetector, hasArtifactApi } from '../../core/kfp/artifacts';
import { KfpClient, listAll } from '../../core/kfp/client';
import { eq, substring } from '../../core/kfp/filter';
import { buildParameters, formSpec, initialValues } from '../../core/kfp/params';
import { mapTaskDetails } from '../../core/kfp/runState';
import { specFromText } from '../../core/kfp/spec';
import { runSettled } from '../../core/kfp/settled';
import type { Run } from '../../core/kfp/types';
import { parsePipeline } from '../../core/pipeline/parse';
import type { PipelineModel } from '../../core/pipeline/model';
import { compilePipeline } from '../rigs/kfp/index';
import { uploadHelloWithVersion } from '../support/kfp-upload-check';
import { startKfpCluster, type KfpCluster } from '../rigs/kfp-stack/cluster';
import { grantProfile, startKfpStack, type KfpStack } from '../rigs/kfp-stack/index';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { checkedTransport, KFP_SPECS, KfpSpec } from '../support/kfp-swagger';
import { until } from '../support/wait';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');
const RECORD = path.resolve(__dirname, '../fixtures/kfp-real');
/** Run details as the real server returned them, kept for the record (test/fixtures/kfp-real/ has a recorded copy). */
const RECORDED = path.resolve(__dirname, '../../test-output/kfp-real');

describe('KFP client against the real KFP 2.17 API server', function () {
  this.timeout(600_000);
  let kube: KubeRig;
  let cluster: KfpCluster;
  let kfp: KfpStack;
  let client: KfpClient;
  let hello: string;
  let control: string;
  let flaky: string;
  const problems: string[] = [];
  let spec: KfpSpec;

  const checked = (inner: HttpTransport): HttpTransport => checkedTransport(() => spec, problems, inner);
  /** KFVS_RECORD_KFP_REAL=1 writes the real server's answer to test/fixtures/kfp-real/<name>.json (unit tests read them). */
  const record = (name: string, value: unknown) => {
    if (process.env.KFVS_RECORD_KFP_REAL !== '1') return;
    fs.mkdirSync(RECORD, { recursive: true });
    fs.writeFileSync(path.join(RECORD, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
  };

  /**
   * Polls the run until it has ended (the cluster executes it) and, given its model, until no task of it is pending
   * or running and its task details are those of the read before (core/kfp/settled.ts, as the run view waits): the
   * real server records the run's final state before that report's task details.
   */
  const waitEnd = (id: string, model?: PipelineModel): Promise<Run> => {
    let previous: Run | undefined;
    return until(`run ${id} to end`, 400_000, async () => {
      const r = await client.getRun(id);
      const before = previous;
      previous = r;
      if (!runSettled(r, before)) return undefined;
      const tasks = model ? Object.values(mapTaskDetails(model, r.run_details?.task_details ?? []).tasks) : [];
      return tasks.some((t) => t.state === 'running' || t.state === 'pending') ? undefined : r;
    }, 500);
  };

  /** The `main` log of the run's pod for an Argo node (the pod the run view finds by its node-id annotation). */
  const podLog = async (runId: string, node: string): Promise<string> => {
    const pods = JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'pods', '-l', `pipeline/runid=${runId}`, '-o', 'json'])) as { items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }> };
    const pod = pods.items.find((p) => p.metadata.annotations?.['workflows.argoproj.io/node-id'] === node);
    assert.ok(pod, `a pod of node ${node}: ${pods.items.map((p) => p.metadata.name).join(', ')}`);
    return kube.kubectl(['-n', 'kubeflow', 'logs', pod.metadata.name, '-c', 'main']);
  };

  before(async () => {
    spec = new KfpSpec(KFP_SPECS['2.17']);
    [kube, hello, control, flaky] = await Promise.all([
      startKubeRig({ crds: false, controllers: true }),
      compilePipeline(path.join(FIXTURES, 'hello_world.py'), path.join(OUT, 'client-real-hello_world.yaml')),
      compilePipeline(path.join(FIXTURES, 'control_flow.py'), path.join(OUT, 'client-real-control_flow.yaml')),
      compilePipeline(path.join(FIXTURES, 'flaky.py'), path.join(OUT, 'client-real-flaky.yaml')),
    ]);
    cluster = await startKfpCluster(kube);
    kfp = cluster.kfp;
    client = new KfpClient(checked(fetchTransport(kfp.url)));
  });

  after(async () => {
    await cluster?.stop();
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

  it('parameters the server cannot start a run with: its messages name the parameter', async () => {
    const p = await client.getPipelineByName('hello-world');
    const refused = (parameters: Record<string, unknown>) => client.createRun({ displayName: 'bad', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters } }).then(() => undefined, (e: unknown) => e);
    const wrong = await refused({ times: 'three' });
    assert.ok(wrong instanceof ApiError && wrong.status === 400, String(wrong));
    assert.match(wrong.message, /times/);
    const extra = await refused({ colour: 'red' });
    assert.ok(extra instanceof ApiError && extra.status === 400, String(extra));
    assert.match(extra.message, /colour/);
  });

  it('an unreachable server: the client says which address it cannot reach', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = s.address() as net.AddressInfo;
        s.close(() => resolve(p));
      });
    });
    const err = await new KfpClient(fetchTransport(`http://127.0.0.1:${port}`)).healthz().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UnreachableError, String(err));
    assert.match(err.message, new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });

  it('a run from the form\'s values succeeds; its task is placed on the graph; its pod has its output, the API server\'s copy its message; a repeat is cached', async () => {
    const p = await client.getPipelineByName('hello-world');
    const form = formSpec(specFromText(fs.readFileSync(hello, 'utf8')));
    const built = buildParameters(form.fields, initialValues(form.fields, { name: 'Graph', times: '2' }));
    assert.ok(built.ok);
    const create = async (displayName: string) => (await client.createRun({ displayName, pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: built.parameters } })).run_id!;
    const model = parsePipeline(fs.readFileSync(hello, 'utf8'));
    const run = await waitEnd(await create('graph'), model);
    assert.equal(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    const { tasks, unplaced } = mapTaskDetails(model, run.run_details?.task_details ?? []);
    assert.deepEqual(Object.keys(tasks), ['say-hello']);
    assert.deepEqual(unplaced, []);
    const say = tasks['say-hello']!;
    assert.equal(say.state, 'succeeded');
    assert.ok(say.started && say.finished && say.finished >= say.started);
    const node = say.instances[0]!.attempts[0]!.node;
    assert.match(await podLog(run.run_id!, node), /Hello, Graph!Hello, Graph!/, 'the component\'s own output, in the pod the run view opens');
    // the server reads a step log from the pod named by the node id, which Argo v4's pod names are not: its message
    await assert.rejects(client.readNodeLog(run.run_id!, node), (e: unknown) => e instanceof ApiError && e.status === 500 && new RegExp(`Failed to read logs from pod ${node}`).test(e.message));

    const again = await waitEnd(await create('graph again'), model);
    fs.mkdirSync(RECORDED, { recursive: true });
    fs.writeFileSync(path.join(RECORDED, 'hello_cached.run.json'), JSON.stringify(again, null, 2));
    assert.equal(again.state, 'SUCCEEDED');
    assert.equal(mapTaskDetails(model, again.run_details?.task_details ?? []).tasks['say-hello']?.state, 'cached', 'same inputs: the step took the cached result');
    const succeeded = await client.listRuns({ filter: [substring('display_name', 'graph'), eq('state', 'SUCCEEDED')], sort: { field: 'created_at', desc: true } });
    assert.deepEqual(succeeded.items.map((r) => r.run_id), [again.run_id, run.run_id]);
    const notFailed = await client.retryRun(run.run_id!).then(() => undefined, (e: unknown) => e);
    assert.ok(notFailed instanceof ApiError && notFailed.status >= 400, `only a failed run can be retried: ${String(notFailed)}`);
    assert.ok(notFailed.message.length > 10 && !/^\s*[{[]/.test(notFailed.message), `the server's message: ${notFailed.message}`);
  });

  it('a failing step fails the run (its task failed, its log has the error); retry succeeds; a long run terminated shows canceling', async () => {
    const p = await client.uploadPipeline({ fileName: 'flaky.yaml', content: fs.readFileSync(flaky, 'utf8'), name: 'flaky' });
    const model = parsePipeline(fs.readFileSync(flaky, 'utf8'));
    // the step's container sees this machine's files: it fails until this one exists (outside /tmp, which a played
    // container has of its own: the repository itself may be under /tmp, as in CI's clone)
    const go = path.join('/var/tmp', `kfvs-client-real-flaky-go-${process.pid}-${Date.now()}`);
    const failed = await waitEnd((await client.createRun({ displayName: 'failing', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { go_file: go } } })).run_id!, model);
    assert.equal(failed.state, 'FAILED');
    const step = mapTaskDetails(model, failed.run_details?.task_details ?? []).tasks['wait-for'];
    assert.equal(step?.state, 'failed');
    assert.match(await podLog(failed.run_id!, step.instances[0]!.attempts.at(-1)!.node), /RuntimeError: .* is absent/);

    fs.writeFileSync(go, 'go\n');
    await client.retryRun(failed.run_id!);
    const retried = await until('the retried run to succeed', 400_000, async () => {
      const r = await client.getRun(failed.run_id!);
      return r.state === 'SUCCEEDED' ? waitEnd(failed.run_id!, model) : undefined;
    }, 500);
    assert.equal(mapTaskDetails(model, retried.run_details?.task_details ?? []).tasks['wait-for']?.state, 'succeeded');

    const long = await client.createRun({ displayName: 'long', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { go_file: go, seconds: 600 } } });
    await until('the long run\'s step to run', 300_000, async () => {
      const r = await client.getRun(long.run_id!);
      return mapTaskDetails(model, r.run_details?.task_details ?? []).tasks['wait-for']?.state === 'running';
    }, 500);
    await client.terminateRun(long.run_id!);
    // the server takes it at once (CANCELING; FAILED once the stopped step's Workflow has ended, as KFP 2.17 reports it)
    await until('the long run to be canceling', 60_000, async () => ['CANCELING', 'CANCELED', 'FAILED'].includes((await client.getRun(long.run_id!)).state ?? ''), 500);
    await client.deleteRun(long.run_id!);
    await assert.rejects(client.getRun(long.run_id!), (e: unknown) => e instanceof ApiError && e.status === 404);
    fs.rmSync(go, { force: true });
  });

  it('control flow: loop iterations, the branch taken and those skipped land on the graph\'s tasks', async () => {
    const p = await client.uploadPipeline({ fileName: 'control_flow.yaml', content: fs.readFileSync(control, 'utf8'), name: 'control-flow' });
    const model = parsePipeline(fs.readFileSync(control, 'utf8'));
    const run = await waitEnd((await client.createRun({ displayName: 'control flow', pipelineVersion: { pipeline_id: p.pipeline_id! }, runtimeConfig: { parameters: { n: 2 } } })).run_id!, model);
    assert.equal(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    const { tasks, unplaced } = mapTaskDetails(model, run.run_details?.task_details ?? []);
    fs.mkdirSync(RECORDED, { recursive: true });
    fs.writeFileSync(path.join(RECORDED, 'control_flow.run.json'), JSON.stringify(run, null, 2));
    assert.deepEqual(unplaced.map((id) => run.run_details?.task_details?.find((t) => t.task_id === id || t.pod_name === id)?.display_name ?? id), []);
    const train = Object.entries(tasks).find(([k]) => /^(.*\/)?for-loop-2\/train$/.test(k))?.[1];
    assert.ok(train, `the loop body task: ${Object.keys(tasks).join(', ')}`);
    assert.deepEqual(train.instances.map((i) => i.iteration), [0, 1], 'one instance per item of make-items(n=2), in order');
    assert.equal(train.state, 'succeeded');
    const cond = (id: string) => Object.entries(tasks).find(([k]) => k.endsWith(id))?.[1].state;
    const branches = [cond('condition-4'), cond('condition-5'), cond('condition-6')];
    assert.equal(branches.filter((s) => s === 'succeeded').length, 1, `one branch of the coin flip taken: ${JSON.stringify(branches)}`);
    assert.equal(branches.filter((s) => s === 'skipped').length, 2, `the other two skipped: ${JSON.stringify(branches)}`);
    for (const [key, t] of Object.entries(tasks)) {
      // Every task key names a task of the model at that path.
      const parts = key.split('/');
      let dag = model.root;
      for (const id of parts.slice(0, -1)) dag = model.dags[dag.tasks.find((x) => x.id === id)!.subDag!]!;
      assert.ok(dag.tasks.some((x) => x.id === t.task), key);
    }
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
