// A typed client of the Kubeflow Pipelines v2beta1 REST API: pipelines and versions (with the multipart upload),
// experiments, runs, recurring runs, health. It builds requests and reads answers; an `HttpTransport` carries them
// (a daemon port-forward to `ml-pipeline:8888`, a gateway URL, or a test server). Errors are `ApiError` with the
// server's own message, or `UnreachableError` from the transport. Browser-safe: no Node or VS Code imports.
import { ApiError, errorMessage, requestJson, type HttpRequest, type HttpTransport, type QueryValue } from '../http/transport';
import { filterParam, sortBy, type Sort } from './filter';
import type {
  CronSchedule,
  Experiment,
  Filter,
  Healthz,
  Page,
  PeriodicSchedule,
  Pipeline,
  PipelineVersion,
  PipelineVersionReference,
  Predicate,
  RecurringRun,
  Run,
  RuntimeConfig,
} from './types';

export const API = '/apis/v2beta1';

export interface ListOptions {
  /** 1–200; the server's default is 20. */
  pageSize?: number;
  /** The previous page's `nextPageToken`. */
  pageToken?: string;
  sort?: Sort;
  filter?: Filter | Predicate[];
  signal?: AbortSignal;
}

export interface NamespacedListOptions extends ListOptions {
  /** Overrides the client's namespace; '' lists shared resources (pipelines). */
  namespace?: string;
}

export interface RunListOptions extends NamespacedListOptions {
  experimentId?: string;
}

export interface UploadOptions {
  /** The file name sent with the content; the server wants `.yaml`, `.yml` or `.json` for IR. */
  fileName: string;
  content: string | Uint8Array;
  name?: string;
  displayName?: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface CreateRunRequest {
  displayName: string;
  description?: string;
  experimentId?: string;
  /** A stored pipeline version… */
  pipelineVersion?: PipelineVersionReference;
  /** …or the IR inline. */
  pipelineSpec?: Record<string, unknown>;
  runtimeConfig?: RuntimeConfig;
  serviceAccount?: string;
}

export interface CreateRecurringRunRequest extends Omit<CreateRunRequest, 'displayName'> {
  displayName: string;
  trigger: { cron: CronSchedule } | { periodic: PeriodicSchedule };
  /** 1–10. */
  maxConcurrency?: number;
  enabled?: boolean;
  noCatchup?: boolean;
}

export interface KfpClientOptions {
  /** The profile namespace in multi-user mode: lists, experiments and private pipelines use it. */
  namespace?: string;
}

export class KfpClient {
  constructor(
    private readonly transport: HttpTransport,
    private readonly options: KfpClientOptions = {},
  ) {}

  get namespace(): string | undefined {
    return this.options.namespace || undefined;
  }

  private call<T>(method: HttpRequest['method'], path: string, o: { query?: Record<string, QueryValue>; body?: HttpRequest['body']; signal?: AbortSignal } = {}): Promise<T> {
    return requestJson<T>(this.transport, { method, path: `${API}${path}`, ...(o.query ? { query: o.query } : {}), ...(o.body ? { body: o.body } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  }

  private listQuery(o: ListOptions): Record<string, QueryValue> {
    return {
      page_size: o.pageSize,
      page_token: o.pageToken || undefined,
      sort_by: sortBy(o.sort),
      filter: filterParam(o.filter),
    };
  }

  private ns(o: NamespacedListOptions): string | undefined {
    return o.namespace !== undefined ? o.namespace : this.namespace;
  }

  // --- health

  healthz(signal?: AbortSignal): Promise<Healthz> {
    return this.call<Healthz>('GET', '/healthz', { signal }).then((h) => h ?? {});
  }

  // --- pipelines and versions

  async listPipelines(o: NamespacedListOptions = {}): Promise<Page<Pipeline>> {
    const ns = this.ns(o);
    return page(await this.call('GET', '/pipelines', { query: { namespace: ns, ...this.listQuery(o) }, signal: o.signal }), 'pipelines');
  }

  getPipeline(pipelineId: string): Promise<Pipeline> {
    return this.call('GET', `/pipelines/${seg(pipelineId)}`);
  }

  /** The pipeline with this name in the namespace (or shared); `ApiError` 404 when there is none. */
  getPipelineByName(name: string, namespace = this.namespace): Promise<Pipeline> {
    return this.call('GET', `/pipelines/names/${seg(name)}`, { query: { namespace } });
  }

  /** `cascade` also deletes the versions (without it the server refuses while versions exist). */
  deletePipeline(pipelineId: string, cascade = true): Promise<void> {
    return this.call('DELETE', `/pipelines/${seg(pipelineId)}`, { query: { cascade } });
  }

  async listPipelineVersions(pipelineId: string, o: ListOptions = {}): Promise<Page<PipelineVersion>> {
    return page(await this.call('GET', `/pipelines/${seg(pipelineId)}/versions`, { query: this.listQuery(o), signal: o.signal }), 'pipeline_versions');
  }

  getPipelineVersion(pipelineId: string, versionId: string): Promise<PipelineVersion> {
    return this.call('GET', `/pipelines/${seg(pipelineId)}/versions/${seg(versionId)}`);
  }

  deletePipelineVersion(pipelineId: string, versionId: string): Promise<void> {
    return this.call('DELETE', `/pipelines/${seg(pipelineId)}/versions/${seg(versionId)}`);
  }

  /** Uploads IR as a new pipeline (its first version). `namespace` '' makes it shared; default: the client's. */
  uploadPipeline(o: UploadOptions & { namespace?: string }): Promise<Pipeline> {
    const namespace = o.namespace !== undefined ? o.namespace || undefined : this.namespace;
    return this.call('POST', '/pipelines/upload', {
      query: { name: o.name, display_name: o.displayName, description: o.description, namespace, tags: tagsParam(o.tags) },
      body: uploadBody(o),
    });
  }

  /** Uploads IR as a new version of a pipeline. */
  uploadPipelineVersion(pipelineId: string, o: UploadOptions): Promise<PipelineVersion> {
    return this.call('POST', '/pipelines/upload_version', {
      query: { pipelineid: pipelineId, name: o.name, display_name: o.displayName, description: o.description, tags: tagsParam(o.tags) },
      body: uploadBody(o),
    });
  }

  // --- experiments

  async listExperiments(o: NamespacedListOptions = {}): Promise<Page<Experiment>> {
    return page(await this.call('GET', '/experiments', { query: { namespace: this.ns(o), ...this.listQuery(o) }, signal: o.signal }), 'experiments');
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.call('GET', `/experiments/${seg(experimentId)}`);
  }

  createExperiment(o: { displayName: string; description?: string; namespace?: string }): Promise<Experiment> {
    const namespace = o.namespace ?? this.namespace;
    const experiment: Experiment = { display_name: o.displayName, ...(o.description ? { description: o.description } : {}), ...(namespace ? { namespace } : {}) };
    return this.call('POST', '/experiments', { body: { json: experiment } });
  }

  /** The experiment with this display name in the namespace, or undefined. */
  async findExperiment(displayName: string, namespace?: string): Promise<Experiment | undefined> {
    const res = await this.listExperiments({ filter: [{ key: 'display_name', operation: 'EQUALS', string_value: displayName }], pageSize: 10, ...(namespace !== undefined ? { namespace } : {}) });
    return res.items.find((e) => e.display_name === displayName);
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.call('DELETE', `/experiments/${seg(experimentId)}`);
  }

  archiveExperiment(experimentId: string): Promise<void> {
    return this.call('POST', `/experiments/${seg(experimentId)}:archive`);
  }

  unarchiveExperiment(experimentId: string): Promise<void> {
    return this.call('POST', `/experiments/${seg(experimentId)}:unarchive`);
  }

  // --- runs

  async listRuns(o: RunListOptions = {}): Promise<Page<Run>> {
    // The server wants a namespace or an experiment in multi-user mode; with an experiment the namespace is implied.
    const namespace = o.experimentId ? o.namespace : this.ns(o);
    return page(await this.call('GET', '/runs', { query: { namespace, experiment_id: o.experimentId, ...this.listQuery(o) }, signal: o.signal }), 'runs');
  }

  getRun(runId: string, signal?: AbortSignal): Promise<Run> {
    return this.call('GET', `/runs/${seg(runId)}`, { signal });
  }

  createRun(r: CreateRunRequest): Promise<Run> {
    const run: Run = runFields(r);
    return this.call('POST', '/runs', { body: { json: run } });
  }

  /** Stops a run: it goes CANCELING, then CANCELED. */
  terminateRun(runId: string): Promise<void> {
    return this.call('POST', `/runs/${seg(runId)}:terminate`);
  }

  /** Re-runs the failed or terminated tasks of a run (in the same run). */
  retryRun(runId: string): Promise<void> {
    return this.call('POST', `/runs/${seg(runId)}:retry`);
  }

  archiveRun(runId: string): Promise<void> {
    return this.call('POST', `/runs/${seg(runId)}:archive`);
  }

  unarchiveRun(runId: string): Promise<void> {
    return this.call('POST', `/runs/${seg(runId)}:unarchive`);
  }

  deleteRun(runId: string): Promise<void> {
    return this.call('DELETE', `/runs/${seg(runId)}`);
  }

  // --- recurring runs

  async listRecurringRuns(o: RunListOptions = {}): Promise<Page<RecurringRun>> {
    const namespace = o.experimentId ? o.namespace : this.ns(o);
    const res = await this.call<Record<string, unknown> | undefined>('GET', '/recurringruns', { query: { namespace, experiment_id: o.experimentId, ...this.listQuery(o) }, signal: o.signal });
    // The swagger names the list `recurringRuns`; a server writing proto names says `recurring_runs`.
    return page(res, res && 'recurring_runs' in res ? 'recurring_runs' : 'recurringRuns');
  }

  getRecurringRun(id: string): Promise<RecurringRun> {
    return this.call('GET', `/recurringruns/${seg(id)}`);
  }

  createRecurringRun(r: CreateRecurringRunRequest): Promise<RecurringRun> {
    const trigger = 'cron' in r.trigger ? { cron_schedule: r.trigger.cron } : { periodic_schedule: r.trigger.periodic };
    const rr: RecurringRun = {
      ...runFields(r),
      trigger,
      max_concurrency: String(r.maxConcurrency ?? 1),
      mode: r.enabled === false ? 'DISABLE' : 'ENABLE',
      no_catchup: r.noCatchup ?? true,
    };
    return this.call('POST', '/recurringruns', { body: { json: rr } });
  }

  enableRecurringRun(id: string): Promise<void> {
    return this.call('POST', `/recurringruns/${seg(id)}:enable`);
  }

  disableRecurringRun(id: string): Promise<void> {
    return this.call('POST', `/recurringruns/${seg(id)}:disable`);
  }

  deleteRecurringRun(id: string): Promise<void> {
    return this.call('DELETE', `/recurringruns/${seg(id)}`);
  }

  /**
   * The log of a step as the API server keeps it (`GET /apis/v1alpha1/runs/{run}/nodes/{node}/log`, a plain HTTP
   * handler outside the gRPC gateway): the pod's log while it exists, else the archived copy. Plain text.
   * That handler writes 200 before it reads the log, so a log it cannot read comes as a 200 whose whole body is its
   * `{error_message, error_details}`: that is an error (500, as the handler meant), not the step's log.
   */
  async readNodeLog(runId: string, nodeId: string, signal?: AbortSignal): Promise<string> {
    const res = await this.transport({ method: 'GET', path: `/apis/v1alpha1/runs/${seg(runId)}/nodes/${seg(nodeId)}/log`, ...(signal ? { signal } : {}) });
    const ok = res.status >= 200 && res.status < 300;
    if (ok && !isLogError(res.text)) return res.text;
    const { message, body } = errorMessage(res.status, res.text);
    throw new ApiError(message, ok ? 500 : res.status, body);
  }
}

/** The log handler's own error body (`api.Error`: only `error_message` and maybe `error_details`). */
function isLogError(text: string): boolean {
  if (!text.startsWith('{"error_message":')) return false;
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    return typeof b.error_message === 'string' && Object.keys(b).every((k) => k === 'error_message' || k === 'error_details');
  } catch {
    return false;
  }
}

/** Every page of a list, up to `max` items. */
export async function listAll<T>(list: (o: ListOptions) => Promise<Page<T>>, o: ListOptions = {}, max = 2000): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined = o.pageToken;
  do {
    const p = await list({ ...o, pageSize: o.pageSize ?? 200, ...(token ? { pageToken: token } : {}) });
    out.push(...p.items);
    token = p.nextPageToken;
  } while (token && out.length < max);
  return out.slice(0, max);
}

/** An encoded path segment (ids come from the server, names from the user). */
function seg(s: string): string {
  if (!s) throw new Error('empty id in a KFP API path');
  return encodeURIComponent(s);
}

function tagsParam(tags: Record<string, string> | undefined): string | undefined {
  return tags && Object.keys(tags).length ? JSON.stringify(tags) : undefined;
}

function uploadBody(o: UploadOptions): HttpRequest['body'] {
  const fileName = /\.(ya?ml|json)$/i.test(o.fileName) ? o.fileName : `${o.fileName}.yaml`;
  const json = /\.json$/i.test(fileName);
  return { multipart: [{ name: 'uploadfile', filename: fileName, contentType: json ? 'application/json' : 'application/x-yaml', content: o.content }] };
}

/** A list answer → `Page`. An empty list comes back as `{}` (unset fields are left out). */
function page<T>(res: unknown, key: string): Page<T> {
  const r = (res ?? {}) as Record<string, unknown>;
  const items = Array.isArray(r[key]) ? (r[key] as T[]) : [];
  const total = typeof r.total_size === 'number' ? r.total_size : Number(r.total_size ?? items.length);
  const next = typeof r.next_page_token === 'string' && r.next_page_token ? r.next_page_token : undefined;
  return { items, totalSize: Number.isFinite(total) ? total : items.length, ...(next ? { nextPageToken: next } : {}) };
}

/** The fields a run and a recurring run share, in the API's names; empty ones left out as the server writes them. */
function runFields(r: CreateRunRequest) {
  return {
    display_name: r.displayName,
    ...(r.description ? { description: r.description } : {}),
    ...(r.experimentId ? { experiment_id: r.experimentId } : {}),
    ...(r.pipelineVersion ? { pipeline_version_reference: r.pipelineVersion } : {}),
    ...(r.pipelineSpec ? { pipeline_spec: r.pipelineSpec } : {}),
    runtime_config: r.runtimeConfig ?? { parameters: {} },
    ...(r.serviceAccount ? { service_account: r.serviceAccount } : {}),
  };
}
