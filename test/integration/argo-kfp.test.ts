// KFP pipeline runs executed for real: the real KFP 2.17 API server (kfp-stack) turns a run into an Argo Workflow,
// the real Argo v4.0.5 controller creates its pods, and the pod player runs them with the real KFP `driver` and
// `launcher-v2` and the component's own Python code (the rig venv's kfp 2.17.3), recording to MLMD (mlmd rig) and
// the S3 store. Submitted with PyPI's official kfp.Client (create_run_from_pipeline_package -> wait_for_run_completion).
// A run terminated through the editor's client (core/kfp) stops its running step (the pod player plays Argo's
// exec-based SIGTERM/SIGKILL) and ends.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fetchTransport } from '../../core/http/transport';
import { KfpClient } from '../../core/kfp/client';
import type { Run } from '../../core/kfp/types';
import type { ArgoRig } from '../rigs/argo/index';
import { compilePipeline } from '../rigs/kfp/index';
import { startKfpCluster, type KfpCluster } from '../rigs/kfp-stack/cluster';
import type { KfpStack } from '../rigs/kfp-stack/index';
import { venvBin } from '../rigs/jupyter/index';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { until } from '../support/wait';

const run = promisify(execFile);
const FIXTURES = path.resolve(__dirname, '../fixtures/pipelines');
const OUT = path.resolve(__dirname, '../../test-output/ir');
/** Run details as the real server returned them (kept for the record; fixtures under test/fixtures/kfp-real/). */
const RECORDED = path.resolve(__dirname, '../../test-output/kfp-real');

const SDK_RUN = `
import json, sys, kfp
client = kfp.Client(host=sys.argv[1])
r = client.create_run_from_pipeline_package(sys.argv[2], arguments=json.loads(sys.argv[3]), namespace='kubeflow')
done = client.wait_for_run_completion(r.run_id, timeout=float(sys.argv[4]))
print(json.dumps({'run_id': r.run_id, 'state': done.state, 'error': str(done.error) if done.error else None,
  'tasks': [{'name': t.display_name, 'state': t.state, 'pod': t.child_tasks[0].pod_name if t.child_tasks else None}
            for t in (done.run_details.task_details if done.run_details else [])]}))
`;

/** Submits without waiting: prints the run id. */
const SDK_SUBMIT = `
import json, sys, kfp
client = kfp.Client(host=sys.argv[1])
print(client.create_run_from_pipeline_package(sys.argv[2], arguments=json.loads(sys.argv[3]), namespace='kubeflow').run_id)
`;

/** Processes of this machine whose command line holds `needle` (the step's own Python, found by its run id). */
const processesWith = (needle: string): number[] => fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((e) => {
  try { return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle); } catch { return false; }
}).map(Number);

describe('KFP runs execute on the Argo rig (real driver, launcher and component code)', function () {
  this.timeout(900_000);
  let kube: KubeRig;
  let cluster: KfpCluster;
  let kfp: KfpStack;
  let argo: ArgoRig;

  before(async () => {
    kube = await startKubeRig({ crds: false, controllers: true });
    cluster = await startKfpCluster(kube);
    ({ kfp, argo } = cluster);
  });
  after(async () => {
    await cluster?.stop();
    await kube?.stop();
  });

  const sdkRun = async (fixture: string, args: Record<string, unknown>) => {
    const ir = await compilePipeline(path.join(FIXTURES, `${fixture}.py`), path.join(OUT, `argo-kfp-${fixture}.yaml`));
    const { stdout } = await run(venvBin('python'), ['-c', SDK_RUN, kfp.url, ir, JSON.stringify(args), '600'], { timeout: 660_000 })
      .catch((e: Error & { stdout?: string; stderr?: string }) => { throw new Error(`${e.message}\n${e.stderr}\n--- controller:\n${argo.logTail(30)}`); });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { run_id: string; state: string; error: string | null; tasks: Array<{ name: string; state: string }> };
  };

  /** `kubectl logs` of the main container of every executor pod of the run. */
  const stepLogs = async (runId: string): Promise<string> => {
    const pods = JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'pods', '-l', `pipeline/runid=${runId}`, '-o', 'json'])) as { items: Array<{ metadata: { name: string } }> };
    const impl = pods.items.map((p) => p.metadata.name).filter((n) => n.includes('system-container-impl'));
    return (await Promise.all(impl.map((p) => kube.kubectl(['-n', 'kubeflow', 'logs', p, '-c', 'main'])))).join('\n');
  };

  it('hello_world runs to SUCCEEDED through the official kfp.Client', async () => {
    const res = await sdkRun('hello_world', { name: 'Argo' });
    assert.equal(res.state, 'SUCCEEDED', JSON.stringify(res));
    assert.ok(res.tasks.some((t) => t.name === 'say-hello' && t.state === 'SUCCEEDED'), JSON.stringify(res.tasks));
    // the component's own output, in its step's log
    assert.match(await stepLogs(res.run_id), /Hello, Argo!Hello, Argo! 0\.5 \['a', 'b'\] \{'retries': 3\}/);
  });

  it('a ParallelFor over a task output, a condition and an exit handler around a Dataset run to SUCCEEDED with real outputs', async () => {
    const res = await sdkRun('loop_condition_exit', { n: 2 });
    assert.equal(res.state, 'SUCCEEDED', JSON.stringify(res));
    const done = (name: string) => res.tasks.filter((t) => t.name === name && t.state === 'SUCCEEDED').length;
    assert.equal(done('make-data'), 1, JSON.stringify(res.tasks));
    assert.equal(done('count-rows'), 2, 'one count-rows per loop item: ' + JSON.stringify(res.tasks));
    // the exit handler's cleanup and the conditional announce ran their own code: their output is in their step logs
    const logs = await stepLogs(res.run_id);
    assert.match(logs, /^pipeline finished$/m, 'the exit handler ran');
    assert.match(logs, /^a big run$/m, 'the condition n > 1 held');
    assert.match(logs, /^2 rows x 1$/m);
    assert.match(logs, /^2 rows x 2$/m);
    // the real server's run details, kept in test-output/ (test/fixtures/kfp-real/ has a recorded copy)
    const details = await (await fetch(`${kfp.url}/apis/v2beta1/runs/${res.run_id}`)).json() as Run;
    assert.equal(details.state, 'SUCCEEDED');
    fs.mkdirSync(RECORDED, { recursive: true });
    fs.writeFileSync(path.join(RECORDED, 'loop_condition_exit.run.json'), JSON.stringify(details, null, 2));
    // the Dataset is in the S3 store under the run's pipeline root, written by make_data's own code
    const files = await run('find', [kfp.objectStore.dataDir, '-path', `*${res.run_id}*`, '-type', 'f']);
    assert.match(files.stdout, /make-data\/[^\n]*\/data/, files.stdout);
  });

  it('a run terminated through the editor\'s client stops its running step and ends (FAILED, as KFP 2.17 reports it)', async () => {
    const ir = await compilePipeline(path.join(FIXTURES, 'steps.py'), path.join(OUT, 'argo-kfp-steps.yaml'));
    const { stdout } = await run(venvBin('python'), ['-c', SDK_SUBMIT, kfp.url, ir, JSON.stringify({ seconds: 3600, fail_with: '' })], { timeout: 120_000 });
    const runId = stdout.trim().split('\n').pop()!;
    const client = new KfpClient(fetchTransport(kfp.url));
    // the step's Python runs (its first line is in its log) ...
    await until('the step to be working', 300_000, async () => /working for 3600 s/.test(await stepLogs(runId).catch(() => '')), 1000);
    const step = processesWith(`executor_main`).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runId));
    assert.ok(step.length > 0, 'the step\'s process runs on this machine');
    await client.terminateRun(runId);
    // KFP 2.17 reports a terminated run CANCELING while its Workflow runs (activeDeadlineSeconds 0) and then the
    // Workflow's own final phase (backend/src/apiserver/resource/resource_manager.go ReportWorkflowResource): Argo
    // ends it Failed once the step is stopped, so the run ends FAILED; before, it stayed CANCELING with its step
    // running. A report of the Workflow from before the terminate, still queued in the persistence agent, can write
    // RUNNING back for a moment (seen once in CI, read just after the terminate), so the states are followed.
    let last = '';
    const seen: string[] = [];
    const res = await until('the terminated run to end', 180_000, async () => {
      const r = await client.getRun(runId);
      last = r.state ?? '';
      if (seen[seen.length - 1] !== last) seen.push(last);
      return ['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'].includes(last) ? r : undefined;
    }, 200).catch((e: Error) => { throw new Error(`${e.message} (states ${seen.join(' → ')})\n--- controller:\n${argo.logTail(30)}`); });
    assert.ok(seen.includes('CANCELING'), `the run was CANCELING before it ended: ${seen.join(' → ')}`);
    assert.equal(res.state, 'FAILED');
    // ... and is gone, ended by SIGTERM (143) as its container's status says, long before its hour was up. Argo can
    // mark the Workflow Failed (its deadline passed) a moment before the step's process has exited and its pod's
    // status says so (seen in CI with the states read every 200 ms): both are waited for, a minute at most.
    const running = (pid: number): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    await until('the step\'s process to be gone', 60_000, async () => step.every((pid) => !running(pid)), 200)
      .catch((e: Error) => { throw new Error(`${e.message}: ${step.filter(running).join(', ')} still running`); });
    type Pod = { metadata: { name: string }; status: { phase: string; containerStatuses?: Array<{ name: string; state: { terminated?: { exitCode: number } } }> } };
    const mainOf = (p: Pod) => p.status.containerStatuses?.find((c) => c.name === 'main');
    let implPod: Pod | undefined;
    const impl = await until('the step\'s pod to end', 60_000, async () => {
      const pods = JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'pods', '-l', `pipeline/runid=${runId}`, '-o', 'json'])) as { items: Pod[] };
      implPod = pods.items.find((p) => p.metadata.name.includes('system-container-impl'));
      return implPod && implPod.status.phase !== 'Running' && implPod.status.phase !== 'Pending' && mainOf(implPod)?.state.terminated ? implPod : undefined;
    }, 500).catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(implPod?.status)}`); });
    assert.equal(impl.status.phase, 'Failed');
    assert.equal(mainOf(impl)?.state.terminated?.exitCode, 143, JSON.stringify(impl.status.containerStatuses));
    const log = await stepLogs(runId);
    assert.match(log, /working for 3600 s/);
    // the emissary's own account in the step's log: its step ended by the forwarded SIGTERM
    assert.match(log, /sub-process exited.*exit status 143/);
  });

  it('Retry of a failed run through the editor\'s client runs its failed step again', async () => {
    const ir = await compilePipeline(path.join(FIXTURES, 'steps.py'), path.join(OUT, 'argo-kfp-steps.yaml'));
    const { stdout } = await run(venvBin('python'), ['-c', SDK_SUBMIT, kfp.url, ir, JSON.stringify({ seconds: 1, fail_with: 'told to fail' })], { timeout: 120_000 });
    const runId = stdout.trim().split('\n').pop()!;
    const client = new KfpClient(fetchTransport(kfp.url));
    const final = (id: string) => until(`run ${id} to end`, 300_000, async () => {
      const r = await client.getRun(id);
      return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(r.state ?? '') ? r : undefined;
    }, 500);
    assert.equal((await final(runId)).state, 'FAILED');
    const implPods = async () => (JSON.parse(await kube.kubectl(['-n', 'kubeflow', 'get', 'pods', '-l', `pipeline/runid=${runId}`, '-o', 'json'])) as
      { items: Array<{ metadata: { name: string; uid: string } }> }).items.filter((p) => p.metadata.name.includes('system-container-impl')).map((p) => p.metadata.uid);
    const before = await implPods();
    assert.equal(before.length, 1);
    await client.retryRun(runId);
    // the run is live again, its failed step runs again in a new pod, and it fails again
    await until('the retried run to run', 120_000, async () => (await client.getRun(runId)).state !== 'FAILED', 300);
    assert.equal((await final(runId)).state, 'FAILED');
    const after = await implPods();
    assert.ok(after.some((uid) => !before.includes(uid)), `a new step pod ran: before ${before}, after ${after}`);
    assert.match(await stepLogs(runId), /told to fail/);
  });
});
