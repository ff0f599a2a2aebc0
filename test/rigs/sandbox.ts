/**
 * A small Kubeflow world on the kube rig, for the local sandbox (`npm start -- --sandbox`) and for e2e tests:
 * a running Notebook server backed by a real Jupyter server, a stopped one, and a PyTorchJob whose master and three
 * workers write logs (one worker fails with a traceback).
 */
import { startJupyter, type JupyterServer } from './jupyter/index';
import { startKubeRig, FAIL_ANNOTATIONS, FAIL_LABEL, type KubeRig } from './kube/index';

export interface Sandbox {
  rig: KubeRig;
  jupyter: JupyterServer;
  namespace: string;
  notebook: string;
  job: string;
  stop(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  const rig = await startKubeRig({ crds: true });
  const ns = rig.namespace;
  const notebook = 'sandbox-nb';
  const jupyter = await startJupyter({ baseUrl: `/notebook/${ns}/${notebook}` });
  try {
    await rig.forwardPodPort(ns, `${notebook}-0`, 8888, jupyter.port);
    const nbSpec = (name: string, image: string) => ({
      template: { spec: { containers: [{ name, image, resources: { requests: { cpu: '1', memory: '2Gi' } }, ports: [{ name: 'notebook-port', containerPort: 8888 }] }] } },
    });
    await rig.apply([
      { apiVersion: 'kubeflow.org/v1', kind: 'Notebook', metadata: { name: notebook, namespace: ns }, spec: nbSpec(notebook, 'kubeflownotebookswg/jupyter-scipy:v1.9.0') },
      {
        apiVersion: 'kubeflow.org/v1', kind: 'Notebook',
        metadata: { name: 'stopped-nb', namespace: ns, annotations: { 'kubeflow-resource-stopped': '2026-11-27T00:00:00Z' } },
        spec: nbSpec('stopped-nb', 'kubeflownotebookswg/jupyter-pytorch-cuda:v1.9.0'),
      },
      {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${notebook}-0`, namespace: ns, labels: { 'notebook-name': notebook, statefulset: notebook } },
        spec: { nodeName: rig.nodes.cpu, containers: [{ name: notebook, image: 'kubeflownotebookswg/jupyter-scipy:v1.9.0', ports: [{ name: 'notebook-port', containerPort: 8888 }] }] },
      },
    ]);

    const job = 'mnist-ddp';
    const replicas: Array<[string, string, number]> = [['master', 'Master', 0], ['worker', 'Worker', 0], ['worker', 'Worker', 1], ['worker', 'Worker', 2]];
    await rig.apply([{
      apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: job, namespace: ns },
      spec: { pytorchReplicaSpecs: {
        Master: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } } },
        Worker: { replicas: 3, template: { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } } },
      } },
    }]);
    for (const [role, type, index] of replicas) {
      const pod = `${job}-${role}-${index}`;
      const rank = role === 'master' ? 0 : index + 1;
      const lines = [`Initializing process group: rank ${rank}/4 backend=nccl`];
      for (let epoch = 1; epoch <= 3; epoch++) lines.push(`epoch ${epoch} step ${epoch * 100} loss ${(2.3 / epoch).toFixed(4)} acc ${(0.6 + epoch * 0.1).toFixed(2)}`);
      const failing = role === 'worker' && index === 2;
      if (failing) lines.push('Traceback (most recent call last):', '  File "/workspace/train.py", line 88, in <module>', 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
      await rig.podLogs(ns, pod, lines);
      await rig.apply([{
        apiVersion: 'v1', kind: 'Pod',
        metadata: {
          name: pod, namespace: ns,
          labels: { 'training.kubeflow.org/job-name': job, 'training.kubeflow.org/replica-type': type.toLowerCase(), 'training.kubeflow.org/replica-index': String(index), ...(failing ? { [FAIL_LABEL]: 'true' } : {}) },
          ...(failing ? { annotations: { [FAIL_ANNOTATIONS.exitCode]: '1', [FAIL_ANNOTATIONS.reason]: 'Error' } } : {}),
        },
        spec: { nodeName: rig.nodes.gpu, restartPolicy: 'Never', containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', resources: { limits: { 'nvidia.com/gpu': 1 } } }] },
      }]);
    }
    return { rig, jupyter, namespace: ns, notebook, job, stop: async () => { await jupyter.stop(); await rig.stop(); } };
  } catch (err) {
    await jupyter.stop();
    await rig.stop();
    throw err;
  }
}
