/**
 * A training job's state as the view shows it, derived from the job object, its pods and the namespace's warning
 * events. Pure functions, unit-tested with status objects shaped like the operators write them.
 *
 * - training-operator v1 / mpi-operator: the current phase is the last condition with status "True"
 *   (Created, Running, Restarting, Succeeded, Suspended, Failed). Before the operator writes one, pods decide.
 * - Trainer v2 (TrainJob): only Suspended, Complete and Failed conditions exist; Running and Pending are derived
 *   from the JobSet's pods and `status.jobsStatus`.
 */
import { kindInfo, type TrainingKind } from './kinds';
import { replicaTagOf, type ReplicaTag } from './replicaTag';
import { containerGpus, formatDuration, lastTrue, ms, templateGpus, type Condition, type JobObject, type KubeEvent, type Pod, type PodTemplate } from './objects';

export type JobPhase = 'Pending' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed' | 'Suspended';

export interface ReplicaState {
  /** `master-0`, `worker-2`, `node-1`: the same tag the merged log shows. */
  tag: string;
  role: string;
  pod: string;
  /** Pod phase, or `Terminating`. */
  phase: string;
  restarts: number;
  /** Why it waits or why it ended: `ImagePullBackOff`, `Unschedulable`, `Error`, `OOMKilled`. */
  reason?: string;
  exitCode?: number;
  node?: string;
}

export interface RoleSummary {
  /** As the spec names it: `Master`, `Worker`, `Launcher`; TrainJob: `node`, `dataset-initializer`… */
  role: string;
  desired?: number;
  replicas: ReplicaState[];
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
}

export interface PendingReason {
  kind: 'unschedulable' | 'quota' | 'image' | 'crash' | 'waiting';
  /** One line for the view. */
  message: string;
  /** The full text from the API, for the tooltip. */
  detail?: string;
  pods: string[];
}

export interface JobSummary {
  kind: TrainingKind;
  name: string;
  namespace: string;
  uid: string;
  phase: JobPhase;
  /** The condition's reason/message (Failed, Suspended, Restarting), or a derived one (`Initializing`). */
  reason?: string;
  message?: string;
  terminal: boolean;
  roles: RoleSummary[];
  desired: number;
  running: number;
  restarts: number;
  /** GPUs the job asks for in total (spec × replicas), when the spec says. */
  gpus?: number;
  createdAt?: number;
  startedAt?: number;
  finishedAt?: number;
  pending: PendingReason[];
  /** Trainer v2 `status.trainerStatus.progressPercentage`, when the runtime reports it. */
  progressPercent?: number;
}

const TO = 'training.kubeflow.org';
const JS = 'jobset.sigs.k8s.io';
const WAITING_PROBLEMS = /^(ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError|CrashLoopBackOff|RunContainerError)$/;

/** The pods of a job among the namespace's training pods. */
export function podsOf(kind: string, name: string, pods: Pod[]): Pod[] {
  return pods.filter((p) => {
    const l = p.metadata.labels ?? {};
    return kind === 'TrainJob' ? l[`${JS}/jobset-name`] === name : l[`${TO}/job-name`] === name;
  });
}

/** The merged-log tag of a pod (see replicaTag.ts). */
export function podTag(p: Pod): ReplicaTag {
  return replicaTagOf(p.metadata.labels, p.metadata.name);
}

export function replicaState(p: Pod): ReplicaState {
  const { tag, role } = podTag(p);
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  const restarts = (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  let phase = p.status?.phase ?? 'Pending';
  if (p.metadata.deletionTimestamp) phase = 'Terminating';
  let reason: string | undefined;
  let exitCode: number | undefined;
  const waiting = statuses.find((c) => c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing' && c.state.waiting.reason !== 'ContainerCreating');
  const terminated = statuses.find((c) => c.state?.terminated && (c.state.terminated.exitCode ?? 0) !== 0) ?? statuses.find((c) => c.state?.terminated);
  const unschedulable = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (waiting) reason = waiting.state!.waiting!.reason;
  else if (phase === 'Failed' || phase === 'Succeeded') {
    reason = terminated?.state?.terminated?.reason ?? p.status?.reason;
    exitCode = terminated?.state?.terminated?.exitCode;
  } else if (unschedulable) reason = unschedulable.reason ?? 'Unschedulable';
  return { tag, role, pod: p.metadata.name, phase, restarts, ...(reason ? { reason } : {}), ...(exitCode !== undefined ? { exitCode } : {}), ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}) };
}

/** Roles in reading order: coordinators first, workers after, initializers before the trainer nodes. */
function roleRank(role: string): number {
  const r = role.toLowerCase();
  if (/initializer/.test(r)) return 0;
  if (/^(master|chief|launcher|coordinator)$/.test(r)) return 1;
  if (r === 'ps') return 2;
  if (r === 'worker' || r === 'node') return 3;
  return 4;
}

function summarizeRoles(job: JobObject, pods: Pod[], kind: TrainingKind): RoleSummary[] {
  const roles = new Map<string, RoleSummary>();
  const get = (name: string): RoleSummary => {
    const key = name.toLowerCase();
    let r = roles.get(key);
    if (!r) roles.set(key, (r = { role: name, replicas: [], pending: 0, running: 0, succeeded: 0, failed: 0 }));
    return r;
  };
  if (kind === 'TrainJob') {
    for (const js of (job.status?.jobsStatus as Array<{ name?: string }> | undefined) ?? []) if (js.name) get(js.name);
    const trainer = job.spec?.trainer as { numNodes?: number } | undefined;
    if (trainer?.numNodes !== undefined) get('node').desired = trainer.numNodes;
  } else {
    const specs = (job.spec?.[kindInfo(kind)?.replicaSpecs ?? ''] ?? {}) as Record<string, { replicas?: number }>;
    for (const [role, spec] of Object.entries(specs)) get(role).desired = spec?.replicas ?? 1;
  }
  for (const p of pods) {
    const s = replicaState(p);
    const r = get(s.role);
    r.replicas.push(s);
    if (s.phase === 'Running') r.running++;
    else if (s.phase === 'Succeeded') r.succeeded++;
    else if (s.phase === 'Failed') r.failed++;
    else if (s.phase === 'Pending') r.pending++;
  }
  for (const r of roles.values()) r.replicas.sort((a, b) => a.tag.localeCompare(b.tag, undefined, { numeric: true }));
  return [...roles.values()].sort((a, b) => roleRank(a.role) - roleRank(b.role) || a.role.localeCompare(b.role));
}

/** GPUs the job asks for: each replica spec's template × replicas (v1), or resourcesPerNode × numNodes (TrainJob). */
export function requestedGpus(job: JobObject, kind: TrainingKind, pods: Pod[] = []): number | undefined {
  if (kind === 'TrainJob') {
    const t = job.spec?.trainer as { numNodes?: number; resourcesPerNode?: { limits?: Record<string, string>; requests?: Record<string, string> } } | undefined;
    if (t?.resourcesPerNode) return containerGpus({ resources: t.resourcesPerNode }) * (t.numNodes ?? 1);
    // The runtime decides; its pods say what it asked for.
    const nodes = pods.filter((p) => podTag(p).role === 'node');
    if (nodes.length) return nodes.reduce((n, p) => n + (p.spec?.containers ?? []).reduce((m, c) => m + containerGpus(c), 0), 0);
    return undefined;
  }
  const specs = (job.spec?.[kindInfo(kind)?.replicaSpecs ?? ''] ?? {}) as Record<string, { replicas?: number; template?: PodTemplate }>;
  return Object.values(specs).reduce((n, s) => n + (s?.replicas ?? 1) * templateGpus(s?.template), 0);
}

/** "0/3 nodes are available: 2 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint…" → one short line. */
export function summarizeUnschedulable(message: string): string {
  const head = message.split(/\.\s*preemption:/)[0]!.trim();
  // kube-scheduler ends the list with a period when no preemption part follows ("… 2 Insufficient nvidia.com/gpu.")
  const insufficient = [...new Set([...head.matchAll(/Insufficient ([A-Za-z0-9./_-]+)/g)].map((m) => m[1]!.replace(/\.+$/, '')))];
  const avail = /^(\d+\/\d+ nodes are available)/.exec(head)?.[1];
  if (insufficient.length) return `Unschedulable: insufficient ${insufficient.join(', ')}${avail ? ` (${avail})` : ''}`;
  return `Unschedulable: ${head.replace(/\.$/, '')}`;
}

/** `… exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=16, used: …, limited: …` → one line. */
export function summarizeQuota(message: string): string | undefined {
  const m = /exceeded quota: ([^,]+), (requested: .*)$/.exec(message);
  if (!m) {
    const forbidden = /forbidden: (.*quota.*)$/i.exec(message);
    return forbidden ? `Quota: ${forbidden[1]}` : undefined;
  }
  return `Quota ${m[1]} exceeded — ${m[2]!.replace(/\.$/, '')}`;
}

function eventTime(e: KubeEvent): number {
  return ms(e.series?.lastObservedTime) ?? ms(e.lastTimestamp) ?? ms(e.eventTime) ?? ms(e.firstTimestamp) ?? ms(e.metadata.creationTimestamp) ?? 0;
}

/** Why a job that is not running yet waits: unschedulable pods, quota, image pulls, crash loops. */
export function pendingReasons(kind: TrainingKind, name: string, pods: Pod[], events: KubeEvent[], desired: number): PendingReason[] {
  const out: PendingReason[] = [];
  const add = (r: Omit<PendingReason, 'pods'>, pod?: string): void => {
    const same = out.find((x) => x.kind === r.kind && x.message === r.message);
    if (same) {
      if (pod && !same.pods.includes(pod)) same.pods.push(pod);
    } else out.push({ ...r, pods: pod ? [pod] : [] });
  };
  const pendingPods = new Set<string>();
  for (const p of pods) {
    if (p.status?.phase !== 'Pending' || p.metadata.deletionTimestamp) continue;
    pendingPods.add(p.metadata.name);
    const sched = p.status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (sched?.message) add({ kind: 'unschedulable', message: summarizeUnschedulable(sched.message), detail: sched.message }, p.metadata.name);
    for (const c of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) {
      const w = c.state?.waiting;
      if (w?.reason && WAITING_PROBLEMS.test(w.reason)) {
        add({ kind: /CrashLoop|RunContainer/.test(w.reason) ? 'crash' : 'image', message: `${w.reason}${c.name ? ` (${c.name})` : ''}`, detail: w.message }, p.metadata.name);
      }
    }
  }
  // Events, newest last: scheduler events for pods without a condition yet; create failures (quota) on the job.
  const sorted = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  for (const e of sorted) {
    const obj = e.involvedObject ?? {};
    const msg = e.message ?? '';
    if (obj.kind === 'Pod' && obj.name && pendingPods.has(obj.name) && e.reason === 'FailedScheduling') {
      if (!out.some((r) => r.kind === 'unschedulable' && r.pods.includes(obj.name!))) add({ kind: 'unschedulable', message: summarizeUnschedulable(msg), detail: msg }, obj.name);
    }
    const ownsJob = (obj.kind === kind && obj.name === name) || (kind === 'TrainJob' && (obj.kind === 'JobSet' ? obj.name === name : obj.kind === 'Job' && obj.name?.startsWith(`${name}-`)));
    if (ownsJob && /^FailedCreate/.test(e.reason ?? '') && pods.length < desired) {
      const quota = summarizeQuota(msg);
      if (quota) add({ kind: 'quota', message: quota, detail: msg });
    }
  }
  if (out.length === 0 && pods.length === 0) add({ kind: 'waiting', message: kind === 'TrainJob' ? 'No pods yet: waiting for the JobSet' : 'No pods yet: waiting for the operator' });
  return out;
}

function summarizeV1(job: JobObject, pods: Pod[]): Pick<JobSummary, 'phase' | 'reason' | 'message' | 'startedAt' | 'finishedAt'> {
  const conditions = (job.status?.conditions as Condition[] | undefined) ?? [];
  const current = lastTrue(conditions, ['Created', 'Running', 'Restarting', 'Succeeded', 'Suspended', 'Failed']);
  const startedAt = ms(job.status?.startTime as string | undefined);
  const finished = ms(job.status?.completionTime as string | undefined);
  const base = { ...(startedAt ? { startedAt } : {}) };
  const withReason = (c: Condition) => ({ ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) });
  switch (current?.type) {
    case 'Succeeded':
    case 'Failed':
      return { ...base, phase: current.type, ...withReason(current), finishedAt: finished ?? ms(current.lastTransitionTime) ?? Date.now() };
    case 'Suspended':
      return { ...base, phase: 'Suspended', ...withReason(current) };
    case 'Restarting':
      return { ...base, phase: 'Restarting', ...withReason(current) };
    case 'Running':
      return { ...base, phase: 'Running' };
  }
  // Created, or nothing yet: the pods say whether it runs.
  const running = pods.some((p) => p.status?.phase === 'Running');
  return { ...base, phase: running ? 'Running' : 'Pending' };
}

function summarizeTrainJob(job: JobObject, pods: Pod[]): Pick<JobSummary, 'phase' | 'reason' | 'message' | 'startedAt' | 'finishedAt'> {
  const conditions = (job.status?.conditions as Condition[] | undefined) ?? [];
  const starts = pods.map((p) => ms(p.status?.startTime)).filter((t): t is number => t !== undefined);
  const startedAt = starts.length ? Math.min(...starts) : undefined;
  const base = { ...(startedAt ? { startedAt } : {}) };
  const withReason = (c: Condition) => ({ ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) });
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return { ...base, phase: 'Failed', ...withReason(failed), finishedAt: ms(failed.lastTransitionTime) ?? Date.now() };
  const complete = conditions.find((c) => c.type === 'Complete' && c.status === 'True');
  if (complete) return { ...base, phase: 'Succeeded', ...withReason(complete), finishedAt: ms(complete.lastTransitionTime) ?? Date.now() };
  const suspended = conditions.find((c) => c.type === 'Suspended' && c.status === 'True');
  if (suspended) return { ...base, phase: 'Suspended', ...withReason(suspended) };
  const running = pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  if (running.some((p) => podTag(p).role === 'node' || podTag(p).role === 'launcher')) return { ...base, phase: 'Running' };
  if (running.length) return { ...base, phase: 'Running', reason: 'Initializing', message: `${[...new Set(running.map((p) => podTag(p).role))].join(', ')} running` };
  const jobs = (job.status?.jobsStatus as Array<{ active?: number; ready?: number; succeeded?: number }> | undefined) ?? [];
  if (jobs.some((j) => (j.ready ?? 0) > 0)) return { ...base, phase: 'Running' };
  // Every pod done but no Complete condition yet: the controller is about to write it.
  if (pods.length && pods.every((p) => p.status?.phase === 'Succeeded')) return { ...base, phase: 'Running', reason: 'Finishing' };
  return { ...base, phase: 'Pending' };
}

/** Everything the view shows about one job. `pods` may be all training pods of the namespace. */
export function summarizeJob(job: JobObject, allPods: Pod[], events: KubeEvent[] = [], kindOverride?: TrainingKind): JobSummary {
  const kind = (kindOverride ?? job.kind) as TrainingKind;
  const pods = podsOf(kind, job.metadata.name, allPods);
  const roles = summarizeRoles(job, pods, kind);
  const base = kind === 'TrainJob' ? summarizeTrainJob(job, pods) : summarizeV1(job, pods);
  const desired = roles.reduce((n, r) => n + (r.desired ?? r.replicas.length), 0);
  const terminal = base.phase === 'Succeeded' || base.phase === 'Failed';
  const gpus = requestedGpus(job, kind, pods);
  const progress = (job.status?.trainerStatus as { progressPercentage?: number } | undefined)?.progressPercentage;
  const createdAt = ms(job.metadata.creationTimestamp);
  return {
    kind,
    name: job.metadata.name,
    namespace: job.metadata.namespace ?? '',
    uid: job.metadata.uid ?? `${kind}/${job.metadata.name}`,
    ...base,
    terminal,
    roles,
    desired,
    running: roles.reduce((n, r) => n + r.running, 0),
    restarts: roles.reduce((n, r) => n + r.replicas.reduce((m, x) => m + x.restarts, 0), 0),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(createdAt ? { createdAt } : {}),
    pending: terminal || base.phase === 'Suspended' || base.phase === 'Running' ? [] : pendingReasons(kind, job.metadata.name, pods, events, desired),
    ...(typeof progress === 'number' ? { progressPercent: progress } : {}),
  };
}

/** The replicas that failed, for a failure notification: `worker-2 (OOMKilled, exit 137)`. */
export function failedReplicas(s: JobSummary): string[] {
  return s.roles.flatMap((r) => r.replicas).filter((x) => x.phase === 'Failed').map((x) => {
    const why = [x.reason, x.exitCode !== undefined ? `exit ${x.exitCode}` : undefined].filter(Boolean).join(', ');
    return why ? `${x.tag} (${why})` : x.tag;
  });
}

/** One line: `Running · 4/4 · 4 GPUs · 5m 3s`. */
export function describeJob(s: JobSummary, now: number): string {
  const parts: string[] = [s.reason === 'Initializing' ? 'Initializing' : s.phase];
  if (s.desired) parts.push(`${s.running}/${s.desired}`);
  if (s.gpus) parts.push(`${s.gpus} GPU${s.gpus === 1 ? '' : 's'}`);
  if (s.restarts) parts.push(`${s.restarts} restart${s.restarts === 1 ? '' : 's'}`);
  if (s.startedAt) parts.push(formatDuration((s.finishedAt ?? now) - s.startedAt));
  else if (s.createdAt) parts.push(`age ${formatDuration(now - s.createdAt)}`);
  return parts.join(' · ');
}
