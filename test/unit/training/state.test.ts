import assert from 'node:assert/strict';
import { resolveKinds, pluralsOf } from '../../../core/training/kinds';
import { formatDuration } from '../../../core/training/objects';
import { describeJob, failedReplicas, pendingReasons, requestedGpus, summarizeJob, summarizeQuota, summarizeUnschedulable } from '../../../core/training/state';
import { at, created, event, failed, jobsetPod, operatorPod, pytorchJob, restarting, running, runningFalse, succeeded, T0, trainJob } from './fixtures';

describe('training job state (training-operator v1)', () => {
  const job = 'mnist-ddp';
  const allRunning = [operatorPod(job, 'master', 0, 'Running'), ...[0, 1, 2].map((i) => operatorPod(job, 'worker', i, 'Running'))];

  it('takes the phase from the last true condition and counts replicas by role', () => {
    const s = summarizeJob(pytorchJob(job, [created(job), running(job)], { startTime: at(5), replicaStatuses: { Master: { active: 1 }, Worker: { active: 3 } } }), allRunning);
    assert.equal(s.phase, 'Running');
    assert.equal(s.terminal, false);
    assert.deepEqual(s.roles.map((r) => [r.role, r.desired, r.running]), [['Master', 1, 1], ['Worker', 3, 3]]);
    assert.deepEqual(s.roles[1]!.replicas.map((r) => r.tag), ['worker-0', 'worker-1', 'worker-2']);
    assert.equal(s.desired, 4);
    assert.equal(s.running, 4);
    assert.equal(s.gpus, 1 + 3 * 2, 'master 1 GPU + 3 workers × 2');
    assert.equal(s.startedAt, T0 + 5000);
    assert.deepEqual(s.pending, []);
    assert.equal(describeJob(s, T0 + 65_000), 'Running · 4/4 · 7 GPUs · 1m 0s');
  });

  it('ignores pods of other jobs', () => {
    const s = summarizeJob(pytorchJob(job, [created(job), running(job)]), [...allRunning, operatorPod('other', 'worker', 0, 'Failed')]);
    assert.equal(s.roles.flatMap((r) => r.replicas).length, 4);
  });

  it('reports a failed job with its reason and the replica that failed', () => {
    const pods = [operatorPod(job, 'master', 0, 'Running'), operatorPod(job, 'worker', 0, 'Running'), operatorPod(job, 'worker', 1, 'Running'), operatorPod(job, 'worker', 2, 'OOMKilled', { restarts: 2 })];
    const s = summarizeJob(pytorchJob(job, [created(job), running(job), runningFalse(job, 'PyTorchJobFailed'), failed(job)], { startTime: at(5), completionTime: at(300) }), pods);
    assert.equal(s.phase, 'Failed');
    assert.equal(s.terminal, true);
    assert.equal(s.reason, 'PyTorchJobFailed');
    assert.match(s.message!, /1 Worker replica\(s\) failed/);
    assert.equal(s.finishedAt, T0 + 300_000);
    assert.equal(s.restarts, 2);
    assert.deepEqual(failedReplicas(s), ['worker-2 (OOMKilled, exit 137)']);
    const worker = s.roles.find((r) => r.role === 'Worker')!;
    assert.equal(worker.failed, 1);
    assert.deepEqual(s.pending, [], 'a finished job has no pending reasons');
  });

  it('a succeeded job has the Running condition set to False after it', () => {
    const s = summarizeJob(pytorchJob(job, [created(job), running(job), runningFalse(job, 'PyTorchJobSucceeded'), succeeded(job)], { startTime: at(5), completionTime: at(600) }), allRunning.map((p) => ({ ...p, status: { ...p.status, phase: 'Succeeded' } })));
    assert.equal(s.phase, 'Succeeded');
    assert.equal(describeJob(s, T0 + 9_999_000), 'Succeeded · 0/4 · 7 GPUs · 9m 55s');
  });

  it('shows Restarting while the operator recreates a failed replica', () => {
    assert.equal(summarizeJob(pytorchJob(job, [created(job), running(job), restarting(job)]), allRunning).phase, 'Restarting');
  });

  it('is Pending with the scheduler\'s reason when a GPU replica cannot be placed', () => {
    const pods = [operatorPod(job, 'master', 0, 'Running'), operatorPod(job, 'worker', 0, 'Running'), operatorPod(job, 'worker', 1, 'Unschedulable'), operatorPod(job, 'worker', 2, 'Unschedulable')];
    const s = summarizeJob(pytorchJob(job, [created(job)]), pods);
    // Some replicas run; the operator writes Running only when all of them do. The pods decide meanwhile.
    assert.equal(s.phase, 'Running');
    const waiting = summarizeJob(pytorchJob(job, [created(job)]), pods.map((p) => (p.status?.phase === 'Running' ? operatorPod(job, p.metadata.name.includes('master') ? 'master' : 'worker', 0, 'Unschedulable') : p)));
    assert.equal(waiting.phase, 'Pending');
    assert.equal(waiting.pending.length, 1, 'one reason for every pod that waits for the same thing');
    assert.equal(waiting.pending[0]!.kind, 'unschedulable');
    assert.equal(waiting.pending[0]!.message, 'Unschedulable: insufficient nvidia.com/gpu (0/3 nodes are available)');
    assert.equal(waiting.pending[0]!.pods.length, 4);
  });

  it('is Pending on a quota the operator hit creating pods (an event on the job)', () => {
    const quota = 'Error creating: pods "mnist-ddp-worker-2" is forbidden: exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=7, limited: requests.nvidia.com/gpu=8';
    const pods = [operatorPod(job, 'master', 0, 'Pending'), operatorPod(job, 'worker', 0, 'Pending'), operatorPod(job, 'worker', 1, 'Pending')];
    const s = summarizeJob(pytorchJob(job, [created(job)]), pods, [event('PyTorchJob', job, 'FailedCreatePod', quota, 20), event('PyTorchJob', 'another', 'FailedCreatePod', quota, 20)]);
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.pending.map((r) => r.message), ['Quota gpu-quota exceeded — requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=7, limited: requests.nvidia.com/gpu=8']);
    // Once all pods exist, an old quota event is history.
    assert.deepEqual(summarizeJob(pytorchJob(job, [created(job)]), [...pods, operatorPod(job, 'worker', 2, 'Pending')], [event('PyTorchJob', job, 'FailedCreatePod', quota, 20)]).pending, []);
  });

  it('names image pull problems and falls back to the scheduler event when the pod has no condition yet', () => {
    const pull = pendingReasons('PyTorchJob', job, [operatorPod(job, 'master', 0, 'ImagePullBackOff')], [], 1);
    assert.deepEqual(pull.map((r) => [r.kind, r.message]), [['image', 'ImagePullBackOff (pytorch)']]);
    const bare = { ...operatorPod(job, 'worker', 0, 'Pending'), status: { phase: 'Pending' } };
    const fromEvent = pendingReasons('PyTorchJob', job, [bare], [event('Pod', bare.metadata.name, 'FailedScheduling', '0/2 nodes are available: 2 Insufficient nvidia.com/gpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.', 4)], 1);
    assert.deepEqual(fromEvent.map((r) => r.message), ['Unschedulable: insufficient nvidia.com/gpu (0/2 nodes are available)']);
    assert.deepEqual(pendingReasons('PyTorchJob', job, [], [], 4).map((r) => r.kind), ['waiting']);
  });

  it('summarizes scheduler and quota messages', () => {
    assert.equal(summarizeUnschedulable('0/5 nodes are available: 3 Insufficient nvidia.com/gpu, 2 Insufficient memory. preemption: …'), 'Unschedulable: insufficient nvidia.com/gpu, memory (0/5 nodes are available)');
    // As kube-scheduler 1.36 writes it when preemption has nothing to add: the list ends with a period.
    assert.equal(summarizeUnschedulable('0/2 nodes are available: 2 Insufficient nvidia.com/gpu.'), 'Unschedulable: insufficient nvidia.com/gpu (0/2 nodes are available)');
    assert.equal(summarizeUnschedulable('0/2 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}.'), 'Unschedulable: 0/2 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}');
    assert.equal(summarizeQuota('pods "x" is forbidden: failed quota: q: must specify limits.cpu'), 'Quota: failed quota: q: must specify limits.cpu');
    assert.equal(summarizeQuota('pods "x" is forbidden: unable to validate against any security policy'), undefined);
  });

  it('counts GPUs from limits, else requests, times replicas; MPI launchers usually ask for none', () => {
    const mpi = {
      apiVersion: 'kubeflow.org/v2beta1', kind: 'MPIJob', metadata: { name: 'hvd' },
      spec: { mpiReplicaSpecs: {
        Launcher: { replicas: 1, template: { spec: { containers: [{ name: 'l' }] } } },
        Worker: { replicas: 4, template: { spec: { containers: [{ name: 'w', resources: { requests: { 'nvidia.com/gpu': 2 } } }] } } },
      } },
    };
    assert.equal(requestedGpus(mpi, 'MPIJob'), 8);
    const s = summarizeJob(mpi, [], [], 'MPIJob');
    assert.deepEqual(s.roles.map((r) => r.role), ['Launcher', 'Worker']);
  });

  it('tags mpi-operator pods by their job-role label', () => {
    const pod = (role: string, index?: number) => ({ metadata: { name: `hvd-${role}`, labels: { 'training.kubeflow.org/job-name': 'hvd', 'training.kubeflow.org/job-role': role, ...(index !== undefined ? { 'training.kubeflow.org/replica-index': String(index) } : {}) } }, status: { phase: 'Running' } });
    const mpi = { kind: 'MPIJob', metadata: { name: 'hvd' }, spec: { mpiReplicaSpecs: { Launcher: { replicas: 1 }, Worker: { replicas: 2 } } }, status: { conditions: [{ type: 'Running', status: 'True' }] } };
    const s = summarizeJob(mpi, [pod('launcher'), pod('worker', 0), pod('worker', 1)]);
    assert.deepEqual(s.roles.map((r) => [r.role, r.replicas.map((x) => x.tag)]), [['Launcher', ['launcher']], ['Worker', ['worker-0', 'worker-1']]]);
  });
});

describe('training job state (Trainer v2 TrainJob)', () => {
  const name = 'llm-finetune';

  it('derives Running from the JobSet pods: there is no Running condition', () => {
    const pods = [jobsetPod(name, 'node', 0, 'Running', 4), jobsetPod(name, 'node', 1, 'Running', 4)];
    const s = summarizeJob(trainJob(name, { jobsStatus: [{ name: 'node', active: 1, ready: 1, succeeded: 0, failed: 0, suspended: 0 }] }), pods);
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.roles.map((r) => [r.role, r.desired, r.running]), [['node', 2, 2]]);
    assert.deepEqual(s.roles[0]!.replicas.map((r) => r.tag), ['node-0', 'node-1']);
    assert.equal(s.gpus, 8, 'resourcesPerNode × numNodes');
  });

  it('says Initializing while only the dataset/model initializers run', () => {
    const s = summarizeJob(trainJob(name, { jobsStatus: [{ name: 'dataset-initializer', active: 1, ready: 0, succeeded: 0, failed: 0, suspended: 0 }, { name: 'node', active: 0, ready: 0, succeeded: 0, failed: 0, suspended: 0 }] }), [jobsetPod(name, 'dataset-initializer', 0, 'Running')]);
    assert.equal(s.phase, 'Running');
    assert.equal(s.reason, 'Initializing');
    assert.deepEqual(s.roles.map((r) => r.role), ['dataset-initializer', 'node']);
    assert.match(describeJob(s, T0), /^Initializing/);
  });

  it('is Pending, with the reason, while the nodes cannot be scheduled', () => {
    const s = summarizeJob(trainJob(name, { jobsStatus: [{ name: 'node', active: 1, ready: 0, succeeded: 0, failed: 0, suspended: 0 }] }), [jobsetPod(name, 'node', 0, 'Unschedulable', 4), jobsetPod(name, 'node', 1, 'Unschedulable', 4)]);
    assert.equal(s.phase, 'Pending');
    assert.equal(s.pending[0]!.message, 'Unschedulable: insufficient nvidia.com/gpu (0/3 nodes are available)');
  });

  it('sees quota errors on the JobSet\'s child Jobs', () => {
    const s = summarizeJob(trainJob(name, {}), [], [event('Job', `${name}-node-0`, 'FailedCreate', 'Error creating: pods "llm-finetune-node-0-0-x" is forbidden: exceeded quota: gpu, requested: requests.nvidia.com/gpu=4, used: requests.nvidia.com/gpu=8, limited: requests.nvidia.com/gpu=8', 2)]);
    assert.equal(s.phase, 'Pending');
    assert.equal(s.pending[0]!.kind, 'quota');
  });

  it('takes Complete, Failed and Suspended from the conditions, and the progress the runtime reports', () => {
    const complete = summarizeJob(trainJob(name, { conditions: [{ type: 'Complete', status: 'True', reason: 'AllJobsCompleted', message: 'jobset completed successfully', lastTransitionTime: at(900) }], trainerStatus: { progressPercentage: 100, lastUpdatedTime: at(899) } }), [jobsetPod(name, 'node', 0, 'Succeeded')]);
    assert.equal(complete.phase, 'Succeeded');
    assert.equal(complete.finishedAt, T0 + 900_000);
    assert.equal(complete.progressPercent, 100);
    const failedJob = summarizeJob(trainJob(name, { conditions: [{ type: 'Failed', status: 'True', reason: 'FailedJobs', message: 'jobset failed due to one or more job failures', lastTransitionTime: at(400) }] }), [jobsetPod(name, 'node', 0, 'Failed'), jobsetPod(name, 'node', 1, 'Running')]);
    assert.equal(failedJob.phase, 'Failed');
    assert.equal(failedJob.reason, 'FailedJobs');
    assert.deepEqual(failedReplicas(failedJob), ['node-0 (Error, exit 1)']);
    const suspended = summarizeJob(trainJob(name, { conditions: [{ type: 'Suspended', status: 'True', reason: 'Suspended', message: 'TrainJob is suspended', lastTransitionTime: at(1) }] }), []);
    assert.equal(suspended.phase, 'Suspended');
    assert.deepEqual(suspended.pending, []);
  });

  it('reads GPUs from the pods when the runtime, not the TrainJob, sets them', () => {
    const s = summarizeJob(trainJob(name, {}, { numNodes: 2 }), [jobsetPod(name, 'node', 0, 'Running', 2), jobsetPod(name, 'node', 1, 'Running', 2), jobsetPod(name, 'dataset-initializer', 0, 'Succeeded')]);
    assert.equal(s.gpus, 4);
    assert.equal(summarizeJob(trainJob(name, {}, { numNodes: 2 }), []).gpus, undefined);
  });
});

describe('training kinds from discovery', () => {
  it('prefers mpi-operator v2beta1 MPIJob and lists what is missing', () => {
    const { installed, missing } = resolveKinds({
      'kubeflow.org/v1': ['pytorchjobs', 'tfjobs', 'mpijobs', 'notebooks'],
      'kubeflow.org/v2beta1': ['mpijobs'],
      'trainer.kubeflow.org/v1alpha1': null,
    });
    assert.deepEqual(installed.map((k) => `${k.kind}@${k.version}`), ['MPIJob@v2beta1', 'PyTorchJob@v1', 'TFJob@v1']);
    assert.deepEqual(missing, ['XGBoostJob', 'JAXJob', 'TrainJob']);
  });

  it('reads plurals from an APIResourceList without subresources', () => {
    assert.deepEqual(pluralsOf({ resources: [{ name: 'pytorchjobs' }, { name: 'pytorchjobs/status' }, { name: 'tfjobs' }] }), ['pytorchjobs', 'tfjobs']);
    assert.deepEqual(resolveKinds({}).installed, []);
  });

  it('formats durations compactly', () => {
    assert.deepEqual([5_000, 65_000, 3_725_000, 90_061_000].map(formatDuration), ['5s', '1m 5s', '1h 2m', '1d 1h']);
  });
});
