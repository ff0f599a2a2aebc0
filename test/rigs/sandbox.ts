/**
 * A small Kubeflow world on the kube rig, for the local sandbox (`npm start -- --sandbox`) and for e2e tests:
 * a running Notebook server backed by a real Jupyter server, a stopped one, and a PyTorchJob whose master and three
 * workers write logs (one worker fails with a traceback), and a seeded Model Registry (the real v0.3.8 server behind
 * Service kubeflow/model-registry-service, see model-registry/). The rig runs Kubernetes' own controllers and scheduler and
 * the real Kubeflow Notebook controller (notebook-controller/): Notebooks get their StatefulSets, Services, pods and
 * status as on a cluster; a server's pod is backed by a Jupyter server of its own. The real Notebooks 2.0 Workspace
 * controller (workspaces-controller/) runs the sample WorkspaceKinds (JupyterLab, code-server), a running Workspace
 * `sandbox-ws` (its pod backed by a Jupyter under /workspace/connect/...) and a paused one. The real KServe v0.20
 * controller (kserve/, RawDeployment mode) serves the InferenceServices; their predictor pods' model servers are played.
 * Kubeflow Pipelines are real too (kfp-stack/cluster.ts: the KFP 2.17 backend, Argo with the pod player, MLMD), seeded
 * through the API with pipelines whose runs really executed (kfp-stack/seed.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startJupyter, type JupyterServer } from './jupyter/index';
import { startNotebookController } from './notebook-controller/index';
import { startWorkspacesController, workspaceConnectPath, workspaceSample } from './workspaces-controller/index';
import { startKubeRig, FAIL_ANNOTATIONS, FAIL_LABEL, type KubeRig } from './kube/index';
import { startKserve, type KserveRig } from './kserve/index';
import { seedRegistry, startModelRegistry, type ModelRegistryRig, type SeededRegistry } from './model-registry/index';
import { startKfpCluster, type KfpCluster } from './kfp-stack/cluster';
import type { KfpStack } from './kfp-stack/index';
import { compileSamples, seedKfp, type SeededKfp } from './kfp-stack/seed';
import type { MlmdRig } from './mlmd/index';

export interface Sandbox {
  rig: KubeRig;
  /** The Jupyter server behind `sandbox-nb` (replaced by restartNotebookPod({ restartServer: true })). */
  jupyter: JupyterServer;
  /** The server's "workspace volume": Jupyter's root dir, kept across server restarts. */
  volume: string;
  namespace: string;
  notebook: string;
  /** The running Notebooks 2.0 Workspace (kind `jupyterlab`); `paused-ws` is a paused one. */
  workspace: string;
  job: string;
  /** The real Model Registry behind Service kubeflow/model-registry-service, seeded. */
  modelRegistry: ModelRegistryRig;
  seededRegistry: SeededRegistry;
  /**
   * Kubeflow Pipelines for real (kfp-stack/cluster.ts): the KFP 2.17 API server behind Service kubeflow/ml-pipeline:8888,
   * persistence agent and ScheduledWorkflow controller, the Argo workflow controller with the pod player, and MLMD.
   */
  pipelines: KfpCluster;
  /** = pipelines.kfp */
  kfp: KfpStack;
  /** hello-world and classifier uploaded, experiment `sandbox`, one finished run of each (kfp-stack/seed.ts). */
  seededKfp: SeededKfp;
  /**
   * MLMD (the real ml-metadata library) behind Service kubeflow/metadata-grpc-service:8080 (= pipelines.mlmd): the
   * driver and launcher of the seeded runs recorded their executions and artifacts in it.
   */
  mlmd: MlmdRig;
  /** The real KServe controller (kserve/): InferenceServices get their Deployments, pods and status; `requests` are what the predictor pods' model servers answered. */
  kserve: KserveRig;
  /**
   * What a notebook pod restart looks like: the pod is deleted and created again under the same name, as the
   * StatefulSet does. With `restartServer`, the Jupyter server behind it restarts too (on the same volume), so its
   * kernels are gone, as in a real cluster; without, the same server keeps running (only the tunnel breaks).
   */
  restartNotebookPod(o?: { restartServer?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  // A deleted pod's streams end as a kubelet ends them (the rig's default): a kernel whose tunnel breaks at a pod
  // replacement reconnects through the forward to the new pod (daemon-forward-replace.test.ts).
  const rig = await startKubeRig({ crds: true, controllers: true });
  const ns = rig.namespace;
  let pipelines: KfpCluster | undefined;
  // The real KFP stack, Argo and MLMD, then the seeded runs executing: the longest part, so it starts first, beside
  // the rest (it waits for nothing of theirs).
  const compiled = compileSamples();
  compiled.catch(() => undefined); // awaited in seedKfp
  const kfpStarting = startKfpCluster(rig).then((c) => {
    pipelines = c;
    return seedKfp(c, compiled);
  });
  kfpStarting.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  const notebook = 'sandbox-nb';
  const volume = fs.mkdtempSync(path.join(os.tmpdir(), 'kfvs-sandbox-volume-'));
  let jupyter = await startJupyter({ baseUrl: `/notebook/${ns}/${notebook}`, rootDir: volume });
  const others = new Map<string, Promise<JupyterServer>>();
  const controller = await startNotebookController(rig, {
    backend: async (name) => {
      if (name === notebook) return jupyter.port;
      if (!others.has(name)) others.set(name, startJupyter({ baseUrl: `/notebook/${ns}/${name}` }));
      return (await others.get(name)!).port;
    },
  });
  const workspace = 'sandbox-ws';
  const workspaces = await startWorkspacesController(rig, {
    backend: async (name) => {
      const key = `workspace/${name}`;
      if (!others.has(key)) others.set(key, startJupyter({ baseUrl: workspaceConnectPath(ns, name, 'jupyterlab') }));
      return (await others.get(key)!).port;
    },
  });
  let modelRegistry: ModelRegistryRig | undefined;
  // Started beside the rest (they wait for nothing of theirs); stopped even when something else failed meanwhile.
  let kserveStarting: Promise<KserveRig> | undefined;
  const stopAll = async () => {
    await controller.stop();
    await workspaces.stop();
    await (await kserveStarting?.catch(() => undefined))?.stop();
    await kfpStarting.catch(() => undefined);
    await pipelines?.stop();
    await modelRegistry?.stop();
    await jupyter.stop();
    for (const j of others.values()) await (await j.catch(() => undefined))?.stop();
    await rig.stop();
    fs.rmSync(volume, { recursive: true, force: true });
  };
  try {
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
    ]);

    const ws = (name: string, paused: boolean, displayName: string) => ({
      apiVersion: 'kubeflow.org/v1beta1', kind: 'Workspace', metadata: { name, namespace: ns },
      spec: { paused, displayName, kind: 'jupyterlab', podTemplate: { volumes: {}, options: { imageConfig: 'jupyter-scipy:v1.10.0', podConfig: 'tiny_cpu' } } },
    });
    await rig.apply([workspaceSample('jupyterlab_v1beta1_workspacekind'), workspaceSample('codeserver_v1beta1_workspacekind')]);
    await rig.apply([ws(workspace, false, 'Sandbox Workspace'), ws('paused-ws', true, 'Paused Workspace')]);

    // the real controller needs test/rigs/kserve/build.sh: a sandbox without it fails, naming the script
    kserveStarting = startKserve(rig);
    kserveStarting.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
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
    // the real server needs test/rigs/model-registry/install.sh: a sandbox without it fails, naming the script
    modelRegistry = await startModelRegistry({ kube: rig });
    const seededRegistry = await seedRegistry(modelRegistry.url);
    // the real KFP stack needs test/rigs/kfp-stack/build.sh, argo/build.sh and mlmd/install.sh: a sandbox without them fails, naming the script
    const seededKfp = await kfpStarting;
    // The controller's StatefulSet made the server's pod; the scheduler placed it and kwok runs it.
    await rig.waitForPod(ns, `${notebook}-0`, { timeoutMs: 90_000 });
    const kserve = await kserveStarting;
    const sandbox: Sandbox = {
      rig, jupyter, volume, namespace: ns, notebook, workspace, job, modelRegistry, seededRegistry,
      pipelines: pipelines!, kfp: pipelines!.kfp, seededKfp, mlmd: pipelines!.mlmd, kserve,
      async restartNotebookPod(o = {}) {
        if (o.restartServer) {
          // The container dies with its pod: the server and its kernels go first, a new server (same volume) comes up.
          await jupyter.stop();
          jupyter = await startJupyter({ baseUrl: `/notebook/${ns}/${notebook}`, rootDir: volume });
          sandbox.jupyter = jupyter;
        }
        const before = JSON.parse(await rig.kubectl(['-n', ns, 'get', 'pod', `${notebook}-0`, '-o', 'json'])) as { metadata: { uid: string } };
        await rig.kubectl(['-n', ns, 'delete', 'pod', `${notebook}-0`, '--grace-period=1', '--wait=true']);
        // The StatefulSet makes it again under the same name; the new pod is backed by the current server.
        const deadline = Date.now() + 90_000;
        for (;;) {
          const pod = await rig.kubectl(['-n', ns, 'get', 'pod', `${notebook}-0`, '-o', 'json']).then((t) => JSON.parse(t) as { metadata: { uid: string }; status?: { phase?: string } }, () => undefined);
          if (pod && pod.metadata.uid !== before.metadata.uid && pod.status?.phase === 'Running') break;
          if (Date.now() > deadline) throw new Error(`sandbox: ${notebook}-0 did not come back Running within 90 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
      },
      stop: stopAll,
    };
    return sandbox;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
