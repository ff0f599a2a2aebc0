/**
 * The parts of Kubernetes objects the training and Katib views read, typed loosely (the API is the source of truth;
 * every field is optional). No client library: these come from the daemon as plain JSON.
 */

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: Array<{ kind?: string; name?: string; uid?: string; controller?: boolean }>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface Resources {
  limits?: Record<string, string | number>;
  requests?: Record<string, string | number>;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name?: string; value?: string }>;
  resources?: Resources;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; initContainers?: Container[] };
}

export interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
  };
  lastState?: ContainerStatus['state'];
}

export interface Pod {
  metadata: Meta;
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface KubeEvent {
  metadata: Meta;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string; count?: number };
}

export interface JobObject {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined. */
export function ms(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

/** The most recent condition with status "True" (operators append; the last true one is the current phase). */
export function lastTrue(conditions: Condition[] | undefined, types?: string[]): Condition | undefined {
  const list = (conditions ?? []).filter((c) => c.status === 'True' && (!types || types.includes(c.type)));
  return list[list.length - 1];
}

/** Compact duration: `42s`, `5m 3s`, `2h 5m`, `3d 4h`. */
export function formatDuration(msValue: number): string {
  const s = Math.max(0, Math.floor(msValue / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** GPUs a container asks for: `nvidia.com/gpu`, `amd.com/gpu`, `gpu.intel.com/i915`… (limits win over requests). */
export function containerGpus(c: Container | undefined): number {
  for (const src of [c?.resources?.limits, c?.resources?.requests]) {
    const found = Object.entries(src ?? {}).reduce((sum, [k, v]) => sum + (isGpuResource(k) ? Number(v) || 0 : 0), 0);
    if (found) return found;
  }
  return 0;
}

export function isGpuResource(name: string): boolean {
  return /(^|[./])gpu$/.test(name) || name.startsWith('gpu.intel.com/');
}

export function templateGpus(t: PodTemplate | undefined): number {
  return (t?.spec?.containers ?? []).reduce((sum, c) => sum + containerGpus(c), 0);
}
