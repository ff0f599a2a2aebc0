// Objects shaped the way the operators and the kubelet write them (training-operator v1.9 conditions and labels,
// Trainer v2.3 TrainJob status, scheduler conditions and events), for the state-derivation tests.
import type { Condition, JobObject, KubeEvent, Pod } from '../../../core/training/objects';

export const T0 = Date.parse('2026-08-27T10:00:00Z');
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace(/\.000Z$/, 'Z');

const cond = (type: string, status: string, reason: string, message: string, s: number): Condition => ({ type, status, reason, message, lastUpdateTime: at(s), lastTransitionTime: at(s) });

const container = (gpus: number) => ({ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', resources: gpus ? { limits: { 'nvidia.com/gpu': String(gpus) } } : {} });

export function pytorchJob(name: string, conditions: Condition[], extra: Record<string, unknown> = {}, workers = 3): JobObject {
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, creationTimestamp: at(0) },
    spec: {
      runPolicy: { cleanPodPolicy: 'None' },
      pytorchReplicaSpecs: {
        Master: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [container(1)] } } },
        Worker: { replicas: workers, restartPolicy: 'OnFailure', template: { spec: { containers: [container(2)] } } },
      },
    },
    status: { conditions, ...extra },
  };
}

export const created = (name: string) => cond('Created', 'True', 'PyTorchJobCreated', `PyTorchJob ${name} is created.`, 1);
export const running = (name: string) => cond('Running', 'True', 'PyTorchJobRunning', `PyTorchJob team-a/${name} is running.`, 5);
export const runningFalse = (name: string, reason: string) => cond('Running', 'False', reason, `PyTorchJob team-a/${name} is not running.`, 300);
export const failed = (name: string) => cond('Failed', 'True', 'PyTorchJobFailed', `PyTorchJob ${name} is failed because 1 Worker replica(s) failed.`, 300);
export const succeeded = (name: string) => cond('Succeeded', 'True', 'PyTorchJobSucceeded', `PyTorchJob ${name} is successfully completed.`, 600);
export const restarting = (name: string) => cond('Restarting', 'True', 'PyTorchJobRestarting', `PyTorchJob ${name} is restarting because 1 Worker replica(s) failed.`, 200);

type PodState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unschedulable' | 'ImagePullBackOff' | 'OOMKilled';

/** A pod of a training-operator job, labelled like pytorchjob-controller labels them. */
export function operatorPod(job: string, type: 'master' | 'worker', index: number, state: PodState, o: { restarts?: number; gpus?: number } = {}): Pod {
  const name = `${job}-${type}-${index}`;
  const labels: Record<string, string> = {
    'training.kubeflow.org/job-name': job,
    'training.kubeflow.org/operator-name': 'pytorchjob-controller',
    'training.kubeflow.org/replica-type': type,
    'training.kubeflow.org/replica-index': String(index),
  };
  if (type === 'master') labels['training.kubeflow.org/job-role'] = 'master';
  return withState({ metadata: { name, namespace: 'team-a', labels, uid: `uid-${name}` }, spec: { containers: [container(o.gpus ?? 1)] } }, state, o.restarts ?? 0);
}

/** A pod of a Trainer v2 TrainJob: JobSet `<job>`, replicated job `node` (or an initializer), completion index. */
export function jobsetPod(job: string, rjob: string, index: number, state: PodState, gpus = 0): Pod {
  const name = `${job}-${rjob}-0-${index}-abcde`;
  return withState({
    metadata: {
      name, namespace: 'team-a', uid: `uid-${name}`,
      labels: {
        'jobset.sigs.k8s.io/jobset-name': job, 'jobset.sigs.k8s.io/replicatedjob-name': rjob, 'jobset.sigs.k8s.io/job-index': '0',
        'batch.kubernetes.io/job-completion-index': String(index), 'batch.kubernetes.io/job-name': `${job}-${rjob}-0`, 'trainer.kubeflow.org/trainjob-ancestor-step': rjob === 'node' ? 'trainer' : rjob,
      },
    },
    spec: { containers: [{ name: 'node', image: 'pytorch/pytorch:2.5.1', resources: gpus ? { limits: { 'nvidia.com/gpu': String(gpus) } } : {} }] },
  }, state, 0);
}

function withState(p: Pod, state: PodState, restarts: number): Pod {
  const started = at(10);
  switch (state) {
    case 'Unschedulable':
      return { ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: at(3), message: '0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) didn\'t match Pod\'s node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.' }] } };
    case 'Pending':
      return { ...p, spec: { ...p.spec, nodeName: 'gpu-node-1' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ name: 'pytorch', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } };
    case 'ImagePullBackOff':
      return { ...p, spec: { ...p.spec, nodeName: 'gpu-node-1' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ name: 'pytorch', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example/train:v9"' } } }] } };
    case 'Running':
      return { ...p, spec: { ...p.spec, nodeName: 'gpu-node-1' }, status: { phase: 'Running', startTime: started, conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'pytorch', ready: true, restartCount: restarts, state: { running: { startedAt: started } } }] } };
    case 'Succeeded':
      return { ...p, spec: { ...p.spec, nodeName: 'gpu-node-1' }, status: { phase: 'Succeeded', startTime: started, containerStatuses: [{ name: 'pytorch', ready: false, restartCount: restarts, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: at(600) } } }] } };
    case 'Failed':
      return { ...p, spec: { ...p.spec, nodeName: 'gpu-node-1' }, status: { phase: 'Failed', startTime: started, containerStatuses: [{ name: 'pytorch', ready: false, restartCount: restarts, state: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(290) } } }] } };
    case 'OOMKilled':
      return { ...p, spec: { ...p.spec, nodeName: 'gpu-node-1' }, status: { phase: 'Failed', startTime: started, containerStatuses: [{ name: 'pytorch', ready: false, restartCount: restarts, state: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: at(290) } } }] } };
  }
}

export function event(kind: string, name: string, reason: string, message: string, s: number): KubeEvent {
  return {
    metadata: { name: `${name}.${s}`, namespace: 'team-a', creationTimestamp: at(s) },
    involvedObject: { kind, name, namespace: 'team-a' },
    reason, message, type: 'Warning', count: 3, firstTimestamp: at(s), lastTimestamp: at(s + 30),
  };
}

export function trainJob(name: string, status: Record<string, unknown> = {}, trainer: Record<string, unknown> = { numNodes: 2, resourcesPerNode: { limits: { 'nvidia.com/gpu': '4' } } }): JobObject {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, creationTimestamp: at(0) },
    spec: { runtimeRef: { name: 'torch-distributed', apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime' }, trainer: { image: 'pytorch/pytorch:2.5.1', ...trainer } },
    status,
  };
}
