// The Model Registry client against the REST API spec (../shared/kubeflow-specs/model-registry/model-registry.yaml):
// every request it builds must be an operation of the spec with declared, valid query parameters and a body that
// matches the schema (no undeclared field); the canned answers are spec-valid too, so the parsing is tested on
// what the server is allowed to send. The same client against the real server: test/integration/model-registry-client.test.ts.
import assert from 'node:assert/strict';
import { ApiError, type HttpRequest, type HttpResponse, type HttpTransport } from '../../../core/http/transport';
import { registrationPlan } from '../../../core/katib/state';
import { API_BASES, detectApiBase, ModelRegistryClient, NoRegistryApiError, RegistryDatabaseError } from '../../../core/modelRegistry/client';
import { modelFilterQuery, quote } from '../../../core/modelRegistry/filter';
import { fromPipelineArtifact, fromPlan, nextVersionName, register, RegistrationConflict } from '../../../core/modelRegistry/register';
import { ModelRegistrySpec } from '../../support/model-registry-spec';
import { requireShared } from '../../support/shared';

const BASE = API_BASES.v1alpha3;

type Handler = (req: HttpRequest) => { status: number; body?: unknown };

/** A transport answering from handlers keyed `METHOD path`; records every request; spec-checks both ways. */
function fakeRegistry(spec: ModelRegistrySpec, routes: Record<string, Handler>): { transport: HttpTransport; calls: HttpRequest[]; problems: string[] } {
  const calls: HttpRequest[] = [];
  const problems: string[] = [];
  const inner: HttpTransport = async (req) => {
    calls.push(req);
    const key = `${req.method} ${req.path.replace(BASE, '')}`;
    const h = routes[key];
    const r = h ? h(req) : { status: 404, body: { code: 'not-found', message: `no route ${key}` } };
    const res: HttpResponse = { status: r.status, headers: { 'content-type': 'application/json' }, text: r.body === undefined ? '' : JSON.stringify(r.body) };
    return res;
  };
  return { transport: spec.checking(inner, problems), calls, problems };
}

const t = (n: number) => String(1_716_800_000_000 + n * 1000);
const model = (id: string, name: string, extra: object = {}) => ({ id, name, state: 'LIVE', createTimeSinceEpoch: t(Number(id)), lastUpdateTimeSinceEpoch: t(Number(id)), ...extra });
const version = (id: string, name: string, registeredModelId: string, extra: object = {}) => ({ id, name, registeredModelId, state: 'LIVE', author: 'ada', createTimeSinceEpoch: t(Number(id)), lastUpdateTimeSinceEpoch: t(Number(id)), ...extra });
const artifact = (id: string, uri: string, extra: object = {}) => ({ id, name: `a${id}`, artifactType: 'model-artifact', uri, state: 'LIVE', modelFormatName: 'sklearn', modelFormatVersion: '1', createTimeSinceEpoch: t(Number(id)), lastUpdateTimeSinceEpoch: t(Number(id)), ...extra });
const page = (items: unknown[], nextPageToken = '') => ({ items, nextPageToken, pageSize: 2, size: items.length });

describe('Model Registry client (REST v1alpha3, checked against the spec)', () => {
  let spec: ModelRegistrySpec;
  before(function () {
    spec = new ModelRegistrySpec(requireShared(this, 'kubeflow-specs', 'model-registry', 'model-registry.yaml'));
  });

  it('the spec checker itself rejects what the spec forbids (so the checks below can fail)', () => {
    assert.deepEqual(spec.checkRequest({ method: 'GET', path: `${BASE}/registered_models`, query: { orderBy: 'NAME' } }).length, 1, 'orderBy NAME is not an OrderByField');
    assert.equal(spec.checkRequest({ method: 'GET', path: `${BASE}/registered_models`, query: { page: '2' } }).length, 1, 'undeclared query parameter');
    assert.equal(spec.checkRequest({ method: 'DELETE', path: `${BASE}/registered_models/1` }).length, 1, 'the API has no DELETE');
    assert.match(spec.checkRequest({ method: 'POST', path: `${BASE}/model_versions`, body: { json: { name: 'v1', registeredModelId: '1', modelFormat: 'x' } } })[0] ?? '', /modelFormat/, 'undeclared body field');
    assert.equal(spec.checkRequest({ method: 'PATCH', path: `${BASE}/model_versions/3`, body: { json: { state: 'DELETED' } } }).length, 1, 'DELETED is not a version state');
    assert.equal(spec.checkSchema('RegisteredModelList', { items: [{ name: 'x', customProperties: { a: { metadataType: 'MetadataStringValue', string_value: 1 } } }], nextPageToken: '', pageSize: 1, size: 1 }).length, 1, 'a string property with a number');
    assert.deepEqual(spec.checkSchema('RegisteredModelList', page([model('1', 'mnist')])), []);
  });

  it('lists models with paging, sort and filter; parses the page', async () => {
    const r = fakeRegistry(spec, { 'GET /registered_models': () => ({ status: 200, body: page([model('1', 'mnist', { customProperties: { prod: { metadataType: 'MetadataStringValue', string_value: '' } } }), model('2', 'resnet')], 'tok-2') }) });
    const client = new ModelRegistryClient(r.transport, BASE);
    const p = await client.listRegisteredModels({ pageSize: 2, orderBy: 'LAST_UPDATE_TIME', sortOrder: 'DESC', filterQuery: modelFilterQuery({ text: 'mn' }) });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(p.items.map((m) => m.name), ['mnist', 'resnet']);
    assert.equal(p.nextPageToken, 'tok-2');
    assert.deepEqual(r.calls[0]!.query, { pageSize: '2', nextPageToken: undefined, orderBy: 'LAST_UPDATE_TIME', sortOrder: 'DESC', filterQuery: "name ILIKE '%mn%' AND state = 'LIVE'" });
  });

  it('follows nextPageToken to the end, and stops when a server repeats a token', async () => {
    const pages: Record<string, unknown> = { '': page([model('1', 'a'), model('2', 'b')], 't1'), t1: page([model('3', 'c'), model('4', 'd')], 't2'), t2: page([model('5', 'e')], '') };
    const r = fakeRegistry(spec, { 'GET /registered_models': (req) => ({ status: 200, body: pages[String(req.query?.nextPageToken ?? '')] }) });
    const client = new ModelRegistryClient(r.transport, BASE);
    const all = await client.all((o) => client.listRegisteredModels(o), { pageSize: 2 });
    assert.deepEqual(all.map((m) => m.name), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(r.calls.map((c) => c.query?.nextPageToken), [undefined, 't1', 't2']);
    const loop = fakeRegistry(spec, { 'GET /registered_models': () => ({ status: 200, body: page([model('1', 'a')], 'same') }) });
    const c2 = new ModelRegistryClient(loop.transport, BASE);
    assert.equal((await c2.all((o) => c2.listRegisteredModels(o))).length, 2, 'the second page repeats the token: stop');
    assert.deepEqual([...r.problems, ...loop.problems], []);
  });

  it('lists a model\'s versions and a version\'s artifacts (model artifacts and others)', async () => {
    const r = fakeRegistry(spec, {
      'GET /registered_models/7/versions': () => ({ status: 200, body: page([version('11', 'v1', '7'), version('12', 'v2', '7', { state: 'ARCHIVED' })]) }),
      'GET /model_versions/12/artifacts': () => ({ status: 200, body: page([artifact('21', 's3://models/mnist/v2', { modelSourceKind: 'kfp', modelSourceClass: 'pipelinerun', modelSourceGroup: 'team-a', modelSourceId: 'run-123', modelSourceName: 'train-mnist' }), { id: '22', name: 'card', artifactType: 'doc-artifact', uri: 'https://example.com/card.md', state: 'LIVE' }]) }),
    });
    const client = new ModelRegistryClient(r.transport, BASE);
    const versions = await client.listVersions('7', { orderBy: 'CREATE_TIME', sortOrder: 'DESC' });
    assert.deepEqual(versions.items.map((v) => [v.name, v.state]), [['v1', 'LIVE'], ['v2', 'ARCHIVED']]);
    const arts = await client.listVersionArtifacts('12');
    assert.deepEqual(arts.items.map((a) => a.artifactType), ['model-artifact', 'doc-artifact']);
    assert.deepEqual(r.problems, []);
  });

  it('a find that matches nothing is undefined; other errors carry the registry\'s message', async () => {
    const r = fakeRegistry(spec, {
      'GET /registered_model': () => ({ status: 404, body: { code: 'not-found', message: 'no registered model found for name=nope' } }),
      'GET /registered_models/9': () => ({ status: 500, body: { code: 'internal', message: 'database is locked' } }),
    });
    const client = new ModelRegistryClient(r.transport, BASE);
    assert.equal(await client.findRegisteredModel('nope'), undefined);
    await assert.rejects(client.getRegisteredModel('9'), (e: unknown) => e instanceof ApiError && e.status === 500 && e.message === 'database is locked');
    assert.deepEqual(r.problems, []);
  });

  it('archives and restores with PATCH state (the API has no delete)', async () => {
    const bodies: unknown[] = [];
    const r = fakeRegistry(spec, {
      'PATCH /registered_models/7': (req) => { bodies.push((req.body as { json: unknown }).json); return { status: 200, body: model('7', 'mnist', { state: 'ARCHIVED' }) }; },
      'PATCH /model_versions/11': (req) => { bodies.push((req.body as { json: unknown }).json); return { status: 200, body: version('11', 'v1', '7', { state: 'LIVE' }) }; },
    });
    const client = new ModelRegistryClient(r.transport, BASE);
    assert.equal((await client.setModelState('7', 'ARCHIVED')).state, 'ARCHIVED');
    assert.equal((await client.setVersionState('11', 'LIVE')).state, 'LIVE');
    assert.deepEqual(bodies, [{ state: 'ARCHIVED' }, { state: 'LIVE' }]);
    assert.deepEqual(r.problems, []);
  });

  describe('register a version', () => {
    /** A tiny in-memory registry behind the spec-checked transport. */
    function memoryRegistry(seed: { models?: Array<ReturnType<typeof model>>; versions?: Array<ReturnType<typeof version>>; artifacts?: Record<string, unknown[]> } = {}) {
      const models = [...(seed.models ?? [])];
      const versions = [...(seed.versions ?? [])];
      const artifacts: Record<string, unknown[]> = { ...(seed.artifacts ?? {}) };
      let next = 100;
      const json = (req: HttpRequest) => (req.body as { json: Record<string, unknown> }).json;
      const routes: Record<string, Handler> = {
        'GET /registered_model': (req) => {
          const m = models.find((x) => x.name === req.query?.name);
          return m ? { status: 200, body: m } : { status: 404, body: { code: 'not-found', message: 'not found' } };
        },
        'POST /registered_models': (req) => {
          const m = model(String(next++), String(json(req).name), json(req));
          models.push(m);
          return { status: 201, body: m };
        },
        'POST /model_versions': (req) => {
          const v = version(String(next++), String(json(req).name), String(json(req).registeredModelId), json(req));
          versions.push(v);
          return { status: 201, body: v };
        },
      };
      for (const v of versions) routes[`GET /model_versions/${v.id}/artifacts`] = () => ({ status: 200, body: page(artifacts[v.id] ?? []) });
      const r = fakeRegistry(spec, {
        ...routes,
        'GET /model_version': (req) => {
          const v = versions.find((x) => x.name === req.query?.name && x.registeredModelId === req.query?.parentResourceId);
          return v ? { status: 200, body: v } : { status: 404, body: { code: 'not-found', message: 'not found' } };
        },
      });
      // artifact POSTs go to any version id
      const transport: HttpTransport = async (req) => {
        const m = /\/model_versions\/(\d+)\/artifacts$/.exec(req.path);
        if (req.method === 'POST' && m) {
          r.problems.push(...spec.checkRequest(req));
          r.calls.push(req);
          const a = artifact(String(next++), String(json(req).uri), json(req));
          (artifacts[m[1]!] ??= []).push(a);
          const res = { status: 201, headers: {}, text: JSON.stringify(a) };
          r.problems.push(...spec.checkResponse(req, res));
          return res;
        }
        return r.transport(req);
      };
      return { ...r, transport, models, versions, artifacts };
    }

    it('a Katib plan: creates the model, the version and its artifact, in that order, with spec-valid bodies', async () => {
      const plan = registrationPlan(
        { name: 'mnist-hpo', namespace: 'kubeflow-user', objective: { type: 'maximize', metric: 'accuracy' } } as never,
        { name: 'mnist-hpo-b2', namespace: 'kubeflow-user', parameters: [{ name: 'lr', value: '0.048' }, { name: 'optimizer', value: 'adam' }], metrics: [{ name: 'accuracy', latest: '0.981', max: '0.981', min: '0.9' }], objective: 0.981 } as never,
        { uri: 's3://models/mnist-hpo/mnist-hpo-b2', source: 'env MODEL_URI' },
      );
      const reg = memoryRegistry();
      const out = await register(new ModelRegistryClient(reg.transport, BASE), fromPlan(plan));
      assert.deepEqual(reg.problems, []);
      assert.deepEqual(reg.calls.map((c) => `${c.method} ${c.path.replace(BASE, '')}`), ['GET /registered_model', 'POST /registered_models', 'POST /model_versions', `POST /model_versions/${out.version.id}/artifacts`]);
      assert.equal(out.createdModel, true);
      assert.equal(out.artifact.uri, 's3://models/mnist-hpo/mnist-hpo-b2');
      assert.deepEqual(out.version.customProperties?.['param.lr'], { metadataType: 'MetadataDoubleValue', double_value: 0.048 });
      assert.deepEqual(out.version.customProperties?.['katib.trial'], { metadataType: 'MetadataStringValue', string_value: 'mnist-hpo-b2' });
    });

    it('a pipeline output artifact: adds a version to an existing model; the artifact records the run', async () => {
      const reg = memoryRegistry({ models: [model('7', 'churn')], versions: [version('11', 'v1', '7')], artifacts: { '11': [artifact('21', 's3://m/churn/1')] } });
      const r = fromPipelineArtifact({ source: 'pipeline', runId: 'f1e2d3', runName: 'train-churn-7', namespace: 'team-a', pipelineName: 'churn-training', artifactName: 'model', uri: 's3://mlpipeline/v2/artifacts/churn/f1e2d3/train/model', modelFormatName: 'xgboost' }, { model: 'churn', version: nextVersionName(['v1']) });
      const out = await register(new ModelRegistryClient(reg.transport, BASE), r);
      assert.deepEqual(reg.problems, []);
      assert.equal(out.createdModel, false);
      assert.equal(out.version.name, 'v2');
      assert.deepEqual([out.artifact.modelSourceKind, out.artifact.modelSourceClass, out.artifact.modelSourceGroup, out.artifact.modelSourceId, out.artifact.modelSourceName], ['kfp', 'pipelinerun', 'team-a', 'f1e2d3', 'train-churn-7']);
      assert.ok(!reg.calls.some((c) => c.method === 'POST' && c.path.endsWith('/registered_models')), 'the model is reused');
    });

    it('a version that exists with its artifact is a conflict, and nothing is written', async () => {
      const reg = memoryRegistry({ models: [model('7', 'churn')], versions: [version('11', 'v1', '7')], artifacts: { '11': [artifact('21', 's3://m/churn/1')] } });
      const r = fromPipelineArtifact({ source: 'pipeline', runId: 'x', artifactName: 'model', uri: 's3://m/churn/2' }, { model: 'churn', version: 'v1' });
      await assert.rejects(register(new ModelRegistryClient(reg.transport, BASE), r), (e: unknown) => e instanceof RegistrationConflict && /already has a version v1/.test(e.message));
      assert.ok(!reg.calls.some((c) => c.method !== 'GET'), 'no write');
      assert.deepEqual(reg.problems, []);
    });

    it('a version left without an artifact (a registration cut short) gets the artifact', async () => {
      const reg = memoryRegistry({ models: [model('7', 'churn')], versions: [version('11', 'v1', '7')] });
      const r = fromPipelineArtifact({ source: 'pipeline', runId: 'x', artifactName: 'model', uri: 's3://m/churn/1' }, { model: 'churn', version: 'v1' });
      const out = await register(new ModelRegistryClient(reg.transport, BASE), r);
      assert.equal(out.completedVersion, true);
      assert.equal(out.version.id, '11');
      assert.equal(reg.artifacts['11']?.length, 1);
      assert.deepEqual(reg.problems, []);
    });

    it('refuses a registration without a URI or with a path that is not a URI, before sending anything', async () => {
      const reg = memoryRegistry();
      const client = new ModelRegistryClient(reg.transport, BASE);
      await assert.rejects(register(client, { model: { name: 'm' }, version: { name: 'v1' }, artifact: { artifactType: 'model-artifact', uri: '' } }), /needs a URI/);
      await assert.rejects(register(client, { model: { name: 'm' }, version: { name: 'v1' }, artifact: { artifactType: 'model-artifact', uri: '/data/model.pkl' } }), /not a URI/);
      assert.equal(reg.calls.length, 0);
    });
  });

  it('quotes search text: quotes and LIKE wildcards stay literal', () => {
    assert.equal(quote("o'brien"), "'o\\'brien'");
    assert.equal(modelFilterQuery({ text: '50%_off' }), "name ILIKE '%50\\\\%\\\\_off%' AND state = 'LIVE'");
    assert.equal(modelFilterQuery({ archived: true }), undefined);
    assert.equal(modelFilterQuery({ archived: true, query: "framework.string_value = 'pytorch'" }), "(framework.string_value = 'pytorch')");
  });

  it('next version names', () => {
    assert.equal(nextVersionName([]), 'v1');
    assert.equal(nextVersionName(['v1', 'v3', 'v2']), 'v4');
    assert.equal(nextVersionName(['1.0.9', '1.0.10']), '1.0.11');
    assert.equal(nextVersionName(['first', 'second']), '3');
  });
});

describe('Model Registry client: which API a registry serves, and why a call failed', () => {
  /** A registry answering `list` under the prefixes given, chi's plain 404 elsewhere; `health` for /readyz/health. */
  const registry = (prefixes: string[], list: { status: number; body: unknown } = { status: 200, body: page([]) }, health?: { status: number; body: unknown }) => {
    const seen: string[] = [];
    const transport: HttpTransport = async (req) => {
      seen.push(req.path);
      const json = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, text: JSON.stringify(body) });
      if (req.path === '/readyz/health' && health) return json(health.status, health.body);
      const prefix = prefixes.find((p) => req.path.startsWith(`${p}/`));
      if (!prefix) return { status: 404, headers: {}, text: '404 page not found\n' };
      if (req.path === `${prefix}/registered_models/1`) return json(404, { code: 'Not Found', message: 'no registered model found for id 1: not found' });
      return json(list.status, list.body);
    };
    return { transport, seen };
  };

  it('uses v1 where the registry serves it, v1alpha3 otherwise, and asks only once', async () => {
    assert.equal(await detectApiBase(registry([API_BASES.v1, API_BASES.v1alpha3]).transport), API_BASES.v1);
    const old = registry([API_BASES.v1alpha3]);
    const client = new ModelRegistryClient(old.transport);
    await client.listRegisteredModels();
    await client.listAllVersions();
    assert.deepEqual(old.seen, [`${API_BASES.v1}/registered_models`, `${API_BASES.v1alpha3}/registered_models`, `${API_BASES.v1alpha3}/registered_models`, `${API_BASES.v1alpha3}/model_versions`]);
    const hub = registry([API_BASES.v1]);
    await new ModelRegistryClient(hub.transport).listAllVersions();
    assert.deepEqual(hub.seen, [`${API_BASES.v1}/registered_models`, `${API_BASES.v1}/model_versions`]);
  });

  it('a server that answers neither prefix: says so, naming both', async () => {
    const client = new ModelRegistryClient(registry([]).transport);
    await assert.rejects(client.listRegisteredModels(), (e: unknown) => e instanceof NoRegistryApiError
      && e.message === 'This is not a Model Registry API: it answers neither /api/model_registry/v1 (HTTP 404) nor /api/model_registry/v1alpha3 (HTTP 404). Check the registry\'s Service, port or URL.');
  });

  it('a database that refuses: the health check\'s cause, not the misleading 404 or 400', async () => {
    const down = { status: 503, body: { status: 'fail', checks: { database: { Name: 'database', Status: 'fail', Message: 'database connection error: dial tcp 10.0.0.7:5432: connect: connection refused', Details: {} } } } };
    const bad = { status: 400, body: { code: 'Bad Request', message: 'error listing registered models: invalid filter query, type mismatch or invalid value in comparison: bad request' } };
    const r = registry([API_BASES.v1alpha3], bad, down);
    await assert.rejects(detectApiBase(r.transport), (e: unknown) => e instanceof RegistryDatabaseError && /cannot use its database.*connect: connection refused/.test(e.message));
    const client = new ModelRegistryClient(r.transport, API_BASES.v1alpha3);
    await assert.rejects(client.getRegisteredModel('1'), RegistryDatabaseError);
    await assert.rejects(client.createRegisteredModel({ name: 'x' }), RegistryDatabaseError);
    // a healthy registry: the 404 stays a 404
    const healthy = new ModelRegistryClient(registry([API_BASES.v1alpha3], undefined, { status: 200, body: { status: 'pass', checks: {} } }).transport, API_BASES.v1alpha3);
    await assert.rejects(healthy.getRegisteredModel('1'), (e: unknown) => e instanceof ApiError && !(e instanceof RegistryDatabaseError) && e.status === 404);
  });
});
