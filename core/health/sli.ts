/**
 * The SLIs the editor shows, each a PromQL expression with a default that fits what Kubeflow clusters export:
 * - endpoints in Serverless mode: Knative's queue-proxy series (`revision_app_request_count`,
 *   `revision_app_request_latencies_bucket`, labels `namespace_name`, `revision_name`, `response_code_class`);
 * - endpoints in RawDeployment mode: the KServe model server's own histogram (`request_predict_seconds_bucket`, labels
 *   `namespace`, `pod`; it counts requests, not failures, so the error rate has no default there);
 * - GPUs: NVIDIA DCGM exporter's `DCGM_FI_DEV_GPU_UTIL` / `DCGM_FI_DEV_FB_USED` with its Kubernetes pod labels
 *   (`namespace`, `pod`, or `exported_namespace`, `exported_pod` when Prometheus renamed them);
 * - drift: a per-feature PSI gauge where a drift service exports one (`feature_drift_psi`, labels `namespace`,
 *   `inference_service`, `feature`).
 * Every default can be replaced per namespace in the settings (`kubeflow.health.queries`). Variables: `$namespace`,
 * `$service`, `$revision`, `$pod` (a regex of pod names), `$window` (the rate window), `$range` (what availability
 * covers). Values are escaped for the
 * place they go (a string literal; a regex), so a hostile name cannot change the query. Pure.
 */
export type SliId =
  | 'requestRate'
  | 'errorRate'
  | 'latencyP50'
  | 'latencyP95'
  | 'latencyP99'
  | 'availability'
  | 'gpuUtil'
  | 'gpuMemory'
  | 'driftPsi';

export type SliUnit = 'req/s' | 'ratio' | 'ms' | '%' | 'MiB' | 'psi';

export interface SliDef {
  id: SliId;
  title: string;
  unit: SliUnit;
  /** Which way is good: a canary is worse when it is further this way's opposite. */
  better: 'lower' | 'higher';
  /** PromQL with `$variables`; undefined = no default in this mode (configure it). */
  expr?: string;
}

export type EndpointMode = 'Serverless' | 'RawDeployment';

const KN = 'namespace_name="$namespace", revision_name=~"$revision"';
/** Per revision (one query answers for the default and the canary revision). */
const knRate = (extra = ''): string => `sum by (revision_name) (rate(revision_app_request_count{${KN}${extra}}[$window]))`;
/** 5xx share; a revision without any 5xx series counts 0, not "no data". */
const knErrors = (range: string): string => {
  const all = `sum by (revision_name) (increase(revision_app_request_count{${KN}}[${range}]))`;
  return `(sum by (revision_name) (increase(revision_app_request_count{${KN}, response_code_class="5xx"}[${range}])) or ${all} * 0) / ${all}`;
};
const knQuantile = (q: number): string => `histogram_quantile(${q}, sum by (le, revision_name) (rate(revision_app_request_latencies_bucket{${KN}}[$window])))`;
const RAW = 'namespace="$namespace", pod=~"$pod"';
const rawQuantile = (q: number): string => `1000 * histogram_quantile(${q}, sum by (le) (rate(request_predict_seconds_bucket{${RAW}}[$window])))`;
const DRIFT: SliDef = { id: 'driftPsi', title: 'Drift (PSI)', unit: 'psi', better: 'lower', expr: 'max by (feature) (feature_drift_psi{namespace="$namespace", inference_service="$service"})' };

const ENDPOINT: Record<EndpointMode, SliDef[]> = {
  Serverless: [
    { id: 'requestRate', title: 'Requests', unit: 'req/s', better: 'higher', expr: knRate() },
    { id: 'errorRate', title: 'Errors', unit: 'ratio', better: 'lower', expr: knErrors('$window') },
    { id: 'latencyP50', title: 'P50 latency', unit: 'ms', better: 'lower', expr: knQuantile(0.5) },
    { id: 'latencyP95', title: 'P95 latency', unit: 'ms', better: 'lower', expr: knQuantile(0.95) },
    { id: 'latencyP99', title: 'P99 latency', unit: 'ms', better: 'lower', expr: knQuantile(0.99) },
    { id: 'availability', title: 'Availability', unit: 'ratio', better: 'higher', expr: `1 - (${knErrors('$range')})` },
    DRIFT,
  ],
  RawDeployment: [
    { id: 'requestRate', title: 'Requests', unit: 'req/s', better: 'higher', expr: `sum(rate(request_predict_seconds_count{${RAW}}[$window]))` },
    { id: 'errorRate', title: 'Errors', unit: 'ratio', better: 'lower' },
    { id: 'latencyP50', title: 'P50 latency', unit: 'ms', better: 'lower', expr: rawQuantile(0.5) },
    { id: 'latencyP95', title: 'P95 latency', unit: 'ms', better: 'lower', expr: rawQuantile(0.95) },
    { id: 'latencyP99', title: 'P99 latency', unit: 'ms', better: 'lower', expr: rawQuantile(0.99) },
    { id: 'availability', title: 'Availability', unit: 'ratio', better: 'higher' },
    DRIFT,
  ],
};

/** DCGM series under either label spelling, renamed to `pod`/`gpu`, one series per pod and GPU. */
const dcgm = (metric: string): string =>
  `avg by (pod, gpu) (${metric}{namespace="$namespace", pod=~"$pod"} or label_replace(${metric}{exported_namespace="$namespace", exported_pod=~"$pod"}, "pod", "$1", "exported_pod", "(.*)"))`;

const GPU: SliDef[] = [
  { id: 'gpuUtil', title: 'GPU utilization', unit: '%', better: 'higher', expr: dcgm('DCGM_FI_DEV_GPU_UTIL') },
  { id: 'gpuMemory', title: 'GPU memory used', unit: 'MiB', better: 'lower', expr: dcgm('DCGM_FI_DEV_FB_USED') },
];

export function endpointSlis(mode: EndpointMode): SliDef[] {
  return ENDPOINT[mode];
}

export function gpuSlis(): SliDef[] {
  return GPU;
}

/** Overrides from the settings: `{ "<namespace>" | "*": { "<sliId>": "<promql>" } }`; the namespace's own win. */
export type QueryOverrides = Record<string, Partial<Record<SliId, string>>>;

/** The definition with the expression the user configured for this namespace, if any. */
export function withOverride(def: SliDef, namespace: string, overrides: QueryOverrides | undefined): SliDef {
  const own = overrides?.[namespace]?.[def.id] ?? overrides?.['*']?.[def.id];
  return typeof own === 'string' && own.trim() ? { ...def, expr: own.trim() } : def;
}

export interface SliVars {
  namespace: string;
  service?: string;
  /** Revision names (Serverless); several = a regex alternation. Empty = every revision. */
  revisions?: string[];
  /** Pod names; several = a regex alternation. Empty = every pod (`.*`). */
  pods?: string[];
  /** The rate window, a PromQL duration: `5m`. */
  window: string;
  /** What "over the window" SLIs (availability) cover: `1h`, `30d`; default = `window`. */
  range?: string;
}

/** Escaped for a PromQL double-quoted string. */
const inString = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** A RE2 alternation of literal names, escaped for the regex and then for the string around it. */
const alternation = (names: string[] | undefined): string =>
  names && names.length ? inString(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')) : '.*';

const DURATION = /^\d+(ms|s|m|h|d|w|y)$/;

/** The expression with its variables filled in; throws on a malformed window (it comes from settings). */
export function render(expr: string, vars: SliVars): string {
  for (const d of [vars.window, vars.range ?? vars.window]) if (!DURATION.test(d)) throw new Error(`"${d}" is not a PromQL duration (like 5m or 1h)`);
  return expr.replace(/\$(namespace|service|revision|pod|window|range)\b/g, (_m, name: string) => {
    switch (name) {
      case 'namespace':
        return inString(vars.namespace);
      case 'service':
        return inString(vars.service ?? '');
      case 'revision':
        return alternation(vars.revisions);
      case 'pod':
        return alternation(vars.pods);
      case 'range':
        return vars.range ?? vars.window;
      default:
        return vars.window;
    }
  });
}

/** The metric names an expression reads (for the "exists, but with other labels" diagnosis). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const re = /\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    const n = m[1]!;
    if (!['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(n) && !/^(sum|avg|max|min|count|rate|increase|irate|histogram_quantile|label_replace|topk|bottomk|vector)$/.test(n)) names.add(n);
  }
  return [...names];
}

export function formatValue(v: number | undefined, unit: SliUnit): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(v >= 0.999 && v < 1 ? 2 : 1)}%`;
    case '%':
      return `${v.toFixed(0)}%`;
    case 'ms':
      return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
    case 'req/s':
      return `${v < 10 ? v.toFixed(2) : v.toFixed(0)} req/s`;
    case 'MiB':
      return v >= 1024 ? `${(v / 1024).toFixed(1)} GiB` : `${v.toFixed(0)} MiB`;
    default:
      return v.toFixed(3);
  }
}
