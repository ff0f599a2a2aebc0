/**
 * Which pods belong to a log source (by the operators' job-name labels: training.kubeflow.org/job-name for
 * training-operator v1 and mpi-operator, jobset.sigs.k8s.io/jobset-name for Trainer v2), what to call each of them
 * (core/training/replicaTag.ts, shared with the Training view), and capture ids. Pure functions, unit-tested.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { replicaTagOf } from '../../../core/training/replicaTag';
import type { LogSource } from '../protocol';

const TO = 'training.kubeflow.org';
const JS = 'jobset.sigs.k8s.io';

export function podSelectorFor(source: LogSource): { labelSelector?: string; fieldSelector?: string } {
  switch (source.kind) {
    case 'pod':
      return { fieldSelector: `metadata.name=${source.name}` };
    case 'selector':
      return { labelSelector: source.selector };
    case 'job':
      return source.jobKind === 'TrainJob'
        ? { labelSelector: `${JS}/jobset-name=${source.name}` }
        : { labelSelector: `${TO}/job-name=${source.name}` };
  }
}

/** The tag shown before every line of this pod (the rule of core/training/replicaTag.ts). Falls back to the pod name. */
export function replicaTag(pod: V1Pod): string {
  return replicaTagOf(pod.metadata?.labels, pod.metadata?.name ?? '?').tag;
}

/** Orders tags the way people read ranks: by role (master/launcher/chief first), then numerically by index. */
export function compareTags(a: string, b: string): number {
  const rank = (t: string): number => (/^(master|launcher|chief|coordinator)/.test(t) ? 0 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true });
}

export function describeSource(s: LogSource): string {
  const what = s.kind === 'job' ? `${s.jobKind} ${s.name}` : s.kind === 'pod' ? `pod ${s.name}` : `pods ${s.selector}`;
  return `${what} in ${s.namespace}${s.context ? ` (${s.context})` : ''}`;
}

/** The capture id of a source: readable and stable, so a job maps to the same capture across daemon restarts. */
export function captureId(s: LogSource): string {
  const what = s.kind === 'job' ? `${s.jobKind.toLowerCase()}-${s.name}` : s.kind === 'pod' ? `pod-${s.name}` : `selector-${s.selector}`;
  const raw = `${s.context ? `${s.context}-` : ''}${s.namespace}-${what}`;
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 180);
}

export function validateSource(s: unknown): string | undefined {
  const x = s as Partial<Record<string, unknown>> | null;
  if (!x || typeof x !== 'object') return 'source must be an object';
  if (!['job', 'pod', 'selector'].includes(String(x.kind))) return `unknown source kind "${String(x.kind)}"`;
  if (typeof x.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(x.namespace)) return `invalid namespace "${String(x.namespace)}"`;
  if (x.kind === 'selector') return typeof x.selector === 'string' && x.selector.trim() ? undefined : 'a selector source needs a label selector';
  if (typeof x.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(x.name)) return `invalid name "${String(x.name)}"`;
  if (x.kind === 'job' && !['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'JAXJob', 'PaddleJob', 'TrainJob'].includes(String(x.jobKind))) {
    return `unknown job kind "${String(x.jobKind)}"`;
  }
  return undefined;
}
