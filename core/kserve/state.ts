/**
 * Reads an InferenceService's status the way KServe writes it: the Ready condition (and the conditions that hold it
 * back, with their reasons), the URL, the predictor's revisions and the traffic split between the latest revision and
 * the previously rolled-out one (`status.components.predictor.traffic`, set from `canaryTrafficPercent`), the model
 * load state and its last failure. Pure; the Endpoints view and the deploy progress use it.
 */
import { DEPLOYMENT_MODE_ANNOTATION, GPU_RESOURCE, MR_ANNOTATIONS, MR_LABELS, type InferenceServiceObject } from './build';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  severity?: string;
  lastTransitionTime?: string;
}

export interface TrafficTarget {
  revisionName?: string;
  percent?: number;
  latestRevision?: boolean;
  tag?: string;
  url?: string;
}

interface ComponentStatus {
  url?: string;
  restUrl?: string;
  address?: { url?: string };
  latestCreatedRevision?: string;
  latestReadyRevision?: string;
  latestRolledoutRevision?: string;
  previousRolledoutRevision?: string;
  traffic?: TrafficTarget[];
}

interface IsvcStatus {
  url?: string;
  address?: { url?: string };
  conditions?: Condition[];
  components?: Record<string, ComponentStatus>;
  modelStatus?: {
    transitionStatus?: string;
    states?: { activeModelState?: string; targetModelState?: string };
    lastFailureInfo?: { reason?: string; message?: string; exitCode?: number; location?: string; time?: string };
    copies?: { failedCopies?: number; totalCopies?: number };
  };
  deploymentMode?: string;
  observedGeneration?: number;
  /** KServe ≥ 0.20, Standard mode: one per `spec.canary` entry. */
  canaryStatuses?: Array<{ name?: string; ready?: boolean; trafficPercent?: number; modelStatus?: { states?: { activeModelState?: string } } }>;
}

/** A KServe ≥ 0.20 Standard-mode canary: its own predictor (Deployment `{isvc}-{name}-predictor`) and share. */
export interface StandardCanary {
  name: string;
  /** The share in the spec (what the user set). */
  trafficPercent: number;
  /** The controller's report (`status.canaryStatuses`): its Deployment has an available pod. */
  ready: boolean;
  storageUri?: string;
  modelFormat?: string;
}

/**
 * `Ready`; `Updating` = ready, and a newer revision is being rolled out; `Pending` = nothing reported yet or still
 * coming up; `NotReady` = a condition is False; `Failed` = the model could not be loaded or the spec is invalid.
 */
export type IsvcPhase = 'Ready' | 'Updating' | 'Pending' | 'NotReady' | 'Failed';

export interface TrafficSplit {
  latest?: { revision?: string; percent: number; tag?: string; url?: string };
  previous?: { revision?: string; percent: number; tag?: string; url?: string };
}

export interface IsvcSummary {
  name: string;
  namespace: string;
  uid: string;
  createdAt?: number;
  phase: IsvcPhase;
  ready: boolean;
  /** Why it is not ready: the failing conditions and the model load failure, most specific first. */
  reasons: string[];
  url?: string;
  /** In-cluster address (`http://<name>.<ns>.svc.cluster.local`). */
  internalUrl?: string;
  modelFormat?: string;
  runtime?: string;
  storageUri?: string;
  protocolVersion?: string;
  gpus: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** Set in the spec: the latest revision's share while it is a canary. */
  canaryTrafficPercent?: number;
  traffic: TrafficSplit;
  /** The latest revision (or a Standard-mode canary) takes part of the traffic and a previous one (the stable) the rest. */
  canary: boolean;
  /** Standard mode (KServe ≥ 0.20): the stable predictor's name (`spec.predictor.name`; its Deployment `{isvc}-{name}-predictor`). */
  predictorName?: string;
  /** Standard mode (KServe ≥ 0.20): the `spec.canary` entries with what the controller reports of them. */
  standardCanaries: StandardCanary[];
  latestCreatedRevision?: string;
  latestReadyRevision?: string;
  previousRolledoutRevision?: string;
  modelState?: string;
  deploymentMode: string;
  /**
   * RawDeployment (KServe ≥ 0.15 writes `Standard` in the status): plain Deployments, no Knative revisions, so no
   * traffic split by `canaryTrafficPercent`: an update replaces the predictor's pods with a rolling update.
   */
  rawDeployment: boolean;
  conditions: Condition[];
  /** The Model Registry version it serves, from the labels the deploy sets. */
  registry?: { registeredModelId?: string; modelVersionId?: string; modelName?: string; versionName?: string; registryName?: string };
  /** The spec changed and the controller has not looked yet. */
  stale: boolean;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function summarizeInferenceService(o: InferenceServiceObject): IsvcSummary {
  const status = (o.status ?? {}) as IsvcStatus;
  const conditions = (status.conditions ?? []).filter((c) => c && typeof c.type === 'string');
  const cond = (t: string) => conditions.find((c) => c.type === t);
  const predictor = o.spec?.predictor ?? {};
  const model = (predictor.model ?? {}) as { modelFormat?: { name?: string }; runtime?: string; storageUri?: string; protocolVersion?: string; resources?: { limits?: Record<string, unknown> } };
  // Older predictor forms (`sklearn: {storageUri}`…) are still accepted by KServe.
  const legacy = ['sklearn', 'xgboost', 'lightgbm', 'tensorflow', 'pytorch', 'onnx', 'triton', 'huggingface', 'paddle', 'pmml'].find((k) => predictor[k] && typeof predictor[k] === 'object');
  const legacyBlock = legacy ? (predictor[legacy] as { storageUri?: string; runtime?: string; protocolVersion?: string; resources?: { limits?: Record<string, unknown> } }) : undefined;
  const comp = status.components?.predictor ?? {};
  const ready = cond('Ready')?.status === 'True';
  const generation = num(o.metadata.generation);
  const stale = generation !== undefined && status.observedGeneration !== undefined && status.observedGeneration < generation;

  const reasons: string[] = [];
  const failure = status.modelStatus?.lastFailureInfo;
  if (failure?.reason || failure?.message) reasons.push([failure.reason, failure.message].filter(Boolean).join(': '));
  for (const c of conditions) {
    if (c.type === 'Ready' || c.status === 'True') continue;
    const why = [c.reason, c.message].filter(Boolean).join(': ');
    if (why) reasons.push(`${c.type}: ${why}`);
  }
  const readyCond = cond('Ready');
  if (!ready && reasons.length === 0 && readyCond && (readyCond.reason || readyCond.message)) reasons.push([readyCond.reason, readyCond.message].filter(Boolean).join(': '));

  const standardCanaries = standardCanariesOf(o, status);
  const predictorName = typeof predictor.name === 'string' && predictor.name ? predictor.name : undefined;
  const traffic = standardCanaries.length ? standardSplit(standardCanaries, predictorName) : trafficSplit(comp.traffic, ready);
  const canaryPercent = num(predictor.canaryTrafficPercent);
  const canary = standardCanaries.length > 0 || !!(traffic.latest && traffic.previous && traffic.previous.percent > 0 && traffic.latest.percent < 100);

  let phase: IsvcPhase;
  const transition = status.modelStatus?.transitionStatus;
  if (transition === 'BlockedByFailedLoad' || transition === 'InvalidSpec' || status.modelStatus?.states?.activeModelState === 'FailedToLoad') phase = 'Failed';
  else if (ready) phase = comp.latestCreatedRevision && comp.latestReadyRevision && comp.latestCreatedRevision !== comp.latestReadyRevision ? 'Updating' : 'Ready';
  else if (readyCond?.status === 'False' && conditions.some((c) => c.type !== 'Ready' && c.status === 'False')) phase = 'NotReady';
  else phase = 'Pending';

  const limits = model.resources?.limits ?? legacyBlock?.resources?.limits ?? {};
  const labels = o.metadata.labels ?? {};
  const annotations = o.metadata.annotations ?? {};
  const registry = labels[MR_LABELS.registeredModelId] || labels[MR_LABELS.modelVersionId]
    ? {
      ...(labels[MR_LABELS.registeredModelId] ? { registeredModelId: labels[MR_LABELS.registeredModelId] } : {}),
      ...(labels[MR_LABELS.modelVersionId] ? { modelVersionId: labels[MR_LABELS.modelVersionId] } : {}),
      ...(annotations[MR_ANNOTATIONS.modelName] ? { modelName: annotations[MR_ANNOTATIONS.modelName] } : {}),
      ...(annotations[MR_ANNOTATIONS.versionName] ? { versionName: annotations[MR_ANNOTATIONS.versionName] } : {}),
      ...(labels[MR_LABELS.registryName] ? { registryName: labels[MR_LABELS.registryName] } : {}),
    }
    : undefined;
  const created = Date.parse(String(o.metadata.creationTimestamp ?? ''));
  const deploymentMode = status.deploymentMode || annotations[DEPLOYMENT_MODE_ANNOTATION] || 'Serverless';
  return {
    name: o.metadata.name,
    namespace: o.metadata.namespace ?? '',
    uid: String(o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`),
    ...(Number.isFinite(created) ? { createdAt: created } : {}),
    phase,
    ready,
    reasons,
    ...(status.url ? { url: status.url } : {}),
    ...(status.address?.url ? { internalUrl: status.address.url } : {}),
    ...(model.modelFormat?.name ?? legacy ? { modelFormat: model.modelFormat?.name ?? legacy } : {}),
    ...(model.runtime ?? legacyBlock?.runtime ? { runtime: model.runtime ?? legacyBlock?.runtime } : {}),
    ...(model.storageUri ?? legacyBlock?.storageUri ? { storageUri: model.storageUri ?? legacyBlock?.storageUri } : {}),
    ...(model.protocolVersion ?? legacyBlock?.protocolVersion ? { protocolVersion: model.protocolVersion ?? legacyBlock?.protocolVersion } : {}),
    gpus: Number(limits[GPU_RESOURCE] ?? 0) || 0,
    ...(num(predictor.minReplicas) !== undefined ? { minReplicas: num(predictor.minReplicas) } : {}),
    ...(num(predictor.maxReplicas) !== undefined ? { maxReplicas: num(predictor.maxReplicas) } : {}),
    ...(canaryPercent !== undefined ? { canaryTrafficPercent: canaryPercent } : {}),
    traffic,
    canary,
    ...(predictorName ? { predictorName } : {}),
    standardCanaries,
    ...(comp.latestCreatedRevision ? { latestCreatedRevision: comp.latestCreatedRevision } : {}),
    ...(comp.latestReadyRevision ? { latestReadyRevision: comp.latestReadyRevision } : {}),
    ...(comp.previousRolledoutRevision ? { previousRolledoutRevision: comp.previousRolledoutRevision } : {}),
    ...(status.modelStatus?.states?.activeModelState ? { modelState: status.modelStatus.states.activeModelState } : {}),
    deploymentMode,
    rawDeployment: isRawDeployment(deploymentMode),
    conditions,
    ...(registry ? { registry } : {}),
    stale,
  };
}

function standardCanariesOf(o: InferenceServiceObject, status: IsvcStatus): StandardCanary[] {
  const list = (o.spec as { canary?: unknown }).canary;
  if (!Array.isArray(list)) return [];
  const out: StandardCanary[] = [];
  for (const c of list as Array<{ predictor?: { name?: unknown; model?: { storageUri?: unknown; modelFormat?: { name?: unknown } } }; trafficPercent?: unknown }>) {
    const name = c?.predictor?.name;
    if (typeof name !== 'string' || !name) continue;
    const reported = (status.canaryStatuses ?? []).find((x) => x?.name === name);
    const model = c.predictor?.model;
    out.push({
      name,
      trafficPercent: num(c.trafficPercent) ?? 0,
      ready: reported?.ready === true,
      ...(typeof model?.storageUri === 'string' ? { storageUri: model.storageUri } : {}),
      ...(typeof model?.modelFormat?.name === 'string' ? { modelFormat: model.modelFormat.name } : {}),
    });
  }
  return out;
}

/** The split of a Standard-mode service: the canaries' shares as `latest`, the stable predictor's rest as `previous`. */
function standardSplit(canaries: StandardCanary[], stable: string | undefined): TrafficSplit {
  const share = canaries.reduce((a, c) => a + c.trafficPercent, 0);
  return { latest: { revision: canaries[0]!.name, percent: share }, previous: { ...(stable ? { revision: stable } : {}), percent: Math.max(0, 100 - share) } };
}

/** KServe's plain-Deployment mode, by its old name (`RawDeployment`, still accepted) or its new one (`Standard`). */
export function isRawDeployment(mode: string | undefined): boolean {
  return mode === 'RawDeployment' || mode === 'Standard';
}

/** What a user is told when asking for a canary share on a service in RawDeployment mode whose KServe (< 0.20) has no Standard canaries. */
export function rawCanaryMessage(name: string): string {
  return `${name} runs in RawDeployment mode (plain Deployments, no Knative revisions) and this cluster's KServe (before 0.20: its InferenceService has no spec.canary) cannot split its traffic. An update replaces its pods with a rolling update; for a canary, upgrade KServe to 0.20 (Standard-mode canaries) or deploy to an InferenceService in Serverless mode (Knative).`;
}

/** How long the product waits for KServe to report on a spec before it says the controller seems not to run. */
export const CONTROLLER_SILENCE_MS = 45_000;

/**
 * Why KServe seems not to be running, when the service has had no status for the current spec for
 * CONTROLLER_SILENCE_MS since `sinceMs` (its creation, or the update the user applied); undefined otherwise.
 */
export function controllerSilence(o: InferenceServiceObject, sinceMs: number, now = Date.now()): string | undefined {
  const status = (o.status ?? {}) as IsvcStatus;
  const generation = num(o.metadata.generation) ?? 1;
  const observed = num(status.observedGeneration);
  const reported = (status.conditions ?? []).length > 0 && (observed === undefined || observed >= generation);
  if (reported || now - sinceMs < CONTROLLER_SILENCE_MS) return undefined;
  const what = (status.conditions ?? []).length === 0 ? 'it has no status at all' : `its status is still the one of generation ${observed}, the spec is at ${generation}`;
  return `KServe has not reported on ${o.metadata.name} for ${Math.round((now - sinceMs) / 1000)} s (${what}): the KServe controller (kserve-controller-manager) does not seem to be running in this cluster. Check it with: kubectl get pods -n kserve`;
}

/** Latest vs previous from the predictor's traffic targets; a ready service with no targets sends all to latest. */
export function trafficSplit(targets: TrafficTarget[] | undefined, ready: boolean): TrafficSplit {
  const out: TrafficSplit = {};
  const list = (targets ?? []).filter((t) => t && typeof t === 'object');
  const pick = (t: TrafficTarget) => ({ ...(t.revisionName ? { revision: t.revisionName } : {}), percent: num(t.percent) ?? 0, ...(t.tag ? { tag: t.tag } : {}), ...(t.url ? { url: t.url } : {}) });
  const latest = list.filter((t) => t.latestRevision);
  const previous = list.filter((t) => !t.latestRevision);
  if (latest.length) out.latest = { ...pick(latest[0]!), percent: latest.reduce((a, t) => a + (num(t.percent) ?? 0), 0) };
  if (previous.length) out.previous = { ...pick(previous[0]!), percent: previous.reduce((a, t) => a + (num(t.percent) ?? 0), 0) };
  if (!list.length && ready) out.latest = { percent: 100 };
  return out;
}

/** "Ready · 90% previous / 10% latest" etc., for the view's description. */
export function describeTraffic(t: TrafficSplit): string | undefined {
  if (t.latest && t.previous && t.previous.percent > 0) return `${t.latest.percent}% latest / ${t.previous.percent}% previous`;
  return undefined;
}

/** The selector of the predictor's pods (Serverless and RawDeployment both label them so). */
export function predictorSelector(name: string, revision?: string): string {
  return `serving.kserve.io/inferenceservice=${name},component=predictor${revision ? `,serving.knative.dev/revision=${revision}` : ''}`;
}

/** The path of a test request: KServe's v1 (`:predict`) or Open Inference Protocol v2 (`/infer`). */
export function inferencePath(model: string, protocol: string | undefined): string {
  return protocol === 'v2' || protocol === 'grpc-v2' ? `/v2/models/${encodeURIComponent(model)}/infer` : `/v1/models/${encodeURIComponent(model)}:predict`;
}

/** Short text of a phase and why, e.g. `NotReady — PredictorReady: RevisionMissing: …`. */
export function describePhase(s: IsvcSummary): string {
  return s.reasons.length && !s.ready ? `${s.phase} — ${s.reasons[0]}` : s.phase;
}
