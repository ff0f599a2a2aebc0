// The real Kubeflow Notebook controller v1.11.0 (built by build.sh beside this file from ../shared/upstream) against
// a kube rig that runs Kubernetes' own controllers (`startKubeRig({ controllers: true })`): for each Notebook it
// writes the StatefulSet and Service, honours the `kubeflow-resource-stopped` annotation (replicas 0) and reports
// status from the pod, as on a cluster; kube-controller-manager makes the pod `<name>-0`, kube-scheduler binds it to
// a kwok node (or leaves it Pending with its own `Insufficient nvidia.com/gpu`), kwok runs it.
//
// Containers do not run under kwok, so the one thing played here is the notebook image: when a Notebook appears
// (and again for each new pod of it), `backend(name)` is asked for the local port of the Jupyter server that stands
// for the container, and the pod's port 8888 is forwarded there (a kwok PortForward rule for `<name>-0`).
//
//   const nbc = await startNotebookController(rig, { backend: async (name) => (await startJupyter(...)).port });
//   ... nbc.stop();
//
// Culling stays off (ENABLE_CULLING unset): the culler polls each server's /api/kernels over the cluster network,
// which kwok pods do not have. Istio is off (USE_ISTIO unset), as in a plain Kubeflow Notebooks install.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, type KubeRig } from '../kube/index';
import { startControllerProcess } from '../kube/controller-process';
import { bindPodBackends } from '../kube/pod-backends';

export interface NotebookControllerOptions {
  /** The local port a notebook's pod forwards 8888 to, asked once per pod when it is scheduled. */
  backend?: (notebook: string, namespace: string) => Promise<number | undefined>;
  /** Only notebooks of this namespace get a backend (default: the rig's test namespace). */
  namespace?: string;
}

export interface NotebookControllerRig {
  /** The controller's log file. */
  logFile: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** The built binary; throws with the command to run when it is missing. */
export function notebookControllerBinary(): string {
  const r = spawnSync('bash', [path.join(repoRoot, 'test/rigs/notebook-controller/build.sh'), '--print-bin'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`notebook controller rig: ${r.stderr.trim() || 'not built'}`);
  return r.stdout.trim().split('\n').pop()!;
}

export async function startNotebookController(rig: KubeRig, o: NotebookControllerOptions = {}): Promise<NotebookControllerRig> {
  const proc = await startControllerProcess(rig, {
    name: 'notebook controller',
    bin: notebookControllerBinary(),
    args: ['--metrics-addr=0', '--probe-addr=0', '--enable-leader-election=false'],
    // Started: its informers are synced once it logs "Starting workers" for the Notebook controller.
    ready: [/Starting workers.*notebook/i],
  });
  const namespace = o.namespace ?? rig.namespace;

  // The one part played here: the container behind each notebook pod, bound ahead to `<name>-0` (the StatefulSet's).
  const backends = o.backend && bindPodBackends(rig, {
    namespace,
    ownerLabel: 'notebook-name',
    podPort: 8888,
    ahead: async (api, ns) => ((await api.request<{ items?: Array<{ metadata: { name: string } }> }>('GET', `/apis/kubeflow.org/v1/namespaces/${ns}/notebooks`)).items ?? [])
      .map((nb) => ({ owner: nb.metadata.name, pod: `${nb.metadata.name}-0` })),
    backend: o.backend,
  });

  return {
    logFile: proc.logFile,
    logTail: proc.logTail,
    async stop() {
      backends?.stop();
      proc.stop();
    },
  };
}
