// Training jobs and Katib against the real apiserver + kwok rig, through the companion daemon the extension uses:
// discovery of the served kinds, every "New Training Job" template accepted by a server-side dry run against the
// upstream CRD schemas, the API's real validation errors mapped onto YAML lines, and state derived from real pods
// (kwok) and statuses written the way the operators write them (PyTorchJob with a failing worker, a TrainJob, a
// pending GPU job, a quota the apiserver enforces, a Katib Experiment and its trials). Progress is parsed from the
// daemon's merged log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import YAML from 'yaml';
import { connectDaemon, type DaemonConnection } from '../../companion-daemon/src/client';
import * as P from '../../companion-daemon/src/protocol';
import { modelArtifactOf, registrationPlan, summarizeExperiment, summarizeTrial } from '../../core/katib/state';
import { fieldProblems, locatePath, parseFieldPath, readYamlResources, type ApiCause } from '../../core/training/fieldpath';
import { DISCOVERY_GROUP_VERSIONS, pluralsOf, resolveKinds } from '../../core/training/kinds';
import type { JobObject, KubeEvent, Pod } from '../../core/training/objects';
import { ProgressTracker } from '../../core/training/progress';
import { failedReplicas, summarizeJob } from '../../core/training/state';
import { TEMPLATES } from '../../core/training/templates';
import { repoRoot, startKubeRig, type KubeRig } from '../rigs/kube/index';
import { katibExperiment, pytorchJobWithPods, setStatus, trainJobComplete, trainJobWithPods, unschedulableJob, v1Conditions } from '../rigs/training';
import { distFile } from '../support/build';
import { until } from '../support/wait';

describe('training jobs and Katib on the real apiserver', function () {
  this.timeout(180_000);
  let rig: KubeRig;
  let home: string;
  let d: DaemonConnection;
  const ns = 'kubeflow-user';

  const kube = <T = unknown>(method: P.KubeRequestParams['method'], p: string, o: Partial<P.KubeRequestParams> = {}): Promise<T> =>
    d.connection.sendRequest(P.kubeRequest, { method, path: p, ...o }) as Promise<T>;
  const list = async <T>(p: string, labelSelector?: string): Promise<T[]> => (await kube<{ items: T[] }>('GET', p, labelSelector ? { query: { labelSelector } } : {})).items;
  const pods = async (): Promise<Pod[]> => [...await list<Pod>(`/api/v1/namespaces/${ns}/pods`, 'training.kubeflow.org/job-name'), ...await list<Pod>(`/api/v1/namespaces/${ns}/pods`, 'jobset.sigs.k8s.io/jobset-name')];
  const job = (plural: string, name: string, group = 'kubeflow.org/v1') => kube<JobObject>('GET', `/apis/${group}/namespaces/${ns}/${plural}/${name}`);
  const dryRun = async (text: string): Promise<{ error?: ResponseError<P.ErrorData> }> => {
    const o = YAML.parse(text) as { apiVersion: string; kind: string };
    const plural = `${o.kind.toLowerCase()}s`;
    try {
      await kube('POST', `/apis/${o.apiVersion}/namespaces/${ns}/${plural}`, { body: o, query: { dryRun: 'All', fieldValidation: 'Strict' } });
      return {};
    } catch (error) {
      return { error: error as ResponseError<P.ErrorData> };
    }
  };

  before(async () => {
    rig = await startKubeRig({ crds: ['training-operator-v1', 'trainer-v2', 'katib'] });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-training-'));
    d = await connectDaemon({ kubeconfig: rig.kubeconfigPath, client: 'training-test', daemonScript: distFile('companion-daemon.js'), env: { ...process.env, KUBEFLOW_COMPANION_HOME: home } });
  });
  after(async () => {
    await d?.connection.sendRequest(P.shutdown).catch(() => undefined);
    d?.dispose();
    await rig?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('discovers the served training kinds (no mpi-operator here: MPIJob is the v1 one)', async () => {
    const discovery: Record<string, string[] | null> = {};
    for (const gv of DISCOVERY_GROUP_VERSIONS) {
      discovery[gv] = await kube('GET', `/apis/${gv}`).then(pluralsOf, (err: ResponseError) => {
        assert.equal(err.code, P.ErrorCode.NotFound, `only "not served" is expected: ${err.message}`);
        return null;
      });
    }
    const { installed, missing } = resolveKinds(discovery);
    assert.deepEqual(installed.map((k) => `${k.kind}@${k.group}/${k.version}`), [
      'PyTorchJob@kubeflow.org/v1', 'TFJob@kubeflow.org/v1', 'MPIJob@kubeflow.org/v1', 'XGBoostJob@kubeflow.org/v1', 'JAXJob@kubeflow.org/v1', 'PaddleJob@kubeflow.org/v1', 'TrainJob@trainer.kubeflow.org/v1alpha1',
    ].sort((a, b) => installed.findIndex((k) => a.startsWith(`${k.kind}@`)) - installed.findIndex((k) => b.startsWith(`${k.kind}@`))));
    assert.deepEqual(missing, []);
    assert.equal(discovery['kubeflow.org/v2beta1'], null);
  });

  it('accepts every "New Training Job" template in a server-side dry run with strict field validation', async () => {
    for (const t of TEMPLATES) {
      const text = t.render({ name: `tpl-${t.id}`, mpiApiVersion: 'kubeflow.org/v1' });
      const { error } = await dryRun(text);
      assert.equal(error, undefined, `${t.id}: ${error?.message} ${JSON.stringify(error?.data)}`);
    }
  });

  it('maps the API\'s validation errors onto the lines of the YAML', async () => {
    // Two fields of the wrong type: `suspend: maybe` (line 7) and `replicas: three` (line 18).
    const text = fs.readFileSync(path.join(repoRoot, 'test/fixtures/training/bad-pytorchjob.yaml'), 'utf8');
    const { error } = await dryRun(text);
    assert.ok(error, 'the dry run rejects it');
    assert.equal(error.data?.reason, 'Invalid');
    const problems = fieldProblems(error.data?.detail ?? error.message, error.data?.causes as ApiCause[]);
    const { resources } = readYamlResources(text);
    const lines = problems.filter((p) => p.field).map((p) => {
      const loc = locatePath(resources[0]!.doc, parseFieldPath(p.field!))!;
      return `${text.slice(0, loc.start).split('\n').length}: ${text.slice(loc.start, loc.end)}`;
    });
    assert.ok(lines.includes('7: maybe'), `suspend at line 7: ${JSON.stringify(problems)}`);
    assert.ok(lines.includes('18: three'), `replicas at line 18: ${JSON.stringify(problems)}`);

    // Unknown fields come back from strict validation with their path too.
    const typo = text.replace('suspend: maybe', 'suspend: false').replace('replicas: three', 'replicas: 3').replace('              image: pytorch/pytorch:2.5.1\n    Worker', '              imagee: pytorch/pytorch:2.5.1\n    Worker');
    const strict = await dryRun(typo);
    assert.ok(strict.error, 'strict field validation rejects an unknown field');
    const p2 = fieldProblems(strict.error.data?.detail ?? strict.error.message, strict.error.data?.causes as ApiCause[]);
    const field = p2.find((p) => p.field?.endsWith('imagee'))?.field;
    assert.ok(field, `the unknown field is named: ${JSON.stringify(p2)} / ${strict.error.message}`);
    const loc = locatePath(readYamlResources(typo).resources[0]!.doc, parseFieldPath(field))!;
    assert.equal(typo.slice(0, loc.start).split('\n').length, 16);

    // A TrainJob name the CEL rule refuses: no field path, one problem for the whole object.
    const tj = await dryRun(TEMPLATES.find((t) => t.id === 'trainjob')!.render({ name: '9lives' }));
    assert.ok(tj.error);
    assert.match(fieldProblems(tj.error.data?.detail ?? tj.error.message, tj.error.data?.causes as ApiCause[]).map((p) => p.message).join(' '), /RFC 1035/);
  });

  it('derives a PyTorchJob\'s state from kwok pods and operator conditions; reads progress from the merged log', async () => {
    const name = 'ddp';
    const lines = (rank: number) => [`rank ${rank} ready`, ...[1, 2, 3].map((e) => `Epoch ${e}/4 step ${e * 50}/200 loss ${(1 / e).toFixed(3)} accuracy=${(0.7 + e * 0.05).toFixed(2)}`)];
    await pytorchJobWithPods(rig, ns, name, [
      { type: 'master', index: 0, lines: lines(0) },
      { type: 'worker', index: 0, lines: lines(1) },
      { type: 'worker', index: 1, lines: lines(2) },
      { type: 'worker', index: 2, lines: [...lines(3), 'Traceback (most recent call last):', '  File "train.py", line 9, in <module>', 'RuntimeError: NCCL error'], fail: true },
    ], { gpusPerReplica: 2 });
    await setStatus(rig, 'pytorchjob', ns, name, { conditions: v1Conditions('PyTorchJob', name, 'Running'), startTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    const running = await until('all four replicas running', 90_000, async () => {
      const s = summarizeJob(await job('pytorchjobs', name), await pods());
      return s.running === 4 || s.roles.some((r) => r.failed) ? s : undefined;
    });
    assert.equal(running.phase, 'Running');
    assert.equal(running.gpus, 8);

    // worker-2 fails (kwok's chaos stage); the operator then marks the job Failed.
    await until('worker-2 Failed', 90_000, async () => (await pods()).find((p) => p.metadata.name === `${name}-worker-2`)?.status?.phase === 'Failed' || undefined);
    await setStatus(rig, 'pytorchjob', ns, name, { conditions: v1Conditions('PyTorchJob', name, 'Failed'), completionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    const s = summarizeJob(await job('pytorchjobs', name), await pods());
    assert.equal(s.phase, 'Failed');
    assert.equal(s.reason, 'PyTorchJobFailed');
    assert.deepEqual(failedReplicas(s), ['worker-2 (Error, exit 1)']);
    assert.deepEqual(s.roles.map((r) => `${r.role} ${r.running}/${r.desired} failed ${r.failed}`), ['Master 1/1 failed 0', 'Worker 2/3 failed 1']);

    // Progress, from the daemon's merged capture, for the master (the view shows the first rank).
    const got: P.LogLine[] = [];
    d.connection.onNotification(P.didAppendLogs, (p) => got.push(...p.lines));
    const sub = await d.connection.sendRequest(P.subscribeLogs, { source: { kind: 'job', namespace: ns, jobKind: 'PyTorchJob', name }, backlog: -1 });
    got.push(...sub.lines);
    await until('lines of all four replicas', 90_000, () => new Set(got.map((l) => l.replica)).size === 4 || undefined);
    const master = new ProgressTracker();
    for (const l of got.filter((x) => x.replica === 'master-0')) master.feed(l.text);
    const p = master.get();
    assert.equal(p.epoch, 3);
    assert.equal(p.epochs, 4);
    assert.equal(p.percent, 75, 'step 150 of 200');
    assert.equal(p.metrics.accuracy, 0.85);
    assert.ok(got.some((l) => l.replica === 'worker-2' && l.text.startsWith('Traceback')));
  });

  it('derives a TrainJob\'s Running state from its JobSet pods, then Succeeded from its Complete condition', async () => {
    const name = 'llm';
    await trainJobWithPods(rig, ns, name, [{ lines: [' 40%|████      | 400/1000 [01:00<01:30]'] }, { lines: ['rank 1 ready'] }], 4);
    const s = await until('TrainJob running', 90_000, async () => {
      const x = summarizeJob(await job('trainjobs', name, 'trainer.kubeflow.org/v1alpha1'), await pods());
      return x.phase === 'Running' && x.running === 2 ? x : undefined;
    });
    assert.deepEqual(s.roles.map((r) => `${r.role} ${r.running}/${r.desired}`), ['node 2/2']);
    assert.deepEqual(s.roles[0]!.replicas.map((r) => r.tag), ['node-0', 'node-1'], 'the same tags as the merged log');
    assert.equal(s.gpus, 8);
    await setStatus(rig, 'trainjob', ns, name, trainJobComplete());
    const done = summarizeJob(await job('trainjobs', name, 'trainer.kubeflow.org/v1alpha1'), await pods());
    assert.equal(done.phase, 'Succeeded');
    assert.equal(done.terminal, true);
  });

  it('says why a GPU job waits: unschedulable pods, and a quota the apiserver enforces', async () => {
    await unschedulableJob(rig, ns, 'huge', 16);
    const s = summarizeJob(await job('pytorchjobs', 'huge'), await pods());
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.pending.map((r) => r.message), ['Unschedulable: insufficient nvidia.com/gpu (0/2 nodes are available)']);

    // A GPU quota, with the status the quota controller would keep; the admission plugin then refuses a pod.
    await rig.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quota-ns' } }]);
    await rig.apply([{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu-quota', namespace: 'quota-ns' }, spec: { hard: { 'requests.nvidia.com/gpu': '4' } } }]);
    await rig.kubectl(['patch', 'resourcequota', 'gpu-quota', '-n', 'quota-ns', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { hard: { 'requests.nvidia.com/gpu': '4' }, used: { 'requests.nvidia.com/gpu': '0' } } })]);
    await rig.apply([{ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'greedy', namespace: 'quota-ns' }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 'x', resources: { limits: { 'nvidia.com/gpu': 8 } } }] } } } } } }]);
    let refusal = '';
    try {
      await kube('POST', '/api/v1/namespaces/quota-ns/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'greedy-master-0' }, spec: { containers: [{ name: 'pytorch', image: 'x', resources: { limits: { 'nvidia.com/gpu': 8 }, requests: { 'nvidia.com/gpu': 8 } } }] } } });
    } catch (err) {
      refusal = (err as ResponseError<P.ErrorData>).data?.detail ?? (err as Error).message;
    }
    assert.match(refusal, /exceeded quota: gpu-quota/, 'the apiserver refuses the pod');
    // training-operator records the refusal as an event on the job.
    const ev: KubeEvent = { metadata: { name: 'greedy.1', namespace: 'quota-ns' }, involvedObject: { kind: 'PyTorchJob', name: 'greedy', namespace: 'quota-ns' }, reason: 'FailedCreatePod', message: `Error creating: ${refusal}`, type: 'Warning', lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    await kube('POST', '/api/v1/namespaces/quota-ns/events', { body: { apiVersion: 'v1', kind: 'Event', ...ev, source: { component: 'pytorchjob-controller' } } });
    const events = await list<KubeEvent>('/api/v1/namespaces/quota-ns/events');
    const q = summarizeJob(await kube<JobObject>('GET', '/apis/kubeflow.org/v1/namespaces/quota-ns/pytorchjobs/greedy'), [], events);
    assert.equal(q.phase, 'Pending');
    assert.equal(q.pending[0]?.kind, 'quota');
    assert.match(q.pending[0]!.message, /^Quota gpu-quota exceeded — requested: requests\.nvidia\.com\/gpu=8, used: requests\.nvidia\.com\/gpu=0, limited: requests\.nvidia\.com\/gpu=4$/);
  });

  it('reads a Katib Experiment and its trials with statuses written like katib-controller, and plans the best model\'s registration', async () => {
    await katibExperiment(rig, ns, 'hpo', [
      { name: 'hpo-a1', phase: 'Succeeded', lr: '0.01', accuracy: '0.912' },
      { name: 'hpo-b2', phase: 'Succeeded', lr: '0.05', accuracy: '0.981' },
      { name: 'hpo-c3', phase: 'Failed', lr: '0.09' },
      { name: 'hpo-d4', phase: 'Running', lr: '0.03' },
    ]);
    const exp = await kube<JobObject>('GET', `/apis/kubeflow.org/v1beta1/namespaces/${ns}/experiments/hpo`);
    const trials = await list<JobObject>(`/apis/kubeflow.org/v1beta1/namespaces/${ns}/trials`, 'katib.kubeflow.org/experiment=hpo');
    const s = summarizeExperiment(exp);
    assert.equal(s.phase, 'Running');
    assert.deepEqual([s.counts.trials, s.counts.succeeded, s.counts.failed, s.counts.running], [4, 2, 1, 1]);
    assert.equal(s.optimal?.trial, 'hpo-b2');
    assert.equal(s.best, 0.981);
    const ts = trials.map((t) => summarizeTrial(t, exp));
    assert.deepEqual(ts.map((t) => `${t.name} ${t.phase} ${t.objective ?? '-'}`).sort(), ['hpo-a1 Succeeded 0.912', 'hpo-b2 Succeeded 0.981', 'hpo-c3 Failed -', 'hpo-d4 Running -']);
    const best = trials.find((t) => t.metadata.name === 'hpo-b2')!;
    const artifact = modelArtifactOf(best);
    assert.deepEqual(artifact, { uri: 's3://models/hpo/hpo-b2', source: 'annotation kubeflow.org/model-uri' });
    const plan = registrationPlan(s, summarizeTrial(best, exp), artifact!);
    assert.equal(plan.registeredModel.name, 'hpo');
    assert.equal(plan.modelVersion.name, 'hpo-b2');
  });
});
