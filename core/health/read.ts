/**
 * Reads the SLIs of an endpoint or of a training job's GPUs from Prometheus, at most one query per SLI per refresh
 * (an SLI's query answers for every revision or pod at once; its chart and its current value come from the same range
 * query). A query that errors or returns nothing becomes a `problem` on that SLI, saying which query and, when the
 * metric exists with other labels, which labels it has and the setting to change: the other SLIs still show.
 * VS Code-free; the Endpoints and Training views and the integration tests use it.
 */
import { summarizeGpu, type JobGpu } from './gpu';
import { PrometheusClient, type Series } from './prometheus';
import { endpointSlis, gpuSlis, metricNames, render, withOverride, type EndpointMode, type QueryOverrides, type SliDef, type SliId, type SliVars } from './sli';

export const SETTING = 'kubeflow.health.queries';

export interface SliReading {
  def: SliDef;
  /** Per revision (Serverless; key = revision name), or `''` for the whole endpoint. */
  values: Record<string, number>;
  /** Per revision (or `''`), over the chart's range; absent for instant-only SLIs. */
  series: Record<string, Array<{ time: number; value: number }>>;
  /** Why there is no value: the query failed, or returned nothing (with what was found instead). */
  problem?: string;
}

export interface EndpointHealthInput {
  namespace: string;
  service: string;
  mode: EndpointMode;
  /** Serverless: the revisions to read (the default one and the canary). */
  revisions?: string[];
  /** RawDeployment: the predictor's pods. */
  pods?: string[];
  /**
   * RawDeployment with KServe 0.20 Standard-mode canaries: the pods of each predictor (the stable one and each
   * canary, by predictor name). Each SLI is then read once per predictor, keyed by its name, as Serverless revisions
   * are (the model server's series carry no predictor label, only the pod).
   */
  podGroups?: Record<string, string[]>;
  /** Rate window, e.g. `5m`. */
  window: string;
  /** Chart range and availability window, seconds. */
  rangeSeconds: number;
  overrides?: QueryOverrides;
  /** Only these SLIs (the Endpoints view's line and the gate need fewer than the panel); default all. */
  slis?: SliId[];
  /** Seconds since the epoch; default now. */
  now?: number;
}

export interface EndpointHealth {
  slis: SliReading[];
  /** Queries sent for this refresh. */
  queries: number;
}

/** Chart SLIs come from a range query (their last point is the current value); the rest from an instant query. */
const INSTANT: SliId[] = ['availability', 'driftPsi'];

export const stepFor = (rangeSeconds: number): number => Math.max(1, Math.round(rangeSeconds / 120));

export async function readEndpointHealth(client: PrometheusClient, o: EndpointHealthInput): Promise<EndpointHealth> {
  const before = client.queries;
  const end = o.now ?? Date.now() / 1000;
  const step = stepFor(o.rangeSeconds);
  const vars: SliVars = { namespace: o.namespace, service: o.service, window: o.window, range: `${Math.max(1, Math.round(o.rangeSeconds))}s`, ...(o.revisions?.length ? { revisions: o.revisions } : {}), ...(o.pods?.length ? { pods: o.pods } : {}) };
  const keyOf = (metric: Record<string, string>, def: SliDef): string => (def.id === 'driftPsi' ? metric.feature ?? '' : o.mode === 'Serverless' ? metric.revision_name ?? '' : '');
  /** One SLI for one set of pods (or every revision at once), its series keyed by `key` or by `keyOf`. */
  const readOne = async (def: SliDef, reading: SliReading, v: SliVars, key?: string): Promise<string | undefined> => {
    let expr: string;
    try {
      expr = render(def.expr!, v);
    } catch (err) {
      reading.problem = (err as Error).message;
      return undefined;
    }
    const at = (metric: Record<string, string>) => (def.id === 'driftPsi' ? metric.feature ?? '' : key ?? keyOf(metric, def));
    try {
      if (INSTANT.includes(def.id)) {
        for (const s of await client.query(expr, end)) if (Number.isFinite(s.value) || Number.isNaN(s.value)) reading.values[at(s.metric)] = s.value;
      } else {
        for (const s of await client.queryRange(expr, end - o.rangeSeconds, end, step)) {
          const k = at(s.metric);
          reading.series[k] = s.points;
          const last = s.points.at(-1);
          if (last) reading.values[k] = last.value;
        }
      }
    } catch (err) {
      reading.problem ??= `${(err as Error).message} — query: ${expr}`;
    }
    return expr;
  };
  const groups = o.mode === 'RawDeployment' && o.podGroups && Object.keys(o.podGroups).length ? Object.entries(o.podGroups) : undefined;
  const slis = await Promise.all(
    endpointSlis(o.mode).filter((d) => !o.slis || o.slis.includes(d.id)).map(async (d): Promise<SliReading> => {
      const def = withOverride(d, o.namespace, o.overrides);
      const reading: SliReading = { def, values: {}, series: {} };
      if (!def.expr) {
        reading.problem = `No default query for ${def.title.toLowerCase()} in ${o.mode} mode (the KServe model server does not count failed requests). Set one in ${SETTING}.${def.id}.`;
        return reading;
      }
      const exprs = groups && def.id !== 'driftPsi'
        ? await Promise.all(groups.filter(([, pods]) => pods.length > 0).map(([key, pods]) => readOne(def, reading, { ...vars, pods }, key)))
        : [await readOne(def, reading, vars)];
      const expr = exprs.find((e) => e !== undefined);
      if (expr && !reading.problem && !Object.keys(reading.values).length) reading.problem = await explainEmpty(client, def, expr);
      return reading;
    }),
  );
  return { slis, queries: client.queries - before };
}

export interface GpuInput {
  namespace: string;
  pods: string[];
  /** The job's start and now (seconds); the range query covers it. */
  start: number;
  end?: number;
  overrides?: QueryOverrides;
  idleThreshold?: number;
}

export interface GpuHealth {
  gpu?: JobGpu;
  problem?: string;
  queries: number;
}

/** GPU utilization and memory of a job's pods over its life: two range queries. */
export async function readJobGpu(client: PrometheusClient, o: GpuInput): Promise<GpuHealth> {
  const before = client.queries;
  const end = o.end ?? Math.floor(Date.now() / 1000);
  const span = Math.max(60, end - o.start);
  const step = stepFor(span);
  const [utilDef, memDef] = gpuSlis().map((d) => withOverride(d, o.namespace, o.overrides)) as [SliDef, SliDef];
  const vars: SliVars = { namespace: o.namespace, pods: o.pods, window: '1m' };
  try {
    const uExpr = render(utilDef.expr!, vars);
    const [util, mem] = await Promise.all([client.queryRange(uExpr, end - span, end, step), client.queryRange(render(memDef.expr!, vars), end - span, end, step).catch((): Series[] => [])]);
    const gpu = summarizeGpu(util, mem, step, o.idleThreshold);
    if (!gpu) return { problem: await explainEmpty(client, utilDef, uExpr), queries: client.queries - before };
    return { gpu, queries: client.queries - before };
  } catch (err) {
    return { problem: (err as Error).message, queries: client.queries - before };
  }
}

/**
 * Why a query returned nothing: the metric does not exist at all (not exported or not scraped), or it exists with
 * other labels (shown, with the setting to change).
 */
async function explainEmpty(client: PrometheusClient, def: SliDef, expr: string): Promise<string> {
  const name = metricNames(expr)[0];
  const fix = `Set ${SETTING}.${def.id} for this namespace if your cluster exports it under other names or labels.`;
  if (!name) return `No data for ${def.title.toLowerCase()} (query: ${expr}). ${fix}`;
  try {
    const any = await client.query(`topk(1, ${name})`);
    if (!any.length) return `Prometheus has no ${name} series: nothing exports or scrapes it. ${fix}`;
    const labels = Object.entries(any[0]!.metric)
      .filter(([k]) => k !== '__name__')
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ');
    return `${name} exists, but no series matches this endpoint's labels (query: ${expr}). One series has {${labels}}. ${fix}`;
  } catch {
    return `No data for ${def.title.toLowerCase()} (query: ${expr}). ${fix}`;
  }
}
