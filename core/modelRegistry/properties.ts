/**
 * Reading what the registry stores for people: custom property values as text, labels (the registry UI stores a
 * label as a string property with an empty value), epoch times, and where a version came from (lineage: the pipeline
 * run recorded on its model artifact, a Katib trial, an MR experiment run).
 */
import type { Artifact, CustomProperties, MetadataValue, ModelArtifact, ModelVersion, RegisteredModel } from './types';

/** A property value as text (struct and proto values are base64 bytes: shown as such). */
export function propertyText(v: MetadataValue): string {
  switch (v.metadataType) {
    case 'MetadataStringValue':
      return v.string_value;
    case 'MetadataDoubleValue':
      return Number.isInteger(v.double_value) ? v.double_value.toFixed(1) : String(v.double_value);
    case 'MetadataIntValue':
      return v.int_value;
    case 'MetadataBoolValue':
      return String(v.bool_value);
    case 'MetadataStructValue':
      return `struct (${v.struct_value.length} base64 chars)`;
    case 'MetadataProtoValue':
      return `${v.type} (${v.proto_value.length} base64 chars)`;
    default:
      return JSON.stringify(v);
  }
}

/** Labels (string properties with an empty value) and the other properties, as text, sorted by key. */
export function splitProperties(p: CustomProperties | undefined): { labels: string[]; properties: Array<{ key: string; value: string; type: string }> } {
  const labels: string[] = [];
  const properties: Array<{ key: string; value: string; type: string }> = [];
  for (const [key, v] of Object.entries(p ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!v || typeof v !== 'object') continue;
    if (v.metadataType === 'MetadataStringValue' && v.string_value === '') labels.push(key);
    else properties.push({ key, value: propertyText(v), type: v.metadataType.replace(/^Metadata|Value$/g, '').toLowerCase() });
  }
  return { labels, properties };
}

/** A string property, from the form the user typed: numbers stay strings (what they typed is what they get). */
export function stringProperty(value: string): MetadataValue {
  return { metadataType: 'MetadataStringValue', string_value: value };
}

/** `1716800000000` (ms, string) → ISO time, or undefined. */
export function epochTime(ms: string | undefined): string | undefined {
  const n = Number(ms);
  return ms && Number.isFinite(n) && n > 0 ? new Date(n).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

/** "3 days ago" style age of an epoch-ms string. */
export function age(ms: string | undefined, now = Date.now()): string | undefined {
  const n = Number(ms);
  if (!ms || !Number.isFinite(n) || n <= 0) return undefined;
  const s = Math.max(0, Math.round((now - n) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

export type LineageStep =
  /** A Kubeflow Pipelines run (the model artifact's `modelSource*` fields, or KFP custom properties). */
  | { kind: 'pipelineRun'; runId: string; runName?: string; namespace?: string; pipeline?: string; source: string }
  /** A Katib trial ("Register Best Trial's Model" records these). */
  | { kind: 'katibTrial'; experiment: string; trial: string; namespace?: string }
  /** The registry's own experiment tracking. */
  | { kind: 'experimentRun'; experimentId?: string; experimentRunId: string }
  /** Another recorded source (`modelSourceKind` the editor does not know). */
  | { kind: 'source'; text: string };

const str = (p: CustomProperties | undefined, ...keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = p?.[k];
    if (v?.metadataType === 'MetadataStringValue' && v.string_value) return v.string_value;
  }
  return undefined;
};

/**
 * Where a version came from, as recorded. The spec's own fields first (`modelSourceKind` `kfp` / class
 * `pipelinerun` / group = namespace / id = run id / name = run name), then the custom properties KFP and Katib flows
 * write (`kfp.run_id`, `pipeline_run_id`, `katib.trial`), then MR experiment runs.
 */
export function lineageOf(version: ModelVersion, artifacts: Artifact[], model?: RegisteredModel): LineageStep[] {
  const out: LineageStep[] = [];
  const seen = new Set<string>();
  const push = (s: LineageStep): void => {
    if (s.kind === 'pipelineRun') {
      // The same run recorded twice (artifact source and KFP properties): one step with what both know.
      const same = out.find((x): x is Extract<LineageStep, { kind: 'pipelineRun' }> => x.kind === 'pipelineRun' && x.runId === s.runId);
      if (same) {
        same.runName ??= s.runName;
        same.namespace ??= s.namespace;
        same.pipeline ??= s.pipeline;
        return;
      }
    }
    const key = JSON.stringify(s);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(s);
  };
  for (const a of artifacts) {
    if (a.artifactType === 'model-artifact') {
      const m = a as ModelArtifact;
      const kind = m.modelSourceKind?.toLowerCase();
      if (m.modelSourceId && (kind === 'kfp' || kind === 'pipelines' || kind === 'kubeflow-pipelines' || m.modelSourceClass?.toLowerCase() === 'pipelinerun')) {
        push({ kind: 'pipelineRun', runId: m.modelSourceId, ...(m.modelSourceName ? { runName: m.modelSourceName } : {}), ...(m.modelSourceGroup ? { namespace: m.modelSourceGroup } : {}), source: 'model artifact source' });
      } else if (m.modelSourceKind || m.modelSourceName) {
        push({ kind: 'source', text: [m.modelSourceKind, m.modelSourceClass, m.modelSourceGroup, m.modelSourceName ?? m.modelSourceId].filter(Boolean).join(' / ') });
      }
    }
    if (a.experimentRunId) push({ kind: 'experimentRun', experimentRunId: a.experimentRunId, ...(a.experimentId ? { experimentId: a.experimentId } : {}) });
  }
  for (const p of [version.customProperties, ...artifacts.map((a) => a.customProperties), model?.customProperties]) {
    const runId = str(p, 'kfp.run_id', 'kfp_run_id', 'pipeline_run_id', 'pipeline.run_id', 'run_id');
    if (runId) push({ kind: 'pipelineRun', runId, ...(str(p, 'kfp.run_name', 'pipeline_run_name', 'run_name') ? { runName: str(p, 'kfp.run_name', 'pipeline_run_name', 'run_name')! } : {}), ...(str(p, 'kfp.namespace', 'namespace') ? { namespace: str(p, 'kfp.namespace', 'namespace')! } : {}), ...(str(p, 'kfp.pipeline_name', 'pipeline_name', 'kfp.name') ? { pipeline: str(p, 'kfp.pipeline_name', 'pipeline_name', 'kfp.name')! } : {}), source: 'custom properties' });
    const trial = str(p, 'katib.trial');
    const experiment = str(p, 'katib.experiment');
    if (trial && experiment) push({ kind: 'katibTrial', experiment, trial, ...(str(p, 'katib.namespace') ? { namespace: str(p, 'katib.namespace')! } : {}) });
  }
  return out;
}

export function describeLineage(s: LineageStep): string {
  switch (s.kind) {
    case 'pipelineRun':
      return `Pipeline run ${s.runName ? `${s.runName} (${s.runId})` : s.runId}${s.pipeline ? ` of ${s.pipeline}` : ''}${s.namespace ? ` in ${s.namespace}` : ''}`;
    case 'katibTrial':
      return `Katib trial ${s.trial} of experiment ${s.experiment}${s.namespace ? ` in ${s.namespace}` : ''}`;
    case 'experimentRun':
      return `Experiment run ${s.experimentRunId}${s.experimentId ? ` (experiment ${s.experimentId})` : ''}`;
    case 'source':
      return `Source: ${s.text}`;
  }
}
