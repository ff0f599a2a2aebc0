/**
 * From a forward target to "which pod, which port": the selectors to watch, the pod to pick among the matches,
 * and a named port turned into a number. Pure functions, unit-tested.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { ForwardTarget, PortRef } from '../protocol';

/** The label Kubeflow's notebook controller puts on a Notebook's pods. */
export const NOTEBOOK_LABEL = 'notebook-name';
/** The label the Notebooks 2.0 Workspace controller puts on a Workspace's pods. */
export const WORKSPACE_LABEL = 'notebooks.kubeflow.org/workspace-name';
/** The port Kubeflow notebook images serve Jupyter on. */
export const NOTEBOOK_PORT = 8888;

export interface PodQuery {
  labelSelector?: string;
  fieldSelector?: string;
}

/** How to find the pods of a target. A service target needs its Service object for the selector. */
export function podQuery(target: ForwardTarget, service?: V1Service): PodQuery {
  switch (target.kind) {
    case 'pod':
      return { fieldSelector: `metadata.name=${target.name}` };
    case 'notebook':
      return { labelSelector: `${NOTEBOOK_LABEL}=${target.name}` };
    case 'workspace':
      return { labelSelector: `${WORKSPACE_LABEL}=${target.name}` };
    case 'selector':
      return { labelSelector: target.selector };
    case 'service': {
      const sel = service?.spec?.selector;
      if (!sel || Object.keys(sel).length === 0) {
        throw new Error(`Service ${target.namespace}/${target.name} has no pod selector, so it has no pods to forward to.`);
      }
      return { labelSelector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') };
    }
  }
}

export function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The pod new connections go to: a running pod that is not being deleted, ready ones first, then the one that
 * started first (so the choice is stable while several replicas run). Undefined when none runs.
 */
export function pickPod(pods: readonly V1Pod[]): V1Pod | undefined {
  const time = (p: V1Pod): number => new Date(p.status?.startTime ?? p.metadata?.creationTimestamp ?? 0).getTime();
  return pods
    .filter(isRunning)
    .sort((a, b) => Number(isReady(b)) - Number(isReady(a)) || time(a) - time(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

/** Why no pod is picked, in words for the Port Forwards view. */
export function waitingReason(target: ForwardTarget, pods: readonly V1Pod[]): string {
  if (pods.length === 0) {
    if (target.kind === 'notebook') return `Notebook ${target.name} has no pod (stopped, or starting).`;
    if (target.kind === 'workspace') return `Workspace ${target.name} has no pod (paused, or starting).`;
    return `No pod matches ${describeTarget(target)}.`;
  }
  const phases = pods.map((p) => `${p.metadata?.name}: ${p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown')}`);
  return `Waiting for a running pod (${phases.join(', ')}).`;
}

/**
 * The container port to open on `pod`. A number is used as is. A name is looked up in the pod's container ports;
 * for a service target, the service port (by number or name) is first mapped to its targetPort.
 */
export function resolvePodPort(target: ForwardTarget, pod: V1Pod, service?: V1Service): number {
  let ref: PortRef = target.port ?? NOTEBOOK_PORT;
  if (target.kind === 'service') {
    const sp = service?.spec?.ports?.find((p) => (typeof ref === 'number' ? p.port === ref : p.name === ref));
    if (!sp) throw new Error(`Service ${target.namespace}/${target.name} has no port ${ref}.`);
    ref = sp.targetPort ?? sp.port;
  }
  if (typeof ref === 'number') return ref;
  if (/^\d+$/.test(ref)) return Number(ref);
  for (const c of pod.spec?.containers ?? []) {
    const p = c.ports?.find((cp) => cp.name === ref);
    if (p) return p.containerPort;
  }
  throw new Error(`Pod ${pod.metadata?.name} has no container port named "${ref}".`);
}

/** The URL path a client should open: a notebook (or a workspace's port) is served under its Kubeflow base URL. */
export function urlPath(target: ForwardTarget): string {
  if (target.kind === 'notebook') return `/notebook/${target.namespace}/${target.name}/`;
  if (target.kind === 'workspace') return `/workspace/connect/${target.namespace}/${target.name}/${target.portId}/`;
  return '/';
}

export function describeTarget(t: ForwardTarget): string {
  const where = t.kind === 'selector' ? `pods ${t.selector}` : `${t.kind} ${t.name}`;
  const port = t.port ?? (t.kind === 'notebook' ? NOTEBOOK_PORT : '');
  return `${where} in ${t.namespace}${port !== '' ? `:${port}` : ''}${t.context ? ` (${t.context})` : ''}`;
}

/** Two targets are the same forward when they name the same thing; the daemon returns the existing forward then. */
export function sameTarget(a: ForwardTarget, b: ForwardTarget): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(t: ForwardTarget): unknown[] {
  const port = t.port ?? (t.kind === 'notebook' ? NOTEBOOK_PORT : undefined);
  const what = t.kind === 'selector' ? t.selector : t.kind === 'workspace' ? `${t.name}/${t.portId}` : t.name;
  return [t.kind, t.context ?? '', t.namespace, what, String(port)];
}

/** Checks a target from a client before anything is done with it. Returns the problem, or undefined. */
export function validateTarget(t: unknown): string | undefined {
  const x = t as Partial<Record<string, unknown>> | null;
  if (!x || typeof x !== 'object') return 'target must be an object';
  if (!['pod', 'service', 'notebook', 'workspace', 'selector'].includes(String(x.kind))) return `unknown target kind "${String(x.kind)}"`;
  if (typeof x.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(x.namespace)) return `invalid namespace "${String(x.namespace)}"`;
  if (x.kind === 'selector') {
    if (typeof x.selector !== 'string' || x.selector.trim() === '') return 'a selector target needs a label selector';
  } else if (typeof x.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(x.name) || x.name.length > 253) {
    return `invalid name "${String(x.name)}"`;
  }
  if (x.port === undefined && x.kind !== 'notebook') return 'a port is required';
  if (x.kind === 'workspace') {
    if (typeof x.portId !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(x.portId)) return `invalid workspace port id "${String(x.portId)}"`;
    if (typeof x.port !== 'number') return 'a workspace target needs the port number of its portId';
  }
  if (typeof x.port === 'number' && !(Number.isInteger(x.port) && x.port > 0 && x.port < 65536)) return `port ${x.port} is out of range`;
  if (x.port !== undefined && typeof x.port !== 'number' && (typeof x.port !== 'string' || !/^[a-z0-9-]{1,15}$/.test(x.port))) {
    return `invalid port "${String(x.port)}"`;
  }
  return undefined;
}
