/**
 * Training jobs and Katib on the kube rig, with the test playing the controllers: it creates the pods the
 * training-operator / JobSet would create (same labels, kwok runs them, logs from files) and writes the status
 * subresources the way training-operator v1, Trainer v2 and katib-controller do. Used by the training integration
 * test and the training UI e2e.
 */
import { COMPLETE_LABEL, FAIL_ANNOTATIONS, FAIL_LABEL, type KubeRig } from './kube/index';

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Writes `status` of a custom object through its status subresource (as its controller would). */
export async function setStatus(rig: KubeRig, resource: string, namespace: string, name: string, status: object): Promise<void> {
  await rig.kubectl(['patch', resource, name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/** training-operator v1 conditions: Created, Running, then Failed or Succeeded (Running set to False). */
export function v1Conditions(kind: string, name: string, phase: 'Created' | 'Running' | 'Failed' | 'Succeeded', failure = `${kind} ${name} is failed because 1 Worker replica(s) failed.`): object[] {
  const c = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastUpdateTime: now(), lastTransitionTime: now() });
  const out = [c('Created', 'True', `${kind}Created`, `${kind} ${name} is created.`)];
  if (phase === 'Created') return out;
  out.push(c('Running', phase === 'Running' ? 'True' : 'False', `${kind}Running`, `${kind} ${name} is running.`));
  if (phase === 'Failed') out.push(c('Failed', 'True', `${kind}Failed`, failure));
  if (phase === 'Succeeded') out.push(c('Succeeded', 'True', `${kind}Succeeded`, `${kind} ${name} is successfully completed.`));
  return out;
}

export interface ReplicaPlan {
  type: string;
  index: number;
  lines: string[];
  fail?: boolean;
  complete?: boolean;
  gpus?: number;
}

/** A PyTorchJob (training-operator v1) with its replica pods on the GPU node and their logs. */
export async function pytorchJobWithPods(rig: KubeRig, ns: string, name: string, replicas: ReplicaPlan[], o: { gpusPerReplica?: number; image?: string } = {}): Promise<void> {
  const gpus = o.gpusPerReplica ?? 1;
  const image = o.image ?? 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime';
  const count = (t: string) => replicas.filter((r) => r.type === t).length;
  const spec = (n: number) => ({ replicas: n, restartPolicy: 'Never', template: { spec: { containers: [{ name: 'pytorch', image, resources: { limits: { 'nvidia.com/gpu': gpus } } }] } } });
  await rig.apply([{
    apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: ns },
    spec: { runPolicy: { cleanPodPolicy: 'None' }, pytorchReplicaSpecs: { Master: spec(count('master') || 1), ...(count('worker') ? { Worker: spec(count('worker')) } : {}) } },
  }]);
  for (const r of replicas) {
    const pod = `${name}-${r.type}-${r.index}`;
    await rig.podLogs(ns, pod, r.lines);
    await rig.apply([{
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: pod, namespace: ns,
        labels: {
          'training.kubeflow.org/job-name': name, 'training.kubeflow.org/operator-name': 'pytorchjob-controller',
          'training.kubeflow.org/replica-type': r.type, 'training.kubeflow.org/replica-index': String(r.index),
          ...(r.type === 'master' ? { 'training.kubeflow.org/job-role': 'master' } : {}),
          ...(r.fail ? { [FAIL_LABEL]: 'true' } : {}), ...(r.complete ? { [COMPLETE_LABEL]: 'true' } : {}),
        },
        ...(r.fail ? { annotations: { [FAIL_ANNOTATIONS.exitCode]: '1', [FAIL_ANNOTATIONS.reason]: 'Error', [FAIL_ANNOTATIONS.delay]: '3s' } } : {}),
      },
      spec: { nodeName: rig.nodes.gpu, restartPolicy: 'Never', containers: [{ name: 'pytorch', image, resources: { limits: { 'nvidia.com/gpu': r.gpus ?? gpus } } }] },
    }]);
  }
}

/** A PyTorchJob that asks for more GPUs than any node has: its pod stays Pending, and the "scheduler" says why. */
export async function unschedulableJob(rig: KubeRig, ns: string, name: string, gpus = 16): Promise<void> {
  await rig.apply([{
    apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: ns },
    spec: { pytorchReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', resources: { limits: { 'nvidia.com/gpu': gpus } } }] } } } } },
  }]);
  await setStatus(rig, 'pytorchjob', ns, name, { conditions: v1Conditions('PyTorchJob', name, 'Created') });
  const pod = `${name}-master-0`;
  // No nodeName: kwok leaves it alone, as a real cluster leaves a pod no node can take.
  await rig.apply([{
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: pod, namespace: ns, labels: { 'training.kubeflow.org/job-name': name, 'training.kubeflow.org/replica-type': 'master', 'training.kubeflow.org/replica-index': '0', 'training.kubeflow.org/job-role': 'master' } },
    spec: { restartPolicy: 'OnFailure', containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', resources: { limits: { 'nvidia.com/gpu': gpus } } }] },
  }]);
  await rig.kubectl(['patch', 'pod', pod, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: now(), message: `0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.` }] },
  })]);
}

/** A TrainJob (Trainer v2) and the pods of its JobSet's `node` replicated job, with logs. */
export async function trainJobWithPods(rig: KubeRig, ns: string, name: string, nodes: Array<{ lines: string[]; complete?: boolean }>, gpusPerNode = 2): Promise<void> {
  await rig.apply([{
    apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name, namespace: ns },
    spec: { runtimeRef: { name: 'torch-distributed' }, trainer: { image: 'pytorch/pytorch:2.5.1', command: ['torchrun', 'train.py'], numNodes: nodes.length, resourcesPerNode: { limits: { 'nvidia.com/gpu': gpusPerNode } } } },
  }]);
  for (let i = 0; i < nodes.length; i++) {
    const pod = `${name}-node-0-${i}-x${i}k2`;
    await rig.podLogs(ns, pod, nodes[i]!.lines);
    await rig.apply([{
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: pod, namespace: ns,
        labels: {
          'jobset.sigs.k8s.io/jobset-name': name, 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'jobset.sigs.k8s.io/job-index': '0',
          'batch.kubernetes.io/job-completion-index': String(i), 'batch.kubernetes.io/job-name': `${name}-node-0`, 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer',
          ...(nodes[i]!.complete ? { [COMPLETE_LABEL]: 'true' } : {}),
        },
      },
      spec: { nodeName: rig.nodes.gpu, restartPolicy: 'Never', containers: [{ name: 'node', image: 'pytorch/pytorch:2.5.1', resources: { limits: { 'nvidia.com/gpu': gpusPerNode } } }] },
    }]);
  }
  await setStatus(rig, 'trainjob', ns, name, { jobsStatus: [{ name: 'node', active: 1, ready: 1, succeeded: 0, failed: 0, suspended: 0 }] });
}

export function trainJobComplete(): object {
  return {
    conditions: [{ type: 'Complete', status: 'True', reason: 'AllJobsCompleted', message: 'jobset completed successfully', lastTransitionTime: now() }],
    jobsStatus: [{ name: 'node', active: 0, ready: 0, succeeded: 1, failed: 0, suspended: 0 }],
  };
}

export interface TrialPlan {
  name: string;
  phase: 'Created' | 'Running' | 'Succeeded' | 'Failed';
  lr: string;
  accuracy?: string;
}

/** A Katib Experiment (random search over a PyTorchJob trial) with trials, statuses written as katib-controller does. */
export async function katibExperiment(rig: KubeRig, ns: string, name: string, trials: TrialPlan[], phase: 'Running' | 'Succeeded' = 'Running'): Promise<void> {
  const trialSpec = {
    apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob',
    metadata: { annotations: { 'kubeflow.org/model-uri': `s3://models/${name}/\${trialSpec.Name}` } },
    spec: { pytorchReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', command: ['python3', 'train.py', '--lr=${trialParameters.lr}'] }] } } } } },
  };
  await rig.apply([{
    apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name, namespace: ns },
    spec: {
      objective: { type: 'maximize', goal: 0.99, objectiveMetricName: 'accuracy', additionalMetricNames: ['loss'] },
      algorithm: { algorithmName: 'random' }, parallelTrialCount: 2, maxTrialCount: trials.length, maxFailedTrialCount: 2,
      parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.001', max: '0.1' } }],
      trialTemplate: { primaryContainerName: 'pytorch', trialParameters: [{ name: 'lr', reference: 'lr' }], trialSpec },
    },
  }]);
  const uid = JSON.parse(await rig.kubectl(['get', 'experiment', name, '-n', ns, '-o', 'json'])).metadata.uid as string;
  const c = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastUpdateTime: now(), lastTransitionTime: now() });
  for (const t of trials) {
    const runSpec = JSON.parse(JSON.stringify(trialSpec).replaceAll('${trialSpec.Name}', t.name).replaceAll('${trialParameters.lr}', t.lr));
    runSpec.metadata = { ...runSpec.metadata, name: t.name, namespace: ns };
    await rig.apply([{
      apiVersion: 'kubeflow.org/v1beta1', kind: 'Trial',
      metadata: { name: t.name, namespace: ns, labels: { 'katib.kubeflow.org/experiment': name }, ownerReferences: [{ apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', name, uid, controller: true, blockOwnerDeletion: true }] },
      spec: { objective: { type: 'maximize', objectiveMetricName: 'accuracy', additionalMetricNames: ['loss'] }, parameterAssignments: [{ name: 'lr', value: t.lr }], primaryContainerName: 'pytorch', runSpec },
    }]);
    const conditions = [c('Created', 'True', 'TrialCreated', 'Trial is created')];
    if (t.phase !== 'Created') conditions.push(c('Running', t.phase === 'Running' ? 'True' : 'False', 'TrialRunning', 'Trial is running'));
    if (t.phase === 'Succeeded') conditions.push(c('Succeeded', 'True', 'TrialSucceeded', 'Trial has succeeded'));
    if (t.phase === 'Failed') conditions.push(c('Failed', 'True', 'TrialFailed', 'Trial has failed. Job message: Job has failed'));
    await setStatus(rig, 'trial', ns, t.name, {
      conditions, startTime: now(), ...(t.phase === 'Succeeded' || t.phase === 'Failed' ? { completionTime: now() } : {}),
      ...(t.accuracy ? { observation: { metrics: [{ name: 'accuracy', min: String(Number(t.accuracy) - 0.05), max: t.accuracy, latest: t.accuracy }, { name: 'loss', min: '0.07', max: '0.9', latest: '0.08' }] } } : {}),
    });
  }
  await setStatus(rig, 'experiment', ns, name, experimentStatus(trials, phase));
}

/** The experiment status katib-controller derives from its trials: counts, lists, the current optimal trial. */
export function experimentStatus(trials: TrialPlan[], phase: 'Running' | 'Succeeded'): object {
  const c = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastUpdateTime: now(), lastTransitionTime: now() });
  const conditions = [c('Created', 'True', 'ExperimentCreated', 'Experiment is created'), c('Running', phase === 'Running' ? 'True' : 'False', 'ExperimentRunning', 'Experiment is running')];
  if (phase === 'Succeeded') conditions.push(c('Succeeded', 'True', 'ExperimentMaxTrialsReached', 'Experiment has succeeded because max trial count has reached'));
  const best = trials.filter((t) => t.accuracy).sort((a, b) => Number(b.accuracy) - Number(a.accuracy))[0];
  const names = (p: string) => trials.filter((t) => t.phase === p).map((t) => t.name);
  return {
    conditions, startTime: now(), ...(phase === 'Succeeded' ? { completionTime: now() } : {}),
    trials: trials.length, trialsSucceeded: names('Succeeded').length, trialsRunning: names('Running').length, trialsFailed: names('Failed').length, trialsPending: names('Created').length,
    succeededTrialList: names('Succeeded'), runningTrialList: names('Running'), failedTrialList: names('Failed'), pendingTrialList: names('Created'),
    ...(best ? { currentOptimalTrial: { bestTrialName: best.name, parameterAssignments: [{ name: 'lr', value: best.lr }], observation: { metrics: [{ name: 'accuracy', min: String(Number(best.accuracy) - 0.05), max: best.accuracy, latest: best.accuracy }, { name: 'loss', min: '0.07', max: '0.9', latest: '0.08' }] } } } : {}),
  };
}
