/**
 * Notebook servers as the views and pickers show them: the Kubeflow `Notebook` resource, its pod and the pod's events
 * reduced to a phase, a reason a person can act on (image pull, unschedulable GPU), the image and the resources.
 * Also the manifests of a new server and the stop/start patches. Pure: no `vscode`, no I/O.
 */
import type { KubeObject } from '../cluster/kube';

export const NOTEBOOKS = { group: 'kubeflow.org', version: 'v1', plural: 'notebooks' } as const;
/** Set (to an RFC 3339 time) on a stopped server; the notebook controller scales its StatefulSet to 0. */
export const STOPPED_ANNOTATION = 'kubeflow-resource-stopped';
/** The label the notebook controller puts on a server's pods. */
export const NOTEBOOK_LABEL = 'notebook-name';
/** Where Kubeflow notebook images keep the user's files (the workspace volume's mount path). */
export const HOME = '/home/jovyan';

interface Container {
  name?: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers?: Container[];
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
}
interface Condition { type?: string; status?: string; reason?: string; message?: string }
interface ContainerState { waiting?: { reason?: string; message?: string }; running?: object; terminated?: { reason?: string; message?: string; exitCode?: number } }

export interface NotebookResource extends KubeObject {
  spec?: { template?: { spec?: PodSpec } };
  status?: { readyReplicas?: number; containerState?: ContainerState; conditions?: Condition[] };
}
export interface PodResource extends KubeObject {
  spec?: PodSpec & { nodeName?: string };
  status?: { phase?: string; conditions?: Condition[]; containerStatuses?: Array<{ name: string; ready?: boolean; restartCount?: number; state?: ContainerState }> };
}
export interface EventResource extends KubeObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
}

export type ServerPhase = 'running' | 'starting' | 'pending' | 'stopping' | 'stopped' | 'terminating';

export interface NotebookServer {
  name: string;
  namespace: string;
  /** A v1 `Notebook` or a Notebooks 2.0 `Workspace` (extension/notebooks/workspaces.ts). */
  kind: 'Notebook' | 'Workspace';
  phase: ServerPhase;
  /** Why it is not running yet, or what is wrong: "Unschedulable: 0/2 nodes are available: 2 Insufficient nvidia.com/gpu". */
  reason?: string;
  image: string;
  cpu?: string;
  memory?: string;
  gpus: number;
  /** The GPU resource name, e.g. nvidia.com/gpu. */
  gpuResource?: string;
  /** PVC names mounted into the server; `workspace` is the one mounted at /home/jovyan. */
  volumes: string[];
  workspace?: string;
  pod?: string;
  createdAt?: string;
  /** When the stopped annotation was set (a Workspace: when it was paused). */
  stoppedAt?: string;
  // Workspaces only:
  displayName?: string;
  /** Its WorkspaceKind's name. */
  workspaceKind?: string;
  /** The display names of its image and pod options. */
  imageOption?: string;
  podOption?: string;
  /** The controller's `status.state`. */
  state?: string;
  lastActivity?: string;
  /** Its kind changed since the pod started: a restart (pause + resume) applies it. */
  pendingRestart?: boolean;
  /** Its Jupyter port (from the kind), or why it has none. */
  jupyter?: { portId: string; port: number };
  jupyterProblem?: string;
}

/** The pod of a server: the notebook controller names it `<name>-0` and labels it `notebook-name=<name>`. */
export function serverPod(name: string, pods: PodResource[]): PodResource | undefined {
  const mine = pods.filter((p) => p.metadata.labels?.[NOTEBOOK_LABEL] === name || p.metadata.name === `${name}-0`);
  // The live one first (a terminating pod can linger next to its replacement).
  return mine.find((p) => !p.metadata.deletionTimestamp) ?? mine[0];
}

const isGpu = (k: string) => /(^|[./])gpu$/i.test(k) || /\/gpu/i.test(k);

export function summarize(nb: NotebookResource, pods: PodResource[], events: EventResource[] = []): NotebookServer {
  const name = nb.metadata.name;
  const spec = nb.spec?.template?.spec ?? {};
  const c = spec.containers?.[0] ?? {};
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const gpuKey = Object.keys({ ...req, ...lim }).find(isGpu);
  const claims = new Map((spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => [v.name, v.persistentVolumeClaim!.claimName]));
  const homeMount = (c.volumeMounts ?? []).find((m) => m.mountPath === HOME || m.mountPath === `${HOME}/`);
  const pod = serverPod(name, pods);
  const out: NotebookServer = {
    name,
    namespace: nb.metadata.namespace ?? '',
    kind: 'Notebook',
    phase: 'starting',
    image: c.image ?? '',
    cpu: req.cpu ?? lim.cpu,
    memory: req.memory ?? lim.memory,
    gpus: gpuKey ? Number(lim[gpuKey] ?? req[gpuKey]) || 0 : 0,
    gpuResource: gpuKey,
    volumes: [...claims.values()],
    workspace: homeMount ? claims.get(homeMount.name) : undefined,
    pod: pod?.metadata.name,
    createdAt: nb.metadata.creationTimestamp,
    stoppedAt: nb.metadata.annotations?.[STOPPED_ANNOTATION],
  };
  const { phase, reason } = phaseOf(nb, pod, events);
  out.phase = phase;
  if (reason) out.reason = reason;
  return out;
}

function phaseOf(nb: NotebookResource, pod: PodResource | undefined, events: EventResource[]): { phase: ServerPhase; reason?: string } {
  const livePod = pod && !pod.metadata.deletionTimestamp ? pod : undefined;
  if (nb.metadata.deletionTimestamp) return { phase: 'terminating' };
  if (nb.metadata.annotations?.[STOPPED_ANNOTATION] !== undefined) {
    return livePod || (nb.status?.readyReplicas ?? 0) > 0 ? { phase: 'stopping' } : { phase: 'stopped' };
  }
  if (livePod) {
    if (podReady(livePod)) return { phase: 'running' };
    const problem = podProblem(livePod, events);
    return problem ? { phase: 'pending', reason: problem } : { phase: 'starting', reason: livePod.status?.phase === 'Running' ? 'Waiting for Jupyter to be ready' : 'Starting the pod' };
  }
  if (pod) return { phase: 'starting', reason: 'The old pod is terminating' };
  // No pod visible (not created yet, or pods cannot be listed): what the controller copied into the Notebook's status.
  if ((nb.status?.readyReplicas ?? 0) > 0) return { phase: 'running' };
  const w = nb.status?.containerState?.waiting;
  if (w?.reason && w.reason !== 'PodInitializing') return { phase: 'pending', reason: join(w.reason, w.message) };
  const cond = nb.status?.conditions?.find((x) => x.status === 'False' && x.reason);
  if (cond) return { phase: 'pending', reason: join(cond.reason!, cond.message) };
  return { phase: 'starting', reason: 'Waiting for the notebook controller to create the pod' };
}

export function podReady(pod: PodResource): boolean {
  if (pod.status?.phase !== 'Running') return false;
  const ready = pod.status.conditions?.find((c) => c.type === 'Ready');
  return ready ? ready.status === 'True' : (pod.status.containerStatuses ?? []).every((s) => s.ready !== false);
}

/** The reason a pod does not run, newest and most specific first: a warning event, a waiting container, a condition. */
export function podProblem(pod: PodResource, events: EventResource[]): string | undefined {
  const mine = events
    .filter((e) => e.type === 'Warning' && e.involvedObject?.kind === 'Pod' && e.involvedObject.name === pod.metadata.name && (!e.involvedObject.uid || !pod.metadata.uid || e.involvedObject.uid === pod.metadata.uid))
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a)));
  if (mine[0]?.reason) return join(mine[0].reason, mine[0].message);
  for (const s of pod.status?.containerStatuses ?? []) {
    const w = s.state?.waiting;
    if (w?.reason && !['ContainerCreating', 'PodInitializing'].includes(w.reason)) return join(w.reason, w.message);
    const t = s.state?.terminated;
    if (t && t.exitCode !== 0) return join(t.reason ?? 'Terminated', t.message ?? `exit code ${t.exitCode}`);
  }
  const sched = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched) return join(sched.reason ?? 'Unschedulable', sched.message);
  return undefined;
}

function eventTime(e: EventResource): string {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

const join = (reason: string, message?: string) => (message ? `${reason}: ${message.trim()}` : reason);

/** `kubeflownotebookswg/jupyter-scipy:v1.9.0` from `docker.io/kubeflownotebookswg/jupyter-scipy:v1.9.0`; digests shortened. */
export function shortImage(image: string): string {
  return image.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/@sha256:([0-9a-f]{12})[0-9a-f]+$/, '@$1…');
}

/** One line for a tree item: `running · jupyter-scipy:v1.9.0 · 1 CPU · 2Gi · 1 GPU`. */
export function describeResources(s: Pick<NotebookServer, 'cpu' | 'memory' | 'gpus'>): string {
  return [s.cpu && `${s.cpu} CPU`, s.memory, s.gpus > 0 && `${s.gpus} GPU`].filter(Boolean).join(' · ');
}

// --- new servers

export interface NewServer {
  name: string;
  namespace: string;
  image: string;
  /** Kubernetes quantities: '1', '500m'; '2Gi'. */
  cpu: string;
  memory: string;
  gpus: number;
  gpuResource?: string;
  /** A new PVC of this size, an existing claim, or none. */
  workspace: { kind: 'new'; size: string } | { kind: 'existing'; claim: string } | { kind: 'none' };
}

/** Kubeflow 1.10/1.11 images offered by the Jupyter web app. */
export const STANDARD_IMAGES = [
  'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0',
  'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-full:v1.10.0',
  'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.10.0',
  'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-tensorflow-full:v1.10.0',
  'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-tensorflow-cuda-full:v1.10.0',
];

/** A DNS-1123 label short enough for the StatefulSet's pod name and the `-workspace` claim. */
export function validateServerName(name: string): string | undefined {
  if (!name) return 'A name is required';
  if (name.length > 52) return 'At most 52 characters (the pod and volume names add suffixes)';
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) return 'Lower-case letters, digits and dashes, starting with a letter';
  return undefined;
}

export function validateQuantity(kind: 'cpu' | 'memory', v: string): string | undefined {
  const ok = kind === 'cpu' ? /^(\d+(\.\d+)?|\d+m)$/.test(v) : /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/.test(v);
  return ok ? undefined : kind === 'cpu' ? 'CPUs: a number such as 1, 0.5 or 500m' : 'Memory: a quantity such as 2Gi or 512Mi';
}

/** The Notebook (and its new workspace PVC), shaped like the Jupyter web app's. */
export function newServerManifests(s: NewServer): { notebook: NotebookResource & { apiVersion: string; kind: string }; pvc?: KubeObject & { apiVersion: string; kind: string } } {
  const gpuKey = s.gpuResource || 'nvidia.com/gpu';
  const claim = s.workspace.kind === 'new' ? `${s.name}-workspace` : s.workspace.kind === 'existing' ? s.workspace.claim : undefined;
  const limits: Record<string, string> = { cpu: s.cpu, memory: s.memory };
  if (s.gpus > 0) limits[gpuKey] = String(s.gpus);
  const container: Container & Record<string, unknown> = {
    name: s.name,
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    resources: { requests: { cpu: s.cpu, memory: s.memory }, limits },
    volumeMounts: [...(claim ? [{ name: 'workspace', mountPath: HOME }] : []), { name: 'dshm', mountPath: '/dev/shm' }],
  };
  const volumes: Array<Record<string, unknown>> = [
    ...(claim ? [{ name: 'workspace', persistentVolumeClaim: { claimName: claim } }] : []),
    { name: 'dshm', emptyDir: { medium: 'Memory' } },
  ];
  const notebook = {
    apiVersion: `${NOTEBOOKS.group}/${NOTEBOOKS.version}`,
    kind: 'Notebook',
    metadata: { name: s.name, namespace: s.namespace, labels: { app: s.name }, annotations: { 'notebooks.kubeflow.org/server-type': 'jupyter' } },
    spec: { template: { spec: { serviceAccountName: 'default-editor', containers: [container], volumes } } },
  } as unknown as NotebookResource & { apiVersion: string; kind: string };
  const pvc = s.workspace.kind === 'new'
    ? {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claim!, namespace: s.namespace },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: s.workspace.size } } },
      }
    : undefined;
  return { notebook, ...(pvc ? { pvc } : {}) };
}

/** Merge patches for stop (the annotation with the time, seconds precision like the web app) and start (null). */
export function stopPatch(now = new Date()): object {
  return { metadata: { annotations: { [STOPPED_ANNOTATION]: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } } };
}
export function startPatch(): object {
  return { metadata: { annotations: { [STOPPED_ANNOTATION]: null } } };
}
