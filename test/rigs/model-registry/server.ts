/**
 * A stand-in Kubeflow Model Registry REST server (API v1alpha3) for tests: Node `http`, in-memory store, every
 * request and response checked against the upstream OpenAPI document (spec.ts). Used because the real Go server
 * cannot be built on this machine (see README.md, "Model Registry rig").
 *
 * Semantics copied from upstream's Go server (internal/server/openapi, internal/core, internal/db):
 * - ids are decimal strings from one sequence per MLMD table: registered models, model versions, serving
 *   environments, inference services, experiments and runs share the Context sequence; all artifact types share the
 *   Artifact sequence; serve models use the Execution sequence.
 * - `createTimeSinceEpoch` / `lastUpdateTimeSinceEpoch` are string milliseconds; state defaults: registered models,
 *   model versions, experiments and runs LIVE, inference services DEPLOYED, artifacts UNKNOWN.
 * - Names: unique per type; children (model versions, inference services, experiment runs, artifacts of a
 *   version/run) per parent. A duplicate is 409 `{code: "Conflict", message: "registered model with name X already
 *   exists: conflict"}` (a model version's message shows upstream's stored name `<modelId>:<name>`).
 * - Errors are `{code: <HTTP status text>, message}`; unknown id → 404 `no registered model found for id 7: not
 *   found`; non-numeric id → 400; unknown path → 404 `404 page not found` (plain text, like chi); known path with
 *   another method → 405 (empty body).
 * - Bodies: unknown field / wrong type / bad enum → 400 (Go decoder wording); missing or empty required field → 422
 *   `required field 'name' is zero value.` (with code "Bad Request", as upstream's error handler writes it).
 * - PATCH replaces the fields it names; customProperties, when given, replaces the whole map.
 * - Lists: `pageSize` (absent = all; the response echoes it, 0 when absent), `orderBy` ID | CREATE_TIME |
 *   LAST_UPDATE_TIME (default ID), `sortOrder` ASC | DESC (default ASC), `nextPageToken` = base64("<id>:<order
 *   value>") of the last item, "" on the last page; an undecodable token is ignored (first page), as upstream does.
 *   `filterQuery`: see filter.ts.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FilterError, matches, parseFilter, type Comparison, type FilterExpr, type Stored, type ValueType } from './filter';
import { RegistrySpec, type Operation } from './spec';

type Json = Record<string, unknown>;

type Kind = 'RegisteredModel' | 'ModelVersion' | 'ServingEnvironment' | 'InferenceService' | 'ServeModel' | 'Experiment' | 'ExperimentRun' | 'Artifact';
type Table = 'context' | 'artifact' | 'execution';

interface KindInfo {
  table: Table;
  /** As upstream words it in messages: "registered model". */
  label: string;
  /** Response schema (artifacts: per artifactType). */
  schema?: string;
  /** The body field holding the parent's id, and the parent's kind. */
  parentField?: string;
  parentKind?: Kind;
  defaults?: Json;
}

const KINDS: Record<Kind, KindInfo> = {
  RegisteredModel: { table: 'context', label: 'registered model', schema: 'RegisteredModel', defaults: { state: 'LIVE' } },
  ModelVersion: { table: 'context', label: 'model version', schema: 'ModelVersion', parentField: 'registeredModelId', parentKind: 'RegisteredModel', defaults: { state: 'LIVE' } },
  ServingEnvironment: { table: 'context', label: 'serving environment', schema: 'ServingEnvironment' },
  InferenceService: { table: 'context', label: 'inference service', schema: 'InferenceService', parentField: 'servingEnvironmentId', parentKind: 'ServingEnvironment', defaults: { desiredState: 'DEPLOYED' } },
  Experiment: { table: 'context', label: 'experiment', schema: 'Experiment', defaults: { state: 'LIVE' } },
  ExperimentRun: { table: 'context', label: 'experiment run', schema: 'ExperimentRun', parentField: 'experimentId', parentKind: 'Experiment', defaults: { state: 'LIVE', status: 'RUNNING' } },
  ServeModel: { table: 'execution', label: 'serve model', schema: 'ServeModel', parentKind: 'InferenceService' },
  Artifact: { table: 'artifact', label: 'artifact' },
};

const ARTIFACT_TYPES: Record<string, { schema: string; label: string }> = {
  'model-artifact': { schema: 'ModelArtifact', label: 'model artifact' },
  'doc-artifact': { schema: 'DocArtifact', label: 'doc artifact' },
  'dataset-artifact': { schema: 'DataSet', label: 'dataset artifact' },
  metric: { schema: 'Metric', label: 'metric artifact' },
  parameter: { schema: 'Parameter', label: 'parameter artifact' },
};

/** Fields upstream stores as integers (ids, times): compared numerically in filterQuery. */
const INT_FIELDS = new Set(['id', 'registeredModelId', 'modelVersionId', 'servingEnvironmentId', 'inferenceServiceId', 'experimentId', 'experimentRunId',
  'createTimeSinceEpoch', 'lastUpdateTimeSinceEpoch', 'startTimeSinceEpoch', 'endTimeSinceEpoch', 'timestamp', 'step']);

interface Row {
  kind: Kind;
  id: number;
  /** Parent id (model of a version, environment of an inference service, experiment of a run, IS of a serve). */
  parentId?: number;
  /** Artifacts: the version/run that created it (name scope) and every version/run it is attributed to. */
  owner?: number;
  attributions: Set<number>;
  body: Json;
  created: number;
  updated: number;
}

export interface Violation {
  method: string;
  path: string;
  operationId: string;
  status: number;
  problem: string;
  body: unknown;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  operationId?: string;
  /** Lower-case header names the client sent (values not kept: tokens). */
  headers: string[];
}

export interface RegistryServer {
  /** http://127.0.0.1:<port> (the API is under /api/model_registry/v1alpha3). */
  url: string;
  port: number;
  spec: RegistrySpec;
  /**
   * Responses that did not match the spec (a stand-in bug) — tests assert this is empty at the end. Request bodies
   * that fail validation are not violations: they get the 400/422 a real server gives.
   */
  violations(): Violation[];
  /** Error statuses upstream returns where the spec does not document them (e.g. 400 for a non-numeric id). */
  deviations(): Array<{ operationId: string; status: number; message: string }>;
  requests(): RequestRecord[];
  stop(): Promise<void>;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const STATUS_TEXT = (s: number): string => http.STATUS_CODES[s] ?? 'Error';
/** Upstream returns 201 where the spec says 200 for this create. */
const CREATED_WHERE_SPEC_SAYS_200 = new Set(['createInferenceService']);

export async function startRegistryServer(o: { port?: number; host?: string; specFile?: string } = {}): Promise<RegistryServer> {
  const spec = new RegistrySpec(o.specFile);
  const registry = new Registry(spec);
  const violations: Violation[] = [];
  const deviations: Array<{ operationId: string; status: number; message: string }> = [];
  const requests: RequestRecord[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = (req.method ?? 'GET').toUpperCase();
      const record: RequestRecord = { method, path: req.url ?? '/', status: 0, headers: Object.keys(req.headers) };
      requests.push(record);
      const send = (status: number, body: unknown, contentType = 'application/json; charset=UTF-8') => {
        record.status = status;
        const text = body === undefined ? '' : typeof body === 'string' && !contentType.startsWith('application/json') ? body : JSON.stringify(body) + '\n';
        res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (method === 'GET' && (url.pathname === '/readyz/health' || url.pathname === '/readyz/isDirty')) { send(200, 'OK', 'text/plain; charset=utf-8'); return; }
      const { route, pathKnown } = spec.match(method, url.pathname);
      if (!route) {
        if (pathKnown) send(405, '', 'text/plain; charset=utf-8');
        else send(404, '404 page not found\n', 'text/plain; charset=utf-8');
        return;
      }
      const op = route.op;
      record.operationId = op.operationId;
      let status: number;
      let body: unknown;
      try {
        let input: unknown;
        if (op.requestSchema) {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (raw.trim() === '') throw new ApiError(400, 'EOF');
          try { input = JSON.parse(raw); } catch (e) { throw new ApiError(400, `invalid character in JSON body: ${(e as Error).message}`); }
          const problem = spec.checkRequest(op, input);
          if (problem) throw new ApiError(problem.status, problem.message);
        }
        [status, body] = registry.handle(op, route.params, url.searchParams, input as Json);
      } catch (e) {
        if (!(e instanceof ApiError)) {
          status = 500;
          body = { code: STATUS_TEXT(500), message: String((e as Error)?.stack ?? e) };
          violations.push({ method, path: req.url ?? '', operationId: op.operationId, status, problem: 'the stand-in threw', body });
        } else {
          status = e.status;
          // upstream's RequiredError handler writes the 400 error body under a 422 status
          body = { code: STATUS_TEXT(e.status === 422 ? 400 : e.status), message: e.message };
        }
      }
      // every response is checked against the spec; a mismatch is a bug of the stand-in
      let checkStatus = status;
      if (status === 201 && CREATED_WHERE_SPEC_SAYS_200.has(op.operationId)) checkStatus = 200;
      if (status >= 400 && !op.responses.has(status)) {
        deviations.push({ operationId: op.operationId, status, message: (body as Json).message as string });
        const problem = spec.checkResponse({ ...op, responses: new Map([[status, 'Error']]) }, status, body);
        if (problem) violations.push({ method, path: req.url ?? '', operationId: op.operationId, status, problem, body });
      } else {
        const problem = spec.checkResponse(op, checkStatus, body);
        if (problem) violations.push({ method, path: req.url ?? '', operationId: op.operationId, status, problem, body });
      }
      send(status, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    spec,
    violations: () => [...violations],
    deviations: () => [...deviations],
    requests: () => [...requests],
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

// ------------------------------------------------------------------------------------------------
// the registry

interface ListOptions {
  filter?: FilterExpr;
  pageSize: number;
  orderBy: 'ID' | 'CREATE_TIME' | 'LAST_UPDATE_TIME';
  sortOrder: 'ASC' | 'DESC';
  nextPageToken: string;
}

class Registry {
  private readonly rows = new Map<string, Row>();
  private readonly seq: Record<Table, number> = { context: 0, artifact: 0, execution: 0 };
  private lastNow = 0;
  private readonly builtinCache = new Map<string, Set<string>>();

  constructor(private readonly spec: RegistrySpec) {}

  handle(op: Operation, p: Record<string, string>, q: URLSearchParams, body: Json): [number, unknown] {
    for (const qp of op.query) {
      const v = q.get(qp.name);
      if (v && qp.enumValues && !qp.enumValues.includes(v)) {
        throw new ApiError(400, `invalid value '${v}' for ${qp.enumSchema}: valid values are [${qp.enumValues.join(' ')}]`);
      }
    }
    const list = (kind: Kind, base: (r: Row) => boolean, extraFilter = '') => this.list(kind, base, this.listOptions(q, extraFilter));
    const artType = q.get('artifactType') ?? undefined;
    const byType = (r: Row) => !artType || r.body.artifactType === artType;
    switch (op.operationId) {
      // registered models
      case 'getRegisteredModels': return [200, list('RegisteredModel', () => true)];
      case 'createRegisteredModel': return [201, this.create('RegisteredModel', body)];
      case 'getRegisteredModel': return [200, this.out(this.get('RegisteredModel', p.registeredmodelId!))];
      case 'updateRegisteredModel': return [200, this.update('RegisteredModel', p.registeredmodelId!, body)];
      case 'findRegisteredModel': return [200, this.find('RegisteredModel', q, false)];
      case 'getRegisteredModelVersions': {
        const rm = this.parseId(p.registeredmodelId!);
        return [200, list('ModelVersion', (r) => r.parentId === rm, nameFilter(q))];
      }
      case 'createRegisteredModelVersion':
        return [201, this.create('ModelVersion', { ...withoutServerFields(body), registeredModelId: p.registeredmodelId! }, 404)];
      // model versions
      case 'getModelVersions': return [200, list('ModelVersion', () => true)];
      case 'createModelVersion': return [201, this.create('ModelVersion', body, 400)];
      case 'getModelVersion': return [200, this.out(this.get('ModelVersion', p.modelversionId!))];
      case 'updateModelVersion': return [200, this.update('ModelVersion', p.modelversionId!, body)];
      case 'findModelVersion': return [200, this.find('ModelVersion', q, true)];
      case 'getModelVersionArtifacts': {
        const mv = this.parseId(p.modelversionId!);
        return [200, list('Artifact', (r) => r.attributions.has(mv) && byType(r), nameFilter(q))];
      }
      case 'upsertModelVersionArtifact': return this.upsertOwnedArtifact('ModelVersion', p.modelversionId!, body);
      // artifacts
      case 'getArtifacts': return [200, list('Artifact', byType)];
      case 'createArtifact': return [201, this.createArtifact(body)];
      case 'getArtifact': return [200, this.out(this.get('Artifact', p.id!))];
      case 'updateArtifact': return [200, this.updateArtifact(p.id!, body, undefined)];
      case 'findArtifact': return [200, this.findArtifact(q, undefined)];
      case 'getModelArtifacts': return [200, list('Artifact', (r) => r.body.artifactType === 'model-artifact')];
      case 'createModelArtifact': return [201, this.createArtifact({ ...body, artifactType: 'model-artifact' })];
      case 'getModelArtifact': return [200, this.out(this.getArtifactOfType(p.modelartifactId!, 'model-artifact'))];
      case 'updateModelArtifact': return [200, this.updateArtifact(p.modelartifactId!, { ...body, artifactType: 'model-artifact' }, 'model-artifact')];
      case 'findModelArtifact': return [200, this.findArtifact(q, 'model-artifact')];
      // serving
      case 'getServingEnvironments': return [200, list('ServingEnvironment', () => true)];
      case 'createServingEnvironment': return [201, this.create('ServingEnvironment', body)];
      case 'getServingEnvironment': return [200, this.out(this.get('ServingEnvironment', p.servingenvironmentId!))];
      case 'updateServingEnvironment': return [200, this.update('ServingEnvironment', p.servingenvironmentId!, body)];
      case 'findServingEnvironment': return [200, this.find('ServingEnvironment', q, false)];
      case 'getEnvironmentInferenceServices': {
        const se = this.parseId(p.servingenvironmentId!);
        return [200, list('InferenceService', (r) => r.parentId === se, nameFilter(q))];
      }
      case 'createEnvironmentInferenceService':
        return [201, this.createInferenceService({ ...body, servingEnvironmentId: p.servingenvironmentId! }, 404)];
      case 'getInferenceServices': return [200, list('InferenceService', () => true)];
      case 'createInferenceService': return [201, this.createInferenceService(body, 400)];
      case 'getInferenceService': return [200, this.out(this.get('InferenceService', p.inferenceserviceId!))];
      case 'updateInferenceService': return [200, this.update('InferenceService', p.inferenceserviceId!, body)];
      case 'findInferenceService': return [200, this.find('InferenceService', q, true)];
      case 'getInferenceServiceModel': {
        const is = this.get('InferenceService', p.inferenceserviceId!);
        return [200, this.out(this.get('RegisteredModel', String(is.body.registeredModelId)))];
      }
      case 'getInferenceServiceVersion': return [200, this.out(this.servedVersion(this.get('InferenceService', p.inferenceserviceId!)))];
      case 'getInferenceServiceServes': {
        const is = this.parseId(p.inferenceserviceId!);
        return [200, list('ServeModel', (r) => r.parentId === is, nameFilter(q))];
      }
      case 'createInferenceServiceServe': {
        const is = this.get('InferenceService', p.inferenceserviceId!);
        this.get('ModelVersion', String(body.modelVersionId), 404);
        return [201, this.create('ServeModel', body, 404, is.id)];
      }
      // experiments
      case 'getExperiments': return [200, list('Experiment', () => true)];
      case 'createExperiment': return [201, this.create('Experiment', body)];
      case 'getExperiment': return [200, this.out(this.get('Experiment', p.experimentId!))];
      case 'updateExperiment': return [200, this.update('Experiment', p.experimentId!, body)];
      case 'findExperiment': return [200, this.find('Experiment', q, false)];
      case 'getExperimentExperimentRuns': {
        const ex = this.parseId(p.experimentId!);
        return [200, list('ExperimentRun', (r) => r.parentId === ex, nameFilter(q))];
      }
      case 'createExperimentExperimentRun':
        return [201, this.create('ExperimentRun', { ...withoutServerFields(body), experimentId: p.experimentId! }, 404)];
      case 'getExperimentRuns': return [200, list('ExperimentRun', () => true)];
      case 'createExperimentRun': return [201, this.create('ExperimentRun', body, 400)];
      case 'getExperimentRun': return [200, this.out(this.get('ExperimentRun', p.experimentrunId!))];
      case 'updateExperimentRun': return [200, this.update('ExperimentRun', p.experimentrunId!, body)];
      case 'findExperimentRun': return [200, this.find('ExperimentRun', q, true)];
      case 'getExperimentRunArtifacts': {
        const run = this.parseId(p.experimentrunId!);
        return [200, list('Artifact', (r) => r.attributions.has(run) && byType(r), nameFilter(q))];
      }
      case 'upsertExperimentRunArtifact': return this.upsertOwnedArtifact('ExperimentRun', p.experimentrunId!, body);
      default:
        // getExperimentRunMetricHistory, getExperimentRunsMetricHistory: see ARCHITECTURE.md "Known gaps"
        throw new ApiError(500, `${op.operationId} is not implemented by the model registry stand-in`);
    }
  }

  // ---- rows

  private now(): number {
    // strictly increasing, so CREATE_TIME order is the creation order even within one millisecond
    this.lastNow = Math.max(Date.now(), this.lastNow + 1);
    return this.lastNow;
  }

  private key(kind: Kind, id: number): string {
    return `${KINDS[kind].table}:${id}`;
  }

  private parseId(id: string): number {
    if (!/^-?\d+$/.test(id) || Number(id) > 2 ** 31 - 1 || Number(id) < -(2 ** 31)) {
      throw new ApiError(400, `strconv.ParseInt: parsing ${JSON.stringify(id)}: invalid syntax: bad request`);
    }
    return Number(id);
  }

  private schemaOf(r: Row): string {
    return r.kind === 'Artifact' ? ARTIFACT_TYPES[String(r.body.artifactType)]!.schema : KINDS[r.kind].schema!;
  }

  private labelOf(kind: Kind, artifactType?: string): string {
    return kind === 'Artifact' && artifactType ? ARTIFACT_TYPES[artifactType]!.label : KINDS[kind].label;
  }

  get(kind: Kind, id: string, notFoundStatus = 404): Row {
    const n = this.parseId(id);
    const row = this.rows.get(this.key(kind, n));
    if (!row || row.kind !== kind) throw new ApiError(notFoundStatus, `no ${KINDS[kind].label} found for id ${id}: not found`);
    return row;
  }

  private getArtifactOfType(id: string, type: string): Row {
    const row = this.rows.get(this.key('Artifact', this.parseId(id)));
    if (!row || row.body.artifactType !== type) throw new ApiError(404, `no ${ARTIFACT_TYPES[type]!.label} found for id ${id}: not found`);
    return row;
  }

  out(r: Row): Json {
    return { ...r.body, id: String(r.id), createTimeSinceEpoch: String(r.created), lastUpdateTimeSinceEpoch: String(r.updated) };
  }

  private all(kind: Kind): Row[] {
    return [...this.rows.values()].filter((r) => r.kind === kind);
  }

  /** Same-name siblings: same kind (and artifact type), same parent (or artifact owner). */
  private checkUnique(kind: Kind, body: Json, scope: number | undefined, self?: Row): void {
    const name = body.name as string | undefined;
    const ext = body.externalId as string | undefined;
    const label = this.labelOf(kind, body.artifactType as string | undefined);
    for (const r of this.rows.values()) {
      if (r === self || KINDS[r.kind].table !== KINDS[kind].table) continue;
      if (ext !== undefined && r.body.externalId === ext) throw new ApiError(409, `${label} with externalId ${ext} already exists: conflict`);
      if (name === undefined || r.kind !== kind || r.body.name !== name) continue;
      if (kind === 'Artifact' ? (r.owner !== scope || r.body.artifactType !== body.artifactType) : r.parentId !== scope) continue;
      const shown = scope !== undefined && kind !== 'Artifact' ? `${scope}:${name}` : name;
      throw new ApiError(409, `${label} with name ${shown} already exists: conflict`);
    }
  }

  create(kind: Kind, body: Json, parentMissingStatus = 404, parentOverride?: number): Json {
    const info = KINDS[kind];
    let parentId = parentOverride;
    if (info.parentField && parentOverride === undefined) {
      const parentRef = String(body[info.parentField]);
      parentId = this.get(info.parentKind!, parentRef, parentMissingStatus).id;
    }
    const fields: Json = { ...(info.defaults ?? {}), ...withoutServerFields(body) };
    if (info.parentField) fields[info.parentField] = String(parentId);
    this.checkUnique(kind, fields, parentId);
    const t = this.now();
    const row: Row = { kind, id: ++this.seq[info.table], parentId, attributions: new Set(), body: fields, created: t, updated: t };
    this.rows.set(this.key(kind, row.id), row);
    return this.out(row);
  }

  private createInferenceService(body: Json, parentMissingStatus: number): Json {
    this.get('RegisteredModel', String(body.registeredModelId), parentMissingStatus);
    if (body.modelVersionId !== undefined) this.get('ModelVersion', String(body.modelVersionId), parentMissingStatus);
    return this.create('InferenceService', body, parentMissingStatus);
  }

  update(kind: Kind, id: string, patch: Json): Json {
    const row = this.get(kind, id);
    const next = { ...row.body, ...withoutServerFields(patch) };
    this.checkUnique(kind, next, kind === 'Artifact' ? row.owner : row.parentId, row);
    row.body = next;
    row.updated = this.now();
    return this.out(row);
  }

  // ---- artifacts

  private createArtifact(body: Json, owner?: number): Json {
    const type = String(body.artifactType);
    const fields: Json = { state: 'UNKNOWN', ...withoutServerFields(body), artifactType: type };
    // upstream (ensureArtifactName) names unnamed artifacts with a UUID
    if (fields.name === undefined) fields.name = crypto.randomUUID();
    this.checkUnique('Artifact', fields, owner);
    const t = this.now();
    const row: Row = { kind: 'Artifact', id: ++this.seq.artifact, owner, attributions: new Set(owner !== undefined ? [owner] : []), body: fields, created: t, updated: t };
    this.rows.set(this.key('Artifact', row.id), row);
    return this.out(row);
  }

  private updateArtifact(id: string, patch: Json, onlyType: string | undefined): Json {
    const row = onlyType ? this.getArtifactOfType(id, onlyType) : this.get('Artifact', id);
    if (patch.artifactType !== row.body.artifactType) {
      throw new ApiError(400, `artifact with id ${id} is not a ${ARTIFACT_TYPES[String(patch.artifactType)]?.label ?? String(patch.artifactType)}: bad request`);
    }
    return this.update('Artifact', id, patch);
  }

  /** POST …/model_versions/{id}/artifacts and …/experiment_runs/{id}/artifacts: create (201), or attach + update by `id` (200). */
  private upsertOwnedArtifact(parentKind: Kind, parentRef: string, body: Json): [number, Json] {
    const parent = this.get(parentKind, parentRef);
    if (typeof body.id === 'string') {
      const row = this.get('Artifact', body.id, 400);
      if (row.body.artifactType !== body.artifactType) {
        throw new ApiError(400, `artifact with id ${body.id} is not a ${ARTIFACT_TYPES[String(body.artifactType)]?.label}: bad request`);
      }
      row.attributions.add(parent.id);
      return [200, this.update('Artifact', body.id, body)];
    }
    const fields = parentKind === 'ExperimentRun'
      // upstream (setExperimentPropertiesOnArtifact) records the run and its experiment on the artifact
      ? { ...body, experimentId: String(parent.body.experimentId), experimentRunId: String(parent.id) }
      : body;
    return [201, this.createArtifact(fields, parent.id)];
  }

  private findArtifact(q: URLSearchParams, type: string | undefined): Json {
    const name = q.get('name') || undefined;
    const ext = q.get('externalId') || undefined;
    const parent = q.get('parentResourceId') || undefined;
    if ((name === undefined || parent === undefined) && ext === undefined) {
      throw new ApiError(400, 'invalid parameters call, supply either (artifactName and parentResourceId), or externalId: bad request');
    }
    const parentId = parent !== undefined ? this.parseId(parent) : undefined;
    const hits = this.all('Artifact').filter((r) => (!type || r.body.artifactType === type) &&
      (name === undefined || r.body.name === name) && (ext === undefined || r.body.externalId === ext) &&
      (parentId === undefined || r.attributions.has(parentId)));
    const label = type ? ARTIFACT_TYPES[type]!.label : 'artifact';
    if (hits.length !== 1) {
      throw new ApiError(404, `${hits.length ? 'multiple' : 'no'} ${label}s found for name=${name ?? ''}, parentResourceId=${parent ?? ''}, externalId=${ext ?? ''}: not found`);
    }
    return this.out(hits[0]!);
  }

  // ---- find by params

  private find(kind: Kind, q: URLSearchParams, child: boolean): Json {
    const name = q.get('name') || undefined;
    const ext = q.get('externalId') || undefined;
    const parent = q.get('parentResourceId') || undefined;
    const label = KINDS[kind].label;
    if (child ? (name === undefined || parent === undefined) && ext === undefined : name === undefined && ext === undefined) {
      throw new ApiError(400, child
        ? `invalid parameters call, supply either (name and parentResourceId), or externalId: bad request`
        : `invalid parameters call, supply either name or externalId: bad request`);
    }
    const parentId = child && parent !== undefined ? this.parseId(parent) : undefined;
    const hits = this.all(kind).filter((r) => (name === undefined || r.body.name === name) && (ext === undefined || r.body.externalId === ext) &&
      (parentId === undefined || r.parentId === parentId));
    if (hits.length !== 1) {
      const what = kind === 'ModelVersion'
        ? `versionName=${name ?? ''}, registeredModelId=${parent ?? ''}, externalId=${ext ?? ''}`
        : child ? `name=${name ?? ''}, parentResourceId=${parent ?? ''}, externalId=${ext ?? ''}` : `name=${name ?? ''}, externalId=${ext ?? ''}`;
      throw new ApiError(404, `${hits.length ? 'multiple' : 'no'} ${label}s found for ${what}: not found`);
    }
    return this.out(hits[0]!);
  }

  /** The version an inference service serves: its modelVersionId, else the model's newest version. */
  private servedVersion(is: Row): Row {
    if (is.body.modelVersionId !== undefined) return this.get('ModelVersion', String(is.body.modelVersionId));
    const rm = Number(is.body.registeredModelId);
    const versions = this.all('ModelVersion').filter((r) => r.parentId === rm).sort((a, b) => b.created - a.created || b.id - a.id);
    if (!versions.length) throw new ApiError(404, `no model versions found for id ${is.id}: not found`);
    return versions[0]!;
  }

  // ---- lists

  private listOptions(q: URLSearchParams, extraFilter: string): ListOptions {
    const ps = q.get('pageSize') ?? '';
    let pageSize = 0;
    if (ps !== '') {
      if (!/^[-+]?\d+$/.test(ps) || Math.abs(Number(ps)) > 2 ** 31 - 1) throw new ApiError(400, `strconv.ParseInt: parsing ${JSON.stringify(ps)}: invalid syntax: bad request`);
      pageSize = Number(ps);
    }
    const fq = q.get('filterQuery') ?? '';
    const combined = fq && extraFilter ? `(${fq}) AND ${extraFilter}` : fq ? fq : extraFilter;
    let filter: FilterExpr | undefined;
    try {
      filter = parseFilter(combined);
    } catch (e) {
      if (e instanceof FilterError) throw new ApiError(400, `invalid filter query: ${e.message}: bad request`);
      throw e;
    }
    return {
      filter,
      pageSize,
      orderBy: (q.get('orderBy') || 'ID') as ListOptions['orderBy'],
      sortOrder: (q.get('sortOrder') || 'ASC') as ListOptions['sortOrder'],
      nextPageToken: q.get('nextPageToken') ?? '',
    };
  }

  private list(kind: Kind, base: (r: Row) => boolean, o: ListOptions): Json {
    const orderValue = (r: Row): number => (o.orderBy === 'CREATE_TIME' ? r.created : o.orderBy === 'LAST_UPDATE_TIME' ? r.updated : r.id);
    const dir = o.sortOrder === 'DESC' ? -1 : 1;
    let rows = this.all(kind).filter(base).filter((r) => matches(o.filter, r, this.lookup));
    rows.sort((a, b) => dir * (orderValue(a) - orderValue(b) || a.id - b.id));
    const cursor = decodeCursor(o.nextPageToken);
    if (cursor) {
      rows = rows.filter((r) => {
        const v = orderValue(r);
        return dir > 0 ? v > cursor.value || (v === cursor.value && r.id > cursor.id) : v < cursor.value || (v === cursor.value && r.id < cursor.id);
      });
    }
    const page = o.pageSize > 0 ? rows.slice(0, o.pageSize) : rows;
    const hasMore = o.pageSize > 0 && rows.length > o.pageSize;
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.out(r)),
      nextPageToken: hasMore && last ? Buffer.from(`${last.id}:${orderValue(last)}`).toString('base64') : '',
      pageSize: o.pageSize,
      size: page.length,
    };
  }

  private builtins(schema: string): Set<string> {
    let s = this.builtinCache.get(schema);
    if (!s) {
      s = this.spec.propertyNames(schema);
      s.delete('customProperties');
      this.builtinCache.set(schema, s);
    }
    return s;
  }

  /** filterQuery property → the value upstream's query builder would compare (see filter.ts). */
  private readonly lookup = (r: Row, c: Comparison, type: ValueType): Stored | undefined => {
    const field = c.property.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
    const o = this.out(r);
    if (this.builtins(this.schemaOf(r)).has(field)) {
      const v = o[field];
      if (v === undefined || v === null) return undefined;
      if (INT_FIELDS.has(field)) return { kind: 'number', value: Number(v) };
      if (typeof v === 'number') return { kind: 'number', value: v };
      if (typeof v === 'boolean') return { kind: 'bool', value: v };
      if (typeof v === 'string') return { kind: 'string', value: v };
      return undefined;
    }
    const cp = (o.customProperties as Record<string, Json> | undefined)?.[c.property];
    if (!cp) return undefined;
    const v = cp[type];
    if (v === undefined || v === null) return undefined;
    if (type === 'string_value') return { kind: 'string', value: String(v) };
    if (type === 'bool_value') return { kind: 'bool', value: Boolean(v) };
    return { kind: 'number', value: Number(v) };
  };
}

/** The server sets these; a body carrying them (allowed by some request schemas) does not change them. */
function withoutServerFields(body: Json): Json {
  const { id: _id, createTimeSinceEpoch: _c, lastUpdateTimeSinceEpoch: _u, ...rest } = body;
  return rest;
}

/** `name` / `externalId` query parameters of nested lists, combined like upstream's buildCombinedFilterQuery. */
function nameFilter(q: URLSearchParams): string {
  const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const name = q.get('name');
  if (name) return `name = ${quote(name)}`;
  const ext = q.get('externalId');
  if (ext) return `externalId = ${quote(ext)}`;
  return '';
}

function decodeCursor(token: string): { id: number; value: number } | undefined {
  if (!token) return undefined;
  const text = Buffer.from(token, 'base64').toString('utf8');
  const m = /^(-?\d+):(-?\d+)$/.exec(text);
  if (!m || Buffer.from(text).toString('base64') !== token) return undefined;
  return { id: Number(m[1]), value: Number(m[2]) };
}
