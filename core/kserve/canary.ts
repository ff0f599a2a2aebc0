/**
 * KServe ≥ 0.20 canaries in Standard (RawDeployment) mode: `spec.canary[]` = `{ predictor: {name, …}, trafficPercent }`,
 * one Deployment `{isvc}-{name}-predictor` each. The patches that start one, set its share, promote it (the stable
 * predictor takes the canary's name and spec, so the controller keeps its Deployment and pods) and roll it back
 * (the entry goes), and the probe that tells whether the cluster's CRD knows `spec.canary` (a strict dry run:
 * KServe ≤ 0.15 refuses the field by name) without CRD read rights. Pure except the probe.
 */
import { DEPLOYMENT_MODE_ANNOTATION, updatePatch, type DeploySpec, type InferenceServiceObject } from './build';
import type { IsvcSummary } from './state';

export interface CanaryEntry {
  predictor: Record<string, unknown> & { name: string; model?: Record<string, unknown> };
  trafficPercent: number;
}

/** The `spec.canary` entries of a service (ones without a predictor name are not valid and left out). */
export function canaryEntries(o: InferenceServiceObject): CanaryEntry[] {
  const list = (o.spec as { canary?: unknown }).canary;
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is CanaryEntry => !!c && typeof c === 'object' && typeof (c as CanaryEntry).predictor?.name === 'string');
}

/** A canary name for a version: DNS-1035, different from the stable predictor's, short enough for `{isvc}-{name}-predictor` ≤ 63. */
export function canaryName(o: InferenceServiceObject, hint?: string): string {
  const stable = String(o.spec.predictor.name ?? '');
  const room = Math.max(1, 63 - o.metadata.name.length - '--predictor'.length);
  let n = (hint ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, room).replace(/-+$/, '');
  if (!n) n = 'canary';
  const taken = new Set([stable, ...canaryEntries(o).map((c) => c.predictor.name)]);
  for (let i = 2; taken.has(n); i++) n = `${n.replace(/-\d+$/, '').slice(0, room - String(i).length - 1)}-${i}`;
  return n;
}

/**
 * The merge patch that starts a canary: the new model under its own predictor name with `percent` of the traffic;
 * the stable predictor is left as it is. The validating webhook wants the mode annotation to read `Standard`.
 */
export function startCanaryPatch(o: InferenceServiceObject, model: Record<string, unknown>, percent: number, name: string, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  const clean = Object.fromEntries(Object.entries(model).filter(([, v]) => v !== null && v !== undefined));
  const others = canaryEntries(o).filter((c) => c.predictor.name !== name);
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}), [DEPLOYMENT_MODE_ANNOTATION]: 'Standard' };
  return { metadata: { ...metadata, annotations }, spec: { canary: [...others, { predictor: { name, model: clean }, trafficPercent: percent }] } };
}

/** The merge patch that sets a canary's share (`spec.canary` is an atomic list: the whole list is sent). */
export function canaryPercentPatch(o: InferenceServiceObject, name: string, percent: number): Record<string, unknown> {
  return { spec: { canary: canaryEntries(o).map((c) => (c.predictor.name === name ? { ...c, trafficPercent: percent } : c)) } };
}

/**
 * The merge patch that promotes a canary, as KServe's API documents it: the stable predictor takes the canary's name
 * (so its Deployment `{isvc}-{name}-predictor`, and its pods, become the stable ones) and its spec, and the entry goes.
 */
export function promoteCanaryPatch(o: InferenceServiceObject, name: string): Record<string, unknown> {
  const entry = canaryEntries(o).find((c) => c.predictor.name === name);
  if (!entry) throw new Error(`${o.metadata.name} has no canary named ${name}`);
  const rest = canaryEntries(o).filter((c) => c !== entry);
  return { spec: { predictor: { ...entry.predictor }, canary: rest.length ? rest : null } };
}

/** The merge patch that rolls a canary back: its entry goes (the controller deletes its Deployment). */
export function rollbackCanaryPatch(o: InferenceServiceObject, name: string): Record<string, unknown> {
  const rest = canaryEntries(o).filter((c) => c.predictor.name !== name);
  return { spec: { canary: rest.length ? rest : null } };
}

/** The selector of a Standard-mode predictor's pods: `app=isvc.{isvc}[-{name}]-predictor`. */
export function standardPredictorSelector(isvc: string, predictorName?: string): string {
  return `app=isvc.${isvc}${predictorName ? `-${predictorName}` : ''}-predictor`;
}

interface Kube {
  request<T = unknown>(method: 'PATCH', path: string, o: { body: unknown; query: Record<string, string>; contentType: string }): Promise<T>;
}

/**
 * Whether the cluster's InferenceService CRD has Standard-mode canaries (KServe ≥ 0.20): a server-side dry run of
 * an empty `spec.canary` on the service, with strict field validation (KServe ≤ 0.15 refuses the unknown field; any refusal counts as no).
 */
export async function standardCanarySupported(kube: Kube, servicePath: string): Promise<boolean> {
  try {
    await kube.request('PATCH', servicePath, { body: { spec: { canary: [] } }, query: { dryRun: 'All', fieldValidation: 'Strict' }, contentType: 'application/merge-patch+json' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The merge patch that rolls the spec onto a Standard-mode service as a canary with `s.canaryTrafficPercent`: the
 * model block the form builds (no replica or autoscaling fields: a canary has fixed replicas) under a name from the
 * version, plus the registry labels of the update.
 */
export function canaryUpdatePatch(existing: InferenceServiceObject, s: DeploySpec): Record<string, unknown> {
  const full = updatePatch(existing, { ...s, canaryTrafficPercent: undefined }) as { metadata: Record<string, unknown>; spec: { predictor: { model: Record<string, unknown> } } };
  // KServe merges the canary onto the stable predictor, so a key left out is inherited: the protocol the new spec
  // drops is said as KServe's default (v1), or the canary (and, promoted, the stable) would keep the old one.
  const model = { ...full.spec.predictor.model, ...(full.spec.predictor.model.protocolVersion === null ? { protocolVersion: 'v1' } : {}) };
  return startCanaryPatch(existing, model, s.canaryTrafficPercent ?? 0, canaryName(existing, s.registry?.versionName), full.metadata);
}

/**
 * A Standard-mode service's predictor pods by predictor (the stable one and each canary), by the `app` label KServe
 * gives each predictor's pods (standardPredictorSelector; the stable predictor without a name is keyed `unnamed`).
 * Undefined without canaries; pods of no predictor are left out.
 */
export function predictorPodGroups(s: IsvcSummary, pods: Array<{ metadata: { name: string; labels?: Record<string, string> } }>, unnamed: string): Record<string, string[]> | undefined {
  if (!s.standardCanaries.length) return undefined;
  const app = (selector: string) => selector.slice('app='.length);
  const byApp = new Map<string, string>([[app(standardPredictorSelector(s.name, s.predictorName)), s.predictorName ?? unnamed], ...s.standardCanaries.map((c) => [app(standardPredictorSelector(s.name, c.name)), c.name] as [string, string])]);
  const out: Record<string, string[]> = Object.fromEntries([...byApp.values()].map((k) => [k, []]));
  for (const p of pods) {
    const key = byApp.get(p.metadata.labels?.app ?? '');
    if (key !== undefined) out[key]!.push(p.metadata.name);
  }
  return out;
}
