import assert from 'node:assert/strict';
import {
  describeResources, newServerManifests, podProblem, shortImage, startPatch, stopPatch, summarize, validateQuantity, validateServerName,
  type EventResource, type NotebookResource, type PodResource,
} from '../../../extension/notebooks/model';

const nb = (name: string, o: { stopped?: string; gpus?: number; deleting?: boolean; status?: NotebookResource['status'] } = {}): NotebookResource => ({
  metadata: {
    name, namespace: 'team-a', creationTimestamp: '2026-11-27T10:00:00Z',
    ...(o.stopped ? { annotations: { 'kubeflow-resource-stopped': o.stopped } } : {}),
    ...(o.deleting ? { deletionTimestamp: '2026-11-27T11:00:00Z' } : {}),
  },
  spec: { template: { spec: {
    containers: [{
      name, image: 'docker.io/kubeflownotebookswg/jupyter-pytorch-cuda:v1.9.0',
      resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi', ...(o.gpus ? { 'nvidia.com/gpu': String(o.gpus) } : {}) } },
      volumeMounts: [{ name: 'ws', mountPath: '/home/jovyan' }, { name: 'data', mountPath: '/data' }],
    }],
    volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: `${name}-workspace` } }, { name: 'data', persistentVolumeClaim: { claimName: 'datasets' } }],
  } } },
  ...(o.status ? { status: o.status } : {}),
});
const pod = (name: string, status: PodResource['status'], o: { deleting?: boolean; uid?: string } = {}): PodResource => ({
  metadata: { name: `${name}-0`, uid: o.uid ?? 'uid-1', labels: { 'notebook-name': name }, ...(o.deleting ? { deletionTimestamp: 'x' } : {}) },
  status,
});
const running: PodResource['status'] = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
const event = (podName: string, reason: string, message: string, at: string, type = 'Warning'): EventResource => ({
  metadata: { name: `${podName}.${at}` }, involvedObject: { kind: 'Pod', name: podName }, type, reason, message, lastTimestamp: at,
});

describe('notebook servers: state, reason, resources', () => {
  it('reads image, CPU, memory, GPUs and the workspace volume from the pod template', () => {
    const s = summarize(nb('train', { gpus: 2 }), [pod('train', running)]);
    assert.equal(s.phase, 'running');
    assert.equal(s.image, 'docker.io/kubeflownotebookswg/jupyter-pytorch-cuda:v1.9.0');
    assert.deepEqual([s.cpu, s.memory, s.gpus, s.gpuResource], ['2', '8Gi', 2, 'nvidia.com/gpu']);
    assert.deepEqual(s.volumes, ['train-workspace', 'datasets']);
    assert.equal(s.workspace, 'train-workspace');
    assert.equal(s.pod, 'train-0');
    assert.equal(describeResources(s), '2 CPU · 8Gi · 2 GPU');
    assert.equal(shortImage(s.image), 'kubeflownotebookswg/jupyter-pytorch-cuda:v1.9.0');
  });

  it('stopped: the annotation and no pod; stopping while the pod is still there', () => {
    assert.equal(summarize(nb('a', { stopped: '2026-11-27T00:00:00Z' }), []).phase, 'stopped');
    assert.equal(summarize(nb('a', { stopped: '2026-11-27T00:00:00Z' }), []).stoppedAt, '2026-11-27T00:00:00Z');
    assert.equal(summarize(nb('a', { stopped: 'x' }), [pod('a', running)]).phase, 'stopping');
    assert.equal(summarize(nb('a', { deleting: true }), [pod('a', running)]).phase, 'terminating');
  });

  it('pending with the scheduler\'s reason when no node has the GPUs (newest warning event first)', () => {
    const p = pod('big', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.' }] });
    const s = summarize(nb('big', { gpus: 16 }), [p]);
    assert.equal(s.phase, 'pending');
    assert.equal(s.reason, 'Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.');
    const events = [
      event('big-0', 'FailedScheduling', 'old message', '2026-11-27T10:00:00Z'),
      event('big-0', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes', '2026-11-27T10:05:00Z'),
      event('big-0', 'Scheduled', 'fine', '2026-11-27T10:06:00Z', 'Normal'),
      event('other-0', 'Failed', 'not ours', '2026-11-27T10:07:00Z'),
    ];
    assert.equal(podProblem(p, events), 'FailedScheduling: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes');
  });

  it('pending with the image pull error of the container', () => {
    const p = pod('img', { phase: 'Pending', containerStatuses: [{ name: 'img', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } } }] });
    const s = summarize(nb('img'), [p]);
    assert.equal(s.phase, 'pending');
    assert.equal(s.reason, 'ImagePullBackOff: Back-off pulling image "nope:1"');
    // ContainerCreating is progress, not a problem.
    const creating = pod('img', { phase: 'Pending', containerStatuses: [{ name: 'img', state: { waiting: { reason: 'ContainerCreating' } } }] });
    assert.equal(summarize(nb('img'), [creating]).phase, 'starting');
  });

  it('ignores events of an earlier pod with the same name', () => {
    const p = pod('x', { phase: 'Pending' }, { uid: 'new' });
    const e = { ...event('x-0', 'Failed', 'old pod', 'z'), involvedObject: { kind: 'Pod', name: 'x-0', uid: 'old' } };
    assert.equal(podProblem(p, [e]), undefined);
  });

  it('a live replacement wins over a terminating pod; without pods the Notebook status is used', () => {
    assert.equal(summarize(nb('r'), [pod('r', running, { deleting: true }), pod('r', running)]).phase, 'running');
    assert.equal(summarize(nb('r'), [pod('r', running, { deleting: true })]).phase, 'starting');
    assert.equal(summarize(nb('s', { status: { readyReplicas: 1 } }), []).phase, 'running');
    const waiting = summarize(nb('s', { status: { readyReplicas: 0, containerState: { waiting: { reason: 'ErrImagePull', message: 'not found' } } } }), []);
    assert.deepEqual([waiting.phase, waiting.reason], ['pending', 'ErrImagePull: not found']);
    assert.equal(summarize(nb('s'), []).phase, 'starting');
  });
});

describe('notebook servers: create, stop, start', () => {
  it('validates names and quantities like the web app', () => {
    assert.equal(validateServerName('my-nb'), undefined);
    assert.ok(validateServerName('My_NB'));
    assert.ok(validateServerName('1nb'));
    assert.ok(validateServerName('a'.repeat(53)));
    assert.equal(validateQuantity('cpu', '500m'), undefined);
    assert.equal(validateQuantity('cpu', '1.5'), undefined);
    assert.ok(validateQuantity('cpu', 'lots'));
    assert.equal(validateQuantity('memory', '2Gi'), undefined);
    assert.ok(validateQuantity('memory', '2 GB'));
  });

  it('builds a Notebook with requests, GPU limits and a new workspace volume at /home/jovyan', () => {
    const { notebook, pvc } = newServerManifests({ name: 'nb1', namespace: 'team-a', image: 'img:1', cpu: '1', memory: '2Gi', gpus: 1, workspace: { kind: 'new', size: '10Gi' } });
    assert.equal(notebook.kind, 'Notebook');
    assert.equal(notebook.apiVersion, 'kubeflow.org/v1');
    const spec = notebook.spec!.template!.spec!;
    const c = spec.containers![0];
    assert.deepEqual(c.resources, { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi', 'nvidia.com/gpu': '1' } });
    assert.deepEqual(c.volumeMounts, [{ name: 'workspace', mountPath: '/home/jovyan' }, { name: 'dshm', mountPath: '/dev/shm' }]);
    assert.equal(spec.volumes![0].persistentVolumeClaim!.claimName, 'nb1-workspace');
    assert.equal(pvc?.metadata.name, 'nb1-workspace');
    assert.deepEqual((pvc as unknown as { spec: unknown }).spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    // and reads back as what was asked for
    const s = summarize(notebook, []);
    assert.deepEqual([s.image, s.cpu, s.memory, s.gpus, s.workspace], ['img:1', '1', '2Gi', 1, 'nb1-workspace']);
  });

  it('no GPU limit without GPUs; an existing claim is mounted, not created; none mounts only /dev/shm', () => {
    const e = newServerManifests({ name: 'n', namespace: 'x', image: 'i', cpu: '1', memory: '1Gi', gpus: 0, workspace: { kind: 'existing', claim: 'shared' } });
    assert.equal(e.pvc, undefined);
    assert.deepEqual(e.notebook.spec!.template!.spec!.containers![0].resources!.limits, { cpu: '1', memory: '1Gi' });
    assert.equal(e.notebook.spec!.template!.spec!.volumes![0].persistentVolumeClaim!.claimName, 'shared');
    const none = newServerManifests({ name: 'n', namespace: 'x', image: 'i', cpu: '1', memory: '1Gi', gpus: 0, workspace: { kind: 'none' } });
    assert.deepEqual(none.notebook.spec!.template!.spec!.containers![0].volumeMounts, [{ name: 'dshm', mountPath: '/dev/shm' }]);
  });

  it('stop sets the annotation to the time in seconds (UTC); start removes it', () => {
    assert.deepEqual(stopPatch(new Date('2026-11-27T10:11:12.345Z')), { metadata: { annotations: { 'kubeflow-resource-stopped': '2026-11-27T10:11:12Z' } } });
    assert.deepEqual(startPatch(), { metadata: { annotations: { 'kubeflow-resource-stopped': null } } });
  });
});
