/**
 * Builds KServe `InferenceService` objects (serving.kserve.io/v1beta1) from what the deploy form asks: model format
 * and runtime, storage URI, CPU/memory/GPU, min/max replicas, and for an existing service the canary share of a new
 * revision. Pure: the extension applies the result (dry run first). Labels link the service back to the Model
 * Registry version it serves (the keys the Model Registry's InferenceService controller reads).
 */
import { formatInfo } from './formats';
import { checkStorageUri } from './storageUri';

export const ISVC_GROUP = 'serving.kserve.io';
export const ISVC_VERSION = 'v1beta1';
export const ISVC_API_VERSION = `${ISVC_GROUP}/${ISVC_VERSION}`;
export const ISVC_PLURAL = 'inferenceservices';
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Labels and annotations that tie a deployment to the registry. */
export const MR_LABELS = {
  registeredModelId: 'modelregistry.kubeflow.org/registered-model-id',
  modelVersionId: 'modelregistry.kubeflow.org/model-version-id',
  registryName: 'modelregistry.kubeflow.org/name',
  registryNamespace: 'modelregistry.kubeflow.org/namespace',
} as const;
export const MR_ANNOTATIONS = {
  modelName: 'modelregistry.kubeflow.org/model-name',
  versionName: 'modelregistry.kubeflow.org/version-name',
} as const;
export const DEPLOYMENT_MODE_ANNOTATION = 'serving.kserve.io/deploymentMode';

export interface RegistryLink {
  registeredModelId: string;
  modelVersionId: string;
  modelName: string;
  versionName: string;
  /** The registry's Service name and namespace (empty for a URL-configured registry). */
  registryName?: string;
  registryNamespace?: string;
}

export interface DeploySpec {
  name: string;
  namespace: string;
  modelFormat: string;
  modelFormatVersion?: string;
  /** A ServingRuntime / ClusterServingRuntime; empty lets KServe choose. */
  runtime?: string;
  protocolVersion?: 'v1' | 'v2';
  storageUri: string;
  cpu?: string;
  memory?: string;
  gpus?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** Only when updating an existing service: the share of traffic the new revision gets (0–100). */
  canaryTrafficPercent?: number;
  serviceAccountName?: string;
  /** `Serverless` (Knative, the default) or `RawDeployment`; empty keeps the cluster's default. */
  deploymentMode?: '' | 'Serverless' | 'RawDeployment';
  registry?: RegistryLink;
}

export interface InferenceServiceObject {
  apiVersion: string;
  kind: 'InferenceService';
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; uid?: string; creationTimestamp?: string; generation?: number; [k: string]: unknown };
  spec: { predictor: Record<string, unknown> & { model?: Record<string, unknown>; canaryTrafficPercent?: number; minReplicas?: number; maxReplicas?: number } ; [k: string]: unknown };
  status?: unknown;
}

/** A problem with one field of the form. */
export interface SpecProblem {
  field: keyof DeploySpec;
  message: string;
  suggestion?: string;
}

const NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/**
 * What stops the spec from being deployed, field by field. `updating`: the service exists (canary allowed);
 * `existingRaw`: it runs in RawDeployment mode and its KServe has no Standard canaries (< 0.20: no canary share);
 * updating, that and not the form's mode decides.
 */
export function checkDeploySpec(s: DeploySpec, updating = false, existingRaw = false): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!NAME.test(s.name)) out.push({ field: 'name', message: 'A name of lower-case letters, digits and "-", starting with a letter (DNS-1035 label).', ...(NAME.test(s.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')) ? { suggestion: s.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-') } : {}) });
  else if (s.name.length > 45) out.push({ field: 'name', message: `At most 45 characters: KServe derives "${s.name}-predictor-…" host and revision names that must fit in 63.` });
  if (!s.namespace) out.push({ field: 'namespace', message: 'A namespace is required.' });
  if (!s.modelFormat.trim()) out.push({ field: 'modelFormat', message: 'The model format (sklearn, xgboost, onnx, pytorch, tensorflow, huggingface…) tells KServe which runtime can serve it.' });
  const uri = checkStorageUri(s.storageUri);
  if (!uri.ok) out.push({ field: 'storageUri', message: uri.message, ...(uri.suggestion ? { suggestion: uri.suggestion } : {}) });
  if (s.cpu && !QUANTITY.test(s.cpu)) out.push({ field: 'cpu', message: `"${s.cpu}" is not a CPU quantity (e.g. 1, 500m, 2.5).` });
  if (s.memory && !QUANTITY.test(s.memory)) out.push({ field: 'memory', message: `"${s.memory}" is not a memory quantity (e.g. 2Gi, 512Mi).` });
  if (s.memory && /^\d+(\.\d+)?$/.test(s.memory) && Number(s.memory) < 1024 * 1024) out.push({ field: 'memory', message: `"${s.memory}" is ${s.memory} bytes: add a unit (${s.memory}Gi or ${s.memory}Mi).`, suggestion: `${s.memory}Gi` });
  if (s.gpus !== undefined && (!Number.isInteger(s.gpus) || s.gpus < 0)) out.push({ field: 'gpus', message: 'GPUs: a whole number, 0 or more.' });
  if (s.minReplicas !== undefined && (!Number.isInteger(s.minReplicas) || s.minReplicas < 0)) out.push({ field: 'minReplicas', message: 'Min replicas: a whole number, 0 (scale to zero) or more.' });
  if (s.maxReplicas !== undefined && (!Number.isInteger(s.maxReplicas) || s.maxReplicas < 0)) out.push({ field: 'maxReplicas', message: 'Max replicas: a whole number, 0 (no limit) or more.' });
  if (s.minReplicas !== undefined && s.maxReplicas !== undefined && s.maxReplicas > 0 && s.minReplicas > s.maxReplicas) out.push({ field: 'maxReplicas', message: `Max replicas (${s.maxReplicas}) is below min replicas (${s.minReplicas}).` });
  if (s.canaryTrafficPercent !== undefined) {
    if (!updating) out.push({ field: 'canaryTrafficPercent', message: 'A canary share applies when updating an existing InferenceService: a new one takes all traffic.' });
    else if (!Number.isInteger(s.canaryTrafficPercent) || s.canaryTrafficPercent < 0 || s.canaryTrafficPercent > 100) out.push({ field: 'canaryTrafficPercent', message: 'Canary traffic: a whole percentage from 0 to 100.' });
  }
  if (((s.deploymentMode === 'RawDeployment' && !updating) || existingRaw) && s.canaryTrafficPercent !== undefined && s.canaryTrafficPercent < 100) out.push({ field: 'canaryTrafficPercent', message: `Canary traffic splitting needs Serverless mode (Knative)${existingRaw ? `: ${s.name} runs in RawDeployment mode, where` : '; in RawDeployment mode'} an update replaces the pods with a rolling update. Leave it empty.` });
  return out;
}

/** The predictor `model` block and replica settings of a spec. */
function predictorOf(s: DeploySpec): Record<string, unknown> {
  const requests: Record<string, string> = {};
  const limits: Record<string, string | number> = {};
  if (s.cpu) {
    requests.cpu = s.cpu;
    limits.cpu = s.cpu;
  }
  if (s.memory) {
    requests.memory = s.memory;
    limits.memory = s.memory;
  }
  if (s.gpus) {
    // Extended resources: the request must equal the limit, so the limit alone is enough.
    limits[GPU_RESOURCE] = String(s.gpus);
  }
  // KServe picks a runtime by format and protocol (v1 when unset); the runtimes of some formats speak only v2
  // (kserve-tritonserver for onnx, kserve-mlserver for mlflow): without it the controller finds none.
  const protocol = s.protocolVersion ?? (formatInfo(s.modelFormat)?.protocol === 'v2' ? 'v2' : undefined);
  const model: Record<string, unknown> = {
    modelFormat: { name: s.modelFormat.trim(), ...(s.modelFormatVersion?.trim() ? { version: s.modelFormatVersion.trim() } : {}) },
    ...(s.runtime?.trim() ? { runtime: s.runtime.trim() } : {}),
    ...(protocol ? { protocolVersion: protocol } : {}),
    storageUri: s.storageUri.trim(),
    ...(Object.keys(requests).length || Object.keys(limits).length ? { resources: { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) } } : {}),
  };
  return {
    ...(s.minReplicas !== undefined ? { minReplicas: s.minReplicas } : {}),
    ...(s.maxReplicas !== undefined ? { maxReplicas: s.maxReplicas } : {}),
    ...(s.serviceAccountName?.trim() ? { serviceAccountName: s.serviceAccountName.trim() } : {}),
    model,
  };
}

function linkMetadata(s: DeploySpec): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const r = s.registry;
  if (r) {
    labels[MR_LABELS.registeredModelId] = r.registeredModelId;
    labels[MR_LABELS.modelVersionId] = r.modelVersionId;
    if (r.registryName) labels[MR_LABELS.registryName] = r.registryName;
    if (r.registryNamespace) labels[MR_LABELS.registryNamespace] = r.registryNamespace;
    annotations[MR_ANNOTATIONS.modelName] = r.modelName;
    annotations[MR_ANNOTATIONS.versionName] = r.versionName;
  }
  if (s.deploymentMode) annotations[DEPLOYMENT_MODE_ANNOTATION] = s.deploymentMode;
  return { labels, annotations };
}

/** A new InferenceService. */
export function buildInferenceService(s: DeploySpec): InferenceServiceObject {
  const { labels, annotations } = linkMetadata(s);
  return {
    apiVersion: ISVC_API_VERSION,
    kind: 'InferenceService',
    metadata: { name: s.name, namespace: s.namespace, ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { predictor: predictorOf(s) },
  };
}

/**
 * The JSON merge patch that rolls an existing service to the spec: a new predictor revision, which gets
 * `canaryTrafficPercent` of the traffic while the previous one keeps the rest (absent or 100: all traffic moves).
 * Fields the form does not own (other predictor settings, transformers, explainers) are left as they are.
 */
export function updatePatch(existing: InferenceServiceObject, s: DeploySpec): Record<string, unknown> {
  const { labels, annotations } = linkMetadata(s);
  const predictor = predictorOf(s);
  const oldModel = (existing.spec?.predictor?.model ?? {}) as Record<string, unknown>;
  const model = predictor.model as Record<string, unknown>;
  // Keys of the old model block the form manages but the new spec leaves out are removed (null in a merge patch).
  for (const k of ['runtime', 'protocolVersion', 'resources']) if (oldModel[k] !== undefined && model[k] === undefined) model[k] = null;
  const oldPred = existing.spec?.predictor ?? {};
  for (const k of ['minReplicas', 'maxReplicas']) if (oldPred[k] !== undefined && predictor[k] === undefined) predictor[k] = null;
  predictor.canaryTrafficPercent = s.canaryTrafficPercent === undefined || s.canaryTrafficPercent >= 100 ? null : s.canaryTrafficPercent;
  return {
    metadata: { ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { predictor },
  };
}

/** RFC 7386 JSON merge patch, applied locally (the preview of an update shows the object the cluster will hold). */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out as T;
}

/** The object as a user wants to read it: no status, no server-managed metadata. */
export function forDisplay(o: InferenceServiceObject): InferenceServiceObject {
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, selfLink: _s, finalizers: _f, ...metadata } = o.metadata as Record<string, unknown>;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: metadata as InferenceServiceObject['metadata'], spec: o.spec };
}

/** The deploy form's values for an existing service (so "update" starts from what runs). */
export function specOf(o: InferenceServiceObject): Partial<DeploySpec> {
  const p = o.spec?.predictor ?? {};
  const m = (p.model ?? {}) as { modelFormat?: { name?: string; version?: string }; runtime?: string; protocolVersion?: 'v1' | 'v2'; storageUri?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string | number> } };
  const limits = m.resources?.limits ?? {};
  const requests = m.resources?.requests ?? {};
  const gpus = Number(limits[GPU_RESOURCE] ?? 0);
  const mode = o.metadata.annotations?.[DEPLOYMENT_MODE_ANNOTATION];
  return {
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    ...(m.modelFormat?.name ? { modelFormat: m.modelFormat.name } : {}),
    ...(m.modelFormat?.version ? { modelFormatVersion: m.modelFormat.version } : {}),
    ...(m.runtime ? { runtime: m.runtime } : {}),
    ...(m.protocolVersion ? { protocolVersion: m.protocolVersion } : {}),
    ...(m.storageUri ? { storageUri: m.storageUri } : {}),
    ...(requests.cpu ?? limits.cpu ? { cpu: String(requests.cpu ?? limits.cpu) } : {}),
    ...(requests.memory ?? limits.memory ? { memory: String(requests.memory ?? limits.memory) } : {}),
    ...(gpus ? { gpus } : {}),
    ...(typeof p.minReplicas === 'number' ? { minReplicas: p.minReplicas } : {}),
    ...(typeof p.maxReplicas === 'number' ? { maxReplicas: p.maxReplicas } : {}),
    ...(typeof p.serviceAccountName === 'string' ? { serviceAccountName: p.serviceAccountName } : {}),
    ...(mode === 'Serverless' || mode === 'RawDeployment' ? { deploymentMode: mode } : {}),
  };
}

/** A name for a new service from a model and version name: lower-case, DNS-1035, ≤ 45 characters. */
export function serviceName(model: string, version?: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  let n = clean(version ? `${model}-${version}` : model);
  if (!/^[a-z]/.test(n)) n = `m-${n}`;
  return n.slice(0, 45).replace(/-+$/, '') || 'model';
}

/** The form field an API field path is about (`spec.predictor.model.storageUri` → storageUri), for dry-run errors. */
export function formFieldOf(path: string): keyof DeploySpec | undefined {
  const p = path.replace(/^\./, '').replace(/\[([^\]]+)\]/g, '.$1');
  if (/^metadata\.name$/.test(p)) return 'name';
  if (/^metadata\.namespace$/.test(p)) return 'namespace';
  if (!p.startsWith('spec.predictor')) return undefined;
  const rest = p.slice('spec.predictor'.length).replace(/^\.model/, '');
  if (/nvidia\.com\/gpu/.test(rest)) return 'gpus';
  if (/^\.resources\.(limits|requests)\.cpu/.test(rest)) return 'cpu';
  if (/^\.resources\.(limits|requests)\.memory/.test(rest)) return 'memory';
  if (/^\.modelFormat\.version/.test(rest)) return 'modelFormatVersion';
  if (/^\.modelFormat/.test(rest)) return 'modelFormat';
  const direct: Record<string, keyof DeploySpec> = { storageUri: 'storageUri', runtime: 'runtime', protocolVersion: 'protocolVersion', minReplicas: 'minReplicas', maxReplicas: 'maxReplicas', canaryTrafficPercent: 'canaryTrafficPercent', serviceAccountName: 'serviceAccountName' };
  const key = /^\.([A-Za-z]+)/.exec(rest)?.[1];
  return key ? direct[key] : undefined;
}
