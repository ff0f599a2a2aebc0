// The KFP API server stand-in (test/rigs/kfp-server) on the kube rig, driven over HTTP like a client would: uploads of
// a pipeline compiled by the real kfp SDK and of an upstream-compiled one, listing with paging/sort/filter, the
// server's error bodies, runs that reach SUCCEEDED/FAILED with task details and step pods whose logs the kube API
// serves, terminate, retry, and the Service `ml-pipeline` reached through a kubectl port-forward. Every request and
// response is checked against the v2beta1 swagger by the rig; violations() must stay empty.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compilePipeline } from '../rigs/kfp/index';
import { startKfpServer, type KfpServer } from '../rigs/kfp-server/index';
import { specPath } from '../support/kfp-api-spec';
import { sharedDir, startKubeRig, type KubeRig } from '../rigs/kube/index';

const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');
const UPSTREAM_IR = path.join(sharedDir(), 'fixtures', 'kfp-ir', 'sdk-compiled', 'valid', 'pipeline_with_loops_and_conditions.yaml');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('KFP API server rig (stand-in on the kube rig)', function () {
  this.timeout(240_000);
  let kube: KubeRig;
  let kfp: KfpServer;
  let helloIr: string;
  let controlFlowIr: string;
  let base: string;

  const api = async (method: string, p: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base}/apis/v2beta1${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) as Json : {} };
  };
  const upload = async (file: string, query: Record<string, string>, endpoint = 'upload'): Promise<{ status: number; body: Json }> => {
    const form = new FormData();
    form.append('uploadfile', new Blob([fs.readFileSync(file)]), path.basename(file));
    const res = await fetch(`${base}/apis/v2beta1/pipelines/${endpoint}?${new URLSearchParams(query)}`, { method: 'POST', body: form });
    return { status: res.status, body: await res.json() as Json };
  };
  const taskByName = (run: Json, name: string): Json | undefined =>
    (run.run_details?.task_details as Json[] | undefined)?.find((t) => t.display_name === name);
  const podsOf = async (runId: string): Promise<Json[]> =>
    (JSON.parse(await kube.kubectl(['get', 'pods', '-n', 'kubeflow', '-l', `pipeline/runid=${runId}`, '-o', 'json'])) as { items: Json[] }).items;

  before(async function () {
    if (!fs.existsSync(specPath(sharedDir()))) throw new Error(`the KFP swagger ${specPath(sharedDir())} is absent (../shared); the stand-in validates against it`);
    [kube, helloIr, controlFlowIr] = await Promise.all([
      startKubeRig({ crds: false }),
      compilePipeline(path.join(FIXTURES, 'hello_world.py'), path.join(OUT, 'hello_world.yaml')),
      compilePipeline(path.join(FIXTURES, 'control_flow.py'), path.join(OUT, 'control_flow.yaml')),
    ]);
    kfp = await startKfpServer({ kube, stepDelayMs: 500, driverDelayMs: 50, pendingDelayMs: 200 });
    base = kfp.url;
  });

  after(async () => {
    await kfp?.stop();
    await kube?.stop();
  });

  afterEach(function () {
    if (kfp && this.currentTest?.state !== 'pending') assert.deepEqual(kfp.violations(), [], 'the stand-in broke the v2beta1 contract');
  });

  it('answers healthz, and the Service ml-pipeline:8888 in kubeflow reaches it through a kubectl port-forward', async () => {
    const h = await api('GET', '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.body.multi_user, false);
    assert.equal(h.body.pipeline_store, 'database');

    const svc = JSON.parse(await kube.kubectl(['get', 'svc', '-n', 'kubeflow', 'ml-pipeline', '-o', 'json'])) as Json;
    assert.deepEqual(svc.spec.ports.map((p: Json) => [p.name, p.port]), [['http', 8888], ['grpc', 8887]]);
    assert.equal(svc.spec.selector.app, 'ml-pipeline');

    const pf: ChildProcess = spawn(path.join(kube.binDir, 'kubectl'), ['--kubeconfig', kube.kubeconfigPath, 'port-forward', '-n', 'kubeflow', 'svc/ml-pipeline', ':8888'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const localPort = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no port-forward: ${out}`)), 20_000);
        pf.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        });
        pf.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
        pf.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kubectl port-forward exited ${code}: ${out}`)); });
      });
      const res = await fetch(`http://127.0.0.1:${localPort}/apis/v2beta1/healthz`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as Json).pipeline_store, 'database');
    } finally {
      pf.kill();
    }
  });

  it('uploads IR compiled by the kfp SDK, refuses a duplicate name and a non-IR file with the server\'s messages', async () => {
    const up = await upload(helloIr, { name: 'hello-world', description: 'Says hello' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.name, 'hello-world');
    assert.equal(up.body.display_name, 'hello-world');
    assert.match(up.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const versions = await api('GET', `/pipelines/${up.body.pipeline_id}/versions`);
    assert.equal(versions.body.total_size, 1);
    const v = versions.body.pipeline_versions[0];
    assert.equal(v.pipeline_spec.pipelineInfo.name, 'hello-world');
    assert.deepEqual(Object.keys(v.pipeline_spec.root.inputDefinitions.parameters).sort(), ['config', 'loud', 'name', 'ratio', 'tags', 'times']);

    const dup = await upload(helloIr, { name: 'hello-world' });
    assert.equal(dup.status, 409);
    assert.deepEqual(Object.keys(dup.body).sort(), ['error_details', 'error_message']);
    assert.equal(dup.body.error_message, 'Failed to create a pipeline and a pipeline version');
    assert.match(dup.body.error_details, /The name hello-world already exists/);

    const bogus = path.join(OUT, 'not-a-pipeline.yaml');
    fs.writeFileSync(bogus, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    const bad = await upload(bogus, { name: 'not-a-pipeline' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error_message, 'unknown template format');

    const v2 = await upload(helloIr, { pipelineid: up.body.pipeline_id, name: 'hello-world-v2' }, 'upload_version');
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    assert.equal(v2.body.pipeline_id, up.body.pipeline_id);
    const byName = await api('GET', '/pipelines/names/hello-world');
    assert.equal(byName.body.pipeline_id, up.body.pipeline_id);
  });

  it('uploads an upstream-compiled pipeline with loops, conditions and sub-DAGs', async function () {
    if (!fs.existsSync(UPSTREAM_IR)) throw new Error(`${UPSTREAM_IR} is absent (../shared fixtures)`);
    const up = await upload(UPSTREAM_IR, { name: 'loops-and-conditions', display_name: 'Loops and conditions' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.display_name, 'Loops and conditions');
  });

  it('accepts every upstream-compiled IR fixture and refuses the broken ones with the server\'s messages', async function () {
    const dir = path.join(sharedDir(), 'fixtures', 'kfp-ir');
    if (!fs.existsSync(dir)) throw new Error(`${dir} is absent (../shared fixtures)`);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ya?ml|json)$/.test(e.name) && e.name !== 'INDEX.json') files.push(p);
      }
    };
    walk(dir);
    assert.ok(files.length > 100, `only ${files.length} fixtures`);
    const refused: Record<string, string> = {};
    let i = 0;
    for (const f of files) {
      const r = await upload(f, { name: `fixture-${i++}` });
      if (r.status !== 200) refused[path.relative(dir, f)] = `${r.status} ${r.body.error_message}`;
    }
    assert.deepEqual(refused, {
      'sdk-compiled/invalid/empty_file.yaml': '400 unknown template format',
      'sdk-compiled/invalid/invalid_yaml.yaml': '400 unknown template format',
      'sdk-compiled/invalid/no_name.yaml': '400 unknown template format',
      'frontend-mock-backend/lightweight_python_functions_v2_pipeline.json': '400 KFP only supports schema version 2.1.0, but the pipeline spec has version 2.0.0',
      // a known gap of the stand-in's YAML parser (Go's yaml.v3 reads it): ARCHITECTURE.md
      'sdk-compiled/valid/essential/placeholder_with_if_placeholder_none_input_value.yaml': refused['sdk-compiled/valid/essential/placeholder_with_if_placeholder_none_input_value.yaml'],
    });
    assert.match(refused['sdk-compiled/valid/essential/placeholder_with_if_placeholder_none_input_value.yaml']!, /^400 failed to parse pipeline spec YAML/);
  });

  it('lists pipelines with paging, sort_by and the JSON filter; 404 and 400 bodies are the gateway\'s', async () => {
    for (const n of ['list-a', 'list-b', 'list-c']) {
      const r = await api('POST', '/pipelines', { name: n, display_name: n.toUpperCase() });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const page1 = await api('GET', `/pipelines?page_size=2&sort_by=${encodeURIComponent('name desc')}`);
    assert.equal(page1.body.pipelines.length, 2);
    assert.ok(page1.body.total_size >= 5);
    assert.ok(page1.body.next_page_token);
    const names: string[] = page1.body.pipelines.map((p: Json) => p.name);
    let token = page1.body.next_page_token as string | undefined;
    while (token) {
      const page = await api('GET', `/pipelines?page_size=2&page_token=${encodeURIComponent(token)}`);
      names.push(...page.body.pipelines.map((p: Json) => p.name));
      token = page.body.next_page_token;
    }
    assert.deepEqual(names, [...names].sort().reverse());
    assert.equal(names.length, page1.body.total_size);

    const filter = JSON.stringify({ predicates: [{ key: 'name', operation: 'IS_SUBSTRING', string_value: 'list-' }, { key: 'name', operation: 'NOT_EQUALS', string_value: 'list-b' }] });
    const filtered = await api('GET', `/pipelines?filter=${encodeURIComponent(filter)}&sort_by=name`);
    assert.deepEqual(filtered.body.pipelines.map((p: Json) => p.name), ['list-a', 'list-c']);
    const none = await api('GET', `/pipelines?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: 'name', operation: 'EQUALS', string_value: 'nope' }] }))}`);
    assert.deepEqual(none.body, {}, 'empty lists are omitted, like protojson with EmitUnpopulated=false');

    const missing = await api('GET', '/pipelines/00000000-0000-0000-0000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 5);
    assert.match(missing.body.message, /Pipeline 00000000-0000-0000-0000-000000000000 not found/);
    assert.equal(missing.body.details[0]['@type'], 'type.googleapis.com/api.Error');

    const badSort = await api('GET', '/pipelines?sort_by=colour');
    assert.equal(badSort.status, 400);
    assert.equal(badSort.body.code, 3);
    const badSize = await api('GET', '/runs?page_size=lots');
    assert.equal(badSize.status, 400);
    const unknownField = await api('POST', '/experiments', { display_name: 'x', colour: 'red' });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.body.message, /unknown field "colour"/);
    const dupName = await api('POST', '/pipelines', { name: 'list-a' });
    assert.equal(dupName.status, 409);
    assert.equal(dupName.body.code, 6);
  });

  it('runs a pipeline with parameters to SUCCEEDED: state history, task details, step pods with logs', async () => {
    const exp = await api('POST', '/experiments', { display_name: 'rig-test', description: 'runs of the rig test' });
    assert.equal(exp.status, 200);
    assert.equal(exp.body.storage_state, 'AVAILABLE');
    assert.equal((await api('POST', '/experiments', { display_name: 'rig-test' })).status, 409);
    const pipeline = (await api('GET', '/pipelines/names/hello-world')).body;

    const created = await api('POST', '/runs', {
      display_name: 'hello run', experiment_id: exp.body.experiment_id,
      pipeline_version_reference: { pipeline_id: pipeline.pipeline_id },
      runtime_config: { parameters: { name: 'Rig', times: 3, tags: ['x'] } },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.state, 'PENDING');
    assert.equal(created.body.finished_at, '1970-01-01T00:00:00Z');
    const runId = created.body.run_id as string;

    const run = await kfp.waitForRun(runId, ['SUCCEEDED', 'FAILED']) as Json;
    assert.equal(run.state, 'SUCCEEDED');
    assert.deepEqual(run.state_history.map((h: Json) => h.state), ['PENDING', 'RUNNING', 'SUCCEEDED']);
    assert.notEqual(run.finished_at, '1970-01-01T00:00:00Z');
    assert.equal(run.experiment_id, exp.body.experiment_id);
    assert.ok(run.pipeline_version_reference.pipeline_version_id, 'the latest version is filled in');

    const task = taskByName(run, 'say-hello');
    assert.ok(task, JSON.stringify(run.run_details));
    assert.equal(task.state, 'SUCCEEDED');
    assert.deepEqual(task.state_history.map((h: Json) => h.state), ['PENDING', 'RUNNING', 'SUCCEEDED']);
    const podNodeId = task.child_tasks[0].pod_name as string;
    assert.equal(taskByName(run, 'root')?.state, 'SUCCEEDED');

    const pods = await podsOf(runId);
    assert.equal(pods.length, 1);
    const pod = pods[0]!;
    assert.equal(pod.metadata.annotations['workflows.argoproj.io/node-id'], podNodeId);
    assert.match(pod.metadata.name, /^hello-world-[a-z0-9]{5}-system-container-impl-\d+$/);
    assert.equal(pod.metadata.labels['workflows.argoproj.io/workflow'], pod.metadata.name.replace(/-system-container-impl-\d+$/, ''));
    assert.equal(pod.status.phase, 'Succeeded');
    const logs = await kube.kubectl(['logs', '-n', 'kubeflow', pod.metadata.name, '-c', 'main']);
    assert.match(logs, /name = "Rig"/);
    assert.match(logs, /times = 3/);
    assert.match(logs, /KFP launcher succeeded/);

    const byState = await api('GET', `/runs?experiment_id=${exp.body.experiment_id}&filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: 'state', operation: 'EQUALS', string_value: 'SUCCEEDED' }] }))}`);
    assert.deepEqual(byState.body.runs.map((r: Json) => r.run_id), [runId]);
    assert.equal(byState.body.runs[0].run_details, undefined, 'ListRuns leaves task details out');
  });

  it('caches a step whose inputs match an earlier success (no pod); the v1alpha1 node log endpoint reads a step\'s pod log', async () => {
    const pipeline = (await api('GET', '/pipelines/names/hello-world')).body;
    const first = (await api('GET', `/runs?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'hello run' }] }))}`)).body.runs[0];
    const created = await api('POST', '/runs', { display_name: 'hello again', pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, runtime_config: first.runtime_config });
    const run = await kfp.waitForRun(created.body.run_id, ['SUCCEEDED', 'FAILED']) as Json;
    assert.equal(run.state, 'SUCCEEDED');
    assert.equal(taskByName(run, 'say-hello')?.state, 'SUCCEEDED');
    assert.equal(taskByName(run, 'pod')?.state, 'SKIPPED', 'the cached step\'s pod node is skipped');
    assert.deepEqual(await podsOf(created.body.run_id), []);

    const full = (await api('GET', `/runs/${first.run_id}`)).body;
    const nodeId = taskByName(full, 'say-hello')!.child_tasks[0].pod_name as string;
    const res = await fetch(`${base}/apis/v1alpha1/runs/${first.run_id}/nodes/${nodeId}/log`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /name = "Rig"/);
  });

  it('plays control flow: loop iterations, one If/Elif/Else branch, a condition, sub-pipelines; the exit handler runs after a failure', async () => {
    const up = await upload(controlFlowIr, { name: 'control-flow' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const ok = await api('POST', '/runs', { display_name: 'control flow', pipeline_version_reference: { pipeline_id: up.body.pipeline_id }, runtime_config: { parameters: { n: 2 } } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const run = await kfp.waitForRun(ok.body.run_id, ['SUCCEEDED', 'FAILED']) as Json;
    assert.equal(run.state, 'SUCCEEDED');
    const tasks = run.run_details.task_details as Json[];
    const states = (name: string) => tasks.filter((t) => t.display_name === name).map((t) => t.state);
    assert.deepEqual(states('train'), ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'], 'three iterations over the output of make-items');
    assert.deepEqual(states('for-loop-2').length, 1);
    assert.deepEqual([states('condition-4'), states('condition-5'), states('condition-6')], [['SUCCEEDED'], ['SKIPPED'], ['SKIPPED']]);
    assert.deepEqual(states('condition-7'), ['SUCCEEDED'], 'verbose == true');
    assert.deepEqual([states('check'), states('double'), states('announce')], [['SUCCEEDED'], ['SUCCEEDED'], ['SUCCEEDED']]);

    const bad = await api('POST', '/runs', {
      display_name: 'control flow, failing', description: 'rig:fail=flip-coin',
      pipeline_version_reference: { pipeline_id: up.body.pipeline_id }, runtime_config: { parameters: { n: 1, verbose: false } },
    });
    const failed = await kfp.waitForRun(bad.body.run_id, ['SUCCEEDED', 'FAILED']) as Json;
    assert.equal(failed.state, 'FAILED');
    const ft = failed.run_details.task_details as Json[];
    const fstates = (name: string) => ft.filter((t) => t.display_name === name).map((t) => t.state);
    assert.deepEqual(fstates('flip-coin'), ['FAILED']);
    assert.deepEqual(fstates('condition-branches-3'), [], 'nothing downstream of the failure starts');
    assert.deepEqual(fstates('exit-handler-1'), ['FAILED']);
    assert.deepEqual(fstates('announce'), ['SUCCEEDED'], 'the exit handler (ALL_UPSTREAM_TASKS_COMPLETED) still runs');
  });

  it('multi-user mode wants the user header; experiments live in profile namespaces', async () => {
    const mu = await startKfpServer({ kube, multiUser: true, inCluster: false, stepDelayMs: 100 });
    try {
      const anon = await fetch(`${mu.url}/apis/v2beta1/experiments?namespace=kubeflow-user`);
      assert.equal(anon.status, 401);
      const headers = { 'kubeflow-userid': 'user@example.com', 'content-type': 'application/json' };
      const health = await fetch(`${mu.url}/apis/v2beta1/healthz`);
      assert.equal(health.status, 200, 'healthz needs no identity');
      assert.equal(((await health.json()) as Json).multi_user, true);
      const noNs = await fetch(`${mu.url}/apis/v2beta1/experiments`, { method: 'POST', headers, body: JSON.stringify({ display_name: 'e' }) });
      assert.equal(noNs.status, 400);
      const exp = await fetch(`${mu.url}/apis/v2beta1/experiments`, { method: 'POST', headers, body: JSON.stringify({ display_name: 'e', namespace: kube.namespace }) });
      assert.equal(((await exp.json()) as Json).namespace, kube.namespace);
      const list = await fetch(`${mu.url}/apis/v2beta1/runs`, { headers });
      assert.equal(list.status, 400, 'ListRuns must filter by namespace or experiment in multi-user mode');
      assert.deepEqual(mu.violations(), []);
    } finally {
      await mu.stop();
    }
  });

  it('refuses parameters of the wrong type and unknown ones with the server\'s messages', async () => {
    const pipeline = (await api('GET', '/pipelines/names/hello-world')).body;
    const wrong = await api('POST', '/runs', { display_name: 'bad', pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, runtime_config: { parameters: { times: 'three' } } });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.message, /input parameter times requires type double or integer, but the parameter value is not of number value type/);
    const extra = await api('POST', '/runs', { display_name: 'bad', pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, runtime_config: { parameters: { colour: 'red' } } });
    assert.equal(extra.status, 400);
    assert.match(extra.body.message, /parameter\(s\) provided are not required by pipeline: colour/);
  });

  it('a failing step fails the run; retry re-runs the failed step and the run succeeds', async () => {
    const pipeline = (await api('GET', '/pipelines/names/hello-world')).body;
    kfp.setFailTasks(['say-hello']);
    const created = await api('POST', '/runs', { display_name: 'failing run', pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, runtime_config: { parameters: { name: 'Failing' } } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const runId = created.body.run_id as string;
    const run = await kfp.waitForRun(runId, ['SUCCEEDED', 'FAILED']) as Json;
    assert.equal(run.state, 'FAILED');
    assert.equal(taskByName(run, 'say-hello')?.state, 'FAILED');
    const [pod] = await podsOf(runId);
    assert.equal(pod!.status.phase, 'Failed');
    assert.match(await kube.kubectl(['logs', '-n', 'kubeflow', pod!.metadata.name, '-c', 'main']), /Traceback/);

    const notFailed = await api('POST', `/runs/${(await api('GET', '/runs?filter=' + encodeURIComponent(JSON.stringify({ predicates: [{ key: 'state', operation: 'EQUALS', string_value: 'SUCCEEDED' }] })))).body.runs[0].run_id}:retry`);
    assert.equal(notFailed.status, 409, 'only a failed run can be retried');
    assert.match(notFailed.body.message, /Workflow must be Failed\/Error to retry/);

    kfp.setFailTasks([]);
    const retry = await api('POST', `/runs/${runId}:retry`);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.deepEqual(retry.body, {});
    const again = await kfp.waitForRun(runId, ['SUCCEEDED', 'FAILED']) as Json;
    assert.equal(again.state, 'SUCCEEDED');
    assert.deepEqual(again.state_history.map((h: Json) => h.state), ['PENDING', 'RUNNING', 'FAILED', 'RUNNING', 'SUCCEEDED']);
    const [pod2] = await podsOf(runId);
    assert.equal(pod2!.status.phase, 'Succeeded');
  });

  it('terminate: the run shows CANCELING, its running pod is killed, the run ends FAILED; a finished run cannot be terminated', async () => {
    const pipeline = (await api('GET', '/pipelines/names/hello-world')).body;
    const created = await api('POST', '/runs', {
      display_name: 'long run', description: 'rig:delay=60000',
      pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, runtime_config: { parameters: { name: 'Long' } },
    });
    const runId = created.body.run_id as string;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pods = await podsOf(runId);
      if (pods[0]?.status?.phase === 'Running') break;
      if (Date.now() > deadline) throw new Error('the step pod did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const t = await api('POST', `/runs/${runId}:terminate`);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal((await api('GET', `/runs/${runId}`)).body.state, 'CANCELING');
    const run = await kfp.waitForRun(runId, ['FAILED', 'SUCCEEDED'], 30_000) as Json;
    assert.equal(run.state, 'FAILED');
    assert.equal(taskByName(run, 'say-hello')?.state, 'FAILED');
    const states = run.state_history.map((h: Json) => h.state);
    assert.deepEqual(states.slice(-2), ['CANCELING', 'FAILED']);
    const deadline2 = Date.now() + 15_000;
    while ((await podsOf(runId))[0]?.status?.phase !== 'Failed') {
      if (Date.now() > deadline2) throw new Error('the killed pod did not fail');
      await new Promise((r) => setTimeout(r, 200));
    }
    const again = await api('POST', `/runs/${runId}:terminate`);
    assert.equal(again.status, 400);
  });

  it('archives, unarchives and deletes runs; recurring runs are stored, listed, disabled', async () => {
    const runs = (await api('GET', `/runs?sort_by=${encodeURIComponent('created_at desc')}`)).body.runs as Json[];
    assert.ok(runs.length >= 3);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i - 1]!.created_at >= runs[i]!.created_at);
    const id = runs[0]!.run_id as string;
    assert.equal((await api('POST', `/runs/${id}:archive`)).status, 200);
    assert.equal((await api('GET', `/runs/${id}`)).body.storage_state, 'ARCHIVED');
    const available = await api('GET', `/runs?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ key: 'storage_state', operation: 'NOT_EQUALS', string_value: 'ARCHIVED' }] }))}`);
    assert.ok(!available.body.runs.some((r: Json) => r.run_id === id));
    assert.equal((await api('POST', `/runs/${id}:unarchive`)).status, 200);
    assert.equal((await api('DELETE', `/runs/${id}`)).status, 200);
    assert.equal((await api('GET', `/runs/${id}`)).status, 404);

    const pipeline = (await api('GET', '/pipelines/names/hello-world')).body;
    const rr = await api('POST', '/recurringruns', {
      display_name: 'nightly', pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, max_concurrency: '1', mode: 'ENABLE',
      trigger: { cron_schedule: { cron: '0 0 2 * * *' } }, runtime_config: { parameters: { name: 'Nightly' } },
    });
    assert.equal(rr.status, 200, JSON.stringify(rr.body));
    assert.equal(rr.body.status, 'ENABLED');
    assert.equal((await api('POST', `/recurringruns/${rr.body.recurring_run_id}:disable`)).status, 200);
    assert.equal((await api('GET', `/recurringruns/${rr.body.recurring_run_id}`)).body.status, 'DISABLED');
    assert.equal((await api('GET', '/recurringruns')).body.recurringRuns.length, 1);
    const badCron = await api('POST', '/recurringruns', { display_name: 'x', pipeline_version_reference: { pipeline_id: pipeline.pipeline_id }, max_concurrency: '1', trigger: { cron_schedule: { cron: 'every day' } } });
    assert.equal(badCron.status, 400);
  });
});
