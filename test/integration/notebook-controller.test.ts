// The kube rig with Kubernetes' own controllers and scheduler, and the real Kubeflow Notebook controller v1.11:
// what the Notebooks view reads (StatefulSet, pod, status, events) is written by them, as on a cluster.
import assert from 'node:assert/strict';
import { startKubeRig, type KubeRig } from '../rigs/kube/index';
import { startNotebookController, type NotebookControllerRig } from '../rigs/notebook-controller/index';
import { until } from '../support/wait';

interface Obj { metadata: { name: string; uid: string; ownerReferences?: Array<{ kind: string; name: string }> }; spec?: Record<string, unknown>; status?: Record<string, unknown> }

describe('kube rig with controllers + the real Notebook controller', function () {
  this.timeout(240_000);
  let rig: KubeRig;
  let nbc: NotebookControllerRig;
  const backends: string[] = [];
  const get = async (kind: string, name: string): Promise<Obj | undefined> =>
    rig.kubectl(['-n', rig.namespace, 'get', kind, name, '-o', 'json']).then((t) => JSON.parse(t) as Obj, () => undefined);
  const notebook = (name: string, extra: Record<string, unknown> = {}, limits?: Record<string, string>) => ({
    apiVersion: 'kubeflow.org/v1', kind: 'Notebook', metadata: { name, namespace: rig.namespace, ...extra },
    spec: { template: { spec: { containers: [{ name, image: 'kubeflownotebookswg/jupyter-scipy:v1.9.0', resources: { requests: { cpu: '500m', memory: '1Gi' }, ...(limits ? { limits } : {}) } }] } } },
  });

  before(async () => {
    rig = await startKubeRig({ crds: ['notebook'], controllers: true });
    nbc = await startNotebookController(rig, { backend: async (name) => { backends.push(name); return 1; } });
  });
  after(async () => {
    await nbc?.stop();
    await rig?.stop();
  });

  it('a Notebook gets its StatefulSet and Service from the controller, and a Running pod from Kubernetes', async () => {
    await rig.apply([notebook('nb-a')]);
    const sts = await until('StatefulSet nb-a', 60_000, () => get('statefulset', 'nb-a'), 200);
    assert.deepEqual(sts.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`), ['Notebook/nb-a']);
    const svc = await until('Service nb-a', 30_000, () => get('service', 'nb-a'), 200);
    assert.equal((svc.spec as { ports: Array<{ targetPort: number }> }).ports[0].targetPort, 8888);
    const pod = await rig.waitForPod(rig.namespace, 'nb-a-0', { timeoutMs: 60_000 }) as unknown as Obj;
    assert.ok([rig.nodes.cpu, rig.nodes.gpu].includes((pod.spec as { nodeName: string }).nodeName), 'the scheduler bound the pod to a kwok node');
    // The notebook image's environment, set by the controller.
    const env = (pod.spec as { containers: Array<{ env?: Array<{ name: string; value: string }> }> }).containers[0].env ?? [];
    assert.equal(env.find((e) => e.name === 'NB_PREFIX')?.value, `/notebook/${rig.namespace}/nb-a`);
    // The controller reports the pod in the Notebook's status, and the backend was asked for this pod.
    await until('Notebook nb-a readyReplicas 1', 60_000,
      async () => ((await get('notebook', 'nb-a'))?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1 || undefined, 200);
    assert.ok(backends.includes('nb-a'));
  });

  it('the stop annotation scales the server to zero; removing it brings a new pod', async () => {
    const first = (await get('pod', 'nb-a-0'))!.metadata.uid;
    await rig.kubectl(['-n', rig.namespace, 'annotate', 'notebook', 'nb-a', 'kubeflow-resource-stopped=2026-12-06T00:00:00Z']);
    await until('pod nb-a-0 gone', 60_000, async () => (await get('pod', 'nb-a-0')) ? undefined : true, 200);
    assert.equal(((await get('statefulset', 'nb-a'))!.spec as { replicas: number }).replicas, 0);
    await rig.kubectl(['-n', rig.namespace, 'annotate', 'notebook', 'nb-a', 'kubeflow-resource-stopped-']);
    const again = await until('a new Running pod nb-a-0', 60_000, async () => {
      const p = await get('pod', 'nb-a-0');
      return p && p.metadata.uid !== first && (p.status as { phase?: string }).phase === 'Running' ? p : undefined;
    }, 200);
    assert.notEqual(again.metadata.uid, first);
  });

  it('a server asking for more GPUs than any node has stays Pending with the scheduler\'s own reason', async () => {
    await rig.apply([notebook('nb-big', {}, { 'nvidia.com/gpu': '16' })]);
    const ev = await until('FailedScheduling event of nb-big-0', 60_000, async () => {
      const list = JSON.parse(await rig.kubectl(['-n', rig.namespace, 'get', 'events', '--field-selector', 'involvedObject.name=nb-big-0', '-o', 'json'])) as
        { items: Array<{ reason: string; message: string; source?: { component?: string }; reportingComponent?: string }> };
      return list.items.find((e) => e.reason === 'FailedScheduling');
    }, 200);
    assert.match(ev.message, /Insufficient nvidia\.com\/gpu/);
    assert.equal(((await get('pod', 'nb-big-0'))!.status as { phase: string }).phase, 'Pending');
  });

  it('deleting the Notebook lets the garbage collector remove its StatefulSet and pod', async () => {
    await rig.kubectl(['-n', rig.namespace, 'delete', 'notebook', 'nb-a', '--wait=false']);
    await until('StatefulSet nb-a collected', 60_000, async () => (await get('statefulset', 'nb-a')) ? undefined : true, 200);
    await until('pod nb-a-0 gone', 60_000, async () => (await get('pod', 'nb-a-0')) ? undefined : true, 200);
  });
});
