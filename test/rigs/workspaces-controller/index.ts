// The real Kubeflow Notebooks 2.0 Workspace controller (2.0.0-beta.0, built by build.sh beside this file from
// ../shared/upstream) against a kube rig that runs Kubernetes' own controllers (`startKubeRig({ controllers: true })`,
// whose default CRD set has the Workspace and WorkspaceKind CRDs): for each Workspace it writes the StatefulSet,
// Service and ServiceAccount from its WorkspaceKind, honours `spec.paused` (replicas 0) and reports
// `status.state`/`stateMessage` from the pod and its events, as on a cluster; kube-controller-manager makes the pod
// `<statefulset>-0`, kube-scheduler binds it to a kwok node, kwok runs it.
//
// Webhooks are OFF (ENABLE_WEBHOOKS=false): the apiserver would have to call back into this process over TLS with a
// ValidatingWebhookConfiguration; the controller's reconcile checks (unknown kind, bad option ids) still apply and
// show in the Workspace's status. Istio is off (no VirtualService). The activity probe reaches no pod IP under kwok
// and records a failed probe, which changes nothing (its interval is minutes).
//
// The container is played as for v1 (../kube/pod-backends.ts): `backend(name)` is asked for the local port of the
// Jupyter server that stands for the workspace's container (started with base URL `workspaceConnectPath(...)`), and
// the pod's port (8888 in the sample kind) is forwarded there, bound ahead as soon as the StatefulSet exists.
//
//   const wsc = await startWorkspacesController(rig, { backend: async (name, ns) => (await startJupyter({ baseUrl: workspaceConnectPath(ns, name, 'jupyterlab') })).port });
//   ... wsc.stop();
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { repoRoot, sharedDir, type KubeRig } from '../kube/index';
import { startControllerProcess } from '../kube/controller-process';
import { bindPodBackends } from '../kube/pod-backends';

export const WORKSPACE_LABEL = 'notebooks.kubeflow.org/workspace-name';

export interface WorkspacesControllerOptions {
  /** The local port a workspace's pod forwards `podPort` to, asked once ahead and once per new pod. */
  backend?: (workspace: string, namespace: string) => Promise<number | undefined>;
  /** The pod port bound (the kind's Jupyter port; 8888 in the sample). */
  podPort?: number;
  /** Only workspaces of this namespace get a backend (default: the rig's test namespace). */
  namespace?: string;
}

export interface WorkspacesControllerRig {
  logFile: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** The base path the controller gives a workspace's port (NB_PREFIX): `/workspace/connect/{namespace}/{name}/{portId}/`. */
export function workspaceConnectPath(namespace: string, name: string, portId: string): string {
  return `/workspace/connect/${namespace}/${name}/${portId}/`;
}

/**
 * A sample of ../shared/kubeflow-specs/crds/notebooks-v2/samples as an object. Keys left empty there (`probes:` with
 * only comments under it) are dropped, as `kubectl apply` (client-side) drops them; server-side apply refuses null.
 */
export function workspaceSample(which: 'jupyterlab_v1beta1_workspacekind' | 'jupyterlab_v1beta1_workspace' | 'codeserver_v1beta1_workspacekind'): Record<string, unknown> {
  const text = fs.readFileSync(path.join(sharedDir(), 'kubeflow-specs', 'crds', 'notebooks-v2', 'samples', `${which}.yaml`), 'utf8');
  const prune = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(prune);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, prune(x)]));
    return v;
  };
  return prune(YAML.parse(text)) as Record<string, unknown>;
}

/** The built binary; throws with the command to run when it is missing. */
export function workspacesControllerBinary(): string {
  const r = spawnSync('bash', [path.join(repoRoot, 'test/rigs/workspaces-controller/build.sh'), '--print-bin'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`workspaces controller rig: ${r.stderr.trim() || 'not built'}`);
  return r.stdout.trim().split('\n').pop()!;
}

export async function startWorkspacesController(rig: KubeRig, o: WorkspacesControllerOptions = {}): Promise<WorkspacesControllerRig> {
  const proc = await startControllerProcess(rig, {
    name: 'workspaces controller',
    bin: workspacesControllerBinary(),
    args: ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--leader-elect=false'],
    env: { ENABLE_WEBHOOKS: 'false' },
    // controller-runtime logs "Starting workers" once per controller when its informers are synced
    ready: [/Starting workers.*"controller":\s*"workspace"/i, /Starting workers.*"controller":\s*"workspacekind"/i],
  });
  const namespace = o.namespace ?? rig.namespace;
  const backends = o.backend && bindPodBackends(rig, {
    namespace,
    ownerLabel: WORKSPACE_LABEL,
    podPort: o.podPort ?? 8888,
    // The controller names the StatefulSet `ws-<name>-<random>` and labels it with the workspace: its pod is `<sts>-0`.
    ahead: async (api, ns) => ((await api.request<{ items?: Array<{ metadata: { name: string; labels?: Record<string, string> } }> }>('GET',
      `/apis/apps/v1/namespaces/${ns}/statefulsets?labelSelector=${encodeURIComponent(WORKSPACE_LABEL)}`)).items ?? [])
      .map((s) => ({ owner: s.metadata.labels![WORKSPACE_LABEL]!, pod: `${s.metadata.name}-0` })),
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
