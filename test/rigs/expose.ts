/**
 * A local server exposed on the kube rig as an in-cluster Service: namespace, Service (one port), and a pod matching
 * its selector, run by kwok, whose port kwok forwards to the local server. So the daemon's service forwards and
 * `kubectl port-forward -n <ns> svc/<name> <port>` reach it, exactly as on a cluster. Used by the MLMD rig and the
 * object store's `minio-service`.
 */
import type { KubeRig } from './kube/index';

export interface LocalService {
  namespace: string;
  name: string;
  port: number;
  portName: string;
  selector: Record<string, string>;
  pod: string;
  /** What the pod claims to run (shown by kubectl; kwok runs nothing). */
  image: string;
  container?: string;
  args?: string[];
  labels?: Record<string, string>;
  appProtocol?: string;
}

export async function exposeLocalService(kube: KubeRig, s: LocalService, localPort: number): Promise<void> {
  await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.namespace } }]);
  // the forward rule before the pod: a client that finds the pod Running can connect at once
  await kube.forwardPodPort(s.namespace, s.pod, s.port, localPort);
  const labels = { ...s.labels, ...s.selector };
  await kube.apply([
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace, labels },
      spec: { type: 'ClusterIP', selector: { ...s.selector }, ports: [{ name: s.portName, port: s.port, protocol: 'TCP', ...(s.appProtocol ? { appProtocol: s.appProtocol } : {}) }] },
    },
    {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: s.pod, namespace: s.namespace, labels },
      spec: {
        nodeName: kube.nodes.cpu,
        containers: [{ name: s.container ?? 'server', image: s.image, ...(s.args ? { args: s.args } : {}), ports: [{ name: s.portName, containerPort: s.port }] }],
      },
    },
  ]);
  await kube.waitForPod(s.namespace, s.pod);
}
