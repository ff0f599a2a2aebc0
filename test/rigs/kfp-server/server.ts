// The KFP v2beta1 REST API stand-in: a Node http server in the test process that answers /apis/v2beta1/* like the
// KFP 2.17 API server behind its grpc-gateway (routes, status codes, error bodies, field names and emptiness rules),
// keeps pipelines, versions, experiments, runs and recurring runs in memory, and plays runs on the kube rig (engine.ts).
//
// Every request is checked against the swagger (spec.ts) before it is served: an invalid one is answered 400 the way
// the gateway answers a body protojson refuses. Every response is checked too: one that does not match the spec is
// a bug of the stand-in, recorded in violations() (tests assert it stays empty) and still sent.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeRig } from '../kube/index';
import { Engine, type RunHandle } from './engine';
import {
  Code, KfpError, alreadyExists, badRequest, failedPrecondition, gatewayError, invalidInput, isKfpError, notFound, unauthenticated,
} from './errors';
import { checkPipelineFileName, parseInlineSpec, parsePipeline, validateRunParameters, type ParsedPipeline } from './ir';
import { KubeApi } from '../kube/kube-api';
import { listRows, type ListRequest, type Listable } from './listing';
import {
  EXPERIMENTS, PIPELINES, RECURRING_RUNS, RUNS, VERSIONS, apiExperiment, apiPipeline, apiRecurringRun, apiRun, apiVersion,
  type ExperimentRec, type PipelineRec, type RecurringRunRec, type RunRec, type RuntimeState, type VersionRec,
} from './model';
import { boundaryOf, parseMultipart, type FormPart } from './multipart';
import { KfpApiSpec, type Operation } from '../../support/kfp-api-spec';

export interface KfpApiServerOptions {
  kube: KubeRig;
  spec: KfpApiSpec;
  /** How long each step's pod runs (ms). Default 1000. */
  stepDelayMs?: number;
  /** How long each driver node takes (ms). Default 150. */
  driverDelayMs?: number;
  /** How long a new run stays PENDING (ms). Default 300. */
  pendingDelayMs?: number;
  /** Task names (IR task keys or taskInfo names) whose step fails, in every run. */
  failTasks?: string[];
  /** Execution caching as upstream (on by default there): a step with enableCache and the same inputs as an earlier successful one is skipped. Default true. */
  caching?: boolean;
  /** Multi-user mode (MULTIUSER=true): requests need the user header; experiments and runs live in profile namespaces. */
  multiUser?: boolean | { userIdHeader?: string; userIdPrefix?: string };
  /** Namespace of the KFP installation (POD_NAMESPACE): single-user runs' pods go there. Default kubeflow. */
  namespace?: string;
  /** 127.0.0.1 port to listen on; default a free one. */
  port?: number;
}

export interface Violation {
  request: string;
  status?: number;
  errors: string[];
}

interface Ctx {
  op: Operation;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  form: FormPart[];
  headers: http.IncomingHttpHeaders;
  url: URL;
}

interface Reply {
  status?: number;
  body: unknown;
  /** The upload endpoints are plain HTTP handlers: their errors are {error_message, error_details}. */
  raw?: boolean;
}

const nowSec = () => Math.floor(Date.now() / 1000);
const uuid = () => crypto.randomUUID();
const DEFAULT_EXPERIMENT_DESCRIPTION = 'All runs created without specifying an experiment will be grouped here.';
const MAX_BODY = 32 << 20;

/** `rig:fail=a,b` and `rig:delay=<ms>` in a run's description: per-run failure injection and step time. */
function rigDirectives(description: string): { failTasks: Set<string>; stepDelayMs?: number } {
  const fail = /\brig:fail=([\w.,-]+)/.exec(description)?.[1];
  const delay = /\brig:delay=(\d+)/.exec(description)?.[1];
  return { failTasks: new Set(fail ? fail.split(',').filter(Boolean) : []), stepDelayMs: delay ? Number(delay) : undefined };
}

export class KfpApiServer {
  readonly pipelines = new Map<string, PipelineRec>();
  readonly versions = new Map<string, VersionRec>();
  readonly experiments = new Map<string, ExperimentRec>();
  readonly runs = new Map<string, RunRec>();
  readonly recurringRuns = new Map<string, RecurringRunRec>();
  readonly engine: Engine;
  readonly namespace: string;
  readonly multiUser: { userIdHeader: string; userIdPrefix: string } | undefined;
  private readonly spec: KfpApiSpec;
  private readonly kubeApi: KubeApi;
  private readonly violationList: Violation[] = [];
  private readonly handles = new Map<string, RunHandle>();
  private server?: http.Server;
  port = 0;

  constructor(private readonly opts: KfpApiServerOptions) {
    this.spec = opts.spec;
    this.namespace = opts.namespace ?? 'kubeflow';
    this.multiUser = opts.multiUser
      ? { userIdHeader: 'kubeflow-userid', userIdPrefix: '', ...(typeof opts.multiUser === 'object' ? opts.multiUser : {}) }
      : undefined;
    this.kubeApi = new KubeApi(opts.kube);
    this.engine = new Engine(opts.kube, this.kubeApi, {
      stepDelayMs: opts.stepDelayMs ?? 1000,
      driverDelayMs: opts.driverDelayMs ?? 150,
      pendingDelayMs: opts.pendingDelayMs ?? 300,
      failTasks: new Set(opts.failTasks ?? []),
      caching: opts.caching ?? true,
    }, (e) => this.violationList.push({ request: 'run execution', errors: [String((e as Error)?.stack ?? e)] }));
    // single-user: main.go creates the Default experiment at start-up
    if (!this.multiUser) this.defaultExperiment('');
  }

  violations(): Violation[] {
    return [...this.violationList];
  }

  async listen(): Promise<number> {
    await this.kubeApi.ensureNamespace(this.namespace);
    this.server = http.createServer((req, res) => { void this.handle(req, res); });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const h of this.handles.values()) if (h.workflow && !['Succeeded', 'Failed'].includes(h.workflow.phase)) h.workflow.abort.abort();
    await this.engine.stop();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
    this.kubeApi.close();
  }

  // ----------------------------------------------------------------------------------------------
  // HTTP plumbing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const label = `${method} ${url.pathname}${url.search}`;
    let op: Operation | undefined;
    let reply: Reply;
    try {
      const body = await readBody(req);
      const extra = await this.extraRoute(method, url);
      if (extra) {
        res.writeHead(extra.status, { 'content-type': extra.type });
        res.end(extra.body);
        return;
      }
      const m = this.spec.match(method, url.pathname);
      if (!('op' in m)) {
        throw m.methodMismatch ? gatewayError(Code.Unimplemented, 'Method Not Allowed') : gatewayError(Code.NotFound, 'Not Found');
      }
      op = m.op;
      const ctx = this.parseRequest(op, m.params, url, req.headers, body);
      reply = await this.dispatch(ctx);
    } catch (e) {
      const err = isKfpError(e) ? e : new KfpError(Code.Internal, 'Internal Server Error', `Internal error: ${String((e as Error)?.stack ?? e)}`);
      if (!isKfpError(e)) this.violationList.push({ request: label, errors: [`unexpected error in the stand-in: ${err.internal}`] });
      const upload = op?.operationId === 'UploadPipeline' || op?.operationId === 'UploadPipelineVersion';
      reply = upload
        ? { status: err.httpStatus, body: { error_message: err.external, error_details: err.internal }, raw: true }
        : { status: err.httpStatus, body: err.gatewayBody() };
    }
    const status = reply.status ?? 200;
    if (op && !reply.raw) {
      const v = this.spec.validateResponse(op, status, reply.body);
      if (!v.ok) this.violationList.push({ request: label, status, errors: v.errors });
    } else if (op && reply.raw) {
      const e = reply.body as Record<string, unknown>;
      if (typeof e.error_message !== 'string' || typeof e.error_details !== 'string' || Object.keys(e).length !== 2) {
        this.violationList.push({ request: label, status, errors: ['upload error body is not {error_message, error_details}'] });
      }
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Endpoints outside the v2beta1 swagger that clients use: v1beta1 healthz and the v1alpha1 node log reader. */
  private async extraRoute(method: string, url: URL): Promise<{ status: number; type: string; body: string } | undefined> {
    if (method === 'GET' && url.pathname === '/apis/v1beta1/healthz') {
      return { status: 200, type: 'application/json', body: JSON.stringify({ commit_sha: 'unknown', tag_name: this.spec.version, multi_user: !!this.multiUser }) };
    }
    const m = /^\/apis\/v1alpha1\/runs\/([^/]+)\/nodes\/([^/]+)\/log$/.exec(url.pathname);
    if (method === 'GET' && m) {
      const run = this.runs.get(decodeURIComponent(m[1]!));
      const nodeId = decodeURIComponent(m[2]!);
      const node = run?.workflow && [...run.workflow.nodes.values()].find((n) => n.id === nodeId || n.pod?.name === nodeId);
      if (!run || !node?.pod) {
        const e = notFound('Run node', `${m[1]}/${nodeId}`);
        return { status: 404, type: 'application/json', body: JSON.stringify({ error_message: e.external, error_details: e.internal }) };
      }
      try {
        const text = await this.kubeApi.requestText('GET', `/api/v1/namespaces/${encodeURIComponent(node.pod.namespace)}/pods/${encodeURIComponent(node.pod.name)}/log?container=main`);
        return { status: 200, type: 'text/plain; charset=utf-8', body: text };
      } catch (e) {
        return { status: 500, type: 'application/json', body: JSON.stringify({ error_message: 'Failed to read the log of the pod', error_details: String((e as Error).message) }) };
      }
    }
    return undefined;
  }

  private parseRequest(op: Operation, params: Record<string, string>, url: URL, headers: http.IncomingHttpHeaders, raw: Buffer): Ctx {
    // healthz is a plain handler without authorization (main.go)
    if (this.multiUser && op.operationId !== 'HealthzService_GetHealthz' && !headers[this.multiUser.userIdHeader.toLowerCase()]) {
      throw unauthenticated('there is no user identity header').wrap('Request header error');
    }
    const query: Record<string, unknown> = {};
    for (const p of op.queryParams) {
      const v = url.searchParams.get(p.name);
      if (v === null) continue;
      if (p.type === 'integer') {
        if (!/^-?\d+$/.test(v)) throw gatewayError(Code.InvalidArgument, `type mismatch, parameter: ${p.name}, error: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
        query[p.name] = Number(v);
      } else if (p.type === 'boolean') {
        if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(v)) {
          throw gatewayError(Code.InvalidArgument, `type mismatch, parameter: ${p.name}, error: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
        }
        query[p.name] = ['true', '1', 't', 'TRUE', 'True'].includes(v);
      } else {
        query[p.name] = v;
      }
    }
    let body: unknown;
    let form: FormPart[] = [];
    if (op.formData.length) {
      const boundary = boundaryOf(headers['content-type']);
      if (boundary) {
        try { form = parseMultipart(raw, boundary); } catch { form = []; }
      }
    } else if (op.body) {
      const text = raw.toString('utf8');
      if (text.trim() === '') {
        body = {};
      } else {
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw gatewayError(Code.InvalidArgument, `proto: syntax error (line 1:1): ${(e as Error).message}`);
        }
      }
      const v = this.spec.validateBody(op, body);
      if (!v.ok) throw gatewayError(Code.InvalidArgument, `proto: ${v.errors.join('; ')}`);
    }
    return { op, params, query, body, form, headers, url };
  }

  private async dispatch(c: Ctx): Promise<Reply> {
    const q = c.query as Record<string, string | number | boolean | undefined>;
    const p = c.params;
    const b = c.body as Record<string, unknown>;
    switch (c.op.operationId) {
      case 'HealthzService_GetHealthz':
        // a plain handler in main.go: it adds commit_sha and tag_name, which the swagger does not list (spec.ts allows them)
        return { body: { commit_sha: 'unknown', tag_name: this.spec.version, multi_user: !!this.multiUser, pipeline_store: 'database' } };
      case 'AuthService_Authorize': return { body: {} };
      case 'DummyFilterService_GetFilter': return { body: {} };

      case 'PipelineService_CreatePipeline': return { body: apiPipeline(this.createPipeline(b)) };
      case 'PipelineService_CreatePipelineAndVersion': return { body: apiPipeline(await this.createPipelineAndVersion(b)) };
      case 'PipelineService_GetPipeline': return { body: apiPipeline(this.pipeline(p.pipeline_id!, `Failed to get a pipeline ${p.pipeline_id}. Check error stack`)) };
      case 'PipelineService_GetPipelineByName': return { body: apiPipeline(this.pipelineByName(p.name!, String(q.namespace ?? ''))) };
      case 'PipelineService_ListPipelines': return { body: this.listPipelines(q) };
      case 'PipelineService_DeletePipeline': this.deletePipeline(p.pipeline_id!, q.cascade === true); return { body: {} };
      case 'PipelineService_UpdatePipeline': return { body: apiPipeline(this.updatePipeline(p['pipeline.pipeline_id']!, b)) };
      case 'PipelineService_CreatePipelineVersion': return { body: apiVersion(await this.createVersionFromUrl(p.pipeline_id!, b)) };
      case 'PipelineService_GetPipelineVersion': return { body: apiVersion(this.version(p.pipeline_id!, p.pipeline_version_id!)) };
      case 'PipelineService_ListPipelineVersions': return { body: this.listVersions(p.pipeline_id!, q) };
      case 'PipelineService_DeletePipelineVersion': this.deleteVersion(p.pipeline_id!, p.pipeline_version_id!); return { body: {} };
      case 'PipelineService_UpdatePipelineVersion': return { body: apiVersion(this.updateVersion(p['pipeline_version.pipeline_id']!, p['pipeline_version.pipeline_version_id']!, b)) };
      case 'UploadPipeline': return this.upload(c);
      case 'UploadPipelineVersion': return this.uploadVersion(c);

      case 'ExperimentService_CreateExperiment': return { body: apiExperiment(this.createExperiment(b)) };
      case 'ExperimentService_GetExperiment': return { body: apiExperiment(this.experiment(p.experiment_id!, `Failed to get experiment ${p.experiment_id}`)) };
      case 'ExperimentService_ListExperiments': return { body: this.listExperiments(q) };
      case 'ExperimentService_DeleteExperiment': this.deleteExperiment(p.experiment_id!); return { body: {} };
      case 'ExperimentService_ArchiveExperiment': this.archiveExperiment(p.experiment_id!, true); return { body: {} };
      case 'ExperimentService_UnarchiveExperiment': this.archiveExperiment(p.experiment_id!, false); return { body: {} };

      case 'RunService_CreateRun': return { body: apiRun(this.createRun(b, String(q.experiment_id ?? '')), this.taskDetails(undefined)) };
      case 'RunService_GetRun': { const r = this.run(p.run_id!, `Failed to get run ${p.run_id}`); return { body: apiRun(r, this.taskDetails(r)) }; }
      case 'RunService_ListRuns': return { body: this.listRuns(q) };
      case 'RunService_DeleteRun': await this.deleteRun(p.run_id!); return { body: {} };
      case 'RunService_ArchiveRun': this.archiveRun(p.run_id!, true); return { body: {} };
      case 'RunService_UnarchiveRun': this.archiveRun(p.run_id!, false); return { body: {} };
      case 'RunService_TerminateRun': this.terminateRun(p.run_id!); return { body: {} };
      case 'RunService_RetryRun': this.retryRun(p.run_id!); return { body: {} };

      case 'RecurringRunService_CreateRecurringRun': return { body: apiRecurringRun(this.createRecurringRun(b)) };
      case 'RecurringRunService_GetRecurringRun': return { body: apiRecurringRun(this.recurringRun(p.recurring_run_id!)) };
      case 'RecurringRunService_ListRecurringRuns': return { body: this.listRecurringRuns(q) };
      case 'RecurringRunService_DeleteRecurringRun': this.recurringRun(p.recurring_run_id!); this.recurringRuns.delete(p.recurring_run_id!); return { body: {} };
      case 'RecurringRunService_EnableRecurringRun': this.enableRecurringRun(p.recurring_run_id!, true); return { body: {} };
      case 'RecurringRunService_DisableRecurringRun': this.enableRecurringRun(p.recurring_run_id!, false); return { body: {} };

      default:
        throw gatewayError(Code.Unimplemented, `${c.op.operationId} is not implemented by the KFP API stand-in`);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // namespaces

  /** ReplaceNamespace: single-user mode ignores namespaces of pipelines/experiments (everything is shared). */
  private ns(requested: string | undefined): string {
    return this.multiUser ? (requested ?? '') : '';
  }

  private podNamespace(experimentNamespace: string): string {
    return this.multiUser && experimentNamespace ? experimentNamespace : this.namespace;
  }

  // ----------------------------------------------------------------------------------------------
  // pipelines and versions

  private pipeline(id: string, context: string): PipelineRec {
    if (!id) throw invalidInput('Failed to get a pipeline. Pipeline id cannot be empty');
    const p = this.pipelines.get(id);
    if (!p) throw notFound('Pipeline', id).wrap(context);
    return p;
  }

  private pipelineByName(name: string, namespace: string): PipelineRec {
    const ns = this.ns(namespace);
    const p = [...this.pipelines.values()].find((x) => x.name === name && x.namespace === ns);
    if (!p) throw notFound('Namespace/Pipeline', `${ns}/${name}`).wrap(`Failed to get a pipeline with name ${name} and namespace ${namespace}. Check error stack.`);
    return p;
  }

  private newPipeline(name: string, displayName: string, description: string, namespace: string, tags?: Record<string, string>): PipelineRec {
    if (!name) throw invalidInput('name is required');
    const ns = this.ns(namespace);
    if ([...this.pipelines.values()].some((x) => x.name === name && x.namespace === ns)) {
      throw alreadyExists(`Failed to create a new pipeline. The name ${name} already exists. Please specify a new name`);
    }
    return { id: uuid(), name, displayName: displayName || name, description, namespace: ns, createdAt: nowSec(), tags };
  }

  private newVersion(pipeline: PipelineRec, name: string, displayName: string, description: string, parsed: ParsedPipeline, extra: Partial<VersionRec> = {}): VersionRec {
    if (!name) throw invalidInput('name is required');
    if ([...this.versions.values()].some((v) => v.pipelineId === pipeline.id && v.name === name)) {
      throw alreadyExists(`Failed to create a new pipeline version. The name ${name} already exist. Please specify a new name`);
    }
    return { id: uuid(), pipelineId: pipeline.id, name, displayName: displayName || name, description, createdAt: nowSec(), parsed, ...extra };
  }

  private createPipeline(body: Record<string, unknown>): PipelineRec {
    try {
      const name = String(body.name ?? '') || String(body.display_name ?? '');
      const p = this.newPipeline(name, String(body.display_name ?? ''), String(body.description ?? ''), String(body.namespace ?? ''), body.tags as Record<string, string>);
      this.pipelines.set(p.id, p);
      return p;
    } catch (e) {
      throw isKfpError(e) ? e.wrap('Failed to create a pipeline due to server error') : e;
    }
  }

  private async fetchSpec(url: string, context: string): Promise<ParsedPipeline> {
    let u: URL;
    try { u = new URL(url); } catch { throw invalidInput(`invalid pipeline spec URL: ${url}`).wrap(context); }
    let text: string;
    try {
      const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw invalidInput(`error fetching pipeline spec from ${url} - request returned ${res.status} ${res.statusText}`);
      text = await res.text();
    } catch (e) {
      if (isKfpError(e)) throw e.wrap(context);
      throw new KfpError(Code.Internal, 'Internal Server Error', `${context}: InternalServerError: error downloading the pipeline spec from ${url}: ${(e as Error).message}`);
    }
    try {
      checkPipelineFileName(u.pathname);
      return parsePipeline(text);
    } catch (e) {
      throw isKfpError(e) ? e.wrap(context) : e;
    }
  }

  private async createPipelineAndVersion(body: Record<string, unknown>): Promise<PipelineRec> {
    const pb = (body.pipeline ?? {}) as Record<string, unknown>;
    const vb = (body.pipeline_version ?? {}) as Record<string, unknown>;
    const url = (vb.package_url as { pipeline_url?: string } | undefined)?.pipeline_url ?? '';
    const context = 'Failed to create a pipeline and a pipeline version';
    if (!url) throw invalidInput('Pipeline version must have a package URL').wrap(context);
    const fileName = url.split('/').pop() ?? '';
    const name = String(pb.name ?? '') || String(pb.display_name ?? '') || fileName;
    const parsed = await this.fetchSpec(url, context);
    let p: PipelineRec;
    try { p = this.newPipeline(name, String(pb.display_name ?? ''), String(pb.description ?? ''), String(pb.namespace ?? ''), pb.tags as Record<string, string>); } catch (e) { throw isKfpError(e) ? e.wrap(context) : e; }
    const v = this.newVersion(p, name, String(pb.display_name ?? ''), String(pb.description ?? ''), parsed, { packageUrl: url, codeSourceUrl: String(vb.code_source_url ?? '') || undefined });
    this.pipelines.set(p.id, p);
    this.versions.set(v.id, v);
    return p;
  }

  private async createVersionFromUrl(pipelineId: string, body: Record<string, unknown>): Promise<VersionRec> {
    const context = 'Failed to create a pipeline version';
    const p = this.pipeline(pipelineId, context);
    if (body.pipeline_id && body.pipeline_id !== pipelineId) throw invalidInput('pipeline_id in the body does not match the path').wrap(context);
    const url = (body.package_url as { pipeline_url?: string } | undefined)?.pipeline_url ?? '';
    if (!url) throw invalidInput('Pipeline version must have a package URL').wrap(context);
    const parsed = await this.fetchSpec(url, context);
    const name = String(body.name ?? '') || String(body.display_name ?? '') || (url.split('/').pop() ?? '');
    let v: VersionRec;
    try {
      v = this.newVersion(p, name, String(body.display_name ?? ''), String(body.description ?? ''), parsed,
        { packageUrl: url, codeSourceUrl: String(body.code_source_url ?? '') || undefined, tags: body.tags as Record<string, string> });
    } catch (e) { throw isKfpError(e) ? e.wrap(context) : e; }
    this.versions.set(v.id, v);
    return v;
  }

  private version(pipelineId: string, versionId: string): VersionRec {
    const v = this.versions.get(versionId);
    if (!v || v.pipelineId !== pipelineId) throw notFound('PipelineVersion', versionId).wrap(`Failed to get a pipeline version ${versionId}`);
    return v;
  }

  /** The newest version of a pipeline (what a run or a recurring run without a version id uses). */
  private latestVersion(pipelineId: string): VersionRec | undefined {
    return [...this.versions.values()].filter((v) => v.pipelineId === pipelineId)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))[0];
  }

  private updatePipeline(id: string, body: Record<string, unknown>): PipelineRec {
    const p = this.pipeline(id, 'Failed to update a pipeline');
    if (typeof body.display_name === 'string' && body.display_name) p.displayName = body.display_name;
    if (typeof body.description === 'string') p.description = body.description;
    if (body.tags) p.tags = body.tags as Record<string, string>;
    return p;
  }

  private updateVersion(pipelineId: string, versionId: string, body: Record<string, unknown>): VersionRec {
    const v = this.version(pipelineId, versionId);
    if (typeof body.display_name === 'string' && body.display_name) v.displayName = body.display_name;
    if (typeof body.description === 'string') v.description = body.description;
    if (body.tags) v.tags = body.tags as Record<string, string>;
    return v;
  }

  private deletePipeline(id: string, cascade: boolean): void {
    this.pipeline(id, `Failed to delete pipeline ${id}`);
    const versions = [...this.versions.values()].filter((v) => v.pipelineId === id);
    if (versions.length && !cascade) {
      throw failedPrecondition(`Failed to delete pipeline with id ${id} as it has existing pipeline versions (e.g. ${versions[0]!.id})`)
        .wrap(`Failed to delete pipeline ${id}. Check error stack`);
    }
    for (const v of versions) this.versions.delete(v.id);
    this.pipelines.delete(id);
  }

  private deleteVersion(pipelineId: string, versionId: string): void {
    this.version(pipelineId, versionId);
    this.versions.delete(versionId);
  }

  private list<T>(rows: T[], listable: Listable<T>, q: Record<string, unknown>, context: string): { rows: T[]; total: number; next: string } {
    const req: ListRequest = { page_token: q.page_token as string, page_size: q.page_size as number, sort_by: q.sort_by as string, filter: q.filter as string };
    if (req.filter && !req.page_token) {
      let parsed: unknown;
      try { parsed = JSON.parse(req.filter); } catch { parsed = undefined; }
      if (parsed !== undefined) {
        const v = this.spec.validateDefinition('v2beta1Filter', parsed);
        if (!v.ok) throw invalidInput(`failed to parse valid filter from ${JSON.stringify(req.filter)}: ${v.errors.join('; ')}`).wrap(context);
      }
    }
    try {
      const r = listRows(rows, listable, req);
      return { rows: r.rows, total: r.totalSize, next: r.nextPageToken };
    } catch (e) {
      throw isKfpError(e) ? e.wrap(context) : e;
    }
  }

  private listPipelines(q: Record<string, unknown>): Record<string, unknown> {
    const ns = this.ns(q.namespace as string);
    const r = this.list([...this.pipelines.values()].filter((p) => p.namespace === ns), PIPELINES, q,
      `Failed to list pipelines due invalid list options: pageToken: ${q.page_token ?? ''}, pageSize: ${q.page_size ?? 0}, sortBy: ${q.sort_by ?? ''}, filter: ${q.filter ?? ''}`);
    return listBody('pipelines', r.rows.map(apiPipeline), r.total, r.next);
  }

  private listVersions(pipelineId: string, q: Record<string, unknown>): Record<string, unknown> {
    this.pipeline(pipelineId, `Failed to list pipeline versions`);
    const r = this.list([...this.versions.values()].filter((v) => v.pipelineId === pipelineId), VERSIONS, q, 'Failed to list pipeline versions');
    return listBody('pipeline_versions', r.rows.map(apiVersion), r.total, r.next);
  }

  private readUpload(c: Ctx, context: string): { part: FormPart; parsed: ParsedPipeline } {
    const part = c.form.find((f) => f.name === 'uploadfile');
    if (!part) throw invalidInput('Failed to read pipeline from file').wrap(context);
    const fileName = part.filename ?? '';
    if (part.data.length > 32 << 20) throw invalidInput('File size too large. Maximum supported size: 32MB').wrap(context);
    checkPipelineFileName(fileName);
    return { part, parsed: parsePipeline(part.data.toString('utf8')) };
  }

  private upload(c: Ctx): Reply {
    const q = c.query as Record<string, string | undefined>;
    const context = 'Failed to create a pipeline and a pipeline version';
    const part = c.form.find((f) => f.name === 'uploadfile');
    if (!part) throw new KfpError(Code.InvalidArgument, 'Failed to read pipeline from file', 'Failed to read pipeline from file: http: no such file');
    const { parsed } = this.readUpload(c, context);
    const name = q.name || q.display_name || part.filename || '';
    let tags: Record<string, string> | undefined;
    if (q.tags) {
      try { tags = JSON.parse(q.tags) as Record<string, string>; } catch {
        throw new KfpError(Code.InvalidArgument, 'Failed to parse tags query parameter. Expected JSON object with string keys and values', 'Failed to parse tags query parameter');
      }
    }
    let p: PipelineRec;
    try {
      p = this.newPipeline(name, q.display_name ?? '', q.description ?? '', q.namespace ?? '', tags);
    } catch (e) {
      // the upload handler hides the reason of a conflict behind its own message (pipeline_upload_server.go)
      if (isKfpError(e) && e.code === Code.AlreadyExists) throw new KfpError(Code.AlreadyExists, context, e.wrap(context).internal);
      throw e;
    }
    const v = this.newVersion(p, name, q.display_name ?? '', q.description ?? '', parsed, { codeSourceUrl: (c.url.searchParams.get('code_source_url') ?? '') || undefined });
    this.pipelines.set(p.id, p);
    this.versions.set(v.id, v);
    return { body: apiPipeline(p) };
  }

  private uploadVersion(c: Ctx): Reply {
    const q = c.query as Record<string, string | undefined>;
    const context = 'Failed to create a pipeline version';
    const part = c.form.find((f) => f.name === 'uploadfile');
    if (!part) throw new KfpError(Code.InvalidArgument, context, `${context}. Error parsing pipeline spec filename: http: no such file`);
    const { parsed } = this.readUpload(c, context);
    if (!q.pipelineid) throw new KfpError(Code.InvalidArgument, context, `${context}. Error reading pipeline id`);
    const p = this.pipelines.get(q.pipelineid);
    if (!p) throw new KfpError(Code.InvalidArgument, context, `${context}. Error reading namespace: ${notFound('Pipeline', q.pipelineid).internal}`);
    const name = q.name || q.display_name || part.filename || '';
    let v: VersionRec;
    try {
      v = this.newVersion(p, name, q.display_name ?? '', q.description ?? '', parsed, { codeSourceUrl: (c.url.searchParams.get('code_source_url') ?? '') || undefined });
    } catch (e) {
      if (isKfpError(e) && e.code === Code.AlreadyExists) throw new KfpError(Code.AlreadyExists, context, e.wrap(context).internal);
      throw e;
    }
    this.versions.set(v.id, v);
    return { body: apiVersion(v) };
  }

  // ----------------------------------------------------------------------------------------------
  // experiments

  private experiment(id: string, context: string): ExperimentRec {
    const e = this.experiments.get(id);
    if (!e) throw notFound('Experiment', id).wrap(context);
    return e;
  }

  private defaultExperiment(namespace: string): ExperimentRec {
    const existing = [...this.experiments.values()].find((e) => e.displayName === 'Default' && e.namespace === namespace);
    if (existing) return existing;
    const e: ExperimentRec = {
      id: uuid(), displayName: 'Default', description: DEFAULT_EXPERIMENT_DESCRIPTION, namespace, createdAt: nowSec(),
      storageState: 'AVAILABLE', lastRunCreatedAt: 0,
    };
    this.experiments.set(e.id, e);
    return e;
  }

  private createExperiment(body: Record<string, unknown>): ExperimentRec {
    const context = 'Failed to create an experiment';
    const name = String(body.display_name ?? '');
    if (!name) throw invalidInput('Experiment name is empty. Please specify a valid experiment name').wrap(context);
    const namespace = this.ns(body.namespace as string);
    if (this.multiUser && !namespace) throw invalidInput('Namespace is required in multi-user mode').wrap(context);
    if ([...this.experiments.values()].some((e) => e.displayName === name && e.namespace === namespace)) {
      throw alreadyExists(`Failed to create a new experiment. The name ${name} already exists. Please specify a new name`).wrap(context);
    }
    const e: ExperimentRec = {
      id: uuid(), displayName: name, description: String(body.description ?? ''), namespace, createdAt: nowSec(),
      storageState: 'AVAILABLE', lastRunCreatedAt: 0,
    };
    this.experiments.set(e.id, e);
    return e;
  }

  private listExperiments(q: Record<string, unknown>): Record<string, unknown> {
    const context = 'Failed to list experiments';
    const namespace = this.ns(q.namespace as string);
    if (this.multiUser && !namespace) throw invalidInput('Invalid resource references for experiment. ListExperiment requires filtering by namespace.').wrap(context);
    const r = this.list([...this.experiments.values()].filter((e) => e.namespace === namespace), EXPERIMENTS, q, context);
    return listBody('experiments', r.rows.map(apiExperiment), r.total, r.next);
  }

  private deleteExperiment(id: string): void {
    this.experiment(id, `Failed to delete experiment ${id}`);
    this.experiments.delete(id);
  }

  private archiveExperiment(id: string, archive: boolean): void {
    const e = this.experiment(id, `Failed to ${archive ? 'archive' : 'unarchive'} experiment ${id}`);
    e.storageState = archive ? 'ARCHIVED' : 'AVAILABLE';
    if (archive) {
      // ArchiveExperiment archives the experiment's runs and disables its recurring runs
      for (const r of this.runs.values()) if (r.experimentId === id) r.storageState = 'ARCHIVED';
      for (const j of this.recurringRuns.values()) if (j.experimentId === id) { j.enabled = false; j.updatedAt = nowSec(); }
    }
  }

  // ----------------------------------------------------------------------------------------------
  // runs

  private run(id: string, context: string): RunRec {
    const r = this.runs.get(id);
    if (!r) throw notFound('Run', id).wrap(context);
    return r;
  }

  /** Pipeline source of a run or recurring run: a version reference (latest version when none is named) or an inline spec. */
  private pipelineSource(body: Record<string, unknown>, context: string): { parsed: ParsedPipeline; ref?: { pipelineId: string; versionId: string }; inline?: Record<string, unknown> } {
    const ref = body.pipeline_version_reference as { pipeline_id?: string; pipeline_version_id?: string } | undefined;
    const inline = body.pipeline_spec as Record<string, unknown> | undefined;
    if (ref?.pipeline_id || ref?.pipeline_version_id || body.pipeline_version_id) {
      const versionId = ref?.pipeline_version_id || String(body.pipeline_version_id ?? '');
      let v: VersionRec | undefined;
      if (versionId) {
        v = this.versions.get(versionId);
        if (!v || (ref?.pipeline_id && v.pipelineId !== ref.pipeline_id)) throw notFound('PipelineVersion', versionId).wrap(context);
      } else {
        this.pipeline(ref!.pipeline_id!, context);
        v = this.latestVersion(ref!.pipeline_id!);
        if (!v) throw notFound('PipelineVersion', `latest of pipeline ${ref!.pipeline_id}`).wrap(context);
      }
      return { parsed: v.parsed, ref: { pipelineId: v.pipelineId, versionId: v.id } };
    }
    if (inline && Object.keys(inline).length) {
      try { return { parsed: parseInlineSpec(inline), inline }; } catch (e) { throw isKfpError(e) ? e.wrap(context) : e; }
    }
    throw invalidInput('Neither pipeline spec nor pipeline version reference are provided. Please specify one of them').wrap(context);
  }

  private createRun(body: Record<string, unknown>, queryExperimentId: string): RunRec {
    const context = 'Failed to create a run';
    const displayName = String(body.display_name ?? '');
    if (!displayName) throw invalidInput('The run name is empty. Please specify a valid name').wrap(context);
    const source = this.pipelineSource(body, context);
    const experimentId = String(body.experiment_id ?? '') || queryExperimentId;
    let exp: ExperimentRec;
    if (experimentId) {
      exp = this.experiment(experimentId, context);
    } else if (this.multiUser) {
      throw invalidInput('Experiment ID is required in multi-user mode. Please specify an experiment').wrap(context);
    } else {
      exp = this.defaultExperiment('');
    }
    if (exp.storageState === 'ARCHIVED') throw failedPrecondition(`Experiment ${exp.id} is archived. Unarchive it or use another experiment`).wrap(context);
    const runtimeConfig = (body.runtime_config ?? {}) as { parameters?: Record<string, unknown>; pipeline_root?: string };
    try {
      // the server always hands the template a runtime config (maybe empty), so only per-parameter checks apply
      validateRunParameters(source.parsed.spec, runtimeConfig.parameters ?? {});
    } catch (e) {
      throw isKfpError(e) ? e.wrap('invalid pipeline job inputs').wrap('Failed to create a new run').wrap(context) : e;
    }
    const now = nowSec();
    const description = String(body.description ?? '');
    const r: RunRec = {
      id: uuid(), displayName, description, experimentId: exp.id, namespace: exp.namespace, storageState: 'AVAILABLE',
      pipelineRef: source.ref, inlineSpec: source.inline, parsed: source.parsed,
      runtimeConfig: { parameters: runtimeConfig.parameters, pipeline_root: runtimeConfig.pipeline_root },
      serviceAccount: String(body.service_account ?? '') || (this.multiUser ? 'default-editor' : 'pipeline-runner'),
      createdAt: now, scheduledAt: now, finishedAt: 0, state: 'PENDING', stateHistory: [{ state: 'PENDING', time: now }],
    };
    this.runs.set(r.id, r);
    exp.lastRunCreatedAt = now;
    const directives = rigDirectives(description);
    const handle: RunHandle = {
      id: r.id, displayName, namespace: this.podNamespace(exp.namespace), serviceAccount: r.serviceAccount, parsed: r.parsed,
      parameters: runtimeConfig.parameters ?? {}, failTasks: directives.failTasks, stepDelayMs: directives.stepDelayMs,
      onPhase: (phase) => this.onPhase(r, phase),
    };
    this.handles.set(r.id, handle);
    this.engine.start(handle);
    r.workflow = handle.workflow;
    return r;
  }

  /** What ReportWorkflowResource does with each workflow update (persistence agent report). */
  private onPhase(r: RunRec, phase: 'Running' | 'Succeeded' | 'Failed' | 'Terminating'): void {
    const state: RuntimeState = phase === 'Running' ? 'RUNNING' : phase === 'Succeeded' ? 'SUCCEEDED' : phase === 'Failed' ? 'FAILED' : 'CANCELING';
    if (!this.runs.has(r.id)) return;
    const now = nowSec();
    r.state = state;
    if (r.stateHistory[r.stateHistory.length - 1]?.state !== state) r.stateHistory.push({ state, time: now });
    // the workflow's message (why it failed) is not copied into run.error by the 2.17 report path
    if (phase === 'Succeeded' || phase === 'Failed') r.finishedAt = now;
  }

  private taskDetails(r: RunRec | undefined): Array<Record<string, unknown>> | undefined {
    if (!r?.workflow) return undefined;
    const details = this.engine.taskDetails(r.id, r.workflow);
    return details.length ? details : undefined;
  }

  private listRuns(q: Record<string, unknown>): Record<string, unknown> {
    const context = 'Failed to list runs';
    let rows = [...this.runs.values()];
    const experimentId = q.experiment_id as string | undefined;
    if (experimentId) {
      this.experiment(experimentId, context);
      rows = rows.filter((r) => r.experimentId === experimentId);
    } else {
      const namespace = this.ns(q.namespace as string);
      if (this.multiUser && !namespace) throw invalidInput('ListRuns must filter by resource reference in multi-user mode.').wrap(context);
      if (this.multiUser) rows = rows.filter((r) => r.namespace === namespace);
    }
    const r = this.list(rows, RUNS, q, context);
    return listBody('runs', r.rows.map((x) => apiRun(x)), r.total, r.next);
  }

  private async deleteRun(id: string): Promise<void> {
    const r = this.run(id, `Failed to delete run ${id}`);
    const h = this.handles.get(id);
    if (h?.workflow && !['Succeeded', 'Failed'].includes(h.workflow.phase)) h.workflow.abort.abort();
    this.runs.delete(id);
    this.handles.delete(id);
    // deleting the Workflow garbage-collects its pods
    const pods = [...(r.workflow?.nodes.values() ?? [])].filter((n) => n.pod).map((n) => n.pod!);
    await Promise.all(pods.map((p) => this.kubeApi.deletePod(p.namespace, p.name)));
  }

  private archiveRun(id: string, archive: boolean): void {
    const r = this.run(id, `Failed to ${archive ? 'archive' : 'unarchive'} run ${id}`);
    if (!archive) {
      const e = this.experiments.get(r.experimentId);
      if (e?.storageState === 'ARCHIVED') {
        throw failedPrecondition(`Failed to unarchive run ${id} as experiment ${e.id} is archived`).wrap(`Failed to unarchive run ${id}`);
      }
    }
    r.storageState = archive ? 'ARCHIVED' : 'AVAILABLE';
  }

  private terminateRun(id: string): void {
    const r = this.run(id, `Failed to terminate run ${id} due to error fetching the run`);
    if (!['PENDING', 'RUNNING', 'PAUSED', 'RUNTIME_STATE_UNSPECIFIED'].includes(r.state)) {
      throw invalidInput(`Failed to terminate a run ${id}. Row not found`).wrap(`Failed to terminate run ${id}`);
    }
    // runStore.TerminateRun: state CANCELING without a state_history entry (upstream TODO); the next report adds it
    r.state = 'CANCELING';
    const h = this.handles.get(id);
    if (h) this.engine.terminate(h);
  }

  private retryRun(id: string): void {
    const r = this.run(id, `Failed to retry run ${id} due to error fetching the run`);
    const h = this.handles.get(id);
    if (r.state !== 'FAILED' || !h?.workflow) {
      throw badRequest('Workflow must be Failed/Error to retry', 'workflow cannot be retried').wrap(`Failed to retry run ${id}`);
    }
    r.finishedAt = 0;
    r.state = 'RUNNING';
    r.stateHistory.push({ state: 'RUNNING', time: nowSec() });
    this.engine.retry(h);
  }

  // ----------------------------------------------------------------------------------------------
  // recurring runs (stored only: nothing fires them)

  private recurringRun(id: string): RecurringRunRec {
    const j = this.recurringRuns.get(id);
    if (!j) throw notFound('RecurringRun', id).wrap(`Failed to get a recurring run ${id}`);
    return j;
  }

  private createRecurringRun(body: Record<string, unknown>): RecurringRunRec {
    const context = 'Failed to create a recurring run';
    const displayName = String(body.display_name ?? '');
    if (!displayName) throw new KfpError(Code.Internal, 'Internal Server Error', `${context}: InternalServerError: Failed to convert a API recurring run to its internal representation: Invalid input error: Recurring run's name cannot be empty`);
    const source = this.pipelineSource(body, context);
    const maxConcurrency = Number(body.max_concurrency ?? 0);
    if (maxConcurrency > 10 || maxConcurrency < 1) {
      throw invalidInput(`Max concurrency of a recurring run must be at leas 1 and at most 10. Received ${maxConcurrency}`).wrap(context);
    }
    const trigger = (body.trigger ?? {}) as { cron_schedule?: { cron?: string }; periodic_schedule?: { interval_second?: string } };
    const cron = trigger.cron_schedule?.cron;
    if (cron !== undefined && !isCron(cron)) {
      throw invalidInput(`Schedule cron is not a supported format(https://godoc.org/github.com/robfig/cron). Error: expected 5 to 6 fields, found ${cron.trim().split(/\s+/).length}: [${cron}]`).wrap(context);
    }
    if (trigger.periodic_schedule?.interval_second !== undefined && Number(trigger.periodic_schedule.interval_second) < 1) {
      throw invalidInput(`Found invalid period schedule interval ${trigger.periodic_schedule.interval_second}. Set at interval to least 1 second`).wrap(context);
    }
    const experimentId = String(body.experiment_id ?? '');
    const exp = experimentId ? this.experiment(experimentId, context) : this.multiUser ? undefined : this.defaultExperiment('');
    if (!exp) throw invalidInput('Experiment ID is required in multi-user mode. Please specify an experiment').wrap(context);
    const runtimeConfig = (body.runtime_config ?? {}) as { parameters?: Record<string, unknown>; pipeline_root?: string };
    try {
      validateRunParameters(source.parsed.spec, runtimeConfig.parameters ?? {});
    } catch (e) {
      throw isKfpError(e) ? e.wrap('invalid pipeline job inputs').wrap(context) : e;
    }
    const now = nowSec();
    const j: RecurringRunRec = {
      id: uuid(), displayName, description: String(body.description ?? ''), experimentId: exp.id, namespace: exp.namespace,
      pipelineRef: source.ref, inlineSpec: source.inline, runtimeConfig,
      serviceAccount: String(body.service_account ?? '') || (this.multiUser ? 'default-editor' : 'pipeline-runner'),
      maxConcurrency: String(maxConcurrency), trigger: body.trigger as Record<string, unknown> ?? {},
      enabled: body.mode === 'ENABLE', noCatchup: body.no_catchup === true, createdAt: now, updatedAt: now,
    };
    this.recurringRuns.set(j.id, j);
    return j;
  }

  private listRecurringRuns(q: Record<string, unknown>): Record<string, unknown> {
    const context = 'Failed to list recurring runs';
    let rows = [...this.recurringRuns.values()];
    const experimentId = q.experiment_id as string | undefined;
    if (experimentId) rows = rows.filter((j) => j.experimentId === experimentId);
    else if (this.multiUser) {
      const namespace = this.ns(q.namespace as string);
      if (!namespace) throw invalidInput('ListRecurringRuns must filter by resource reference in multi-user mode.').wrap(context);
      rows = rows.filter((j) => j.namespace === namespace);
    }
    const r = this.list(rows, RECURRING_RUNS, q, context);
    return listBody('recurringRuns', r.rows.map(apiRecurringRun), r.total, r.next);
  }

  private enableRecurringRun(id: string, enable: boolean): void {
    const j = this.recurringRun(id);
    j.enabled = enable;
    j.updatedAt = nowSec();
  }
}

function listBody(field: string, rows: unknown[], total: number, next: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rows.length) out[field] = rows;
  if (total) out.total_size = total;
  if (next) out.next_page_token = next;
  return out;
}

function isCron(s: string): boolean {
  const fields = s.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => /^[\d*/,?LW#A-Za-z-]+$/.test(f));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY) { req.destroy(); reject(gatewayError(Code.InvalidArgument, 'request body too large')); return; }
      chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
