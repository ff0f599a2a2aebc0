/**
 * Katib Experiments and Trials as the Experiments view shows them (kubeflow.org/v1beta1), the trial's model
 * artifact, and what registering it in the Model Registry would send. Pure; unit-tested with statuses shaped like
 * katib-controller writes them (values in `observation.metrics` and `parameterAssignments` are strings).
 */
import { lastTrue, ms, type Condition, type JobObject } from '../training/objects';

export type ExperimentPhase = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed';
export type TrialPhase = 'Pending' | 'Created' | 'Running' | 'Succeeded' | 'Killed' | 'Failed' | 'MetricsUnavailable' | 'EarlyStopped';

export interface Metric {
  name: string;
  min?: string;
  max?: string;
  latest?: string;
}

export interface Assignment {
  name: string;
  value: string;
}

export interface ExperimentSummary {
  name: string;
  namespace: string;
  uid: string;
  phase: ExperimentPhase;
  reason?: string;
  message?: string;
  terminal: boolean;
  objective: { type: string; metric: string; goal?: number; additional: string[] };
  algorithm: string;
  counts: { trials: number; pending: number; running: number; succeeded: number; failed: number; killed: number; earlyStopped: number; metricsUnavailable: number };
  maxTrials?: number;
  parallel?: number;
  optimal?: { trial: string; parameters: Assignment[]; metrics: Metric[] };
  /** The objective metric's value in the optimal trial (max for maximize, min for minimize, else latest). */
  best?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Kind of the trials' jobs (`PyTorchJob`, `Job`, `TFJob`…), from the trial template. */
  trialKind?: string;
}

export interface TrialSummary {
  name: string;
  namespace: string;
  experiment: string;
  phase: TrialPhase;
  reason?: string;
  message?: string;
  terminal: boolean;
  parameters: Assignment[];
  metrics: Metric[];
  objective?: number;
  /** The job the trial runs: same name as the trial, kind from its runSpec. */
  jobKind?: string;
  jobApiVersion?: string;
  startedAt?: number;
  finishedAt?: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Which value of a metric stands for the trial: Katib's default strategy is max for maximize, min for minimize. */
export function metricValue(m: Metric | undefined, type: string, strategy?: string): number | undefined {
  if (!m) return undefined;
  const s = strategy ?? (type === 'minimize' ? 'min' : type === 'maximize' ? 'max' : 'latest');
  const raw = (s === 'min' ? m.min : s === 'max' ? m.max : m.latest) ?? m.latest;
  const v = Number(raw);
  // Katib writes "unavailable" when the collector found nothing.
  return raw !== undefined && raw !== '' && Number.isFinite(v) ? v : undefined;
}

function objectiveOf(exp: JobObject): ExperimentSummary['objective'] & { strategy?: string } {
  const o = (exp.spec?.objective ?? {}) as { type?: string; objectiveMetricName?: string; goal?: number; additionalMetricNames?: string[]; metricStrategies?: Array<{ name?: string; value?: string }> };
  const metric = o.objectiveMetricName ?? '';
  const strategy = o.metricStrategies?.find((s) => s.name === metric)?.value;
  return { type: o.type ?? 'maximize', metric, ...(o.goal !== undefined ? { goal: Number(o.goal) } : {}), additional: o.additionalMetricNames ?? [], ...(strategy ? { strategy } : {}) };
}

export function summarizeExperiment(exp: JobObject): ExperimentSummary {
  const st = (exp.status ?? {}) as Record<string, unknown>;
  const conditions = (st.conditions as Condition[] | undefined) ?? [];
  const current = lastTrue(conditions, ['Created', 'Running', 'Restarting', 'Succeeded', 'Failed']);
  const phase = (current?.type ?? 'Created') as ExperimentPhase;
  const objective = objectiveOf(exp);
  const n = (k: string): number => Number(st[k] ?? 0) || 0;
  const opt = st.currentOptimalTrial as { bestTrialName?: string; parameterAssignments?: Assignment[]; observation?: { metrics?: Metric[] } } | undefined;
  const optimal = opt?.bestTrialName ? { trial: opt.bestTrialName, parameters: opt.parameterAssignments ?? [], metrics: opt.observation?.metrics ?? [] } : undefined;
  const best = optimal ? metricValue(optimal.metrics.find((m) => m.name === objective.metric), objective.type, objective.strategy) : undefined;
  const spec = (exp.spec ?? {}) as { algorithm?: { algorithmName?: string }; maxTrialCount?: number; parallelTrialCount?: number; trialTemplate?: { trialSpec?: { kind?: string } } };
  const startedAt = ms(str(st.startTime));
  const finishedAt = ms(str(st.completionTime));
  const { strategy: _strategy, ...objectiveOut } = objective;
  return {
    name: exp.metadata.name,
    namespace: exp.metadata.namespace ?? '',
    uid: exp.metadata.uid ?? exp.metadata.name,
    phase,
    ...(current?.reason ? { reason: current.reason } : {}),
    ...(current?.message ? { message: current.message } : {}),
    terminal: phase === 'Succeeded' || phase === 'Failed',
    objective: objectiveOut,
    algorithm: spec.algorithm?.algorithmName ?? '?',
    counts: {
      trials: n('trials'), pending: n('trialsPending'), running: n('trialsRunning'), succeeded: n('trialsSucceeded'), failed: n('trialsFailed'),
      killed: n('trialsKilled'), earlyStopped: n('trialsEarlyStopped'), metricsUnavailable: n('trialMetricsUnavailable'),
    },
    ...(spec.maxTrialCount !== undefined ? { maxTrials: spec.maxTrialCount } : {}),
    ...(spec.parallelTrialCount !== undefined ? { parallel: spec.parallelTrialCount } : {}),
    ...(optimal ? { optimal } : {}),
    ...(best !== undefined ? { best } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    ...(spec.trialTemplate?.trialSpec?.kind ? { trialKind: spec.trialTemplate.trialSpec.kind } : {}),
  };
}

/** The experiment a trial belongs to: its label, else its controller owner. */
export function experimentOf(trial: JobObject): string | undefined {
  return trial.metadata.labels?.['katib.kubeflow.org/experiment'] ?? trial.metadata.ownerReferences?.find((o) => o.kind === 'Experiment')?.name;
}

export function summarizeTrial(trial: JobObject, exp?: JobObject): TrialSummary {
  const st = (trial.status ?? {}) as { conditions?: Condition[]; observation?: { metrics?: Metric[] }; startTime?: string; completionTime?: string };
  const current = lastTrue(st.conditions, ['Created', 'Running', 'Succeeded', 'Killed', 'Failed', 'MetricsUnavailable', 'EarlyStopped']);
  const phase = (current?.type ?? 'Pending') as TrialPhase;
  const spec = (trial.spec ?? {}) as { parameterAssignments?: Assignment[]; runSpec?: { kind?: string; apiVersion?: string }; objective?: { objectiveMetricName?: string; type?: string; metricStrategies?: Array<{ name?: string; value?: string }> } };
  const obj = exp ? objectiveOf(exp) : { type: spec.objective?.type ?? 'maximize', metric: spec.objective?.objectiveMetricName ?? '', strategy: spec.objective?.metricStrategies?.find((s) => s.name === spec.objective?.objectiveMetricName)?.value };
  const metrics = st.observation?.metrics ?? [];
  const objective = metricValue(metrics.find((m) => m.name === obj.metric), obj.type, obj.strategy);
  const startedAt = ms(st.startTime);
  const finishedAt = ms(st.completionTime);
  return {
    name: trial.metadata.name,
    namespace: trial.metadata.namespace ?? '',
    experiment: experimentOf(trial) ?? '',
    phase,
    ...(current?.reason ? { reason: current.reason } : {}),
    ...(current?.message ? { message: current.message } : {}),
    terminal: ['Succeeded', 'Killed', 'Failed', 'MetricsUnavailable', 'EarlyStopped'].includes(phase),
    parameters: spec.parameterAssignments ?? [],
    metrics,
    ...(objective !== undefined ? { objective } : {}),
    ...(spec.runSpec?.kind ? { jobKind: spec.runSpec.kind } : {}),
    ...(spec.runSpec?.apiVersion ? { jobApiVersion: spec.runSpec.apiVersion } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
  };
}

/** Trials best first (by the objective, in the experiment's direction), then running, pending, failed. */
export function sortTrials(trials: TrialSummary[], type: string): TrialSummary[] {
  const rank = (t: TrialSummary): number => (t.objective !== undefined ? 0 : t.phase === 'Running' ? 1 : t.phase === 'Pending' || t.phase === 'Created' ? 2 : 3);
  return [...trials].sort((a, b) => rank(a) - rank(b) || (a.objective !== undefined && b.objective !== undefined ? (type === 'minimize' ? a.objective - b.objective : b.objective - a.objective) : 0) || a.name.localeCompare(b.name));
}

export interface ModelArtifactRef {
  uri: string;
  /** Where it was found: `annotation kubeflow.org/model-uri`, `env MODEL_URI`, `arg --model-dir`. */
  source: string;
}

const URI = /^(s3|gs|gcs|az|abfss?|hdfs|pvc|oci|hf|https?|file|minio|wasbs?):\/\/\S+/i;
const MODEL_ANNOTATIONS = ['kubeflow.org/model-uri', 'modelregistry.kubeflow.org/model-uri', 'katib.kubeflow.org/model-uri'];
const MODEL_ENV = /^(MODEL_URI|MODEL_DIR|MODEL_PATH|OUTPUT_MODEL_URI|MODEL_OUTPUT_URI|SAVE_MODEL_URI)$/;
const MODEL_ARG = /^--?(model[-_]uri|model[-_]dir|model[-_]path|output[-_]model|save[-_]model[-_](?:dir|path|uri))(?:=(.*))?$/;

/**
 * Where a trial says it wrote its model: an annotation on the trial or its job (`kubeflow.org/model-uri`), an env
 * var (`MODEL_URI`, `MODEL_DIR`…) or an argument (`--model-dir=s3://…`) of its containers, with a URI value. Katib
 * substitutes `${trialSpec.Name}` in the run spec, so these are the trial's own values.
 */
export function modelArtifactOf(trial: JobObject): ModelArtifactRef | undefined {
  const runSpec = ((trial.spec ?? {}) as { runSpec?: Record<string, unknown> }).runSpec;
  const annotations = { ...((runSpec?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}), ...(trial.metadata.annotations ?? {}) };
  for (const key of MODEL_ANNOTATIONS) if (annotations[key] && URI.test(annotations[key]!)) return { uri: annotations[key]!, source: `annotation ${key}` };
  for (const c of containersIn(runSpec)) {
    for (const e of c.env ?? []) if (e.name && MODEL_ENV.test(e.name) && e.value && URI.test(e.value)) return { uri: e.value, source: `env ${e.name}` };
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    for (let i = 0; i < args.length; i++) {
      const m = MODEL_ARG.exec(args[i]!);
      if (!m) continue;
      const v = m[2] ?? args[i + 1];
      if (v && URI.test(v)) return { uri: v, source: `argument ${args[i]!.split('=')[0]}` };
    }
  }
  return undefined;
}

/** Every container in an unstructured job spec (replica specs, pod templates, TrainJob trainer), found by shape. */
function containersIn(o: unknown, depth = 0): Array<{ env?: Array<{ name?: string; value?: string }>; command?: string[]; args?: string[] }> {
  if (!o || typeof o !== 'object' || depth > 12) return [];
  const out: Array<{ env?: Array<{ name?: string; value?: string }>; command?: string[]; args?: string[] }> = [];
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) out.push(...(v as never[]));
    else if (k === 'trainer' && v && typeof v === 'object') out.push(v as never);
    else if (v && typeof v === 'object') out.push(...containersIn(v, depth + 1));
  }
  return out;
}

/** A Model Registry custom property (tagged union, REST v1alpha3). */
export type CustomProperty = { metadataType: 'MetadataStringValue'; string_value: string } | { metadataType: 'MetadataDoubleValue'; double_value: number };

export interface RegistrationPlan {
  registeredModel: { name: string; description: string };
  modelVersion: { name: string; author?: string; description: string; customProperties: Record<string, CustomProperty> };
  modelArtifact: { name: string; uri: string; artifactType: 'model-artifact'; customProperties: Record<string, CustomProperty> };
}

/**
 * What "register the best trial's model" would send to the Model Registry (POST registered_models →
 * registered_models/{id}/versions → model_versions/{id}/artifacts): the experiment names the model, the trial the
 * version; hyperparameters and metrics go along as custom properties.
 */
export function registrationPlan(exp: ExperimentSummary, trial: TrialSummary, artifact: ModelArtifactRef): RegistrationPlan {
  const props: Record<string, CustomProperty> = {
    'katib.experiment': { metadataType: 'MetadataStringValue', string_value: exp.name },
    'katib.trial': { metadataType: 'MetadataStringValue', string_value: trial.name },
    'katib.namespace': { metadataType: 'MetadataStringValue', string_value: trial.namespace || exp.namespace },
  };
  for (const p of trial.parameters) {
    const v = Number(p.value);
    props[`param.${p.name}`] = Number.isFinite(v) && p.value.trim() !== '' ? { metadataType: 'MetadataDoubleValue', double_value: v } : { metadataType: 'MetadataStringValue', string_value: p.value };
  }
  for (const m of trial.metrics) {
    const v = metricValue(m, exp.objective.type, m.name === exp.objective.metric ? undefined : 'latest');
    if (v !== undefined) props[`metric.${m.name}`] = { metadataType: 'MetadataDoubleValue', double_value: v };
  }
  const objective = trial.objective !== undefined ? `${exp.objective.metric} ${trial.objective}` : 'no objective value';
  return {
    registeredModel: { name: exp.name, description: `Best trial of Katib experiment ${exp.namespace}/${exp.name} (${exp.objective.type} ${exp.objective.metric})` },
    modelVersion: { name: trial.name, description: `Katib trial ${trial.name}: ${objective}`, customProperties: props },
    modelArtifact: { name: `${trial.name}-model`, uri: artifact.uri, artifactType: 'model-artifact', customProperties: { source: { metadataType: 'MetadataStringValue', string_value: artifact.source } } },
  };
}
