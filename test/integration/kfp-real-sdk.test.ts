// The real KFP 2.17 API server, persistence agent and ScheduledWorkflow controller (test/rigs/kfp-stack) on the kube
// rig, driven by a client no one here wrote: PyPI's official `kfp` 2.17.3 SDK (kfp.Client), through the companion
// daemon's port-forward of svc/ml-pipeline:8888, as a user's notebook or script would reach it. The run it starts
// becomes an Argo Workflow in the cluster; the recurring run's ScheduledWorkflow fires Workflows on its interval.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { compilePipeline } from '../rigs/kfp/index';
import { startKfpStack, type KfpStack } from '../rigs/kfp-stack/index';
import { venvBin } from '../rigs/jupyter/index';
import { repoRoot, startKubeRig, type KubeRig } from '../rigs/kube/index';
import { distFile } from '../support/build';
import { until } from '../support/wait';

const run = promisify(execFile);
const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');

interface SdkResult {
  sdk: string;
  experiment: { id: string; name: string };
  pipeline: { id: string; name: string };
  version: { id: string; name: string; pipeline_id: string };
  versions: string[];
  run: { id: string; name: string; experiment_id: string; state: string };
  list_runs: { by_name: string[]; by_number: string[]; none: string[] };
  recurring: { id: string; name: string; status: string };
}

interface K8sList<T> { items: T[] }
interface Workflow { metadata: { name: string; namespace: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] } }

describe('the real KFP API server with the official kfp SDK through a daemon port-forward', function () {
  this.timeout(600_000);
  let kube: KubeRig;
  let kfp: KfpStack;
  let home: string;
  let d: DaemonConnection;
  let forward: P.ForwardInfo;
  let ir: string;
  let sdk: SdkResult;

  const workflows = async (): Promise<Workflow[]> =>
    (JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'workflows.argoproj.io', '-o', 'json'])) as K8sList<Workflow>).items;

  before(async () => {
    [kube, ir] = await Promise.all([
      startKubeRig({ crds: false }),
      compilePipeline(path.join(FIXTURES, 'hello_world.py'), path.join(OUT, 'kfp-real-hello_world.yaml')),
    ]);
    kfp = await startKfpStack(kube, { swfResyncSeconds: 5 });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-kfp-real-'));
    d = await connectDaemon({ kubeconfig: kube.kubeconfigPath, client: 'integration-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
    forward = await d.connection.sendRequest(P.startForward, { target: { kind: 'service', namespace: 'kubeflow', name: 'ml-pipeline', port: 8888 } });
    await until('the forward to ml-pipeline to be ready', 60_000, async () =>
      (await d.connection.sendRequest(P.listForwards)).find((f) => f.id === forward.id)?.status.state === 'ready', 200);
    const { stdout } = await run(venvBin('python'), [path.join(repoRoot, 'test/rigs/kfp-stack/official-client.py'), `http://127.0.0.1:${forward.localPort}`, ir],
      { timeout: 180_000, maxBuffer: 16 << 20 }).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`kfp.Client failed: ${e.stderr ?? e.message}\n${kfp.logs()}`);
    });
    sdk = JSON.parse(stdout.trim().split('\n').pop()!) as SdkResult;
  });

  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await kfp?.stop();
    await kube?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('is the real server: healthz through the forward says multi_user false and the build\'s version', async () => {
    const res = await fetch(`http://127.0.0.1:${forward.localPort}/apis/v2beta1/healthz`);
    assert.equal(res.status, 200);
    const h = await res.json() as { multi_user?: boolean; pipeline_store?: string; commit_sha?: string };
    assert.equal(h.multi_user, false);
    assert.equal(sdk.sdk, '2.17.3');
  });

  it('create_experiment, upload_pipeline and upload_pipeline_version: ids from the server, both versions listed', () => {
    assert.match(sdk.experiment.id, /^[0-9a-f-]{36}$/);
    assert.equal(sdk.experiment.name, 'sdk-experiment');
    assert.match(sdk.pipeline.id, /^[0-9a-f-]{36}$/);
    assert.equal(sdk.pipeline.name, 'sdk-hello');
    assert.equal(sdk.version.pipeline_id, sdk.pipeline.id);
    assert.deepEqual(sdk.versions, ['sdk-hello', 'sdk-hello-v2']);
  });

  it('create_run_from_pipeline_package: the run is in its experiment, and its Argo Workflow exists in the cluster', async () => {
    assert.equal(sdk.run.name, 'sdk-run');
    assert.equal(sdk.run.experiment_id, sdk.experiment.id);
    const wf = await until('the run\'s Workflow in kubeflow', 60_000, async () =>
      (await workflows()).find((w) => w.metadata.labels?.['pipeline/runid'] === sdk.run.id));
    assert.ok(wf.metadata.name.startsWith('hello-world-'), wf.metadata.name);
  });

  it('list_runs with a filter, in enum names with snake_case and in enum numbers with lowerCamelCase', () => {
    assert.deepEqual(sdk.list_runs.by_name, [sdk.run.id]);
    assert.deepEqual(sdk.list_runs.by_number, [sdk.run.id]);
    assert.deepEqual(sdk.list_runs.none, []);
  });

  it('create_recurring_run: its ScheduledWorkflow fires a Workflow within its 10 s interval', async () => {
    assert.equal(sdk.recurring.name, 'sdk-every-10s');
    assert.match(sdk.recurring.status, /ENABLED/);
    const swf = await until('the ScheduledWorkflow of the recurring run', 30_000, async () => {
      const list = JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'scheduledworkflows.kubeflow.org', '-o', 'json'])) as K8sList<Workflow>;
      return list.items[0];
    });
    const fired = await until('a Workflow created by the ScheduledWorkflow', 90_000, async () =>
      (await workflows()).find((w) => w.metadata.ownerReferences?.some((o) => o.kind === 'ScheduledWorkflow' && o.name === swf.metadata.name)), 500);
    assert.ok(fired.metadata.name);
    // the API server knows it as a run of the recurring run
    const res = await fetch(`${kfp.url}/apis/v2beta1/runs?experiment_id=${sdk.experiment.id}&page_size=50`);
    const runs = (await res.json() as { runs?: { run_id: string; recurring_run_id?: string }[] }).runs ?? [];
    await until('the fired run listed by the API server', 60_000, async () => {
      const r = await fetch(`${kfp.url}/apis/v2beta1/runs?experiment_id=${sdk.experiment.id}&page_size=50`);
      return ((await r.json() as { runs?: { recurring_run_id?: string }[] }).runs ?? []).some((x) => x.recurring_run_id === sdk.recurring.id);
    }, 500);
    assert.ok(runs.length >= 1);
  });
});
