/**
 * How the KFP API server (index.ts) is reached in the kube rig, as on a Kubeflow install: namespace `kubeflow`,
 * Service `ml-pipeline` (ports http 8888, grpc 8887, selector app=ml-pipeline), a pod of that Deployment run by kwok, and kwok PortForwards so that a port-forward to the pod's 8888 (and 8887)
 * lands on the local server. So `kubectl port-forward -n kubeflow svc/ml-pipeline 0:8888` and the daemon's forwards
 * reach it.
 */
import crypto from 'node:crypto';
import type { KubeRig } from '../kube/index';

export const KFP_SERVICE = { name: 'ml-pipeline', httpPort: 8888, grpcPort: 8887 } as const;

/** The ml-pipeline Deployment's pod, its Service and Endpoints, and the kwok forward of pod:8888 to the local port. */
export async function exposeKfpApi(kube: KubeRig, namespace: string, localPort: number, opts: { grpcPort?: number; image?: string } = {}): Promise<string> {
  const labels = { app: 'ml-pipeline', 'app.kubernetes.io/component': 'ml-pipeline', 'app.kubernetes.io/name': 'kubeflow-pipelines', 'application-crd-id': 'kubeflow-pipelines' };
  const rs = crypto.randomBytes(5).toString('hex').slice(0, 9);
  const podName = `ml-pipeline-${rs}-${crypto.randomBytes(3).toString('hex').slice(0, 5)}`;
  await kube.forwardPodPort(namespace, podName, KFP_SERVICE.httpPort, localPort);
  if (opts.grpcPort) await kube.forwardPodPort(namespace, podName, KFP_SERVICE.grpcPort, opts.grpcPort);
  await kube.apply([
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: KFP_SERVICE.name, namespace, labels: { app: 'ml-pipeline', 'app.kubernetes.io/component': 'ml-pipeline', 'app.kubernetes.io/name': 'kubeflow-pipelines' } },
      spec: {
        selector: { app: 'ml-pipeline', 'app.kubernetes.io/component': 'ml-pipeline', 'app.kubernetes.io/name': 'kubeflow-pipelines' },
        ports: [
          { name: 'http', port: KFP_SERVICE.httpPort, protocol: 'TCP', targetPort: KFP_SERVICE.httpPort },
          { name: 'grpc', port: KFP_SERVICE.grpcPort, protocol: 'TCP', targetPort: KFP_SERVICE.grpcPort },
        ],
      },
    },
    {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: podName, namespace, labels: { ...labels, 'pod-template-hash': rs } },
      spec: {
        nodeName: kube.nodes.cpu,
        serviceAccountName: 'ml-pipeline',
        containers: [{
          name: 'ml-pipeline-api-server',
          image: opts.image ?? 'ghcr.io/kubeflow/kfp-api-server:2.17.0',
          ports: [{ name: 'http', containerPort: KFP_SERVICE.httpPort }, { name: 'grpc', containerPort: KFP_SERVICE.grpcPort }],
          env: [{ name: 'POD_NAMESPACE', value: namespace }],
        }],
      },
    },
  ]);
  const pod = await kube.waitForPod(namespace, podName);
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (ip) {
    // no controller-manager in the rig: write the Endpoints the endpoints controller would
    await kube.apply([{
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: KFP_SERVICE.name, namespace },
      subsets: [{
        addresses: [{ ip, targetRef: { kind: 'Pod', name: podName, namespace } }],
        ports: [{ name: 'http', port: KFP_SERVICE.httpPort, protocol: 'TCP' }, { name: 'grpc', port: KFP_SERVICE.grpcPort, protocol: 'TCP' }],
      }],
    }]).catch(() => undefined);
  }
  return podName;
}
