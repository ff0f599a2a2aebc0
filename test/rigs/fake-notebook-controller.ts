// A TEST-SIDE stand-in for Kubeflow's notebook controller, for the kube rig (which has no controllers): it makes the
// pods of Notebook resources follow the `kubeflow-resource-stopped` annotation the way the real controller's
// StatefulSet does, so "start a stopped server" and "stop" can be tested end to end.
//
//   const ctl = startFakeNotebookController(rig, namespace, { backend: async (name) => (await startJupyter(...)).port });
//   ... patch the annotation away: pod <name>-0 appears (Running, kwok forwards its port 8888 to the backend) ...
//   ctl.stop();
//
// - no annotation and no pod  → creates pod `<name>-0` (labels notebook-name, statefulset) on the CPU node, or the GPU
//   node when the server asks for GPUs; a server asking for more GPUs than the node has gets an unscheduled pod and a
//   `FailedScheduling` warning event, like the scheduler would write;
// - annotation and a pod      → deletes the pod.
// It polls every 400 ms (no informers): a few HTTPS GETs on a keep-alive agent.
import https from 'node:https';
import fs from 'node:fs';
import type { KubeRig } from './kube/index';

interface Obj { metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string; labels?: Record<string, string> }; spec?: { template?: { spec?: { containers?: Array<{ image?: string; resources?: { limits?: Record<string, string> } }> } } } }

const GPU_CAPACITY = 8;

export interface FakeNotebookController {
  stop(): void;
}

export interface FakeNotebookControllerOptions {
  /** The local port a server's pod forwards 8888 to (e.g. a Jupyter server started for it), asked when its pod is made. */
  backend?: (name: string) => Promise<number | undefined>;
  intervalMs?: number;
}

export function startFakeNotebookController(rig: KubeRig, namespace: string, o: FakeNotebookControllerOptions = {}): FakeNotebookController {
  const agent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(rig.pki.caCert), cert: fs.readFileSync(rig.pki.adminCert), key: fs.readFileSync(rig.pki.adminKey) });
  const call = (method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> => new Promise((resolve, reject) => {
    const req = https.request(`${rig.server}${p}`, { method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const ns = encodeURIComponent(namespace);
  let stopped = false;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const nbs = ((await call('GET', `/apis/kubeflow.org/v1/namespaces/${ns}/notebooks`)).json as { items?: Obj[] }).items ?? [];
      const pods = ((await call('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=notebook-name`)).json as { items?: Obj[] }).items ?? [];
      for (const nb of nbs) {
        const name = nb.metadata.name;
        const pod = pods.find((p) => p.metadata.labels?.['notebook-name'] === name && !p.metadata.deletionTimestamp);
        const stoppedAnn = nb.metadata.annotations?.['kubeflow-resource-stopped'] !== undefined;
        if (stoppedAnn && pod) {
          await call('DELETE', `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}?gracePeriodSeconds=0`);
        } else if (!stoppedAnn && !pod && !nb.metadata.deletionTimestamp) {
          const c = nb.spec?.template?.spec?.containers?.[0] ?? {};
          const gpus = Number(Object.entries(c.resources?.limits ?? {}).find(([k]) => /gpu/.test(k))?.[1] ?? 0);
          const podName = `${name}-0`;
          const port = await o.backend?.(name).catch(() => undefined);
          if (port) await rig.forwardPodPort(namespace, podName, 8888, port);
          const fits = gpus <= GPU_CAPACITY;
          await call('POST', `/api/v1/namespaces/${ns}/pods`, {
            apiVersion: 'v1', kind: 'Pod',
            metadata: { name: podName, labels: { 'notebook-name': name, statefulset: name } },
            spec: {
              ...(fits ? { nodeName: gpus > 0 ? rig.nodes.gpu : rig.nodes.cpu } : {}),
              containers: [{ name, image: c.image ?? 'example.invalid/notebook:1', ports: [{ name: 'notebook-port', containerPort: 8888 }], ...(c.resources ? { resources: c.resources } : {}) }],
            },
          });
          if (!fits) {
            const now = new Date().toISOString();
            await call('POST', `/api/v1/namespaces/${ns}/events`, {
              apiVersion: 'v1', kind: 'Event',
              metadata: { name: `${podName}.${Date.now().toString(16)}` },
              involvedObject: { kind: 'Pod', name: podName, namespace },
              type: 'Warning', reason: 'FailedScheduling',
              message: `0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available.`,
              firstTimestamp: now, lastTimestamp: now, count: 1, source: { component: 'default-scheduler' },
            });
          }
        }
      }
    } catch {
      // the next tick tries again
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), o.intervalMs ?? 400);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      agent.destroy();
    },
  };
}
