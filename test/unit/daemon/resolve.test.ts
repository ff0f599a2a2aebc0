import assert from 'node:assert/strict';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { pickPod, podQuery, resolvePodPort, sameTarget, urlPath, validateTarget } from '../../../companion-daemon/src/forwards/resolve';

function pod(name: string, o: { phase?: string; ready?: boolean; start?: string; deleting?: boolean; ports?: Array<{ name: string; containerPort: number }> } = {}): V1Pod {
  return {
    metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [{ name: 'main', ports: o.ports ?? [] }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: new Date(o.start ?? '2026-01-01T00:00:00Z'),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  } as V1Pod;
}

describe('forward target resolution', () => {
  it('picks a running, ready pod and never one being deleted', () => {
    const picked = pickPod([
      pod('old', { deleting: true, start: '2025-01-01T00:00:00Z' }),
      pod('pending', { phase: 'Pending' }),
      pod('notready', { ready: false, start: '2025-06-01T00:00:00Z' }),
      pod('new', { start: '2026-02-01T00:00:00Z' }),
    ]);
    assert.equal(picked?.metadata?.name, 'new');
  });

  it('has no pod to pick while the only one terminates (notebook being restarted)', () => {
    assert.equal(pickPod([pod('nb-0', { deleting: true })]), undefined);
    assert.equal(pickPod([]), undefined);
  });

  it('keeps the choice stable among several ready replicas (the oldest)', () => {
    const a = pod('a', { start: '2026-01-02T00:00:00Z' });
    const b = pod('b', { start: '2026-01-01T00:00:00Z' });
    assert.equal(pickPod([a, b])?.metadata?.name, 'b');
    assert.equal(pickPod([b, a])?.metadata?.name, 'b');
  });

  it('finds a notebook by the label Kubeflow puts on its pod and serves it under its base URL', () => {
    const t = { kind: 'notebook', namespace: 'kubeflow-user', name: 'my-nb' } as const;
    assert.deepEqual(podQuery(t), { labelSelector: 'notebook-name=my-nb' });
    assert.equal(resolvePodPort(t, pod('my-nb-0')), 8888);
    assert.equal(urlPath(t), '/notebook/kubeflow-user/my-nb/');
  });

  it('finds a Workspace by the Notebooks 2.0 controller\'s label, on its kind\'s port, under its connect path', () => {
    const t = { kind: 'workspace', namespace: 'kubeflow-user', name: 'my-ws', portId: 'jupyterlab', port: 8888 } as const;
    assert.deepEqual(podQuery(t), { labelSelector: 'notebooks.kubeflow.org/workspace-name=my-ws' });
    assert.equal(resolvePodPort(t, pod('ws-my-ws-abcde-0')), 8888);
    assert.equal(urlPath(t), '/workspace/connect/kubeflow-user/my-ws/jupyterlab/');
    assert.equal(validateTarget(t), undefined);
    // another port id of the same workspace is another forward
    assert.equal(sameTarget(t, { ...t, portId: 'other' }), false);
    assert.match(validateTarget({ ...t, portId: '../x' }) ?? '', /invalid workspace port id/);
    assert.match(validateTarget({ kind: 'workspace', namespace: 'ns', name: 'w', portId: 'jupyterlab' }) ?? '', /port is required/);
  });

  it('maps a service port through targetPort to a named container port', () => {
    const svc: V1Service = { spec: { selector: { app: 'ml-pipeline' }, ports: [{ name: 'http', port: 8888, targetPort: 'api' as unknown as never }] } };
    const t = { kind: 'service', namespace: 'kubeflow', name: 'ml-pipeline', port: 8888 } as const;
    assert.deepEqual(podQuery(t, svc), { labelSelector: 'app=ml-pipeline' });
    assert.equal(resolvePodPort(t, pod('api-1', { ports: [{ name: 'api', containerPort: 8887 }] }), svc), 8887);
    assert.throws(() => resolvePodPort({ ...t, port: 9999 }, pod('api-1'), svc), /has no port 9999/);
    assert.throws(() => podQuery(t, { spec: {} }), /no pod selector/);
  });

  it('rejects hostile or malformed targets before touching the cluster', () => {
    assert.match(validateTarget({ kind: 'pod', namespace: 'ns', name: '../../etc', port: 80 }) ?? '', /invalid name/);
    assert.match(validateTarget({ kind: 'pod', namespace: 'NS;rm', name: 'a', port: 80 }) ?? '', /invalid namespace/);
    assert.match(validateTarget({ kind: 'pod', namespace: 'ns', name: 'a', port: 70000 }) ?? '', /out of range/);
    assert.match(validateTarget({ kind: 'deployment', namespace: 'ns', name: 'a', port: 1 }) ?? '', /unknown target kind/);
    assert.match(validateTarget({ kind: 'selector', namespace: 'ns', selector: ' ', port: 1 }) ?? '', /label selector/);
    assert.equal(validateTarget({ kind: 'notebook', namespace: 'ns', name: 'nb' }), undefined);
  });

  it('treats a notebook with and without the default port as one forward', () => {
    assert.ok(sameTarget({ kind: 'notebook', namespace: 'a', name: 'x' }, { kind: 'notebook', namespace: 'a', name: 'x', port: 8888 }));
    assert.ok(!sameTarget({ kind: 'pod', namespace: 'a', name: 'x', port: 1 }, { kind: 'pod', namespace: 'a', name: 'x', port: 2 }));
  });
});
