/**
 * A typed client of the Kubeflow Model Registry REST API, VS Code-free. Two prefixes exist: v0.3.x servers serve
 * `/api/model_registry/v1alpha3`, registries of Kubeflow Hub serve `/api/model_registry/v1` (same operations and
 * parameter names on the wire, less the experiments); the client finds out which one a registry answers on its first
 * call (`detectApiBase`) unless told. It builds requests and reads answers;
 * an `HttpTransport` carries them (a daemon port-forward to the registry's Service, a gateway URL with a token, or a
 * test server). Errors: `ApiError` with the registry's own message (`{code, message}` bodies), `UnreachableError` when
 * nothing answered. The API has no DELETE: models and versions are archived (state ARCHIVED) and restored (LIVE).
 */
import { ApiError, requestJson, type HttpBody, type HttpMethod, type HttpTransport, type QueryValue } from '../http/transport';
import type {
  Artifact,
  ArtifactType,
  InferenceService,
  InferenceServiceCreate,
  InferenceServiceUpdate,
  ListOptions,
  ListPage,
  ModelArtifact,
  ModelArtifactCreate,
  ModelArtifactUpdate,
  ModelVersion,
  ModelVersionCreate,
  ModelVersionUpdate,
  RegisteredModel,
  RegisteredModelCreate,
  RegisteredModelUpdate,
  ServingEnvironment,
  ServingEnvironmentCreate,
} from './types';

export const API_BASES = { v1: '/api/model_registry/v1', v1alpha3: '/api/model_registry/v1alpha3' } as const;
export type ApiBase = (typeof API_BASES)[keyof typeof API_BASES];

/** Neither API prefix answered: not a Model Registry (or not one this extension knows). */
export class NoRegistryApiError extends ApiError {
  constructor(readonly statuses: { v1: number; v1alpha3: number }) {
    super(
      `This is not a Model Registry API: it answers neither ${API_BASES.v1} (HTTP ${statuses.v1}) nor ${API_BASES.v1alpha3} (HTTP ${statuses.v1alpha3}). Check the registry's Service, port or URL.`,
      statuses.v1alpha3,
    );
    this.name = 'NoRegistryApiError';
  }
}

/**
 * The registry's database is not answering: its own health check (`/readyz/health?format=json`, check `database`, on
 * servers with the embedded datastore) failed. The API itself then answers misleadingly (a 404 for a model that exists, a 400 "invalid filter
 * query" for a plain list), so the client asks the health check whenever a call fails and says this instead.
 */
export class RegistryDatabaseError extends ApiError {
  constructor(readonly health: string, status: number) {
    super(`The Model Registry cannot use its database, so it cannot answer (its health check: ${health}). Check the registry's database (its Pod and the database Service or DSN).`, status);
    this.name = 'RegistryDatabaseError';
  }
}

/** `RegistryDatabaseError` when the registry's health check fails, else `err` itself. */
export async function explainFailure(transport: HttpTransport, err: unknown, signal?: AbortSignal): Promise<unknown> {
  if (!(err instanceof ApiError) || err instanceof NoRegistryApiError || err.status === 409 || err.status === 401 || err.status === 403) return err;
  try {
    const res = await transport({ method: 'GET', path: '/readyz/health', query: { format: 'json' }, ...(signal ? { signal } : {}) });
    if (res.status !== 503) return err;
    // the Go struct has no json tags: {"status": "fail", "checks": {"database": {"Name", "Status", "Message", …}}}
    const checks = (JSON.parse(res.text) as { checks?: Record<string, { Status?: string; Message?: string }> }).checks ?? {};
    const db = checks.database;
    if (db?.Status === 'fail' && db.Message) return new RegistryDatabaseError(db.Message.slice(0, 400), err.status);
  } catch {
    /* no health check to ask, or not the one we know: the original error stands */
  }
  return err;
}

/**
 * Which prefix the registry behind `transport` serves: v1 first (the newer), then v1alpha3. A 404/405 on one means
 * "not this prefix"; any other error (a database that refuses, a 401, nothing reachable) is the registry's answer and
 * is thrown as it is.
 */
export async function detectApiBase(transport: HttpTransport, signal?: AbortSignal): Promise<ApiBase> {
  const statuses = { v1: 0, v1alpha3: 0 };
  for (const key of ['v1', 'v1alpha3'] as const) {
    try {
      await requestJson(transport, { method: 'GET', path: `${API_BASES[key]}/registered_models`, query: { pageSize: '1' }, ...(signal ? { signal } : {}) });
      return API_BASES[key];
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 405)) throw await explainFailure(transport, err, signal);
      statuses[key] = err.status;
    }
  }
  throw new NoRegistryApiError(statuses);
}

/** An MR experiment run (the registry's own tracking); read for lineage only. */
export interface ExperimentRun {
  id: string;
  name?: string;
  experimentId?: string;
  description?: string;
  externalId?: string;
  status?: string;
  state?: string;
  owner?: string;
  startTimeSinceEpoch?: string;
  endTimeSinceEpoch?: string;
  customProperties?: Record<string, unknown>;
}
export interface Experiment {
  id: string;
  name?: string;
  description?: string;
  owner?: string;
  externalId?: string;
}

const seg = (id: string): string => encodeURIComponent(id);

export class ModelRegistryClient {
  private base: Promise<ApiBase> | undefined;

  /** `apiBase`: the prefix when known (or a shared detection), else it is detected on the first call. */
  constructor(private readonly transport: HttpTransport, apiBase?: ApiBase | Promise<ApiBase>) {
    if (apiBase) this.base = Promise.resolve(apiBase);
  }

  /** The prefix this registry serves (detected once; a failed detection is tried again on the next call). */
  apiBase(signal?: AbortSignal): Promise<ApiBase> {
    if (!this.base) {
      const p = detectApiBase(this.transport, signal);
      this.base = p;
      p.catch(() => { if (this.base === p) this.base = undefined; });
    }
    return this.base;
  }

  /** `absentIs404`: a 404 is an answer (a `find`), not a failure to explain. */
  private async call<T>(method: HttpMethod, path: string, o: { query?: Record<string, QueryValue>; body?: unknown; signal?: AbortSignal; absentIs404?: boolean } = {}): Promise<T> {
    const base = await this.apiBase(o.signal);
    const body: HttpBody | undefined = o.body === undefined ? undefined : { json: o.body };
    try {
      return await requestJson<T>(this.transport, { method, path: `${base}${path}`, ...(o.query ? { query: o.query } : {}), ...(body ? { body } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    } catch (err) {
      if (o.absentIs404 && err instanceof ApiError && err.status === 404) throw err;
      throw await explainFailure(this.transport, err, o.signal);
    }
  }

  private async list<T>(path: string, o: ListOptions & { signal?: AbortSignal } = {}, extra: Record<string, QueryValue> = {}): Promise<ListPage<T>> {
    const page = await this.call<Partial<ListPage<T>>>('GET', path, { query: { ...listQuery(o), ...extra }, signal: o.signal });
    return { items: page?.items ?? [], nextPageToken: page?.nextPageToken ?? '', pageSize: page?.pageSize ?? 0, size: page?.size ?? page?.items?.length ?? 0 };
  }

  /**
   * A `find` endpoint answers 404 when nothing matches: that is `undefined` here (with a database that refuses, the
   * create that follows fails and is explained).
   */
  private async find<T>(path: string, query: Record<string, QueryValue>): Promise<T | undefined> {
    try {
      return await this.call<T>('GET', path, { query, absentIs404: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  // --- registered models

  listRegisteredModels(o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<RegisteredModel>> {
    return this.list('/registered_models', o);
  }
  getRegisteredModel(id: string): Promise<RegisteredModel> {
    return this.call('GET', `/registered_models/${seg(id)}`);
  }
  findRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    return this.find('/registered_model', { name });
  }
  createRegisteredModel(body: RegisteredModelCreate): Promise<RegisteredModel> {
    return this.call('POST', '/registered_models', { body });
  }
  updateRegisteredModel(id: string, body: RegisteredModelUpdate): Promise<RegisteredModel> {
    return this.call('PATCH', `/registered_models/${seg(id)}`, { body });
  }

  // --- model versions

  /** The versions of one model. */
  listVersions(registeredModelId: string, o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<ModelVersion>> {
    return this.list(`/registered_models/${seg(registeredModelId)}/versions`, o);
  }
  /** Versions of every model. */
  listAllVersions(o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<ModelVersion>> {
    return this.list('/model_versions', o);
  }
  getVersion(id: string): Promise<ModelVersion> {
    return this.call('GET', `/model_versions/${seg(id)}`);
  }
  findVersion(registeredModelId: string, name: string): Promise<ModelVersion | undefined> {
    return this.find('/model_version', { name, parentResourceId: registeredModelId });
  }
  createVersion(body: ModelVersionCreate): Promise<ModelVersion> {
    return this.call('POST', '/model_versions', { body });
  }
  updateVersion(id: string, body: ModelVersionUpdate): Promise<ModelVersion> {
    return this.call('PATCH', `/model_versions/${seg(id)}`, { body });
  }

  // --- artifacts

  /** The artifacts of a version (model artifacts and others); `artifactType` narrows. */
  listVersionArtifacts(versionId: string, o?: ListOptions & { artifactType?: ArtifactType; signal?: AbortSignal }): Promise<ListPage<Artifact>> {
    return this.list(`/model_versions/${seg(versionId)}/artifacts`, o, { artifactType: o?.artifactType });
  }
  /** Creates a model artifact and attaches it to the version (`upsertModelVersionArtifact`). */
  addVersionArtifact(versionId: string, body: ModelArtifactCreate): Promise<ModelArtifact> {
    return this.call('POST', `/model_versions/${seg(versionId)}/artifacts`, { body });
  }
  listModelArtifacts(o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<ModelArtifact>> {
    return this.list('/model_artifacts', o);
  }
  getModelArtifact(id: string): Promise<ModelArtifact> {
    return this.call('GET', `/model_artifacts/${seg(id)}`);
  }
  updateModelArtifact(id: string, body: ModelArtifactUpdate): Promise<ModelArtifact> {
    return this.call('PATCH', `/model_artifacts/${seg(id)}`, { body });
  }

  // --- serving environments and inference services (the registry's record of deployments)

  listServingEnvironments(o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<ServingEnvironment>> {
    return this.list('/serving_environments', o);
  }
  findServingEnvironment(name: string): Promise<ServingEnvironment | undefined> {
    return this.find('/serving_environment', { name });
  }
  createServingEnvironment(body: ServingEnvironmentCreate): Promise<ServingEnvironment> {
    return this.call('POST', '/serving_environments', { body });
  }
  listInferenceServices(o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<InferenceService>> {
    return this.list('/inference_services', o);
  }
  listEnvironmentInferenceServices(servingEnvironmentId: string, o?: ListOptions & { signal?: AbortSignal }): Promise<ListPage<InferenceService>> {
    return this.list(`/serving_environments/${seg(servingEnvironmentId)}/inference_services`, o);
  }
  findInferenceService(name: string, servingEnvironmentId: string): Promise<InferenceService | undefined> {
    return this.find('/inference_service', { name, parentResourceId: servingEnvironmentId });
  }
  getInferenceService(id: string): Promise<InferenceService> {
    return this.call('GET', `/inference_services/${seg(id)}`);
  }
  createInferenceService(body: InferenceServiceCreate): Promise<InferenceService> {
    return this.call('POST', '/inference_services', { body });
  }
  updateInferenceService(id: string, body: InferenceServiceUpdate): Promise<InferenceService> {
    return this.call('PATCH', `/inference_services/${seg(id)}`, { body });
  }

  // --- lineage (v1alpha3 only: v1 registries have no experiments)

  getExperimentRun(id: string): Promise<ExperimentRun> {
    return this.call('GET', `/experiment_runs/${seg(id)}`);
  }
  getExperiment(id: string): Promise<Experiment> {
    return this.call('GET', `/experiments/${seg(id)}`);
  }

  // --- helpers over the calls above

  /** Archives (`ARCHIVED`) or restores (`LIVE`) a model; the API has no delete. */
  setModelState(id: string, state: 'LIVE' | 'ARCHIVED'): Promise<RegisteredModel> {
    return this.updateRegisteredModel(id, { state });
  }
  setVersionState(id: string, state: 'LIVE' | 'ARCHIVED'): Promise<ModelVersion> {
    return this.updateVersion(id, { state });
  }

  /**
   * Every item of a paged list, following `nextPageToken` (at most `max` items). Stops when a server repeats a token,
   * so a misbehaving server cannot loop us forever.
   */
  async all<T>(page: (o: ListOptions) => Promise<ListPage<T>>, o: ListOptions = {}, max = 10_000): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let token = o.nextPageToken;
    for (;;) {
      const p = await page({ ...o, ...(token ? { nextPageToken: token } : {}) });
      out.push(...p.items);
      if (!p.nextPageToken || seen.has(p.nextPageToken) || out.length >= max || p.items.length === 0) return out.slice(0, max);
      seen.add(p.nextPageToken);
      token = p.nextPageToken;
    }
  }
}

/** The query of a list call; numbers go as strings, as the spec types `pageSize`. */
export function listQuery(o: ListOptions = {}): Record<string, QueryValue> {
  return {
    pageSize: o.pageSize !== undefined ? String(o.pageSize) : undefined,
    nextPageToken: o.nextPageToken || undefined,
    orderBy: o.orderBy,
    sortOrder: o.sortOrder,
    filterQuery: o.filterQuery || undefined,
  };
}

/** True for a model artifact (the list endpoints of a version return every kind). */
export function isModelArtifact(a: Artifact): a is ModelArtifact {
  return a.artifactType === 'model-artifact';
}
