/**
 * Model Registry rig: the spec-validating stand-in REST server (server.ts) on a local port, exposed in the kube rig
 * the way Kubeflow installs the real one: Service `model-registry-service` in namespace `kubeflow` (port 8080 named
 * `http-api`, selector `component: model-registry-server`, as upstream's manifests/kustomize/base) and a pod matching
 * it, run by kwok, whose port 8080 kwok forwards to the local server. So `kubectl port-forward -n kubeflow
 * svc/model-registry-service 8080` and the companion daemon's service forwards reach it like a real cluster.
 *
 *   const mr = await startModelRegistry({ kube });
 *   const seeded = await seedRegistry(mr.url);
 *   ... mr.apiBase = http://127.0.0.1:<port>/api/model_registry/v1alpha3 ...
 *   expect(mr.violations()).to.deep.equal([]);
 *   await mr.stop();
 */
import type { KubeRig } from '../kube/index';
import { startRegistryServer, type RegistryServer } from './server';
import { API_PREFIX } from './spec';

export { seedRegistry, SEED_KFP_RUN_ID, SEED_NAMESPACE, type SeededRegistry } from './seed';
export { API_PREFIX } from './spec';
export type { RegistryServer, RequestRecord, Violation } from './server';

/** Where the registry lives in the cluster (upstream's names). */
export const MODEL_REGISTRY_SERVICE = {
  namespace: 'kubeflow',
  name: 'model-registry-service',
  port: 8080,
  portName: 'http-api',
  selector: { component: 'model-registry-server' },
  pod: 'model-registry-deployment-6c9d5b8f7-r2x4q',
} as const;

export interface ModelRegistryRig extends RegistryServer {
  /** url + API_PREFIX */
  apiBase: string;
  /** Set when started with a kube rig: the Service and pod exist and forward here. */
  cluster?: typeof MODEL_REGISTRY_SERVICE;
}

export async function startModelRegistry(o: { kube?: KubeRig; specFile?: string } = {}): Promise<ModelRegistryRig> {
  const server = await startRegistryServer({ specFile: o.specFile });
  const rig: ModelRegistryRig = { ...server, apiBase: server.url + API_PREFIX };
  if (!o.kube) return rig;
  const kube = o.kube;
  const s = MODEL_REGISTRY_SERVICE;
  try {
    await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.namespace } }]);
    // the forward rule before the pod: a client that finds the pod Running can connect at once
    await kube.forwardPodPort(s.namespace, s.pod, s.port, server.port);
    await kube.apply([
      {
        apiVersion: 'v1', kind: 'Service',
        metadata: {
          name: s.name, namespace: s.namespace,
          labels: {
            app: 'model-registry-service', component: 'model-registry',
            'app.kubernetes.io/component': 'model-registry', 'app.kubernetes.io/instance': 'model-registry-service',
            'app.kubernetes.io/name': 'model-registry-service', 'app.kubernetes.io/part-of': 'model-registry',
          },
          annotations: { displayName: 'Kubeflow Model Registry', description: 'Model registry stand-in (kfvs test rig)' },
        },
        spec: { type: 'ClusterIP', selector: { ...s.selector }, ports: [{ name: s.portName, port: s.port, protocol: 'TCP', appProtocol: 'http' }] },
      },
      {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: s.pod, namespace: s.namespace, labels: { ...s.selector, 'sidecar.istio.io/inject': 'true' } },
        spec: {
          nodeName: kube.nodes.cpu,
          containers: [{
            name: 'rest-container',
            image: 'ghcr.io/kubeflow/model-registry/server:v0.3.4',
            command: ['/model-registry', 'proxy'],
            args: ['--hostname=0.0.0.0', `--port=${s.port}`, '--datastore-type=embedmd'],
            ports: [{ name: s.portName, containerPort: s.port }],
          }],
        },
      },
    ]);
    await kube.waitForPod(s.namespace, s.pod);
  } catch (e) {
    await server.stop();
    throw e;
  }
  rig.cluster = s;
  const stopServer = server.stop;
  rig.stop = async () => {
    await kube.kubectl(['-n', s.namespace, 'delete', 'pod', s.pod, '--grace-period=1', '--wait=false']).catch(() => undefined);
    await stopServer();
  };
  return rig;
}
