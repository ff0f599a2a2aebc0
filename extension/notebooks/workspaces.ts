/**
 * Kubeflow Notebooks 2.0 (`Workspace`, `WorkspaceKind`, kubeflow.org/v1beta1) as the Notebooks view, the pickers and
 * the kernels see them: a Workspace reduced to the same `NotebookServer` a v1 Notebook becomes (state from the
 * controller's `status.state`/`stateMessage`, sharpened by the pod and its events like v1), the Jupyter port of its
 * kind (`ports[]`, the image option's port number, the `/workspace/connect/...` base path), the pause/resume patches,
 * and a new Workspace's manifest from a kind's options. Pure: no `vscode`, no I/O.
 */
import type { KubeObject } from '../cluster/kube';
import { podProblem, podReady, type EventResource, type NotebookServer, type PodResource } from './model';

export const WORKSPACES = { group: 'kubeflow.org', version: 'v1beta1', plural: 'workspaces' } as const;
export const WORKSPACE_KINDS = { group: 'kubeflow.org', version: 'v1beta1', plural: 'workspacekinds' } as const;
/** The label the Workspace controller puts on a Workspace's StatefulSet and pod. */
export const WORKSPACE_LABEL = 'notebooks.kubeflow.org/workspace-name';

interface Resources { requests?: Record<string, string>; limits?: Record<string, string> }
interface Spawner { displayName?: string; description?: string; hidden?: boolean }
interface Redirect { to: string; message?: { level?: string; text?: string } }
export interface ImageOption { id: string; spawner?: Spawner; redirect?: Redirect; spec?: { image?: string; ports?: Array<{ id: string; port: number }> } }
export interface PodOption { id: string; spawner?: Spawner; redirect?: Redirect; spec?: { resources?: Resources } }

export interface WorkspaceKindResource extends KubeObject {
  spec?: {
    spawner?: Spawner & { deprecated?: boolean; deprecationMessage?: string };
    podTemplate?: {
      ports?: Array<{ id: string; defaultDisplayName?: string; protocol?: string }>;
      activityProbe?: { jupyter?: { portId?: string } };
      volumeMounts?: { home?: string };
      options?: {
        imageConfig?: { spawner?: { default?: string }; values?: ImageOption[] };
        podConfig?: { spawner?: { default?: string }; values?: PodOption[] };
      };
    };
  };
}

export type WorkspaceState = 'Running' | 'Pending' | 'Paused' | 'Terminating' | 'Error' | 'Unknown';

export interface WorkspaceResource extends KubeObject {
  spec?: {
    paused?: boolean;
    displayName?: string;
    kind?: string;
    podTemplate?: {
      volumes?: { home?: string; data?: Array<{ pvcName: string; mountPath: string; readOnly?: boolean }> };
      options?: { imageConfig?: string; podConfig?: string };
    };
  };
  status?: {
    state?: WorkspaceState | '';
    stateMessage?: string;
    pendingRestart?: boolean;
    pauseTime?: number;
    activity?: { lastActivity?: number };
    podTemplatePod?: { name?: string };
  };
}

/** Where a Workspace's Jupyter listens: the kind's port id, its number in the image option, the base path. */
export interface JupyterPort {
  portId: string;
  port: number;
}

const ms = (t: number | undefined) => (t && t > 0 ? new Date(t).toISOString() : undefined);

/** The Workspace's pod: by the controller's label (the live one first), else the name the status reports. */
export function workspacePod(ws: WorkspaceResource, pods: PodResource[]): PodResource | undefined {
  const name = ws.metadata.name;
  const mine = pods.filter((p) => p.metadata.labels?.[WORKSPACE_LABEL] === name);
  return mine.find((p) => !p.metadata.deletionTimestamp) ?? mine[0];
}

/**
 * The kind's Jupyter port: the one its activity probe talks Jupyter to, else an HTTP port named like Jupyter.
 * Returns a sentence when there is none (a code-server kind), or when the image option does not give its number.
 */
export function jupyterPort(kind: WorkspaceKindResource | undefined, imageConfig: string | undefined, kindName = kind?.metadata.name ?? ''): JupyterPort | { problem: string } {
  if (!kind) return { problem: `Its WorkspaceKind ${kindName} does not exist.` };
  const pt = kind.spec?.podTemplate;
  const ports = pt?.ports ?? [];
  const probe = pt?.activityProbe?.jupyter?.portId;
  const port = ports.find((p) => p.id === probe) ?? ports.find((p) => (p.protocol ?? 'HTTP') === 'HTTP' && /jupyter/i.test(`${p.id} ${p.defaultDisplayName ?? ''}`));
  if (!port) {
    const have = ports.map((p) => `${p.id}${p.defaultDisplayName ? ` (${p.defaultDisplayName})` : ''}`).join(', ') || 'none';
    return { problem: `WorkspaceKind ${kind.metadata.name} has no Jupyter port (its ports: ${have}), so there is no kernel to run a notebook on.` };
  }
  const image = pt?.options?.imageConfig?.values?.find((v) => v.id === imageConfig);
  const n = image?.spec?.ports?.find((p) => p.id === port.id)?.port;
  if (!n) return { problem: `WorkspaceKind ${kind.metadata.name} has no port number for "${port.id}" in image option "${imageConfig ?? ''}".` };
  return { portId: port.id, port: n };
}

const isGpu = (k: string) => /(^|[./])gpu$/i.test(k) || /\/gpu/i.test(k);

/** `kindsError`: why the WorkspaceKinds cannot be read (then a missing kind is unknown, not absent). */
export function summarizeWorkspace(ws: WorkspaceResource, kind: WorkspaceKindResource | undefined, pods: PodResource[], events: EventResource[] = [], kindsError?: string): NotebookServer {
  const opts = ws.spec?.podTemplate?.options ?? {};
  const kindOpts = kind?.spec?.podTemplate?.options;
  const image = kindOpts?.imageConfig?.values?.find((v) => v.id === opts.imageConfig);
  const podCfg = kindOpts?.podConfig?.values?.find((v) => v.id === opts.podConfig);
  const res = podCfg?.spec?.resources ?? {};
  const req = res.requests ?? {};
  const lim = res.limits ?? {};
  const gpuKey = Object.keys({ ...req, ...lim }).find(isGpu);
  const vols = ws.spec?.podTemplate?.volumes ?? {};
  const pod = workspacePod(ws, pods);
  const port = !kind && kindsError ? { problem: `Cannot read WorkspaceKind ${ws.spec?.kind ?? ''}: ${kindsError}` } : jupyterPort(kind, opts.imageConfig, ws.spec?.kind);
  const out: NotebookServer = {
    name: ws.metadata.name,
    namespace: ws.metadata.namespace ?? '',
    kind: 'Workspace',
    phase: 'starting',
    image: image?.spec?.image ?? opts.imageConfig ?? '',
    cpu: req.cpu ?? lim.cpu,
    memory: req.memory ?? lim.memory,
    gpus: gpuKey ? Number(lim[gpuKey] ?? req[gpuKey]) || 0 : 0,
    gpuResource: gpuKey,
    volumes: [...(vols.home ? [vols.home] : []), ...(vols.data ?? []).map((d) => d.pvcName)],
    workspace: vols.home,
    pod: pod?.metadata.name,
    createdAt: ws.metadata.creationTimestamp,
    stoppedAt: ms(ws.status?.pauseTime),
    displayName: ws.spec?.displayName,
    workspaceKind: ws.spec?.kind,
    imageOption: image?.spawner?.displayName ?? opts.imageConfig,
    podOption: podCfg?.spawner?.displayName ?? opts.podConfig,
    state: ws.status?.state || undefined,
    lastActivity: ms(ws.status?.activity?.lastActivity),
    pendingRestart: ws.status?.pendingRestart === true,
    ...('problem' in port ? { jupyterProblem: port.problem } : { jupyter: port }),
  };
  const { phase, reason } = workspacePhase(ws, !kind && !kindsError, pod, events);
  out.phase = phase;
  if (reason) out.reason = reason;
  return out;
}

function workspacePhase(ws: WorkspaceResource, kindMissing: boolean, pod: PodResource | undefined, events: EventResource[]): Pick<NotebookServer, 'phase' | 'reason'> {
  const livePod = pod && !pod.metadata.deletionTimestamp ? pod : undefined;
  const state = ws.status?.state || 'Unknown';
  const message = ws.status?.stateMessage || undefined;
  if (ws.metadata.deletionTimestamp) return { phase: 'terminating' };
  if (ws.spec?.paused) return state === 'Paused' && !pod ? { phase: 'stopped' } : { phase: 'stopping' };
  if (kindMissing && ws.spec?.kind) return { phase: 'pending', reason: message ?? `Its WorkspaceKind ${ws.spec.kind} does not exist` };
  if (livePod) {
    if (state === 'Running' && podReady(livePod)) return { phase: 'running' };
    const problem = podProblem(livePod, events);
    if (problem) return { phase: 'pending', reason: problem };
    if (state === 'Error') return { phase: 'pending', reason: message };
    return { phase: 'starting', reason: livePod.status?.phase === 'Running' ? 'Waiting for Jupyter to be ready' : 'Starting the pod' };
  }
  if (pod) return { phase: 'starting', reason: 'The old pod is terminating' };
  if (state === 'Running') return { phase: 'running' };
  if (state === 'Error') return { phase: 'pending', reason: message };
  return { phase: 'starting', reason: state === 'Pending' && message ? message : 'Waiting for the workspace controller to create the pod' };
}

/** Merge patches for pause and resume: the controller scales the StatefulSet to 0 and back. */
export function pausePatch(paused: boolean): object {
  return { spec: { paused } };
}

// --- new workspaces

export interface NewWorkspace {
  name: string;
  namespace: string;
  kind: string;
  displayName?: string;
  imageConfig: string;
  podConfig: string;
  /** An existing PVC mounted at the kind's home mount path, or none. */
  home?: string;
  data: Array<{ pvcName: string; mountPath: string; readOnly?: boolean }>;
}

export interface KindOption {
  id: string;
  label: string;
  description?: string;
  /** "redirects to X: message" when the kind retires the option. */
  redirect?: string;
  isDefault: boolean;
}

/** The image or pod options of a kind as a spawner shows them: display names, hidden ones left out, the default first. */
export function kindOptions(kind: WorkspaceKindResource, which: 'imageConfig' | 'podConfig'): KindOption[] {
  const cfg = kind.spec?.podTemplate?.options?.[which];
  const def = cfg?.spawner?.default;
  return (cfg?.values ?? [])
    .filter((v) => !v.spawner?.hidden)
    .map((v) => ({
      id: v.id,
      label: v.spawner?.displayName || v.id,
      description: v.spawner?.description,
      ...(v.redirect ? { redirect: `redirects to ${v.redirect.to}${v.redirect.message?.text ? `: ${v.redirect.message.text.trim()}` : ''}` } : {}),
      isDefault: v.id === def,
    }))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}

/** The Workspace, shaped like the sample and the Notebooks 2.0 spawner's. */
export function newWorkspaceManifest(w: NewWorkspace): WorkspaceResource & { apiVersion: string; kind: string } {
  return {
    apiVersion: `${WORKSPACES.group}/${WORKSPACES.version}`,
    kind: 'Workspace',
    metadata: { name: w.name, namespace: w.namespace },
    spec: {
      paused: false,
      ...(w.displayName ? { displayName: w.displayName } : {}),
      kind: w.kind,
      podTemplate: {
        volumes: { ...(w.home ? { home: w.home } : {}), data: w.data },
        options: { imageConfig: w.imageConfig, podConfig: w.podConfig },
      },
    },
  };
}

/** A DNS-1123 label; the controller's generated names add a prefix and suffix. */
export function validateWorkspaceName(name: string): string | undefined {
  if (!name) return 'A name is required';
  if (name.length > 63) return 'At most 63 characters';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return 'Lower-case letters, digits and dashes, starting and ending with a letter or digit';
  return undefined;
}
